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
#include "dynamo/item_requests.h"
#include "dynamo/item_storage.h"
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

Result<ReadOptions> ParseReadOptions(const json::object& r, const TableInfo& t,
                                     expr::UsedPlaceholders* used, const expr::AttributeMaps& maps,
                                     bool is_query = false) {
  ReadOptions o;
  o.plain_start_key_errors = is_query;
  auto filter = OptionalString(r, "FilterExpression");
  if (!filter) return filter.status();
  if (*filter) {
    auto parsed = expr::ParseCondition(**filter, maps, "FilterExpression");
    if (!parsed) return parsed.status();
    used->Merge(parsed->used);
    o.filter = std::make_shared<const expr::ParsedCondition>(std::move(*parsed));
  }
  auto projection = OptionalString(r, "ProjectionExpression");
  if (!projection) return projection.status();
  if (*projection) {
    auto parsed = expr::ParseProjection(**projection, maps);
    if (!parsed) return parsed.status();
    used->Merge(parsed->used);
    o.projection = std::move(parsed->paths);
  }
  auto limit = OptionalInt(r, "Limit", 1, INT64_MAX);
  if (!limit) return limit.status();
  o.limit = *limit;
  auto select = OptionalString(r, "Select");
  if (!select) return select.status();
  if (*select) {
    const bool projected = o.projection.has_value();
    if (**select == "COUNT") {
      if (projected) return Status::Validation("Cannot specify the ProjectionExpression when choosing to get only the Count");
      o.count_only = true;
    } else if (**select == "SPECIFIC_ATTRIBUTES") {
      if (!projected) {
        return Status::Validation("1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy constraint: Select type SPECIFIC_ATTRIBUTES requires ProjectionExpression or AttributesToGet");
      }
    } else if (**select == "ALL_ATTRIBUTES" || **select == "ALL_PROJECTED_ATTRIBUTES") {
      if (projected) {
        return Status::Validation("Cannot specify the ProjectionExpression when choosing to get " + **select);
      }
      // No secondary indexes here, so never an index query.
      if (**select == "ALL_PROJECTED_ATTRIBUTES") {
        return Status::Validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
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
    if ((*esk)->size() != expected) {
      if (o.plain_start_key_errors) return Status::Validation(kStartKeyInvalid);
      return Status::Validation("The provided starting key is invalid: The provided key element does not match the schema");
    }
    o.exclusive_start_key = CanonicalizeItem(**esk);
    Status sizes = CheckKeySizes(t.key_schema, *o.exclusive_start_key);
    if (!sizes.ok()) return sizes;
  }
  return o;
}

// ConsumedCapacity of a Query/Scan page: 4 KB units of the summed sizes of
// the items read (rounded once, not per item), half when eventually
// consistent, at least the minimum when nothing was read.
void AddReadCapacity(json::object* out, const TableInfo& t, const ReadOptions& o, size_t bytes) {
  if (o.capacity == CapacityReport::kNone) return;
  ConsumedCapacity c;
  c.table = t.name;
  c.table_units = ReadUnits(bytes, o.consistent);
  // Index units (Query/Scan of a secondary index) are added here.
  (*out)["ConsumedCapacity"] = c.ToJson(o.capacity);
}

// Walks [begin, end) of the table's items in order (or reverse) and builds
// the page: filter, limit (counted before the filter, as AWS does), 1 MB cap.
Result<json::value> ReadPage(const ItemBackend& backend, const TableInfo& t, const ReadOptions& o,
                             const std::string& begin, const std::string& end, bool forward) {
  auto it = backend.OpenCursor();
  std::string start_key;
  if (o.exclusive_start_key) {
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
  json::array items;
  int64_t scanned = 0, count = 0;
  size_t bytes = 0;
  std::optional<json::object> last;
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    std::string_view key = it->key();
    if (forward ? key >= end : key < begin) break;
    auto decoded = DecodeStoredItem(t, key, it->value());
    if (!decoded) return decoded.status();  // never skipped: the client learns the table has a corrupt row
    json::object& item = *decoded;
    if (o.total_segments > 1 && SegmentOf(t, item, o.total_segments) != o.segment) continue;
    ++scanned;
    // Items are sized as AWS sizes them: the 1 MB page and the read units
    // count every item read, before the filter.
    bytes += ItemSize(item);
    if (!o.filter || expr::Evaluate(o.filter->root, &item)) {
      ++count;
      if (!o.count_only) items.push_back(o.projection ? expr::Project(item, *o.projection) : item);
    }
    const bool at_limit = o.limit && scanned >= *o.limit;
    if (at_limit || bytes >= kPageBytes) {
      last = KeyOfItem(t, item);
      // AWS returns LastEvaluatedKey when the limit stops the page, even if
      // nothing follows; only a 1 MB stop checks for more.
      break;
    }
  }
  json::object out;
  if (!o.count_only) out["Items"] = std::move(items);
  out["Count"] = count;
  out["ScannedCount"] = scanned;
  if (last) out["LastEvaluatedKey"] = std::move(*last);
  AddReadCapacity(&out, t, o, bytes);
  return out;
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

// Query may not filter on the key attributes (the key condition does that):
// the first key attribute a filter path starts with, or nullptr.
const std::string* KeyAttributeInFilter(const expr::Condition& c, const KeySchema& ks) {
  for (const auto& o : c.operands) {
    if ((o.kind == expr::Operand::Kind::kPath || o.kind == expr::Operand::Kind::kSize) && !o.path.empty() &&
        !o.path[0].is_index) {
      if (o.path[0].name == ks.partition.name) return &ks.partition.name;
      if (ks.sort && o.path[0].name == ks.sort->name) return &ks.sort->name;
    }
  }
  for (const auto& child : c.children) {
    if (const std::string* name = KeyAttributeInFilter(child, ks)) return name;
  }
  return nullptr;
}

// Key values in a key condition obey the rules of key attributes.
Status CheckKeyOperand(const json::value& v, const std::string& key_name) {
  return CheckKeyValueNotEmpty(v, key_name);
}

// Query's ExclusiveStartKey must lie inside the key condition, with AWS's
// messages: a sort key outside the sort condition first, then a partition key
// other than the condition's. `partition` is the condition's encoded partition
// key, [begin, end) its byte range.
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

}  // namespace

Result<json::value> DynamoApi::Scan(const Request& r) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kRead); !members.ok()) return members;
  auto table = RequireTable(r);
  if (!table) return table.status();
  if (Status m = CheckMapsHaveExpressions(r, {"FilterExpression"}, {"ProjectionExpression"}); !m.ok()) return m;
  auto maps = ExpressionMaps(r);
  if (!maps) return maps.status();
  expr::UsedPlaceholders used;
  auto options = ParseReadOptions(r, **table, &used, *maps);
  if (!options) return options.status();
  Status segments = ParseSegments(r, &*options);
  if (!segments.ok()) return segments;
  if (options->exclusive_start_key && options->total_segments > 1 &&
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
  const std::string begin = (*table)->KeyPrefix();
  return ReadPage(*items_, **table, *options, begin, storage::PrefixEnd(begin), true);
}

