// DynamoApi: single-item operations (PutItem, GetItem, DeleteItem, UpdateItem).
#include <memory>

#include "dynamo/api.h"
#include "dynamo/decisions.h"
#include "dynamo/expr/condition.h"
#include "dynamo/expr/placeholders.h"
#include "dynamo/expr/projection.h"
#include "dynamo/expr/update.h"
#include "dynamo/item_storage.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"
#include "dynamo/write_path.h"

namespace streamer::dynamo {

namespace {

// ReturnValues, as an enum once parsed.
enum class ReturnValues { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };

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

// The expression members every conditional write shares.
struct ConditionRequest {
  std::shared_ptr<const expr::ParsedCondition> condition;  // null: unconditional
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_failure = false;
};

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
                                               const expr::UsedPlaceholders& also_used = {}) {
  ConditionRequest c;
  Status legacy = RejectLegacy(r);
  if (!legacy.ok()) return legacy;
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
    bool ok = false;
    for (auto a : allowed_returns) ok |= (*parsed == a);
    if (!ok) return Status::Validation("Return values set to invalid value");
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

}  // namespace

void DynamoApi::PutItem(const Request& r, ReplyFn reply) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kWrite); !members.ok()) return reply(ErrorReply(members));
  auto table = RequireTable(r);
  if (!table) return reply(ErrorReply(table.status()));
  auto item_v = OptionalObject(r, "Item");
  if (!item_v) return reply(ErrorReply(item_v.status()));
  if (!*item_v) {
    return reply(ErrorReply(Status::Validation(
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null")));
  }
  Status valid = ValidateItem(**item_v);
  if (!valid.ok()) return reply(ErrorReply(valid));
  json::object item = CanonicalizeItem(**item_v);
  valid = ValidateItemForTable(**table, item);
  if (!valid.ok()) return reply(ErrorReply(valid));
  auto cond = ParseConditionRequest(r, {ReturnValues::kNone, ReturnValues::kAllOld});
  if (!cond) return reply(ErrorReply(cond.status()));
  auto address = AddressOf(**table, item);
  if (!address) return reply(ErrorReply(address.status()));

  // Sized and encoded here, on the I/O thread: the serial writer only stores the bytes.
  Decide decide = DecidePut(cond->condition, MakeStoredItem(std::move(item)));
  const bool wants_old = cond->return_values == ReturnValues::kAllOld || cond->return_old_on_failure;
  items_->Write(*table, std::move(*address), std::move(decide),
              [c = std::move(*cond), reply = std::move(reply)](WriteResult w) { AnswerWrite(w, c, reply); },
              wants_old);
}

void DynamoApi::DeleteItem(const Request& r, ReplyFn reply) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kWrite); !members.ok()) return reply(ErrorReply(members));
  auto table = RequireTable(r);
  if (!table) return reply(ErrorReply(table.status()));
  auto key = KeyOf(**table, r);
  if (!key) return reply(ErrorReply(key.status()));
  auto cond = ParseConditionRequest(r, {ReturnValues::kNone, ReturnValues::kAllOld});
  if (!cond) return reply(ErrorReply(cond.status()));
  auto address = AddressOf(**table, *key);
  if (!address) return reply(ErrorReply(address.status()));
  Decide decide = DecideDelete(cond->condition);
  const bool wants_old = cond->return_values == ReturnValues::kAllOld || cond->return_old_on_failure;
  items_->Write(*table, std::move(*address), std::move(decide),
              [c = std::move(*cond), reply = std::move(reply)](WriteResult w) {
                w.new_item.reset();
                AnswerWrite(w, c, reply);
              },
              wants_old);
}

