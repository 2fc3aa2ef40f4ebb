// An event source mapping: reads a table's stream shard by shard and invokes
// a function with Lambda's DynamoDB event ({"Records":[...]}), one batch per
// shard at a time so per-item order holds. The checkpoint of each shard is
// durable and advances only after the function succeeded; a failed batch is
// retried (with backoff) until it succeeds.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "dynamo/table_catalog.h"
#include "functions/handlers/handler.h"
#include "stack/stack.h"
#include "storage/checkpoint_store.h"
#include "streams/stream_reader.h"
#include "streams/stream_source.h"

namespace streamer::functions {

struct MappingContext {
  const streams::StreamSource* source;
  storage::CheckpointStore* checkpoints;
  dynamo::TableCatalog* catalog;
  streams::CommitNotifier* notifier;
};

class EventSourceMapping {
 public:
  EventSourceMapping(stack::EventMappingSpec spec, FunctionHandler* handler, MappingContext ctx);
  ~EventSourceMapping();

  // A stable id (from function + table), so checkpoints survive restarts.
  const std::string& uuid() const { return uuid_; }
  // Sets first-start checkpoints (LATEST / TRIM_HORIZON) and starts polling.
  Status Start();
  // Finishes the batch in flight, then stops.
  void Stop();

 private:
  void Run();
  // Processes one batch of `shard` if there is one; returns true if it did.
  bool PollShard(const dynamo::TableInfo& table, int shard);
  std::string CheckpointKey(uint32_t table_id, int shard) const;
  Result<std::optional<uint64_t>> LoadCheckpoint(uint32_t table_id, int shard) const;
  Status SaveCheckpoint(uint32_t table_id, int shard, uint64_t sequence);

  stack::EventMappingSpec spec_;
  FunctionHandler* handler_;
  MappingContext ctx_;
  std::string uuid_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  // Per shard: next sequence to deliver, and when a failed batch may retry.
  struct ShardState {
    uint64_t next = 0;
    int failures = 0;
    int64_t retry_at_ms = 0;
    int64_t first_seen_ms = 0;  // for the batching window
  };
  std::map<int, ShardState> shards_;
  uint32_t table_id_ = 0;
};

}  // namespace streamer::functions
