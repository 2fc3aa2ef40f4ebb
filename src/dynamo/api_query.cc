// DynamoApi: multi-item reads (Query, Scan). They read a RocksDB snapshot on
// the calling I/O thread and never queue behind writes.

#include <functional>

#include "core/hash.h"
#include "dynamo/api.h"
#include "dynamo/capacity.h"
#include "dynamo/expr/condition.h"
#include "dynamo/expr/key_condition.h"
#include "dynamo/expr/placeholders.h"
#include "dynamo/expr/projection.h"
#include "dynamo/index_requests.h"
#include "dynamo/indexes.h"
#include "dynamo/item_requests.h"
#include "dynamo/item_storage.h"
#include "dynamo/legacy_requests.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"

namespace streamer::dynamo {

namespace {

constexpr size_t kPageBytes = 1024 * 1024;  // DynamoDB stops a page at 1 MB read

struct ReadOptions {
  const IndexInfo* index = nullptr;  // IndexName: read the index's entries
  bool fetch_from_table = false;     // an LSI read that needs attributes it does not project
  std::shared_ptr<const expr::ParsedCondition> filter;
  std::optional<int64_t> limit;
  bool count_only = false;
  std::optional<json::object> exclusive_start_key;
  std::optional<std::vector<expr::Path>> projection;
  // Parallel Scan: only items whose partition hashes to `segment` of `total`.
  int64_t segment = 0, total_segments = 1;
  bool consistent = false;
  CapacityReport capacity = CapacityReport::kNone;
  // Query says only "The provided starting key is invalid" for a start key
  // that does not fit the schema; Scan adds why.
  bool plain_start_key_errors = false;
};

constexpr char kStartKeyInvalid[] = "The provided starting key is invalid";

// Which parallel-scan segment an item belongs to: a stable hash (FNV-1a) of
// its partition key value, so every item of a partition lands in one segment.
int64_t SegmentOf(const TableInfo& t, const json::object& item, int64_t total_segments) {
  const std::string bytes = json::serialize(item.at(t.key_schema.partition.name));
  return static_cast<int64_t>(Fnv1a(bytes) % static_cast<uint64_t>(total_segments));
}

// Scan's Segment / TotalSegments, with AWS's checks.
Status ParseSegments(const json::object& r, ReadOptions* o) {
  auto total = OptionalInt(r, "TotalSegments", 1, 1000000);
  if (!total) return total.status();
  auto segment = OptionalInt(r, "Segment", 0, 999999);
  if (!segment) return segment.status();
  if (*segment && !*total) {
    return Status::Validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
  }
  if (*total && !*segment) {
    return Status::Validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
  }
  if (*total) {
    if (**segment >= **total) {
      return Status::Validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " +
                                std::to_string(**segment) + " is not less than TotalSegments: " + std::to_string(**total));
    }
    o->segment = **segment;
    o->total_segments = **total;
  }
  return Status::Ok();
}

// The item's primary key, for LastEvaluatedKey.
json::object KeyOfItem(const TableInfo& t, const json::object& item) {
  json::object k;
  k[t.key_schema.partition.name] = item.at(t.key_schema.partition.name);
  if (t.key_schema.sort) k[t.key_schema.sort->name] = item.at(t.key_schema.sort->name);
  return k;
}

// An ExclusiveStartKey value AWS refuses: its message says the starting key
// is invalid, except for the number and set errors, which AWS answers as it
// does anywhere else.
Status StartKeyError(const Status& s) {
  if (!s.Is(Code::kValidation)) return s;  // a SerializationException stays one
  const std::string& m = s.message();
  for (const char* plain : {"contains duplicates", "number set", "numeric value", "significant digits",
                            "number with magnitude"}) {
    if (m.find(plain) != std::string::npos) return s;
  }
  return Status::Validation("The provided starting key is invalid: " + m);
}

// IndexName: the index, or AWS's error for a name the table lacks.
Result<const IndexInfo*> IndexOf(const json::object& r, const TableInfo& t) {
  auto name = OptionalString(r, "IndexName");
  if (!name) return name.status();
  if (!*name) return static_cast<const IndexInfo*>(nullptr);
  const std::string& n = **name;
  if (Status s = CheckIndexName(n, "indexName"); !s.ok()) return s;
  const IndexInfo* index = t.FindIndex(n);
  // An index being created cannot be read until it is ACTIVE; one being
  // deleted is gone for readers.
  if (!index || index->status == IndexStatus::kDeleting) {
    return Status::Validation("The table does not have the specified index: " + n);
  }
  if (index->status == IndexStatus::kCreating) {
    return Status::Validation("Cannot read from backfilling global secondary index: " + n);
  }
  return index;
}

// Whether a path list or a filter reaches past what the index projects.
bool NeedsUnprojected(const std::vector<expr::Path>& paths, const ProjectedNames& p) {
  for (const auto& path : paths) {
    if (!path.empty() && !path[0].is_index && !p.names.count(path[0].name)) return true;
  }
  return false;
}
bool NeedsUnprojected(const expr::Condition& c, const ProjectedNames& p) {
  for (const auto& o : c.operands) {
    if ((o.kind == expr::Operand::Kind::kPath || o.kind == expr::Operand::Kind::kSize) && !o.path.empty() &&
        !o.path[0].is_index && !p.names.count(o.path[0].name)) {
      return true;
    }
  }
  for (const auto& child : c.children) {
    if (NeedsUnprojected(child, p)) return true;
  }
  return false;
}

// `legacy_filter`: the action's legacy filter member (QueryFilter, ScanFilter).
Result<ReadOptions> ParseReadOptions(const json::object& r, const TableInfo& t, const IndexInfo* index,
                                     expr::UsedPlaceholders* used, const expr::AttributeMaps& maps,
                                     std::string_view legacy_filter) {
  ReadOptions o;
  o.index = index;
  o.plain_start_key_errors = legacy_filter == "QueryFilter";
  if (index && index->is_global()) {
    auto consistent = OptionalBool(r, "ConsistentRead");
    if (!consistent) return consistent.status();
    if (consistent->value_or(false)) {
      return Status::Validation("Consistent reads are not supported on global secondary indexes");
    }
  }
  auto filter = OptionalString(r, "FilterExpression");
  if (!filter) return filter.status();
  if (*filter) {
    auto parsed = expr::ParseCondition(**filter, maps, "FilterExpression");
    if (!parsed) return parsed.status();
    used->Merge(parsed->used);
    o.filter = std::make_shared<const expr::ParsedCondition>(std::move(*parsed));
  }
  auto legacy = LegacyFilter(r, legacy_filter);  // with ConditionalOperator
  if (!legacy) return legacy.status();
  if (*legacy) o.filter = std::move(*legacy);
  auto projection = OptionalString(r, "ProjectionExpression");
  if (!projection) return projection.status();
  if (*projection) {
    auto parsed = expr::ParseProjection(**projection, maps);
    if (!parsed) return parsed.status();
    used->Merge(parsed->used);
    o.projection = std::move(parsed->paths);
  }
  auto to_get = LegacyProjection(r);  // AttributesToGet
  if (!to_get) return to_get.status();
  if (*to_get) o.projection = std::move(**to_get);
  // Select's messages name the member the projection came from.
  const std::string projected_by = *projection ? "ProjectionExpression" : "AttributesToGet";
  auto limit = OptionalInt(r, "Limit", 1, INT64_MAX);
  if (!limit) return limit.status();
  o.limit = *limit;
  auto select = OptionalString(r, "Select");
  if (!select) return select.status();
  if (*select) {
    const bool projected = o.projection.has_value();
    if (**select == "COUNT") {
      if (projected) return Status::Validation("Cannot specify the " + projected_by + " when choosing to get only the Count");
      o.count_only = true;
    } else if (**select == "SPECIFIC_ATTRIBUTES") {
      if (!projected) {
        return Status::Validation("1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy constraint: Select type SPECIFIC_ATTRIBUTES requires ProjectionExpression or AttributesToGet");
      }
    } else if (**select == "ALL_ATTRIBUTES" || **select == "ALL_PROJECTED_ATTRIBUTES") {
      if (projected) {
        return Status::Validation("Cannot specify the " + projected_by + " when choosing to get " + **select);
      }
      if (**select == "ALL_PROJECTED_ATTRIBUTES" && !index) {
        return Status::Validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
      }
      if (**select == "ALL_ATTRIBUTES" && index && index->projection != ProjectionType::kAll) {
        // An LSI reads the rest from the table; a GSI cannot.
        if (index->is_global()) {
          return Status::Validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index " +
                                    index->name + " because its projection type is not ALL");
        }
        o.fetch_from_table = true;
      }
    } else {
      return ConstraintError(**select, "select",
                             "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
    }
  }
  auto consistent = OptionalBool(r, "ConsistentRead");
  if (!consistent) return consistent.status();
  o.consistent = consistent->value_or(false);
  o.capacity = CapacityReportOf(r);
  auto esk = OptionalObject(r, "ExclusiveStartKey");
  if (!esk) return esk.status();
  if (*esk) {
    for (const auto& [name, v] : **esk) {
      Status s = ValidateAttributeValue(v);
      if (!s.ok()) return StartKeyError(s);
    }
    const size_t expected = t.key_schema.sort ? 2 : 1;
    if (!index && (*esk)->size() != expected) {
      if (o.plain_start_key_errors) return Status::Validation(kStartKeyInvalid);
      return Status::Validation("The provided starting key is invalid: The provided key element does not match the schema");
    }
    o.exclusive_start_key = CanonicalizeItem(**esk);
    Status sizes = CheckKeySizes(t.key_schema, *o.exclusive_start_key);
    if (!sizes.ok()) return sizes;
  }
  if (index && index->is_local() && index->projection != ProjectionType::kAll) {
    const ProjectedNames projected = ProjectedNamesOf(t, *index);
    if ((o.projection && NeedsUnprojected(*o.projection, projected)) ||
        (o.filter && NeedsUnprojected(o.filter->root, projected))) {
      o.fetch_from_table = true;
    }
  }
  return o;
}

// ConsumedCapacity of a Query/Scan page: 4 KB units of the summed sizes of
// the items read (rounded once, not per item), half when eventually
// consistent, at least the minimum when nothing was read. A read of an index
// is charged to the index.
void AddReadCapacity(std::string* body, const TableInfo& t, const ReadOptions& o, size_t bytes) {
  if (o.capacity == CapacityReport::kNone) return;
  ConsumedCapacity c;
  c.table = t.name;
  const double units = ReadUnits(bytes, o.consistent);
  if (!o.index) {
    c.table_units = units;
  } else if (o.index->is_global()) {
    c.global_indexes[o.index->name] = units;
  } else {
    c.local_indexes[o.index->name] = units;
  }
  AppendConsumedCapacity(body, c, o.capacity);
}

// A page's body starts "{" (Select COUNT) or "{"Items":[" followed by the
// items; this closes it with the counts, the key to resume from and the
// capacity, in the order AWS writes them.
std::string FinishPage(std::string body, const TableInfo& t, const ReadOptions& o, int64_t count,
                       int64_t scanned, const std::optional<json::object>& last, size_t bytes) {
  if (!o.count_only) body += "],";
  body += "\"Count\":";
  body += std::to_string(count);
  body += ",\"ScannedCount\":";
  body += std::to_string(scanned);
  if (last) {
    body += ",\"LastEvaluatedKey\":";
    body += json::serialize(*last);
  }
  body.push_back('}');
  AddReadCapacity(&body, t, o, bytes);
  return body;
}

std::string StartPage(const ReadOptions& o) { return o.count_only ? "{" : "{\"Items\":["; }

// Walks [begin, end) of the table's items in order (or reverse) and writes
// the page: filter, limit (counted before the filter, as AWS does), 1 MB cap.
Result<std::string> ReadPage(const ItemBackend& backend, const TableInfo& t, const ReadOptions& o,
                             const std::string& begin, const std::string& end, bool forward) {
  auto it = backend.OpenCursor();
  std::string start_key;
  if (o.exclusive_start_key && o.index) {
    auto enc = IndexStartKey(t, *o.index, *o.exclusive_start_key);
    if (!enc) return enc.status();
    start_key = std::move(*enc);
  } else if (o.exclusive_start_key) {
    auto enc = EncodeItemKey(t.key_schema, *o.exclusive_start_key);
    if (!enc) {
      if (o.plain_start_key_errors) return Status::Validation(kStartKeyInvalid);
      return Status::Validation("The provided starting key is invalid: " + enc.status().message());
    }
    start_key = t.KeyPrefix() + *enc;
  }
  if (forward) {
    it->Seek(start_key.empty() || start_key < begin ? begin : start_key);
    if (!start_key.empty() && it->Valid() && it->key() == start_key) it->Next();
  } else {
    const std::string& upper = (!start_key.empty() && start_key < end) ? start_key : end;
    it->SeekForPrev(upper);
    if (it->Valid() && it->key() >= upper) it->Prev();
  }
  // Nothing needs the item as an object (no filter, projection, segment or
  // table fetch): each item's JSON and size come straight from its stored
  // bytes, and only the last one read is decoded, for LastEvaluatedKey.
  const bool direct = !o.filter && !o.projection && !o.count_only && o.total_segments == 1 && !o.fetch_from_table;
  std::string body = StartPage(o);
  int64_t scanned = 0, count = 0;
  size_t bytes = 0;
  std::optional<json::object> last;
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    std::string_view key = it->key();
    if (forward ? key >= end : key < begin) break;
    if (direct) {
      if (count) body.push_back(',');
      size_t size = 0;
      Status s = AppendStoredItemJson(t, key, it->value(), &body, &size);
      if (!s.ok()) return s;  // never skipped: the client learns the table has a corrupt row
      ++scanned;
      ++count;
      bytes += size;
      if ((o.limit && scanned >= *o.limit) || bytes >= kPageBytes) {
        auto item = DecodeStoredItem(t, key, it->value());
        if (!item) return item.status();
        last = o.index ? EntryKeyOf(t, *o.index, *item) : KeyOfItem(t, *item);
        break;
      }
      continue;
    }
    auto decoded = DecodeStoredItem(t, key, it->value());
    if (!decoded) return decoded.status();  // never skipped: the client learns the table has a corrupt row
    json::object& item = *decoded;  // an index entry: the projected item
    if (o.total_segments > 1 && SegmentOf(t, item, o.total_segments) != o.segment) continue;
    std::optional<json::object> entry_key;
    if (o.index) entry_key = EntryKeyOf(t, *o.index, item);
    if (o.fetch_from_table) {
      // An LSI shares its partition with the table: read the rest of the item.
      auto address = AddressOf(t, item);
      if (!address) return address.status();
      std::string stored;
      Status got = backend.Get(*address, &stored);
      if (got.Is(Code::kNotFound)) continue;  // deleted since the entry was read
      if (!got.ok()) return got;
      auto full = DecodeStoredItem(t, address->storage_key, stored);
      if (!full) return full.status();
      item = std::move(*full);
    }
    ++scanned;
    // Items are sized as AWS sizes them: the 1 MB page and the read units
    // count every item read, before the filter.
    bytes += ItemSize(item);
    if (!o.filter || expr::Evaluate(o.filter->root, &item)) {
      if (!o.count_only) {
        if (count) body.push_back(',');
        body += o.projection ? json::serialize(expr::Project(item, *o.projection)) : json::serialize(item);
      }
      ++count;
    }
    const bool at_limit = o.limit && scanned >= *o.limit;
    if (at_limit || bytes >= kPageBytes) {
      last = entry_key ? std::move(*entry_key) : KeyOfItem(t, item);
      // AWS returns LastEvaluatedKey when the limit stops the page, even if
      // nothing follows; only a 1 MB stop checks for more.
      break;
    }
  }
  return FinishPage(std::move(body), t, o, count, scanned, last, bytes);
}

