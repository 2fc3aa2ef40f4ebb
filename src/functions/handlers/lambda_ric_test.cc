// AWS's own runtime interface client (npm aws-lambda-ric, pinned in
// tests/lambda_ric) as a provided.al2023 bootstrap against our Runtime API.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <mutex>
#include <string>

#include "functions/handlers/handler.h"

namespace streamer::functions {
namespace {

namespace json = boost::json;

const std::string kFixtures = STREAMER_FUNCTION_FIXTURES;
const std::string kRic = STREAMER_LAMBDA_RIC;

TEST(LambdaRic, NodeHandlerRunsUnderAwsRuntimeInterfaceClient) {
  ASSERT_EQ(::access(kRic.c_str(), X_OK), 0)
      << kRic << " is missing: run `npm ci` in tests/lambda_ric (scripts/test does)";
  std::mutex mu;
  std::vector<std::string> lines;
  HandlerContext context;
  context.base_dir = kFixtures;
  context.sink = [&](const std::string&, std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  };
  stack::FunctionSpec spec;
  spec.name = "ric-fn";
  spec.kind = "lambda";
  spec.runtime = "provided.al2023";
  spec.handler = "app.handler";
  spec.code_dir = "ric_node";
  spec.memory_size_mb = 512;
  spec.timeout_seconds = 20;
  spec.reserved_concurrency = 1;
  spec.environment = {{"LAMBDA_RIC", kRic}};
  auto h = MakeHandler(spec, context);

  json::value pid;
  for (int seq = 0; seq < 10; ++seq) {
    InvokeRequest req;
    req.payload = R"({"key":"k)" + std::to_string(seq % 3) + R"(","seq":)" + std::to_string(seq) + "}";
    auto r = h->Invoke(req);
    ASSERT_TRUE(r.ok) << r.error_type << ": " << r.error_message << " " << r.payload;
    auto o = json::parse(r.payload).as_object();
    auto& seen = o["seen"].as_array();
    ASSERT_EQ(seen.size(), static_cast<size_t>(seq + 1));  // one warm worker, every event in order
    for (int i = 0; i <= seq; ++i) {
      EXPECT_EQ(seen[i].as_string(), "k" + std::to_string(i % 3) + ":" + std::to_string(i));
    }
    if (seq == 0) pid = o["pid"];
    EXPECT_EQ(o["pid"], pid);
    EXPECT_EQ(o["requestId"].as_string(), r.request_id);
    EXPECT_EQ(o["functionName"].as_string(), "ric-fn");
    EXPECT_EQ(o["functionVersion"].as_string(), "$LATEST");
    EXPECT_EQ(o["invokedFunctionArn"].as_string(), "arn:aws:lambda:us-east-1:000000000000:function:ric-fn");
    EXPECT_EQ(json::serialize(o["memoryLimitInMB"]), "\"512\"");
    EXPECT_EQ(o["logGroupName"].as_string(), "/aws/lambda/ric-fn");
    EXPECT_GT(o["remaining"].to_number<int64_t>(), 15000);
    EXPECT_LE(o["remaining"].to_number<int64_t>(), 20000);
  }

  InvokeRequest bad;
  bad.payload = R"({"key":"k9","fail":true})";
  auto r = h->Invoke(bad);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.function_error);
  auto doc = json::parse(r.payload).as_object();
  EXPECT_EQ(doc["errorType"].as_string(), "TypeError");
  EXPECT_EQ(doc["errorMessage"].as_string(), "refusing k9");
  EXPECT_TRUE(doc["trace"].is_array() || doc["stackTrace"].is_array()) << r.payload;

  std::lock_guard lock(mu);
  bool logged = false;
  for (const auto& l : lines) logged |= l.find("processed k0:9") != std::string::npos;
  EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace streamer::functions
