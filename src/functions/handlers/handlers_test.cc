#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "functions/handlers/handler.h"
#include "functions/handlers/http_handler.h"
#include "functions/handlers/log_handler.h"
#include "http/io_pool.h"
#include "http/server.h"
#include <boost/asio/ip/tcp.hpp>

namespace streamer::functions {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Collects log lines from any thread.
struct CapturedLog {
  std::mutex mu;
  std::vector<std::string> lines;  // "[Name] text"
  size_t bytes = 0;
  LogSink Sink() {
    return [this](const std::string& fn, std::string_view line) {
      std::lock_guard<std::mutex> lock(mu);
      bytes += line.size();
      if (lines.size() < 10000) lines.push_back("[" + fn + "] " + std::string(line));
    };
  }
  bool Has(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  }
};

stack::FunctionSpec Exec(std::vector<std::string> command, int timeout = 3) {
  stack::FunctionSpec f;
  f.name = "Fn";
  f.kind = "exec";
  f.command = std::move(command);
  f.timeout_seconds = timeout;
  return f;
}

stack::FunctionSpec Shell(const std::string& script, int timeout = 3) {
  return Exec({"/bin/sh", "-c", script}, timeout);
}

// No child of this process is left over, zombie or alive.
void ExpectNoChildren() {
  errno = 0;
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("handlers_test_" + std::to_string(getpid()));
    fs::create_directories(path_ / "sub");
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

// --- log handler ---

TEST(LogHandler, PrintsLikeThePythonSeed) {
  CapturedLog log;
  stack::FunctionSpec f;
  f.name = "DynamoLambdaHandler";
  f.kind = "log";
  auto h = MakeHandler(f, "", log.Sink());
  InvokeResult r = h->Invoke(InvokeRequest{R"({"Records":[{"eventName":"INSERT","n":1,"dynamodb":{"Keys":{"message":{"S":"héllo 😀"}}}}],"x":[],"y":{}})"});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.payload, "null");
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0],
            R"([DynamoLambdaHandler] request: {"Records": [{"eventName": "INSERT", "n": 1, "dynamodb": {"Keys": {"message": {"S": "h\u00e9llo \ud83d\ude00"}}}}], "x": [], "y": {}})");
}

TEST(LogHandler, NonJsonEventIsPrintedRaw) {
  CapturedLog log;
  stack::FunctionSpec f;
  f.name = "F";
  auto h = MakeHandler(f, "", log.Sink());
  EXPECT_TRUE(h->Invoke(InvokeRequest{"not json"}).ok);
  EXPECT_TRUE(log.Has("[F] request: not json"));
}

TEST(LogHandler, DefaultSinkWritesPrefixedLineToStdout) {
  stack::FunctionSpec f;
  f.name = "Printer";
  auto h = MakeHandler(f, "");
  testing::internal::CaptureStdout();
  h->Invoke(InvokeRequest{R"({"a":"b"})"});
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(out, "[Printer] request: {\"a\": \"b\"}\n");
}

TEST(LogHandler, ConcurrentLinesNeverInterleave) {
  stack::FunctionSpec f;
  f.name = "P";
  auto h = MakeHandler(f, "");
  std::string big(5000, 'z');
  std::string event = "{\"k\":\"" + big + "\"}";
  testing::internal::CaptureStdout();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) h->Invoke(InvokeRequest{event});
    });
  }
  for (auto& t : threads) t.join();
  std::string out = testing::internal::GetCapturedStdout();
  std::string expected_line = "[P] request: {\"k\": \"" + big + "\"}\n";
  ASSERT_EQ(out.size(), expected_line.size() * 200);
  for (size_t i = 0; i < 200; ++i) {
    ASSERT_EQ(out.compare(i * expected_line.size(), expected_line.size(), expected_line), 0) << "line " << i;
  }
}

TEST(PythonJsonDumps, FloatsAndEscapes) {
  auto dumps = [](const char* text) { return PythonJsonDumps(*ParseJson(text)); };
  EXPECT_EQ(dumps("[1.5, 1700000000.0, 1e16, 1.5e20, 0.0001, 0.00001, -2.0, 0.1, 123456789012345678]"),
            "[1.5, 1700000000.0, 1e+16, 1.5e+20, 0.0001, 1e-05, -2.0, 0.1, 123456789012345678]");
  EXPECT_EQ(dumps(R"(["a\"b\\c\n\t\u0001", true, false, null])"),
            R"(["a\"b\\c\n\t\u0001", true, false, null])");
}

