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
    return ConstraintError("[...]", "transactItems", "Member must have length less than or equal to 100");
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

// The table an action names, with the action's field in the null message.
Result<TablePtr> ActionTable(const TableCatalog& catalog, const json::object& action, const std::string& field) {
  if (!Present(action, "TableName")) return MustNotBeNull(field + ".tableName");
  auto name = TableNameOf(action);
  if (!name) return name.status();
  TablePtr t = catalog.Find(*name);
  if (!t) return Status::Of(Code::kResourceNotFound, "Requested resource not found");
  return t;
}

// One action of a TransactWriteItems, validated.
struct WriteAction {
  AtomicWrite write;
  bool return_old_on_failure = false;
};

Result<WriteAction> ParseWriteAction(const TableCatalog& catalog, const json::object& entry, size_t index) {
  static constexpr std::pair<std::string_view, std::string_view> kKinds[] = {
      {"ConditionCheck", "conditionCheck"}, {"Put", "put"}, {"Delete", "delete"}, {"Update", "update"}};
  std::string_view kind, lower;
  int kinds = 0;
  for (const auto& [k, l] : kKinds) {
    if (Present(entry, k)) {
      kind = k;
      lower = l;
      ++kinds;
    }
  }
  if (kinds != 1) return Status::Validation("TransactItems can only contain one of Check, Put, Update or Delete");
  const json::value& action_v = entry.at(kind);
  if (!action_v.is_object()) {
    return Status::Of(Code::kSerialization, "Unexpected value type for member " + std::string(kind));
  }
  const json::object& action = action_v.as_object();
  const std::string field = "transactItems." + std::to_string(index + 1) + ".member." + std::string(lower);
  // The members AWS requires, before anything is looked up.
  if (kind == "Put" && !Present(action, "Item")) return MustNotBeNull(field + ".item");
  if (kind != "Put" && !Present(action, "Key")) return MustNotBeNull(field + ".key");
  if (kind == "ConditionCheck" && !Present(action, "ConditionExpression")) {
    return MustNotBeNull(field + ".conditionExpression");
  }
  if (kind == "Update" && !Present(action, "UpdateExpression")) return MustNotBeNull(field + ".updateExpression");
  if (auto on_fail = OptionalString(action, "ReturnValuesOnConditionCheckFailure"); !on_fail) {
    return on_fail.status();
  } else if (*on_fail && **on_fail != "ALL_OLD" && **on_fail != "NONE") {
    return ConstraintError(**on_fail, field + ".returnValuesOnConditionCheckFailure",
                           "Member must satisfy enum value set: [ALL_OLD, NONE]");
  }
  if (action.contains("ReturnValues")) {
    return Status::Of(Code::kSerialization, "Unexpected member ReturnValues in " + std::string(kind));
  }
  auto table = ActionTable(catalog, action, field);
  if (!table) return table.status();

  WriteAction out;
  out.write.table = *table;
  json::object key_or_item;
  std::shared_ptr<const expr::ParsedUpdate> update;
  if (kind == "Put") {
    auto item_v = OptionalObject(action, "Item");
    if (!item_v) return item_v.status();
    if (Status valid = ValidateItem(**item_v); !valid.ok()) return valid;
    key_or_item = CanonicalizeItem(**item_v);
    if (Status valid = ValidateItemForTable(**table, key_or_item); !valid.ok()) return valid;
  } else {
    auto key = KeyOf(**table, action);
    if (!key) return key.status();
    key_or_item = std::move(*key);
  }
  if (kind == "Update") {
    auto maps = ExpressionMaps(action);
    if (!maps) return maps.status();
    auto text = OptionalString(action, "UpdateExpression");
    if (!text) return text.status();
    auto parsed = expr::ParseUpdate(**text, *maps);
    if (!parsed) return parsed.status();
    if (Status keys = expr::CheckUpdateKeys(*parsed, (*table)->key_schema); !keys.ok()) return keys;
    update = std::make_shared<const expr::ParsedUpdate>(std::move(*parsed));
  }
  auto cond = ParseConditionRequest(action, {ReturnValues::kNone}, update ? update->used : expr::UsedPlaceholders{});
  if (!cond) return cond.status();
  auto address = AddressOf(**table, key_or_item);
  if (!address) return address.status();
  out.write.address = std::move(*address);
  out.return_old_on_failure = cond->return_old_on_failure;
  if (kind == "Put") {
    out.write.decide = DecidePut(cond->condition, MakeStoredItem(std::move(key_or_item)));
  } else if (kind == "Delete") {
    out.write.decide = DecideDelete(cond->condition);
  } else if (kind == "Update") {
    out.write.decide = DecideUpdate(cond->condition, update, *table, std::move(key_or_item));
  } else {
    // A check writes nothing: it only has to hold when the others commit.
    out.write.decide = Decide([condition = cond->condition](const json::object* current) -> Result<Mutation> {
      if (!expr::Evaluate(condition->root, current)) return ConditionFailed();
      return Mutation{};
    });
  }
  return out;
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
  if (Status members = CheckAcceptedMembers(r, RequestKind::kWrite); !members.ok()) return fail(members);
  auto token = OptionalString(r, "ClientRequestToken");
  if (!token) return fail(token.status());
  if (Status len = CheckLength(*token, "clientRequestToken", 1, 36); !len.ok()) return fail(len);
  auto entries = TransactItemsOf(r);
  if (!entries) return fail(entries.status());

  std::vector<AtomicWrite> writes;
  std::vector<bool> return_old;
  std::set<std::string> seen;  // storage keys include the table prefix
  const CapacityReport report = CapacityReportOf(r);
  for (size_t i = 0; i < (*entries)->size(); ++i) {
    auto action = ParseWriteAction(*catalog_, (**entries)[i].as_object(), i);
    if (!action) return fail(action.status());
    if (!seen.insert(action->write.address.storage_key).second) return fail(MultipleOperations());
    // Old items: for ALL_OLD on a failed condition, and to count capacity.
    action->write.wants_old_item = action->return_old_on_failure || report != CapacityReport::kNone;
    return_old.push_back(action->return_old_on_failure);
    writes.push_back(std::move(action->write));
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
      std::string codes;
      for (size_t i = 0; i < results.size(); ++i) {
        json::object reason = CancellationReason(results[i], return_old[i]);
        codes += (i ? ", " : "") + std::string(reason.at("Code").as_string());
        reasons.push_back(std::move(reason));
      }
      ApiReply err = ErrorReply(Status::Of(
          Code::kTransactionCanceled,
          "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]"));
      json::object body = json::parse(err.body).as_object();
      body["CancellationReasons"] = std::move(reasons);
      err.body = json::serialize(body);
      return reply(std::move(err));
    }
    // Committed: every action counts twice its write units (a transaction
    // prepares and commits each item), a check as a write of its item.
    std::map<std::string, ConsumedCapacity> capacity;
    for (size_t i = 0; i < results.size(); ++i) {
      const TablePtr& t = (*tables)[i];
      ConsumedCapacity& used = capacity[t->name];
      used.table = t->name;
      used.is_write = true;
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

Result<json::value> DynamoApi::TransactGetItems(const Request& r) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kRead); !members.ok()) return members;
  auto entries = TransactItemsOf(r);
  if (!entries) return entries.status();
  struct Get {
    TablePtr table;
    ItemAddress address;
    std::optional<expr::Projection> projection;
  };
  std::vector<Get> gets;
  std::set<std::string> seen;
  for (size_t i = 0; i < (*entries)->size(); ++i) {
    const json::object& entry = (**entries)[i].as_object();
    const std::string field = "transactItems." + std::to_string(i + 1) + ".member.get";
    if (!Present(entry, "Get")) return MustNotBeNull(field);
    auto get_v = OptionalObject(entry, "Get");
    if (!get_v) return get_v.status();
    const json::object& get = **get_v;
    if (!Present(get, "Key")) return MustNotBeNull(field + ".key");
    auto table = ActionTable(*catalog_, get, field);
    if (!table) return table.status();
    Get g;
    g.table = *table;
    auto key = KeyOf(**table, get);
    if (!key) return key.status();
    if (Status legacy = RejectLegacy(get); !legacy.ok()) return legacy;
    auto maps = ExpressionMaps(get);
    if (!maps) return maps.status();
    auto projection_text = OptionalString(get, "ProjectionExpression");
    if (!projection_text) return projection_text.status();
    if (*projection_text) {
      auto parsed = expr::ParseProjection(**projection_text, *maps);
      if (!parsed) return parsed.status();
      g.projection = std::move(*parsed);
    }
    Status unused = expr::CheckUnusedPlaceholders(*maps, g.projection ? g.projection->used : expr::UsedPlaceholders{});
    if (!unused.ok()) return unused;
    auto address = AddressOf(**table, *key);
    if (!address) return address.status();
    if (!seen.insert(address->storage_key).second) return MultipleOperations();
    g.address = std::move(*address);
    gets.push_back(std::move(g));
  }

  // One snapshot for every read: a transaction committed meanwhile is seen
  // entirely or not at all.
  std::unique_ptr<ItemCursor> cursor = items_->OpenCursor();
  json::array responses;
  std::map<std::string, ConsumedCapacity> capacity;
  for (const Get& g : gets) {
    ConsumedCapacity& used = capacity[g.table->name];
    used.table = g.table->name;
    cursor->Seek(g.address.storage_key);
    if (!cursor->Valid() || cursor->key() != g.address.storage_key) {
      if (Status s = cursor->status(); !s.ok()) return s;
      used.table_units += ReadUnits(0, true, /*transactional=*/true);
      responses.push_back(json::object{});
      continue;
    }
    auto item = DecodeStoredItem(*g.table, g.address.storage_key, cursor->value());
    if (!item) return item.status();
    used.table_units += ReadUnits(ItemSize(*item), true, /*transactional=*/true);
    if (g.projection) {
      responses.push_back(json::object{{"Item", expr::Project(*item, g.projection->paths)}});
    } else {
      responses.push_back(json::object{{"Item", std::move(*item)}});
    }
  }
  json::object out{{"Responses", std::move(responses)}};
  const CapacityReport report = CapacityReportOf(r);
  if (report != CapacityReport::kNone) out["ConsumedCapacity"] = CapacityList(capacity, report);
  return out;
}

}  // namespace streamer::dynamo
