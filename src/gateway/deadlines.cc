#include "gateway/deadlines.h"

namespace streamer::gateway {

Deadlines::Deadlines() : thread_([this] { Run(); }) {}
Deadlines::~Deadlines() { Stop(); }

void Deadlines::At(std::chrono::steady_clock::time_point when, std::function<void()> fn) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  queue_.emplace(when, std::move(fn));
  cv_.notify_one();
}

void Deadlines::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    queue_.clear();
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void Deadlines::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = queue_.begin();
    if (std::chrono::steady_clock::now() < first->first) {
      cv_.wait_until(lock, first->first);
      continue;
    }
    std::function<void()> fn = std::move(first->second);
    queue_.erase(first);
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace streamer::gateway
