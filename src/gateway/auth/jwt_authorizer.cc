// JWT: any OIDC issuer (the expected "iss", accepted audiences), checked as
// the Cognito authorizer checks its tokens, without Cognito's token_use rule.
#include "gateway/auth/claims_authorizer.h"

namespace streamer::gateway {

Result<std::unique_ptr<Authorizer>> MakeJwtAuthorizer(const stack::AuthorizerSpec& spec,
                                                      std::vector<std::string>* warnings) {
  auto rules = CommonClaimsRules(spec, warnings);
  if (!rules) return rules.status();
  if (!spec.issuer.empty()) rules->issuers = {spec.issuer};
  return std::unique_ptr<Authorizer>(new ClaimsAuthorizer(std::move(*rules)));
}

}  // namespace streamer::gateway
