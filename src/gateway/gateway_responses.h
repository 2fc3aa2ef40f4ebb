// Gateway responses: how the gateway answers what it refuses or fails itself
// (403 Missing Authentication Token, 415, 413, 504, 500, and the hooks'
// GatewayErrors), from the API's gateway_responses over API Gateway's
// defaults: {"message":$context.error.messageString}, the type's status.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "gateway/method_request.h"
#include "gateway/vtl/vtl.h"
#include "http/server.h"
#include "stack/stack.h"

namespace streamer::gateway {

// The status API Gateway gives a response type (DEFAULT_4XX/5XX: none, 0).
int DefaultGatewayResponseStatus(const std::string& type);
// x-amzn-ErrorType for a response type ("" = none sent).
std::string GatewayErrorTypeHeader(const std::string& type);

class GatewayResponses {
 public:
  // Errors name the response type and template.
  static Result<GatewayResponses> Compile(const std::vector<stack::GatewayResponseSpec>& specs);

  // `context` is the request's $context map (gets error.*); `request` may be
  // null (nothing matched the path). `accept` picks a template.
  http::Response Answer(const GatewayError& error, vtl::Value context, const MethodRequest* request,
                        const std::string& accept, const std::string& request_id) const;

 private:
  struct Compiled {
    std::optional<int> status;
    std::map<std::string, std::string> parameters;  // header -> source
    std::map<std::string, std::shared_ptr<const vtl::Template>> templates;
  };
  std::map<std::string, Compiled> by_type_;
};

}  // namespace streamer::gateway
