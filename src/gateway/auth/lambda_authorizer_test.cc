#include "gateway/auth/lambda_authorizer.h"

#include <gtest/gtest.h>

#include <thread>

namespace streamer::gateway {
namespace {

const char* kArn = "arn:aws:execute-api:us-east-1:000000000000:api1/prod/GET/items/7";

TEST(Policy, Wildcards) {
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("*", kArn));
  EXPECT_TRUE(WildcardMatch("arn:aws:execute-api:us-east-1:000000000000:api1/prod/*", kArn));
  EXPECT_TRUE(WildcardMatch("arn:aws:execute-api:*:*:api1/*/GET/items/*", kArn));
  EXPECT_TRUE(WildcardMatch("arn:aws:execute-api:us-east-1:000000000000:api1/prod/GET/items/?", kArn));
  EXPECT_FALSE(WildcardMatch("arn:aws:execute-api:us-east-1:000000000000:api1/prod/GET/items/??", kArn));
  EXPECT_FALSE(WildcardMatch("arn:aws:execute-api:us-east-1:000000000000:api1/prod/POST/*", kArn));
  EXPECT_FALSE(WildcardMatch("arn:aws:execute-api:us-east-1:000000000000:api1/prod/GET/items", kArn));
  EXPECT_TRUE(WildcardMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(WildcardMatch("a*b*c", "aXXbYY"));
  EXPECT_TRUE(WildcardMatch("execute-api:*", "EXECUTE-API:Invoke", true));
  EXPECT_FALSE(WildcardMatch("GET", "get"));
  // Many stars against a long text stays quick (no exponential backtracking).
  EXPECT_FALSE(WildcardMatch(std::string(50, '*') + "b", std::string(100000, 'a')));
}

TEST(Policy, ExplicitDenyWins) {
  auto out = ParseAuthorizerOutput(R"({"principalId": "u", "policyDocument": {"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*"},
                  {"Effect": "Deny", "Action": ["execute-api:*"], "Resource": ["*/DELETE/*"]}]}})");
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(EvaluatePolicy(out->statements, kArn), PolicyDecision::kAllow);
  EXPECT_EQ(EvaluatePolicy(out->statements, "arn:aws:execute-api:us-east-1:0:api1/prod/DELETE/items/7"),
            PolicyDecision::kExplicitDeny);
  EXPECT_EQ(EvaluatePolicy(out->statements, "other"), PolicyDecision::kImplicitDeny);
  // An Allow for another action allows nothing.
  auto other_action = ParseAuthorizerOutput(R"({"principalId": "u", "policyDocument": {
    "Statement": {"Effect": "Allow", "Action": "execute-api:ManageConnections", "Resource": "*"}}})");
  ASSERT_TRUE(other_action.ok());
  EXPECT_EQ(EvaluatePolicy(other_action->statements, kArn), PolicyDecision::kImplicitDeny);
}

TEST(Policy, OutputShapes) {
  auto ok = ParseAuthorizerOutput(R"({"principalId": "me", "policyDocument": {"Statement": []},
    "context": {"s": "x", "n": 1.5, "i": 7, "b": false}, "usageIdentifierKey": "key-1"})");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->principal_id, "me");
  EXPECT_EQ(ok->context.at("s"), "x");
  EXPECT_EQ(ok->context.at("n"), "1.5");
  EXPECT_EQ(ok->context.at("i"), "7");
  EXPECT_EQ(ok->context.at("b"), "false");
  EXPECT_EQ(ok->usage_identifier_key, "key-1");
  for (const char* bad : {
           "", "null", "[]", R"({"policyDocument": {"Statement": []}})",                        // no principalId
           R"({"principalId": "u"})",                                                             // no policy
           R"({"principalId": "u", "policyDocument": {}})",                                       // no Statement
           R"({"principalId": "u", "policyDocument": {"Statement": [1]}})",
           R"({"principalId": "u", "policyDocument": {"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}})",
           R"({"principalId": "u", "policyDocument": {"Statement": [{"Effect": "Allow", "Resource": "*"}]}})",
           R"({"principalId": "u", "policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": 5}]}})",
           R"({"principalId": "u", "policyDocument": {"Statement": []}, "context": {"o": {"a": 1}}})",
           R"({"principalId": "u", "policyDocument": {"Statement": []}, "context": {"l": [1]}})",
           R"({"principalId": "u", "policyDocument": {"Statement": []}, "context": {"z": null}})",
           R"({"principalId": "u", "policyDocument": {"Statement": []}, "context": "x"})"}) {
    EXPECT_FALSE(ParseAuthorizerOutput(bad).ok()) << bad;
  }
}

