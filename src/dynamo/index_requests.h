// The secondary-index members of the table operations: CreateTable's
// GlobalSecondaryIndexes / LocalSecondaryIndexes, UpdateTable's
// GlobalSecondaryIndexUpdates, and how DescribeTable shows indexes. Each
// parser validates with AWS's messages and changes nothing.
#pragma once

#include <map>
#include <set>
#include <string>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/table_catalog.h"

namespace streamer::dynamo {

// AttributeDefinitions of a request, by name.
using AttributeTypes = std::map<std::string, std::string>;

// An IndexName: 3-255 characters of [a-zA-Z0-9_.-] (`field` names it in the
// constraint message, e.g. "indexName").
Status CheckIndexName(const std::string& name, const std::string& field);

// CreateTable's indexes (ids are assigned by the catalog). `key_attributes`
// collects every attribute an index key uses (to check that each attribute
// definition is used by some key).
Result<IndexList> ParseCreateIndexes(const json::object& r, const KeySchema& table_keys, const AttributeTypes& defs,
                                     bool pay_per_request, std::set<std::string>* key_attributes);

// DescribeTable's GlobalSecondaryIndexes / LocalSecondaryIndexes members.
void AddIndexDescriptions(const TableInfo& t, json::object* description);

// UpdateTable's GlobalSecondaryIndexUpdates (with the request's
// AttributeDefinitions), checked against the table as it is.
struct IndexUpdates {
  std::optional<IndexInfo> create;              // key schema, projection, throughput
  std::optional<std::string> remove;            // index name
  std::map<std::string, json::object> throughput;  // Update: index name -> ProvisionedThroughput
  AttributeTypes new_definitions;                // the request's AttributeDefinitions
};
Result<IndexUpdates> ParseIndexUpdates(const json::object& r, const TableInfo& table);

// Applies parsed updates to a catalog copy of the table (the UpdateTable
// operation calls it inside TableCatalog::UpdateIndexes): a created index
// starts CREATING and backfilling, a removed one DELETING.
Status ApplyIndexUpdates(const IndexUpdates& updates, TableInfo& table, const std::function<uint32_t()>& new_id);

}  // namespace streamer::dynamo
