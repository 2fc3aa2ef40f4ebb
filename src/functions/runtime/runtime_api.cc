#include "functions/runtime/runtime_api.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include "core/clock.h"
#include "core/json.h"

namespace streamer::functions::runtime {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";

http::Response JsonResponse(http::HttpStatus status, std::string body) {
  http::Response response(status, 11);
  response.set(bhttp::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

// Lambda's runtime API error body.
http::Response ErrorResponse(http::HttpStatus status, std::string_view type, std::string_view message) {
  json::object o;
  o["errorMessage"] = message;
  o["errorType"] = type;
  return JsonResponse(status, json::serialize(o));
}

http::Response Accepted() { return JsonResponse(http::HttpStatus::accepted, R"({"status":"OK"})"); }

}  // namespace

RuntimeChannel::RuntimeChannel() : ready_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

void RuntimeChannel::Signal() {
  uint64_t one = 1;
  (void)!::write(ready_.get(), &one, sizeof one);
}

void RuntimeChannel::Offer(Invocation invocation) {
  std::lock_guard lock(mu_);
  current_ = std::move(invocation);
  handed_out_ = false;
  outcome_.reset();
  if (early_init_error_) {
    outcome_ = std::move(early_init_error_);
    early_init_error_.reset();
    Signal();
    return;
  }
  if (pending_next_) {
    http::Respond respond = std::move(pending_next_);
    pending_next_ = http::Respond();
    HandOut(respond);
  }
}

void RuntimeChannel::HandOut(const http::Respond& respond) {
  const Invocation& inv = *current_;
  http::Response response = JsonResponse(http::HttpStatus::ok, inv.payload);
  response.set("Lambda-Runtime-Aws-Request-Id", inv.request_id);
  response.set("Lambda-Runtime-Deadline-Ms", std::to_string(NowMillis() + inv.timeout_ms));
  response.set("Lambda-Runtime-Invoked-Function-Arn", inv.function_arn);
  response.set("Lambda-Runtime-Trace-Id", inv.trace_id);
  if (!inv.client_context.empty()) response.set("Lambda-Runtime-Client-Context", inv.client_context);
  if (!inv.cognito_identity.empty()) response.set("Lambda-Runtime-Cognito-Identity", inv.cognito_identity);
  handed_out_ = true;
  handed_at_ = Clock::now();
  respond(std::move(response));
  Signal();
}

RuntimeChannel::Progress RuntimeChannel::Poll() {
  uint64_t count;
  while (::read(ready_.get(), &count, sizeof count) > 0) {
  }
  std::lock_guard lock(mu_);
  Progress progress;
  progress.runtime_waiting = !current_ && (static_cast<bool>(pending_next_) || early_init_error_.has_value());
  progress.handed_out = handed_out_;
  progress.handed_at = handed_at_;
  progress.outcome = outcome_;
  return progress;
}

void RuntimeChannel::Finish() {
  std::lock_guard lock(mu_);
  if (current_) finished_id_ = current_->request_id;
  current_.reset();
  handed_out_ = false;
  outcome_.reset();
}

void RuntimeChannel::Close() {
  http::Respond pending;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    pending = std::move(pending_next_);
    pending_next_ = http::Respond();
  }
  if (pending) {
    pending(ErrorResponse(http::HttpStatus::internal_server_error, "Runtime.Stopping",
                          "The execution environment is shutting down."));
  }
}

void RuntimeChannel::Handle(http::Request&& request, http::Respond respond) {
  std::string_view target(request.target().data(), request.target().size());
  if (size_t q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  if (target.substr(0, kPrefix.size()) != kPrefix) {
    respond(ErrorResponse(http::HttpStatus::not_found, "NotFound", "Unknown path"));
    return;
  }
  std::string_view path = target.substr(kPrefix.size());
  const bool is_get = request.method() == bhttp::verb::get;
  const bool is_post = request.method() == bhttp::verb::post;

  if (path == "invocation/next") {
    if (!is_get) {
      respond(ErrorResponse(http::HttpStatus::method_not_allowed, "MethodNotAllowed", "Use GET"));
      return;
    }
    http::Respond replaced;
    {
      std::lock_guard lock(mu_);
      if (closed_) {
        respond(ErrorResponse(http::HttpStatus::internal_server_error, "Runtime.Stopping",
                              "The execution environment is shutting down."));
        return;
      }
      initialized_ = true;
      if (current_ && handed_out_ && !outcome_) {
        respond(ErrorResponse(http::HttpStatus::forbidden, "InvalidStateTransition",
                              "State transition from Running to Ready failed for runtime: invocation " +
                                  current_->request_id + " has not been answered"));
        return;
      }
      if (current_ && !handed_out_ && !outcome_) {
        HandOut(respond);
        return;
      }
      // A newer poll replaces an older one (whose client presumably gave up).
      replaced = std::move(pending_next_);
      pending_next_ = std::move(respond);
      Signal();
    }
    if (replaced) {
      replaced(ErrorResponse(http::HttpStatus::forbidden, "InvalidStateTransition",
                             "Another /next request replaced this one"));
    }
    return;
  }

  if (path == "init/error") {
    if (!is_post) {
      respond(ErrorResponse(http::HttpStatus::method_not_allowed, "MethodNotAllowed", "Use POST"));
      return;
    }
    std::lock_guard lock(mu_);
    if (initialized_ || closed_) {
      respond(ErrorResponse(http::HttpStatus::forbidden, "InvalidStateTransition",
                            "State transition from Ready to InitError failed for runtime: "
                            "the runtime is already initialized"));
      return;
    }
    RuntimeOutcome outcome;
    outcome.kind = RuntimeOutcome::Kind::kInitError;
    outcome.body = std::move(request.body());
    outcome.error_type = std::string(request["Lambda-Runtime-Function-Error-Type"]);
    initialized_ = true;  // a second /init/error is refused too
    if (current_) {
      outcome_ = std::move(outcome);
    } else {
      early_init_error_ = std::move(outcome);
    }
    respond(Accepted());
    Signal();
    return;
  }

  // invocation/{id}/response | invocation/{id}/error
  constexpr std::string_view kInvocation = "invocation/";
  if (path.substr(0, kInvocation.size()) == kInvocation) {
    std::string_view rest = path.substr(kInvocation.size());
    size_t slash = rest.find('/');
    if (slash != std::string_view::npos && slash > 0) {
      std::string_view id = rest.substr(0, slash);
      std::string_view what = rest.substr(slash + 1);
      if (what == "response" || what == "error") {
        if (!is_post) {
          respond(ErrorResponse(http::HttpStatus::method_not_allowed, "MethodNotAllowed", "Use POST"));
          return;
        }
        Answer(request, id, what == "error", respond);
        return;
      }
    }
  }
  respond(ErrorResponse(http::HttpStatus::not_found, "NotFound", "Unknown path"));
}

void RuntimeChannel::Answer(http::Request& request, std::string_view id, bool is_error,
                            const http::Respond& respond) {
  std::lock_guard lock(mu_);
  const bool is_current = current_ && handed_out_ && current_->request_id == id;
  if (!is_current) {
    if (!finished_id_.empty() && finished_id_ == id) {
      respond(ErrorResponse(http::HttpStatus::forbidden, "InvalidStateTransition",
                            "State transition from Ready to " +
                                std::string(is_error ? "InvocationErrorResponse" : "InvocationResponse") +
                                " failed for runtime: invocation " + std::string(id) + " is over"));
    } else {
      respond(ErrorResponse(http::HttpStatus::bad_request, "InvalidRequestID", "Invalid request ID"));
    }
    return;
  }
  if (outcome_) {
    respond(ErrorResponse(http::HttpStatus::forbidden, "InvalidStateTransition",
                          "State transition from RuntimeResponseSent to " +
                              std::string(is_error ? "InvocationErrorResponse" : "InvocationResponse") +
                              " failed for runtime: invocation " + std::string(id) + " was already answered"));
    return;
  }
  RuntimeOutcome outcome;
  if (!is_error && request.body().size() > kMaxResponseBytes) {
    outcome.kind = RuntimeOutcome::Kind::kResponseTooLarge;
    outcome.body = std::to_string(request.body().size());
    outcome_ = std::move(outcome);
    respond(ErrorResponse(http::HttpStatus::payload_too_large, "RequestEntityTooLarge",
                          "Exceeded maximum allowed payload size (" + std::to_string(kMaxResponseBytes) +
                              " bytes)."));
    Signal();
    return;
  }
  outcome.kind = is_error ? RuntimeOutcome::Kind::kError : RuntimeOutcome::Kind::kResponse;
  outcome.body = std::move(request.body());
  outcome.error_type = std::string(request["Lambda-Runtime-Function-Error-Type"]);
  outcome_ = std::move(outcome);
  respond(Accepted());
  Signal();
}

Result<std::unique_ptr<RuntimeApiServer>> RuntimeApiServer::Start(std::shared_ptr<RuntimeChannel> channel) {
  std::unique_ptr<RuntimeApiServer> server(new RuntimeApiServer());
  server->pool_ = SharedRuntimeIoPool();
  http::ServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  // Bodies up to here reach the channel, which answers Lambda's 413 over
  // 6 MB; beyond it the HTTP server refuses on its own.
  options.max_body_bytes = 16 * 1024 * 1024;
  // A worker may sit in /next for as long as it stays warm; the idle timeout
  // does not apply while a request is pending, only between requests.
  options.idle_timeout = std::chrono::hours(24);
  server->server_ = std::make_unique<http::Server>(
      *server->pool_, std::move(options),
      [channel](http::Request&& request, const http::RequestInfo&, http::Respond respond) {
        channel->Handle(std::move(request), std::move(respond));
      });
  if (Status s = server->server_->Listen(); !s.ok()) return s;
  return server;
}

RuntimeApiServer::~RuntimeApiServer() { server_.reset(); }

std::shared_ptr<http::IoPool> SharedRuntimeIoPool() {
  static std::mutex mu;
  static std::weak_ptr<http::IoPool> shared;
  std::lock_guard lock(mu);
  if (auto pool = shared.lock()) return pool;
  auto pool = std::make_shared<http::IoPool>();
  pool->Start(1);
  shared = pool;
  return pool;
}

}  // namespace streamer::functions::runtime
