#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "gateway/auth/authorizer.h"
#include "gateway/auth/claims_authorizer.h"
#include "gateway/auth/test_tokens.h"

namespace streamer::gateway {
namespace {

using testing::Fixture;
using testing::MakeToken;
using testing::NowSeconds;

const char* kPoolArn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool1";
const char* kIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1";

stack::AuthorizerSpec CognitoSpec(bool signed_tokens) {
  stack::AuthorizerSpec spec;
  spec.name = "Users";
  spec.type = "COGNITO_USER_POOLS";
  spec.provider_arns = {kPoolArn};
  if (signed_tokens) spec.jwks_file = Fixture("jwks.json");
  return spec;
}

Authorization Outcome(const Authorizer& a, const std::string* token, std::vector<std::string> scopes = {},
                  const std::string& header = "Authorization") {
  MethodRequest r;
  r.method = "GET";
  r.path = "/items";
  if (token) r.headers.push_back({header, *token});
  Authorization out;
  int calls = 0;
  a.Authorize(r, scopes, [&](Authorization x) {
    out = std::move(x);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
  return out;
}

json::object IdClaims() {
  return {{"sub", "u-1"},        {"iss", kIssuer},          {"token_use", "id"}, {"aud", "client1"},
          {"exp", NowSeconds() + 3600}, {"iat", 1700000000},  {"email_verified", true},
          {"cognito:groups", json::array{"admin", "users"}}, {"custom:n", 42}};
}

TEST(CognitoAuthorizer, WarnsOnceWithoutJwksAndAcceptsUnsignedTokens) {
  std::vector<std::string> warnings;
  auto a = MakeAuthorizer(CognitoSpec(false), nullptr, &warnings);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "authorizer Users: token signatures are not checked (local development); set jwksFile to check them");
  std::string token = MakeToken(IdClaims(), "none");
  Authorization r = Outcome(**a, &token);
  ASSERT_FALSE(r.error) << r.error->message;
  const json::object& claims = r.context.at("claims").as_object();
  EXPECT_EQ(claims.at("sub"), "u-1");
  EXPECT_EQ(claims.at("email_verified"), "true");
  EXPECT_EQ(claims.at("custom:n"), "42");
  EXPECT_EQ(claims.at("cognito:groups"), "admin,users");
  EXPECT_EQ(claims.at("iat"), "Tue Nov 14 22:13:20 UTC 2023");
}

TEST(CognitoAuthorizer, ChecksSignaturesWithJwks) {
  std::vector<std::string> warnings;
  auto a = MakeAuthorizer(CognitoSpec(true), nullptr, &warnings);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_TRUE(warnings.empty());
  std::string good = MakeToken(IdClaims());
  EXPECT_FALSE(Outcome(**a, &good).error);
  std::string bearer = "Bearer " + good;
  EXPECT_FALSE(Outcome(**a, &bearer).error);
  for (std::string bad : {MakeToken(IdClaims(), "none"),
                          MakeToken(IdClaims(), "RS256", "test-rsa", "other_rsa_private.pem"), std::string("junk")}) {
    Authorization r = Outcome(**a, &bad);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->status, 401);
    EXPECT_EQ(r.error->response_type, "UNAUTHORIZED");
    EXPECT_EQ(r.error->message, "Unauthorized");
  }
}

// Decoded tokens are kept: a token sent again gets the same answer, a bad
// one stays refused, and expiry is still checked on every request.
TEST(CognitoAuthorizer, RepeatedTokensGetTheSameAnswer) {
  auto a = MakeAuthorizer(CognitoSpec(true), nullptr, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().message();
  std::string good = MakeToken(IdClaims());
  Authorization first = Outcome(**a, &good);
  ASSERT_FALSE(first.error);
  for (int i = 0; i < 3; ++i) {
    Authorization again = Outcome(**a, &good);
    ASSERT_FALSE(again.error);
    EXPECT_EQ(again.context, first.context);
  }
  std::string forged = MakeToken(IdClaims(), "RS256", "test-rsa", "other_rsa_private.pem");
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Outcome(**a, &forged).error);
  json::object soon = IdClaims();
  soon["exp"] = NowSeconds() + 2;
  std::string expiring = MakeToken(soon);
  EXPECT_FALSE(Outcome(**a, &expiring).error);
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  Authorization late = Outcome(**a, &expiring);
  ASSERT_TRUE(late.error);
  EXPECT_EQ(late.error->message, "The incoming token has expired");
}

TEST(CognitoAuthorizer, MissingExpiredWrongIssuer) {
  auto a = MakeAuthorizer(CognitoSpec(true), nullptr, nullptr);
  ASSERT_TRUE(a.ok());
  Authorization missing = Outcome(**a, nullptr);
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->status, 401);
  EXPECT_EQ(missing.error->message, "Unauthorized");
  std::string empty;
  EXPECT_EQ(Outcome(**a, &empty).error->status, 401);

