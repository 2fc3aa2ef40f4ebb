#include "http/client.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <thread>

namespace streamer::http {
namespace {

using namespace std::chrono_literals;
using boost::beast::http::field;
using boost::beast::http::verb;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_.Start(2);
    ServerOptions o;
    o.bind_address = "127.0.0.1";
    server_ = std::make_unique<Server>(pool_, o, [this](Request&& req, const RequestInfo&, Respond respond) {
      if (req.target() == "/slow") {
        // Joined in TearDown: a Respond must not outlive the pool.
        std::lock_guard<std::mutex> lock(slow_mu_);
        slow_.emplace_back([respond] {
          std::this_thread::sleep_for(500ms);
          respond(Response{HttpStatus::ok, 11});
        });
        return;
      }
      Response res{req.target() == "/missing" ? HttpStatus::not_found : HttpStatus::ok, 11};
      res.set(field::content_type, "application/json");
      res.body() = std::string(req.method_string()) + " " + std::string(req[field::host]) + " " +
                   req.body();
      respond(std::move(res));
    });
    ASSERT_TRUE(server_->Listen().ok());
  }
  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(slow_mu_);
      for (auto& t : slow_) t.join();
    }
    server_->Shutdown(2s);
    server_.reset();
    pool_.Stop();
    pool_.Join();
  }
  IoPool pool_;
  std::unique_ptr<Server> server_;
  std::mutex slow_mu_;
  std::vector<std::thread> slow_;
};

TEST_F(ClientTest, PostAndGetResponse) {
  Request req{verb::post, "/x", 11};
  req.body() = "payload";
  auto res = HttpCall("127.0.0.1", server_->port(), std::move(req));
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->result(), HttpStatus::ok);
  EXPECT_EQ(res->body(), "POST 127.0.0.1:" + std::to_string(server_->port()) + " payload");
  EXPECT_EQ((*res)[field::content_type], "application/json");
}

TEST_F(ClientTest, ErrorStatusIsAResponseNotAFailure) {
  auto res = HttpCall("localhost", server_->port(), Request{verb::get, "/missing", 11});
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->result(), HttpStatus::not_found);
}

TEST_F(ClientTest, Timeout) {
  CallOptions o;
  o.timeout = 100ms;
  auto start = std::chrono::steady_clock::now();
  auto res = HttpCall("127.0.0.1", server_->port(), Request{verb::get, "/slow", 11}, o);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().type(), "Timeout");
  EXPECT_EQ(res.status().http_status(), 504);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 400ms);
}

TEST_F(ClientTest, CancellerEndsACallInFlightAndRefusesLaterOnes) {
  CallCanceller canceller;
  CallOptions options;
  options.canceller = &canceller;
  Result<Response> r = Status::Internal("not run");
  std::thread t([&] { r = HttpCall("127.0.0.1", server_->port(), Request{verb::get, "/slow", 11}, options); });
  std::this_thread::sleep_for(100ms);
  canceller.Cancel();
  t.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  auto later = HttpCall("127.0.0.1", server_->port(), Request{verb::get, "/x", 11}, options);
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.status().code(), Code::kUnavailable);
  // A call that is not given the canceller is not affected.
  EXPECT_TRUE(HttpCall("127.0.0.1", server_->port(), Request{verb::get, "/x", 11}).ok());
}

TEST_F(ClientTest, ConnectionRefused) {
  // A port that was just free: bind, read the port, close.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::address_v4::loopback(), 0});
  uint16_t port = a.local_endpoint().port();
  a.close();
  auto res = HttpCall("127.0.0.1", port, Request{verb::get, "/", 11});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().type(), "ConnectionError");
  EXPECT_EQ(res.status().http_status(), 502);
}

TEST_F(ClientTest, UnresolvableHost) {
  auto res = HttpCall("no-such-host.invalid", 80, Request{verb::get, "/", 11});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().type(), "ConnectionError");
}

}  // namespace
}  // namespace streamer::http
