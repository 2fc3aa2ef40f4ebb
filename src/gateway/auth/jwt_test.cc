#include "gateway/auth/jwt.h"

#include <gtest/gtest.h>

#include "gateway/auth/test_tokens.h"

namespace streamer::gateway {
namespace {

using testing::Fixture;
using testing::MakeToken;
using testing::NowSeconds;

std::unique_ptr<Jwks> LoadJwks() {
  auto jwks = Jwks::Load(Fixture("jwks.json"));
  EXPECT_TRUE(jwks.ok()) << jwks.status().message();
  return std::move(*jwks);
}

TEST(Jwt, ParsesThreeParts) {
  std::string token = MakeToken({{"sub", "abc"}, {"n", 5}});
  auto jwt = ParseJwt(token);
  ASSERT_TRUE(jwt.ok()) << jwt.status().message();
  EXPECT_EQ(*FindString(jwt->claims, "sub"), "abc");
  EXPECT_EQ(*FindString(jwt->header, "alg"), "RS256");
  EXPECT_EQ(jwt->signature.size(), 256u);
}

TEST(Jwt, RefusesMalformedTokens) {
  for (std::string bad : {"", "abc", "a.b", "a.b.c.d", "!!.e30.", "e30.!!.", "e30.e30.!!", "W10.e30.",  // [] header
                          "e30.bm90IGpzb24.", "e30.e30"}) {
    EXPECT_FALSE(ParseJwt(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseJwt("e30.e30.").ok());  // {} . {} . empty signature parses (and never verifies)
}

TEST(Jwt, Base64UrlRoundTrip) {
  for (std::string s : {"", "f", "fo", "foo", "\xff\xfe\xfd", "?>?>"}) {
    auto back = Base64UrlDecode(Base64UrlEncode(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
    EXPECT_EQ(Base64UrlEncode(s).find_first_of("+/="), std::string::npos);
  }
  EXPECT_FALSE(Base64UrlDecode("ab+c").ok());
  EXPECT_FALSE(Base64UrlDecode("ab=").ok());
}

TEST(Jwks, VerifiesRs256AndEs256ByKid) {
  auto jwks = LoadJwks();
  ASSERT_EQ(jwks->size(), 2u);
  auto rsa = ParseJwt(MakeToken({{"sub", "a"}}, "RS256"));
  auto ec = ParseJwt(MakeToken({{"sub", "a"}}, "ES256"));
  ASSERT_TRUE(rsa.ok() && ec.ok());
  EXPECT_TRUE(jwks->Verify(*rsa));
  EXPECT_TRUE(jwks->Verify(*ec));
}

TEST(Jwks, RefusesWrongKeysTamperingAndAlgNone) {
  auto jwks = LoadJwks();
  // Signed by a key not in the set, under a kid that is.
  auto foreign = ParseJwt(MakeToken({{"sub", "a"}}, "RS256", "test-rsa", "other_rsa_private.pem"));
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE(jwks->Verify(*foreign));
  // Unknown kid.
  auto unknown = ParseJwt(MakeToken({{"sub", "a"}}, "RS256", "nope"));
  EXPECT_FALSE(jwks->Verify(*unknown));
  // A kid of the other algorithm.
  auto crossed = ParseJwt(MakeToken({{"sub", "a"}}, "RS256", "test-ec"));
  EXPECT_FALSE(jwks->Verify(*crossed));
  // Payload changed after signing.
  std::string token = MakeToken({{"sub", "a"}});
  std::string other = MakeToken({{"sub", "b"}});
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  size_t o1 = other.find('.'), o2 = other.rfind('.');
  std::string tampered = token.substr(0, d1 + 1) + other.substr(o1 + 1, o2 - o1 - 1) + token.substr(d2);
  ASSERT_TRUE(ParseJwt(tampered).ok());
  EXPECT_FALSE(jwks->Verify(*ParseJwt(tampered)));
  // alg none and HS256 are never accepted.
  EXPECT_FALSE(jwks->Verify(*ParseJwt(MakeToken({{"sub", "a"}}, "none"))));
  json::object hs_header{{"alg", "HS256"}, {"kid", "test-rsa"}};
  std::string hs = Base64UrlEncode(ToJson(hs_header)) + "." + Base64UrlEncode("{}") + ".c2ln";
  EXPECT_FALSE(jwks->Verify(*ParseJwt(hs)));
  // A truncated ES256 signature.
  std::string ec = MakeToken({{"sub", "a"}}, "ES256");
  auto short_sig = ParseJwt(ec.substr(0, ec.rfind('.') + 1) + Base64UrlEncode(std::string(60, 'x')));
  ASSERT_TRUE(short_sig.ok());
  EXPECT_FALSE(jwks->Verify(*short_sig));
}

TEST(Jwks, RefusesBadDocuments) {
  EXPECT_FALSE(Jwks::Parse("").ok());
  EXPECT_FALSE(Jwks::Parse("[]").ok());
  EXPECT_FALSE(Jwks::Parse(R"({"keys": 1})").ok());
  EXPECT_FALSE(Jwks::Parse(R"({"keys": [{"kty": "RSA", "kid": "x"}]})").ok());
  EXPECT_FALSE(Jwks::Parse(R"({"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]})").ok());
  EXPECT_FALSE(Jwks::Load("/nonexistent/jwks.json").ok());
  auto empty = Jwks::Parse(R"({"keys": [{"kty": "oct", "k": "AA"}]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)->size(), 0u);
}

TEST(JwtClaims, ChecksTimeIssuerAudience) {
  int64_t now = NowSeconds();
  auto check = [&](json::object claims, std::vector<std::string> iss = {}, std::vector<std::string> aud = {}) {
    return CheckClaims(*ParseJwt(MakeToken(claims, "none")), now, iss, aud);
  };
  EXPECT_EQ(check({{"exp", now + 60}}), TokenProblem::kNone);
  EXPECT_EQ(check({{"exp", now}}), TokenProblem::kExpired);  // exp is exclusive
  EXPECT_EQ(check({{"exp", now - 1}}), TokenProblem::kExpired);
  EXPECT_EQ(check({{"exp", "tomorrow"}}), TokenProblem::kMalformed);
  EXPECT_EQ(check({{"nbf", now + 60}}), TokenProblem::kNotYetValid);
  EXPECT_EQ(check({{"nbf", now}}), TokenProblem::kNone);
  EXPECT_EQ(check({{"iss", "https://a"}}, {"https://a"}), TokenProblem::kNone);
  EXPECT_EQ(check({{"iss", "https://b"}}, {"https://a"}), TokenProblem::kWrongIssuer);
  EXPECT_EQ(check({}, {"https://a"}), TokenProblem::kWrongIssuer);
  EXPECT_EQ(check({{"aud", "c1"}}, {}, {"c1"}), TokenProblem::kNone);
  EXPECT_EQ(check({{"aud", json::array{"x", "c1"}}}, {}, {"c1"}), TokenProblem::kNone);
  EXPECT_EQ(check({{"client_id", "c1"}}, {}, {"c1"}), TokenProblem::kNone);
  EXPECT_EQ(check({{"aud", "c2"}}, {}, {"c1"}), TokenProblem::kWrongAudience);
  EXPECT_EQ(check({}, {}, {"c1"}), TokenProblem::kWrongAudience);
}

}  // namespace
}  // namespace streamer::gateway

namespace streamer::gateway {
namespace {

// Whatever a client sends as a token, parsing answers (ok or an error) and never crashes.
TEST(Jwt, GarbageNeverCrashes) {
  auto jwks = Jwks::Load(testing::Fixture("jwks.json"));
  ASSERT_TRUE(jwks.ok());
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1103515245u + 12345u; };
  const std::string alphabet = "ab-_.=+/{}\":,0123456789eyJ \x01\xff";
  std::string valid = testing::MakeToken({{"sub", "x"}, {"exp", 1}});
  for (int i = 0; i < 5000; ++i) {
    std::string s = i % 2 ? valid : std::string();
    int edits = 1 + static_cast<int>(next() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t at = s.empty() ? 0 : next() % (s.size() + 1);
      char c = alphabet[next() % alphabet.size()];
      if (next() % 2 && at < s.size()) s[at] = c;
      else s.insert(s.begin() + static_cast<long>(at), c);
    }
    auto jwt = ParseJwt(s);
    if (jwt.ok()) {
      (*jwks)->Verify(*jwt);
      CheckClaims(*jwt, 0, {"i"}, {"a"});
    }
  }
}

}  // namespace
}  // namespace streamer::gateway
