// DynamoApi: the transactions (TransactWriteItems, TransactGetItems).
//
// TransactWriteItems decides every action against one consistent view of all
// the writers owning its items and commits all of them in one batch, with all
// their stream records (SubmitAtomic), or none. Since a transaction is queued
// on every writer involved and no other write of those writers runs between
// its decisions and its commit, transactions never interleave with other
// writes: where AWS raises TransactionConflictException (another write or
// transaction on one of the items in flight), we serialize instead.
//
// TransactGetItems reads every item from one store snapshot.
#include <map>
#include <memory>
#include <set>

#include "core/clock.h"
#include "dynamo/api.h"
#include "dynamo/capacity.h"
#include "dynamo/decisions.h"
#include "dynamo/expr/projection.h"
#include "dynamo/expr/update.h"
#include "dynamo/item_requests.h"
#include "dynamo/item_storage.h"
#include "dynamo/model/attribute.h"
#include "dynamo/request.h"
#include "dynamo/transaction_tokens.h"
#include "dynamo/write_path.h"

namespace streamer::dynamo {

namespace {

constexpr size_t kMaxTransactItems = 100;
constexpr size_t kMaxTransactionBytes = 4 * 1024 * 1024;  // aggregate size of a transaction's items

Status MustNotBeNull(const std::string& field) {
  return Status::Validation("1 validation error detected: Value null at '" + field +
                            "' failed to satisfy constraint: Member must not be null");
}

bool Present(const json::object& o, std::string_view member) {
  const json::value* v = o.if_contains(member);
  return v && !v->is_null();
}

// TransactItems: a required list of 1..100 objects.
Result<const json::array*> TransactItemsOf(const json::object& r) {
  const json::value* v = r.if_contains("TransactItems");
  if (!v || v->is_null()) return MustNotBeNull("transactItems");
  if (!v->is_array()) return Status::Of(Code::kSerialization, "Unexpected value type for member TransactItems");
  const json::array& a = v->as_array();
  if (a.empty()) return ConstraintError("[]", "transactItems", "Member must have length greater than or equal to 1");
  if (a.size() > kMaxTransactItems) {
    // AWS's newer wording (the older one echoes the whole request).
    return Status::Validation(
        "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length "
        "less than or equal to 100");
  }
  for (const json::value& e : a) {
    if (!e.is_object()) return Status::Of(Code::kSerialization, "Unexpected value type for member TransactItems");
  }
  return &a;
}

Status MultipleOperations() {
  return Status::Validation("Transaction request cannot include multiple operations on one item");
}

json::array CapacityList(const std::map<std::string, ConsumedCapacity>& by_table, CapacityReport report) {
  json::array out;
  for (const auto& [_, c] : by_table) out.push_back(c.ToJson(report));
  return out;
}

// A key attribute map against the table's schema: the message when its
// attributes are not exactly the key's, of the key's types.
std::optional<std::string> KeyMismatch(const TableInfo& t, const json::object& key) {
  const size_t expected = t.key_schema.sort ? 2 : 1;
  bool ok = key.size() == expected;
  for (const KeyAttribute* k : {&t.key_schema.partition, t.key_schema.sort ? &*t.key_schema.sort : nullptr}) {
    if (!k || !ok) continue;
    const json::value* v = key.if_contains(k->name);
    ok = v && TypeOf(*v) == k->type;
  }
  if (ok) return std::nullopt;
  return "The provided key element does not match the schema";
}

// A Put's item against the table's key schema: PutItem's messages.
std::optional<std::string> ItemKeyMismatch(const TableInfo& t, const json::object& item) {
  for (const KeyAttribute* k : {&t.key_schema.partition, t.key_schema.sort ? &*t.key_schema.sort : nullptr}) {
    if (!k) continue;
    const json::value* v = item.if_contains(k->name);
    if (!v) return "One or more parameter values were invalid: Missing the key " + k->name + " in the item";
    if (TypeOf(*v) != k->type) {
      return "One or more parameter values were invalid: Type mismatch for key " + k->name + " expected: " +
             k->type + " actual: " + std::string(TypeOf(*v));
    }
  }
  return std::nullopt;
}

// One action of a TransactWriteItems or TransactGetItems, checked in AWS's
// order over the whole request: every action's members first, then every
// action's values and expressions, then tables and keys. A key that does
// not fit its table's schema does not refuse the request: AWS finds it while
// running the transaction and cancels it with a ValidationError reason.
struct Action {
  std::string_view kind;  // Put, Delete, Update, ConditionCheck, Get
  const json::object* body = nullptr;
  std::string field;  // transactItems.N.member.<kind>
  std::string table_name;
  const json::object* key_or_item = nullptr;  // as sent
  std::shared_ptr<const expr::ParsedUpdate> update;
  std::optional<ConditionRequest> condition;
  std::optional<expr::Projection> projection;
  // Set by the last phase.
  TablePtr table;
  std::optional<std::string> schema_error;
  json::object canonical;  // the key or item, canonical
  std::optional<ItemAddress> address;
};

// Phase 1: the members, as AWS's request validation checks them.
Status CheckActionMembers(Action& a) {
  const json::object& body = *a.body;
  if (a.kind == "Put") {
    if (!Present(body, "Item")) return MustNotBeNull(a.field + ".item");
  } else if (!Present(body, "Key")) {
    return MustNotBeNull(a.field + ".key");
  }
  if (a.kind == "ConditionCheck" && !Present(body, "ConditionExpression")) {
    return MustNotBeNull(a.field + ".conditionExpression");
  }
  if (a.kind == "Update" && !Present(body, "UpdateExpression")) return MustNotBeNull(a.field + ".updateExpression");
  if (!Present(body, "TableName")) return MustNotBeNull(a.field + ".tableName");
  auto name = TableNameOf(body);
  if (!name) return name.status();
  a.table_name = *name;
  auto on_fail = OptionalString(body, "ReturnValuesOnConditionCheckFailure");
  if (!on_fail) return on_fail.status();
  if (*on_fail && **on_fail != "ALL_OLD" && **on_fail != "NONE") {
    return ConstraintError(**on_fail, a.field + ".returnValuesOnConditionCheckFailure",
                           "Member must satisfy enum value set: [ALL_OLD, NONE]");
  }
  auto kv = OptionalObject(body, a.kind == "Put" ? "Item" : "Key");
  if (!kv) return kv.status();
  a.key_or_item = *kv;
  return Status::Ok();
}

// Phase 2: attribute values and expressions, before any table is looked up.
Status CheckActionValues(Action& a) {
  const json::object& body = *a.body;
  if (a.kind == "Put") {
    if (Status valid = ValidateItem(*a.key_or_item); !valid.ok()) return valid;
  } else {
    for (const auto& [_, av] : *a.key_or_item) {
      if (Status valid = ValidateAttributeValue(av); !valid.ok()) return valid;
    }
  }
  if (Status legacy = RejectLegacy(body); !legacy.ok()) return legacy;
  auto maps = ExpressionMaps(body);
  if (!maps) return maps.status();
  if (a.kind == "Get") {
    auto text = OptionalString(body, "ProjectionExpression");
    if (!text) return text.status();
    if (*text) {
      auto parsed = expr::ParseProjection(**text, *maps);
      if (!parsed) return parsed.status();
      a.projection = std::move(*parsed);
    }
    return expr::CheckUnusedPlaceholders(*maps, a.projection ? a.projection->used : expr::UsedPlaceholders{});
  }
  if (a.kind == "Update") {
    auto text = OptionalString(body, "UpdateExpression");
    if (!text) return text.status();
    auto parsed = expr::ParseUpdate(**text, *maps);
    if (!parsed) return parsed.status();
    a.update = std::make_shared<const expr::ParsedUpdate>(std::move(*parsed));
  }
  if (body.contains("ReturnValues")) {
    return Status::Of(Code::kSerialization, "Unexpected member ReturnValues in " + std::string(a.kind));
  }
  auto cond = ParseConditionRequest(body, {ReturnValues::kNone}, a.update ? a.update->used : expr::UsedPlaceholders{});
  if (!cond) return cond.status();
  a.condition = std::move(*cond);
  return Status::Ok();
}

// Phase 3: the table, and the key or item against its schema.
Status ResolveAction(const TableCatalog& catalog, Action& a) {
  a.table = catalog.Find(a.table_name);
  if (!a.table) return Status::Of(Code::kResourceNotFound, "Requested resource not found");
  const TableInfo& t = *a.table;
  a.canonical = CanonicalizeItem(*a.key_or_item);
  if (a.kind == "Put") {
    a.schema_error = ItemKeyMismatch(t, a.canonical);
    if (a.schema_error) return Status::Ok();
    if (Status valid = ValidateItemForTable(t, a.canonical); !valid.ok()) return valid;
  } else {
    a.schema_error = KeyMismatch(t, a.canonical);
    if (a.schema_error) return Status::Ok();
    auto key = KeyOf(t, json::object{{"Key", *a.key_or_item}});  // empty values, sizes
    if (!key) return key.status();
    a.canonical = std::move(*key);
  }
  if (a.update) {
    if (Status keys = expr::CheckUpdateKeys(*a.update, t.key_schema); !keys.ok()) return keys;
  }
  auto address = AddressOf(t, a.canonical);
  if (!address) return address.status();
  a.address = std::move(*address);
  return Status::Ok();
}

// All phases over a request's actions; then duplicates. A request whose keys
// do not fit their schemas is answered with its cancellation reasons.
Status ResolveActions(const TableCatalog& catalog, std::vector<Action>& actions) {
  for (Action& a : actions) {
    if (Status s = CheckActionMembers(a); !s.ok()) return s;
  }
  for (Action& a : actions) {
    if (Status s = CheckActionValues(a); !s.ok()) return s;
  }
  for (Action& a : actions) {
    if (Status s = ResolveAction(catalog, a); !s.ok()) return s;
  }
  std::set<std::string> seen;  // storage keys include the table prefix
  for (const Action& a : actions) {
    if (a.address && !seen.insert(a.address->storage_key).second) return MultipleOperations();
  }
  return Status::Ok();
}

// The TransactionCanceledException of `reasons` (one per action, in order).
ApiReply Cancelled(json::array reasons) {
  std::string codes;
  for (const json::value& r : reasons) {
    codes += (codes.empty() ? "" : ", ") + std::string(r.as_object().at("Code").as_string());
  }
  ApiReply err = ErrorReply(Status::Of(
      Code::kTransactionCanceled,
      "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]"));
  json::object body = json::parse(err.body).as_object();
  body["CancellationReasons"] = std::move(reasons);
  err.body = json::serialize(body);
  return err;
}

// The cancellation of a request some of whose keys do not fit their tables.
std::optional<ApiReply> SchemaCancellation(const std::vector<Action>& actions) {
  bool any = false;
  json::array reasons;
  for (const Action& a : actions) {
    any |= a.schema_error.has_value();
    reasons.push_back(a.schema_error ? json::object{{"Code", "ValidationError"}, {"Message", *a.schema_error}}
                                     : json::object{{"Code", "None"}});
  }
  if (!any) return std::nullopt;
  return Cancelled(std::move(reasons));
}

// Splits TransactItems into actions (each entry exactly one of `kinds`).
Result<std::vector<Action>> SplitActions(const json::array& entries, bool writes) {
  static constexpr std::pair<std::string_view, std::string_view> kWriteKinds[] = {
      {"ConditionCheck", "conditionCheck"}, {"Put", "put"}, {"Delete", "delete"}, {"Update", "update"}};
  std::vector<Action> actions;
  for (size_t i = 0; i < entries.size(); ++i) {
    const json::object& entry = entries[i].as_object();
    Action a;
    const std::string prefix = "transactItems." + std::to_string(i + 1) + ".member.";
    if (writes) {
      int kinds = 0;
      for (const auto& [k, l] : kWriteKinds) {
        if (Present(entry, k)) {
          a.kind = k;
          a.field = prefix + std::string(l);
          ++kinds;
        }
      }
      if (kinds != 1) return Status::Validation("TransactItems can only contain one of Check, Put, Update or Delete");
    } else {
      if (!Present(entry, "Get")) return MustNotBeNull(prefix + "get");
      a.kind = "Get";
      a.field = prefix + "get";
    }
    const json::value& body = entry.at(a.kind);
    if (!body.is_object()) return Status::Of(Code::kSerialization, "Unexpected value type for member " + std::string(a.kind));
    a.body = &body.as_object();
    actions.push_back(std::move(a));
  }
  return actions;
}

// The write an action decided on.
AtomicWrite WriteOf(Action& a) {
  AtomicWrite w;
  w.table = a.table;
  w.address = std::move(*a.address);
  const ConditionPtr condition = a.condition->condition;
  if (a.kind == "Put") {
    w.decide = DecidePut(condition, MakeStoredItem(std::move(a.canonical)));
  } else if (a.kind == "Delete") {
    w.decide = DecideDelete(condition);
  } else if (a.kind == "Update") {
    w.decide = DecideUpdate(condition, a.update, a.table, std::move(a.canonical));
  } else {
    // A check writes nothing: it only has to hold when the others commit.
    w.decide = Decide([condition](const json::object* current) -> Result<Mutation> {
      if (!expr::Evaluate(condition->root, current)) return ConditionFailed();
      return Mutation{};
    });
  }
  return w;
}

// The cancellation reason AWS gives for one action's refusal.
json::object CancellationReason(const WriteResult& r, bool return_old) {
  if (r.status.ok()) return json::object{{"Code", "None"}};
  if (r.status.Is(Code::kConditionalCheckFailed)) {
    json::object reason{{"Code", "ConditionalCheckFailed"}, {"Message", r.status.message()}};
    if (return_old && r.old_item) reason["Item"] = *r.old_item;
    return reason;
  }
  return json::object{{"Code", "ValidationError"}, {"Message", r.status.message()}};
}

// The members of a TransactWriteItems that a retry with the same token must
// repeat (ReturnConsumedCapacity may differ: it only shapes the answer).
std::string Fingerprint(const json::object& r) {
  json::object copy = r;
  copy.erase("ClientRequestToken");
  copy.erase("ReturnConsumedCapacity");
  return json::serialize(copy);
}

// The answer of a committed transaction, shaped for the request asking.
ApiReply TransactWriteAnswer(const json::object& result, CapacityReport report, bool metrics) {
  json::object out;
  if (report != CapacityReport::kNone) {
    const json::value* c = result.if_contains(report == CapacityReport::kIndexes ? "Indexes" : "Total");
    if (c) out["ConsumedCapacity"] = *c;
  }
  // Item collections exist only for tables with local secondary indexes.
  if (metrics) out["ItemCollectionMetrics"] = json::object{};
  return ApiReply{200, json::serialize(out)};
}

}  // namespace

void DynamoApi::TransactWriteItems(const Request& r, ReplyFn reply) {
  auto fail = [&reply](const Status& s) { reply(ErrorReply(s)); };
  // The token's length is AWS's first check, then the enums.
  auto token = OptionalString(r, "ClientRequestToken");
  if (!token) return fail(token.status());
  if (Status len = CheckLength(*token, "clientRequestToken", 1, 36); !len.ok()) return fail(len);
  if (Status members = CheckAcceptedMembers(r, RequestKind::kWrite); !members.ok()) return fail(members);
  auto entries = TransactItemsOf(r);
  if (!entries) return fail(entries.status());
  auto actions = SplitActions(**entries, /*writes=*/true);
  if (!actions) return fail(actions.status());
  if (Status s = ResolveActions(*catalog_, *actions); !s.ok()) return fail(s);
  if (auto cancelled = SchemaCancellation(*actions)) return reply(std::move(*cancelled));
  size_t aggregate = 0;  // the items written and the keys named
  for (const Action& a : *actions) aggregate += ItemSize(a.canonical);
  if (aggregate > kMaxTransactionBytes) return fail(Status::Validation("Transaction request cannot be larger than 4 MB"));

  const CapacityReport report = CapacityReportOf(r);
  std::vector<AtomicWrite> writes;
  std::vector<bool> return_old;
  for (Action& a : *actions) {
    AtomicWrite w = WriteOf(a);
    // Old items: for ALL_OLD on a failed condition, and to count capacity.
    w.wants_old_item = a.condition->return_old_on_failure || report != CapacityReport::kNone;
    return_old.push_back(a.condition->return_old_on_failure);
    writes.push_back(std::move(w));
  }
  const json::value* metrics_v = r.if_contains("ReturnItemCollectionMetrics");
  const bool metrics = metrics_v && metrics_v->is_string() && metrics_v->as_string() == "SIZE";

  std::string claimed;  // the token this request runs under, if any
  if (*token) {
    auto outcome = tokens_->Begin(**token, Fingerprint(r), NowMillis());
    switch (outcome.claim) {
      case TransactionTokens::Claim::kReplay:
        return reply(TransactWriteAnswer(outcome.result, report, metrics));
      case TransactionTokens::Claim::kInProgress:
        return fail(Status::Of(Code::kTransactionInProgress, "Transaction from previous request is still in progress"));
      case TransactionTokens::Claim::kMismatch:
        return fail(Status::Of(Code::kIdempotentParameterMismatch,
                               "The request uses the same client token as a previous, but non-identical request."));
      case TransactionTokens::Claim::kNew:
        claimed = **token;
        break;
    }
  }

  auto tables = std::make_shared<std::vector<TablePtr>>();
  for (const AtomicWrite& w : writes) tables->push_back(w.table);
  items_->WriteAtomic(std::move(writes), [tokens = tokens_.get(), claimed, tables, return_old, report, metrics,
                                          reply = std::move(reply)](bool applied, std::vector<WriteResult> results) {
    if (!applied) {
      if (!claimed.empty()) tokens->Release(claimed);
      // A commit that failed (the store, not a decision) is the store's error.
      bool decided = false;
      for (const WriteResult& res : results) {
        if (!res.status.ok() && !res.status.Is(Code::kConditionalCheckFailed) && !res.status.Is(Code::kValidation)) {
          return reply(ErrorReply(res.status));
        }
        decided |= !res.status.ok();
      }
      if (!decided) return reply(ErrorReply(Status::Internal("transaction not applied")));
      json::array reasons;
      for (size_t i = 0; i < results.size(); ++i) reasons.push_back(CancellationReason(results[i], return_old[i]));
      return reply(Cancelled(std::move(reasons)));
    }
    // Committed: every action counts twice its write units (a transaction
    // prepares and commits each item), a check as a write of its item.
    std::map<std::string, ConsumedCapacity> capacity;
    for (size_t i = 0; i < results.size(); ++i) {
      const TablePtr& t = (*tables)[i];
      ConsumedCapacity& used = capacity[t->name];
      used.table = t->name;
      used.is_write = true;
      used.show_read_write = true;  // transactions show Read/WriteCapacityUnits too
      const WriteResult& res = results[i];
      size_t size = res.old_item ? ItemSize(*res.old_item) : 0;
      if (res.new_item) size = std::max(size, res.new_item->size ? res.new_item->size : ItemSize(res.new_item->item));
      used.table_units += WriteUnits(size, /*transactional=*/true);
    }
    json::object result{{"Total", CapacityList(capacity, CapacityReport::kTotal)},
                        {"Indexes", CapacityList(capacity, CapacityReport::kIndexes)}};
    if (!claimed.empty()) tokens->Finish(claimed, result, NowMillis());
    reply(TransactWriteAnswer(result, report, metrics));
  });
}

void DynamoApi::TransactGetItems(const Request& r, ReplyFn reply) {
  auto fail = [&reply](const Status& s) { reply(ErrorReply(s)); };
  if (Status members = CheckAcceptedMembers(r, RequestKind::kRead); !members.ok()) return fail(members);
  auto entries = TransactItemsOf(r);
  if (!entries) return fail(entries.status());
  auto actions = SplitActions(**entries, /*writes=*/false);
  if (!actions) return fail(actions.status());
  if (Status s = ResolveActions(*catalog_, *actions); !s.ok()) return fail(s);
  if (auto cancelled = SchemaCancellation(*actions)) return reply(std::move(*cancelled));
  struct Get {
    TablePtr table;
    ItemAddress address;
    std::optional<expr::Projection> projection;
  };
  std::vector<Get> gets;
  for (Action& a : *actions) gets.push_back(Get{a.table, std::move(*a.address), std::move(a.projection)});

  // One snapshot for every read: a transaction committed meanwhile is seen
  // entirely or not at all. Reads run on the read pool, never an I/O thread.
  auto read = [this, gets = std::move(gets), report = CapacityReportOf(r)]() -> ApiReply {
    std::unique_ptr<ItemCursor> cursor = items_->OpenCursor();
    json::array responses;
    std::map<std::string, ConsumedCapacity> capacity;
    for (const Get& g : gets) {
      ConsumedCapacity& used = capacity[g.table->name];
      used.table = g.table->name;
      used.show_read_write = true;
      cursor->Seek(g.address.storage_key);
      if (!cursor->Valid() || cursor->key() != g.address.storage_key) {
        if (Status s = cursor->status(); !s.ok()) return ErrorReply(s);
        used.table_units += ReadUnits(0, true, /*transactional=*/true);
        responses.push_back(json::object{});
        continue;
      }
      auto item = DecodeStoredItem(*g.table, g.address.storage_key, cursor->value());
      if (!item) return ErrorReply(item.status());
      used.table_units += ReadUnits(ItemSize(*item), true, /*transactional=*/true);
      json::object found = g.projection ? expr::Project(*item, g.projection->paths) : std::move(*item);
      // A projection that matches nothing leaves no Item (as AWS answers).
      responses.push_back(found.empty() ? json::object{} : json::object{{"Item", std::move(found)}});
    }
    json::object out{{"Responses", std::move(responses)}};
    if (report != CapacityReport::kNone) out["ConsumedCapacity"] = CapacityList(capacity, report);
    return ApiReply{200, json::serialize(out)};
  };
  if (!pools_.reads) return reply(read());
  pools_.reads->Post([read = std::move(read), reply = std::move(reply)] { reply(read()); });
}

}  // namespace streamer::dynamo
