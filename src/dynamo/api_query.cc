// DynamoApi: multi-item reads (Query, Scan). They read a RocksDB snapshot on
// the calling I/O thread and never queue behind writes.
#include <rocksdb/db.h>

#include "dynamo/api.h"
#include "dynamo/expr/condition.h"
#include "dynamo/expr/placeholders.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"

namespace streamer::dynamo {

namespace {

constexpr size_t kPageBytes = 1024 * 1024;  // DynamoDB stops a page at 1 MB read

struct ReadOptions {
  std::shared_ptr<const expr::ParsedCondition> filter;
  std::optional<int64_t> limit;
  bool count_only = false;
  std::optional<json::object> exclusive_start_key;
};

// The item's primary key, for LastEvaluatedKey.
json::object KeyOfItem(const TableInfo& t, const json::object& item) {
  json::object k;
  k[t.key_schema.partition.name] = item.at(t.key_schema.partition.name);
  if (t.key_schema.sort) k[t.key_schema.sort->name] = item.at(t.key_schema.sort->name);
  return k;
}

Result<ReadOptions> ParseReadOptions(const json::object& r, const TableInfo& t,
                                     expr::UsedPlaceholders* used, const expr::AttributeMaps& maps) {
  ReadOptions o;
  auto filter = OptionalString(r, "FilterExpression");
  if (!filter) return filter.status();
  if (*filter) {
    auto parsed = expr::ParseCondition(**filter, maps, "FilterExpression");
    if (!parsed) return parsed.status();
    used->Merge(parsed->used);
    o.filter = std::make_shared<const expr::ParsedCondition>(std::move(*parsed));
  }
  auto limit = OptionalInt(r, "Limit", 1, INT64_MAX);
  if (!limit) return limit.status();
  o.limit = *limit;
  auto select = OptionalString(r, "Select");
  if (!select) return select.status();
  if (*select) {
    if (**select == "COUNT") {
      o.count_only = true;
    } else if (**select != "ALL_ATTRIBUTES") {
      return ConstraintError(**select, "select",
                             "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
    }
  }
  auto esk = OptionalObject(r, "ExclusiveStartKey");
  if (!esk) return esk.status();
  if (*esk) {
    for (const auto& [name, v] : **esk) {
      Status s = ValidateAttributeValue(v);
      if (!s.ok()) return s;
    }
    const size_t expected = t.key_schema.sort ? 2 : 1;
    if ((*esk)->size() != expected) {
      return Status::Validation("The provided starting key is invalid: The provided key element does not match the schema");
    }
    o.exclusive_start_key = CanonicalizeItem(**esk);
  }
  return o;
}

Result<expr::AttributeMaps> MapsOf(const json::object& r) {
  auto names = OptionalObject(r, "ExpressionAttributeNames");
  if (!names) return names.status();
  auto values = OptionalObject(r, "ExpressionAttributeValues");
  if (!values) return values.status();
  expr::AttributeMaps maps{*names, *values};
  Status s = expr::ValidateAttributeMaps(maps);
  if (!s.ok()) return s;
  return maps;
}

// Walks [begin, end) of the table's items in order (or reverse) and builds
// the page: filter, limit (counted before the filter, as AWS does), 1 MB cap.
Result<json::value> ReadPage(const storage::Store& store, const TableInfo& t, const ReadOptions& o,
                             const std::string& begin, const std::string& end, bool forward) {
  const rocksdb::Snapshot* snap = store.db()->GetSnapshot();
  auto it = store.NewIterator(storage::Family::kItems, snap);
  std::string start_key;
  if (o.exclusive_start_key) {
    auto enc = EncodeItemKey(t.key_schema, *o.exclusive_start_key);
    if (!enc) {
      store.db()->ReleaseSnapshot(snap);
      return Status::Validation("The provided starting key is invalid: " + enc.status().message());
    }
    start_key = t.KeyPrefix() + *enc;
  }
  if (forward) {
    it->Seek(start_key.empty() || start_key < begin ? begin : start_key);
    if (!start_key.empty() && it->Valid() && it->key().ToString() == start_key) it->Next();
  } else {
    const std::string& upper = (!start_key.empty() && start_key < end) ? start_key : end;
    it->SeekForPrev(upper);
    if (it->Valid() && it->key().ToString() >= upper) it->Prev();
  }
  json::array items;
  int64_t scanned = 0, count = 0;
  size_t bytes = 0;
  std::optional<json::object> last;
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    rocksdb::Slice k = it->key();
    std::string_view key(k.data(), k.size());
    if (forward ? key >= end : key < begin) break;
    auto parsed = ParseJson(std::string_view(it->value().data(), it->value().size()));
    if (!parsed || !parsed->is_object()) continue;
    json::object& item = parsed->as_object();
    ++scanned;
    bytes += it->value().size();
    if (!o.filter || expr::Evaluate(o.filter->root, &item)) {
      ++count;
      if (!o.count_only) items.push_back(item);
    }
    const bool at_limit = o.limit && scanned >= *o.limit;
    if (at_limit || bytes >= kPageBytes) {
      last = KeyOfItem(t, item);
      // AWS returns LastEvaluatedKey when the limit stops the page, even if
      // nothing follows; only a 1 MB stop checks for more.
      break;
    }
  }
  store.db()->ReleaseSnapshot(snap);
  json::object out;
  if (!o.count_only) out["Items"] = std::move(items);
  out["Count"] = count;
  out["ScannedCount"] = scanned;
  if (last) out["LastEvaluatedKey"] = std::move(*last);
  return out;
}

}  // namespace

Result<json::value> DynamoApi::Scan(const Request& r) {
  auto table = RequireTable(r);
  if (!table) return table.status();
  auto maps = MapsOf(r);
  if (!maps) return maps.status();
  expr::UsedPlaceholders used;
  auto options = ParseReadOptions(r, **table, &used, *maps);
  if (!options) return options.status();
  Status unused = expr::CheckUnusedPlaceholders(*maps, used);
  if (!unused.ok()) return unused;
  const std::string begin = (*table)->KeyPrefix();
  return ReadPage(*store_, **table, *options, begin, storage::PrefixEnd(begin), true);
}

Result<json::value> DynamoApi::Query(const Request& r) {
  return Status::Validation("Query is not supported by this server yet");
}

}  // namespace streamer::dynamo
