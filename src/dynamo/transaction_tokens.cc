#include "dynamo/transaction_tokens.h"

namespace streamer::dynamo {

TransactionTokens::TransactionTokens(size_t capacity, int64_t window_millis)
    : capacity_(capacity), window_millis_(window_millis) {}

void TransactionTokens::EvictExpired(int64_t now_millis) {
  // Entries are finished roughly in claim order, so expired ones gather at
  // the front; stop at the first that still counts.
  while (!order_.empty()) {
    auto it = entries_.find(order_.front());
    if (it == entries_.end()) {
      order_.pop_front();
      continue;
    }
    if (!it->second.done || it->second.expires_millis > now_millis) break;
    order_.pop_front();
    entries_.erase(it);
  }
}

TransactionTokens::Outcome TransactionTokens::Begin(const std::string& token, const std::string& fingerprint,
                                                    int64_t now_millis) {
  std::lock_guard lock(mu_);
  EvictExpired(now_millis);
  auto it = entries_.find(token);
  if (it != entries_.end()) {
    Entry& e = it->second;
    if (e.done && e.expires_millis <= now_millis) {
      order_.erase(e.age);
      entries_.erase(it);
    } else if (e.fingerprint != fingerprint) {
      return {Claim::kMismatch, {}};
    } else if (!e.done) {
      return {Claim::kInProgress, {}};
    } else {
      return {Claim::kReplay, e.result};
    }
  }
  // Bounded: forget the oldest finished tokens first; one in flight is never
  // dropped (its owner will Finish or Release it).
  for (auto age = order_.begin(); entries_.size() >= capacity_ && age != order_.end();) {
    auto e = entries_.find(*age);
    if (e != entries_.end() && !e->second.done) {
      ++age;
      continue;
    }
    if (e != entries_.end()) entries_.erase(e);
    age = order_.erase(age);
  }
  order_.push_back(token);
  Entry e;
  e.fingerprint = fingerprint;
  e.age = std::prev(order_.end());
  entries_.emplace(token, std::move(e));
  return {Claim::kNew, {}};
}

void TransactionTokens::Finish(const std::string& token, json::object result, int64_t now_millis) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(token);
  if (it == entries_.end()) return;
  it->second.done = true;
  it->second.expires_millis = now_millis + window_millis_;
  it->second.result = std::move(result);
}

void TransactionTokens::Release(const std::string& token) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(token);
  if (it == entries_.end() || it->second.done) return;
  order_.erase(it->second.age);
  entries_.erase(it);
}

size_t TransactionTokens::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace streamer::dynamo
