#include "dynamo/indexes.h"

#include <algorithm>

#include "dynamo/model/attribute.h"
#include "dynamo/model/key_codec.h"

namespace streamer::dynamo {

namespace {

bool ProjectedEqual(const json::object& a, const json::object& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, v] : a) {
    const json::value* o = b.if_contains(name);
    if (!o || !AttributeValuesEqual(v, *o)) return false;
  }
  return true;
}

void CopyIfPresent(const json::object& from, std::string_view name, json::object* to) {
  if (const json::value* v = from.if_contains(name)) (*to)[name] = *v;
}

}  // namespace

std::vector<KeyAttribute> IndexKeyAttributes(const IndexInfo& index) {
  std::vector<KeyAttribute> all = index.partition;
  all.insert(all.end(), index.sort.begin(), index.sort.end());
  return all;
}

json::object ProjectForIndex(const TableInfo& table, const IndexInfo& index, const json::object& item) {
  if (index.projection == ProjectionType::kAll) return item;
  json::object out;
  CopyIfPresent(item, table.key_schema.partition.name, &out);
  if (table.key_schema.sort) CopyIfPresent(item, table.key_schema.sort->name, &out);
  for (const auto& k : IndexKeyAttributes(index)) CopyIfPresent(item, k.name, &out);
  for (const auto& n : index.non_key_attributes) CopyIfPresent(item, n, &out);
  return out;
}

ProjectedNames ProjectedNamesOf(const TableInfo& table, const IndexInfo& index) {
  ProjectedNames p;
  if (index.projection == ProjectionType::kAll) {
    p.all_attributes = true;
    return p;
  }
  p.names.insert(table.key_schema.partition.name);
  if (table.key_schema.sort) p.names.insert(table.key_schema.sort->name);
  for (const auto& k : IndexKeyAttributes(index)) p.names.insert(k.name);
  for (const auto& n : index.non_key_attributes) p.names.insert(n);
  return p;
}

std::optional<IndexEntry> EntryOf(const TableInfo& table, const IndexInfo& index, const json::object& item) {
  IndexEntry e;
  e.key = index.KeyPrefix();
  for (const auto& k : IndexKeyAttributes(index)) {
    const json::value* v = item.if_contains(k.name);
    if (!v || TypeOf(*v) != k.type) return std::nullopt;  // sparse
    if (!AppendKeyValue(*v, k.type, &e.key).ok()) return std::nullopt;
  }
  auto table_key = EncodeItemKey(table.key_schema, item);
  if (!table_key) return std::nullopt;  // not an item of this table
  e.key += *table_key;
  e.item = ProjectForIndex(table, index, item);
  return e;
}

Status CheckIndexKeys(const IndexList& indexes, const json::object& item) {
  for (const auto& index : indexes) {
    if (!index.maintained()) continue;
    for (const auto& k : IndexKeyAttributes(index)) {
      const json::value* v = item.if_contains(k.name);
      if (!v) continue;
      const std::string_view type = TypeOf(*v);
      if (type != k.type) {
        return Status::Validation("One or more parameter values were invalid: Type mismatch for Index Key " + k.name +
                                  " Expected: " + k.type + " Actual: " + std::string(type) + " IndexName: " + index.name);
      }
      if (!CheckKeyValueNotEmpty(*v, k.name).ok()) {
        return Status::Validation(
            "One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
            "The AttributeValue for a key attribute cannot contain an empty " +
            std::string(type == "S" ? "string" : "binary") + " value. IndexName: " + index.name + ", IndexKey: " + k.name);
      }
    }
  }
  return Status::Ok();
}

void AddIndexWriteUnits(const TableInfo& table, const json::object* old_item, const json::object* new_item,
                        bool transactional, ConsumedCapacity* out) {
  for (const auto& index : table.indexes) {
    if (!index.maintained()) continue;
    std::optional<IndexEntry> before = old_item ? EntryOf(table, index, *old_item) : std::nullopt;
    std::optional<IndexEntry> after = new_item ? EntryOf(table, index, *new_item) : std::nullopt;
    double units = 0;
    if (before && after && before->key == after->key) {
      if (!ProjectedEqual(before->item, after->item)) {
        units = WriteUnits(std::max(ItemSize(before->item), ItemSize(after->item)), transactional);
      }
    } else {
      if (before) units += WriteUnits(ItemSize(before->item), transactional);
      if (after) units += WriteUnits(ItemSize(after->item), transactional);
    }
    if (units == 0) continue;
    (index.is_global() ? out->global_indexes : out->local_indexes)[index.name] += units;
  }
}

json::array IndexKeySchemaJson(const IndexInfo& index) {
  json::array a;
  for (const auto& k : index.partition) a.push_back(json::object{{"AttributeName", k.name}, {"KeyType", "HASH"}});
  for (const auto& k : index.sort) a.push_back(json::object{{"AttributeName", k.name}, {"KeyType", "RANGE"}});
  return a;
}

Result<std::string> IndexPartitionPrefix(const IndexInfo& index, const std::vector<json::value>& partition_values) {
  std::string p = index.KeyPrefix();
  for (size_t i = 0; i < index.partition.size() && i < partition_values.size(); ++i) {
    Status s = AppendKeyValue(partition_values[i], index.partition[i].type, &p);
    if (!s.ok()) return s;
  }
  return p;
}

json::object EntryKeyOf(const TableInfo& table, const IndexInfo& index, const json::object& projected) {
  json::object k;
  CopyIfPresent(projected, table.key_schema.partition.name, &k);
  if (table.key_schema.sort) CopyIfPresent(projected, table.key_schema.sort->name, &k);
  for (const auto& a : IndexKeyAttributes(index)) CopyIfPresent(projected, a.name, &k);
  return k;
}

Result<std::string> IndexStartKey(const TableInfo& table, const IndexInfo& index, const json::object& start) {
  const auto invalid = [] {
    return Status::Validation("The provided starting key is invalid: The provided key element does not match the schema");
  };
  // Exactly the index's and the table's key attributes.
  std::set<std::string, std::less<>> expected{table.key_schema.partition.name};
  if (table.key_schema.sort) expected.insert(table.key_schema.sort->name);
  for (const auto& a : IndexKeyAttributes(index)) expected.insert(a.name);
  if (start.size() != expected.size()) return invalid();
  for (const auto& [name, _] : start) {
    if (!expected.count(name)) return invalid();
  }
  std::string key = index.KeyPrefix();
  for (const auto& a : IndexKeyAttributes(index)) {
    if (!AppendKeyValue(start.at(a.name), a.type, &key).ok()) return invalid();
  }
  auto table_key = EncodeItemKey(table.key_schema, start);
  if (!table_key) return invalid();
  return key + *table_key;
}

}  // namespace streamer::dynamo
