#include "http/server.h"

#include <zlib.h>

#include "core/ids.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <vector>

#include "core/json.h"

namespace streamer::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// After an error response the client may still be sending a body we refused;
// closing with unread data makes the kernel send RST, which can destroy our
// response before the client reads it. So we read and discard for a while.
constexpr auto kDrainTime = std::chrono::seconds(2);
constexpr size_t kDrainMaxBytes = 4 * 1024 * 1024;
// A connection's read buffer is kept between requests; one that grew for a
// huge request is given back.
constexpr size_t kKeepBufferBytes = 256 * 1024;
// A connection's read buffer holds at most the header limit plus one read:
// what the parser cannot consume yet (a header, a chunk line, trailers) can
// never grow it further (Beast then fails the read with buffer_overflow).
constexpr size_t kReadSlackBytes = 64 * 1024;
// accept() failing (EMFILE, ENFILE, ENOBUFS): retry after a pause that
// doubles up to the maximum, so that the acceptor neither spins nor stops.
constexpr std::chrono::milliseconds kAcceptRetryMin{20};
constexpr std::chrono::milliseconds kAcceptRetryMax{1000};

// "Sun, 06 Nov 1994 08:49:37 GMT", formatted once per second per thread.
std::string_view HttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[64];
  thread_local size_t length = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    length = std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return std::string_view(text, length);
}

int64_t SteadyNow() {
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

}  // namespace

