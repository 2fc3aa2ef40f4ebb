#include "gateway/auth/claims_authorizer.h"

#include <re2/re2.h>

#include <strings.h>

#include <ctime>

#include "core/clock.h"
#include "gateway/auth/request_parts.h"

namespace streamer::gateway {

using auth_detail::Unauthorized;

namespace {

// Java's Date.toString() in UTC: "Tue Dec 08 01:28:26 UTC 2026".
std::string JavaDate(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

std::string ScalarText(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  if (v.is_null()) return "null";
  if (v.is_number()) return auth_detail::NumberText(v);
  return ToJson(v);
}

bool HasScope(const json::object& claims, const std::vector<std::string>& scopes) {
  const json::string* scope = FindString(claims, "scope");
  if (!scope) return false;
  std::string_view rest(*scope);
  while (!rest.empty()) {
    size_t sp = rest.find(' ');
    std::string_view one = rest.substr(0, sp);
    for (const auto& want : scopes) {
      if (!one.empty() && one == want) return true;
    }
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
  }
  return false;
}

}  // namespace

json::object ClaimsAsStrings(const json::object& claims) {
  json::object out;
  for (const auto& [key, value] : claims) {
    if ((key == "exp" || key == "iat") && value.is_number()) {
      out[key] = JavaDate(static_cast<int64_t>(value.to_number<double>()));
    } else if (value.is_array()) {
      std::string joined;
      for (const json::value& item : value.as_array()) {
        if (!joined.empty()) joined += ",";
        joined += ScalarText(item);
      }
      out[key] = joined;
    } else {
      out[key] = ScalarText(value);
    }
  }
  return out;
}

Authorization ClaimsAuthorizer::Check(const MethodRequest& request, const std::vector<std::string>& scopes) const {
  Authorization result;
  const std::string* header = auth_detail::HeaderValue(request, rules_.header);
  if (!header || header->empty()) {
    result.error = Unauthorized();
    return result;
  }
  // The validation expression sees the header as sent (as on AWS).
  if (rules_.validation && !RE2::FullMatch(*header, *rules_.validation)) {
    result.error = Unauthorized();
    return result;
  }
  std::string_view token(*header);
  // A "Bearer " prefix is accepted (clients send it either way).
  if (token.size() > 7 && strncasecmp(token.data(), "Bearer ", 7) == 0) token.remove_prefix(7);
  std::shared_ptr<const Decoded> decoded = Decode(token);
  if (!decoded) {
    result.error = Unauthorized();
    return result;
  }
  const Jwt* jwt = &decoded->jwt;
  TokenProblem problem = CheckClaims(*jwt, NowMillis() / 1000, rules_.issuers, rules_.audiences);
  if (problem == TokenProblem::kExpired) {
    result.error = Unauthorized("The incoming token has expired");
    return result;
  }
  if (problem != TokenProblem::kNone) {
    result.error = Unauthorized();
    return result;
  }
  if (rules_.cognito_token_use) {
    const json::string* use = FindString(jwt->claims, "token_use");
    if (use && *use != (scopes.empty() ? "id" : "access")) {
      result.error = Unauthorized();
      return result;
    }
  }
  if (!scopes.empty() && !HasScope(jwt->claims, scopes)) {
    result.error = Unauthorized();
    return result;
  }
  result.context["claims"] = decoded->claims_as_strings;
  return result;
}

std::shared_ptr<const ClaimsAuthorizer::Decoded> ClaimsAuthorizer::Decode(std::string_view token) const {
  constexpr size_t kMaxCachedTokens = 1024;
  std::string key(token);
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  auto jwt = ParseJwt(token);
  if (!jwt) return nullptr;
  if (rules_.jwks && !rules_.jwks->Verify(*jwt)) return nullptr;
  auto decoded = std::make_shared<Decoded>();
  decoded->claims_as_strings = ClaimsAsStrings(jwt->claims);
  decoded->jwt = std::move(*jwt);
  std::lock_guard lock(cache_mu_);
  if (cache_.size() >= kMaxCachedTokens) cache_.clear();
  cache_.emplace(std::move(key), decoded);
  return decoded;
}

void ClaimsAuthorizer::Authorize(const MethodRequest& request, const std::vector<std::string>& scopes,
                                 AuthorizeDone done) const {
  done(Check(request, scopes));
}

Result<ClaimsRules> CommonClaimsRules(const stack::AuthorizerSpec& spec, std::vector<std::string>* warnings) {
  ClaimsRules rules;
  rules.name = spec.name;
  rules.header = auth_detail::HeaderOfSource(spec.identity_source);
  if (rules.header.empty()) {
    return Status::Validation("authorizer " + spec.name + ": identitySource must be one header " +
                              "(method.request.header.NAME), not '" + spec.identity_source + "'");
  }
  if (!spec.identity_validation_expression.empty()) {
    auto re = std::make_shared<re2::RE2>(spec.identity_validation_expression, RE2::Quiet);
    if (!re->ok()) {
      return Status::Validation("authorizer " + spec.name + ": identityValidationExpression: " + re->error());
    }
    rules.validation = std::move(re);
  }
  rules.audiences = spec.audiences;
  if (!spec.jwks_file.empty()) {
    auto jwks = Jwks::Load(spec.jwks_file);
    if (!jwks) return Status::Validation("authorizer " + spec.name + ": " + jwks.status().message());
    if ((*jwks)->size() == 0) {
      return Status::Validation("authorizer " + spec.name + ": " + spec.jwks_file + " has no RSA or P-256 key");
    }
    rules.jwks = std::shared_ptr<const Jwks>(std::move(*jwks));
  } else if (warnings) {
    warnings->push_back("authorizer " + spec.name +
                        ": token signatures are not checked (local development); set jwksFile to check them");
  }
  return rules;
}

}  // namespace streamer::gateway
