// Lambda's Runtime API (version 2018-06-01), one endpoint per worker process.
//
// A worker (a runtime interface client: our python/node bootstraps, AWS's
// aws-lambda-ric, a provided.* bootstrap) finds its endpoint in
// AWS_LAMBDA_RUNTIME_API and speaks to it alone, so everything it says
// belongs to that worker: a timeout or a crash fails exactly its invocation.
//
//   GET  /2018-06-01/runtime/invocation/next            long poll: the next event
//   POST /2018-06-01/runtime/invocation/{id}/response   202
//   POST /2018-06-01/runtime/invocation/{id}/error      202
//   POST /2018-06-01/runtime/init/error                 202 (before the first /next only)
//
// Errors, as Lambda's runtime API answers them ({"errorMessage","errorType"}):
//   400 InvalidRequestID        an id that is not the invocation in flight
//   403 InvalidStateTransition  a second answer for one invocation, /next while an
//                               invocation is unanswered, /init/error after init
//   413 RequestEntityTooLarge   a response over 6291556 bytes (the invocation then
//                               fails with Function.ResponseSizeTooLarge)
//   404 / 405                   unknown path / method
//
// RuntimeChannel is the shared state between the worker's HTTP requests (on
// an I/O thread; never blocking) and the thread that runs the invocation,
// which waits on ready_fd() (an eventfd) alongside the worker's pipes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/subprocess.h"
#include "http/io_pool.h"
#include "http/server.h"

namespace streamer::functions::runtime {

// Lambda's limit for a synchronous response (6 MB as Lambda counts it).
inline constexpr size_t kMaxResponseBytes = 6291556;

struct Invocation {
  std::string request_id;
  std::string payload;
  std::string function_arn;
  std::string trace_id;
  std::string client_context;    // "" = header not sent
  std::string cognito_identity;  // "" = header not sent
  int64_t timeout_ms = 3000;     // the deadline header is handout time + this
};

struct RuntimeOutcome {
  enum class Kind { kResponse, kError, kInitError, kResponseTooLarge };
  Kind kind = Kind::kResponse;
  std::string body;
  std::string error_type;  // Lambda-Runtime-Function-Error-Type, "" = not sent
};

class RuntimeChannel {
 public:
  using Clock = std::chrono::steady_clock;
  RuntimeChannel();
  RuntimeChannel(const RuntimeChannel&) = delete;
  RuntimeChannel& operator=(const RuntimeChannel&) = delete;

  // Readable whenever Progress() may have changed.
  int ready_fd() const { return ready_.get(); }

  // Starts an invocation: handed to the worker's pending /next at once, or
  // to its next /next. One at a time (after Finish() of the previous one).
  void Offer(Invocation invocation);
  struct Progress {
    // The runtime sits in /next with nothing to do (or reported an init
    // error before any Offer): an Offer now is handed out at once.
    bool runtime_waiting = false;
    bool handed_out = false;
    Clock::time_point handed_at;
    std::optional<RuntimeOutcome> outcome;
  };
  // Clears ready_fd() and says where the current invocation is.
  Progress Poll();
  // The current invocation is over (answered, timed out, crashed): later
  // answers for its id get 403, the next Offer may come.
  void Finish();
  // The worker is going away: a pending /next is answered with 500 so that
  // no Respond outlives the I/O pool.
  void Close();

  // One Runtime API request (called on an I/O thread).
  void Handle(http::Request&& request, http::Respond respond);

 private:
  void Signal();
  void HandOut(const http::Respond& respond);  // mu_ held
  void Answer(http::Request& request, std::string_view id, bool is_error, const http::Respond& respond);

  Fd ready_;
  std::mutex mu_;
  bool closed_ = false;
  bool initialized_ = false;  // a /next was seen: /init/error is too late
  http::Respond pending_next_;
  std::optional<Invocation> current_;
  bool handed_out_ = false;
  Clock::time_point handed_at_;
  std::optional<RuntimeOutcome> outcome_;
  std::optional<RuntimeOutcome> early_init_error_;  // /init/error before any Offer
  std::string finished_id_;  // the last finished invocation's id
};

// A Runtime API endpoint on 127.0.0.1:<ephemeral port> serving one channel.
class RuntimeApiServer {
 public:
  static Result<std::unique_ptr<RuntimeApiServer>> Start(std::shared_ptr<RuntimeChannel> channel);
  ~RuntimeApiServer();  // closes the port and every connection (no waiting)
  uint16_t port() const { return server_->port(); }

 private:
  RuntimeApiServer() = default;
  std::shared_ptr<http::IoPool> pool_;
  std::unique_ptr<http::Server> server_;
};

// The I/O threads of every Runtime API endpoint in the process (one thread:
// the traffic is a few small requests per invocation); kept while in use.
std::shared_ptr<http::IoPool> SharedRuntimeIoPool();

}  // namespace streamer::functions::runtime
