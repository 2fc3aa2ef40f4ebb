// The "lambda" handler end to end: real worker processes (fixtures under
// tests/fixtures/functions/) speaking Lambda's Runtime API to our endpoint.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "core/clock.h"
#include "functions/handlers/handler.h"
#include "functions/runtime/bundled_files.h"
#include "functions/runtime/worker_pool.h"

extern char** environ;

namespace streamer::functions {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kFixtures = STREAMER_FUNCTION_FIXTURES;

struct Logs {
  std::mutex mu;
  std::vector<std::string> lines;
  LogSink sink() {
    return [this](const std::string& name, std::string_view line) {
      std::lock_guard lock(mu);
      lines.push_back(name + "|" + std::string(line));
    };
  }
  std::vector<std::string> Snapshot() {
    std::lock_guard lock(mu);
    return lines;
  }
  bool Contains(const std::string& text) {
    for (const auto& l : Snapshot()) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

stack::FunctionSpec Spec(const std::string& fixture, int timeout = 10) {
  stack::FunctionSpec spec;
  spec.name = "fn-" + fixture;
  spec.kind = "lambda";
  spec.runtime = "provided.al2023";
  spec.handler = "app.handler";
  spec.code_dir = fixture;
  spec.timeout_seconds = timeout;
  return spec;
}

HandlerContext Context(Logs& logs) {
  HandlerContext c;
  c.base_dir = kFixtures;
  c.sink = logs.sink();
  c.aws_endpoint = "http://127.0.0.1:8000";
  return c;
}

InvokeResult Call(FunctionHandler& h, const std::string& payload, bool tail = false) {
  InvokeRequest r;
  r.payload = payload;
  r.tail_log = tail;
  return h.Invoke(r);
}

json::object Obj(const std::string& text) { return json::parse(text).as_object(); }

bool Alive(pid_t pid) { return ::kill(pid, 0) == 0; }

// Waits (generously) for a process to be gone; a zombie counts as alive for
// kill(0), so this also proves it was reaped by whoever owns it.
bool GoneWithin(pid_t pid, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (!Alive(pid)) return true;
    std::this_thread::sleep_for(20ms);
  }
  return !Alive(pid);
}

// Our direct children right now (from /proc), zombies included.
std::vector<pid_t> Children() {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  const pid_t self = ::getpid();
  while (dirent* e = ::readdir(d)) {
    pid_t pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream in("/proc/" + std::string(e->d_name) + "/stat");
    std::string stat;
    std::getline(in, stat);
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state;
    int ppid;
    if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == self) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

TEST(RuntimeHandler, EchoesThroughShellAndCurl) {
  Logs logs;
  auto h = MakeHandler(Spec("curl_echo"), Context(logs));
  auto r = Call(*h, R"({"hello":"world"})");
  ASSERT_TRUE(r.ok) << r.error_type << ": " << r.error_message;
  auto o = Obj(r.payload);
  EXPECT_EQ(json::serialize(o["echo"]), R"({"hello":"world"})");
  EXPECT_EQ(o["handler"].as_string(), "app.handler");
  EXPECT_TRUE(logs.Contains("handling " + r.request_id));
}

TEST(RuntimeHandler, WarmWorkerIsReusedAndColdStartIsReported) {
  Logs logs;
  auto h = MakeHandler(Spec("rapid_client"), Context(logs));
  auto first = Call(*h, R"({"action":"info"})");
  ASSERT_TRUE(first.ok) << first.error_message;
  auto second = Call(*h, R"({"action":"info"})");
  ASSERT_TRUE(second.ok) << second.error_message;
  EXPECT_EQ(Obj(first.payload)["pid"], Obj(second.payload)["pid"]);
  EXPECT_NE(first.request_id, second.request_id);
  int reports = 0, with_init = 0;
  for (const auto& l : logs.Snapshot()) {
    if (l.find("REPORT RequestId: ") == std::string::npos) continue;
    ++reports;
    if (l.find("Init Duration: ") != std::string::npos) ++with_init;
  }
  EXPECT_EQ(reports, 2);
  EXPECT_EQ(with_init, 1);  // only the cold start
}

TEST(RuntimeHandler, EnvironmentAndInvocationHeaders) {
  Logs logs;
  auto spec = Spec("rapid_client", 7);
  spec.memory_size_mb = 256;
  spec.environment = {{"MY_SETTING", "on"}, {"AWS_REGION", "eu-west-1"}};
  auto h = MakeHandler(spec, Context(logs));
  InvokeRequest req;
  req.payload = R"({"action":"info"})";
  req.request_id = "11111111-2222-3333-4444-555555555555";
  req.client_context = R"({"custom":{"k":"v"}})";
  req.cognito_identity = R"({"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"})";
  const int64_t before = NowMillis();
  auto r = h->Invoke(req);
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.request_id, req.request_id);
  auto o = Obj(r.payload);
  auto& env = o["env"].as_object();
  auto var = [&](const char* k) { return env.contains(k) ? std::string(env[k].as_string()) : "<unset>"; };
  EXPECT_EQ(var("AWS_LAMBDA_FUNCTION_NAME"), "fn-rapid_client");
  EXPECT_EQ(var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "256");
  EXPECT_EQ(var("AWS_LAMBDA_FUNCTION_VERSION"), "$LATEST");
  EXPECT_EQ(var("AWS_LAMBDA_LOG_GROUP_NAME"), "/aws/lambda/fn-rapid_client");
  EXPECT_TRUE(std::regex_match(var("AWS_LAMBDA_LOG_STREAM_NAME"),
                               std::regex(R"(\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32})")))
      << var("AWS_LAMBDA_LOG_STREAM_NAME");
  EXPECT_TRUE(std::regex_match(var("AWS_LAMBDA_RUNTIME_API"), std::regex(R"(127\.0\.0\.1:\d+)")));
  EXPECT_EQ(var("AWS_REGION"), "eu-west-1");  // the function's environment wins
  EXPECT_EQ(var("AWS_DEFAULT_REGION"), "us-east-1");
  EXPECT_EQ(var("AWS_EXECUTION_ENV"), "AWS_Lambda_provided.al2023");
  EXPECT_EQ(var("LAMBDA_TASK_ROOT"), kFixtures + "/rapid_client");
  EXPECT_EQ(std::string(o["cwd"].as_string()), kFixtures + "/rapid_client");
  EXPECT_EQ(var("_HANDLER"), "app.handler");
  EXPECT_EQ(var("TZ"), ":UTC");
  EXPECT_EQ(var("AWS_ENDPOINT_URL"), "http://127.0.0.1:8000");
  EXPECT_EQ(var("MY_SETTING"), "on");
  EXPECT_NE(var("AWS_ACCESS_KEY_ID"), "<unset>");
  EXPECT_NE(var("AWS_SECRET_ACCESS_KEY"), "<unset>");
  // Its own process group.
  EXPECT_EQ(o["pid"], o["pgid"]);

  auto& headers = o["headers"].as_object();
  auto header = [&](const char* k) { return headers.contains(k) ? std::string(headers[k].as_string()) : "<unset>"; };
  EXPECT_EQ(header("Lambda-Runtime-Aws-Request-Id"), req.request_id);
  EXPECT_EQ(header("Lambda-Runtime-Invoked-Function-Arn"),
            "arn:aws:lambda:us-east-1:000000000000:function:fn-rapid_client");
  EXPECT_TRUE(std::regex_match(header("Lambda-Runtime-Trace-Id"),
                               std::regex(R"(Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0)")))
      << header("Lambda-Runtime-Trace-Id");
  EXPECT_EQ(header("Lambda-Runtime-Client-Context"), req.client_context);
  EXPECT_EQ(header("Lambda-Runtime-Cognito-Identity"), req.cognito_identity);
  const int64_t deadline = std::stoll(header("Lambda-Runtime-Deadline-Ms"));
  EXPECT_GE(deadline, before + 7000);
  EXPECT_LE(deadline, NowMillis() + 7000);

  // Without client context / cognito the headers are absent.
  auto plain = Obj(Call(*h, R"({"action":"info"})").payload);
  EXPECT_FALSE(plain["headers"].as_object().contains("Lambda-Runtime-Client-Context"));
  EXPECT_FALSE(plain["headers"].as_object().contains("Lambda-Runtime-Cognito-Identity"));
}

TEST(RuntimeHandler, LogLinesAndStartEndReport) {
  Logs logs;
  auto spec = Spec("rapid_client");
  spec.memory_size_mb = 192;
  auto h = MakeHandler(spec, Context(logs));
  auto r = Call(*h, R"({"action":"print","lines":3,"text":"hello"})", true);
  ASSERT_TRUE(r.ok) << r.error_message;
  auto lines = logs.Snapshot();
  const std::string p = "fn-rapid_client|";
  auto index = [&](const std::string& text) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i] == p + text) return static_cast<int>(i);
    }
    return -1;
  };
  int init = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(p + "init: starting pid", 0) == 0) init = static_cast<int>(i);
  }
  int start = index("START RequestId: " + r.request_id + " Version: $LATEST");
  int l0 = index(r.request_id + " hello 0"), l2 = index(r.request_id + " hello 2");
  int err = index(r.request_id + " to stderr");
  int end = index("END RequestId: " + r.request_id);
  ASSERT_GE(init, 0);
  ASSERT_GT(start, init);  // init output comes before START, without a request id
  ASSERT_GT(l0, start);
  ASSERT_GT(l2, l0);
  ASSERT_GT(err, start);
  ASSERT_GT(end, l2);
  ASSERT_GT(end, err);
  ASSERT_EQ(static_cast<int>(lines.size()), end + 2);
  std::regex report(R"(REPORT RequestId: )" + r.request_id +
                    R"(\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 192 MB\tMax Memory Used: [1-9]\d* MB\tInit Duration: \d+\.\d\d ms)");
  EXPECT_TRUE(std::regex_match(lines.back().substr(p.size()), report)) << lines.back();

  // The tail: this invocation's lines, raw, ending with REPORT.
  EXPECT_NE(r.log_tail.find("hello 1\n"), std::string::npos) << r.log_tail;
  EXPECT_NE(r.log_tail.find("START RequestId: " + r.request_id), std::string::npos);
  EXPECT_EQ(r.log_tail.rfind("REPORT RequestId: " + r.request_id), r.log_tail.rfind('\n', r.log_tail.size() - 2) + 1);

  // A long log: only the last 4 KB come back; without tail_log nothing.
  auto big = Call(*h, R"({"action":"print","lines":500,"text":"a longer line of output"})", true);
  ASSERT_TRUE(big.ok);
  EXPECT_LE(big.log_tail.size(), 4096u);
  EXPECT_GT(big.log_tail.size(), 3500u);
  EXPECT_NE(big.log_tail.find("a longer line of output 499\n"), std::string::npos);
  EXPECT_EQ(big.log_tail.find("a longer line of output 0\n"), std::string::npos);
  EXPECT_EQ(Call(*h, R"({"action":"echo"})").log_tail, "");
}