// The in-test InvokeFunction: records events and answers with a script.
struct FakeFunction {
  std::vector<std::string> events;
  bool ok = true;
  std::string payload;
  InvokeFunction Invoke() {
    return [this](const std::string& function, std::string event, std::function<void(bool, std::string)> done) {
      EXPECT_EQ(function, "AuthFn");
      events.push_back(std::move(event));
      done(ok, payload);
    };
  }
};

std::string AllowPolicy(const std::string& resource, const std::string& effect = "Allow") {
  return R"({"principalId": "user-1", "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action":
    "execute-api:Invoke", "Effect": ")" + effect + R"(", "Resource": ")" + resource +
         R"("}]}, "context": {"tier": "gold", "n": 3}})";
}

MethodRequest Request(const std::string& method, const std::string& path, const std::string& token) {
  MethodRequest r;
  r.method = method;
  r.path = path;
  r.resource_path = path;
  r.region = "us-east-1";
  r.account = "000000000000";
  r.api_id = "api1";
  r.stage = "prod";
  if (!token.empty()) r.headers.push_back({"authorization", token});
  return r;
}

Authorization Outcome(const Authorizer& a, const MethodRequest& r) {
  Authorization out;
  a.Authorize(r, {}, [&](Authorization x) { out = std::move(x); });
  return out;
}

stack::AuthorizerSpec TokenSpec(int ttl) {
  stack::AuthorizerSpec spec;
  spec.name = "Tok";
  spec.type = "TOKEN";
  spec.function = "AuthFn";
  spec.ttl_seconds = ttl;
  return spec;
}

TEST(LambdaAuthorizer, TokenEventAllowAndContext) {
  FakeFunction fn;
  fn.payload = AllowPolicy("arn:aws:execute-api:us-east-1:000000000000:api1/prod/GET/*");
  auto a = MakeLambdaAuthorizer(TokenSpec(0), fn.Invoke());
  ASSERT_TRUE(a.ok()) << a.status().message();
  Authorization r = Outcome(**a, Request("GET", "/items/7", "tok-1"));
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.principal_id, "user-1");
  EXPECT_EQ(r.context.at("tier"), "gold");
  EXPECT_EQ(r.context.at("n"), "3");
  EXPECT_EQ(r.context.at("principalId"), "user-1");
  ASSERT_EQ(fn.events.size(), 1u);
  auto event = ParseJson(fn.events[0]);
  EXPECT_EQ(*event, json::parse(R"({"type": "TOKEN", "authorizationToken": "tok-1", "methodArn":
    "arn:aws:execute-api:us-east-1:000000000000:api1/prod/GET/items/7"})"));
  // The same policy does not cover POST: 403 without an explicit deny.
  Authorization post = Outcome(**a, Request("POST", "/items/7", "tok-1"));
  ASSERT_TRUE(post.error);
  EXPECT_EQ(post.error->status, 403);
  EXPECT_EQ(post.error->response_type, "ACCESS_DENIED");
  EXPECT_EQ(post.error->message, "User is not authorized to access this resource");
}

