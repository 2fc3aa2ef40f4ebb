#include "storage/shard_writer.h"

#include <algorithm>
#include <chrono>

#include "core/hash.h"
#include "core/worker_pool.h"

namespace streamer::storage {

std::string SequenceCounterKey(int writer) {
  std::string key = "seq/";
  AppendU16(&key, static_cast<uint16_t>(writer));
  return key;
}

uint64_t PartitionHash(std::string_view encoded_partition) { return Fnv1a(encoded_partition); }

// ---- DrainView ----

bool DrainView::GetItem(const std::string& key, std::string* value, Status* error) {
  auto it = staged_.find(key);
  if (it != staged_.end()) {
    if (!it->second) return false;
    *value = *it->second;
    return true;
  }
  Status s = store_->Get(Family::kItems, key, value);
  if (s.ok()) return true;
  if (!s.Is(Code::kNotFound)) *error = s;
  return false;
}

void DrainView::PutItem(const std::string& key, std::string value) {
  batch_.Put(Family::kItems, key, value);
  staged_[key] = std::move(value);
}

void DrainView::DeleteItem(const std::string& key) {
  batch_.Delete(Family::kItems, key);
  staged_[key] = std::nullopt;
}

void DrainView::Put(Family f, std::string_view key, std::string_view value) { batch_.Put(f, key, value); }

void DrainView::Delete(Family f, std::string_view key) { batch_.Delete(f, key); }

uint64_t DrainView::NextSequence(int writer) {
  for (auto& [w, seq] : sequences_) {
    if (w == writer) return ++seq;
  }
  // A task asked for a writer its view does not hold: a routing bug. Use the
  // first writer's counter rather than corrupt another writer's order.
  return ++sequences_.front().second;
}

// ---- ShardWriters ----

struct ShardWriters::Rendezvous {
  WriteTask task;
  std::vector<int> writers;  // ascending
  std::mutex mu;
  std::condition_variable cv;
  size_t arrived = 0;
  bool finished = false;
};

ShardWriters::ShardWriters(Store* store, ShardWritersOptions options)
    : store_(store), options_(std::move(options)) {
  const int n = std::max(1, options_.writers);
  for (int i = 0; i < n; ++i) writers_.push_back(std::make_unique<Writer>());
}

ShardWriters::~ShardWriters() { Stop(); }

Status ShardWriters::Start() {
  // Every writer starts above the highest counter ever saved, by any writer
  // of any earlier run: a stream shard that moved to another writer (the
  // writer count changed) keeps strictly increasing sequence numbers.
  uint64_t highest = 0;
  auto it = store_->NewIterator(Family::kMeta);
  const std::string prefix = "seq/";
  for (it->Seek(prefix); it->Valid() && it->key().substr(0, prefix.size()) == prefix; it->Next()) {
    if (it->value().size() == 8) highest = std::max(highest, ReadU64(it->value()));
  }
  Status scanned = it->status();
  if (!scanned.ok()) return scanned;
  for (auto& w : writers_) {
    w->sequence = highest;
    w->written = highest;
  }
  started_ = true;
  if (!options_.completions) completer_ = std::make_unique<WorkerPool>("completer", 1);
  if (store_->durability() == Durability::kFsync) {
    syncer_ = std::thread([this] {
      SetThreadName("syncer");
      RunSyncer();
    });
  }
  for (int i = 0; i < writer_count(); ++i) {
    writers_[i]->thread = std::thread([this, i] {
      SetThreadName("writer-" + std::to_string(i));
      Run(i);
    });
  }
  return Status::Ok();
}

void ShardWriters::Stop() {
  for (auto& w : writers_) {
    {
      std::lock_guard<std::mutex> lock(w->mu);
      w->stopping = true;
    }
    w->cv.notify_all();
  }
  for (auto& w : writers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  // The writers are done: the syncer commits what they left, then ends.
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    sync_stopping_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  // Every answer handed out must have run before the caller tears down what
  // the answers use. Bounded: an executor that no longer runs work must not
  // hang shutdown.
  {
    std::unique_lock<std::mutex> lock(done_mu_);
    done_cv_.wait_for(lock, std::chrono::seconds(10), [&] { return completions_in_flight_ == 0; });
  }
  if (completer_) completer_->Stop();
}

void ShardWriters::Submit(int writer, WriteTask task) {
  Writer& w = *writers_[writer];
  {
    std::lock_guard<std::mutex> lock(w.mu);
    if (!w.stopping) {
      w.queue.push_back(Queued{std::move(task), nullptr});
      w.cv.notify_one();
      return;
    }
  }
  // Answer outside the lock: the callback may take other locks.
  task.done(Status::Of(Code::kUnavailable, "The server is shutting down"));
}

void ShardWriters::SubmitMulti(std::vector<int> writers, WriteTask task) {
  std::sort(writers.begin(), writers.end());
  writers.erase(std::unique(writers.begin(), writers.end()), writers.end());
  if (writers.size() == 1) return Submit(writers[0], std::move(task));
  auto r = std::make_shared<Rendezvous>();
  r->task = std::move(task);
  r->writers = writers;
  {
    // One multi-writer task at a time, each writer's lock in ascending order:
    // any two such tasks sit in the same relative order in every queue.
    std::lock_guard<std::mutex> order(submit_mu_);
    std::vector<std::unique_lock<std::mutex>> locks;
    for (int w : writers) locks.emplace_back(writers_[w]->mu);
    bool stopping = false;
    for (int w : writers) stopping |= writers_[w]->stopping;
    if (!stopping) {
      for (int w : writers) {
        writers_[w]->queue.push_back(Queued{WriteTask{}, r});
        writers_[w]->cv.notify_one();
      }
      return;
    }
  }
  r->task.done(Status::Of(Code::kUnavailable, "The server is shutting down"));
}

uint64_t ShardWriters::CommittedSequence(int writer) const {
  return writers_[writer]->sequence.load(std::memory_order_acquire);
}

void ShardWriters::Run(int index) {
  Writer& w = *writers_[index];
  std::vector<Queued> drain;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(w.mu);
      w.cv.wait(lock, [&] { return w.stopping || !w.queue.empty(); });
      if (w.queue.empty()) return;  // stopping and nothing left
      while (!w.queue.empty() && drain.size() < options_.max_drain_tasks) {
        drain.push_back(std::move(w.queue.front()));
        w.queue.pop_front();
      }
    }
    DrainView view(store_, {{index, w.written}});
    std::vector<std::function<void(const Status&)>> dones;
    size_t i = 0;
    for (; i < drain.size(); ++i) {
      if (drain[i].multi) {
        // Everything before the transaction commits first, so the
        // transaction's view holds every earlier write of this writer.
        if (!dones.empty() || view.batch_.Count() > 0) {
          Commit(view, std::move(dones));
          view = DrainView(store_, {{index, w.written}});
          dones.clear();
        }
        Arrive(*drain[i].multi, index);
        view = DrainView(store_, {{index, w.written}});
        continue;
      }
      drain[i].task.apply(view);
      dones.push_back(std::move(drain[i].task.done));
      if (view.ByteSize() >= options_.max_drain_bytes) {
        ++i;
        break;
      }
    }
    if (i < drain.size()) {
      // Over the byte cap: the rest go back to the front, in order.
      std::lock_guard<std::mutex> lock(w.mu);
      for (size_t j = drain.size(); j-- > i;) w.queue.push_front(std::move(drain[j]));
    }
    drain.clear();
    if (!dones.empty() || view.batch_.Count() > 0) Commit(view, std::move(dones));
  }
}

