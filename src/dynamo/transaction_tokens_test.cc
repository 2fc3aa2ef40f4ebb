#include "dynamo/transaction_tokens.h"

#include <gtest/gtest.h>

namespace streamer::dynamo {
namespace {

using Claim = TransactionTokens::Claim;

TEST(TransactionTokens, ReplaysTheSameRequestWithinTheWindow) {
  TransactionTokens tokens(10, 1000);
  EXPECT_EQ(tokens.Begin("t", "req", 0).claim, Claim::kNew);
  EXPECT_EQ(tokens.Begin("t", "req", 1).claim, Claim::kInProgress);
  tokens.Finish("t", json::object{{"answer", 1}}, 10);
  auto replay = tokens.Begin("t", "req", 500);
  EXPECT_EQ(replay.claim, Claim::kReplay);
  EXPECT_EQ(replay.result.at("answer").as_int64(), 1);
  EXPECT_EQ(tokens.Begin("t", "other", 500).claim, Claim::kMismatch);
}

TEST(TransactionTokens, ForgetsAfterTheWindow) {
  TransactionTokens tokens(10, 1000);
  ASSERT_EQ(tokens.Begin("t", "req", 0).claim, Claim::kNew);
  tokens.Finish("t", {}, 0);
  EXPECT_EQ(tokens.Begin("t", "other", 999).claim, Claim::kMismatch);
  EXPECT_EQ(tokens.Begin("t", "other", 1000).claim, Claim::kNew);  // expired: a new request
}

TEST(TransactionTokens, ReleasedTokenMayBeUsedAgain) {
  TransactionTokens tokens(10, 1000);
  ASSERT_EQ(tokens.Begin("t", "req", 0).claim, Claim::kNew);
  tokens.Release("t");
  EXPECT_EQ(tokens.Begin("t", "other", 1).claim, Claim::kNew);
  EXPECT_EQ(tokens.size(), 1u);
}

TEST(TransactionTokens, BoundedByForgettingTheOldestFinished) {
  TransactionTokens tokens(3, 1000000);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(tokens.Begin("t" + std::to_string(i), "r", i).claim, Claim::kNew);
  }
  tokens.Finish("t0", {}, 5);
  tokens.Finish("t2", {}, 5);  // t1 still in flight: never dropped
  EXPECT_EQ(tokens.Begin("t3", "r", 6).claim, Claim::kNew);
  EXPECT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens.Begin("t0", "x", 7).claim, Claim::kNew);        // forgotten: oldest finished
  EXPECT_EQ(tokens.Begin("t1", "r", 8).claim, Claim::kInProgress);  // kept
  EXPECT_LE(tokens.size(), 3u);
}

TEST(TransactionTokens, NeverGrowsPastCapacity) {
  TransactionTokens tokens(100, 1000000);
  for (int i = 0; i < 10000; ++i) {
    const std::string t = "t" + std::to_string(i);
    ASSERT_EQ(tokens.Begin(t, "r", i).claim, Claim::kNew);
    tokens.Finish(t, {}, i);
  }
  EXPECT_EQ(tokens.size(), 100u);
}

}  // namespace
}  // namespace streamer::dynamo
