#include "streams/stream_reader.h"


namespace streamer::streams {

void CommitNotifier::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

uint64_t CommitNotifier::Wait(uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return closed_ || generation_ != seen; });
  return generation_;
}

uint64_t CommitNotifier::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

void CommitNotifier::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool CommitNotifier::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

}  // namespace streamer::streams
