// Retention: one background thread (for every table) that trims stream
// records older than the retention period (AWS: 24 hours) from every shard
// of every stream, current and disabled ones. Each trim is a range delete of
// the shard's oldest records plus its new trim horizon, in one write of its
// own: writers never wait for it, and readers see a shard before or after a
// trim, never half of one (StreamSource::TrimBefore).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "dynamo/table_catalog.h"
#include "streams/stream_source.h"

namespace streamer::streams {

class StreamTrimmer {
 public:
  StreamTrimmer(dynamo::TableCatalog* catalog, StreamSource* source, std::chrono::milliseconds retention,
                std::chrono::milliseconds interval);
  ~StreamTrimmer();  // Stop()
  void Start();
  // Finishes the shard being trimmed and joins (before the writers stop).
  void Stop();
  // One pass over every stream now (also what the thread runs each interval).
  void TrimOnce();

 private:
  void Run();
  bool stopping();

  dynamo::TableCatalog* catalog_;
  StreamSource* source_;
  std::chrono::milliseconds retention_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace streamer::streams