TEST(RuntimeHandler, FunctionErrorIsReportedInLambdasShapeAndTheWorkerStaysWarm) {
  Logs logs;
  auto h = MakeHandler(Spec("rapid_client"), Context(logs));
  auto before = Obj(Call(*h, R"({"action":"info"})").payload)["pid"];
  auto r = Call(*h, R"({"action":"error"})");
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.function_error);
  EXPECT_EQ(r.error_type, "Unhandled");
  EXPECT_EQ(r.error_message, "something broke");
  auto doc = Obj(r.payload);
  EXPECT_EQ(doc["errorType"].as_string(), "ValueError");
  EXPECT_EQ(doc["errorMessage"].as_string(), "something broke");
  EXPECT_EQ(doc["stackTrace"].as_array().size(), 1u);
  EXPECT_TRUE(logs.Contains(r.request_id + " about to fail"));
  EXPECT_EQ(Obj(Call(*h, R"({"action":"info"})").payload)["pid"], before);
}

TEST(RuntimeHandler, InitErrorFailsTheInvocation) {
  Logs logs;
  auto spec = Spec("rapid_client");
  spec.environment = {{"FIXTURE_INIT", "error"}};
  auto h = MakeHandler(spec, Context(logs));
  for (int i = 0; i < 2; ++i) {  // a new worker each time: init is retried
    auto r = Call(*h, "{}");
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.function_error);
    EXPECT_EQ(r.error_type, "Unhandled");
    auto doc = Obj(r.payload);
    EXPECT_EQ(doc["errorType"].as_string(), "Runtime.ImportModuleError");
    EXPECT_EQ(r.error_message, "Unable to import module 'app'");
  }
}

