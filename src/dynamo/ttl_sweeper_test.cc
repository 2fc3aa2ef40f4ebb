// Which items the TTL sweeper treats as expired (AWS: an N attribute of epoch
// seconds, in the past, and not more than five years in the past).
#include "dynamo/ttl_sweeper.h"

#include <gtest/gtest.h>

namespace streamer::dynamo {
namespace {

constexpr int64_t kNow = 1800000000;  // 2027-01-15
constexpr int64_t kFiveYears = 5LL * 365 * 86400;

TEST(TtlSweeper, IsExpired) {
  struct Case {
    const char* item;
    bool expired;
  };
  const Case cases[] = {
      {R"({"exp":{"N":"1799999999"}})", true},                 // a second ago
      {R"({"exp":{"N":"1800000000"}})", true},                 // now
      {R"({"exp":{"N":"1800000001"}})", false},                // a second from now
      {R"({"exp":{"N":"1799999999.9"}})", true},               // fractions count
      {R"({"exp":{"N":"1.7E9"}})", true},                      // any number notation
      {R"({"exp":{"N":"-5"}})", false},                        // long before five years ago
      {R"({"exp":{"N":"0"}})", false},
      {R"({"exp":{"S":"1799999999"}})", false},                // not a number
      {R"({"exp":{"NS":["1799999999"]}})", false},             // a set is not a TTL
      {R"({"exp":{"NULL":true}})", false},
      {R"({"other":{"N":"1799999999"}})", false},              // no TTL attribute
      {R"({"exp":{"N":"1800000000000"}})", false},             // milliseconds: far future
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsExpired(json::parse(c.item).as_object(), "exp", kNow), c.expired) << c.item;
  }
  // The five-year bound, at its edge.
  const std::string at_bound = std::to_string(kNow - kFiveYears);
  const std::string past_bound = std::to_string(kNow - kFiveYears - 1);
  EXPECT_TRUE(IsExpired(json::object{{"exp", json::object{{"N", at_bound}}}}, "exp", kNow));
  EXPECT_FALSE(IsExpired(json::object{{"exp", json::object{{"N", past_bound}}}}, "exp", kNow));
}

}  // namespace
}  // namespace streamer::dynamo
