// The embedded store: one RocksDB database with a column family per kind of
// data. Nothing above storage/ sees RocksDB: byte keys and values through
// Store, WriteBatch, Snapshot and Iterator, so the engine stays swappable.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/family.h"
#include "storage/write_batch.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Iterator;
class Snapshot;
}  // namespace rocksdb

namespace streamer::storage {

struct StoreOptions {
  std::string dir;
  Durability durability = Durability::kFsync;
};

class Store;

// A consistent read view of the whole store, released when destroyed.
class Snapshot {
 public:
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

 private:
  friend class Store;
  Snapshot(const Store* store, const rocksdb::Snapshot* snapshot) : store_(store), snapshot_(snapshot) {}
  const Store* store_;
  const rocksdb::Snapshot* snapshot_;
};

// An ordered cursor over one family. key()/value() are valid until the next move.
class Iterator {
 public:
  ~Iterator();
  void Seek(std::string_view key);         // first key >= key
  void SeekForPrev(std::string_view key);  // last key <= key
  void SeekToFirst();
  void SeekToLast();
  bool Valid() const;
  void Next();
  void Prev();
  std::string_view key() const;
  std::string_view value() const;
  // Why the iterator stopped early (I/O error, corruption); ok at the end.
  Status status() const;

 private:
  friend class Store;
  explicit Iterator(rocksdb::Iterator* it);
  std::unique_ptr<rocksdb::Iterator> it_;
};

// Whether the store takes writes right now, and if not, why. RocksDB stops
// all writes after an I/O error (a full disk, too many open files); the store
// retries RocksDB's Resume() in the background, so writes come back by
// themselves once the cause is gone. Reads keep working throughout.
struct StoreHealth {
  bool writable = true;
  std::string reason;  // e.g. "no space left on device (IO error: ...)"
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();

  // NotFound when the key does not exist.
  Status Get(Family f, std::string_view key, std::string* value) const;
  // Writes one batch atomically, with the store's durability.
  Status Write(WriteBatch* batch);
  // Writes one batch atomically to the WAL and memtables, without fsync:
  // readers see it at once; it is durable after the next SyncWal().
  Status WriteUnsynced(WriteBatch* batch);
  // Fsyncs everything written to the WAL so far.
  Status SyncWal();
  std::unique_ptr<Snapshot> NewSnapshot() const;
  // Iterator over a family, reading from `snapshot` (nullptr = latest).
  std::unique_ptr<Iterator> NewIterator(Family f, const Snapshot* snapshot = nullptr) const;
  // Deletes [begin, end) in a family (used by DeleteTable).
  Status DeleteRange(Family f, std::string_view begin, std::string_view end);
  // Flushes memtables and WAL (clean shutdown).
  Status Flush();

  // Cheap; for /health and error messages.
  StoreHealth Health() const;
  // Opened read-only because the disk was full at start: serves reads, every
  // write fails until a restart with free space.
  bool read_only() const { return read_only_; }
  Durability durability() const { return durability_; }

 private:
  friend class WriteBatch;
  friend class Snapshot;
  class ErrorRecovery;  // RocksDB background-error listener + resume thread (store.cc)
  Store() = default;
  rocksdb::ColumnFamilyHandle* handle(Family f) const { return handles_[static_cast<int>(f)]; }
  // A write's outcome; in a read-only store, worded by why it is read-only.
  Status WriteFailure(Status s) const;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  Durability durability_ = Durability::kFsync;
  std::shared_ptr<ErrorRecovery> recovery_;
  bool read_only_ = false;
};

// Big-endian fixed-width integers: they sort as numbers under memcmp.
void AppendU16(std::string* out, uint16_t v);
void AppendU32(std::string* out, uint32_t v);
void AppendU64(std::string* out, uint64_t v);
uint16_t ReadU16(std::string_view in);
uint32_t ReadU32(std::string_view in);
uint64_t ReadU64(std::string_view in);

// The smallest key greater than every key starting with `prefix`.
std::string PrefixEnd(std::string_view prefix);

}  // namespace streamer::storage
