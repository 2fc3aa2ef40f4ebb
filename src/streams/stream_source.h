// The stream source: where stream consumers (the Streams API, event source
// mappings) read a table's change stream. One of the three storage seams
// (with the item backend and the checkpoint store): today the embedded store
// implements it; a remote backend (DynamoDB Streams of AWS or Alternator)
// can implement the same calls later.
#pragma once

#include <cstdint>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
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
  // Up to `limit` durable records of `shard` with sequence >= from, and no
  // more than `max_bytes` of record JSON (but always at least one record).
  // Trimmed records are gone: a read from before the trim horizon starts at
  // the first record kept.
  virtual std::vector<StoredRecord> Read(const dynamo::TableInfo& table, int shard, uint64_t from,
                                         size_t limit, size_t max_bytes = SIZE_MAX) const = 0;
  // The first sequence number stored in a shard (0 if none).
  virtual uint64_t FirstSequence(const dynamo::TableInfo& table, int shard) const = 0;
  // The last durable sequence number stored in a shard (0 if none): where a
  // closed shard (of a disabled stream) ends.
  virtual uint64_t LastSequence(const dynamo::TableInfo& table, int shard) const = 0;
  // Whether a durable record with exactly this sequence number is in the shard.
  virtual bool HasRecord(const dynamo::TableInfo& table, int shard, uint64_t sequence) const = 0;

  // Retention. The trim horizon of a shard: every record below it has been
  // trimmed (deleted for age), none at or above it. 0 = nothing trimmed yet.
  // A reader positioned below the horizon has missed records
  // (TrimmedDataAccessException); TRIM_HORIZON starts here. Kept across restarts.
  virtual uint64_t TrimHorizon(const dynamo::TableInfo& table, int shard) const = 0;
  // The sequence of the first durable record created at or after `epoch_ms`
  // (records carry their creation time in seconds, so a record of the same
  // second counts as at-or-after), or DurableSequence + 1 when there is none
  // (the position a reader of new records starts at). For AT_TIMESTAMP.
  virtual uint64_t FirstSequenceAtOrAfter(const dynamo::TableInfo& table, int shard,
                                          int64_t epoch_ms) const = 0;
  // Deletes the shard's records created before `epoch_ms` and moves the trim
  // horizon past them, in one atomic write that never waits for the writers.
  // Returns how many sequence numbers the horizon moved (0: nothing to trim).
  // A backend whose service trims by itself (AWS's streams) does nothing.
  virtual Result<uint64_t> TrimBefore(const dynamo::TableInfo& table, int shard, int64_t epoch_ms) = 0;
};

// The embedded store's stream: records in the store's stream family, durable
// up to the owning writer's committed sequence.
std::unique_ptr<StreamSource> NewEmbeddedStreamSource(storage::Store* store,
                                                      const storage::ShardWriters* writers);

}  // namespace streamer::streams
