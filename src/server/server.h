// Wiring: builds every part from a Stack, serves the two ports, and owns the
// threads and their orderly shutdown.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "stack/stack.h"
#include "storage/store.h"

namespace streamer::server {

int DefaultShards();

struct ServerConfig {
  std::string data_dir = ".streamer-data";
  std::string bind_address = "0.0.0.0";
  uint16_t port = 8000;          // AWS APIs: DynamoDB, Streams, health
  uint16_t gateway_port = 3000;  // API Gateway routes
  bool gateway_access_log = false;  // an access-log line per gateway request on stdout
  storage::Durability durability = storage::Durability::kFsync;
  // Writer shards = stream shards per table. One writer per two cores: on
  // the 2-core target one writer groups more writes per fsync and switches
  // threads less than several did (bench/: ~20% more PutItem/s than 4).
  int shards = DefaultShards();
  unsigned io_threads = 0;       // 0 = one per core
  // Both ports together (http::SharedLimits): 0 = RLIMIT_NOFILE minus headroom.
  size_t max_connections = 0;
  size_t max_inflight_body_bytes = 64 * 1024 * 1024;
  std::string region = "us-east-1";
  // How often expired items (TTL) are looked for and deleted.
  int ttl_sweep_interval_ms = 5000;
  // Stream records older than this are trimmed (AWS: 24 hours); fractions
  // are allowed (tests use a few seconds).
  double stream_retention_hours = 24;
  // How often the trimmer looks for records past the retention.
  int stream_trim_interval_ms = 5000;
  // How long a shard iterator can be used (AWS: 15 minutes; tests shorten it).
  int stream_iterator_ttl_seconds = 900;
};

class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(const stack::Stack& stack, const ServerConfig& config);
  ~Server();
  uint16_t port() const;
  uint16_t gateway_port() const;
  // Stops accepting, finishes requests in flight and queued writes, stops
  // the event source mappings, flushes the store.
  void Stop();

 private:
  Server();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamer::server