Response MakeErrorResponse(HttpStatus status, std::string_view message) {
  Response res{status, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = json::serialize(json::object{{"message", message}});
  return res;
}

Response MakeErrorResponse(ErrorShape shape, HttpStatus status, std::string_view type,
                           std::string_view message) {
  if (shape == ErrorShape::kApiGateway) {
    Response res = MakeErrorResponse(status, message);
    res.set("x-amzn-ErrorType", type);
    return res;
  }
  Response res{status, 11};
  res.set(bhttp::field::content_type, "application/x-amz-json-1.0");
  res.body() = json::serialize(json::object{
      {"__type", std::string("com.amazon.coral.service#").append(type)}, {"message", message}});
  // Every AWS JSON answer carries a request id and the CRC32 SDKs check,
  // also those the HTTP layer makes itself.
  res.set("x-amzn-RequestId", NewUuid());
  const std::string& body = res.body();
  res.set("x-amz-crc32", std::to_string(crc32(0L, reinterpret_cast<const Bytef*>(body.data()),
                                               static_cast<uInt>(body.size()))));
  return res;
}

namespace detail {

class Session;

// What a Server and its connections share; outlives the Server object while
// connections still reference it.
class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(asio::io_context& ioc, ServerOptions options, Handler handler)
      : ioc_(ioc),
        options_(std::move(options)),
        handler_(std::move(handler)),
        limits_(options_.limits ? options_.limits
                                : std::make_shared<SharedLimits>(0, kDefaultMaxInflightBodyBytes)),
        acceptor_(ioc),
        retry_timer_(ioc),
        sweep_timer_(ioc) {}

  Status Listen();
  void StopAccepting();
  void Shutdown(std::chrono::milliseconds deadline);
  void CloseAll();

  void Register(Session* s);
  void Unregister(Session* s);
  size_t connection_count() const {
    std::lock_guard lock(sessions_mu_);
    return sessions_.size();
  }

  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  SharedLimits& limits() const { return *limits_; }
  Response Error(HttpStatus status, std::string_view type, std::string_view message) const {
    return MakeErrorResponse(options_.error_shape, status, type, message);
  }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  uint16_t port() const { return port_.load(std::memory_order_acquire); }

 private:
  void Accept();  // with accept_mu_ held
  void Sweep();   // with accept_mu_ held: schedules the next timeout check
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Refuse(tcp::socket& socket);  // at the connection cap
  std::vector<std::shared_ptr<Session>> Snapshot();  // with sessions_mu_ held

  asio::io_context& ioc_;
  const ServerOptions options_;
  const Handler handler_;
  const std::shared_ptr<SharedLimits> limits_;

  std::mutex accept_mu_;  // guards acceptor_, retry_timer_, accepting_, accept_retry_
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  asio::steady_timer sweep_timer_;
  bool accepting_ = false;
  bool sweeping_ = false;
  std::chrono::milliseconds accept_retry_{0};  // 0: the last accept succeeded
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> stopping_{false};

  mutable std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_set<Session*> sessions_;
};

// One TCP connection. Everything it does runs on its strand; the only entry
// points from other threads are Deliver, BeginShutdown and ForceClose.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<ServerCore> core)
      : socket_(std::move(socket)),
        core_(std::move(core)),
        buffer_(core_->options().max_header_bytes + kReadSlackBytes) {
    beast::error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    if (!ec) info_.remote_address = remote.address().to_string();
    info_.local_port = core_->port();
    on_chunk_header_ = [this](std::uint64_t size, std::string_view extensions, beast::error_code& ec) {
      OnChunkHeader(size, extensions, ec);
    };
  }
  ~Session() {
    ReleaseBody();
    if (registered_) core_->Unregister(this);
  }

  void Start() {
    core_->Register(this);
    registered_ = true;
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      if (self->core_->stopping()) return self->Close();
      self->ReadRequest();
    });
  }

  // The handler's answer; from any thread.
  void Deliver(Response&& res) {
    asio::dispatch(socket_.get_executor(),
                   [self = shared_from_this(), res = std::move(res)]() mutable {
                     self->OnResponse(std::move(res));
                   });
  }

  // Server shutting down: idle connections close now, busy ones after their
  // response (which the stopping flag marks Connection: close).
  void BeginShutdown() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->state_ == State::kReading && !self->ReceivedAnything()) self->Close();
    });
  }

  // From the sweep: closes the connection if its deadline passed (re-checked
  // on the strand, where it may have been moved meanwhile).
  bool Expired(int64_t now) const {
    int64_t d = deadline_.load(std::memory_order_relaxed);
    return d != 0 && d <= now;
  }
  void CloseIfExpired() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->Expired(SteadyNow())) self->Close();
    });
  }

  void ForceClose() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

 private:
  enum class State { kReading, kHandling, kWriting, kDraining, kClosed };

  void SetDeadline(std::chrono::steady_clock::duration d) {
    deadline_.store(SteadyNow() + d.count(), std::memory_order_relaxed);
  }
  void ClearDeadline() { deadline_.store(0, std::memory_order_relaxed); }

  bool ReceivedAnything() const {
    return buffer_.size() > 0 || (parser_ && parser_->got_some());
  }

  void ReadRequest() {
    if (core_->stopping() && buffer_.size() == 0) return Close();
    if (buffer_.size() == 0 && buffer_.capacity() > kKeepBufferBytes) buffer_.shrink_to_fit();
    const ServerOptions& o = core_->options();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<size_t>(o.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(o.max_body_bytes);
    parser_->on_chunk_header(on_chunk_header_);
    header_bytes_ = 0;
    chunk_extension_bytes_ = 0;
    header_field_count_ = 0;
    over_budget_ = false;
    state_ = State::kReading;
    SetDeadline(o.idle_timeout);
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t n) {
                               self->OnHeader(ec, n);
                             });
  }

  // Only "chunked" is implemented; any other coding (gzip, "gzip, chunked")
  // would hand the handler bytes it cannot read (RFC 9112 6.1: 501).
  static bool OnlyChunked(const Request& req) {
    size_t codings = 0;
    bool chunked = false;
    for (const auto& f : req) {
      if (f.name() != bhttp::field::transfer_encoding) continue;
      for (const auto& coding : bhttp::token_list(f.value())) {
        ++codings;
        chunked = beast::iequals(coding, "chunked");
      }
    }
    return codings == 1 && chunked;
  }

  // Bytes the body will need, reserved from the process-wide budget before
  // it is read. False when an error was sent.
  bool ReserveDeclaredBody() {
    auto length = parser_->content_length();
    if (!length || *length == 0) return true;
    return Reserve(*length);
  }
  bool Reserve(size_t bytes) {
    SharedLimits& limits = core_->limits();
    if (bytes > limits.max_inflight_body_bytes()) {
      // Could never fit: as over the per-request limit.
      return false;
    }
    if (!limits.TryReserveBody(bytes)) return false;
    body_reserved_ += bytes;
    return true;
  }
  void ReleaseBody() {
    if (body_reserved_ == 0) return;
    core_->limits().ReleaseBody(body_reserved_);
    body_reserved_ = 0;
  }
  void SendOverBudget() {
    const bool never = parser_ && parser_->content_length() &&
                       *parser_->content_length() > core_->limits().max_inflight_body_bytes();
    if (never) {
      return SendErrorAndClose(HttpStatus::payload_too_large, "RequestEntityTooLargeException",
                               "Request body too large");
    }
    SendErrorAndClose(HttpStatus::service_unavailable, "ServiceUnavailableException",
                      "The server is busy receiving other request bodies; retry later");
  }

  // Each chunk: its extensions count against the header limit, and the body
  // string grows (doubling, as std::string would) only with budget.
  void OnChunkHeader(std::uint64_t size, std::string_view extensions, beast::error_code& ec) {
    chunk_extension_bytes_ += extensions.size();
    if (header_bytes_ + chunk_extension_bytes_ > core_->options().max_header_bytes) {
      ec = bhttp::error::header_limit;
      return;
    }
    if (size == 0) return;
    std::string& body = parser_->get().body();
    const size_t needed = body.size() + static_cast<size_t>(size);  // <= body limit (Beast checked)
    if (needed <= body.capacity()) return;
    const size_t grown = std::max(needed, std::min(2 * body.capacity(), core_->options().max_body_bytes));
    if (grown > body_reserved_ && !Reserve(grown - body_reserved_)) {
      over_budget_ = true;
      ec = std::make_error_code(std::errc::not_enough_memory);
      return;
    }
    body.reserve(grown);
  }

  void OnHeader(beast::error_code ec, size_t header_bytes) {
    if (state_ == State::kClosed) return;
    if (ec) return OnReadError(ec);
    header_bytes_ = header_bytes;
    if (parser_->chunked() || parser_->get().count(bhttp::field::transfer_encoding) > 0) {
      if (!OnlyChunked(parser_->get())) {
        return SendErrorAndClose(HttpStatus::not_implemented, "NotImplementedException",
                                 "Transfer-Encoding not implemented; only chunked is supported");
      }
      for ([[maybe_unused]] const auto& f : parser_->get()) ++header_field_count_;
    }
    if (!ReserveDeclaredBody()) return SendOverBudget();
    if (parser_->is_done()) return Dispatch();
    const Request& req = parser_->get();
    if (req.version() >= 11) {
      auto expect = req.find(bhttp::field::expect);
      if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
        // The client waits for this before it sends the body (botocore does so
        // for large bodies). Limits were already checked on the header.
        asio::async_write(socket_, asio::const_buffer(kContinue.data(), kContinue.size()),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (self->state_ == State::kClosed) return;
                            if (ec) return self->Close();
                            self->ReadBody();
                          });
        return;
      }
    }
    // Usually the body came in the same segments as the header: parse it
    // from the buffer now and skip a second asynchronous read.
    beast::error_code pec;
    parser_->eager(true);
    while (!parser_->is_done() && buffer_.size() > 0) {
      size_t n = parser_->put(buffer_.data(), pec);
      buffer_.consume(n);
      if (pec == bhttp::error::need_more) break;
      if (pec) return OnReadError(pec);
      if (n == 0) break;
    }
    if (parser_->is_done()) return Dispatch();
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (self->state_ == State::kClosed) return;
                        if (ec) return self->OnReadError(ec);
                        self->Dispatch();
                      });
  }

  void OnReadError(beast::error_code ec) {
    if (over_budget_) return SendOverBudget();
    if (ec == bhttp::error::body_limit) {
      return SendErrorAndClose(HttpStatus::payload_too_large, "RequestEntityTooLargeException",
                               "Request body too large");
    }
    // buffer_overflow: a chunk line or trailer section that does not fit in
    // the read buffer (header limit + one read), so certainly over the limit.
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      return SendErrorAndClose(HttpStatus::request_header_fields_too_large,
                               "RequestHeaderFieldsTooLargeException", "Request header fields too large");
    }
    // end_of_stream: the client closed between requests; partial_message: it
    // closed in the middle of one. Nobody is left to read an answer.
    if (IsHttpParseError(ec) && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message) {
      return SendErrorAndClose(HttpStatus::bad_request, "BadRequestException", "Malformed HTTP request");
    }
    Close();  // timeout, reset, eof, cancelled
  }

  // Trailer fields (Beast appends them to the header fields) count against
  // the header limit and are then dropped: a trailer must not pose as a
  // header (X-Amz-Target, Content-Type) the client did not send up front.
  bool DropTrailers(Request& req) {
    if (header_field_count_ == 0) return true;
    size_t index = 0, trailer_bytes = 0;
    for (const auto& f : req) {
      if (index++ >= header_field_count_) trailer_bytes += f.name_string().size() + f.value().size() + 4;
    }
    if (trailer_bytes == 0) return true;
    if (header_bytes_ + chunk_extension_bytes_ + trailer_bytes > core_->options().max_header_bytes) {
      return false;
    }
    index = 0;
    for (auto it = req.begin(); it != req.end();) {
      it = index++ < header_field_count_ ? std::next(it) : req.erase(it);
    }
    return true;
  }

  void Dispatch() {
    ClearDeadline();  // the handler may take as long as it needs
    if (!DropTrailers(parser_->get())) {
      return SendErrorAndClose(HttpStatus::request_header_fields_too_large,
                               "RequestHeaderFieldsTooLargeException", "Request header fields too large");
    }
    Request req = parser_->release();
    parser_.reset();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    state_ = State::kHandling;
    Respond respond(std::make_shared<Exchange>(shared_from_this()));
    try {
      core_->handler()(std::move(req), info_, respond);
    } catch (const std::exception& e) {
      respond(MakeErrorResponse(HttpStatus::internal_server_error, e.what()));
    } catch (...) {
      respond(MakeErrorResponse(HttpStatus::internal_server_error, "Internal server error"));
    }
  }

  void OnResponse(Response&& res) {
    if (state_ != State::kHandling) return;  // closed meanwhile
    ReleaseBody();  // the request was handled: its body is the handler's business now
    response_ = std::move(res);
    Write(/*drain_after=*/false);
  }

  void SendErrorAndClose(HttpStatus status, std::string_view type, std::string_view message) {
    ReleaseBody();
    response_ = core_->Error(status, type, message);
    version_ = 11;
    keep_alive_ = false;
    head_ = false;
    Write(/*drain_after=*/true);
  }

  // Serializes the status line and header into head_text_ (reused: no
  // allocation once warm), adding the headers the server owns. Beast's own
  // serializer walks every field as a separate buffer, which costs more
  // than the copy.
  void BuildHead() {
    Response& r = response_;
    unsigned code = r.result_int();
    if (code < 200 || code > 999) {  // a 1xx is not a final answer
      r = MakeErrorResponse(HttpStatus::internal_server_error, "Invalid response status");
      code = 500;
    }
    const bool bodyless = code == 204 || code == 304;
    std::string& h = head_text_;
    h.clear();
    h += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    char digits[3] = {char('0' + code / 100), char('0' + code / 10 % 10), char('0' + code % 10)};
    h.append(digits, 3);
    h += ' ';
    h += r.reason();
    h += "\r\n";
    bool handler_closes = false, has_server = false, has_date = false;
    for (const auto& f : r) {
      switch (f.name()) {
        case bhttp::field::content_length:
        case bhttp::field::transfer_encoding:
          continue;  // framing is ours
        case bhttp::field::connection:
          handler_closes = handler_closes || bhttp::token_list(f.value()).exists("close");
          continue;  // written below
        case bhttp::field::server:
          has_server = true;
          break;
        case bhttp::field::date:
          has_date = true;
          break;
        default:
          break;
      }
      h += f.name_string();
      h += ": ";
      h += f.value();
      h += "\r\n";
    }
    if (!has_server) h += "Server: streamer\r\n";
    if (!has_date) {
      h += "Date: ";
      h += HttpDate();
      h += "\r\n";
    }
    if (!bodyless) {
      // HEAD: the length GET would send, without the body.
      char n[24];
      auto end = std::to_chars(n, n + sizeof(n), r.body().size()).ptr;
      h += "Content-Length: ";
      h.append(n, end);
      h += "\r\n";
    }
    const bool keep = keep_alive_ && !handler_closes && !core_->stopping();
    if (!keep) {
      h += "Connection: close\r\n";
    } else if (version_ == 10) {
      h += "Connection: keep-alive\r\n";
    }
    h += "\r\n";
    close_after_ = !keep;
    send_body_ = !bodyless && !head_;
  }

  void Write(bool drain_after) {
    BuildHead();
    state_ = State::kWriting;
    SetDeadline(core_->options().idle_timeout);
    std::array<asio::const_buffer, 2> buffers{
        asio::buffer(head_text_),
        send_body_ ? asio::buffer(response_.body()) : asio::const_buffer()};
    asio::async_write(socket_, buffers,
                      [self = shared_from_this(), drain_after](beast::error_code ec, size_t) {
                        self->OnWrite(ec, drain_after);
                      });
  }

  void OnWrite(beast::error_code ec, bool drain_after) {
    if (state_ == State::kClosed) return;
    if (ec) return Close();
    response_ = Response();
    if (drain_after) return Drain();
    if (close_after_ || core_->stopping()) {
      beast::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      return Close();
    }
    ReadRequest();
  }

  void Drain() {
    state_ = State::kDraining;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    SetDeadline(kDrainTime);
    buffer_.clear();
    drained_ = 0;
    DrainSome();
  }

  void DrainSome() {
    socket_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (self->state_ == State::kClosed) return;
                              self->drained_ += n;
                              if (ec || self->drained_ > kDrainMaxBytes) return self->Close();
                              self->DrainSome();
                            });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    ClearDeadline();
    ReleaseBody();
    // The parser, buffer and response stay: an operation cancelled by the
    // close still completes later and Beast touches them on its way out
    // (UBSan caught a read_op using a reset parser). They go with the
    // session, once the last pending handler has let go of it.
    if (registered_) {
      registered_ = false;
      core_->Unregister(this);
    }
  }

  tcp::socket socket_;
  // When the current read or write must have finished (steady clock ticks; 0:
  // none). Checked by the server's sweep timer, which is far cheaper than a
  // timer per I/O operation.
  std::atomic<int64_t> deadline_{0};
  std::shared_ptr<ServerCore> core_;
  RequestInfo info_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::function<void(std::uint64_t, std::string_view, beast::error_code&)> on_chunk_header_;
  size_t header_bytes_ = 0;            // the current request's header section
  size_t chunk_extension_bytes_ = 0;   // its chunk extensions so far
  size_t header_field_count_ = 0;      // chunked only: fields before any trailer
  size_t body_reserved_ = 0;           // taken from the shared body budget
  bool over_budget_ = false;
  Response response_;
  std::string head_text_;
  bool send_body_ = true;
  State state_ = State::kReading;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool close_after_ = false;
  bool registered_ = false;
  size_t drained_ = 0;
};

