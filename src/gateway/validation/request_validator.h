// Request validation as API Gateway does it: required method request
// parameters, and the body against the route's model (JSON schema draft-04,
// as OpenAPI/API Gateway models are written). Compiled once per route.
#pragma once

#include <memory>
#include <optional>

#include "core/status.h"
#include "gateway/method_request.h"
#include "stack/stack.h"

namespace streamer::gateway {

class RequestValidator {
 public:
  // nullptr when the route's validator checks nothing (or it has none).
  // Errors (an unknown validator or model, a schema that is not one) name
  // the route and the model.
  static Result<std::unique_ptr<RequestValidator>> Compile(const stack::ApiSpec& api,
                                                           const stack::RouteSpec& route);
  ~RequestValidator();

  // nullopt = valid. Else BAD_REQUEST_PARAMETERS (400 "Missing required request
  // parameters: [a, b]") or BAD_REQUEST_BODY (400 "Invalid request body").
  std::optional<GatewayError> Validate(const MethodRequest& request) const;

  struct Impl;

 private:
  explicit RequestValidator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamer::gateway
