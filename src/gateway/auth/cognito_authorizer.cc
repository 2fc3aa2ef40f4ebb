// COGNITO_USER_POOLS: the issuer comes from each user pool ARN
// (arn:aws:cognito-idp:{region}:{account}:userpool/{poolId} ->
// https://cognito-idp.{region}.amazonaws.com/{poolId}).
#include "gateway/auth/claims_authorizer.h"

namespace streamer::gateway {

namespace {
Result<std::string> IssuerOfPool(const std::string& name, const std::string& arn) {
  // arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL
  const std::string prefix = "arn:aws:cognito-idp:";
  size_t region_end = arn.find(':', prefix.size());
  size_t pool = arn.find(":userpool/");
  if (arn.compare(0, prefix.size(), prefix) != 0 || region_end == std::string::npos || pool == std::string::npos ||
      pool + 10 >= arn.size()) {
    return Status::Validation("authorizer " + name + ": '" + arn +
                              "' is not a user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID)");
  }
  std::string region = arn.substr(prefix.size(), region_end - prefix.size());
  return "https://cognito-idp." + region + ".amazonaws.com/" + arn.substr(pool + 10);
}
}  // namespace

Result<std::unique_ptr<Authorizer>> MakeCognitoAuthorizer(const stack::AuthorizerSpec& spec,
                                                          std::vector<std::string>* warnings) {
  if (spec.provider_arns.empty() && spec.issuer.empty()) {
    return Status::Validation("authorizer " + spec.name + ": a Cognito authorizer needs providerARNs");
  }
  std::vector<std::string> issuers;
  for (const auto& arn : spec.provider_arns) {
    auto issuer = IssuerOfPool(spec.name, arn);
    if (!issuer) return issuer.status();
    issuers.push_back(std::move(*issuer));
  }
  if (!spec.issuer.empty()) issuers.push_back(spec.issuer);
  auto rules = CommonClaimsRules(spec, warnings);
  if (!rules) return rules.status();
  rules->issuers = std::move(issuers);
  rules->cognito_token_use = true;
  return std::unique_ptr<Authorizer>(new ClaimsAuthorizer(std::move(*rules)));
}

}  // namespace streamer::gateway
