// ClientRequestToken idempotency for TransactWriteItems: the same token with
// the same request within 10 minutes answers the first result without writing
// again; the same token with another request is an
// IdempotentParameterMismatchException; while the first is still being
// committed, a second is a TransactionInProgressException.
//
// In memory and bounded (the oldest tokens are forgotten first when full):
// tokens do not survive a restart (COMPATIBILITY.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/json.h"

namespace streamer::dynamo {

class TransactionTokens {
 public:
  static constexpr int64_t kWindowMillis = 10 * 60 * 1000;
  explicit TransactionTokens(size_t capacity = 10000, int64_t window_millis = kWindowMillis);

  enum class Claim {
    kNew,         // not seen (or expired): the caller runs the transaction, then Finish or Release
    kReplay,      // done before with the same request: `result` holds its answer
    kInProgress,  // the same token is being committed right now
    kMismatch,    // the token was used for a different request
  };
  struct Outcome {
    Claim claim = Claim::kNew;
    json::object result;
  };
  // `fingerprint` identifies the request (its members that must match).
  Outcome Begin(const std::string& token, const std::string& fingerprint, int64_t now_millis);
  // The transaction of a kNew Begin committed: remember its answer for the
  // window, counted from now.
  void Finish(const std::string& token, json::object result, int64_t now_millis);
  // The transaction of a kNew Begin wrote nothing (cancelled, refused): the
  // token may be used again.
  void Release(const std::string& token);

  size_t size() const;

 private:
  struct Entry {
    std::string fingerprint;
    bool done = false;
    int64_t expires_millis = 0;  // done entries only
    json::object result;
    std::list<std::string>::iterator age;  // position in order_
  };
  void EvictExpired(int64_t now_millis);

  const size_t capacity_;
  const int64_t window_millis_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> order_;  // oldest first (by claim)
};

}  // namespace streamer::dynamo
