#include "http/io_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

namespace streamer::http {
namespace {

using namespace std::chrono_literals;

TEST(IoPoolTest, RunsWorkOnItsThreads) {
  IoPool pool;
  pool.Start(3);
  EXPECT_EQ(pool.thread_count(), 3u);
  std::mutex mu;
  std::set<std::thread::id> ids;
  std::atomic<int> done{0};
  for (int i = 0; i < 300; ++i) {
    boost::asio::post(pool.context(), [&] {
      std::this_thread::sleep_for(1ms);
      std::lock_guard lock(mu);
      ids.insert(std::this_thread::get_id());
      ++done;
    });
  }
  for (int i = 0; i < 500 && done < 300; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(done.load(), 300);
  EXPECT_GT(ids.size(), 1u);  // spread over several threads
  EXPECT_EQ(ids.count(std::this_thread::get_id()), 0u);
  pool.Stop();
  pool.Join();
  EXPECT_EQ(pool.thread_count(), 0u);
}

TEST(IoPoolTest, DefaultThreadCountAndTimers) {
  IoPool pool;
  pool.Start();
  EXPECT_GE(pool.thread_count(), 1u);
  boost::asio::steady_timer timer(pool.context(), 20ms);
  std::atomic<bool> fired{false};
  timer.async_wait([&](boost::system::error_code ec) { fired = !ec; });
  for (int i = 0; i < 200 && !fired; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(fired.load());
}

TEST(IoPoolTest, SurvivesAThrowingHandlerAndCanStopFromInside) {
  IoPool pool;
  pool.Start(1);
  boost::asio::post(pool.context(), [] { throw std::runtime_error("handler bug"); });
  std::atomic<bool> ran{false};
  boost::asio::post(pool.context(), [&] { ran = true; });
  for (int i = 0; i < 200 && !ran; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(ran.load());
  boost::asio::post(pool.context(), [&] { pool.Stop(); });
  for (int i = 0; i < 200 && !pool.context().stopped(); ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(pool.context().stopped());
}  // the destructor joins

}  // namespace
}  // namespace streamer::http