// --- exec handler ---

TEST(ExecHandler, CatEchoesTheEvent) {
  CapturedLog log;
  auto h = MakeHandler(Exec({"cat"}), "", log.Sink());
  InvokeResult r = h->Invoke(InvokeRequest{R"({"Records":[1,2,3]})"});
  EXPECT_TRUE(r.ok) << r.error_type << ": " << r.error_message;
  EXPECT_EQ(r.payload, R"({"Records":[1,2,3]})");
  EXPECT_TRUE(log.Has(R"([Fn] {"Records":[1,2,3]})"));
  EXPECT_GE(r.duration_ms, 0);
  ExpectNoChildren();
}

TEST(ExecHandler, LogsStdoutAndStderrLines) {
  CapturedLog log;
  auto h = MakeHandler(Shell("echo one; echo two >&2; printf 'three\\r\\nno newline'"), "", log.Sink());
  InvokeResult r = h->Invoke(InvokeRequest{"{}"});
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.payload, "one\nthree\r\nno newline");
  EXPECT_TRUE(log.Has("[Fn] one"));
  EXPECT_TRUE(log.Has("[Fn] two"));
  EXPECT_TRUE(log.Has("[Fn] three"));
  EXPECT_TRUE(log.Has("[Fn] no newline"));
}

TEST(ExecHandler, NonZeroExitFails) {
  CapturedLog log;
  auto h = MakeHandler(Shell("cat >/dev/null; echo first >&2; echo 'boom: bad record' >&2; exit 3"), "",
                       log.Sink());
  InvokeResult r = h->Invoke(InvokeRequest{"{}"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_type, "Unhandled");
  EXPECT_EQ(r.error_message, "Runtime exited with error: exit status 3 (stderr: boom: bad record)");
  ExpectNoChildren();
}

TEST(ExecHandler, DeathBySignalFails) {
  CapturedLog log;
  auto h = MakeHandler(Shell("kill -SEGV $$"), "", log.Sink());
  InvokeResult r = h->Invoke(InvokeRequest{"{}"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_type, "Unhandled");
  EXPECT_EQ(r.error_message, "Runtime exited with error: signal: segmentation fault");
}

TEST(ExecHandler, TimeoutKillsTheProcess) {
  CapturedLog log;
  auto h = MakeHandler(Exec({"sleep", "10"}, 1), "", log.Sink());
  auto start = Clock::now();
  InvokeResult r = h->Invoke(InvokeRequest{"{}"});
  auto took = Clock::now() - start;
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_type, "Sandbox.Timedout");
  EXPECT_EQ(r.error_message, "Task timed out after 1.00 seconds");
  EXPECT_GE(took, std::chrono::milliseconds(950));
  EXPECT_LT(took, std::chrono::milliseconds(2000));
  EXPECT_GE(r.duration_ms, 950);
  ExpectNoChildren();
}

TEST(ExecHandler, TimeoutKillsTheWholeProcessGroup) {
  TempDir dir;
  std::string marker = dir.str() + "/grandchild_alive";
  CapturedLog log;
  // The grandchild would write the marker after 2 s if it survived.
  auto h = MakeHandler(Shell("(sleep 2; touch " + marker + ") & echo started; sleep 10", 1), "",
                       log.Sink());
  auto start = Clock::now();
  InvokeResult r = h->Invoke(InvokeRequest{"{}"});
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2000));
  EXPECT_EQ(r.error_type, "Sandbox.Timedout");
  EXPECT_TRUE(r.function_error);
  // Invoke's answer is Lambda's error document; the output before the timeout is in the log.
  EXPECT_EQ(r.payload, R"({"errorMessage":"Task timed out after 1.00 seconds","errorType":"Sandbox.Timedout"})");
  EXPECT_TRUE(log.Has("[Fn] started"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_FALSE(fs::exists(marker));
  ExpectNoChildren();
}

TEST(ExecHandler, BackgroundLeftoverDoesNotHoldTheInvocation) {
  CapturedLog log;
  // The shell exits at once, but its background child keeps stdout open.
  auto h = MakeHandler(Shell("sleep 5 & echo done"), "", log.Sink());
  auto start = Clock::now();
  InvokeResult r = h->Invoke(InvokeRequest{"{}"});
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1000));
  EXPECT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.payload, "done\n");
  ExpectNoChildren();
}

