// DynamoApi: single-item operations (PutItem, GetItem, DeleteItem, UpdateItem).
#include <functional>
#include <cmath>
#include <memory>
#include <vector>

#include "dynamo/api.h"
#include "dynamo/capacity.h"
#include "dynamo/decisions.h"
#include "dynamo/expr/condition.h"
#include "dynamo/expr/placeholders.h"
#include "dynamo/expr/projection.h"
#include "dynamo/expr/update.h"
#include "dynamo/indexes.h"
#include "dynamo/item_requests.h"
#include "dynamo/item_storage.h"
#include "dynamo/legacy_requests.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"
#include "dynamo/write_path.h"

namespace streamer::dynamo {

namespace {

// A single-item write costs 1 KB write units of the larger of the item before
// and after it (a missing item still costs one unit).
ConsumedCapacity WriteCapacity(const TableInfo& t, const WriteResult& w) {
  const size_t old_size = w.old_item ? ItemSize(*w.old_item) : 0;
  const size_t new_size = w.new_item ? w.new_item->size : 0;
  ConsumedCapacity c;
  c.table = t.name;
  c.is_write = true;
  c.table_units = WriteUnits(std::max(old_size, new_size));
  if (!t.indexes.empty() && w.status.ok()) {
    AddIndexWriteUnits(t, w.old_item ? &*w.old_item : nullptr, w.new_item ? &w.new_item->item : nullptr,
                       /*transactional=*/false, &c);
  }
  return c;
}

// `reply`, adding ConsumedCapacity for `w` to a successful answer when asked.
ReplyFn WithWriteCapacity(CapacityReport report, const TablePtr& t, const WriteResult& w, const ReplyFn& reply) {
  if (report == CapacityReport::kNone) return reply;
  return [c = WriteCapacity(*t, w), report, reply](ApiReply a) {
    if (a.status == 200) AppendConsumedCapacity(&a.body, c, report);
    reply(std::move(a));
  };
}

// ReturnItemCollectionMetrics SIZE on a table with local secondary indexes:
// the item collection (every item and LSI entry of the partition key value)
// measured now, as AWS's estimate in GB [lower, upper]. Tables without LSIs
// have no item collections, and AWS answers nothing.
ReplyFn WithItemCollectionMetrics(const json::object& r, const TablePtr& t, const ItemAddress& a,
                                  const ItemBackend* items, ReplyFn reply) {
  const json::value* asked = r.if_contains("ReturnItemCollectionMetrics");
  if (!asked || !asked->is_string() || asked->as_string() != "SIZE") return reply;
  std::vector<std::string> prefixes;
  for (const IndexInfo& index : t->indexes) {
    if (index.is_local()) prefixes.push_back(index.KeyPrefix() + a.partition);
  }
  if (prefixes.empty()) return reply;
  prefixes.push_back(t->KeyPrefix() + a.partition);
  json::object key{{t->key_schema.partition.name, a.key.at(t->key_schema.partition.name)}};
  return [items, t, prefixes = std::move(prefixes), key = std::move(key), reply = std::move(reply)](ApiReply out) {
    if (out.status != 200) return reply(std::move(out));
    int64_t count = 0, bytes = 0;
    for (const std::string& prefix : prefixes) {
      if (Status s = MeasureItems(*items, *t, prefix, &count, &bytes); !s.ok()) return reply(ErrorReply(s));
    }
    const double gb = std::floor(static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    json::object body = json::parse(out.body).as_object();
    body["ItemCollectionMetrics"] =
        json::object{{"ItemCollectionKey", key}, {"SizeEstimateRangeGB", json::array{gb, gb + 1.0}}};
    out.body = json::serialize(body);
    reply(std::move(out));
  };
}

}  // namespace

void DynamoApi::PutItem(const Request& r, ReplyFn reply) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kWrite); !members.ok()) return reply(ErrorReply(members));
  auto table = RequireTable(r);
  if (!table) return reply(ErrorReply(table.status()));
  if (Status mixed = CheckNotMixed(r, {"Expected", "ConditionalOperator"}, {"ConditionExpression"}); !mixed.ok()) {
    return reply(ErrorReply(mixed));
  }
  auto item_v = OptionalObject(r, "Item");
  if (!item_v) return reply(ErrorReply(item_v.status()));
  if (!*item_v) {
    return reply(ErrorReply(Status::Validation(
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null")));
  }
  if (Status maps = CheckMapsHaveExpressions(r, {"ConditionExpression"}); !maps.ok()) return reply(ErrorReply(maps));
  Status valid = ValidateItem(**item_v);
  if (!valid.ok()) return reply(ErrorReply(valid));
  // A ReturnValues of the enum that PutItem does not take is refused before
  // the item's size is checked, as AWS does.
  if (auto rv = OptionalString(r, "ReturnValues"); rv && *rv && ParseReturnValues(**rv) &&
                                                  **rv != "NONE" && **rv != "ALL_OLD") {
    return reply(ErrorReply(Status::Validation("ReturnValues can only be ALL_OLD or NONE")));
  }
  json::object item = CanonicalizeItem(**item_v);
  valid = ValidateItemForTable(**table, item);
  if (!valid.ok()) return reply(ErrorReply(valid));
  auto cond = ParseConditionRequest(r, {ReturnValues::kNone, ReturnValues::kAllOld});
  if (!cond) return reply(ErrorReply(cond.status()));
  auto address = AddressOf(**table, item);
  if (!address) return reply(ErrorReply(address.status()));

  // Sized and encoded here, on the I/O thread: the serial writer only stores the bytes.
  Decide decide = DecidePut(cond->condition, MakeStoredItem(std::move(item)));
  const CapacityReport capacity = CapacityReportOf(r);
  // The old item's size prices the write when capacity is reported.
  const bool wants_old = cond->return_values == ReturnValues::kAllOld || cond->return_old_on_failure ||
                         capacity != CapacityReport::kNone;
  reply = WithItemCollectionMetrics(r, *table, *address, items_, std::move(reply));
  items_->Write(*table, std::move(*address), std::move(decide),
              [c = std::move(*cond), t = *table, capacity, reply = std::move(reply)](WriteResult w) {
                AnswerWrite(w, c, WithWriteCapacity(capacity, t, w, reply));
              },
              wants_old);
}

void DynamoApi::DeleteItem(const Request& r, ReplyFn reply) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kWrite); !members.ok()) return reply(ErrorReply(members));
  auto table = RequireTable(r);
  if (!table) return reply(ErrorReply(table.status()));
  if (Status mixed = CheckNotMixed(r, {"Expected", "ConditionalOperator"}, {"ConditionExpression"}); !mixed.ok()) {
    return reply(ErrorReply(mixed));
  }
  auto key = KeyOf(**table, r);
  if (!key) return reply(ErrorReply(key.status()));
  if (Status maps = CheckMapsHaveExpressions(r, {"ConditionExpression"}); !maps.ok()) return reply(ErrorReply(maps));
  auto cond = ParseConditionRequest(r, {ReturnValues::kNone, ReturnValues::kAllOld});
  if (!cond) return reply(ErrorReply(cond.status()));
  auto address = AddressOf(**table, *key);
  if (!address) return reply(ErrorReply(address.status()));
  Decide decide = DecideDelete(cond->condition);
  const CapacityReport capacity = CapacityReportOf(r);
  const bool wants_old = cond->return_values == ReturnValues::kAllOld || cond->return_old_on_failure ||
                         capacity != CapacityReport::kNone;
  reply = WithItemCollectionMetrics(r, *table, *address, items_, std::move(reply));
  items_->Write(*table, std::move(*address), std::move(decide),
              [c = std::move(*cond), t = *table, capacity, reply = std::move(reply)](WriteResult w) {
                w.new_item.reset();
                AnswerWrite(w, c, WithWriteCapacity(capacity, t, w, reply));
              },
              wants_old);
}

