// A fixed set of threads running posted work in order of arrival. For work
// that may block (range reads, table DDL that fsyncs) and so must not run on
// the I/O threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace streamer {

class WorkerPool {
 public:
  // `name` names the threads (visible in top/perf as "<name>-<i>").
  WorkerPool(std::string name, int threads);
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `work`; after Stop() it runs on the caller's thread instead, so
  // nothing posted is ever dropped.
  void Post(std::function<void()> work);
  // Runs what is queued, then joins the threads.
  void Stop();

 private:
  void Run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// Names the calling thread (at most 15 characters are kept).
void SetThreadName(const std::string& name);

}  // namespace streamer
