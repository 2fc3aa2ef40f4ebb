// The notifier that wakes stream consumers when a commit lands (no polling
// delay). Reading goes through StreamSource (stream_source.h).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>


namespace streamer::streams {

// A generation counter bumped on every commit that wrote stream records.
class CommitNotifier {
 public:
  void Notify();
  // Waits until the generation differs from `seen` or `timeout` passes;
  // returns the current generation.
  uint64_t Wait(uint64_t seen, std::chrono::milliseconds timeout);
  uint64_t generation() const;
  // Wakes every waiter for good (shutdown).
  void Close();
  bool closed() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
  bool closed_ = false;
};

}  // namespace streamer::streams
