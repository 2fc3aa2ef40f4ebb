// FNV-1a: the one stable, non-cryptographic hash of the project (partition
// key -> stream shard, parallel-scan segments, stable ids). Its values are
// persisted in effect (which shard holds a key), so it must never change.
#pragma once

#include <cstdint>
#include <string_view>

namespace streamer {

inline constexpr uint64_t kFnvOffsetBasis = 1469598103934665603ull;

inline uint64_t Fnv1a(std::string_view bytes, uint64_t basis = kFnvOffsetBasis) {
  uint64_t h = basis;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace streamer
