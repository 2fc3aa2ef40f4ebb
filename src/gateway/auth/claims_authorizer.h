// The in-process token check shared by the Cognito user pool and JWT
// authorizers: the token from one header, its signature (when a JWKS file is
// set), expiry, issuer, audience and scopes; its claims become
// $context.authorizer.claims.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/auth/authorizer.h"
#include "gateway/auth/jwt.h"

namespace re2 {
class RE2;
}

namespace streamer::gateway {

struct ClaimsRules {
  std::string name;    // the authorizer's, for errors
  std::string header;  // where the token is
  std::shared_ptr<re2::RE2> validation;  // identityValidationExpression; null = none
  std::vector<std::string> issuers;      // empty = any
  std::vector<std::string> audiences;    // empty = any
  std::shared_ptr<const Jwks> jwks;      // null = signatures not checked
  // Cognito: without route scopes the token must be an id token; with them
  // an access token (token_use), as API Gateway treats them.
  bool cognito_token_use = false;
};

class ClaimsAuthorizer : public Authorizer {
 public:
  explicit ClaimsAuthorizer(ClaimsRules rules) : rules_(std::move(rules)) {}
  void Authorize(const MethodRequest& request, const std::vector<std::string>& scopes,
                 AuthorizeDone done) const override;
  // The answer, synchronously (Authorize calls it).
  Authorization Check(const MethodRequest& request, const std::vector<std::string>& scopes) const;

 private:
  // A token that parsed and whose signature held, with its claims as
  // strings: both depend on the token's text alone, so a token sent again
  // is not decoded, verified or converted again. Expiry, issuer, audience,
  // token_use and scopes are still checked on every request.
  struct Decoded {
    Jwt jwt;
    json::object claims_as_strings;
  };
  std::shared_ptr<const Decoded> Decode(std::string_view token) const;

  ClaimsRules rules_;
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::string, std::shared_ptr<const Decoded>> cache_;  // bounded: cleared when full
};

// Claims as API Gateway hands them to templates and proxy events: every
// value a string (numbers as written, booleans "true"/"false", exp/iat as
// Java's Date.toString(), arrays joined with ",", objects as JSON text).
json::object ClaimsAsStrings(const json::object& claims);

// Shared by cognito_authorizer.cc and jwt_authorizer.cc: the header of the
// identity source, the validation expression, the JWKS (or the warning).
Result<ClaimsRules> CommonClaimsRules(const stack::AuthorizerSpec& spec, std::vector<std::string>* warnings);

Result<std::unique_ptr<Authorizer>> MakeCognitoAuthorizer(const stack::AuthorizerSpec& spec,
                                                          std::vector<std::string>* warnings);
Result<std::unique_ptr<Authorizer>> MakeJwtAuthorizer(const stack::AuthorizerSpec& spec,
                                                      std::vector<std::string>* warnings);

}  // namespace streamer::gateway
