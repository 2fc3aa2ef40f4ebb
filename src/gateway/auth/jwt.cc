#include "gateway/auth/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/base64.h"

namespace streamer::gateway {

Result<std::string> Base64UrlDecode(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return Status::Validation("not base64url");
  }
  while (s.size() % 4 != 0) s.push_back('=');
  auto decoded = Base64Decode(s);
  if (!decoded) return Status::Validation("not base64url");
  return std::move(*decoded);
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return s;
}

namespace {

Result<json::object> DecodeJsonPart(std::string_view part, const char* what) {
  auto bytes = Base64UrlDecode(part);
  if (!bytes) return Status::Validation(std::string("the token's ") + what + " is not base64url");
  auto v = ParseJson(*bytes);
  if (!v || !v->is_object()) return Status::Validation(std::string("the token's ") + what + " is not a JSON object");
  return std::move(v->as_object());
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey PkeyFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return Pkey(key);
}

Pkey RsaKey(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Pkey key;
  if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1) {
    key = PkeyFromParams("RSA", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return key;
}

Pkey P256Key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::string point = "\x04" + x + y;  // uncompressed point
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Pkey key;
  if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1) {
    key = PkeyFromParams("EC", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  return key;
}

// JWS ES256 signatures are r||s (32 bytes each); OpenSSL verifies DER.
std::string EcdsaRawToDer(const std::string& raw) {
  if (raw.size() != 64) return {};
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  std::string der;
  if (sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* out = nullptr;
    int len = i2d_ECDSA_SIG(sig, &out);
    if (len > 0) der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(len));
    OPENSSL_free(out);
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return der;
}

bool VerifySha256(EVP_PKEY* key, const std::string& input, const std::string& signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string StringMember(const json::object& o, std::string_view key) {
  const json::string* s = FindString(o, key);
  return s ? std::string(*s) : std::string();
}

}  // namespace

Result<Jwt> ParseJwt(std::string_view token) {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Status::Validation("the token is not a compact JWT (three dot-separated parts)");
  }
  Jwt jwt;
  auto header = DecodeJsonPart(token.substr(0, first), "header");
  if (!header) return header.status();
  auto claims = DecodeJsonPart(token.substr(first + 1, second - first - 1), "payload");
  if (!claims) return claims.status();
  auto signature = Base64UrlDecode(token.substr(second + 1));
  if (!signature) return Status::Validation("the token's signature is not base64url");
  jwt.header = std::move(*header);
  jwt.claims = std::move(*claims);
  jwt.signing_input = std::string(token.substr(0, second));
  jwt.signature = std::move(*signature);
  return jwt;
}

struct Jwks::Key {
  std::string kid;
  std::string alg;  // RS256 | ES256, from the key type
  Pkey pkey;
};

Jwks::~Jwks() = default;
size_t Jwks::size() const { return keys_.size(); }

Result<std::unique_ptr<Jwks>> Jwks::Parse(std::string_view text) {
  auto doc = ParseJson(text);
  if (!doc || !doc->is_object()) return Status::Validation("the JWKS is not a JSON object");
  const json::value* keys = Find(*doc, "keys");
  if (!keys || !keys->is_array()) return Status::Validation("the JWKS has no \"keys\" array");
  std::unique_ptr<Jwks> jwks(new Jwks());
  for (const json::value& k : keys->as_array()) {
    if (!k.is_object()) return Status::Validation("a JWKS key is not an object");
    const json::object& o = k.as_object();
    auto key = std::make_unique<Key>();
    key->kid = StringMember(o, "kid");
    std::string kty = StringMember(o, "kty");
    if (kty == "RSA") {
      auto n = Base64UrlDecode(StringMember(o, "n"));
      auto e = Base64UrlDecode(StringMember(o, "e"));
      if (!n || !e || n->empty() || e->empty()) return Status::Validation("RSA key " + key->kid + " lacks n/e");
      key->alg = "RS256";
      key->pkey = RsaKey(*n, *e);
    } else if (kty == "EC") {
      if (StringMember(o, "crv") != "P-256") continue;  // only ES256 is checked; other curves cannot match
      auto x = Base64UrlDecode(StringMember(o, "x"));
      auto y = Base64UrlDecode(StringMember(o, "y"));
      if (!x || !y) return Status::Validation("EC key " + key->kid + " lacks x/y");
      key->alg = "ES256";
      key->pkey = P256Key(*x, *y);
    } else {
      continue;  // oct and others: not a public signing key we check
    }
    if (!key->pkey) return Status::Validation("JWKS key " + key->kid + " is not a valid public key");
    jwks->keys_.push_back(std::move(key));
  }
  return jwks;
}

Result<std::unique_ptr<Jwks>> Jwks::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Validation("cannot read JWKS file " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  auto jwks = Parse(buf.str());
  if (!jwks) return jwks.status().WithMessage(path + ": " + jwks.status().message());
  return jwks;
}

bool Jwks::Verify(const Jwt& jwt) const {
  std::string alg = StringMember(jwt.header, "alg");
  if (alg != "RS256" && alg != "ES256") return false;  // "none", HS256, ...: never accepted
  const json::string* kid = FindString(jwt.header, "kid");
  for (const auto& key : keys_) {
    if (key->alg != alg) continue;
    if (kid ? key->kid != *kid : keys_.size() != 1) continue;
    if (alg == "RS256") return VerifySha256(key->pkey.get(), jwt.signing_input, jwt.signature);
    std::string der = EcdsaRawToDer(jwt.signature);
    return !der.empty() && VerifySha256(key->pkey.get(), jwt.signing_input, der);
  }
  return false;
}

namespace {

// A NumericDate claim: a JSON number (seconds). Absent = nullopt; wrong type = problem.
bool NumericClaim(const json::object& claims, std::string_view name, std::optional<double>* out) {
  const json::value* v = Find(claims, name);
  if (!v) return true;
  if (v->is_int64()) *out = static_cast<double>(v->as_int64());
  else if (v->is_uint64()) *out = static_cast<double>(v->as_uint64());
  else if (v->is_double()) *out = v->as_double();
  else return false;
  return true;
}

bool OneOf(const std::string& s, const std::vector<std::string>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

}  // namespace

TokenProblem CheckClaims(const Jwt& jwt, int64_t now_seconds, const std::vector<std::string>& issuers,
                         const std::vector<std::string>& audiences) {
  std::optional<double> exp, nbf;
  if (!NumericClaim(jwt.claims, "exp", &exp) || !NumericClaim(jwt.claims, "nbf", &nbf)) {
    return TokenProblem::kMalformed;
  }
  if (exp && static_cast<double>(now_seconds) >= *exp) return TokenProblem::kExpired;
  if (nbf && static_cast<double>(now_seconds) < *nbf) return TokenProblem::kNotYetValid;
  if (!issuers.empty() && !OneOf(StringMember(jwt.claims, "iss"), issuers)) return TokenProblem::kWrongIssuer;
  if (!audiences.empty()) {
    bool match = false;
    if (const json::value* aud = Find(jwt.claims, "aud")) {
      if (aud->is_string()) match = OneOf(std::string(aud->as_string()), audiences);
      if (aud->is_array()) {
        for (const json::value& a : aud->as_array()) {
          if (a.is_string() && OneOf(std::string(a.as_string()), audiences)) match = true;
        }
      }
    }
    // Cognito access tokens carry the app client in client_id, not aud.
    if (!match && OneOf(StringMember(jwt.claims, "client_id"), audiences)) match = true;
    if (!match) return TokenProblem::kWrongAudience;
  }
  return TokenProblem::kNone;
}

}  // namespace streamer::gateway