TEST(LambdaAuthorizer, DenyUnauthorizedAndFailures) {
  FakeFunction fn;
  auto a = MakeLambdaAuthorizer(TokenSpec(0), fn.Invoke());
  ASSERT_TRUE(a.ok());
  fn.payload = AllowPolicy("*", "Deny");
  Authorization deny = Outcome(**a, Request("GET", "/x", "t"));
  ASSERT_TRUE(deny.error);
  EXPECT_EQ(deny.error->status, 403);
  EXPECT_EQ(deny.error->message, "User is not authorized to access this resource with an explicit deny");

  fn.ok = false;
  fn.payload = R"({"errorMessage": "Unauthorized", "errorType": "Error"})";
  Authorization unauthorized = Outcome(**a, Request("GET", "/x", "t"));
  ASSERT_TRUE(unauthorized.error);
  EXPECT_EQ(unauthorized.error->status, 401);
  EXPECT_EQ(unauthorized.error->message, "Unauthorized");

  fn.payload = R"({"errorMessage": "boom", "errorType": "Error"})";
  Authorization failed = Outcome(**a, Request("GET", "/x", "t"));
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->status, 500);
  EXPECT_EQ(failed.error->response_type, "AUTHORIZER_CONFIGURATION_ERROR");

  fn.ok = true;
  fn.payload = "not json";
  EXPECT_EQ(Outcome(**a, Request("GET", "/x", "t")).error->status, 500);
  fn.payload = R"({"principalId": "u", "policyDocument": {"Statement": []}, "context": {"o": {}}})";
  EXPECT_EQ(Outcome(**a, Request("GET", "/x", "t")).error->response_type, "AUTHORIZER_CONFIGURATION_ERROR");

  // No token: 401 without calling the function.
  size_t calls = fn.events.size();
  EXPECT_EQ(Outcome(**a, Request("GET", "/x", "")).error->status, 401);
  EXPECT_EQ(fn.events.size(), calls);
}

TEST(LambdaAuthorizer, ValidationExpressionRefusesWithoutCalling) {
  FakeFunction fn;
  fn.payload = AllowPolicy("*");
  stack::AuthorizerSpec spec = TokenSpec(0);
  spec.identity_validation_expression = "Bearer [a-z]+";
  auto a = MakeLambdaAuthorizer(spec, fn.Invoke());
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(Outcome(**a, Request("GET", "/x", "Bearer abc")).error);
  EXPECT_EQ(Outcome(**a, Request("GET", "/x", "Bearer abc1")).error->status, 401);
  EXPECT_EQ(Outcome(**a, Request("GET", "/x", "xBearer abc")).error->status, 401);
  EXPECT_EQ(fn.events.size(), 1u);
}

TEST(LambdaAuthorizer, CachesByTokenForTtlAndReevaluatesPerArn) {
  FakeFunction fn;
  fn.payload = AllowPolicy("arn:aws:execute-api:us-east-1:000000000000:api1/prod/GET/items/*");
  int64_t now = 1'000'000;
  auto a = MakeLambdaAuthorizer(TokenSpec(60), fn.Invoke(), [&now] { return now; });
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(Outcome(**a, Request("GET", "/items/1", "t1")).error);
  EXPECT_FALSE(Outcome(**a, Request("GET", "/items/2", "t1")).error);
  EXPECT_EQ(fn.events.size(), 1u);
  // The cached policy is evaluated for the new ARN: another resource is denied, still without a call.
  EXPECT_EQ(Outcome(**a, Request("GET", "/users/1", "t1")).error->status, 403);
  EXPECT_EQ(fn.events.size(), 1u);
  // Another token is another identity.
  EXPECT_FALSE(Outcome(**a, Request("GET", "/items/1", "t2")).error);
  EXPECT_EQ(fn.events.size(), 2u);
  now += 59'999;
  Outcome(**a, Request("GET", "/items/1", "t1"));
  EXPECT_EQ(fn.events.size(), 2u);
  now += 1;
  Outcome(**a, Request("GET", "/items/1", "t1"));
  EXPECT_EQ(fn.events.size(), 3u);
  // Errors are not cached.
  fn.ok = false;
  fn.payload = R"({"errorMessage": "Unauthorized"})";
  Outcome(**a, Request("GET", "/items/1", "t3"));
  Outcome(**a, Request("GET", "/items/1", "t3"));
  EXPECT_EQ(fn.events.size(), 5u);
}