TEST(RuntimeHandler, ExitDuringInitIsAnExitError) {
  Logs logs;
  auto spec = Spec("rapid_client");
  spec.environment = {{"FIXTURE_INIT", "exit"}};
  auto h = MakeHandler(spec, Context(logs));
  auto r = Call(*h, "{}");
  EXPECT_TRUE(r.function_error);
  EXPECT_EQ(r.error_type, "Runtime.ExitError");
  EXPECT_EQ(r.error_message, "RequestId: " + r.request_id + " Error: Runtime exited with error: exit status 3");
  EXPECT_EQ(Obj(r.payload)["errorType"].as_string(), "Runtime.ExitError");
}

TEST(RuntimeHandler, CrashMidInvocationFailsItAndTheWorkerIsReplaced) {
  Logs logs;
  auto h = MakeHandler(Spec("rapid_client"), Context(logs));
  pid_t first = Obj(Call(*h, R"({"action":"info"})").payload)["pid"].to_number<pid_t>();
  auto r = Call(*h, R"({"action":"crash","code":1})");
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.function_error);
  EXPECT_EQ(r.error_type, "Runtime.ExitError");
  EXPECT_EQ(r.error_message, "RequestId: " + r.request_id + " Error: Runtime exited with error: exit status 1");
  EXPECT_TRUE(logs.Contains(r.request_id + " crashing now"));
  EXPECT_FALSE(Alive(first));  // reaped
  auto next = Call(*h, R"({"action":"info"})");
  ASSERT_TRUE(next.ok) << next.error_message;
  pid_t second = Obj(next.payload)["pid"].to_number<pid_t>();
  EXPECT_NE(second, first);

  auto killed = Call(*h, R"({"action":"kill"})");
  EXPECT_EQ(killed.error_type, "Runtime.ExitError");
  EXPECT_EQ(killed.error_message,
            "RequestId: " + killed.request_id + " Error: Runtime exited with error: signal: killed");
  EXPECT_TRUE(Call(*h, R"({"action":"echo"})").ok);
}

