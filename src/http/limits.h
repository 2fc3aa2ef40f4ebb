// Limits shared by every Server of the process (both ports count against the
// same numbers), so that no client can take the descriptors or the memory the
// rest of the process needs: the storage engine opens files (WAL, SSTs) and
// the exec handlers open pipes long after a burst of connections is gone.
#pragma once

#include <atomic>
#include <cstddef>

namespace streamer::http {

class SharedLimits {
 public:
  // 0 for max_connections: DefaultMaxConnections().
  SharedLimits(size_t max_connections, size_t max_inflight_body_bytes);

  // A slot for one more open connection; false at the cap.
  bool TryOpenConnection();
  void CloseConnection();
  // True once per burst of refusals: the first refusal after a connection
  // was accepted again (so a flood logs one line, not one per connection).
  bool FirstRefusalOfBurst();

  // Bytes of request bodies held in memory, across every connection.
  bool TryReserveBody(size_t bytes);
  void ReleaseBody(size_t bytes);

  size_t max_connections() const { return max_connections_; }
  size_t max_inflight_body_bytes() const { return max_body_bytes_; }
  size_t open_connections() const { return connections_.load(std::memory_order_relaxed); }
  size_t inflight_body_bytes() const { return body_bytes_.load(std::memory_order_relaxed); }

 private:
  const size_t max_connections_;
  const size_t max_body_bytes_;
  std::atomic<size_t> connections_{0};
  std::atomic<size_t> body_bytes_{0};
  std::atomic<bool> refusing_{false};
};

constexpr size_t kDefaultMaxInflightBodyBytes = 64 * 1024 * 1024;

// The soft RLIMIT_NOFILE minus headroom for everything that is not a client
// connection (RocksDB's files, function processes' pipes, listening sockets):
// 256 descriptors, or half the limit when it is below 512.
size_t DefaultMaxConnections();
// `requested` (0 = the default); an explicit value is kept up to the descriptor limit.
size_t EffectiveMaxConnections(size_t requested);

}  // namespace streamer::http
