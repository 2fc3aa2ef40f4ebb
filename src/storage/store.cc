#include "storage/store.h"

#include <rocksdb/convenience.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include <rocksdb/db.h>

namespace streamer::storage {

namespace {
const char* kFamilyNames[kFamilyCount] = {"default", "items", "stream", "checkpoints"};

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

bool IsNoSpace(const rocksdb::Status& s) {
  return s.IsNoSpace() || s.ToString().find("No space left on device") != std::string::npos;
}

// What stopped the store, in words an operator can act on, then RocksDB's own.
std::string Describe(const rocksdb::Status& s) {
  const std::string text = s.ToString();
  std::string cause;
  if (IsNoSpace(s)) {
    cause = "no space left on device";
  } else if (text.find("Too many open files") != std::string::npos) {
    cause = "too many open files";
  }
  return cause.empty() ? text : cause + " (" + text + ")";
}

// The engine's status as ours: the kind decides the code, the text says why.
Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  const std::string why = "storage: " + Describe(s);
  if (s.IsNotFound()) return Status::NotFound(why);
  if (s.IsCorruption()) return Status::Corruption(why);
  if (IsNoSpace(s)) return Status::Of(Code::kNoSpace, why);
  if (s.IsIOError()) return Status::IOError(why);
  return Status::Internal(why);
}

// RocksDB's info log goes to our stderr, not to a LOG file in the data
// directory: on a full disk the LOG file fails one write and its writer
// then trips an assertion (abort) on the next. Errors only; the store
// reports write stops and recoveries itself.
class StderrLogger : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::ERROR_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    size_t n = std::strlen(line);
    while (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
    std::fprintf(stderr, "rocksdb: %s\n", line);
  }
};
}  // namespace

// Keeps the store writable across passing I/O errors. RocksDB stops every
// write after an I/O error in the WAL, a flush or a memtable switch, and
// calls most of them fatal (only a restart clears those). The usual causes, a
// full disk or too many open files, go away, and nothing is lost: the data
// is in the memtables and the WAL. So this listener lowers such errors to
// "hard" (writes stop, Resume() can clear it: it flushes the memtables to new
// files and starts a new WAL) and a thread calls Resume() with backoff until
// it succeeds. Corruption stays fatal.
class Store::ErrorRecovery : public rocksdb::EventListener {
 public:
  ~ErrorRecovery() override { Stop(); }

  // Starts retrying Resume() on `db` whenever writes are stopped.
  void Attach(rocksdb::DB* db) {
    std::lock_guard<std::mutex> lock(mu_);
    db_ = db;
    thread_ = std::thread([this] { Run(); });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void SetReadOnly(std::string reason) {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    reason_ = std::move(reason);
  }

  StoreHealth Health() const {
    std::lock_guard<std::mutex> lock(mu_);
    return StoreHealth{!stopped_, reason_};
  }

  // Whether a memtable switch failed since the open (see ~Store).
  bool memtable_switch_failed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return memtable_switch_failed_;
  }

  // Called by RocksDB (its mutex released) before it records the error.
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override {
    if (error->ok()) return;
    if (reason == rocksdb::BackgroundErrorReason::kMemTable) {
      std::lock_guard<std::mutex> lock(mu_);
      memtable_switch_failed_ = true;
    }
    using Severity = rocksdb::Status::Severity;
    if (error->IsIOError() && !error->IsIOFenced() && error->severity() == Severity::kFatalError) {
      *error = rocksdb::Status(*error, Severity::kHardError);
    }
    // A soft error (a compaction out of space) keeps writes and compactions
    // going. "No error" here means RocksDB retries a retryable I/O error
    // itself, which stops writes as a hard error does.
    if (error->severity() == Severity::kSoftError) {
      std::fprintf(stderr, "streamer: storage: background error, writes continue: %s\n",
                   Describe(*error).c_str());
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
    reason_ = Describe(*error);
    if (!stopped_) {
      stopped_ = true;
      stopped_at_ = std::chrono::steady_clock::now();
      last_report_ = stopped_at_;
      std::fprintf(stderr, "streamer: storage: writes stopped: %s; retrying in the background\n",
                   reason_.c_str());
    }
    cv_.notify_all();
  }

  // The thread below does all recovery. RocksDB's own, for a full disk, polls
  // every 5 s, may wait for more free space than it needs (after a failed
  // compaction), and answers our Resume() with Busy meanwhile. A soft error
  // does not stop writes; the next successful Resume() clears it.
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }

