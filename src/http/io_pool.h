// IoPool: the io_context every network component runs on, plus the threads
// that run it. Servers, clients and timers share one pool.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <thread>
#include <vector>

namespace streamer::http {

class IoPool {
 public:
  IoPool();
  ~IoPool();  // Stop() + Join()
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // Starts `threads` threads running the context (0 = hardware threads).
  // The context keeps running with no work until Stop().
  void Start(unsigned threads = 0);
  // Stops the context: pending handlers are abandoned, run() returns.
  // Safe from any thread, including a pool thread.
  void Stop();
  // Waits for the threads to end. Never call it from a pool thread.
  void Join();

  boost::asio::io_context& context() { return context_; }
  unsigned thread_count() const { return static_cast<unsigned>(threads_.size()); }

 private:
  boost::asio::io_context context_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
};

}  // namespace streamer::http
