// Test helpers: a raw TCP client with timeouts on every step, so that a
// broken server fails a test instead of hanging it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "http/server.h"

namespace streamer::http::testing {

class RawClient {
 public:
  explicit RawClient(uint16_t port) : socket_(ioc_) {
    boost::beast::error_code ec;
    socket_.connect(
        {boost::asio::ip::address_v4::loopback(), port}, ec);
    connected_ = !ec;
  }

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    boost::beast::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(data.data(), data.size()), ec);
    return !ec;
  }

  // One response, or nullopt (see last_error()) on timeout, EOF or bad HTTP.
  std::optional<Response> Read(std::chrono::milliseconds timeout = std::chrono::seconds(5),
                               bool head = false) {
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.body_limit(boost::none);
    if (head) parser.skip(true);
    boost::beast::error_code result;
    boost::beast::http::async_read(socket_, buffer_, parser,
                                   [&](boost::beast::error_code ec, size_t) { result = ec; });
    Run(timeout);
    last_error_ = result;
    if (result) return std::nullopt;
    return parser.release();
  }

  // Exactly n raw bytes (after what is already buffered), or what came before
  // the timeout.
  std::string ReadBytes(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    while (buffer_.size() < n) {
      boost::beast::error_code result;
      socket_.async_read_some(buffer_.prepare(n - buffer_.size()),
                              [&](boost::beast::error_code ec, size_t got) {
                                result = ec;
                                buffer_.commit(got);
                              });
      Run(timeout);
      if (result) break;
    }
    size_t take = std::min(n, buffer_.size());
    std::string out(static_cast<const char*>(buffer_.data().data()), take);
    buffer_.consume(take);
    return out;
  }

  // True when the server closes the connection (EOF or reset) within the
  // timeout with no further data; false on data or timeout.
  bool WaitClosed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    if (buffer_.size() > 0) return false;
    boost::beast::error_code result;
    size_t got = 0;
    socket_.async_read_some(buffer_.prepare(1024), [&](boost::beast::error_code ec, size_t n) {
      result = ec;
      got = n;
    });
    Run(timeout);
    buffer_.commit(got);
    last_error_ = result;
    return got == 0 && (result == boost::asio::error::eof ||
                        result == boost::asio::error::connection_reset);
  }

  void Close() {
    boost::beast::error_code ignored;
    socket_.close(ignored);
  }

  boost::beast::error_code last_error() const { return last_error_; }

 private:
  // Runs the pending operation; past the timeout it is cancelled (the
  // socket stays open) and completes with operation_aborted.
  void Run(std::chrono::milliseconds timeout) {
    ioc_.restart();
    ioc_.run_for(timeout);
    if (!ioc_.stopped()) {
      boost::beast::error_code ignored;
      socket_.cancel(ignored);
      ioc_.restart();
      ioc_.run();
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
  boost::beast::error_code last_error_;
};

}  // namespace streamer::http::testing
