// The stream source: where stream consumers (the Streams API, event source
// mappings) read a table's change stream. One of the three storage seams
// (with the item backend and the checkpoint store): today the embedded store
// implements it; a remote backend (DynamoDB Streams of AWS or Alternator)
// can implement the same calls later.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dynamo/table_catalog.h"

namespace streamer::storage {
class Store;
class ShardWriters;
}  // namespace streamer::storage

namespace streamer::streams {

struct StoredRecord {
  uint64_t sequence;
  std::string json;  // the Streams API record
};

class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // How many shards the table's stream has (0 .. n-1). The layout is saved
  // with the table, so it is the same on every run.
  virtual int ShardCount(const dynamo::TableInfo& table) const = 0;
  // The last sequence number of a shard that is durable: nothing after it is
  // served (a crash could still take it back).
  virtual uint64_t DurableSequence(const dynamo::TableInfo& table, int shard) const = 0;
  // Up to `limit` durable records of `shard` with sequence >= from.
  virtual std::vector<StoredRecord> Read(const dynamo::TableInfo& table, int shard, uint64_t from,
                                         size_t limit) const = 0;
  // The first sequence number stored in a shard (0 if none).
  virtual uint64_t FirstSequence(const dynamo::TableInfo& table, int shard) const = 0;
  // The last durable sequence number stored in a shard (0 if none): where a
  // closed shard (of a disabled stream) ends.
  virtual uint64_t LastSequence(const dynamo::TableInfo& table, int shard) const = 0;
};

// The embedded store's stream: records in the store's stream family, durable
// up to the owning writer's committed sequence.
std::unique_ptr<StreamSource> NewEmbeddedStreamSource(const storage::Store* store,
                                                      const storage::ShardWriters* writers);

}  // namespace streamer::streams
