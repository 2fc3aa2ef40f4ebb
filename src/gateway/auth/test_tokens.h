// Test helper: tokens signed with the fixed keys in tests/fixtures/jwt.
#pragma once

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <string>

#include "core/clock.h"
#include "core/json.h"
#include "gateway/auth/jwt.h"

namespace streamer::gateway::testing {

inline std::string Fixture(const std::string& name) { return std::string(JWT_FIXTURES_DIR) + "/" + name; }

inline EVP_PKEY* LoadPrivateKey(const std::string& file) {
  FILE* f = std::fopen(Fixture(file).c_str(), "r");
  if (!f) return nullptr;
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return key;
}

inline std::string Sign(const std::string& key_file, const std::string& input) {
  EVP_PKEY* key = LoadPrivateKey(key_file);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  if (key && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1) {
    sig.resize(len);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(len);
  }
  bool ec = key && EVP_PKEY_base_id(key) == EVP_PKEY_EC;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  if (ec) {  // DER -> JWS r||s
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(es);
    return raw;
  }
  return sig;
}

// alg "RS256" signs with rsa_private.pem (or `key_file`), "ES256" with
// ec_private.pem, "none" leaves the signature empty.
inline std::string MakeToken(const json::object& claims, const std::string& alg = "RS256", std::string kid = "",
                             std::string key_file = "") {
  json::object header{{"alg", alg}, {"typ", "JWT"}};
  if (kid.empty()) kid = alg == "ES256" ? "test-ec" : "test-rsa";
  header["kid"] = kid;
  std::string input = Base64UrlEncode(ToJson(header)) + "." + Base64UrlEncode(ToJson(claims));
  if (alg == "none") return input + ".";
  if (key_file.empty()) key_file = alg == "ES256" ? "ec_private.pem" : "rsa_private.pem";
  return input + "." + Base64UrlEncode(Sign(key_file, input));
}

inline int64_t NowSeconds() { return NowMillis() / 1000; }

}  // namespace streamer::gateway::testing
