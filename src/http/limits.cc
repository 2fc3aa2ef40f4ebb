#include "http/limits.h"

#include <sys/resource.h>

#include <algorithm>

namespace streamer::http {

SharedLimits::SharedLimits(size_t max_connections, size_t max_inflight_body_bytes)
    : max_connections_(EffectiveMaxConnections(max_connections)),
      max_body_bytes_(max_inflight_body_bytes) {}

bool SharedLimits::TryOpenConnection() {
  size_t n = connections_.load(std::memory_order_relaxed);
  do {
    if (n >= max_connections_) return false;
  } while (!connections_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
  refusing_.store(false, std::memory_order_relaxed);
  return true;
}

void SharedLimits::CloseConnection() { connections_.fetch_sub(1, std::memory_order_relaxed); }

bool SharedLimits::FirstRefusalOfBurst() { return !refusing_.exchange(true, std::memory_order_relaxed); }

bool SharedLimits::TryReserveBody(size_t bytes) {
  size_t n = body_bytes_.load(std::memory_order_relaxed);
  do {
    if (bytes > max_body_bytes_ || n > max_body_bytes_ - bytes) return false;
  } while (!body_bytes_.compare_exchange_weak(n, n + bytes, std::memory_order_relaxed));
  return true;
}

void SharedLimits::ReleaseBody(size_t bytes) { body_bytes_.fetch_sub(bytes, std::memory_order_relaxed); }

size_t DefaultMaxConnections() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 65536;
  const size_t limit = static_cast<size_t>(rl.rlim_cur);
  const size_t headroom = limit >= 512 ? 256 : limit / 2;
  return std::max<size_t>(1, limit - headroom);
}

size_t EffectiveMaxConnections(size_t requested) {
  if (requested == 0) return DefaultMaxConnections();
  // An operator's explicit value is kept up to the descriptor limit itself:
  // giving up the headroom is their call (the tests use it to exhaust
  // descriptors on purpose).
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return requested;
  return std::min(requested, static_cast<size_t>(rl.rlim_cur));
}

}  // namespace streamer::http
