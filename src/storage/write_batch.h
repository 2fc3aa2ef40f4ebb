// A batch of writes to the store, applied atomically by Store::Write. Wraps
// the engine's batch so nothing above storage/ sees RocksDB types.
#pragma once

#include <memory>
#include <string_view>

#include "storage/family.h"

namespace rocksdb {
class WriteBatch;
}

namespace streamer::storage {

class Store;

class WriteBatch {
 public:
  explicit WriteBatch(const Store* store);
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;

  void Put(Family f, std::string_view key, std::string_view value);
  void Delete(Family f, std::string_view key);
  // Deletes every key in [begin, end) of a family (one range tombstone).
  void DeleteRange(Family f, std::string_view begin, std::string_view end);
  size_t Count() const;
  // Bytes the batch holds (keys, values and framing).
  size_t ByteSize() const;
  void Clear();

 private:
  friend class Store;
  const Store* store_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
};

}  // namespace streamer::storage
