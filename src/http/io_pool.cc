#include "http/io_pool.h"

#include <algorithm>
#include <exception>

namespace streamer::http {

IoPool::IoPool() = default;

IoPool::~IoPool() {
  Stop();
  Join();
}

void IoPool::Start(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (context_.stopped()) context_.restart();
  work_.emplace(context_.get_executor());
  for (unsigned i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      // A handler that throws must not take the process down with it: log-free
      // recovery is to keep running the loop.
      for (;;) {
        try {
          context_.run();
          return;
        } catch (const std::exception&) {
        } catch (...) {
        }
      }
    });
  }
}

void IoPool::Stop() {
  work_.reset();
  context_.stop();
}

void IoPool::Join() {
  for (auto& t : threads_) {
    if (!t.joinable()) continue;
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();  // joining ourselves would deadlock
    } else {
      t.join();
    }
  }
  threads_.clear();
}

}  // namespace streamer::http
