// What lives where in the store, and how durable a write is.
#pragma once

namespace streamer::storage {

// Keys in every family start with a 4-byte big-endian table id where they
// belong to a table, so a table's data is one contiguous range.
enum class Family {
  kMeta,         // table definitions, id and sequence counters
  kItems,        // [table id][encoded key] -> item
  kStream,       // [records id][shard u16][sequence u64] -> stream record JSON;
                 // [records id][shard u16] -> the shard's trim horizon (u64)
  kCheckpoints,  // event source mapping checkpoints
};
inline constexpr int kFamilyCount = 4;

enum class Durability {
  kFsync,  // every group commit is fsynced before clients are answered
  kWal,    // written to the WAL (survives a process crash, not a power loss)
};

}  // namespace streamer::storage
