// MakeAuthorizer: one implementation per kind, chosen by the spec's type.
#include "gateway/auth/authorizer.h"

#include "gateway/auth/claims_authorizer.h"
#include "gateway/auth/lambda_authorizer.h"

namespace streamer::gateway {

Result<std::unique_ptr<Authorizer>> MakeAuthorizer(const stack::AuthorizerSpec& spec, InvokeFunction invoke,
                                                   std::vector<std::string>* warnings) {
  if (spec.type == "COGNITO_USER_POOLS") return MakeCognitoAuthorizer(spec, warnings);
  if (spec.type == "JWT") return MakeJwtAuthorizer(spec, warnings);
  if (spec.type == "TOKEN" || spec.type == "REQUEST") return MakeLambdaAuthorizer(spec, std::move(invoke));
  return Status::Validation("authorizer " + spec.name + ": type '" + spec.type +
                            "' is not one of COGNITO_USER_POOLS, JWT, TOKEN, REQUEST");
}

}  // namespace streamer::gateway