TEST(LambdaAuthorizer, NoCachingWithTtlZero) {
  FakeFunction fn;
  fn.payload = AllowPolicy("*");
  auto a = MakeLambdaAuthorizer(TokenSpec(0), fn.Invoke());
  ASSERT_TRUE(a.ok());
  for (int i = 0; i < 3; ++i) Outcome(**a, Request("GET", "/x", "t"));
  EXPECT_EQ(fn.events.size(), 3u);
}

TEST(LambdaAuthorizer, RequestEventAndIdentitySources) {
  FakeFunction fn;
  fn.payload = AllowPolicy("*");
  stack::AuthorizerSpec spec;
  spec.name = "Req";
  spec.type = "REQUEST";
  spec.function = "AuthFn";
  spec.identity_source = "method.request.header.X-User, method.request.querystring.tenant, stageVariables.env";
  spec.ttl_seconds = 300;
  auto a = MakeLambdaAuthorizer(spec, fn.Invoke());
  ASSERT_TRUE(a.ok()) << a.status().message();
  std::map<std::string, std::string> vars{{"env", "dev"}};
  MethodRequest r = Request("GET", "/items/7", "");
  r.resource_path = "/items/{id}";
  r.path_params = {{"id", "7"}};
  r.stage_variables = &vars;
  r.headers = {{"X-User", "alice"}, {"Accept", "a"}, {"Accept", "b"}};
  r.query = {{"tenant", "t1"}, {"tenant", "t2"}};
  r.request_id = "req-1";
  EXPECT_FALSE(Outcome(**a, r).error);
  ASSERT_EQ(fn.events.size(), 1u);
  json::object e = ParseJson(fn.events[0])->as_object();
  EXPECT_EQ(e.at("type"), "REQUEST");
  EXPECT_EQ(e.at("methodArn"), kArn);
  EXPECT_EQ(e.at("resource"), "/items/{id}");
  EXPECT_EQ(e.at("path"), "/items/7");
  EXPECT_EQ(e.at("httpMethod"), "GET");
  EXPECT_EQ(e.at("headers"), json::parse(R"({"X-User": "alice", "Accept": "b"})"));
  EXPECT_EQ(e.at("multiValueHeaders"), json::parse(R"({"X-User": ["alice"], "Accept": ["a", "b"]})"));
  EXPECT_EQ(e.at("queryStringParameters"), json::parse(R"({"tenant": "t2"})"));
  EXPECT_EQ(e.at("multiValueQueryStringParameters"), json::parse(R"({"tenant": ["t1", "t2"]})"));
  EXPECT_EQ(e.at("pathParameters"), json::parse(R"({"id": "7"})"));
  EXPECT_EQ(e.at("stageVariables"), json::parse(R"({"env": "dev"})"));
  const json::object& ctx = e.at("requestContext").as_object();
  EXPECT_EQ(ctx.at("path"), "/prod/items/7");
  EXPECT_EQ(ctx.at("resourcePath"), "/items/{id}");
  EXPECT_EQ(ctx.at("requestId"), "req-1");
  EXPECT_EQ(ctx.at("apiId"), "api1");
  // Same identity (header, query, stage variable): cached.
  EXPECT_FALSE(Outcome(**a, r).error);
  EXPECT_EQ(fn.events.size(), 1u);
  r.headers = {{"X-User", "bob"}};
  EXPECT_FALSE(Outcome(**a, r).error);
  EXPECT_EQ(fn.events.size(), 2u);
  // A missing identity source with caching on: 401, no call.
  r.query.clear();
  EXPECT_EQ(Outcome(**a, r).error->status, 401);
  EXPECT_EQ(fn.events.size(), 2u);
}

