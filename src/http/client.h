// A small blocking HTTP/1.1 client: one connection per call. For gateway HTTP
// integrations and tests; not for hot paths.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/status.h"
#include "http/server.h"

namespace streamer::http {

struct CallOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // whole call: connect to last byte
  size_t max_response_body_bytes = 64 * 1024 * 1024;
};

// Sends `request` to host:port and returns the response, whatever its status.
// Fills in Host, Content-Length and HTTP/1.1 when missing; the connection is
// closed afterwards. Errors (no exceptions): "ConnectionError" (502) when the
// host is unreachable or the exchange broke off, "Timeout" (504).
Result<Response> HttpCall(const std::string& host, uint16_t port, Request request,
                          const CallOptions& options = {});

}  // namespace streamer::http
