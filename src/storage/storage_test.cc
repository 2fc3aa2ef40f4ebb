// Storage: big-endian encodings sort as numbers, the shard writers commit a
// drain atomically with sequence numbers that survive a reopen.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <thread>
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
    ShardWriters writers(store.get(), {.writers = 2, .on_commit = [&](int) { ++commits; }});
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
        *seq = v.NextSequence(1);
        v.Put(Family::kStream, "rec" + std::to_string(i), std::to_string(*seq));
      };
      t.done = [p, seq](const Status& s) { p->set_value(s.ok() ? *seq : 0); };
      writers.Submit(1, std::move(t));
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
    EXPECT_EQ(writers.CommittedSequence(1), last_seq);
    writers.Stop();
  }
  auto store = Open();
  ShardWriters writers(store.get(), {.writers = 2});
  ASSERT_TRUE(writers.Start().ok());
  const int shard = 1;
  EXPECT_EQ(writers.CommittedSequence(shard), last_seq);
  std::promise<uint64_t> p;
  WriteTask t;
  auto seq = std::make_shared<uint64_t>(0);
  t.apply = [seq](DrainView& v) { *seq = v.NextSequence(1); };
  t.done = [&p, seq](const Status&) { p.set_value(*seq); };
  writers.Submit(shard, std::move(t));
  EXPECT_EQ(p.get_future().get(), last_seq + 1);
}

// A deleted item is gone for later tasks of the same drain.
TEST_F(ShardWritersTest, DeleteSeenWithinDrain) {
  auto store = Open();
  ShardWriters writers(store.get(), {.writers = 1});
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
  EXPECT_TRUE(store->Get(Family::kItems, "k", &value).Is(Code::kNotFound));
}

