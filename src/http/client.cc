#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <algorithm>
#include <optional>

namespace streamer::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

void CallCanceller::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  for (asio::io_context* call : running_) call->stop();  // thread-safe: run() returns
}

bool CallCanceller::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

bool CallCanceller::Enter(asio::io_context* call) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  running_.push_back(call);
  return true;
}

void CallCanceller::Leave(asio::io_context* call) {
  std::lock_guard<std::mutex> lock(mu_);
  running_.erase(std::find(running_.begin(), running_.end(), call));
}

Result<Response> HttpCall(const std::string& host, uint16_t port, Request request,
                          const CallOptions& options) {
  std::string where = host + ":" + std::to_string(port);
  auto broken = [&](const std::string& what, const beast::error_code& ec) {
    if (ec == beast::error::timeout) {
      return Status::Of(Code::kTimeout, what + " " + where + ": timed out");
    }
    return Status::Of(Code::kConnectionError, what + " " + where + ": " + ec.message());
  };
  try {
    asio::io_context ioc(1);
    beast::error_code ec;
    // Blocking resolve: immediate for numeric addresses and localhost.
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return broken("cannot resolve", ec);

    if (request.version() != 10) request.version(11);
    if (request.find(bhttp::field::host) == request.end()) request.set(bhttp::field::host, where);
    request.prepare_payload();

    beast::tcp_stream stream(ioc);
    stream.expires_after(options.timeout);  // absolute: covers the whole exchange
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options.max_response_body_bytes);
    parser.header_limit(64 * 1024);
    if (request.method() == bhttp::verb::head) parser.skip(true);

    std::optional<Status> failure;
    stream.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        failure = broken("cannot connect to", ec);
        return;
      }
      stream.socket().set_option(tcp::no_delay(true), ec);
      bhttp::async_write(stream, request, [&](beast::error_code ec, size_t) {
        if (ec) {
          failure = broken("cannot send to", ec);
          return;
        }
        bhttp::async_read(stream, buffer, parser, [&](beast::error_code ec, size_t) {
          if (ec) failure = broken("no valid response from", ec);
        });
      });
    });
    if (options.canceller) {
      if (!options.canceller->Enter(&ioc)) return Status::Of(Code::kUnavailable, "call to " + where + " cancelled");
      ioc.run();
      options.canceller->Leave(&ioc);
      if (!failure && !parser.is_done() && options.canceller->cancelled()) {  // stopped by Cancel()
        return Status::Of(Code::kUnavailable, "call to " + where + " cancelled");
      }
    } else {
      ioc.run();
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (failure) return *failure;
    if (!parser.is_done()) return Status::Of(Code::kConnectionError, "incomplete response from " + where);
    return parser.release();
  } catch (const std::exception& e) {  // prepare_payload rejects e.g. a TRACE with a body
    return Status::Of(Code::kConnectionError, std::string("cannot call ") + where + ": " + e.what());
  }
}

}  // namespace streamer::http
