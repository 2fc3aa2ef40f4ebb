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

  rocksdb::ColumnFamilyHandle* handle(Family f) const { return handles_[static_cast<int>(f)]; }
  rocksdb::DB* db() const { return db_.get(); }
  Durability durability() const { return durability_; }

 private:
  Store() = default;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  Durability durability_ = Durability::kFsync;
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