void DynamoApi::UpdateItem(const Request& r, ReplyFn reply) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kWrite); !members.ok()) return reply(ErrorReply(members));
  auto table = RequireTable(r);
  if (!table) return reply(ErrorReply(table.status()));
  if (Status mixed = CheckNotMixed(r, {"AttributeUpdates", "Expected", "ConditionalOperator"},
                                   {"UpdateExpression", "ConditionExpression"});
      !mixed.ok()) {
    return reply(ErrorReply(mixed));
  }
  auto key = KeyOf(**table, r);
  if (!key) return reply(ErrorReply(key.status()));
  if (Status m = CheckMapsHaveExpressions(r, {"UpdateExpression", "ConditionExpression"}); !m.ok()) {
    return reply(ErrorReply(m));
  }
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
    std::vector<const expr::Path*> paths;
    std::function<void(const expr::UpdateValue&)> operand_paths = [&](const expr::UpdateValue& v) {
      if (v.kind == expr::UpdateValue::Kind::kPath) paths.push_back(&v.path);
      for (const auto& a : v.args) operand_paths(a);
    };
    for (const auto& a : parsed->actions) {
      paths.push_back(&a.path);
      operand_paths(a.value);
    }
    Status scalar = CheckKeyPathsScalar((*table)->key_schema, paths);
    if (!scalar.ok()) return reply(ErrorReply(scalar));
    update = std::make_shared<const expr::ParsedUpdate>(std::move(*parsed));
  } else {
    auto legacy = LegacyUpdate(r);  // AttributeUpdates
    if (!legacy) return reply(ErrorReply(legacy.status()));
    if (*legacy) {
      Status keys = expr::CheckUpdateKeys(**legacy, (*table)->key_schema);
      if (!keys.ok()) return reply(ErrorReply(keys));
    }
    update = std::move(*legacy);
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
  const CapacityReport capacity = CapacityReportOf(r);
  reply = WithItemCollectionMetrics(r, t, *address, items_, std::move(reply));
  items_->Write(t, std::move(*address), std::move(decide),
              [c = std::move(*cond), touched, t, capacity, reply_to = std::move(reply)](WriteResult w) {
                const ReplyFn reply = WithWriteCapacity(capacity, t, w, reply_to);
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
  if (Status mixed = CheckNotMixed(r, {"AttributesToGet"}, {"ProjectionExpression"}); !mixed.ok()) return mixed;
  if (Status m = CheckMapsHaveExpressions(r, {}, {"ProjectionExpression"}); !m.ok()) return m;
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
  auto to_get = LegacyProjection(r);  // AttributesToGet
  if (!to_get) return to_get.status();
  if (*to_get) projection = expr::Projection{std::move(**to_get), {}};
  Status unused = expr::CheckUnusedPlaceholders(*maps, projection ? projection->used : expr::UsedPlaceholders{});
  if (!unused.ok()) return unused;
  if (projection) {
    std::vector<const expr::Path*> paths;
    for (const auto& p : projection->paths) paths.push_back(&p);
    Status scalar = CheckKeyPathsScalar((*table)->key_schema, paths);
    if (!scalar.ok()) return scalar;
  }
  auto consistent = OptionalBool(r, "ConsistentRead");
  if (!consistent) return consistent.status();
  auto address = AddressOf(**table, *key);
  if (!address) return address.status();
  const CapacityReport capacity = CapacityReportOf(r);
  // A read costs 4 KB units of the whole item (a projection does not make it
  // cheaper), half when eventually consistent; a missing item still costs
  // the minimum.
  ConsumedCapacity units;
  units.table = (*table)->name;
  units.table_units = ReadUnits(0, consistent->value_or(false));
  std::string bytes;
  Status s = items_->Get(*address, &bytes);
  if (!s.ok()) {
    if (!s.Is(Code::kNotFound)) return s;
    std::string body = "{}";
    AppendConsumedCapacity(&body, units, capacity);
    return body;
  }
  std::optional<json::object> item;
  if (projection || capacity != CapacityReport::kNone) {
    auto decoded = DecodeStoredItem(**table, address->storage_key, bytes);
    if (!decoded) return decoded.status();
    item = std::move(*decoded);
    units.table_units = ReadUnits(ItemSize(*item), consistent->value_or(false));
  }
  std::string body;
  if (projection) {
    body = json::serialize(json::object{{"Item", expr::Project(*item, projection->paths)}});
  } else {
    body = "{\"Item\":";
    body.reserve(bytes.size() * 2 + 16);
    Status written = AppendStoredItemJson(**table, address->storage_key, bytes, &body);
    if (!written.ok()) return written;
    body.push_back('}');
  }
  AppendConsumedCapacity(&body, units, capacity);
  return body;
}

}  // namespace streamer::dynamo
