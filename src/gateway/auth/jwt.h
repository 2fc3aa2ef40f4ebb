// Compact JWTs (RFC 7519) as Cognito and other OIDC issuers sign them:
// parsing, the time and issuer/audience checks, and RS256/ES256 signatures
// checked against a JWKS file (keys matched by `kid`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace streamer::gateway {

struct Jwt {
  json::object header;
  json::object claims;
  std::string signing_input;  // "<header b64>.<payload b64>", what the signature covers
  std::string signature;      // decoded bytes
};

// Three base64url parts, the first two JSON objects. Errors say why.
Result<Jwt> ParseJwt(std::string_view token);

// base64url without padding (RFC 7515 section 2); nullopt-like empty Result on bad input.
Result<std::string> Base64UrlDecode(std::string_view text);
std::string Base64UrlEncode(std::string_view bytes);

// The public keys of a JWKS document ({"keys": [{kty, kid, n, e} | {kty: EC, crv, x, y}]}).
class Jwks {
 public:
  static Result<std::unique_ptr<Jwks>> Parse(std::string_view text);
  static Result<std::unique_ptr<Jwks>> Load(const std::string& path);
  ~Jwks();
  // True when a key with the token's `kid` (or the only key, when the token
  // names none) verifies the signature with the token's `alg` (RS256, ES256).
  bool Verify(const Jwt& jwt) const;
  size_t size() const;

  struct Key;

 private:
  Jwks() = default;
  std::vector<std::unique_ptr<Key>> keys_;
};

enum class TokenProblem { kNone, kMalformed, kExpired, kNotYetValid, kWrongIssuer, kWrongAudience };

// exp/nbf against `now_seconds` (no clock skew: AWS documents none), iss
// against `issuers` (empty = any), aud or client_id against `audiences`
// (empty = any).
TokenProblem CheckClaims(const Jwt& jwt, int64_t now_seconds, const std::vector<std::string>& issuers,
                         const std::vector<std::string>& audiences);

}  // namespace streamer::gateway
