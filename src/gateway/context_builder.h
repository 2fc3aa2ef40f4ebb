// $context as templates see it, and as a proxy event's requestContext: built
// once per request from the method request, the route and the authorizer's
// answer.
#pragma once

#include <string>

#include "core/json.h"
#include "gateway/method_request.h"
#include "gateway/vtl/vtl.h"

namespace streamer::gateway {

struct RouteIdentity {
  std::string api_id, stage, resource_path, resource_id;
};

// What an authorizer gave ($context.authorizer); empty when the route has none.
struct AuthorizerResult {
  bool present = false;
  std::string principal_id;
  json::object context;  // Cognito/JWT: {"claims": {...}}; Lambda: its context map
};

struct ContextInputs {
  const MethodRequest* request = nullptr;
  const RouteIdentity* route = nullptr;
  const AuthorizerResult* authorizer = nullptr;
  int64_t request_time_ms = 0;
  std::string domain_name;  // Host without the port
  std::string api_key;      // the x-api-key of a key-required route ("" = none)
};

// $context: requestId, extendedRequestId, requestTime(Epoch), httpMethod,
// path, resourcePath, resourceId, stage, apiId, accountId, domainName,
// domainPrefix, protocol, identity.*, authorizer.* (claims, principalId,
// context keys).
vtl::Value BuildContext(const ContextInputs& in);
// The proxy event's requestContext (payload 1.0).
json::object BuildProxyRequestContext(const ContextInputs& in);
// $stageVariables: a map, or null when the API has none.
vtl::Value StageVariablesValue(const MethodRequest& request);

}  // namespace streamer::gateway