// One request's answer slot, shared by all copies of its Respond.
class Exchange {
 public:
  explicit Exchange(std::shared_ptr<Session> session) : session_(std::move(session)) {}
  ~Exchange() {
    if (!answered_.exchange(true)) {
      try {
        session_->Deliver(MakeErrorResponse(HttpStatus::internal_server_error,
                                            "The request was dropped without a response"));
      } catch (...) {
      }
    }
  }
  void Answer(Response&& res) {
    if (answered_.exchange(true)) return;
    session_->Deliver(std::move(res));
  }

 private:
  std::shared_ptr<Session> session_;
  std::atomic<bool> answered_{false};
};

// ---- ServerCore ----

Status ServerCore::Listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.bind_address, ec);
  if (ec) {
    return Status::Of(Code::kListenError, "bad bind address '" + options_.bind_address + "'");
  }
  tcp::endpoint endpoint(address, options_.port);
  std::string where = options_.bind_address + ":" + std::to_string(options_.port);
  std::lock_guard lock(accept_mu_);
  if (acceptor_.is_open()) return Status::Of(Code::kListenError, "already listening");
  auto fail = [&](const char* what) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    if (ec == asio::error::address_in_use) {
      return Status::Of(Code::kAddressInUse, "address in use: " + where);
    }
    return Status::Of(Code::kListenError, std::string(what) + " " + where + ": " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("cannot open socket for");
  // Lets a restarted server bind while old connections sit in TIME_WAIT.
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("cannot set SO_REUSEADDR on");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("cannot bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on");
  auto local = acceptor_.local_endpoint(ec);
  if (ec) return fail("cannot read the port of");
  port_.store(local.port(), std::memory_order_release);
  accepting_ = true;
  Accept();
  sweeping_ = true;
  Sweep();
  return Status::Ok();
}