 private:
  void Run() {
    using namespace std::chrono;
    std::unique_lock<std::mutex> lock(mu_);
    milliseconds backoff{0};
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || stopped_; });
      if (stopping_) return;
      backoff = std::min(milliseconds(1000), std::max(milliseconds(50), backoff * 2));
      if (cv_.wait_for(lock, backoff, [&] { return stopping_; })) return;
      const uint64_t generation = generation_;
      lock.unlock();
      rocksdb::Status s = db_->Resume();
      lock.lock();
      // An error that came in during Resume() needs another one: Resume()
      // returns ok at once when nothing is stopped.
      if (s.ok() && generation == generation_) {
        stopped_ = false;
        backoff = milliseconds(0);
        std::fprintf(stderr, "streamer: storage: writes resumed after %.1f s (%s)\n",
                     duration<double>(steady_clock::now() - stopped_at_).count(), reason_.c_str());
        reason_.clear();
      } else if (!s.ok() && steady_clock::now() - last_report_ > seconds(30)) {
        // Busy: RocksDB is retrying a retryable I/O error itself (every second).
        last_report_ = steady_clock::now();
        std::fprintf(stderr, "streamer: storage: writes still stopped: %s\n",
                     s.IsBusy() ? (reason_ + "; RocksDB is retrying").c_str() : Describe(s).c_str());
      }
    }
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  rocksdb::DB* db_ = nullptr;
  std::thread thread_;
  bool stopping_ = false;
  bool stopped_ = false;     // writes fail until Resume() succeeds
  uint64_t generation_ = 0;  // errors seen so far
  bool memtable_switch_failed_ = false;
  std::string reason_;
  std::chrono::steady_clock::time_point stopped_at_, last_report_;
};

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::Internal("cannot create data directory " + options.dir + ": " + ec.message());

  auto recovery = std::make_shared<ErrorRecovery>();
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // Several writer threads commit at once; let RocksDB merge their WAL writes.
  db_options.enable_pipelined_write = true;
  // No WAL recycling: RocksDB 7 turns it off under point-in-time WAL recovery
  // anyway, which is what we want (a torn last record, after a crash or a
  // full disk, is dropped; nothing before it).
  db_options.max_open_files = 512;
  // A new MANIFEST every 64 MB instead of 1 GB: bounded on a small disk.
  db_options.max_manifest_file_size = 64 << 20;
  db_options.info_log = std::make_shared<StderrLogger>();
  db_options.listeners.push_back(recovery);

  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.OptimizeLevelStyleCompaction(64 << 20);
  // A bloom filter over the memtable's keys: most point reads of the write
  // path (the writer reads every item it writes; a new item is a miss) and of
  // GetItem end in the memtable, where a miss otherwise walks the skip list.
  cf_options.memtable_whole_key_filtering = true;
  cf_options.memtable_prefix_bloom_size_ratio = 0.05;
  rocksdb::BlockBasedTableOptions table_options;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int i = 0; i < kFamilyCount; ++i) families.emplace_back(kFamilyNames[i], cf_options);

  std::unique_ptr<Store> store(new Store());
  store->durability_ = options.durability;
  store->recovery_ = recovery;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.dir, families, &store->handles_, &raw);
  if (!s.ok() && IsNoSpace(s)) {
    // Opening for writes needs a little space (a new MANIFEST and WAL); a
    // read-only open needs none and still replays the WAL, so every
    // acknowledged write is served.
    store->handles_.clear();
    rocksdb::Status ro =
        rocksdb::DB::OpenForReadOnly(db_options, options.dir, families, &store->handles_, &raw);
    if (ro.ok()) {
      store->read_only_ = true;
      recovery->SetReadOnly("no space left on device when the store opened: serving reads only, "
                            "restart once space is free (" + s.ToString() + ")");
      std::fprintf(stderr, "streamer: storage: %s: %s\n", options.dir.c_str(),
                   recovery->Health().reason.c_str());
      store->db_.reset(raw);
      return store;
    }
  }
  if (!s.ok()) return Status::Internal("cannot open store in " + options.dir + ": " + Describe(s));
  store->db_.reset(raw);
  recovery->Attach(raw);
  return store;
}

Store::~Store() {
  if (recovery_) recovery_->Stop();  // no Resume() while the database closes
  if (!db_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  if (recovery_ && recovery_->memtable_switch_failed()) {
    // RocksDB 7.8 leaks a column family reference when a memtable switch
    // fails (ScheduleFlushes stops releasing them at the first error; fixed
    // upstream later), and closing the database then fails an assertion: an
    // abort at exit. Everything is on disk already (Flush() wrote the
    // memtables, the WAL is synced): stop the background work and let the
    // process exit release the rest, the LOCK included.
    rocksdb::CancelAllBackgroundWork(db_.get(), /*wait=*/true);
    db_->SyncWAL().PermitUncheckedError();
    std::fprintf(stderr, "streamer: storage: not closing RocksDB after a failed memtable switch "
                         "(a RocksDB 7.8 bug would abort); the data is on disk\n");
    (void)db_.release();
    return;
  }
  db_->Close().PermitUncheckedError();
}

StoreHealth Store::Health() const { return recovery_->Health(); }

Status Store::WriteFailure(Status s) const {
  if (read_only_ && !s.ok()) return Status::IOError("storage: " + recovery_->Health().reason);
  return s;
}

Status Store::Get(Family f, std::string_view key, std::string* value) const {
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(f), ToSlice(key), value);
  if (s.IsNotFound()) return Status::NotFound();
  return FromRocks(s);
}

