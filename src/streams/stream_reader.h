// Reading a table's stream: shard by shard, in sequence order. Shared by the
// Streams API and the event source mappings; plus the notifier that wakes
// consumers when a commit lands (no polling delay).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "dynamo/table_catalog.h"
#include "storage/store.h"

namespace streamer::streams {

struct StoredRecord {
  uint64_t sequence;
  std::string json;  // the Streams API record
};

// Up to `limit` records of `shard` with from_sequence <= sequence <=
// up_to_sequence. Pass ShardWriters::CommittedSequence(shard) as up_to: a
// record past it is written but not yet durable, and is not served.
std::vector<StoredRecord> ReadShard(const storage::Store& store, const dynamo::TableInfo& table,
                                    int shard, uint64_t from_sequence, size_t limit,
                                    uint64_t up_to_sequence);
// The first sequence number stored in a shard of the table (0 if none).
uint64_t FirstSequence(const storage::Store& store, const dynamo::TableInfo& table, int shard);

// A generation counter bumped on every commit that wrote stream records.
class CommitNotifier {
 public:
  void Notify();
  // Waits until the generation differs from `seen` or `timeout` passes;
  // returns the current generation.
  uint64_t Wait(uint64_t seen, std::chrono::milliseconds timeout);
  uint64_t generation() const;
  // Wakes every waiter for good (shutdown).
  void Close();
  bool closed() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
  bool closed_ = false;
};

}  // namespace streamer::streams