TEST(ExecHandler, BigOutputDoesNotDeadlock) {
  CapturedLog log;
  // 8 MB on stdout, 2 MB on stderr, no newlines at all: logged in pieces.
  auto h = MakeHandler(Shell("head -c 2000000 /dev/zero | tr '\\0' e >&2 & "
                             "head -c 8000000 /dev/zero | tr '\\0' o; wait"),
                       "", log.Sink());
  InvokeResult r = h->Invoke(InvokeRequest{"{}"});
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.payload.size(), 8000000u);
  EXPECT_EQ(r.payload.find_first_not_of('o'), std::string::npos);
  EXPECT_EQ(log.bytes, 10000000u);
}

TEST(ExecHandler, BigEventInAndBigOutputOut) {
  // cat writes back while we are still writing: needs both directions at once.
  std::string event(6 * 1024 * 1024, 'x');
  for (size_t i = 0; i < event.size(); i += 1000) event[i] = '\n';
  CapturedLog log;
  auto h = MakeHandler(Exec({"cat"}), "", log.Sink());
  InvokeResult r = h->Invoke(InvokeRequest{event});
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_TRUE(r.payload == event);
}

TEST(ExecHandler, ChildThatIgnoresStdinDoesNotKillUs) {
  // Writing into a pipe nobody reads: EPIPE, not a fatal SIGPIPE.
  std::string event(4 * 1024 * 1024, 'x');
  CapturedLog log;
  auto h = MakeHandler(Exec({"true"}), "", log.Sink());
  for (int i = 0; i < 5; ++i) {
    InvokeResult r = h->Invoke(InvokeRequest{event});
    EXPECT_TRUE(r.ok) << r.error_message;
  }
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));
}

TEST(ExecHandler, EnvironmentIsPassed) {
  ::unsetenv("AWS_REGION");
  ::setenv("HANDLERS_TEST_INHERITED", "from-parent", 1);
  auto spec = Shell("echo \"$FOO|$AWS_LAMBDA_FUNCTION_NAME|$AWS_REGION|$HANDLERS_TEST_INHERITED|$OVERRIDE\"");
  spec.environment = {{"FOO", "bar baz"}, {"OVERRIDE", "mine"}};
  ::setenv("OVERRIDE", "parent", 1);
  CapturedLog log;
  auto h = MakeHandler(spec, "", log.Sink());
  InvokeResult r = h->Invoke(InvokeRequest{"{}"});
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.payload, "bar baz|Fn|us-east-1|from-parent|mine\n");
}

TEST(ExecHandler, InheritedRegionWins) {
  ::setenv("AWS_REGION", "eu-west-1", 1);
  CapturedLog log;
  auto h = MakeHandler(Shell("echo $AWS_REGION"), "", log.Sink());
  ::unsetenv("AWS_REGION");
  EXPECT_EQ(h->Invoke(InvokeRequest{"{}"}).payload, "eu-west-1\n");
}

TEST(ExecHandler, WorkingDirResolvesAgainstBaseDir) {
  TempDir dir;
  std::ofstream(dir.str() + "/sub/run.sh") << "#!/bin/sh\necho ran in \"$(pwd)\"\n";
  fs::permissions(dir.str() + "/sub/run.sh", fs::perms::owner_all);
  CapturedLog log;
  auto spec = Exec({"./run.sh"});
  spec.working_dir = "sub";
  InvokeResult r = MakeHandler(spec, dir.str(), log.Sink())->Invoke(InvokeRequest{"{}"});
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.payload, "ran in " + fs::canonical(dir.str() + "/sub").string() + "\n");

  // No working dir: the base dir itself.
  r = MakeHandler(Exec({"pwd"}), dir.str(), log.Sink())->Invoke(InvokeRequest{"{}"});
  EXPECT_EQ(r.payload, fs::canonical(dir.str()).string() + "\n");
}

