// Runs callbacks at deadlines on one thread: the integration timeouts (504)
// of integrations still running.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace streamer::gateway {

class Deadlines {
 public:
  Deadlines();
  ~Deadlines();  // Stop()
  void At(std::chrono::steady_clock::time_point when, std::function<void()> fn);
  // Drops what is queued (its callbacks never run) and joins the thread.
  void Stop();

 private:
  void Run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace streamer::gateway