void DynamoApi::UpdateItem(const Request& r, ReplyFn reply) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kWrite); !members.ok()) return reply(ErrorReply(members));
  auto table = RequireTable(r);
  if (!table) return reply(ErrorReply(table.status()));
  auto key = KeyOf(**table, r);
  if (!key) return reply(ErrorReply(key.status()));
  auto maps = ExpressionMaps(r);
  if (!maps) return reply(ErrorReply(maps.status()));
  auto text = OptionalString(r, "UpdateExpression");
  if (!text) return reply(ErrorReply(text.status()));
  std::shared_ptr<const expr::ParsedUpdate> update;
  if (*text) {
    auto parsed = expr::ParseUpdate(**text, *maps);
    if (!parsed) return reply(ErrorReply(parsed.status()));
    Status keys = expr::CheckUpdateKeys(*parsed, (*table)->key_schema);
    if (!keys.ok()) return reply(ErrorReply(keys));
    update = std::make_shared<const expr::ParsedUpdate>(std::move(*parsed));
  }
  auto cond = ParseConditionRequest(r, {ReturnValues::kNone, ReturnValues::kAllOld, ReturnValues::kUpdatedOld,
                                       ReturnValues::kAllNew, ReturnValues::kUpdatedNew},
                                    update ? update->used : expr::UsedPlaceholders{});
  if (!cond) return reply(ErrorReply(cond.status()));
  auto address = AddressOf(**table, *key);
  if (!address) return reply(ErrorReply(address.status()));

  TablePtr t = *table;
  Decide decide = DecideUpdate(cond->condition, update, t, std::move(*key));
  // UPDATED_*: the document paths the update names, with their nesting (an
  // update of m.x returns {"m": {"M": {"x": ...}}}, not all of m).
  std::vector<expr::Path> touched;
  if (update) {
    for (const auto& a : update->actions) touched.push_back(a.path);
  }
  items_->Write(t, std::move(*address), std::move(decide),
              [c = std::move(*cond), touched, reply = std::move(reply)](WriteResult w) {
                if (w.status.ok() && (c.return_values == ReturnValues::kUpdatedOld || c.return_values == ReturnValues::kUpdatedNew)) {
                  const json::object* source = c.return_values == ReturnValues::kUpdatedOld
                                                   ? (w.old_item ? &*w.old_item : nullptr)
                                                   : (w.new_item ? &w.new_item->item : nullptr);
                  json::object attrs;
                  if (source) attrs = expr::Project(*source, touched);
                  json::object out;
                  if (!attrs.empty()) out["Attributes"] = std::move(attrs);
                  reply(ApiReply{200, json::serialize(out)});
                  return;
                }
                AnswerWrite(w, c, reply);
              });
}

Result<std::string> DynamoApi::GetItem(const Request& r) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kRead); !members.ok()) return members;
  auto table = RequireTable(r);
  if (!table) return table.status();
  auto key = KeyOf(**table, r);
  if (!key) return key.status();
  Status legacy = RejectLegacy(r);
  if (!legacy.ok()) return legacy;
  auto maps = ExpressionMaps(r);
  if (!maps) return maps.status();
  auto projection_text = OptionalString(r, "ProjectionExpression");
  if (!projection_text) return projection_text.status();
  std::optional<expr::Projection> projection;
  if (*projection_text) {
    auto parsed = expr::ParseProjection(**projection_text, *maps);
    if (!parsed) return parsed.status();
    projection = std::move(*parsed);
  }
  Status unused = expr::CheckUnusedPlaceholders(*maps, projection ? projection->used : expr::UsedPlaceholders{});
  if (!unused.ok()) return unused;
  auto address = AddressOf(**table, *key);
  if (!address) return address.status();
  std::string bytes;
  Status s = items_->Get(*address, &bytes);
  if (!s.ok()) {
    if (s.Is(Code::kNotFound)) return std::string("{}");
    return s;
  }
  if (projection) {
    auto item = DecodeStoredItem(**table, address->storage_key, bytes);
    if (!item) return item.status();
    return json::serialize(json::object{{"Item", expr::Project(*item, projection->paths)}});
  }
  std::string body = "{\"Item\":";
  body.reserve(bytes.size() * 2 + 16);
  Status written = AppendStoredItemJson(**table, address->storage_key, bytes, &body);
  if (!written.ok()) return written;
  body.push_back('}');
  return body;
}

}  // namespace streamer::dynamo
