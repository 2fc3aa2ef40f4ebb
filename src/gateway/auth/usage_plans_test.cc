#include "gateway/auth/usage_plans.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gateway/auth/usage_plans_clock.h"

namespace streamer::gateway {
namespace {

const std::string kGold = "gold-key-0123456789abcdef";
const std::string kFree = "free-key-0123456789abcdef";
const std::string kOff = "disabled-0123456789abcdef";

class UsagePlansTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = 1'767'225'600'000;  // 2026-01-01T00:00:00Z, a Thursday
    SetUsagePlansClockForTesting([this] { return now_.load(); });
  }
  void TearDown() override { SetUsagePlansClockForTesting(nullptr); }

  std::unique_ptr<UsagePlans> Build(std::optional<double> rate, std::optional<int> burst,
                                    std::optional<int64_t> quota, std::string period = "DAY") {
    std::vector<stack::ApiKeySpec> keys{{"Gold", kGold, true}, {"Free", kFree, true}, {"Off", kOff, false}};
    stack::UsagePlanSpec plan;
    plan.name = "Plan";
    plan.stages = {{"Api", "prod"}, {"Api", "beta"}};
    plan.rate_limit = rate;
    plan.burst_limit = burst;
    plan.quota_limit = quota;
    plan.quota_period = period;
    plan.api_keys = {"Gold", "Off"};
    auto built = UsagePlans::Build(keys, {plan});
    EXPECT_TRUE(built.ok()) << built.status().message();
    return std::move(*built);
  }

  std::atomic<int64_t> now_;
};

std::string Type(const std::optional<GatewayError>& e) { return e ? e->response_type : "ok"; }

TEST_F(UsagePlansTest, ForbiddenForMissingUnknownDisabledOrUnplannedKeys) {
  auto plans = Build(std::nullopt, std::nullopt, std::nullopt);
  EXPECT_FALSE(plans->Admit("Api", "prod", &kGold));
  EXPECT_FALSE(plans->Admit("Api", "beta", &kGold));
  std::string unknown = "nope";
  for (auto e : {plans->Admit("Api", "prod", nullptr), plans->Admit("Api", "prod", &unknown),
                 plans->Admit("Api", "prod", &kOff), plans->Admit("Api", "prod", &kFree),
                 plans->Admit("Api", "dev", &kGold), plans->Admit("Other", "prod", &kGold)}) {
    ASSERT_TRUE(e);
    EXPECT_EQ(e->status, 403);
    EXPECT_EQ(e->message, "Forbidden");
    EXPECT_EQ(e->response_type, "INVALID_API_KEY");
  }
}

TEST_F(UsagePlansTest, TokenBucketBurstThenRate) {
  auto plans = Build(2.0, 3, std::nullopt);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "ok") << i;
  auto e = plans->Admit("Api", "prod", &kGold);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 429);
  EXPECT_EQ(e->response_type, "THROTTLED");
  EXPECT_EQ(e->message, "Too Many Requests");
  // Another stage has its own bucket.
  EXPECT_EQ(Type(plans->Admit("Api", "beta", &kGold)), "ok");
  now_ += 499;  // 0.998 tokens
  EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "THROTTLED");
  now_ += 1;
  EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "ok");
  now_ += 60'000;  // refills up to the burst only
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "ok");
  EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "THROTTLED");
}

TEST_F(UsagePlansTest, QuotaPerDayAcrossStages) {
  auto plans = Build(std::nullopt, std::nullopt, 3);
  EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "ok");
  EXPECT_EQ(Type(plans->Admit("Api", "beta", &kGold)), "ok");
  EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "ok");
  auto e = plans->Admit("Api", "beta", &kGold);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 429);
  EXPECT_EQ(e->response_type, "QUOTA_EXCEEDED");
  EXPECT_EQ(e->message, "Limit Exceeded");
  now_ += 86'400'000 - 1;
  EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "QUOTA_EXCEEDED");
  now_ += 1;  // the next UTC day
  EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "ok");
}

TEST_F(UsagePlansTest, ThrottledRequestsDoNotUseQuota) {
  auto plans = Build(1.0, 1, 2);
  EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "ok");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "THROTTLED");
  now_ += 1000;
  EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "ok");
  now_ += 1000;
  EXPECT_EQ(Type(plans->Admit("Api", "prod", &kGold)), "QUOTA_EXCEEDED");
}

TEST(QuotaPeriods, CalendarBoundariesInUtc) {
  const int64_t thu = 1'767'225'600'000 + 13 * 3'600'000;  // 2026-01-01T13:00Z, a Thursday
  EXPECT_EQ(QuotaPeriodStart("DAY", thu), 1'767'225'600'000);
  EXPECT_EQ(QuotaPeriodStart("WEEK", thu), 1'767'225'600'000 - 3 * 86'400'000);  // Monday 2025-12-29
  EXPECT_EQ(QuotaPeriodStart("MONTH", thu), 1'767'225'600'000);
  const int64_t feb_10 = 1'770'681'600'000;  // 2026-02-10T00:00Z
  EXPECT_EQ(QuotaPeriodStart("MONTH", feb_10 + 5), 1'769'904'000'000);  // 2026-02-01
}

TEST_F(UsagePlansTest, BuildErrorsNameThePlanAndKey) {
  std::vector<stack::ApiKeySpec> keys{{"Gold", kGold, true}};
  stack::UsagePlanSpec plan;
  plan.name = "P";
  plan.stages = {{"Api", "prod"}};
  plan.api_keys = {"Missing"};
  auto r = UsagePlans::Build(keys, {plan});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("usage plan P"), std::string::npos);
  EXPECT_NE(r.status().message().find("Missing"), std::string::npos);
  plan.api_keys = {"Gold"};
  plan.quota_period = "YEAR";
  EXPECT_FALSE(UsagePlans::Build(keys, {plan}).ok());
  plan.quota_period = "DAY";
  plan.rate_limit = -1;
  EXPECT_FALSE(UsagePlans::Build(keys, {plan}).ok());
  plan.rate_limit.reset();
  stack::UsagePlanSpec twice = plan;
  twice.name = "Q";
  EXPECT_FALSE(UsagePlans::Build(keys, {plan, twice}).ok());  // one plan per key and stage
  EXPECT_FALSE(UsagePlans::Build({{"Short", "abc", true}}, {}).ok());
  EXPECT_FALSE(UsagePlans::Build({{"A", kGold, true}, {"B", kGold, true}}, {}).ok());
  EXPECT_TRUE(UsagePlans::Build(keys, {plan}).ok());
}

TEST_F(UsagePlansTest, ConcurrentAdmissionsNeverExceedTheQuota) {
  auto plans = Build(std::nullopt, std::nullopt, 1000);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 400; ++i) {
        if (!plans->Admit("Api", t % 2 ? "prod" : "beta", &kGold)) ++admitted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 1000);
}

}  // namespace
}  // namespace streamer::gateway