TEST(RuntimeHandler, TimeoutKillsTheWorkersGroupAndTheNextInvokeWorks) {
  Logs logs;
  auto h = MakeHandler(Spec("rapid_client", 1), Context(logs));
  pid_t first = Obj(Call(*h, R"({"action":"info"})").payload)["pid"].to_number<pid_t>();
  const auto start = std::chrono::steady_clock::now();
  auto r = Call(*h, R"({"action":"background"})");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.function_error);
  EXPECT_EQ(r.error_type, "Sandbox.Timedout");
  EXPECT_TRUE(std::regex_match(
      r.error_message,
      std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z )" + r.request_id + " Task timed out after 1.00 seconds")))
      << r.error_message;
  EXPECT_EQ(Obj(r.payload)["errorMessage"].as_string(), r.error_message);
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 10s);
  EXPECT_FALSE(Alive(first));
  // The child it left in the background went with its group.
  pid_t child = 0;
  for (const auto& l : logs.Snapshot()) {
    auto at = l.find("background child ");
    if (at != std::string::npos) child = std::atoi(l.c_str() + at + 17);
  }
  ASSERT_GT(child, 0);
  EXPECT_TRUE(GoneWithin(child, 5s));
  EXPECT_TRUE(logs.Contains("END RequestId: " + r.request_id));
  auto next = Call(*h, R"({"action":"info"})");
  ASSERT_TRUE(next.ok) << next.error_message;
  EXPECT_NE(Obj(next.payload)["pid"].to_number<pid_t>(), first);
}

TEST(RuntimeHandler, ConcurrencyIsLimitedByReservedConcurrency) {
  Logs logs;
  auto spec = Spec("rapid_client");
  spec.reserved_concurrency = 2;
  auto h = MakeHandler(spec, Context(logs));
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int64_t> pids;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto r = Call(*h, R"({"action":"sleep","seconds":0.3})");
      if (!r.ok) return;
      ++ok;
      std::lock_guard lock(mu);
      pids.insert(Obj(r.payload)["pid"].to_number<int64_t>());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);  // the others waited for a free worker
  EXPECT_EQ(pids.size(), 2u);

  spec.reserved_concurrency = 0;
  auto none = MakeHandler(spec, Context(logs));
  auto r = Call(*none, "{}");
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.throttled);
  EXPECT_FALSE(r.function_error);
  EXPECT_EQ(r.error_type, "TooManyRequestsException");
}

