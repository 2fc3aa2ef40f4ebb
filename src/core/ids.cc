#include "core/ids.h"

#include <cstdint>
#include <random>

namespace streamer {

namespace {
// One generator per thread: ids are made on every request, so no lock.
std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}
}  // namespace

std::string RandomHex(size_t bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  uint64_t pool = 0;
  for (size_t i = 0; i < bytes; ++i) {
    if (i % 8 == 0) pool = Rng()();
    uint8_t b = static_cast<uint8_t>(pool >> ((i % 8) * 8));
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string NewUuid() {
  std::string h = RandomHex(16);
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

}  // namespace streamer
