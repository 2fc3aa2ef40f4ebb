// Authorizers: Cognito user pools and JWT issuers (claims checked in-process),
// Lambda TOKEN and REQUEST authorizers (run as functions; their IAM policy is
// honoured and cached by TTL). One file per kind; Make picks.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "gateway/method_request.h"
#include "stack/stack.h"

namespace streamer::gateway {

struct Authorization {
  std::optional<GatewayError> error;  // set = refused (401 UNAUTHORIZED, 403 ACCESS_DENIED, 500 AUTHORIZER_*)
  std::string principal_id;
  // $context.authorizer: Cognito/JWT {"claims": {...}}; Lambda: its context
  // map plus principalId.
  json::object context;
  std::string usage_identifier_key;  // a Lambda authorizer's usageIdentifierKey (apiKeySource AUTHORIZER)
};
using AuthorizeDone = std::function<void(Authorization)>;

// Runs a function with an event; done(ok, payload): ok = the function's
// result, else payload is the error. May answer from another thread.
using InvokeFunction =
    std::function<void(const std::string& function, std::string event, std::function<void(bool ok, std::string payload)> done)>;

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // `scopes` are the route's authorization scopes (Cognito: the token's
  // "scope" must hold one of them). Answers exactly once.
  virtual void Authorize(const MethodRequest& request, const std::vector<std::string>& scopes,
                         AuthorizeDone done) const = 0;
};

// Errors name the authorizer. Warnings (e.g. signatures not checked) are
// appended to `warnings`, to be printed once at start-up.
Result<std::unique_ptr<Authorizer>> MakeAuthorizer(const stack::AuthorizerSpec& spec, InvokeFunction invoke,
                                                   std::vector<std::string>* warnings);

}  // namespace streamer::gateway
