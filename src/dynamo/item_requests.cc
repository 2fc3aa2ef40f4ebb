#include "dynamo/item_requests.h"

#include "dynamo/legacy_requests.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"

namespace streamer::dynamo {

std::optional<ReturnValues> ParseReturnValues(std::string_view name) {
  static constexpr std::pair<std::string_view, ReturnValues> kNames[] = {
      {"NONE", ReturnValues::kNone},         {"ALL_OLD", ReturnValues::kAllOld},
      {"UPDATED_OLD", ReturnValues::kUpdatedOld}, {"ALL_NEW", ReturnValues::kAllNew},
      {"UPDATED_NEW", ReturnValues::kUpdatedNew}};
  for (const auto& [n, v] : kNames) {
    if (n == name) return v;
  }
  return std::nullopt;
}

Status RejectLegacy(const json::object& r) {
  for (const char* legacy : {"Expected", "ConditionalOperator", "AttributesToGet", "AttributeUpdates",
                             "KeyConditions", "QueryFilter", "ScanFilter"}) {
    if (r.contains(legacy)) {
      // Legacy parameters are a later step; refusing beats ignoring them.
      return Status::Validation(std::string("The legacy parameter ") + legacy +
                                " is not supported by this server yet; use expressions");
    }
  }
  return Status::Ok();
}

Result<ConditionRequest> ParseConditionRequest(const json::object& r,
                                               std::initializer_list<ReturnValues> allowed_returns,
                                               const expr::UsedPlaceholders& also_used) {
  ConditionRequest c;
  auto legacy = LegacyCondition(r);  // Expected / ConditionalOperator
  if (!legacy) return legacy.status();
  c.condition = std::move(*legacy);
  auto maps = ExpressionMaps(r);
  if (!maps) return maps.status();
  auto text = OptionalString(r, "ConditionExpression");
  if (!text) return text.status();
  expr::UsedPlaceholders used = also_used;
  if (*text) {
    auto parsed = expr::ParseCondition(**text, *maps);
    if (!parsed) return parsed.status();
    used.Merge(parsed->used);  // keep the update expression's placeholders
    c.condition = std::make_shared<const expr::ParsedCondition>(std::move(*parsed));
  }
  Status unused = expr::CheckUnusedPlaceholders(*maps, used);
  if (!unused.ok()) return unused;
  auto rv = OptionalString(r, "ReturnValues");
  if (!rv) return rv.status();
  if (*rv) {
    // Outside the ReturnValue enum: a constraint error (AWS's enum order);
    // in it but not meaningful for this operation: "invalid value".
    const std::optional<ReturnValues> parsed = ParseReturnValues(**rv);
    if (!parsed) {
      return ConstraintError(**rv, "returnValues",
                             "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
    }
    bool ok = false, all_new_allowed = false;
    for (auto a : allowed_returns) {
      ok |= (*parsed == a);
      all_new_allowed |= a == ReturnValues::kAllNew;
    }
    if (!ok) {
      // PutItem and DeleteItem (NONE / ALL_OLD only) name what they take.
      return Status::Validation(all_new_allowed ? "Return values set to invalid value"
                                                : "ReturnValues can only be ALL_OLD or NONE");
    }
    c.return_values = *parsed;
  }
  auto on_fail = OptionalString(r, "ReturnValuesOnConditionCheckFailure");
  if (!on_fail) return on_fail.status();
  if (*on_fail) {
    if (**on_fail != "ALL_OLD" && **on_fail != "NONE") {
      return ConstraintError(**on_fail, "returnValuesOnConditionCheckFailure",
                             "Member must satisfy enum value set: [ALL_OLD, NONE]");
    }
    c.return_old_on_failure = **on_fail == "ALL_OLD";
  }
  return c;
}

// PutItem's item checks, with the messages AWS gives for items (which differ
// from those for Key parameters). `item` is validated (ValidateItem) and
// canonical, so each value has exactly its type member.
Status ValidateItemForTable(const TableInfo& t, const json::object& item) {
  std::vector<const KeyAttribute*> keys{&t.key_schema.partition};
  if (t.key_schema.sort) keys.push_back(&*t.key_schema.sort);
  for (const KeyAttribute* k : keys) {
    const json::value* v = item.if_contains(k->name);
    if (!v) {
      return Status::Validation("One or more parameter values were invalid: Missing the key " + k->name +
                                " in the item");
    }
    std::string_view type = TypeOf(*v);
    if (type != k->type) {
      return Status::Validation("One or more parameter values were invalid: Type mismatch for key " +
                                k->name + " expected: " + k->type + " actual: " + std::string(type));
    }
    if (Status empty = CheckKeyValueNotEmpty(*v, k->name); !empty.ok()) return empty;
  }
  if (ItemSize(item) > kMaxItemSize) {
    return Status::Validation("Item size has exceeded the maximum allowed size");
  }
  return CheckKeySizes(t.key_schema, item);
}

// Key parameters (GetItem/DeleteItem/UpdateItem): exactly the key attributes.
Result<json::object> KeyOf(const TableInfo& t, const json::object& r) {
  auto key = OptionalObject(r, "Key");
  if (!key) return key.status();
  if (!*key) {
    return Status::Validation("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null");
  }
  for (const auto& [name, v] : **key) {
    Status s = ValidateAttributeValue(v);
    if (!s.ok()) return s;
  }
  const size_t expected = t.key_schema.sort ? 2 : 1;
  if ((*key)->size() != expected) {
    return Status::Validation("The provided key element does not match the schema");
  }
  json::object canonical = CanonicalizeItem(**key);
  std::vector<const KeyAttribute*> keys{&t.key_schema.partition};
  if (t.key_schema.sort) keys.push_back(&*t.key_schema.sort);
  for (const KeyAttribute* k : keys) {
    const json::value* v = canonical.if_contains(k->name);
    if (!v || TypeOf(*v) != k->type) {
      return Status::Validation("The provided key element does not match the schema");
    }
    if (Status empty = CheckKeyValueNotEmpty(*v, k->name); !empty.ok()) return empty;
  }
  Status sizes = CheckKeySizes(t.key_schema, canonical);
  if (!sizes.ok()) return sizes;
  return canonical;
}

Status CheckKeyPathsScalar(const KeySchema& ks, const std::vector<const expr::Path*>& paths) {
  std::vector<const KeyAttribute*> keys{&ks.partition};
  if (ks.sort) keys.push_back(&*ks.sort);
  for (const KeyAttribute* k : keys) {
    for (const expr::Path* p : paths) {
      if (p->size() > 1 && !(*p)[0].is_index && (*p)[0].name == k->name) {
        return Status::Validation(
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: " +
            k->name);
      }
    }
  }
  return Status::Ok();
}

// Answers a finished write the way AWS does for its ReturnValues.
void AnswerWrite(const WriteResult& w, const ConditionRequest& c, const ReplyFn& reply) {
  if (!w.status.ok()) {
    ApiReply err = ErrorReply(w.status);
    if (w.status.Is(Code::kConditionalCheckFailed) && c.return_old_on_failure && w.old_item) {
      json::object o = json::parse(err.body).as_object();
      o["Item"] = *w.old_item;
      err.body = json::serialize(o);
    }
    reply(std::move(err));
    return;
  }
  json::object out;
  if (c.return_values == ReturnValues::kAllOld && w.old_item) out["Attributes"] = *w.old_item;
  if (c.return_values == ReturnValues::kAllNew && w.new_item) out["Attributes"] = w.new_item->item;
  reply(ApiReply{200, json::serialize(out)});
}

}  // namespace streamer::dynamo
