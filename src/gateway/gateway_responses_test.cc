#include "gateway/gateway_responses.h"

#include <gtest/gtest.h>

namespace streamer::gateway {
namespace {

TEST(GatewayResponses, DefaultsAreAwsShaped) {
  auto r = GatewayResponses::Compile({});
  ASSERT_TRUE(r.ok());
  auto res = r->Answer(GatewayError{"MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token"},
                       vtl::Value(), nullptr, "", "rid");
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(res.body(), R"({"message":"Missing Authentication Token"})");
  EXPECT_EQ(res["x-amzn-ErrorType"], "MissingAuthenticationTokenException");
  EXPECT_EQ(res["Content-Type"], "application/json");
  EXPECT_EQ(res["x-amzn-RequestId"], "rid");
  // A message with quotes is escaped by messageString.
  auto quoted = r->Answer(GatewayError{"BAD_REQUEST_BODY", 400, "bad \"x\""}, vtl::Value(), nullptr, "", "rid");
  EXPECT_EQ(quoted.body(), R"({"message":"bad \"x\""})");
  EXPECT_EQ(DefaultGatewayResponseStatus("UNAUTHORIZED"), 401);
  EXPECT_EQ(DefaultGatewayResponseStatus("REQUEST_TOO_LARGE"), 413);
  EXPECT_EQ(DefaultGatewayResponseStatus("INTEGRATION_TIMEOUT"), 504);
  EXPECT_EQ(DefaultGatewayResponseStatus("QUOTA_EXCEEDED"), 429);
}

TEST(GatewayResponses, OwnTypeThenDefaultClass) {
  stack::GatewayResponseSpec four;
  four.type = "DEFAULT_4XX";
  four.response_parameters = {{"gatewayresponse.header.Access-Control-Allow-Origin", "'*'"}};
  four.response_templates = {{"application/json", R"({"error":$context.error.messageString,"type":"$context.error.responseType"})"}};
  stack::GatewayResponseSpec unauthorized;
  unauthorized.type = "UNAUTHORIZED";
  unauthorized.status_code = 418;
  unauthorized.response_parameters = {{"gatewayresponse.header.WWW-Authenticate", "'Bearer'"}};
  auto r = GatewayResponses::Compile({four, unauthorized});
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto a = r->Answer(GatewayError{"MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token"}, vtl::Value(),
                     nullptr, "", "rid");
  EXPECT_EQ(a.result_int(), 403);
  EXPECT_EQ(a.body(), R"({"error":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN"})");
  EXPECT_EQ(a["Access-Control-Allow-Origin"], "*");
  auto b = r->Answer(GatewayError{"UNAUTHORIZED", 401, "Unauthorized"}, vtl::Value(), nullptr, "", "rid");
  EXPECT_EQ(b.result_int(), 418);
  EXPECT_EQ(b["WWW-Authenticate"], "Bearer");
  EXPECT_EQ(b["Access-Control-Allow-Origin"], "*");  // DEFAULT_4XX's parameters still apply
  // 5xx errors do not take DEFAULT_4XX.
  auto c = r->Answer(GatewayError{"DEFAULT_5XX", 500, "Internal server error"}, vtl::Value(), nullptr, "", "rid");
  EXPECT_EQ(c.body(), R"({"message":"Internal server error"})");
  EXPECT_EQ(c["Access-Control-Allow-Origin"], "");
}

TEST(GatewayResponses, BadSpecsAreRefused) {
  stack::GatewayResponseSpec bad;
  bad.type = "NOT_A_TYPE";
  EXPECT_FALSE(GatewayResponses::Compile({bad}).ok());
  bad.type = "DEFAULT_4XX";
  bad.status_code = 99;
  EXPECT_FALSE(GatewayResponses::Compile({bad}).ok());
  bad.status_code.reset();
  bad.response_parameters = {{"method.response.header.X", "'a'"}};
  EXPECT_FALSE(GatewayResponses::Compile({bad}).ok());
  bad.response_parameters = {{"gatewayresponse.header.X", "nonsense"}};
  EXPECT_FALSE(GatewayResponses::Compile({bad}).ok());
  bad.response_parameters.clear();
  bad.response_templates = {{"application/json", "#if("}};
  EXPECT_FALSE(GatewayResponses::Compile({bad}).ok());
}

}  // namespace
}  // namespace streamer::gateway