Result<json::value> DynamoApi::Query(const Request& r) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kRead); !members.ok()) return members;
  auto table = RequireTable(r);
  if (!table) return table.status();
  const TableInfo& t = **table;
  if (r.contains("IndexName")) {
    return Status::Validation("Secondary indexes are not supported by this server yet");
  }
  if (Status m = CheckMapsHaveExpressions(r, {"FilterExpression", "KeyConditionExpression"}, {"ProjectionExpression"});
      !m.ok()) {
    return m;
  }
  auto maps = ExpressionMaps(r);
  if (!maps) return maps.status();
  // A start key with the wrong number of attributes is refused before the key
  // condition is looked at (AWS's order).
  if (auto esk = OptionalObject(r, "ExclusiveStartKey"); esk && *esk && (*esk)->size() != (t.key_schema.sort ? 2u : 1u)) {
    return Status::Validation(kStartKeyInvalid);
  }
  auto text = OptionalString(r, "KeyConditionExpression");
  if (!text) return text.status();
  if (!*text) {
    return Status::Validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  }
  auto kc = expr::ParseKeyCondition(**text, *maps, t.key_schema);
  if (!kc) return kc.status();
  expr::UsedPlaceholders used = kc->used;
  auto options = ParseReadOptions(r, t, &used, *maps, /*is_query=*/true);
  if (!options) return options.status();
  Status unused = expr::CheckUnusedPlaceholders(*maps, used);
  if (!unused.ok()) return unused;
  if (options->filter) {
    if (const std::string* key = KeyAttributeInFilter(options->filter->root, t.key_schema)) {
      return Status::Validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: " +
                                *key);
    }
  }
  if (Status scalar = CheckReadPathsScalar(t, *options); !scalar.ok()) return scalar;
  Status operand = CheckKeyOperand(kc->partition_value, t.key_schema.partition.name);
  if (operand.ok() && kc->sort) operand = CheckKeyOperand(kc->sort->value, t.key_schema.sort->name);
  if (operand.ok() && kc->sort && kc->sort->op == expr::SortKeyCondition::Op::kBetween) {
    operand = CheckKeyOperand(kc->sort->value2, t.key_schema.sort->name);
  }
  if (!operand.ok()) return operand;
  const json::value* forward_v = r.if_contains("ScanIndexForward");
  if (forward_v && !forward_v->is_bool() && !forward_v->is_null()) {
    return Status::Of(Code::kSerialization, "Unexpected value type for member ScanIndexForward");
  }
  const bool forward = !forward_v || !forward_v->is_bool() || forward_v->as_bool();

  // The key condition becomes one byte range of the table's items.
  auto pk = EncodeKeyValue(kc->partition_value, t.key_schema.partition.type);
  if (!pk) return pk.status();
  const std::string partition = t.KeyPrefix() + *pk;
  std::string begin = partition, end = storage::PrefixEnd(partition);
  if (kc->sort) {
    const std::string& type = t.key_schema.sort->type;
    auto enc = EncodeKeyValue(kc->sort->value, type);
    if (!enc) return enc.status();
    const std::string at = partition + *enc;
    const std::string after = at + std::string(1, '\0');  // just past exactly `at`
    switch (kc->sort->op) {
      case expr::SortKeyCondition::Op::kEq: begin = at; end = after; break;
      case expr::SortKeyCondition::Op::kLt: end = at; break;
      case expr::SortKeyCondition::Op::kLe: end = after; break;
      case expr::SortKeyCondition::Op::kGt: begin = after; break;
      case expr::SortKeyCondition::Op::kGe: begin = at; break;
      case expr::SortKeyCondition::Op::kBetween: {
        auto hi = EncodeKeyValue(kc->sort->value2, type);
        if (!hi) return hi.status();
        begin = at;
        end = partition + *hi + std::string(1, '\0');
        break;
      }
      case expr::SortKeyCondition::Op::kBeginsWith:
        // S and B encodings end with a 2-byte terminator; without it the
        // encoding is a prefix of every value that starts with the operand.
        begin = at.substr(0, at.size() - 2);
        end = storage::PrefixEnd(begin);
        break;
    }
  }
  if (options->exclusive_start_key) {
    Status start = CheckStartKeyInQuery(t, *options->exclusive_start_key, *pk, begin, end, kc->sort.has_value());
    if (!start.ok()) return start;
  }
  if (end <= begin) {
    json::object out;
    if (!options->count_only) out["Items"] = json::array();
    out["Count"] = 0;
    out["ScannedCount"] = 0;
    AddReadCapacity(&out, t, *options, 0);
    return out;
  }
  return ReadPage(*items_, t, *options, begin, end, forward);
}

}  // namespace streamer::dynamo
