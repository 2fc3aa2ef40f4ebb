// The one write primitive every item write reduces to: read the current item
// on its shard's writer, decide the new state, stage it with its stream
// record, and answer after the group commit.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/json.h"
#include "dynamo/table_catalog.h"
#include "storage/shard_writer.h"

namespace streamer::dynamo {

// What a write decided, given the current item.
struct Mutation {
  enum class Kind { kPut, kDelete, kNone };
  Kind kind = Kind::kNone;
  json::object new_item;  // kPut
  // kPut: ItemSize(new_item) when the caller has it already (0 = unknown),
  // so the serial writer does not walk the item again for the stream record.
  size_t new_item_size = 0;
};

// Runs on the writer thread: `current` is nullptr when the item does not
// exist. A non-ok Result (e.g. ConditionalCheckFailedException) writes nothing.
using Decide = std::function<Result<Mutation>(const json::object* current)>;

struct WriteResult {
  Status status;
  std::optional<json::object> old_item;  // the item before the write
  std::optional<json::object> new_item;  // the item after it
};
using WriteDone = std::function<void(WriteResult)>;

struct ItemAddress {
  std::string storage_key;  // table prefix + encoded primary key
  std::string partition;    // encoded partition key: picks the shard
  json::object key;         // the key attributes, for stream records
};

// Builds the address of the item named by `key_or_item` (validated).
Result<ItemAddress> AddressOf(const TableInfo& table, const json::object& key_or_item);

void SubmitWrite(storage::ShardWriters* writers, TablePtr table, ItemAddress address,
                 Decide decide, WriteDone done);

}  // namespace streamer::dynamo
