#include "storage/shard_writer.h"

namespace streamer::storage {

namespace {
constexpr size_t kMaxDrain = 2048;  // tasks per group commit, bounds batch size
}

std::string SequenceCounterKey(int shard) {
  std::string key = "seq/";
  AppendU16(&key, static_cast<uint16_t>(shard));
  return key;
}

bool DrainView::GetItem(const std::string& key, std::string* value, Status* error) {
  auto it = staged_.find(key);
  if (it != staged_.end()) {
    if (!it->second) return false;
    *value = *it->second;
    return true;
  }
  Status s = store_->Get(Family::kItems, key, value);
  if (s.ok()) return true;
  if (s.type() != "NotFound") *error = s;
  return false;
}

void DrainView::PutItem(const std::string& key, std::string value) {
  batch_.Put(store_->handle(Family::kItems), key, value);
  staged_[key] = std::move(value);
}

void DrainView::DeleteItem(const std::string& key) {
  batch_.Delete(store_->handle(Family::kItems), key);
  staged_[key] = std::nullopt;
}

void DrainView::Put(Family f, std::string_view key, std::string_view value) {
  batch_.Put(store_->handle(f), rocksdb::Slice(key.data(), key.size()),
             rocksdb::Slice(value.data(), value.size()));
}

ShardWriters::ShardWriters(Store* store, int shards, std::function<void(int)> on_commit)
    : store_(store), on_commit_(std::move(on_commit)) {
  for (int i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

ShardWriters::~ShardWriters() { Stop(); }

Status ShardWriters::Start() {
  for (int i = 0; i < shard_count(); ++i) {
    std::string value;
    Status s = store_->Get(Family::kMeta, SequenceCounterKey(i), &value);
    if (s.ok() && value.size() == 8) {
      shards_[i]->sequence = ReadU64(value);
      shards_[i]->written = ReadU64(value);
    } else if (!s.ok() && s.type() != "NotFound") {
      return s;
    }
  }
  if (store_->durability() == Durability::kFsync) syncer_ = std::thread([this] { RunSyncer(); });
  for (int i = 0; i < shard_count(); ++i) {
    shards_[i]->thread = std::thread([this, i] { Run(i); });
  }
  return Status::Ok();
}

void ShardWriters::Stop() {
  for (auto& shard : shards_) {
    {
      std::lock_guard<std::mutex> lock(shard->mu);
      shard->stopping = true;
    }
    shard->cv.notify_all();
  }
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) shard->thread.join();
  }
  // The writers are done: the syncer commits what they left, then ends.
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    sync_stopping_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
}

int ShardWriters::ShardFor(std::string_view partition_key) const {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : partition_key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int>(h % shards_.size());
}

void ShardWriters::Submit(int shard, WriteTask task) {
  Shard& s = *shards_[shard];
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (!s.stopping) {
      s.queue.push_back(std::move(task));
      s.cv.notify_one();
      return;
    }
  }
  // Answer outside the lock: the callback may take other locks.
  task.done(Status::Error("ServiceUnavailable", "The server is shutting down", 503));
}

uint64_t ShardWriters::CommittedSequence(int shard) const {
  return shards_[shard]->sequence.load(std::memory_order_acquire);
}

void ShardWriters::Run(int index) {
  Shard& shard = *shards_[index];
  std::vector<WriteTask> drain;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(shard.mu);
      shard.cv.wait(lock, [&] { return shard.stopping || !shard.queue.empty(); });
      if (shard.queue.empty()) return;  // stopping and nothing left
      while (!shard.queue.empty() && drain.size() < kMaxDrain) {
        drain.push_back(std::move(shard.queue.front()));
        shard.queue.pop_front();
      }
    }
    DrainView view(store_, index);
    const uint64_t before = shard.written;
    view.sequence_ = before;
    for (auto& task : drain) task.apply(view);
    if (view.sequence_ != before) {
      std::string counter;
      AppendU64(&counter, view.sequence_);
      view.Put(Family::kMeta, SequenceCounterKey(index), counter);
    }
    PendingDrain pending{index, view.sequence_, view.sequence_ != before, std::move(drain)};
    drain.clear();
    if (view.batch_.Count() == 0) {  // nothing to write (e.g. all conditions failed)
      Finish(pending, Status::Ok());
      continue;
    }
    Status written = store_->WriteUnsynced(&view.batch_);
    if (!written.ok()) {
      Finish(pending, written);
      continue;
    }
    shard.written = view.sequence_;
    if (!syncer_.joinable()) {  // WAL durability: written is committed
      Finish(pending, Status::Ok());
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(sync_mu_);
      sync_queue_.push_back(std::move(pending));
    }
    sync_cv_.notify_one();
  }
}

void ShardWriters::RunSyncer() {
  std::deque<PendingDrain> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(sync_mu_);
      sync_cv_.wait(lock, [&] { return sync_stopping_ || !sync_queue_.empty(); });
      if (sync_queue_.empty()) return;  // stopping and nothing left
      batch.swap(sync_queue_);
    }
    // Every drain taken was written before this call: one fsync covers all.
    const Status synced = store_->SyncWal();
    for (auto& pending : batch) Finish(pending, synced);
    batch.clear();
  }
}

void ShardWriters::Finish(PendingDrain& drain, const Status& commit) {
  if (commit.ok()) {
    Shard& shard = *shards_[drain.shard];
    shard.sequence.store(drain.sequence, std::memory_order_release);
    if (drain.wrote_records && on_commit_) on_commit_(drain.shard);
  }
  for (auto& task : drain.tasks) task.done(commit);
}

}  // namespace streamer::storage