TEST(ExecHandler, MissingWorkingDirFails) {
  CapturedLog log;
  auto spec = Exec({"pwd"});
  spec.working_dir = "/nonexistent/dir";
  InvokeResult r = MakeHandler(spec, "", log.Sink())->Invoke(InvokeRequest{"{}"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_type, "Runtime.InvalidEntrypoint");
  EXPECT_NE(r.error_message.find("/nonexistent/dir"), std::string::npos);
}

TEST(ExecHandler, CommandNotFound) {
  CapturedLog log;
  InvokeResult r = MakeHandler(Exec({"no-such-command-xyz", "a"}), "", log.Sink())->Invoke(InvokeRequest{"{}"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_type, "Runtime.InvalidEntrypoint");
  EXPECT_EQ(r.error_message, "cannot run 'no-such-command-xyz': command not found");
  ExpectNoChildren();
}

TEST(ExecHandler, NotExecutable) {
  TempDir dir;
  std::ofstream(dir.str() + "/plain.txt") << "hello\n";
  CapturedLog log;
  InvokeResult r = MakeHandler(Exec({"./plain.txt"}), dir.str(), log.Sink())->Invoke(InvokeRequest{"{}"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_type, "Runtime.InvalidEntrypoint");
  EXPECT_EQ(r.error_message, "cannot run './plain.txt': Permission denied");
}

TEST(ExecHandler, EmptyCommandAndUnknownKind) {
  CapturedLog log;
  InvokeResult r = MakeHandler(Exec({}), "", log.Sink())->Invoke(InvokeRequest{"{}"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_type, "Runtime.InvalidEntrypoint");
  stack::FunctionSpec f;
  f.name = "X";
  f.kind = "python3.12";
  r = MakeHandler(f, "", log.Sink())->Invoke(InvokeRequest{"{}"});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_type, "Runtime.InvalidRuntime");
}

TEST(ExecHandler, ConcurrentInvokesFromFourThreads) {
  CapturedLog log;
  auto h = MakeHandler(Shell("cat; echo"), "", log.Sink());
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string event = "{\"thread\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + "}";
        InvokeResult r = h->Invoke(InvokeRequest{event});
        if (r.ok && r.payload == event + "\n") ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 40);
  EXPECT_TRUE(log.Has("[Fn] {\"thread\":3,\"i\":9}"));
  ExpectNoChildren();
}

TEST(ExecHandler, ConcurrentTimeoutDoesNotDelayOthers) {
  CapturedLog log;
  auto slow = MakeHandler(Exec({"sleep", "10"}, 1), "", log.Sink());
  auto fast = MakeHandler(Exec({"cat"}), "", log.Sink());
  std::thread t([&] { EXPECT_EQ(slow->Invoke(InvokeRequest{"{}"}).error_type, "Sandbox.Timedout"); });
  auto start = Clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(fast->Invoke(InvokeRequest{"{}"}).ok);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(900));
  t.join();
  ExpectNoChildren();
}

}  // namespace
}  // namespace streamer::functions

namespace streamer::functions {
namespace {

// Cancel ends an invocation in flight at once and fails later ones.
TEST(ExecHandlerCancel, EndsRunningInvocation) {
  stack::FunctionSpec spec;
  spec.name = "Sleeper";
  spec.kind = "exec";
  spec.command = {"sleep", "30"};
  spec.timeout_seconds = 60;
  auto handler = MakeHandler(spec, "", [](const std::string&, std::string_view) {});
  auto start = std::chrono::steady_clock::now();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    handler->Cancel();
  });
  InvokeResult r = handler->Invoke(InvokeRequest{"{}"});
  canceller.join();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_type, "Runtime.Cancelled");
  EXPECT_LT(took, std::chrono::seconds(5));
  InvokeResult again = handler->Invoke(InvokeRequest{"{}"});
  EXPECT_FALSE(again.ok);
  EXPECT_EQ(again.error_type, "Runtime.Cancelled");
}

}  // namespace

// --- http handler, against our own HTTP server on a local port ---

namespace {

using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

// Routes: /ok echoes the body; /fail answers 500 "oops"; /lambda-error
// answers 502 with a Lambda error document; /slow answers after 3 s; /hang
// never answers (until the fixture ends). Every request is recorded.
class HttpFunctionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_.Start(2);
    http::ServerOptions o;
    o.bind_address = "127.0.0.1";
    o.max_body_bytes = 32 * 1024 * 1024;
    server_ = std::make_unique<http::Server>(pool_, o, [this](http::Request&& req, const http::RequestInfo&,
                                                              http::Respond respond) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(req);
      }
      const std::string target(req.target());
      if (target == "/slow" || target == "/hang") {
        std::lock_guard<std::mutex> lock(mu_);
        if (target == "/hang") {
          held_.push_back(respond);  // answered never; dropped in TearDown
          return;
        }
        threads_.emplace_back([respond] {
          std::this_thread::sleep_for(3s);
          respond(http::Response{http::HttpStatus::ok, 11});
        });
        return;
      }
      http::Response res{http::HttpStatus::ok, 11};
      if (target.rfind("/ok", 0) == 0) {
        res.body() = req.body();
      } else if (target == "/fail") {
        res.result(http::HttpStatus::internal_server_error);
        res.body() = "oops";
      } else if (target == "/lambda-error") {
        res.result(http::HttpStatus::bad_gateway);
        res.body() = R"({"errorType":"ValueError","errorMessage":"bad record"})";
      } else {
        res.result(http::HttpStatus::not_found);
      }
      respond(std::move(res));
    });
    ASSERT_TRUE(server_->Listen().ok());
  }
  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& t : threads_) t.join();
      held_.clear();
    }
    server_->Shutdown(2s);
    server_.reset();
    pool_.Stop();
    pool_.Join();
  }
  stack::FunctionSpec Spec(const std::string& path, int timeout = 3) {
    stack::FunctionSpec f;
    f.name = "Hook";
    f.kind = "http";
    f.url = "http://127.0.0.1:" + std::to_string(server_->port()) + path;
    f.timeout_seconds = timeout;
    return f;
  }
  std::vector<http::Request> Seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  CapturedLog log_;
  http::IoPool pool_;
  std::unique_ptr<http::Server> server_;
  std::mutex mu_;
  std::vector<http::Request> seen_;
  std::vector<std::thread> threads_;
  std::vector<http::Respond> held_;
};