runtime::WorkerPoolOptions PoolOptions(Logs& logs) {
  runtime::WorkerPoolOptions o;
  o.function_name = "fn-pool";
  o.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:fn-pool";
  o.argv = {kFixtures + "/rapid_client/bootstrap"};
  o.working_dir = kFixtures + "/rapid_client";
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    o.environment[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
  }
  o.sink = logs.sink();
  return o;
}

TEST(RuntimeHandler, IdleWorkersAreStoppedAndDeadOnesReaped) {
  Logs logs;
  auto o = PoolOptions(logs);
  o.idle_stop = 1500ms;
  o.idle_check = 100ms;
  runtime::WorkerPool pool(o);
  InvokeRequest info;
  info.payload = R"({"action":"info"})";
  pid_t first = Obj(pool.Invoke(info).payload)["pid"].to_number<pid_t>();
  // An idle worker that dies is reaped (no zombie) and logged.
  ::kill(first, SIGKILL);
  EXPECT_TRUE(GoneWithin(first, 5s));
  EXPECT_TRUE(logs.Contains("worker " + std::to_string(first) + " exited while idle: signal: killed"));
  EXPECT_TRUE(pool.WorkerPids().empty());
  pid_t second = Obj(pool.Invoke(info).payload)["pid"].to_number<pid_t>();
  EXPECT_NE(second, first);
  EXPECT_EQ(pool.WorkerPids().size(), 1u);
  // Unused past idle_stop: stopped.
  EXPECT_TRUE(GoneWithin(second, 10s));
  EXPECT_TRUE(pool.WorkerPids().empty());
  EXPECT_TRUE(pool.Invoke(info).ok);
}

TEST(RuntimeHandler, DefaultConcurrencyIsFourWorkers) {
  Logs logs;
  auto h = MakeHandler(Spec("rapid_client"), Context(logs));
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int64_t> pids;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = Call(*h, R"({"action":"sleep","seconds":0.5})");
      ASSERT_TRUE(r.ok) << r.error_message;
      std::lock_guard lock(mu);
      pids.insert(Obj(r.payload)["pid"].to_number<int64_t>());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(pids.size(), 4u);
  EXPECT_GE(pids.size(), 2u);  // they did run side by side
}

TEST(RuntimeHandler, ThrottledAfterTheBoundedWait) {
  Logs logs;
  auto o = PoolOptions(logs);
  o.concurrency = 1;
  o.timeout_seconds = 10;
  o.queue_wait = 300ms;
  runtime::WorkerPool pool(o);
  std::thread busy([&] {
    InvokeRequest req;
    req.payload = R"({"action":"sleep","seconds":2})";
    EXPECT_TRUE(pool.Invoke(req).ok);
  });
  std::this_thread::sleep_for(700ms);  // the first one holds the only worker
  InvokeRequest req;
  req.payload = "{}";
  const auto start = std::chrono::steady_clock::now();
  auto r = pool.Invoke(req);
  EXPECT_TRUE(r.throttled);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  busy.join();
  EXPECT_TRUE(pool.Invoke(req).ok);
  EXPECT_EQ(pool.WorkerPids().size(), 1u);
}

TEST(RuntimeHandler, CancelEndsTheInvocationInFlightAndLaterOnes) {
  Logs logs;
  auto h = MakeHandler(Spec("rapid_client", 60), Context(logs));
  pid_t worker = Obj(Call(*h, R"({"action":"info"})").payload)["pid"].to_number<pid_t>();
  InvokeResult r;
  const auto start = std::chrono::steady_clock::now();
  std::thread t([&] { r = Call(*h, R"({"action":"sleep","seconds":30})"); });
  std::this_thread::sleep_for(300ms);
  h->Cancel();
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.function_error);
  EXPECT_EQ(r.error_type, "Runtime.Cancelled");
  EXPECT_FALSE(Alive(worker));
  auto later = Call(*h, "{}");
  EXPECT_EQ(later.error_type, "Runtime.Cancelled");
}

