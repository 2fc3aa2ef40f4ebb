// A shard consumer: one shard of a mapping's stream. Its position is a
// durable checkpoint (later a lease, for several nodes) plus what it has read
// but not resolved yet. Records are read in order by the mapping's thread
// (Poll) and spread over ParallelizationFactor lanes by item key; each lane
// has its own thread that forms batches (batch size, batching window, 6 MB,
// tumbling windows), invokes the function, and applies the batch policy to
// the outcome (retries with backoff, bisect, partial failures, record age,
// the on-failure destination). The checkpoint advances to the highest
// sequence below which every record is resolved (CompletionTracker) and is
// written by a saver thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "functions/handlers/handler.h"
#include "functions/mappings/batch_policy.h"
#include "functions/mappings/destinations.h"
#include "functions/mappings/filter_pattern.h"
#include "functions/mappings/mapping_context.h"
#include "stack/stack.h"

namespace streamer::functions {

// What every shard consumer of one mapping shares (owned by the mapping).
struct MappingShared {
  stack::EventMappingSpec spec;
  FunctionHandler* handler = nullptr;
  MappingContext ctx;
  std::string uuid;
  std::string function_arn;
  std::string stream_arn;
  FilterCriteria filters;
  Destination destination;
  std::atomic<bool> stopping{false};
  std::atomic<bool> cancel_in_flight{true};
  // LastProcessingResult, as GetEventSourceMapping shows it.
  mutable std::mutex result_mu;
  std::string last_result = "No records processed";
  void SetResult(std::string r) {
    std::lock_guard lock(result_mu);
    last_result = std::move(r);
  }
};

class ShardConsumer {
 public:
  // `checkpoint`: the last resolved sequence (records after it are read).
  ShardConsumer(MappingShared* shared, int shard, std::string shard_id, std::string checkpoint_key,
                uint64_t checkpoint);
  ~ShardConsumer();
  void Start();
  // Reads what the shard committed past the read position into the lanes
  // (the mapping's thread calls it on every commit); true if it read any.
  bool Poll(const dynamo::TableInfo& stream_table);
  // Wakes and joins the lane threads (the mapping set `stopping`).
  void Join();

 private:
  // A batch that failed and waits for its retry (or its bisected halves).
  struct Attempt {
    std::vector<MappedRecord> records;
    int retries = 0;  // retries used (a bisect does not use one)
    int invokes = 0;  // invocations that carried these records
    int64_t not_before_ms = 0;
  };
  struct Lane {
    std::deque<MappedRecord> queue;  // read, not yet in a batch
    int64_t first_queued_ms = 0;     // for MaximumBatchingWindowInSeconds
    std::deque<Attempt> retries;     // failed batches, in order, before the queue
    // Tumbling window: the open window, its state, and the records that
    // succeeded in it (resolved only when the final invocation succeeds).
    std::optional<int64_t> window_start;
    std::string state = "{}";
    std::vector<uint64_t> window_done;
    bool terminate_early = false;
    int final_failures = 0;
    int64_t final_not_before_ms = 0;
    std::thread thread;
  };
  struct Outcome;

  void RunLane(int lane);
  // Under mu_: the next thing lane `l` should invoke, or how long to wait.
  enum class Next { kWait, kBatch, kFinal };
  Next NextWork(Lane& lane, int64_t now_ms, Attempt* batch, int64_t* wait_ms);
  std::vector<MappedRecord> TakeBatch(Lane& lane);
  void ProcessBatch(Lane& lane, Attempt attempt);
  void ProcessFinal(Lane& lane);
  std::string BuildEvent(const Lane& lane, const std::vector<MappedRecord>& records, bool final_invoke) const;
  // Sends `records` to the on-failure destination (retrying until it takes
  // them, unless stopping), then resolves them. False if stopped first.
  bool Discard(const std::vector<MappedRecord>& records, const std::string& condition, int invokes,
               const InvokeResult* last);
  void Resolve(const std::vector<uint64_t>& sequences);
  // Saves the checkpoint if it advanced (the saver thread, and once at the end).
  void SaveCheckpoint();
  // Tells the saver thread the checkpoint may have advanced.
  void CheckpointLater();
  void RunSaver();
  void Log(const std::string& message) const;
  bool Stopping() const { return shared_->stopping.load(); }
  bool Windowed() const { return shared_->spec.tumbling_window_seconds > 0; }

  MappingShared* shared_;
  const int shard_;
  const std::string shard_id_;
  const std::string checkpoint_key_;
  const int lanes_count_;
  const size_t max_buffered_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  CompletionTracker tracker_;
  uint64_t next_read_;   // first sequence not read yet
  bool reader_blocked_ = false;  // Poll stopped reading: the buffer was full

  // The checkpoint is written by its own thread, so a lane never waits for
  // the synced write (~ms) between two batches: one write covers every batch
  // resolved meanwhile (a group commit of checkpoints).
  std::thread saver_;
  std::condition_variable save_cv_;
  bool save_pending_ = false;  // under mu_
  bool saver_stop_ = false;    // under mu_
  std::mutex save_mu_;
  uint64_t saved_;
};

}  // namespace streamer::functions
