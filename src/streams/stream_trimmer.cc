#include "streams/stream_trimmer.h"

#include <cstdio>

#include "core/clock.h"

namespace streamer::streams {

StreamTrimmer::StreamTrimmer(dynamo::TableCatalog* catalog, StreamSource* source,
                             std::chrono::milliseconds retention, std::chrono::milliseconds interval)
    : catalog_(catalog), source_(source), retention_(retention), interval_(interval) {}

StreamTrimmer::~StreamTrimmer() { Stop(); }

void StreamTrimmer::Start() { thread_ = std::thread([this] { Run(); }); }

void StreamTrimmer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool StreamTrimmer::stopping() {
  std::lock_guard lock(mu_);
  return stopping_;
}

void StreamTrimmer::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    TrimOnce();
    lock.lock();
  }
}

void StreamTrimmer::TrimOnce() {
  const int64_t cut = NowMillis() - retention_.count();
  for (const dynamo::TablePtr& table : catalog_->List()) {
    // The current stream and every disabled one still kept with the table.
    std::vector<dynamo::TablePtr> streams;
    if (table->has_stream()) streams.push_back(table);
    for (const dynamo::PastStream& past : table->past_streams) {
      if (auto s = table->StreamOf(past.arn)) streams.push_back(s);
    }
    for (const dynamo::TablePtr& stream : streams) {
      for (int shard = 0; shard < source_->ShardCount(*stream); ++shard) {
        if (stopping()) return;
        auto trimmed = source_->TrimBefore(*stream, shard, cut);
        if (!trimmed) {
          // Storage trouble (a full disk): the next pass tries again.
          std::fprintf(stderr, "streams: trimming %s shard %d: %s\n", stream->stream_arn.c_str(), shard,
                       trimmed.status().message().c_str());
        }
      }
    }
  }
}

}  // namespace streamer::streams
