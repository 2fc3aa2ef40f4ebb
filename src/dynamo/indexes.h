// Secondary indexes: how an item appears in an index. Pure functions of the
// table, the index and the item; the write path stages what they derive in
// the same batch as the item, and Query/Scan read it back.
//
// An index entry lives in the items family under the index's own 4-byte
// prefix: [index id][index partition values][index sort values][table key],
// each value in the order-preserving key encoding, so one index partition is
// one key range sorted by the index sort key, and the table key at the end
// makes every entry unique (and tells which writer owns it: the item's).
// The entry's value is the projected item (EncodeItem bytes).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/capacity.h"
#include "dynamo/table_catalog.h"

namespace streamer::dynamo {

struct IndexEntry {
  std::string key;      // storage key (index prefix first)
  json::object item;    // the projected item
};

// The item's entry in `index`, or nullopt when the item is not in it
// (sparse: an index key attribute is missing, or not of the index's type).
std::optional<IndexEntry> EntryOf(const TableInfo& table, const IndexInfo& index, const json::object& item);

// The attributes `index` projects from an item: the table's and the index's
// key attributes, plus the INCLUDE list (every attribute for ALL).
json::object ProjectForIndex(const TableInfo& table, const IndexInfo& index, const json::object& item);
// Top-level attribute names an index holds (empty with all_attributes = true for ALL).
struct ProjectedNames {
  bool all_attributes = false;
  std::set<std::string, std::less<>> names;
};
ProjectedNames ProjectedNamesOf(const TableInfo& table, const IndexInfo& index);

// All key attributes of an index, in key order (partition then sort).
std::vector<KeyAttribute> IndexKeyAttributes(const IndexInfo& index);

// A written item's index key attributes must have the index's types and be
// non-empty: AWS refuses the write (ValidationException) otherwise.
Status CheckIndexKeys(const IndexList& indexes, const json::object& item);

// The write units each index consumed for one write of an item (nullptr: no
// item before / after), as AWS counts them: putting an entry costs the write
// units of the projected entry, a key change is a delete plus a put, an
// unchanged entry costs nothing. Adds to `out` (GSIs and LSIs by name).
void AddIndexWriteUnits(const TableInfo& table, const json::object* old_item, const json::object* new_item,
                        bool transactional, ConsumedCapacity* out);

// KeySchema JSON of an index (HASH elements, then RANGE elements).
json::array IndexKeySchemaJson(const IndexInfo& index);

// The storage-key range of one index partition given its partition values
// (in key order), for Query: [prefix, PrefixEnd(prefix)).
Result<std::string> IndexPartitionPrefix(const IndexInfo& index, const std::vector<json::value>& partition_values);

// An index's ExclusiveStartKey / LastEvaluatedKey: the index key attributes
// and the table's key. StartKeyOf encodes a client's key to the entry's
// storage key (ValidationException "The provided starting key is invalid: ..."
// when it does not name an entry of this index).
json::object EntryKeyOf(const TableInfo& table, const IndexInfo& index, const json::object& projected);
Result<std::string> IndexStartKey(const TableInfo& table, const IndexInfo& index, const json::object& start);

}  // namespace streamer::dynamo
