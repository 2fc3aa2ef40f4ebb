// Storage: big-endian encodings sort as numbers, the shard writers commit a
// drain atomically with sequence numbers that survive a reopen.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <random>

#include "storage/shard_writer.h"
#include "storage/store.h"

namespace streamer::storage {
namespace {

std::string TempDir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("storage_test_" + std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}()));
  return dir.string();
}

TEST(Encoding, BigEndianSortsAsNumbers) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    uint64_t a = rng(), b = rng() >> (rng() % 64);
    std::string ea, eb;
    AppendU64(&ea, a);
    AppendU64(&eb, b);
    EXPECT_EQ(a < b, ea < eb);
    EXPECT_EQ(ReadU64(ea), a);
  }
  std::string e;
  AppendU16(&e, 0xbeef);
  AppendU32(&e, 0xdeadbeef);
  EXPECT_EQ(ReadU16(e), 0xbeef);
  EXPECT_EQ(ReadU32(std::string_view(e).substr(2)), 0xdeadbeefu);
}

TEST(Encoding, PrefixEnd) {
  EXPECT_EQ(PrefixEnd("ab"), "ac");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_GT(PrefixEnd("abc"), std::string("abc\xff\xff"));
}

class ShardWritersTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = TempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Store> Open() {
    auto s = Store::Open({dir_, Durability::kFsync});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(*s);
  }
  std::string dir_;
};

// Every task of a drain sees what earlier tasks staged, sequence numbers
// increase per shard, and the counters survive a reopen.
TEST_F(ShardWritersTest, ReadYourDrainAndDurableSequences) {
  uint64_t last_seq = 0;
  {
    auto store = Open();
    std::atomic<int> commits{0};
    ShardWriters writers(store.get(), 2, [&](int) { ++commits; });
    ASSERT_TRUE(writers.Start().ok());
    std::vector<std::future<uint64_t>> results;
    for (int i = 0; i < 200; ++i) {
      auto p = std::make_shared<std::promise<uint64_t>>();
      results.push_back(p->get_future());
      auto seq = std::make_shared<uint64_t>(0);
      WriteTask t;
      t.apply = [seq, i](DrainView& v) {
        // A counter item incremented by every task: needs read-your-drain.
        std::string value;
        Status err;
        int n = v.GetItem("counter", &value, &err) ? std::stoi(value) : 0;
        v.PutItem("counter", std::to_string(n + 1));
        *seq = v.NextSequence();
        v.Put(Family::kStream, "rec" + std::to_string(i), std::to_string(*seq));
      };
      t.done = [p, seq](const Status& s) { p->set_value(s.ok() ? *seq : 0); };
      writers.Submit(writers.ShardFor("counter"), std::move(t));
    }
    std::vector<uint64_t> seqs;
    for (auto& f : results) seqs.push_back(f.get());
    for (size_t i = 1; i < seqs.size(); ++i) EXPECT_GT(seqs[i], seqs[i - 1]);
    last_seq = seqs.back();
    std::string value;
    ASSERT_TRUE(store->Get(Family::kItems, "counter", &value).ok());
    EXPECT_EQ(value, "200");
    EXPECT_GE(commits.load(), 1);
    EXPECT_LE(commits.load(), 200);  // grouped: usually far fewer than 200
    EXPECT_EQ(writers.CommittedSequence(writers.ShardFor("counter")), last_seq);
    writers.Stop();
  }
  auto store = Open();
  ShardWriters writers(store.get(), 2, nullptr);
  ASSERT_TRUE(writers.Start().ok());
  const int shard = writers.ShardFor("counter");
  EXPECT_EQ(writers.CommittedSequence(shard), last_seq);
  std::promise<uint64_t> p;
  WriteTask t;
  auto seq = std::make_shared<uint64_t>(0);
  t.apply = [seq](DrainView& v) { *seq = v.NextSequence(); };
  t.done = [&p, seq](const Status&) { p.set_value(*seq); };
  writers.Submit(shard, std::move(t));
  EXPECT_EQ(p.get_future().get(), last_seq + 1);
}

// A deleted item is gone for later tasks of the same drain.
TEST_F(ShardWritersTest, DeleteSeenWithinDrain) {
  auto store = Open();
  ShardWriters writers(store.get(), 1, nullptr);
  ASSERT_TRUE(writers.Start().ok());
  std::promise<bool> found;
  WriteTask put, del, get;
  put.apply = [](DrainView& v) { v.PutItem("k", "v"); };
  put.done = [](const Status&) {};
  del.apply = [](DrainView& v) { v.DeleteItem("k"); };
  del.done = [](const Status&) {};
  get.apply = [&found](DrainView& v) {
    std::string value;
    Status err;
    found.set_value(v.GetItem("k", &value, &err));
  };
  get.done = [](const Status&) {};
  writers.Submit(0, std::move(put));
  writers.Submit(0, std::move(del));
  writers.Submit(0, std::move(get));
  EXPECT_FALSE(found.get_future().get());
  writers.Stop();
  std::string value;
  EXPECT_EQ(store->Get(Family::kItems, "k", &value).type(), "NotFound");
}

// After Stop, a submitted task is answered (not dropped) with an error.
TEST_F(ShardWritersTest, SubmitAfterStopAnswers) {
  auto store = Open();
  ShardWriters writers(store.get(), 1, nullptr);
  ASSERT_TRUE(writers.Start().ok());
  writers.Stop();
  bool answered = false;
  WriteTask t;
  t.apply = [](DrainView&) { FAIL() << "must not run"; };
  t.done = [&](const Status& s) { answered = !s.ok(); };
  writers.Submit(0, std::move(t));
  EXPECT_TRUE(answered);
}

}  // namespace
}  // namespace streamer::storage
