// HTTP/1.1 server: accepts connections on one port and hands every request to
// a Handler, which answers through a Respond callable whenever it likes, from
// any thread. What a request means (X-Amz-Target, routes) is not decided here.
//
// Per connection there is at most one request in flight: the next request is
// read only after the previous response was written, so responses always go
// out in request order, pipelined or not.
//
// Errors answered by the server itself (the handler never sees the request),
// in the port's error shape (ServerOptions::error_shape), then the connection
// closed:
//   400 malformed request (request line, header syntax, chunk framing)
//   413 body over max_body_bytes (Content-Length known up front or chunked)
//   431 header section over max_header_bytes (RFC 6585); chunk extensions and
//       trailer fields count against the same limit (trailers are dropped)
//   501 a transfer coding other than chunked (RFC 9112 6.1)
//   503 the body does not fit in the process-wide budget for request bodies
//       in flight (SharedLimits), or the connection cap was reached
//   500 the handler threw, or dropped its Respond without calling it
//
// The budget is answered with 503 at once rather than by pausing the read:
// a paused client waits (holding a descriptor) for as long as the slow
// senders that took the budget choose to trickle, up to the idle timeout,
// while a 503 reaches it at once, nothing was processed, and the AWS SDKs
// retry 503 with backoff.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/io_pool.h"
#include "http/limits.h"

namespace streamer::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using HttpStatus = boost::beast::http::status;

namespace detail {
class Exchange;
class ServerCore;
}  // namespace detail

// Answers one request. Copyable (it fits in std::function); all copies share
// one answer: the first call wins, later calls do nothing. Callable from any
// thread, at any time: after the connection closed it does nothing. If every
// copy is destroyed without a call, the client gets a 500.
//
// The server adds Content-Length (always), Server: streamer, Date, and the
// Connection header (a handler's Transfer-Encoding/Content-Length are
// replaced: the body is sent whole); Content-Type and every other header are
// the handler's. A response with "Connection: close" closes the connection
// after writing. HEAD responses keep the Content-Length of the body and omit
// it; 204/304 carry neither.
//
// A Respond keeps its connection object alive: none may outlive the IoPool.
class Respond {
 public:
  Respond() = default;
  explicit Respond(std::shared_ptr<detail::Exchange> exchange) : exchange_(std::move(exchange)) {}
  void operator()(Response&& response) const;
  explicit operator bool() const { return exchange_ != nullptr; }

 private:
  std::shared_ptr<detail::Exchange> exchange_;
};

struct RequestInfo {
  std::string remote_address;  // peer IP, no port
  uint16_t local_port = 0;     // the port the request came in on
};

// Runs on an I/O thread; must not block (hand slow work elsewhere and answer
// later through `respond`). Exceptions it throws become a 500.
using Handler = std::function<void(Request&& request, const RequestInfo& info, Respond respond)>;

// How the server's own errors look. kApiGateway: {"message"} with an
// x-amzn-ErrorType header; kAwsJson: the AWS JSON protocol's
// {"__type": "com.amazon.coral.service#<type>", "message"}.
enum class ErrorShape { kApiGateway, kAwsJson };

struct ServerOptions {
  // All interfaces, as DynamoDB Local and API Gateway emulators (SAM local) do by
  // default, so that containers on the host can reach us. Use "127.0.0.1" to
  // keep it private.
  std::string bind_address = "0.0.0.0";
  uint16_t port = 0;  // 0 = an ephemeral port, see Server::port()
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 16 * 1024 * 1024;  // BatchWriteItem allows 16 MB
  // How long a connection may wait for (or trickle in) a request, or take to
  // read a response, before it is closed. Not applied while the handler works.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  ErrorShape error_shape = ErrorShape::kApiGateway;
  // Connection cap and request-body budget, shared with the process's other
  // servers. Null: this server gets its own, with the defaults.
  std::shared_ptr<SharedLimits> limits;
};

class Server {
 public:
  // The pool must outlive the server.
  Server(IoPool& pool, ServerOptions options, Handler handler);
  ~Server();  // stops accepting and closes every connection (no waiting)
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts accepting. Fails (type "AddressInUse", or
  // "ListenError") without throwing.
  Status Listen();
  // The bound port (the real one when options.port was 0); 0 before Listen().
  uint16_t port() const;
  // Closes the listening socket; open connections keep being served.
  void StopAccepting();
  // Graceful stop: stops accepting, closes idle connections at once, lets
  // requests in flight finish (their responses say Connection: close) until
  // `deadline`, then closes whatever is left. Blocks until done; the pool must
  // be running and this must not be called from one of its threads.
  void Shutdown(std::chrono::milliseconds deadline);
  // Open connections right now (for tests and metrics).
  size_t connection_count() const;

 private:
  std::shared_ptr<detail::ServerCore> core_;
};

// A small JSON error response, {"message": "..."}.
Response MakeErrorResponse(HttpStatus status, std::string_view message);
// What the server itself sends: `type` (e.g. "ServiceUnavailableException")
// and the message in the given shape.
Response MakeErrorResponse(ErrorShape shape, HttpStatus status, std::string_view type,
                           std::string_view message);

}  // namespace streamer::http