InvokeRequest Event(std::string payload) {
  InvokeRequest r;
  r.payload = std::move(payload);
  return r;
}

// A local port nobody listens on (bound, then closed).
uint16_t ClosedPort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

}  // namespace

TEST_F(HttpFunctionTest, TwoHundredIsSuccessWithTheBodyAsPayload) {
  HandlerContext context;
  context.sink = log_.Sink();
  context.region = "eu-west-1";
  context.account = "123456789012";
  auto h = MakeHandler(Spec("/ok?x=1"), context);
  InvokeRequest req;
  req.payload = R"({"Records":[{"eventName":"INSERT"}]})";
  req.request_id = "req-1";
  req.trace_id = "Root=1-abc";
  InvokeResult r = h->Invoke(req);
  ASSERT_TRUE(r.ok) << r.error_type << ": " << r.error_message;
  EXPECT_FALSE(r.function_error);
  EXPECT_EQ(r.payload, req.payload);
  EXPECT_EQ(r.request_id, "req-1");
  auto seen = Seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method(), bhttp::verb::post);
  EXPECT_EQ(seen[0].target(), "/ok?x=1");
  EXPECT_EQ(seen[0][bhttp::field::content_type], "application/json");
  EXPECT_EQ(seen[0]["Lambda-Runtime-Aws-Request-Id"], "req-1");
  EXPECT_EQ(seen[0]["Lambda-Runtime-Trace-Id"], "Root=1-abc");
  EXPECT_EQ(seen[0]["Lambda-Runtime-Invoked-Function-Arn"], "arn:aws:lambda:eu-west-1:123456789012:function:Hook");
  EXPECT_FALSE(seen[0]["Lambda-Runtime-Deadline-Ms"].empty());
  EXPECT_TRUE(seen[0].find("Lambda-Runtime-Client-Context") == seen[0].end());

  // Without a request id, the handler makes one.
  InvokeResult r2 = h->Invoke(Event("{}"));
  ASSERT_TRUE(r2.ok);
  EXPECT_EQ(r2.request_id.size(), 36u);
  EXPECT_EQ(Seen().back()["Lambda-Runtime-Aws-Request-Id"], r2.request_id);
}

TEST_F(HttpFunctionTest, FiveHundredIsAFunctionError) {
  auto h = MakeHandler(Spec("/fail"), "", log_.Sink());
  InvokeRequest req = Event("{}");
  req.tail_log = true;
  InvokeResult r = h->Invoke(req);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.function_error);
  EXPECT_EQ(r.error_type, "Unhandled");
  EXPECT_NE(r.error_message.find("HTTP 500"), std::string::npos) << r.error_message;
  auto doc = ParseJson(r.payload);
  ASSERT_TRUE(doc.ok()) << r.payload;
  EXPECT_EQ(doc->at("errorType").as_string(), "Unhandled");
  EXPECT_NE(r.log_tail.find("HTTP 500"), std::string::npos);
  std::lock_guard<std::mutex> lock(log_.mu);
  ASSERT_EQ(log_.lines.size(), 1u);
  EXPECT_EQ(log_.lines[0].rfind("[Hook] RequestId: ", 0), 0u) << log_.lines[0];
}

