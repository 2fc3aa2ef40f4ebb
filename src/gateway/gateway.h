// The API Gateway emulation (REST APIs): routes, the method request, usage
// plans, authorizers, request validation, integrations (AWS service, Lambda
// with and without proxy, HTTP, HTTP_PROXY, MOCK), Velocity mapping
// templates, integration responses and gateway responses. See gateway.cc for
// the pipeline, one file per stage.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/server.h"
#include "stack/stack.h"

namespace streamer::gateway {

// What an in-process AWS service call answers.
struct ServiceResult {
  int status = 200;  // the service's HTTP status
  // The service's answer. Lambda: the function's result, or with
  // function_error its error document {"errorMessage","errorType",...}.
  std::string body;
  bool function_error = false;  // Lambda: the function ran and failed
};
// Answers a service call, possibly from another thread.
using ServiceReply = std::function<void(ServiceResult)>;
// Calls an AWS service in-process: "dynamodb" (action = the API action) or
// "lambda" (action = the function's name; Invoke with `body` as the event).
using AwsServiceCall =
    std::function<void(const std::string& service, const std::string& action, std::string body,
                       ServiceReply reply)>;

struct GatewayOptions {
  std::string region = "us-east-1";
  std::string account = "000000000000";
  // API keys and usage plans, shared by every API (the stack's).
  std::vector<stack::ApiKeySpec> api_keys;
  std::vector<stack::UsagePlanSpec> usage_plans;
  bool access_log = false;       // one line per request on stdout, API Gateway's CLF $context format
  int http_integration_threads = 8;  // HTTP integrations run on their own threads (blocking client)
};

class Gateway {
 public:
  // Parses every template, selection pattern and integration uri once;
  // errors name the API and the route.
  static Result<std::unique_ptr<Gateway>> Build(const std::vector<stack::ApiSpec>& apis,
                                                AwsServiceCall call, GatewayOptions options = {});
  ~Gateway();
  void Handle(http::Request&& request, const http::RequestInfo& info, http::Respond respond) const;
  // Ends the integration-timeout timer and HTTP integration calls (dropping
  // what they wait for); call before the I/O pool stops, since pending
  // answers hold connections.
  void Stop();

  struct Impl;  // internal

 private:
  Gateway();
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamer::gateway
