// An integration: where the gateway sends a method request once it passed
// the method request stages, one implementation per type (aws_service.cc,
// aws_lambda.cc, lambda_proxy.cc, http.cc, mock.cc).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "core/worker_pool.h"
#include "gateway/gateway.h"
#include "gateway/method_request.h"
#include "http/client.h"
#include "http/server.h"
#include "stack/stack.h"

namespace streamer::gateway {

struct IntegrationRequest {
  const MethodRequest* method = nullptr;  // outlives the call
  std::string body;  // after the request template (or passed through); proxies: the method body
  // integration.request.{header,querystring,path}.X from the route's requestParameters.
  std::vector<std::pair<std::string, std::string>> headers, query;
  std::map<std::string, std::string> path;
  std::string content_type;  // what the integration body is (the method request's media type)
  json::object proxy_request_context;  // AWS_PROXY only: the event's requestContext
  bool body_is_binary = false;         // AWS_PROXY: base64 the body (a binary media type)
};

struct IntegrationReply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // AWS integration to Lambda: the function failed; its errorMessage is what
  // selection patterns match.
  std::optional<std::string> error_message;
  std::optional<http::Response> direct;  // proxies: the answer as is
  std::optional<GatewayError> error;     // the integration failed (500, 502, 504)
};
using IntegrationDone = std::function<void(IntegrationReply)>;

class Integration {
 public:
  virtual ~Integration() = default;
  // Proxies take the method request as is: no templates, no integration responses.
  virtual bool proxy() const { return false; }
  // Whether the gateway must watch the integration timeout (504): not for
  // in-process calls that cannot stall (DynamoDB, MOCK), keeping their path lean.
  virtual bool may_stall() const { return true; }
  // Answers exactly once, possibly from another thread.
  virtual void Start(IntegrationRequest request, IntegrationDone done) const = 0;
};

// What integrations reach the world through.
struct IntegrationEnv {
  AwsServiceCall call;
  WorkerPool* http_pool = nullptr;          // HTTP calls block: they run here
  http::CallCanceller* canceller = nullptr;  // Stop() ends HTTP calls in flight
};

// By spec.type; errors (a uri that names no supported service, action or
// function) say what is wrong, the caller adds the route.
Result<std::unique_ptr<Integration>> MakeIntegration(const stack::IntegrationSpec& spec,
                                                     const IntegrationEnv& env);

Result<std::unique_ptr<Integration>> MakeAwsServiceIntegration(const std::string& action, const IntegrationEnv& env);
// `function` may hold ${stageVariables.x}, substituted per request.
Result<std::unique_ptr<Integration>> MakeAwsLambdaIntegration(const std::string& function, const IntegrationEnv& env);
Result<std::unique_ptr<Integration>> MakeLambdaProxyIntegration(const std::string& function, const IntegrationEnv& env);
Result<std::unique_ptr<Integration>> MakeHttpIntegration(const stack::IntegrationSpec& spec, bool proxy,
                                                         const IntegrationEnv& env);
Result<std::unique_ptr<Integration>> MakeMockIntegration();

// The function name in a Lambda function ARN (arn:aws:lambda:r:a:function:NAME[:qualifier]),
// or the text itself when it is not an ARN.
std::string FunctionNameFromArn(const std::string& arn);
// ${stageVariables.x} replaced by the request's stage variables.
std::string SubstituteStageVariables(const std::string& text, const MethodRequest& request);

}  // namespace streamer::gateway