// Projection and filter paths may not look inside a key attribute.
Status CheckReadPathsScalar(const TableInfo& t, const ReadOptions& o) {
  std::vector<const expr::Path*> paths;
  if (o.projection) {
    for (const auto& p : *o.projection) paths.push_back(&p);
    if (Status s = CheckKeyPathsScalar(t.key_schema, paths); !s.ok()) return s;
    paths.clear();
  }
  if (o.filter) {
    std::function<void(const expr::Condition&)> collect = [&](const expr::Condition& c) {
      for (const auto& op : c.operands) {
        if (op.kind != expr::Operand::Kind::kValue) paths.push_back(&op.path);
      }
      for (const auto& child : c.children) collect(child);
    };
    collect(o.filter->root);
  }
  return CheckKeyPathsScalar(t.key_schema, paths);
}

// Query's ExclusiveStartKey (of a table query) must lie inside the key
// condition, with AWS's messages: a sort key outside the sort condition
// first, then a partition key other than the condition's. `partition` is the
// condition's encoded partition key, [begin, end) its byte range.
Status CheckStartKeyInQuery(const TableInfo& t, const json::object& start, const std::string& partition,
                            const std::string& begin, const std::string& end, bool has_sort_condition) {
  // Not the table's key attributes and types.
  if (!EncodeItemKey(t.key_schema, start).ok()) return Status::Validation(kStartKeyInvalid);
  auto start_partition = EncodeKeyValue(start.at(t.key_schema.partition.name), t.key_schema.partition.type);
  if (!start_partition) return Status::Validation(kStartKeyInvalid);
  if (has_sort_condition) {
    auto sort = EncodeKeyValue(start.at(t.key_schema.sort->name), t.key_schema.sort->type);
    if (!sort) return Status::Validation(kStartKeyInvalid);
    // Where the start key's sort value would sit in the condition's partition.
    const std::string at = t.KeyPrefix() + partition + *sort;
    if (at < begin || at >= end) {
      return Status::Validation("The provided starting key does not match the range key predicate");
    }
  }
  if (*start_partition != partition) {
    return Status::Validation(has_sort_condition
                                  ? "The query can return at most one row and cannot be restarted"
                                  : "The provided starting key is outside query boundaries based on provided conditions");
  }
  return Status::Ok();
}

