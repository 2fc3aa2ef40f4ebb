// Shard writers: the write path. Keys are partitioned into N shards by a hash
// of the partition key; each shard has one writer thread that owns its keys.
// A writer drains its queue, runs each task against the current state (the
// store plus what this drain already staged), and writes the whole drain as
// ONE WriteBatch (items, index entries and stream records together). With
// fsync durability the writer does not wait for the disk: it hands the drain
// to the syncer thread and goes on with the next one, and the syncer fsyncs
// the WAL once for every drain (of every shard) written meanwhile. Only then
// are the tasks' `done` callbacks run, so a client is answered only after its
// write is durable. No per-key locks.
//
// Between its write and its fsync a drain is readable (GetItem, and the next
// drain's conditions), but its stream records are not served: stream readers
// stop at CommittedSequence(), which advances only after the fsync. A crash
// in between loses those unacknowledged writes together with their records.
#pragma once

#include <rocksdb/write_batch.h>

#include <atomic>
#include <condition_variable>
#include <optional>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "storage/store.h"

namespace streamer::storage {

// What a task sees and stages during one drain of its shard.
class DrainView {
 public:
  int shard() const { return shard_; }
  // Reads `key` in the items family as this drain sees it. Returns false
  // when the item does not exist (or was deleted earlier in this drain).
  bool GetItem(const std::string& key, std::string* value, Status* error);
  void PutItem(const std::string& key, std::string value);
  void DeleteItem(const std::string& key);
  // Any other family (stream records, meta): staged in the same batch.
  void Put(Family f, std::string_view key, std::string_view value);
  // Next stream sequence number of this shard; strictly increasing in
  // commit order, survives restarts.
  uint64_t NextSequence() { return ++sequence_; }

 private:
  friend class ShardWriters;
  DrainView(Store* store, int shard) : store_(store), shard_(shard) {}
  Store* store_;
  int shard_;
  uint64_t sequence_ = 0;
  rocksdb::WriteBatch batch_;
  // Items staged in this drain: key -> value, nullopt = deleted.
  std::unordered_map<std::string, std::optional<std::string>> staged_;
};

struct WriteTask {
  // Runs on the writer thread before the commit; records its own outcome.
  std::function<void(DrainView&)> apply;
  // Runs after the group commit with the commit's status.
  std::function<void(const Status& commit)> done;
};

class ShardWriters {
 public:
  // `on_commit(shard)` runs after each successful group commit (wakes the
  // stream consumers without polling).
  ShardWriters(Store* store, int shards, std::function<void(int)> on_commit);
  ~ShardWriters();

  // Loads the shards' sequence counters and starts the threads.
  Status Start();
  // Finishes queued tasks, then joins the threads.
  void Stop();

  int shard_count() const { return static_cast<int>(shards_.size()); }
  // The shard owning a partition key (stable across restarts: FNV-1a).
  int ShardFor(std::string_view partition_key) const;
  void Submit(int shard, WriteTask task);
  // The last sequence number durable (committed) on a shard.
  uint64_t CommittedSequence(int shard) const;

 private:
  struct Shard {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<WriteTask> queue;
    bool stopping = false;
    uint64_t written = 0;               // last sequence written (writer thread only)
    std::atomic<uint64_t> sequence{0};  // last committed: durable, served to readers
    std::thread thread;
  };
  // A written drain waiting for its fsync.
  struct PendingDrain {
    int shard;
    uint64_t sequence;    // the shard's last sequence after this drain
    bool wrote_records;   // whether consumers need waking
    std::vector<WriteTask> tasks;
  };
  void Run(int index);
  void RunSyncer();
  // Publishes a durable drain: sequence, consumers, answers.
  void Finish(PendingDrain& drain, const Status& commit);

  Store* store_;
  std::function<void(int)> on_commit_;
  std::vector<std::unique_ptr<Shard>> shards_;

  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::deque<PendingDrain> sync_queue_;
  bool sync_stopping_ = false;
  std::thread syncer_;
};

// Meta key holding a shard's sequence counter.
std::string SequenceCounterKey(int shard);

}  // namespace streamer::storage