TEST(LambdaAuthorizer, MultiValueSourcesKeyTheCacheByEveryValue) {
  FakeFunction fn;
  fn.payload = AllowPolicy("*");
  stack::AuthorizerSpec spec;
  spec.name = "Req";
  spec.type = "REQUEST";
  spec.function = "AuthFn";
  spec.identity_source = "method.request.multivaluequerystring.t, method.request.multivalueheader.x-a";
  auto a = MakeLambdaAuthorizer(spec, fn.Invoke());
  ASSERT_TRUE(a.ok()) << a.status().message();
  MethodRequest r = Request("GET", "/x", "");
  r.headers = {{"X-A", "1"}};
  r.query = {{"t", "a"}, {"t", "b"}};
  EXPECT_FALSE(Outcome(**a, r).error);
  r.query = {{"t", "a"}, {"t", "c"}};  // same last value, another list: another identity
  EXPECT_FALSE(Outcome(**a, r).error);
  EXPECT_EQ(fn.events.size(), 2u);
  r.headers.clear();
  EXPECT_EQ(Outcome(**a, r).error->status, 401);
}

TEST(LambdaAuthorizer, RequestWithoutCachingNeedsNoIdentity) {
  FakeFunction fn;
  fn.payload = AllowPolicy("*");
  stack::AuthorizerSpec spec;
  spec.name = "Req";
  spec.type = "REQUEST";
  spec.function = "AuthFn";
  spec.identity_source = "method.request.header.X-User";
  spec.ttl_seconds = 0;
  auto a = MakeLambdaAuthorizer(spec, fn.Invoke());
  ASSERT_TRUE(a.ok());
  MethodRequest r = Request("GET", "/x", "");
  EXPECT_FALSE(Outcome(**a, r).error);
  json::object e = ParseJson(fn.events[0])->as_object();
  EXPECT_TRUE(e.at("queryStringParameters").is_null());
  EXPECT_TRUE(e.at("headers").is_null());
}

TEST(LambdaAuthorizer, ConfigurationErrors) {
  FakeFunction fn;
  stack::AuthorizerSpec spec = TokenSpec(0);
  spec.function.clear();
  EXPECT_FALSE(MakeLambdaAuthorizer(spec, fn.Invoke()).ok());
  spec = TokenSpec(3601);
  EXPECT_FALSE(MakeLambdaAuthorizer(spec, fn.Invoke()).ok());
  spec = TokenSpec(0);
  spec.identity_source = "method.request.querystring.t";
  EXPECT_FALSE(MakeLambdaAuthorizer(spec, fn.Invoke()).ok());
  spec = TokenSpec(0);
  spec.identity_validation_expression = "[";
  EXPECT_FALSE(MakeLambdaAuthorizer(spec, fn.Invoke()).ok());
  spec = TokenSpec(0);
  spec.type = "REQUEST";
  spec.identity_source = "body.x";
  EXPECT_FALSE(MakeLambdaAuthorizer(spec, fn.Invoke()).ok());
  EXPECT_FALSE(MakeLambdaAuthorizer(TokenSpec(0), nullptr).ok());
}

TEST(LambdaAuthorizer, AnswersFromAnotherThreadAndConcurrently) {
  // The function answers on its own thread, as the registry does.
  std::vector<std::thread> threads;
  std::mutex mu;
  int invoked = 0;
  InvokeFunction invoke = [&](const std::string&, std::string, std::function<void(bool, std::string)> done) {
    std::lock_guard<std::mutex> lock(mu);
    ++invoked;
    threads.emplace_back([done = std::move(done)] { done(true, AllowPolicy("*")); });
  };
  auto a = MakeLambdaAuthorizer(TokenSpec(300), invoke);
  ASSERT_TRUE(a.ok());
  std::atomic<int> allowed{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&, i] {
      (*a)->Authorize(Request("GET", "/x", "t" + std::to_string(i % 2)), {}, [&](Authorization x) {
        if (!x.error) ++allowed;
      });
    });
  }
  for (auto& t : callers) t.join();
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 8);
  EXPECT_GE(invoked, 2);
}

}  // namespace
}  // namespace streamer::gateway
