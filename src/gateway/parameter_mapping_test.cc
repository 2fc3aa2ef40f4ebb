#include "gateway/parameter_mapping.h"

#include <gtest/gtest.h>

namespace streamer::gateway {
namespace {

MethodRequest Sample() {
  MethodRequest r;
  r.path_params = {{"id", "42"}};
  r.query = {{"q", "one"}, {"q", "two"}, {"x", "y"}};
  r.headers = {{"X-Thing", "a"}, {"x-thing", "b"}, {"Host", "h"}};
  r.body = R"({"a":{"b":[1,2]},"s":"text"})";
  return r;
}

TEST(ParameterMapping, MethodRequestSources) {
  MethodRequest r = Sample();
  ParameterSources from;
  from.request = &r;
  EXPECT_EQ(ParameterValue("'static value'", from), "static value");
  EXPECT_EQ(ParameterValue("''", from), "");
  EXPECT_EQ(ParameterValue("method.request.path.id", from), "42");
  EXPECT_EQ(ParameterValue("method.request.path.nope", from), std::nullopt);
  EXPECT_EQ(ParameterValue("method.request.querystring.q", from), "two");  // the last value
  EXPECT_EQ(ParameterValue("method.request.multivaluequerystring.q", from), "one,two");
  EXPECT_EQ(ParameterValue("method.request.header.X-THING", from), "b");  // case-insensitive
  EXPECT_EQ(ParameterValue("method.request.multivalueheader.x-thing", from), "a,b");
  EXPECT_EQ(ParameterValue("method.request.body", from), r.body);
  EXPECT_EQ(ParameterValue("method.request.body.s", from), "text");
  EXPECT_EQ(ParameterValue("method.request.body.a", from), R"({"b":[1,2]})");
  EXPECT_EQ(ParameterValue("method.request.body.missing", from), std::nullopt);
}

TEST(ParameterMapping, ContextStageVariablesAndResponse) {
  MethodRequest r = Sample();
  std::map<std::string, std::string> vars{{"env", "dev"}};
  r.stage_variables = &vars;
  vtl::Value ctx = vtl::Value::NewMap();
  vtl::Value identity = vtl::Value::NewMap();
  identity.if_map()->Put("sourceIp", "1.2.3.4");
  ctx.if_map()->Put("identity", identity);
  ctx.if_map()->Put("stage", "prod");
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "text/plain"}};
  std::string body = R"({"id":"7","n":3})";
  ParameterSources from{&r, &ctx, &headers, &body};
  EXPECT_EQ(ParameterValue("context.stage", from), "prod");
  EXPECT_EQ(ParameterValue("context.identity.sourceIp", from), "1.2.3.4");
  EXPECT_EQ(ParameterValue("context.identity.nope", from), std::nullopt);
  EXPECT_EQ(ParameterValue("stageVariables.env", from), "dev");
  EXPECT_EQ(ParameterValue("stageVariables.none", from), std::nullopt);
  EXPECT_EQ(ParameterValue("integration.response.header.content-type", from), "text/plain");
  EXPECT_EQ(ParameterValue("integration.response.body.id", from), "7");
  EXPECT_EQ(ParameterValue("integration.response.body.n", from), "3");
  EXPECT_EQ(ParameterValue("integration.response.body", from), body);
  // A source that does not apply where it is used has no value.
  ParameterSources request_only{&r, nullptr, nullptr, nullptr};
  EXPECT_EQ(ParameterValue("integration.response.body", request_only), std::nullopt);
  EXPECT_EQ(ParameterValue("context.stage", request_only), std::nullopt);
}

TEST(ParameterMapping, BadBodiesAndPaths) {
  MethodRequest r = Sample();
  r.body = "not json";
  ParameterSources from;
  from.request = &r;
  EXPECT_EQ(ParameterValue("method.request.body.a", from), std::nullopt);
  EXPECT_EQ(ParameterValue("method.request.body.[[[", from), std::nullopt);
  EXPECT_EQ(ParameterValue("something.else", from), std::nullopt);
}

TEST(ParameterMapping, AcceptedSources) {
  EXPECT_TRUE(IsParameterSource("'x'"));
  EXPECT_TRUE(IsParameterSource("method.request.header.Authorization"));
  EXPECT_TRUE(IsParameterSource("method.request.body"));
  EXPECT_TRUE(IsParameterSource("method.request.body.a.b"));
  EXPECT_TRUE(IsParameterSource("context.requestId"));
  EXPECT_TRUE(IsParameterSource("stageVariables.url"));
  EXPECT_TRUE(IsParameterSource("integration.response.header.X"));
  EXPECT_FALSE(IsParameterSource("method.request.header."));
  EXPECT_FALSE(IsParameterSource("method.request.bodyx"));
  EXPECT_FALSE(IsParameterSource("static"));
  EXPECT_FALSE(IsParameterSource("'unterminated"));
  EXPECT_FALSE(IsParameterSource(""));
}

TEST(ParameterMapping, IntegrationRequestTargets) {
  EXPECT_EQ(IntegrationRequestTarget("integration.request.header.X-Id"),
            std::make_pair(std::string("header"), std::string("X-Id")));
  EXPECT_EQ(IntegrationRequestTarget("integration.request.querystring.q"),
            std::make_pair(std::string("querystring"), std::string("q")));
  EXPECT_EQ(IntegrationRequestTarget("integration.request.path.proxy"),
            std::make_pair(std::string("path"), std::string("proxy")));
  EXPECT_EQ(IntegrationRequestTarget("integration.request.path."), std::nullopt);
  EXPECT_EQ(IntegrationRequestTarget("integration.request.body.x"), std::nullopt);
  EXPECT_EQ(IntegrationRequestTarget("method.request.header.x"), std::nullopt);
}

}  // namespace
}  // namespace streamer::gateway