Status Store::Write(WriteBatch* batch) {
  rocksdb::WriteOptions wo;
  wo.sync = durability_ == Durability::kFsync;
  return WriteFailure(FromRocks(db_->Write(wo, batch->batch_.get())));
}

Status Store::WriteUnsynced(WriteBatch* batch) {
  return WriteFailure(FromRocks(db_->Write(rocksdb::WriteOptions(), batch->batch_.get())));
}

Status Store::SyncWal() { return WriteFailure(FromRocks(db_->SyncWAL())); }

std::unique_ptr<Snapshot> Store::NewSnapshot() const {
  return std::unique_ptr<Snapshot>(new Snapshot(this, db_->GetSnapshot()));
}

Snapshot::~Snapshot() { store_->db_->ReleaseSnapshot(snapshot_); }

std::unique_ptr<Iterator> Store::NewIterator(Family f, const Snapshot* snapshot) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot ? snapshot->snapshot_ : nullptr;
  return std::unique_ptr<Iterator>(new Iterator(db_->NewIterator(ro, handle(f))));
}

Iterator::Iterator(rocksdb::Iterator* it) : it_(it) {}
Iterator::~Iterator() = default;
void Iterator::Seek(std::string_view key) { it_->Seek(ToSlice(key)); }
void Iterator::SeekForPrev(std::string_view key) { it_->SeekForPrev(ToSlice(key)); }
void Iterator::SeekToFirst() { it_->SeekToFirst(); }
void Iterator::SeekToLast() { it_->SeekToLast(); }
bool Iterator::Valid() const { return it_->Valid(); }
void Iterator::Next() { it_->Next(); }
void Iterator::Prev() { it_->Prev(); }
std::string_view Iterator::key() const {
  rocksdb::Slice k = it_->key();
  return std::string_view(k.data(), k.size());
}
std::string_view Iterator::value() const {
  rocksdb::Slice v = it_->value();
  return std::string_view(v.data(), v.size());
}
Status Iterator::status() const { return FromRocks(it_->status()); }

WriteBatch::WriteBatch(const Store* store) : store_(store), batch_(std::make_unique<rocksdb::WriteBatch>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;
void WriteBatch::Put(Family f, std::string_view key, std::string_view value) {
  batch_->Put(store_->handle(f), ToSlice(key), ToSlice(value));
}
void WriteBatch::Delete(Family f, std::string_view key) { batch_->Delete(store_->handle(f), ToSlice(key)); }
void WriteBatch::DeleteRange(Family f, std::string_view begin, std::string_view end) {
  batch_->DeleteRange(store_->handle(f), ToSlice(begin), ToSlice(end));
}
size_t WriteBatch::Count() const { return batch_->Count(); }
size_t WriteBatch::ByteSize() const { return batch_->GetDataSize(); }
void WriteBatch::Clear() { batch_->Clear(); }

Status Store::DeleteRange(Family f, std::string_view begin, std::string_view end) {
  rocksdb::WriteOptions wo;
  wo.sync = durability_ == Durability::kFsync;
  if (read_only_) return WriteFailure(Status::Internal("read-only"));
  return FromRocks(db_->DeleteRange(wo, handle(f), rocksdb::Slice(begin.data(), begin.size()),
                                    rocksdb::Slice(end.data(), end.size())));
}

Status Store::Flush() {
  if (read_only_) return Status::Ok();  // nothing was written
  rocksdb::FlushOptions fo;
  fo.wait = true;
  for (auto* h : handles_) {
    rocksdb::Status s = db_->Flush(fo, h);
    if (!s.ok()) return FromRocks(s);
  }
  return FromRocks(db_->FlushWAL(true));
}

void AppendU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}
void AppendU32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (i * 8)));
}
void AppendU64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(v >> (i * 8)));
}
uint16_t ReadU16(std::string_view in) {
  return static_cast<uint16_t>((static_cast<uint8_t>(in[0]) << 8) | static_cast<uint8_t>(in[1]));
}
uint32_t ReadU32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
uint64_t ReadU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<uint8_t>(end.back()) != 0xff) {
      end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(64, '\xff');  // prefix was all 0xff: nothing sorts after it in practice
}

}  // namespace streamer::storage