// Query may not filter on the key attributes of what it reads (the key
// condition does that): the first key attribute a filter path starts with,
// or nullptr.
const KeyAttribute* KeyAttributeInFilter(const expr::Condition& c, const std::vector<KeyAttribute>& keys) {
  for (const auto& o : c.operands) {
    if ((o.kind == expr::Operand::Kind::kPath || o.kind == expr::Operand::Kind::kSize) && !o.path.empty() &&
        !o.path[0].is_index) {
      for (const auto& k : keys) {
        if (o.path[0].name == k.name) return &k;
      }
    }
  }
  for (const auto& child : c.children) {
    if (const KeyAttribute* key = KeyAttributeInFilter(child, keys)) return key;
  }
  return nullptr;
}

// [*begin, *end): the keys under `prefix` whose next encoded value (of `type`)
// satisfies `c` (every key encoding is self-delimiting, so PrefixEnd(x) is
// just past every key that starts with x).
Status SortRange(const std::string& prefix, const expr::SortKeyCondition& c, const std::string& type,
                 std::string* begin, std::string* end) {
  auto enc = EncodeKeyValue(c.value, type);
  if (!enc) return enc.status();
  const std::string at = prefix + *enc;
  switch (c.op) {
    case expr::SortKeyCondition::Op::kEq: *begin = at; *end = storage::PrefixEnd(at); break;
    case expr::SortKeyCondition::Op::kLt: *end = at; break;
    case expr::SortKeyCondition::Op::kLe: *end = storage::PrefixEnd(at); break;
    case expr::SortKeyCondition::Op::kGt: *begin = storage::PrefixEnd(at); break;
    case expr::SortKeyCondition::Op::kGe: *begin = at; break;
    case expr::SortKeyCondition::Op::kBetween: {
      auto hi = EncodeKeyValue(c.value2, type);
      if (!hi) return hi.status();
      *begin = at;
      *end = storage::PrefixEnd(prefix + *hi);
      break;
    }
    case expr::SortKeyCondition::Op::kBeginsWith:
      // S and B encodings end with a 2-byte terminator; without it the
      // encoding is a prefix of every value that starts with the operand.
      *begin = at.substr(0, at.size() - 2);
      *end = storage::PrefixEnd(*begin);
      break;
  }
  return Status::Ok();
}

