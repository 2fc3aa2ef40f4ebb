#include "functions/handlers/http_handler.h"

#include <boost/url/parse.hpp>
#include <chrono>
#include <cstdio>

#include "core/ids.h"
#include "core/json.h"

namespace streamer::functions {

namespace {

using Clock = std::chrono::steady_clock;
namespace bhttp = boost::beast::http;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

int64_t EpochMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ErrorDocument(const std::string& type, const std::string& message) {
  return ToJson(json::value(json::object{{"errorMessage", message}, {"errorType", type}}));
}

}  // namespace

Result<HttpEndpoint> ParseHttpUrl(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Status::Validation("url '" + std::string(url) + "' is not a valid URL");
  const auto& u = *parsed;
  if (u.scheme() != "http") {
    return Status::Validation("url '" + std::string(url) + "': only http:// URLs are supported");
  }
  HttpEndpoint e;
  e.host = u.encoded_host();
  // [::1] arrives bracketed; the resolver wants the bare address.
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
  if (e.host.empty()) return Status::Validation("url '" + std::string(url) + "' has no host");
  if (u.has_port()) {
    // port_number() wraps above 65535: read the digits ourselves.
    std::string_view digits = u.port();
    unsigned long port = 0;
    for (char c : digits) port = port > 65535 ? port : port * 10 + (c - '0');
    if (digits.empty() || port == 0 || port > 65535) {
      return Status::Validation("url '" + std::string(url) + "' has an invalid port");
    }
    e.port = static_cast<uint16_t>(port);
  }
  e.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) e.target += "?" + std::string(u.encoded_query());
  return e;
}

HttpHandler::HttpHandler(stack::FunctionSpec spec, HttpEndpoint endpoint, std::string function_arn, LogSink sink)
    : spec_(std::move(spec)),
      endpoint_(std::move(endpoint)),
      function_arn_(std::move(function_arn)),
      sink_(std::move(sink)) {
  if (spec_.timeout_seconds <= 0) spec_.timeout_seconds = 3;  // Lambda's default
}

void HttpHandler::Cancel() { canceller_.Cancel(); }

InvokeResult HttpHandler::Invoke(const InvokeRequest& request) {
  const Clock::time_point start = Clock::now();
  InvokeResult r;
  r.request_id = request.request_id.empty() ? NewUuid() : request.request_id;
  const auto timeout = std::chrono::seconds(spec_.timeout_seconds);

  http::Request req{bhttp::verb::post, endpoint_.target, 11};
  req.set(bhttp::field::content_type, "application/json");
  req.set("Lambda-Runtime-Aws-Request-Id", r.request_id);
  req.set("Lambda-Runtime-Deadline-Ms", std::to_string(EpochMillis() + timeout.count() * 1000));
  req.set("Lambda-Runtime-Invoked-Function-Arn", function_arn_);
  if (!request.trace_id.empty()) req.set("Lambda-Runtime-Trace-Id", request.trace_id);
  if (!request.client_context.empty()) req.set("Lambda-Runtime-Client-Context", request.client_context);
  if (!request.cognito_identity.empty()) req.set("Lambda-Runtime-Cognito-Identity", request.cognito_identity);
  req.body() = request.payload;

  http::CallOptions options;
  options.timeout = timeout;
  options.canceller = &canceller_;
  auto answer = http::HttpCall(endpoint_.host, endpoint_.port, std::move(req), options);
  r.duration_ms = MillisSince(start);

  auto fail = [&](std::string type, std::string message) {
    r.ok = false;
    r.function_error = true;
    r.error_type = std::move(type);
    r.error_message = std::move(message);
    r.payload = ErrorDocument(r.error_type, r.error_message);
    std::string line = "RequestId: " + r.request_id + " Error: " + r.error_type + ": " + r.error_message;
    sink_(spec_.name, line);
    if (request.tail_log) r.log_tail = line + "\n";
    return r;
  };

  if (!answer.ok()) {
    switch (answer.status().code()) {
      case Code::kUnavailable:  // Cancel()
        r.function_error = false;
        r.error_type = "Runtime.Cancelled";
        r.error_message = "function " + spec_.name + " was cancelled: the server is stopping";
        return r;
      case Code::kTimeout: {
        char msg[96];
        std::snprintf(msg, sizeof msg, "Task timed out after %d.00 seconds", spec_.timeout_seconds);
        return fail("Sandbox.Timedout", msg);
      }
      default:
        return fail("Runtime.ConnectError", answer.status().message());
    }
  }
  const unsigned status = answer->result_int();
  if (status >= 200 && status < 300) {
    r.ok = true;
    r.payload = std::move(answer->body());
    return r;
  }
  // A body that is already Lambda's error document says what failed.
  std::string type = "Unhandled";
  std::string message = "POST " + spec_.url + " answered HTTP " + std::to_string(status);
  if (auto doc = ParseJson(answer->body()); doc.ok() && doc->is_object()) {
    if (auto* t = FindString(doc->get_object(), "errorType")) type = *t;
    if (auto* m = FindString(doc->get_object(), "errorMessage")) message = *m;
  }
  return fail(type, message);
}

}  // namespace streamer::functions