  json::object expired = IdClaims();
  expired["exp"] = NowSeconds() - 5;
  std::string token = MakeToken(expired);
  Authorization r = Outcome(**a, &token);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, 401);
  EXPECT_EQ(r.error->message, "The incoming token has expired");

  json::object other = IdClaims();
  other["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other";
  token = MakeToken(other);
  EXPECT_EQ(Outcome(**a, &token).error->message, "Unauthorized");
}

TEST(CognitoAuthorizer, ScopesNeedAnAccessTokenHoldingOne) {
  auto a = MakeAuthorizer(CognitoSpec(true), nullptr, nullptr);
  ASSERT_TRUE(a.ok());
  json::object access{{"sub", "u-1"}, {"iss", kIssuer}, {"token_use", "access"}, {"client_id", "client1"},
                      {"scope", "openid links/read links/write"}, {"exp", NowSeconds() + 60}};
  std::string token = MakeToken(access);
  EXPECT_FALSE(Outcome(**a, &token, {"links/write"}).error);
  EXPECT_FALSE(Outcome(**a, &token, {"x", "links/read"}).error);
  Authorization none = Outcome(**a, &token, {"links/admin"});
  ASSERT_TRUE(none.error);
  EXPECT_EQ(none.error->status, 401);
  // Without scopes on the method, the token is taken as an id token.
  EXPECT_TRUE(Outcome(**a, &token).error);
  std::string id = MakeToken(IdClaims());
  EXPECT_TRUE(Outcome(**a, &id, {"links/read"}).error);
}

TEST(CognitoAuthorizer, ConfigurationErrors) {
  stack::AuthorizerSpec spec = CognitoSpec(false);
  spec.provider_arns = {"arn:aws:cognito-idp:us-east-1:1:pool/x"};
  EXPECT_FALSE(MakeAuthorizer(spec, nullptr, nullptr).ok());
  spec = CognitoSpec(false);
  spec.provider_arns.clear();
  EXPECT_FALSE(MakeAuthorizer(spec, nullptr, nullptr).ok());
  spec = CognitoSpec(false);
  spec.jwks_file = "/nonexistent.json";
  auto a = MakeAuthorizer(spec, nullptr, nullptr);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("Users"), std::string::npos);
  spec = CognitoSpec(false);
  spec.identity_source = "method.request.querystring.token";
  EXPECT_FALSE(MakeAuthorizer(spec, nullptr, nullptr).ok());
  spec = CognitoSpec(false);
  spec.identity_validation_expression = "(";
  EXPECT_FALSE(MakeAuthorizer(spec, nullptr, nullptr).ok());
  spec.type = "AWS_IAM";
  EXPECT_FALSE(MakeAuthorizer(spec, nullptr, nullptr).ok());
}

TEST(JwtAuthorizer, AnyIssuerAndAudiences) {
  stack::AuthorizerSpec spec;
  spec.name = "Jwt";
  spec.type = "JWT";
  spec.issuer = "https://issuer.example";
  spec.audiences = {"api://one"};
  spec.identity_source = "method.request.header.X-Token";
  spec.identity_validation_expression = "[A-Za-z0-9._-]+";
  spec.jwks_file = Fixture("jwks.json");
  auto a = MakeAuthorizer(spec, nullptr, nullptr);
  ASSERT_TRUE(a.ok()) << a.status().message();
  json::object claims{{"iss", "https://issuer.example"}, {"aud", "api://one"}, {"exp", NowSeconds() + 60}};
  std::string token = MakeToken(claims, "ES256");
  EXPECT_FALSE(Outcome(**a, &token, {}, "x-token").error);
  EXPECT_TRUE(Outcome(**a, &token).error);  // in another header
  claims["aud"] = "api://two";
  token = MakeToken(claims, "ES256");
  EXPECT_TRUE(Outcome(**a, &token, {}, "X-Token").error);
  std::string spaced = "a b";
  EXPECT_EQ(Outcome(**a, &spaced, {}, "X-Token").error->status, 401);
}

}  // namespace
}  // namespace streamer::gateway