// Key values in a key condition obey the rules of key attributes.
Status CheckKeyOperand(const json::value& v, const std::string& key_name) {
  return CheckKeyValueNotEmpty(v, key_name);
}

}  // namespace

Result<std::string> DynamoApi::Scan(const Request& r) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kRead); !members.ok()) return members;
  auto table = RequireTable(r);
  if (!table) return table.status();
  if (Status mixed = CheckNotMixed(r, {"AttributesToGet", "ScanFilter", "ConditionalOperator"},
                                   {"ProjectionExpression", "FilterExpression"});
      !mixed.ok()) {
    return mixed;
  }
  if (Status m = CheckMapsHaveExpressions(r, {"FilterExpression"}, {"ProjectionExpression"}); !m.ok()) return m;
  auto index = IndexOf(r, **table);
  if (!index) return index.status();
  auto maps = ExpressionMaps(r);
  if (!maps) return maps.status();
  expr::UsedPlaceholders used;
  auto options = ParseReadOptions(r, **table, *index, &used, *maps, "ScanFilter");
  if (!options) return options.status();
  Status segments = ParseSegments(r, &*options);
  if (!segments.ok()) return segments;
  if (!*index && options->exclusive_start_key && options->total_segments > 1 &&
      EncodeItemKey((*table)->key_schema, *options->exclusive_start_key).ok() &&
      SegmentOf(**table, *options->exclusive_start_key, options->total_segments) != options->segment) {
    // A start key from another segment would skip or repeat items.
    return Status::Validation(
        "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct "
        "Segment. TotalSegments: " + std::to_string(options->total_segments) +
        " Segment: " + std::to_string(options->segment));
  }
  Status unused = expr::CheckUnusedPlaceholders(*maps, used);
  if (!unused.ok()) return unused;
  if (Status scalar = CheckReadPathsScalar(**table, *options); !scalar.ok()) return scalar;
  const std::string begin = *index ? (*index)->KeyPrefix() : (*table)->KeyPrefix();
  return ReadPage(*items_, **table, *options, begin, storage::PrefixEnd(begin), true);
}

