#include "gateway/integrations/integration.h"

#include <gtest/gtest.h>

namespace streamer::gateway {
namespace {

IntegrationEnv Env() {
  IntegrationEnv env;
  env.call = [](const std::string&, const std::string&, std::string, ServiceReply reply) { reply({}); };
  return env;
}

stack::IntegrationSpec Spec(std::string type, std::string uri) {
  stack::IntegrationSpec s;
  s.type = std::move(type);
  s.uri = std::move(uri);
  return s;
}

TEST(Integration, FunctionNames) {
  EXPECT_EQ(FunctionNameFromArn("arn:aws:lambda:us-east-1:123:function:MyFn"), "MyFn");
  EXPECT_EQ(FunctionNameFromArn("arn:aws:lambda:us-east-1:123:function:MyFn:live"), "MyFn");
  EXPECT_EQ(FunctionNameFromArn("MyFn"), "MyFn");
  EXPECT_EQ(FunctionNameFromArn("arn:aws:s3:::bucket"), "arn:aws:s3:::bucket");
}

TEST(Integration, StageVariableSubstitution) {
  std::map<std::string, std::string> vars{{"fn", "Lookup"}, {"host", "h:1"}};
  MethodRequest r;
  r.stage_variables = &vars;
  EXPECT_EQ(SubstituteStageVariables("a:${stageVariables.fn}/b", r), "a:Lookup/b");
  EXPECT_EQ(SubstituteStageVariables("${stageVariables.host}${stageVariables.fn}", r), "h:1Lookup");
  EXPECT_EQ(SubstituteStageVariables("x${stageVariables.none}y", r), "xy");
  EXPECT_EQ(SubstituteStageVariables("unterminated ${stageVariables.fn", r), "unterminated ${stageVariables.fn");
  MethodRequest none;
  EXPECT_EQ(SubstituteStageVariables("${stageVariables.fn}", none), "");
}

TEST(Integration, UrisThatWork) {
  for (const auto& s : {Spec("AWS", "arn:aws:apigateway:us-east-1:dynamodb:action/Query"),
                        Spec("AWS", "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
                                    "arn:aws:lambda:eu-west-1:1:function:F/invocations"),
                        Spec("AWS_PROXY", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                          "arn:aws:lambda:us-east-1:1:function:${stageVariables.f}/invocations"),
                        Spec("HTTP", "http://127.0.0.1:1/{id}"), Spec("HTTP_PROXY", "${stageVariables.url}/{proxy}"),
                        Spec("MOCK", "")}) {
    auto made = MakeIntegration(s, Env());
    EXPECT_TRUE(made.ok()) << s.type << " " << s.uri << ": " << made.status().message();
  }
  auto proxy = MakeIntegration(Spec("HTTP_PROXY", "http://x/"), Env());
  ASSERT_TRUE(proxy.ok());
  EXPECT_TRUE((*proxy)->proxy());
  auto aws = MakeIntegration(Spec("AWS", "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem"), Env());
  ASSERT_TRUE(aws.ok());
  EXPECT_FALSE((*aws)->proxy());
  EXPECT_FALSE((*aws)->may_stall());
}

TEST(Integration, UrisThatDoNot) {
  struct Case {
    stack::IntegrationSpec spec;
    const char* expected;
  };
  const Case cases[] = {
      {Spec("AWS", "arn:aws:apigateway:us-east-1:s3:path/bucket/key"), "service 's3' is not supported"},
      {Spec("AWS", "arn:aws:apigateway:us-east-1:dynamodb:path/x"), "dynamodb:action/{Action}"},
      {Spec("AWS", "arn:aws:apigateway:us-east-1:dynamodb:action/"), "dynamodb:action/{Action}"},
      {Spec("AWS", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/invocations"),
       "lambda:path/2015-03-31/functions/{functionArn}/invocations"},
      {Spec("AWS", "arn:aws:apigateway:us-east-1"), "is not arn:aws:apigateway"},
      {Spec("AWS", "http://example.com/"), "is not arn:aws:apigateway"},
      {Spec("AWS_PROXY", "arn:aws:apigateway:us-east-1:dynamodb:action/GetItem"), "AWS_PROXY integrates a Lambda"},
      {Spec("HTTP", "https://example.com/"), "https backends are not supported"},
      {Spec("HTTP_PROXY", "ftp://example.com/"), "is not an http:// URL"},
      {Spec("SOAP", ""), "unknown integration type 'SOAP'"},
      {Spec("AWS", ""), "names no DynamoDB action"},
  };
  for (const auto& c : cases) {
    auto made = MakeIntegration(c.spec, Env());
    ASSERT_FALSE(made.ok()) << c.spec.type << " " << c.spec.uri;
    EXPECT_NE(made.status().message().find(c.expected), std::string::npos)
        << made.status().message() << " / expected: " << c.expected;
  }
}

}  // namespace
}  // namespace streamer::gateway
