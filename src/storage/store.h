// The embedded store: one RocksDB database with a column family per kind of
// data. Everything above this file sees byte keys and byte values only, so the
// store can later be swapped for a distributed engine behind the same calls.
#pragma once

#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace streamer::storage {

// What lives where. Keys in every family start with a 4-byte big-endian table
// id where they belong to a table, so a table's data is one contiguous range.
enum class Family {
  kMeta,         // table definitions, id and sequence counters
  kItems,        // [table id][encoded key] -> item JSON
  kStream,       // [table id][shard u16][sequence u64] -> stream record JSON
  kCheckpoints,  // event source mapping checkpoints
};

enum class Durability {
  kFsync,  // every group commit is fsynced before clients are answered
  kWal,    // written to the WAL (survives a process crash, not a power loss)
};

struct StoreOptions {
  std::string dir;
  Durability durability = Durability::kFsync;
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

  Status Get(Family f, std::string_view key, std::string* value) const;
  // Writes one batch atomically, with the store's durability.
  Status Write(rocksdb::WriteBatch* batch);
  // Writes one batch atomically to the WAL and memtables, without fsync:
  // readers see it at once; it is durable after the next SyncWal().
  Status WriteUnsynced(rocksdb::WriteBatch* batch);
  // Fsyncs everything written to the WAL so far.
  Status SyncWal();
  // Iterator over a family, reading from `snapshot` (nullptr = latest).
  std::unique_ptr<rocksdb::Iterator> NewIterator(Family f,
                                                 const rocksdb::Snapshot* snapshot = nullptr) const;
  // Deletes [begin, end) in a family (used by DeleteTable).
  Status DeleteRange(Family f, std::string_view begin, std::string_view end);
  // Flushes memtables and WAL (clean shutdown).
  Status Flush();

  // Cheap; for /health and error messages.
  StoreHealth Health() const;
  // Opened read-only because the disk was full at start: serves reads, every
  // write fails until a restart with free space.
  bool read_only() const { return read_only_; }

  rocksdb::ColumnFamilyHandle* handle(Family f) const { return handles_[static_cast<int>(f)]; }
  rocksdb::DB* db() const { return db_.get(); }
  Durability durability() const { return durability_; }

 private:
  class ErrorRecovery;  // RocksDB background-error listener + resume thread (store.cc)
  Store() = default;
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