Result<std::string> DynamoApi::Query(const Request& r) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kRead); !members.ok()) return members;
  auto table = RequireTable(r);
  if (!table) return table.status();
  const TableInfo& t = **table;
  // KeyConditions counts as mixed only next to KeyConditionExpression.
  const bool both_key_conditions = r.contains("KeyConditionExpression") && !r.at("KeyConditionExpression").is_null();
  Status mixed = both_key_conditions
                     ? CheckNotMixed(r, {"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"},
                                     {"ProjectionExpression", "FilterExpression", "KeyConditionExpression"})
                     : CheckNotMixed(r, {"AttributesToGet", "QueryFilter", "ConditionalOperator"},
                                     {"ProjectionExpression", "FilterExpression", "KeyConditionExpression"});
  if (!mixed.ok()) return mixed;
  if (Status m = CheckMapsHaveExpressions(r, {"FilterExpression", "KeyConditionExpression"}, {"ProjectionExpression"});
      !m.ok()) {
    return m;
  }
  auto index_or = IndexOf(r, t);
  if (!index_or) return index_or.status();
  const IndexInfo* index = *index_or;
  // The key attributes of what is read: the table's, or the index's (maybe
  // several per part: multi-attribute GSI keys).
  std::vector<KeyAttribute> partition_keys{t.key_schema.partition}, sort_keys;
  if (t.key_schema.sort) sort_keys.push_back(*t.key_schema.sort);
  if (index) {
    partition_keys = index->partition;
    sort_keys = index->sort;
  }
  const bool single_attribute_keys = partition_keys.size() == 1 && sort_keys.size() <= 1;
  KeySchema read_schema{partition_keys[0], std::nullopt};
  if (!sort_keys.empty()) read_schema.sort = sort_keys[0];
  auto maps = ExpressionMaps(r);
  if (!maps) return maps.status();
  // A start key with the wrong number of attributes is refused before the key
  // condition is looked at (AWS's order).
  if (auto esk = OptionalObject(r, "ExclusiveStartKey");
      !index && esk && *esk && (*esk)->size() != (t.key_schema.sort ? 2u : 1u)) {
    return Status::Validation(kStartKeyInvalid);
  }
  auto text = OptionalString(r, "KeyConditionExpression");
  if (!text) return text.status();
  auto legacy_kc = LegacyKeyConditions(r, read_schema);
  if (!*text && !legacy_kc.ok()) return legacy_kc.status();
  if (!*text && !*legacy_kc) {
    // AWS checks ConditionalOperator before it misses the key condition.
    if (auto filter = LegacyFilter(r, "QueryFilter"); !filter) return filter.status();
    return Status::Validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  }
  expr::MultiKeyCondition kc;
  if (!*text) {  // the legacy KeyConditions, on single-attribute keys only
    if (!single_attribute_keys) {
      return Status::Validation("KeyConditions cannot be used with an index whose keys have several attributes");
    }
    kc.partition_values.push_back(std::move((*legacy_kc)->partition_value));
    kc.last = std::move((*legacy_kc)->sort);
    kc.used = std::move((*legacy_kc)->used);
  } else if (single_attribute_keys) {
    auto single = expr::ParseKeyCondition(**text, *maps, read_schema);
    if (!single) return single.status();
    kc.partition_values.push_back(std::move(single->partition_value));
    kc.last = std::move(single->sort);
    kc.used = std::move(single->used);
  } else {
    auto multi = expr::ParseMultiKeyCondition(**text, *maps, partition_keys, sort_keys);
    if (!multi) return multi.status();
    kc = std::move(*multi);
  }
  expr::UsedPlaceholders used = kc.used;
  auto options = ParseReadOptions(r, t, index, &used, *maps, "QueryFilter");
  if (!options) return options.status();
  Status unused = expr::CheckUnusedPlaceholders(*maps, used);
  if (!unused.ok()) return unused;
  if (options->filter) {
    std::vector<KeyAttribute> keys = partition_keys;
    keys.insert(keys.end(), sort_keys.begin(), sort_keys.end());
    if (const KeyAttribute* key = KeyAttributeInFilter(options->filter->root, keys)) {
      const bool legacy = r.contains("QueryFilter") && !r.at("QueryFilter").is_null();
      return Status::Validation(std::string(legacy ? "QueryFilter" : "Filter Expression") +
                                " can only contain non-primary key attributes: Primary key attribute: " + key->name);
    }
  }
  if (Status scalar = CheckReadPathsScalar(t, *options); !scalar.ok()) return scalar;
  Status operand;
  for (size_t i = 0; operand.ok() && i < kc.partition_values.size(); ++i) {
    operand = CheckKeyOperand(kc.partition_values[i], partition_keys[i].name);
  }
  for (size_t i = 0; operand.ok() && i < kc.sort_equal.size(); ++i) {
    operand = CheckKeyOperand(kc.sort_equal[i], sort_keys[i].name);
  }
  const KeyAttribute* last_key = kc.last ? &sort_keys[kc.sort_equal.size()] : nullptr;
  if (operand.ok() && kc.last) operand = CheckKeyOperand(kc.last->value, last_key->name);
  if (operand.ok() && kc.last && kc.last->op == expr::SortKeyCondition::Op::kBetween) {
    operand = CheckKeyOperand(kc.last->value2, last_key->name);
  }
  if (!operand.ok()) return operand;
  const json::value* forward_v = r.if_contains("ScanIndexForward");
  if (forward_v && !forward_v->is_bool() && !forward_v->is_null()) {
    return Status::Of(Code::kSerialization, "Unexpected value type for member ScanIndexForward");
  }
  const bool forward = !forward_v || !forward_v->is_bool() || forward_v->as_bool();

  // The key condition becomes one byte range of the table's items or the
  // index's entries: the partition values, the sort values compared by
  // equality, then the range of the last sort condition.
  std::string prefix = index ? index->KeyPrefix() : t.KeyPrefix();
  for (size_t i = 0; i < kc.partition_values.size(); ++i) {
    Status s = AppendKeyValue(kc.partition_values[i], partition_keys[i].type, &prefix);
    if (!s.ok()) return s;
  }
  for (size_t i = 0; i < kc.sort_equal.size(); ++i) {
    Status s = AppendKeyValue(kc.sort_equal[i], sort_keys[i].type, &prefix);
    if (!s.ok()) return s;
  }
  std::string begin = prefix, end = storage::PrefixEnd(prefix);
  if (kc.last) {
    Status s = SortRange(prefix, *kc.last, last_key->type, &begin, &end);
    if (!s.ok()) return s;
  }
  if (options->exclusive_start_key && !index) {
    Status start = CheckStartKeyInQuery(t, *options->exclusive_start_key, prefix.substr(t.KeyPrefix().size()),
                                        begin, end, kc.last.has_value());
    if (!start.ok()) return start;
  }
  if (end <= begin) return FinishPage(StartPage(*options), t, *options, 0, 0, std::nullopt, 0);
  return ReadPage(*items_, t, *options, begin, end, forward);
}

}  // namespace streamer::dynamo