void ServerCore::Sweep() {
  if (!sweeping_) return;
  auto interval = std::clamp<std::chrono::steady_clock::duration>(
      options_.idle_timeout / 4, std::chrono::milliseconds(20), std::chrono::seconds(1));
  sweep_timer_.expires_after(interval);
  sweep_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    std::vector<std::shared_ptr<Session>> expired;
    int64_t now = SteadyNow();
    {
      std::lock_guard lock(self->sessions_mu_);
      for (Session* s : self->sessions_) {
        if (!s->Expired(now)) continue;
        if (auto sp = s->weak_from_this().lock()) expired.push_back(std::move(sp));
      }
    }
    for (auto& s : expired) s->CloseIfExpired();
    expired.clear();
    std::lock_guard lock(self->accept_mu_);
    self->Sweep();
  });
}

void ServerCore::Accept() {
  if (!accepting_) return;
  // Each connection gets its own strand: its handlers never run concurrently,
  // different connections run in parallel on the pool's threads.
  acceptor_.async_accept(asio::make_strand(ioc_),
                         [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                           self->OnAccept(ec, std::move(socket));
                         });
}

void ServerCore::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted) return;
  if (ec && ec != asio::error::connection_aborted) {
    // Typically EMFILE/ENFILE: retrying at once would spin, giving up would
    // leave the port dead. Wait, longer each time, and try again.
    std::lock_guard lock(accept_mu_);
    if (!accepting_) return;
    if (accept_retry_.count() == 0) {
      std::fprintf(stderr, "streamer: port %u: accept failed (%s); retrying\n", port(),
                   ec.message().c_str());
    }
    accept_retry_ = std::clamp(accept_retry_ * 2, kAcceptRetryMin, kAcceptRetryMax);
    retry_timer_.expires_after(accept_retry_);
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      std::lock_guard lock(self->accept_mu_);
      self->Accept();
    });
    return;
  }
  if (!ec) {
    if (stopping()) {
      beast::error_code ignored;
      socket.close(ignored);
    } else if (!limits_->TryOpenConnection()) {
      Refuse(socket);
    } else {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);  // small responses must not wait for Nagle
      std::make_shared<Session>(std::move(socket), shared_from_this())->Start();
    }
  }
  std::lock_guard lock(accept_mu_);
  accept_retry_ = std::chrono::milliseconds(0);
  Accept();
}