TEST(RuntimeHandler, BadRuntimeApiRequestsGetLambdasErrors) {
  Logs logs;
  auto h = MakeHandler(Spec("rapid_client"), Context(logs));
  auto r = Call(*h, R"({"action":"protocol"})");
  ASSERT_TRUE(r.ok) << r.error_message;
  auto o = Obj(r.payload);
  auto check = [&](const char* what, int status, const char* type) {
    auto& a = o[what].as_object();
    EXPECT_EQ(a["status"].to_number<int>(), status) << what;
    if (type) {
      EXPECT_EQ(a["body"].as_object()["errorType"].as_string(), type) << what;
      EXPECT_TRUE(a["body"].as_object()["errorMessage"].is_string()) << what;
    }
  };
  check("wrong_id", 400, "InvalidRequestID");
  check("next_while_running", 403, "InvalidStateTransition");
  check("init_error_late", 403, "InvalidStateTransition");
  check("unknown_path", 404, nullptr);
  check("wrong_method", 405, nullptr);

  // A second answer for one invocation is refused; the first one counts.
  auto twice = Call(*h, R"({"action":"twice"})");
  ASSERT_TRUE(twice.ok);
  EXPECT_EQ(twice.payload, R"({"first": true})");
  auto rec = Obj(Call(*h, R"({"action":"recorded"})").payload);
  EXPECT_EQ(rec["first"].as_object()["status"].to_number<int>(), 202);
  EXPECT_EQ(rec["first"].as_object()["body"].as_object()["status"].as_string(), "OK");
  EXPECT_EQ(rec["second"].as_object()["status"].to_number<int>(), 403);
  EXPECT_EQ(rec["second"].as_object()["body"].as_object()["errorType"].as_string(), "InvalidStateTransition");
  EXPECT_EQ(rec["error_after"].as_object()["status"].to_number<int>(), 403);

  // Over 6 MB: 413 to the runtime, Function.ResponseSizeTooLarge to the caller.
  auto big = Call(*h, R"({"action":"big"})");
  EXPECT_FALSE(big.ok);
  EXPECT_TRUE(big.function_error);
  EXPECT_EQ(big.error_type, "Function.ResponseSizeTooLarge");
  EXPECT_EQ(Obj(big.payload)["errorType"].as_string(), "Function.ResponseSizeTooLarge");
  rec = Obj(Call(*h, R"({"action":"recorded"})").payload);
  EXPECT_EQ(rec["big"].as_object()["status"].to_number<int>(), 413);
  EXPECT_EQ(rec["big"].as_object()["body"].as_object()["errorType"].as_string(), "RequestEntityTooLarge");
}

TEST(RuntimeHandler, MissingOrNonExecutableBootstrapIsAnInvalidEntrypoint) {
  Logs logs;
  for (const char* fixture : {"not_executable", "no_such_folder"}) {
    auto h = MakeHandler(Spec(fixture), Context(logs));
    auto r = Call(*h, "{}");
    EXPECT_FALSE(r.ok) << fixture;
    EXPECT_TRUE(r.function_error) << fixture;
    EXPECT_EQ(r.error_type, "Runtime.InvalidEntrypoint") << fixture;
    EXPECT_NE(r.error_message.find(std::string(fixture)), std::string::npos) << r.error_message;
    if (std::string(fixture) == "not_executable") {
      EXPECT_NE(r.error_message.find("Couldn't find valid bootstrap(s): ["), std::string::npos) << r.error_message;
    }
  }
  auto spec = Spec("rapid_client");
  spec.runtime = "cobol85";
  auto h = MakeHandler(spec, Context(logs));
  EXPECT_EQ(Call(*h, "{}").error_type, "Runtime.InvalidRuntime");
}