// After Stop, a submitted task is answered (not dropped) with an error.
TEST_F(ShardWritersTest, SubmitAfterStopAnswers) {
  auto store = Open();
  ShardWriters writers(store.get(), {.writers = 1});
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

namespace streamer::storage {
namespace {

// Multi-writer tasks hammered from many threads, interleaved with ordinary
// tasks: no deadlock, every task answered, and each multi task's writes are
// atomic: it moves one unit between two counters held by different writers,
// so the sum over all counters never changes and every multi task sees both
// counters as the single tasks before it left them.
TEST_F(ShardWritersTest, MultiWriterTasksAreAtomicAndNeverDeadlock) {
  auto store = Open();
  constexpr int kWriters = 4;
  ShardWriters writers(store.get(), {.writers = kWriters, .max_drain_tasks = 7});
  ASSERT_TRUE(writers.Start().ok());
  auto read = [](DrainView& v, const std::string& key) {
    std::string value;
    Status err;
    return v.GetItem(key, &value, &err) ? std::stoll(value) : 0LL;
  };
  std::atomic<int> answered{0}, failed{0};
  std::vector<std::thread> threads;
  constexpr int kThreads = 8, kPerThread = 300;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < kPerThread; ++i) {
        WriteTask task;
        task.done = [&](const Status& s) {
          if (!s.ok()) ++failed;
          ++answered;
        };
        if (rng() % 3 == 0) {
          // A single-writer task: +1 on its own counter, -1 on its twin key
          // of the same writer (sum unchanged).
          const int w = static_cast<int>(rng() % kWriters);
          task.apply = [w, read](DrainView& v) {
            const std::string a = "c" + std::to_string(w), b = "d" + std::to_string(w);
            v.PutItem(a, std::to_string(read(v, a) + 1));
            v.PutItem(b, std::to_string(read(v, b) - 1));
            v.NextSequence(w);
          };
          writers.Submit(w, std::move(task));
        } else {
          int a = static_cast<int>(rng() % kWriters), b = static_cast<int>(rng() % kWriters);
          if (a == b) b = (a + 1) % kWriters;
          task.apply = [a, b, read](DrainView& v) {
            const std::string ka = "c" + std::to_string(a), kb = "c" + std::to_string(b);
            v.PutItem(ka, std::to_string(read(v, ka) - 1));
            v.PutItem(kb, std::to_string(read(v, kb) + 1));
            v.NextSequence(a);
            v.NextSequence(b);
          };
          writers.SubmitMulti({b, a}, std::move(task));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  writers.Stop();
  EXPECT_EQ(answered.load(), kThreads * kPerThread);
  EXPECT_EQ(failed.load(), 0);
  long long sum = 0;
  for (int w = 0; w < kWriters; ++w) {
    for (const char* p : {"c", "d"}) {
      std::string value;
      if (store->Get(Family::kItems, p + std::to_string(w), &value).ok()) sum += std::stoll(value);
    }
  }
  EXPECT_EQ(sum, 0);
  // Sequence counters: every writer's counter was saved with its batches.
  for (int w = 0; w < kWriters; ++w) {
    std::string value;
    ASSERT_TRUE(store->Get(Family::kMeta, SequenceCounterKey(w), &value).ok());
    EXPECT_EQ(ReadU64(value), writers.CommittedSequence(w));
  }
}

// A drain stops at the byte cap: the tasks after it commit in later drains,
// in order, and all are answered.
TEST_F(ShardWritersTest, DrainIsCappedByBytes) {
  auto store = Open();
  std::atomic<int> commits{0};
  ShardWriters writers(store.get(), {.writers = 1, .on_commit = [&](int) { ++commits; },
                                     .max_drain_bytes = 64 * 1024});
  // Queue everything before the writer starts, so one drain could take all.
  std::vector<std::string> order;
  std::mutex mu;
  std::atomic<int> answered{0};
  for (int i = 0; i < 40; ++i) {
    WriteTask t;
    t.apply = [i, &order, &mu](DrainView& v) {
      v.PutItem("k" + std::to_string(i), std::string(16 * 1024, 'x'));
      v.NextSequence(0);
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(std::to_string(i));
    };
    t.done = [&](const Status& s) { answered += s.ok(); };
    writers.Submit(0, std::move(t));
  }
  ASSERT_TRUE(writers.Start().ok());
  writers.Stop();
  EXPECT_EQ(answered.load(), 40);
  ASSERT_EQ(order.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(order[i], std::to_string(i));
  EXPECT_GE(commits.load(), 10);  // 64 KB per drain: at most 4 items each
}

// A drain that writes nothing goes through the syncer behind the drains
// before it: it is answered after them, and publishes no sequence before
// they are durable. Answers run on the completion executor, not on a writer
// or the syncer.
TEST_F(ShardWritersTest, EmptyDrainNeverPublishesAheadAndAnswersRunElsewhere) {
  auto store = Open();
  // A serial executor: one thread, answers in the order they were handed out.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> queue;
  bool done_running = false;
  std::thread executor([&] {
    for (;;) {
      std::function<void()> work;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return done_running || !queue.empty(); });
        if (queue.empty()) return;
        work = std::move(queue.front());
        queue.pop_front();
      }
      work();
    }
  });
  ShardWriters writers(store.get(), {.writers = 1, .completions = [&](std::function<void()> work) {
                                       std::lock_guard<std::mutex> lock(mu);
                                       queue.push_back(std::move(work));
                                       cv.notify_one();
                                     }});
  ASSERT_TRUE(writers.Start().ok());
  std::atomic<int> writes_answered{0}, empty_answered{0}, early{0};
  std::atomic<bool> on_executor{true};
  const auto executor_id = executor.get_id();
  constexpr int kRounds = 200;
  for (int i = 0; i < kRounds; ++i) {
    WriteTask write;
    write.apply = [](DrainView& v) {
      v.PutItem("k", "v");
      v.NextSequence(0);
    };
    write.done = [&](const Status&) {
      if (std::this_thread::get_id() != executor_id) on_executor = false;
      ++writes_answered;
    };
    writers.Submit(0, std::move(write));
    WriteTask empty;
    empty.apply = [](DrainView&) {};
    empty.done = [&, i](const Status&) {
      // Before the fix the empty drain was answered (and published) at once,
      // while the write before it still waited for its fsync.
      if (writes_answered.load() < i + 1) ++early;
      ++empty_answered;
    };
    writers.Submit(0, std::move(empty));
  }
  writers.Stop();
  {
    std::lock_guard<std::mutex> lock(mu);
    done_running = true;
  }
  cv.notify_one();
  executor.join();
  EXPECT_EQ(writes_answered.load(), kRounds);
  EXPECT_EQ(empty_answered.load(), kRounds);
  EXPECT_EQ(early.load(), 0);
  EXPECT_TRUE(on_executor.load());
}

}  // namespace
}  // namespace streamer::storage
