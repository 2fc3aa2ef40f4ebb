// The checkpoint store: where a stream consumer (an event source mapping)
// keeps its position per shard, durably. One of the three storage seams
// (with the item backend and the stream source). The embedded store keeps
// them in its checkpoints family; a remote backend can keep them as leases
// in a table with conditional writes, so several nodes share one stream.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace streamer::storage {

class Store;

class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // The saved position under `key`, nullopt when none was saved.
  virtual Result<std::optional<uint64_t>> Load(std::string_view key) const = 0;
  // Saves a position; durable when it returns ok.
  virtual Status Save(std::string_view key, uint64_t sequence) = 0;
  // Whether Save can succeed now (false while the store's writes are stopped,
  // e.g. a full disk): a consumer then waits instead of delivering a batch it
  // could not checkpoint, which would only deliver it again and again.
  virtual bool Writable() const = 0;
};

std::unique_ptr<CheckpointStore> NewEmbeddedCheckpointStore(Store* store);

}  // namespace streamer::storage
