// A small blocking HTTP/1.1 client: one connection per call. For gateway HTTP
// integrations and tests; not for hot paths.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/server.h"

namespace boost::asio {
class io_context;
}

namespace streamer::http {

// Ends the calls in flight that were given it and makes later ones fail at
// once (both with "Unavailable"). Thread-safe; must outlive those calls.
class CallCanceller {
 public:
  void Cancel();
  bool cancelled() const;
  // Used by HttpCall: false when already cancelled.
  bool Enter(boost::asio::io_context* call);
  void Leave(boost::asio::io_context* call);

 private:
  mutable std::mutex mu_;
  bool cancelled_ = false;
  std::vector<boost::asio::io_context*> running_;
};

struct CallOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // whole call: connect to last byte
  size_t max_response_body_bytes = 64 * 1024 * 1024;
  CallCanceller* canceller = nullptr;  // optional
};

// Sends `request` to host:port and returns the response, whatever its status.
// Fills in Host, Content-Length and HTTP/1.1 when missing; the connection is
// closed afterwards. Errors (no exceptions): "ConnectionError" (502) when the
// host is unreachable or the exchange broke off, "Timeout" (504),
// "Unavailable" when options.canceller cancelled it.
Result<Response> HttpCall(const std::string& host, uint16_t port, Request request,
                          const CallOptions& options = {});

}  // namespace streamer::http
