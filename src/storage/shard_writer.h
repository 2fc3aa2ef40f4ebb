// Shard writers: the write path. Each writer is one thread that owns a set of
// keys (the caller routes every key to one writer, always the same one while
// the process runs). A writer drains its queue, runs each task against the
// current state (the store plus what this drain already staged), and writes
// the whole drain as ONE WriteBatch (items, index entries and stream records
// together). With fsync durability the writer does not wait for the disk: it
// hands the drain to the syncer thread and goes on with the next one; the
// syncer fsyncs the WAL once for every drain (of every writer) written
// meanwhile, publishes the drains' sequences, and hands the tasks' `done`
// callbacks to the completion executor (the I/O threads), so a slow reply
// (a response mapping template) never holds up the writers or the syncer.
// No per-key locks.
//
// Between its write and its fsync a drain is readable (GetItem, and the next
// drain's conditions), but its stream records are not served: stream readers
// stop at CommittedSequence(), which advances only after the fsync, in drain
// order (a drain that wrote nothing goes through the syncer too, so it never
// publishes a sequence ahead of an earlier drain's fsync). A crash in between
// loses those unacknowledged writes together with their records.
//
// A multi-writer task (transactions) is queued on every writer it touches, in
// ascending writer order under one lock, so any two such tasks are queued in
// the same relative order everywhere: no deadlock. Each writer finishes the
// drain before it and parks; the last to arrive runs the task against one
// consistent view of all of them and commits ONE batch with every writer's
// stream records and sequence counters; then all go on.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/worker_pool.h"
#include "storage/store.h"
#include "storage/write_batch.h"

namespace streamer::storage {

// What a task sees and stages during one drain (of one writer, or of the
// parked writers of a multi-writer task).
class DrainView {
 public:
  // Reads `key` in the items family as this drain sees it. Returns false
  // when the item does not exist (or was deleted earlier in this drain).
  bool GetItem(const std::string& key, std::string* value, Status* error);
  void PutItem(const std::string& key, std::string value);
  void DeleteItem(const std::string& key);
  // Any other family (stream records, meta): staged in the same batch.
  void Put(Family f, std::string_view key, std::string_view value);
  void Delete(Family f, std::string_view key);
  // Next stream sequence number of `writer` (one this view holds); strictly
  // increasing in commit order, survives restarts.
  uint64_t NextSequence(int writer);
  size_t ByteSize() const { return batch_.ByteSize(); }

 private:
  friend class ShardWriters;
  DrainView(Store* store, std::vector<std::pair<int, uint64_t>> sequences)
      : store_(store), sequences_(std::move(sequences)), batch_(store) {}
  Store* store_;
  // (writer, last sequence used) for every writer this view holds.
  std::vector<std::pair<int, uint64_t>> sequences_;
  WriteBatch batch_;
  // Items staged in this drain: key -> value, nullopt = deleted.
  std::unordered_map<std::string, std::optional<std::string>> staged_;
};

struct WriteTask {
  // Runs on the writer thread before the commit; records its own outcome.
  std::function<void(DrainView&)> apply;
  // Runs after the group commit with the commit's status, on the completion
  // executor (never on a writer or the syncer).
  std::function<void(const Status& commit)> done;
};

// Runs `work` somewhere else (the I/O threads). Must not run it inline.
using Executor = std::function<void(std::function<void()> work)>;

struct ShardWritersOptions {
  int writers = 1;
  // Called after each durable commit that wrote stream records, with the
  // writer (wakes the stream consumers without polling). On the syncer.
  std::function<void(int writer)> on_commit;
  // Where the tasks' `done` callbacks run; null = a thread of our own.
  Executor completions;
  size_t max_drain_tasks = 2048;
  // A drain stops taking tasks once its batch is this large (a 400 KB item
  // with two stream images is ~1.2 MB): bounds the memory of one commit.
  size_t max_drain_bytes = 16u << 20;
};

class ShardWriters {
 public:
  ShardWriters(Store* store, ShardWritersOptions options);
  ~ShardWriters();

  // Loads the sequence counters and starts the threads.
  [[nodiscard]] Status Start();
  // Finishes queued tasks, then joins the threads; every `done` has run
  // when it returns.
  void Stop();

  int writer_count() const { return static_cast<int>(writers_.size()); }
  void Submit(int writer, WriteTask task);
  // A task over several writers (distinct, any order), applied atomically.
  void SubmitMulti(std::vector<int> writers, WriteTask task);
  // The last sequence number durable (committed) on a writer.
  uint64_t CommittedSequence(int writer) const;

 private:
  struct Rendezvous;
  struct Queued {
    WriteTask task;
    std::shared_ptr<Rendezvous> multi;  // set for a multi-writer task
  };
  struct Writer {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Queued> queue;
    bool stopping = false;
    uint64_t written = 0;               // last sequence written (owner thread only)
    std::atomic<uint64_t> sequence{0};  // last committed: durable, served to readers
    std::thread thread;
  };
  // A written drain waiting for its fsync.
  struct PendingDrain {
    std::vector<std::pair<int, uint64_t>> sequences;  // (writer, last sequence)
    bool wrote = false;          // the batch was not empty
    bool wrote_records = false;  // whether consumers need waking
    std::vector<std::function<void(const Status&)>> dones;
  };
  void Run(int index);
  // Writes a drain's view and queues it for the syncer (or finishes it).
  void Commit(DrainView& view, std::vector<std::function<void(const Status&)>> dones);
  void Arrive(Rendezvous& r, int index);
  void RunSyncer();
  // Publishes a durable drain: sequences, consumers, then the answers.
  void Finish(PendingDrain& drain, const Status& commit);
  void Complete(std::vector<std::function<void(const Status&)>> dones, const Status& commit);

  Store* store_;
  ShardWritersOptions options_;
  std::vector<std::unique_ptr<Writer>> writers_;
  bool started_ = false;

  std::mutex submit_mu_;  // orders multi-writer tasks across queues

  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::deque<PendingDrain> sync_queue_;
  bool sync_stopping_ = false;
  std::thread syncer_;

  // Completions in flight (Stop waits for them); the fallback completer
  // when no executor was given.
  std::mutex done_mu_;  // only to wake Stop when the count reaches 0
  std::condition_variable done_cv_;
  std::atomic<size_t> completions_in_flight_{0};
  std::unique_ptr<WorkerPool> completer_;
};

// Meta key holding a writer's sequence counter.
std::string SequenceCounterKey(int writer);
// The stable 64-bit hash of a partition key's encoded bytes (FNV-1a): picks
// its stream shard, and so its writer. Stable across restarts and builds.
uint64_t PartitionHash(std::string_view encoded_partition);

}  // namespace streamer::storage