void ShardWriters::Arrive(Rendezvous& r, int index) {
  std::unique_lock<std::mutex> lock(r.mu);
  if (++r.arrived < r.writers.size()) {
    // Parked: the last writer to arrive runs the task for all of us; our
    // `written` may be advanced by it meanwhile (we are not touching it).
    r.cv.wait(lock, [&] { return r.finished; });
    return;
  }
  std::vector<std::pair<int, uint64_t>> sequences;
  for (int w : r.writers) sequences.emplace_back(w, writers_[w]->written);
  DrainView view(store_, std::move(sequences));
  r.task.apply(view);
  std::vector<std::function<void(const Status&)>> dones;
  dones.push_back(std::move(r.task.done));
  Commit(view, std::move(dones));
  r.finished = true;
  lock.unlock();
  r.cv.notify_all();
}

void ShardWriters::Commit(DrainView& view, std::vector<std::function<void(const Status&)>> dones) {
  PendingDrain pending;
  pending.dones = std::move(dones);
  for (const auto& [w, seq] : view.sequences_) {
    if (seq != writers_[w]->written) {
      std::string counter;
      AppendU64(&counter, seq);
      view.Put(Family::kMeta, SequenceCounterKey(w), counter);
      pending.wrote_records = true;
    }
  }
  pending.sequences = view.sequences_;
  pending.wrote = view.batch_.Count() > 0;
  if (pending.wrote) {
    Status written = store_->WriteUnsynced(&view.batch_);
    if (!written.ok()) {
      // Nothing of this drain is stored; its sequences are reused.
      pending.sequences.clear();
      Finish(pending, written);
      return;
    }
    for (const auto& [w, seq] : view.sequences_) writers_[w]->written = seq;
  }
  if (!syncer_.joinable()) {  // WAL durability: written is committed
    Finish(pending, Status::Ok());
    return;
  }
  // Even a drain that wrote nothing goes through the syncer, behind the
  // drains before it: the sequence it carries may still await their fsync.
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    sync_queue_.push_back(std::move(pending));
  }
  sync_cv_.notify_one();
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
    bool wrote = false;
    for (const auto& pending : batch) wrote |= pending.wrote;
    const Status synced = wrote ? store_->SyncWal() : Status::Ok();
    for (auto& pending : batch) Finish(pending, synced);
    batch.clear();
  }
}

void ShardWriters::Finish(PendingDrain& drain, const Status& commit) {
  if (commit.ok()) {
    for (const auto& [w, seq] : drain.sequences) {
      // Monotonic even if a later drain of this writer was published first.
      std::atomic<uint64_t>& published = writers_[w]->sequence;
      uint64_t prev = published.load(std::memory_order_relaxed);
      while (prev < seq && !published.compare_exchange_weak(prev, seq, std::memory_order_release)) {
      }
    }
    if (drain.wrote_records && options_.on_commit) {
      for (const auto& [w, seq] : drain.sequences) options_.on_commit(w);
    }
  }
  if (!drain.dones.empty()) Complete(std::move(drain.dones), commit);
}

void ShardWriters::Complete(std::vector<std::function<void(const Status&)>> dones, const Status& commit) {
  completions_in_flight_.fetch_add(1, std::memory_order_relaxed);
  auto work = [this, dones = std::move(dones), commit]() {
    for (auto& done : dones) done(commit);
    if (completions_in_flight_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(done_mu_);  // Stop may be about to wait
      done_cv_.notify_all();
    }
  };
  if (options_.completions) {
    options_.completions(std::move(work));
  } else {
    completer_->Post(std::move(work));
  }
}

}  // namespace streamer::storage