// At the cap the connection is accepted and closed at once, so that it
// never waits in the backlog and no descriptor stays taken; the 503 is best
// effort (one non-blocking write).
void ServerCore::Refuse(tcp::socket& socket) {
  if (limits_->FirstRefusalOfBurst()) {
    std::fprintf(stderr,
                 "streamer: %zu connections open, the limit (--max-connections); refusing new "
                 "connections until some close\n",
                 limits_->max_connections());
  }
  Response res = Error(HttpStatus::service_unavailable, "ServiceUnavailableException",
                       "Too many open connections; retry later");
  std::string text = "HTTP/1.1 503 Service Unavailable\r\n";
  for (const auto& f : res) {
    text.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
  }
  text += "Content-Length: " + std::to_string(res.body().size()) + "\r\nConnection: close\r\n\r\n";
  text += res.body();
  beast::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(asio::buffer(text), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

void ServerCore::StopAccepting() {
  std::lock_guard lock(accept_mu_);
  accepting_ = false;
  beast::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
}

void ServerCore::Register(Session* s) {
  std::lock_guard lock(sessions_mu_);
  sessions_.insert(s);
}

void ServerCore::Unregister(Session* s) {
  limits_->CloseConnection();
  {
    std::lock_guard lock(sessions_mu_);
    sessions_.erase(s);
  }
  sessions_cv_.notify_all();
}

std::vector<std::shared_ptr<Session>> ServerCore::Snapshot() {
  std::vector<std::shared_ptr<Session>> out;
  out.reserve(sessions_.size());
  for (Session* s : sessions_) {
    // A session whose last owner is gone is being destroyed (it unregisters
    // in its destructor, which waits for our lock): skip it.
    if (auto sp = s->weak_from_this().lock()) out.push_back(std::move(sp));
  }
  return out;
}

void ServerCore::Shutdown(std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  stopping_.store(true, std::memory_order_release);
  StopAccepting();
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(sessions_mu_);
    sessions = Snapshot();
  }
  for (auto& s : sessions) s->BeginShutdown();
  sessions.clear();  // our references must not keep anything alive
  std::unique_lock lock(sessions_mu_);
  if (sessions_cv_.wait_until(lock, until, [&] { return sessions_.empty(); })) return;
  sessions = Snapshot();
  lock.unlock();
  for (auto& s : sessions) s->ForceClose();
  sessions.clear();
  lock.lock();
  // Closing takes one trip through each strand; bounded in case the pool is stopped.
  sessions_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return sessions_.empty(); });
}

void ServerCore::CloseAll() {
  stopping_.store(true, std::memory_order_release);
  StopAccepting();
  {
    std::lock_guard lock(accept_mu_);
    sweeping_ = false;
    sweep_timer_.cancel();
  }
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(sessions_mu_);
    sessions = Snapshot();
  }
  for (auto& s : sessions) s->ForceClose();
}

}  // namespace detail

void Respond::operator()(Response&& response) const {
  if (exchange_) exchange_->Answer(std::move(response));
}

Server::Server(IoPool& pool, ServerOptions options, Handler handler)
    : core_(std::make_shared<detail::ServerCore>(pool.context(), std::move(options),
                                                 std::move(handler))) {}

Server::~Server() { core_->CloseAll(); }

Status Server::Listen() { return core_->Listen(); }
uint16_t Server::port() const { return core_->port(); }
void Server::StopAccepting() { core_->StopAccepting(); }
void Server::Shutdown(std::chrono::milliseconds deadline) { core_->Shutdown(deadline); }
size_t Server::connection_count() const { return core_->connection_count(); }

}  // namespace streamer::http
