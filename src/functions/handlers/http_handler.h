// The "http" handler: POSTs each event to a URL (a webhook, a local dev
// server). Per invocation: one connection, POST <path> with the event JSON
// (Content-Type: application/json) and Lambda's invocation headers
// (Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn, and
// -Trace-Id / -Client-Context / -Cognito-Identity when the request has them).
//
// Outcomes: a 2xx answer -> ok, its body the payload. Anything else is a
// function error, with Lambda's error document as the payload:
//   other status        "Unhandled" (or the body's own errorType, when the
//                       body is a Lambda error document {"errorType","errorMessage"})
//   no answer in time   "Sandbox.Timedout" (timeout_seconds, connect to last byte)
//   cannot connect, or the exchange broke off    "Runtime.ConnectError"
// Cancel() ends the calls in flight ("Runtime.Cancelled", not a function
// error) and every later one. Failures are logged through the sink.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "functions/handlers/handler.h"
#include "http/client.h"

namespace streamer::functions {

// Where an http function's events go: http://host[:port][/path][?query].
struct HttpEndpoint {
  std::string host;
  uint16_t port = 80;
  std::string target;  // path and query, "/" at least
};

// Only plain http (a local endpoint; no TLS). Errors name the problem.
Result<HttpEndpoint> ParseHttpUrl(std::string_view url);

class HttpHandler : public FunctionHandler {
 public:
  HttpHandler(stack::FunctionSpec spec, HttpEndpoint endpoint, std::string function_arn, LogSink sink);
  InvokeResult Invoke(const InvokeRequest& request) override;
  void Cancel() override;

 private:
  stack::FunctionSpec spec_;
  HttpEndpoint endpoint_;
  std::string function_arn_;
  LogSink sink_;
  http::CallCanceller canceller_;
};

}  // namespace streamer::functions