TEST(RuntimeHandler, NoWorkerOutlivesItsHandler) {
  std::vector<pid_t> pids;
  {
    Logs logs;
    auto spec = Spec("rapid_client");
    spec.reserved_concurrency = 3;
    auto h = MakeHandler(spec, Context(logs));
    std::vector<std::thread> threads;
    std::mutex mu;
    for (int i = 0; i < 3; ++i) {
      threads.emplace_back([&] {
        auto r = Call(*h, R"({"action":"sleep","seconds":0.3})");
        std::lock_guard lock(mu);
        if (r.ok) pids.push_back(Obj(r.payload)["pid"].to_number<pid_t>());
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(pids.size(), 3u);
    for (pid_t p : pids) EXPECT_TRUE(Alive(p));
  }
  for (pid_t p : pids) EXPECT_FALSE(Alive(p)) << p;
  EXPECT_TRUE(Children().empty());
}

// The bundled bootstraps (src/functions/runtime/bootstraps/, written by
// another part of the work) run a handler as Lambda would; a build without
// one says so for every invocation of that runtime.
void CheckBundledRuntime(const std::string& runtime, const std::string& bootstrap, const std::string& fixture) {
  Logs logs;
  auto spec = Spec(fixture);
  spec.runtime = runtime;
  auto h = MakeHandler(spec, Context(logs));
  auto r = Call(*h, R"({"n":1})");
  if (!runtime::IsBundled(bootstrap)) {
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error_type, "Runtime.InvalidRuntime");
    EXPECT_NE(r.error_message.find(bootstrap + " was not bundled"), std::string::npos) << r.error_message;
    return;
  }
  ASSERT_TRUE(r.ok) << r.error_type << ": " << r.error_message << " " << r.payload;
  auto o = Obj(r.payload);
  EXPECT_EQ(json::serialize(o["event"]), R"({"n":1})");
  EXPECT_EQ(o["requestId"].as_string(), r.request_id);
  EXPECT_EQ(o["functionName"].as_string(), spec.name);
  EXPECT_TRUE(logs.Contains(" functions run on "));
  EXPECT_TRUE(logs.Contains("REPORT RequestId: " + r.request_id));
}

TEST(RuntimeHandler, Python3xRunsTheBundledBootstrap) {
  CheckBundledRuntime("python3.12", "python/bootstrap.py", "python_echo");
}

TEST(RuntimeHandler, NodejsRunsTheBundledBootstrap) {
  CheckBundledRuntime("nodejs20.x", "node/bootstrap.mjs", "node_echo");
}

// Every file under bootstraps/ is in the binary, byte for byte.
TEST(RuntimeHandler, BootstrapsAreEmbeddedAndWrittenOut) {
  Logs logs;
  auto dir = runtime::WriteBundledFiles(::testing::TempDir() + "/bundled");
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  for (const auto& f : runtime::BundledFiles()) {
    std::ifstream source(std::string(STREAMER_BOOTSTRAPS_SOURCE) + "/" + std::string(f.path), std::ios::binary);
    std::ifstream written(*dir + "/" + std::string(f.path), std::ios::binary);
    std::string a((std::istreambuf_iterator<char>(source)), std::istreambuf_iterator<char>());
    std::string b((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
    EXPECT_EQ(a, f.content) << f.path;
    EXPECT_EQ(b, f.content) << f.path;
  }
}

// --- the worker dies with the server, even on kill -9 -----------------------
// A helper process (this binary, with --hold-worker) starts a worker, prints
// its pid and waits; the test kills the helper with SIGKILL.
int HoldWorker() {
  Logs logs;
  auto h = MakeHandler(Spec("rapid_client"), Context(logs));
  auto r = Call(*h, R"({"action":"info"})");
  if (!r.ok) return 1;
  std::printf("%lld\n", static_cast<long long>(Obj(r.payload)["pid"].to_number<int64_t>()));
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::hours(1));
  return 0;
}

TEST(RuntimeHandler, WorkersDieWithTheServerOnKill9) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  ASSERT_GT(n, 0);
  self[n] = 0;
  char flag[] = "--hold-worker";
  char* argv[] = {self, flag, nullptr};
  pid_t helper;
  ASSERT_EQ(::posix_spawn(&helper, self, &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  char buf[64] = {};
  size_t got = 0;
  while (got < sizeof buf - 1) {
    ssize_t r = ::read(fds[0], buf + got, sizeof buf - 1 - got);
    if (r <= 0) break;
    got += r;
    if (std::strchr(buf, '\n')) break;
  }
  ::close(fds[0]);
  pid_t worker = std::atoi(buf);
  ASSERT_GT(worker, 0) << buf;
  EXPECT_TRUE(Alive(worker));
  ::kill(helper, SIGKILL);
  int status;
  ::waitpid(helper, &status, 0);
  // The worker is orphaned and killed; whether init reaps it is not ours to
  // check, so a zombie counts as dead.
  auto dead = [&] {
    std::ifstream in("/proc/" + std::to_string(worker) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return true;
    size_t close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
  };
  auto until = std::chrono::steady_clock::now() + 10s;
  while (!dead() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(dead());
}

}  // namespace
}  // namespace streamer::functions

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--hold-worker") return streamer::functions::HoldWorker();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