TEST_F(HttpFunctionTest, NotFoundIsAFunctionErrorToo) {
  auto h = MakeHandler(Spec("/nowhere"), "", log_.Sink());
  InvokeResult r = h->Invoke(Event("{}"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.function_error);
  EXPECT_NE(r.error_message.find("HTTP 404"), std::string::npos);
}

TEST_F(HttpFunctionTest, ALambdaErrorDocumentKeepsItsType) {
  auto h = MakeHandler(Spec("/lambda-error"), "", log_.Sink());
  InvokeResult r = h->Invoke(Event("{}"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.function_error);
  EXPECT_EQ(r.error_type, "ValueError");
  EXPECT_EQ(r.error_message, "bad record");
}

TEST_F(HttpFunctionTest, TimeoutIsSandboxTimedout) {
  auto h = MakeHandler(Spec("/slow", 1), "", log_.Sink());
  auto start = Clock::now();
  InvokeResult r = h->Invoke(Event("{}"));
  auto took = Clock::now() - start;
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.function_error);
  EXPECT_EQ(r.error_type, "Sandbox.Timedout");
  EXPECT_EQ(r.error_message, "Task timed out after 1.00 seconds");
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2900ms);  // before the server's answer at 3 s
}

TEST_F(HttpFunctionTest, RefusedConnectionIsConnectError) {
  stack::FunctionSpec f = Spec("/ok");
  f.url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/ok";
  auto h = MakeHandler(f, "", log_.Sink());
  InvokeResult r = h->Invoke(Event("{}"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.function_error);
  EXPECT_EQ(r.error_type, "Runtime.ConnectError");
  EXPECT_FALSE(r.error_message.empty());
}

TEST_F(HttpFunctionTest, CancelEndsARequestInFlight) {
  auto h = MakeHandler(Spec("/hang", 30), "", log_.Sink());
  InvokeResult r;
  auto start = Clock::now();
  std::thread t([&] { r = h->Invoke(Event("{}")); });
  // Wait until the server has the request, then cancel.
  for (int i = 0; i < 500 && Seen().empty(); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(Seen().size(), 1u);
  h->Cancel();
  t.join();
  EXPECT_LT(Clock::now() - start, 10s);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.function_error);
  EXPECT_EQ(r.error_type, "Runtime.Cancelled");
  // Later invocations fail at once, without a request.
  InvokeResult again = h->Invoke(Event("{}"));
  EXPECT_EQ(again.error_type, "Runtime.Cancelled");
  EXPECT_EQ(Seen().size(), 1u);
}

TEST_F(HttpFunctionTest, ConcurrentInvocationsAndCancel) {
  auto h = MakeHandler(Spec("/hang", 30), "", log_.Sink());
  std::vector<InvokeResult> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = h->Invoke(Event("{}")); });
  for (int i = 0; i < 500 && Seen().size() < 4; ++i) std::this_thread::sleep_for(10ms);
  h->Cancel();
  for (auto& t : threads) t.join();
  for (auto& r : results) EXPECT_EQ(r.error_type, "Runtime.Cancelled");
}

TEST_F(HttpFunctionTest, BigPayloadRoundTrips) {
  auto h = MakeHandler(Spec("/ok", 30), "", log_.Sink());
  std::string big = "{\"Records\":[\"" + std::string(8 * 1024 * 1024, 'x') + "\"]}";
  InvokeResult r = h->Invoke(Event(big));
  ASSERT_TRUE(r.ok) << r.error_type << ": " << r.error_message;
  EXPECT_EQ(r.payload, big);
}

TEST(HttpHandler, BadUrlsFailEveryInvocationSayingWhy) {
  for (const char* url : {"", "not a url", "https://127.0.0.1/x", "ftp://host/x", "http://", "http://host:0/",
                          "http://host:99999/"}) {
    SCOPED_TRACE(url);
    stack::FunctionSpec f;
    f.name = "Hook";
    f.kind = "http";
    f.url = url;
    auto h = MakeHandler(f, "");
    InvokeResult r = h->Invoke(Event("{}"));
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error_type, "Runtime.InvalidEntrypoint");
    EXPECT_NE(r.error_message.find("function Hook"), std::string::npos) << r.error_message;
  }
}

TEST(HttpHandler, ParsesUrls) {
  auto e = ParseHttpUrl("http://localhost:8080/hooks/a?b=c%20d");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "localhost");
  EXPECT_EQ(e->port, 8080);
  EXPECT_EQ(e->target, "/hooks/a?b=c%20d");
  auto d = ParseHttpUrl("http://example.com");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 80);
  EXPECT_EQ(d->target, "/");
  auto v6 = ParseHttpUrl("http://[::1]:9000/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
}

}  // namespace streamer::functions
