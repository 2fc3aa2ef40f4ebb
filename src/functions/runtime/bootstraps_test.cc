// The bundled python/node bootstraps, run for real: each case is a function
// of kind "lambda" built by MakeHandler over a code directory under
// tests/fixtures/functions/ (or the seed's own files), invoked through the
// Runtime API by worker processes. Asserts what Lambda would give: payloads,
// error documents, context values, log lines.
#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "core/json.h"
#include "functions/handlers/handler.h"

namespace streamer::functions {
namespace {

const std::string kFixtures = BOOTSTRAP_FIXTURES;      // tests/fixtures/functions
const std::string kSeedFunctions = SEED_FUNCTIONS;     // tests/blackbox/fixtures/seed_functions

struct CapturedLog {
  std::mutex mu;
  std::vector<std::string> lines;
  LogSink Sink() {
    return [this](const std::string& fn, std::string_view line) {
      std::lock_guard lock(mu);
      lines.push_back(fn + "|" + std::string(line));
    };
  }
  std::vector<std::string> Lines() {
    std::lock_guard lock(mu);
    return lines;
  }
  // Some line matches the (ECMAScript) regex, searched anywhere in the line.
  bool Has(const std::string& pattern) {
    const std::regex re(pattern);
    for (const std::string& line : Lines()) {
      if (std::regex_search(line, re)) return true;
    }
    return false;
  }
  std::string Dump() {
    std::string out;
    for (const std::string& line : Lines()) out += line + "\n";
    return out;
  }
};

class Function {
 public:
  Function(const std::string& base_dir, const std::string& code_dir, const std::string& runtime,
           const std::string& handler, int concurrency = 1) {
    stack::FunctionSpec spec;
    spec.name = "Fn";
    spec.kind = "lambda";
    spec.runtime = runtime;
    spec.handler = handler;
    spec.code_dir = code_dir;
    spec.memory_size_mb = 256;
    spec.timeout_seconds = 20;  // generous: the machine is shared
    spec.reserved_concurrency = concurrency;
    HandlerContext context;
    context.base_dir = base_dir;
    context.sink = log.Sink();
    handler_ = MakeHandler(spec, context);
  }

  InvokeResult Invoke(const std::string& payload, const std::string& request_id = "") {
    InvokeRequest request;
    request.payload = payload;
    request.request_id = request_id;
    return handler_->Invoke(request);
  }
  InvokeResult Invoke(const InvokeRequest& request) { return handler_->Invoke(request); }

  CapturedLog log;

 private:
  std::unique_ptr<FunctionHandler> handler_;
};

json::object Object(const std::string& text) {
  auto parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok() && parsed->is_object()) << text;
  if (!parsed.ok() || !parsed->is_object()) return {};
  return parsed->as_object();
}

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string("<missing ") + key + ">";
}

std::vector<std::string> Strings(const json::object& o, const char* key) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (v && v->is_array()) {
    for (const json::value& e : v->as_array()) out.push_back(e.is_string() ? std::string(e.as_string()) : "?");
  }
  return out;
}

// A function error as Lambda's Invoke reports it: X-Amz-Function-Error
// "Unhandled" and the runtime's error document as the payload.
json::object ExpectFunctionError(const InvokeResult& r, const std::string& type, const std::string& message) {
  EXPECT_FALSE(r.ok) << r.payload;
  EXPECT_TRUE(r.function_error) << r.payload;
  EXPECT_EQ(r.error_type, "Unhandled") << r.payload;
  json::object doc = Object(r.payload);
  EXPECT_EQ(Str(doc, "errorType"), type) << r.payload;
  EXPECT_EQ(Str(doc, "errorMessage"), message) << r.payload;
  EXPECT_EQ(r.error_message, message);
  return doc;
}

const char* kRecordsEvent =
    R"({"Records":[{"eventID":"1","eventName":"INSERT","dynamodb":{"Keys":{"message":{"S":"hello"}}}}]})";

// --- python3.x ------------------------------------------------------------------

TEST(PythonBootstrap, SeedFunctionRunsUnchanged) {
  Function fn(kSeedFunctions, "python", "python3.12", "lambda.handler");  // `lambda` is a keyword
  InvokeResult r = fn.Invoke(kRecordsEvent, "7d9b7a0e-0000-4000-8000-000000000001");
  ASSERT_TRUE(r.ok) << r.payload << "\n" << fn.log.Dump();
  EXPECT_EQ(r.payload, "null");
  EXPECT_TRUE(fn.log.Has(R"(^Fn\|7d9b7a0e-0000-4000-8000-000000000001 Event: \{"Records": \[\{"eventID": "1")"))
      << fn.log.Dump();
}

TEST(PythonBootstrap, ContextCarriesLambdasValuesAndTheModuleIsImportedOnce) {
  Function fn(kFixtures, "python_context", "python3.11", "ctx.handler");
  InvokeRequest request;
  request.payload = R"({"n":1})";
  request.request_id = "c0ffee00-0000-4000-8000-000000000001";
  request.client_context = R"({"custom":{"tenant":"t1"},"env":{},"client":{}})";
  request.cognito_identity = R"({"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"})";
  InvokeResult r = fn.Invoke(request);
  ASSERT_TRUE(r.ok) << r.payload << "\n" << fn.log.Dump();
  json::object o = Object(r.payload);
  EXPECT_EQ(Str(o, "aws_request_id"), request.request_id);
  EXPECT_EQ(Str(o, "function_name"), "Fn");
  EXPECT_EQ(Str(o, "function_version"), "$LATEST");
  EXPECT_EQ(Str(o, "invoked_function_arn"), "arn:aws:lambda:us-east-1:000000000000:function:Fn");
  EXPECT_EQ(Str(o, "memory_limit_in_mb"), "256");  // a string, as Lambda's runtime gives it
  EXPECT_EQ(Str(o, "log_group_name"), "/aws/lambda/Fn");
  EXPECT_FALSE(Str(o, "log_stream_name").empty());
  ASSERT_TRUE(o.at("remaining_ms").is_int64());
  EXPECT_GT(o.at("remaining_ms").as_int64(), 0);
  EXPECT_LE(o.at("remaining_ms").as_int64(), 20000);
  EXPECT_EQ(Strings(o, "identity"), (std::vector<std::string>{"id-1", "pool-1"}));
  EXPECT_EQ(json::serialize(o.at("client_context")), R"({"tenant":"t1"})");
  EXPECT_EQ(json::serialize(o.at("event")), R"({"n":1})");
  EXPECT_EQ(o.at("loads").as_int64(), 1);
  // print() and logging, each line attributed to its invocation.
  EXPECT_TRUE(fn.log.Has(R"(^Fn\|c0ffee00-0000-4000-8000-000000000001 event: \{"n": 1\}$)")) << fn.log.Dump();
  EXPECT_TRUE(fn.log.Has(
      R"(^Fn\|c0ffee00-0000-4000-8000-000000000001 \[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tc0ffee00-0000-4000-8000-000000000001\tinfo line 1$)"))
      << fn.log.Dump();

  InvokeResult again = fn.Invoke(R"({"n":2})", "c0ffee00-0000-4000-8000-000000000002");
  ASSERT_TRUE(again.ok) << again.payload;
  json::object o2 = Object(again.payload);
  EXPECT_EQ(Str(o2, "aws_request_id"), "c0ffee00-0000-4000-8000-000000000002");
  EXPECT_EQ(o2.at("loads").as_int64(), 1) << "the warm worker imported the module again";
  EXPECT_TRUE(o2.at("client_context").is_null());
  EXPECT_EQ(Strings(o2, "identity"), (std::vector<std::string>{"?", "?"}));  // None, None
}

TEST(PythonBootstrap, NestedPackagesBySlashOrDot) {
  for (const char* handler : {"pkg/sub/mod.handler", "pkg.sub.mod.handler"}) {
    Function fn(kFixtures, "python_nested", "python3.12", handler);
    InvokeResult r = fn.Invoke(R"({"k":"v"})");
    ASSERT_TRUE(r.ok) << handler << ": " << r.payload << "\n" << fn.log.Dump();
    EXPECT_EQ(r.payload, R"({"module": "pkg.sub.mod", "event": {"k": "v"}})") << handler;
  }
}

TEST(PythonBootstrap, HandlerExceptionIsLambdasErrorDocumentAndTheWorkerGoesOn) {
  Function fn(kFixtures, "python_errors", "python3.12", "app.handler");
  const std::string id = "e0000000-0000-4000-8000-000000000001";
  InvokeResult r = fn.Invoke(R"({"fail":true,"id":7})", id);
  json::object doc = ExpectFunctionError(r, "OrderRejected", "order 7 rejected");
  EXPECT_EQ(Str(doc, "requestId"), id);
  // The handler's frames only, formatted as traceback.format_list does.
  std::vector<std::string> trace = Strings(doc, "stackTrace");
  ASSERT_EQ(trace.size(), 2u) << r.payload;
  EXPECT_TRUE(std::regex_search(trace[0], std::regex(R"(^  File ".*/python_errors/app\.py", line 11, in handler\n    check\(event\)\n)")))
      << trace[0];
  EXPECT_TRUE(std::regex_search(trace[1], std::regex(R"(^  File ".*/python_errors/app\.py", line 7, in check\n    raise OrderRejected)")))
      << trace[1];
  EXPECT_TRUE(fn.log.Has(R"(^Fn\|e0000000-0000-4000-8000-000000000001 \[ERROR\] OrderRejected: order 7 rejected$)"))
      << fn.log.Dump();

  InvokeResult ok = fn.Invoke(R"({"id":8})");
  ASSERT_TRUE(ok.ok) << ok.payload;
  EXPECT_EQ(ok.payload, R"({"ok": 8})");
}

TEST(PythonBootstrap, UnserializableResultIsAMarshalError) {
  Function fn(kFixtures, "python_errors", "python3.12", "app.handler");
  json::object doc = ExpectFunctionError(fn.Invoke(R"({"set":true})"), "Runtime.MarshalError",
                                         "Unable to marshal response: Object of type set is not JSON serializable");
  EXPECT_TRUE(Strings(doc, "stackTrace").empty());
}

TEST(PythonBootstrap, InitErrorsAsLambdaNamesThem) {
  struct Case {
    const char* handler;
    const char* type;
    const char* message;  // a regex, matched whole
  };
  const Case cases[] = {
      {"nope.handler", "Runtime.ImportModuleError", "Unable to import module 'nope': No module named 'nope'"},
      {"import_error.handler", "Runtime.ImportModuleError",
       "Unable to import module 'import_error': No module named 'module_that_is_not_there'"},
      {"syntax_error.handler", "Runtime.UserCodeSyntaxError",
       R"(Syntax error in module 'syntax_error': .* \(syntax_error\.py, line 1\))"},
      {"no_handler.handler", "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'no_handler'"},
      {"raise_at_import.handler", "RuntimeError", "configuration missing"},
      {"nodot", "Runtime.MalformedHandlerName",
       R"(Bad handler 'nodot': not enough values to unpack \(expected 2, got 1\))"},
      {"sys.handler", "Runtime.BuiltInModuleConflict", "Cannot use built-in module sys as a handler module"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.handler);
    Function fn(kFixtures, "python_errors", "python3.12", c.handler);
    for (int attempt = 0; attempt < 2; ++attempt) {  // a fresh worker fails the same way
      InvokeResult r = fn.Invoke(R"({})");
      EXPECT_FALSE(r.ok);
      EXPECT_TRUE(r.function_error);
      json::object doc = Object(r.payload);
      EXPECT_EQ(Str(doc, "errorType"), c.type) << r.payload;
      EXPECT_TRUE(std::regex_match(Str(doc, "errorMessage"), std::regex(c.message))) << r.payload;
    }
    EXPECT_TRUE(fn.log.Has(std::string(R"(\[ERROR\] )") + std::regex_replace(c.type, std::regex(R"(\.)"), R"(\.)") + ": "))
        << fn.log.Dump();
  }
  // The syntax error points at the line.
  Function fn(kFixtures, "python_errors", "python3.12", "syntax_error.handler");
  json::object doc = Object(fn.Invoke("{}").payload);
  std::vector<std::string> trace = Strings(doc, "stackTrace");
  ASSERT_EQ(trace.size(), 1u);
  EXPECT_TRUE(std::regex_search(trace[0], std::regex(R"(syntax_error\.py" Line 1\n    def handler\(event, context\))")))
      << trace[0];
}

TEST(PythonBootstrap, AnEventThatIsNotJsonIsAnUnmarshalError) {
  Function fn(kFixtures, "python_errors", "python3.12", "app.handler");
  InvokeResult r = fn.Invoke("{not json");
  EXPECT_TRUE(r.function_error);
  json::object doc = Object(r.payload);
  EXPECT_EQ(Str(doc, "errorType"), "Runtime.UnmarshalError");
  EXPECT_EQ(Str(doc, "errorMessage").rfind("Unable to unmarshal input: Expecting property name", 0), 0u) << r.payload;
  InvokeResult ok = fn.Invoke(R"({"id":1})");
  ASSERT_TRUE(ok.ok) << ok.payload;
  EXPECT_EQ(ok.payload, R"({"ok": 1})");
}

// --- nodejs* ----------------------------------------------------------------------

TEST(NodeBootstrap, SeedFunctionRunsUnchanged) {
  Function fn(kSeedFunctions, "node", "nodejs20.x", "lambda.handler");
  const std::string id = "7d9b7a0e-0000-4000-8000-000000000002";
  InvokeResult r = fn.Invoke(kRecordsEvent, id);
  ASSERT_TRUE(r.ok) << r.payload << "\n" << fn.log.Dump();
  EXPECT_EQ(r.payload, "null");
  // console.log in Lambda's format, the indented JSON over many lines.
  EXPECT_TRUE(fn.log.Has(R"(^Fn\|7d9b7a0e-0000-4000-8000-000000000002 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t7d9b7a0e-0000-4000-8000-000000000002\tINFO\trequest: \{$)"))
      << fn.log.Dump();
  EXPECT_TRUE(fn.log.Has(R"(^Fn\|7d9b7a0e-0000-4000-8000-000000000002   "Records": \[$)")) << fn.log.Dump();
}

TEST(NodeBootstrap, ContextCarriesLambdasValuesAndTheModuleIsLoadedOnce) {
  Function fn(kFixtures, "node_cjs", "nodejs20.x", "index.handler");
  InvokeRequest request;
  request.payload = R"({"n":1})";
  request.request_id = "c0ffee00-0000-4000-8000-000000000003";
  request.client_context = R"({"custom":{"tenant":"t1"},"env":{},"client":{}})";
  request.cognito_identity = R"({"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"})";
  InvokeResult r = fn.Invoke(request);
  ASSERT_TRUE(r.ok) << r.payload << "\n" << fn.log.Dump();
  json::object o = Object(r.payload);
  EXPECT_EQ(Str(o, "awsRequestId"), request.request_id);
  EXPECT_EQ(Str(o, "functionName"), "Fn");
  EXPECT_EQ(Str(o, "functionVersion"), "$LATEST");
  EXPECT_EQ(Str(o, "invokedFunctionArn"), "arn:aws:lambda:us-east-1:000000000000:function:Fn");
  EXPECT_EQ(Str(o, "memoryLimitInMB"), "256");
  EXPECT_EQ(Str(o, "logGroupName"), "/aws/lambda/Fn");
  EXPECT_FALSE(Str(o, "logStreamName").empty());
  ASSERT_TRUE(o.at("remainingMs").is_int64());
  EXPECT_GT(o.at("remainingMs").as_int64(), 0);
  EXPECT_LE(o.at("remainingMs").as_int64(), 20000);
  EXPECT_TRUE(o.at("callbackWaitsForEmptyEventLoop").as_bool());
  EXPECT_EQ(json::serialize(o.at("clientContext")), R"({"custom":{"tenant":"t1"},"env":{},"client":{}})");
  EXPECT_EQ(json::serialize(o.at("identity")), R"({"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"})");
  EXPECT_EQ(o.at("loads").as_int64(), 1);
  EXPECT_TRUE(fn.log.Has(R"(^Fn\|c0ffee00-0000-4000-8000-000000000003 [^\t]+Z\tc0ffee00-0000-4000-8000-000000000003\tINFO\tevent: \{"n":1\}$)"))
      << fn.log.Dump();
  EXPECT_TRUE(fn.log.Has(R"(\tc0ffee00-0000-4000-8000-000000000003\tWARN\ta warning$)")) << fn.log.Dump();

  InvokeResult again = fn.Invoke(R"({"n":2})");
  ASSERT_TRUE(again.ok) << again.payload;
  json::object o2 = Object(again.payload);
  EXPECT_EQ(o2.at("loads").as_int64(), 1) << "the warm worker loaded the module again";
  EXPECT_TRUE(o2.at("clientContext").is_null());
}

TEST(NodeBootstrap, NestedExport) {
  Function fn(kFixtures, "node_cjs", "nodejs20.x", "index.nested.deep.fn");
  InvokeResult r = fn.Invoke(R"({"k":1})");
  ASSERT_TRUE(r.ok) << r.payload << "\n" << fn.log.Dump();
  EXPECT_EQ(r.payload, R"({"nested":true,"event":{"k":1}})");
}

TEST(NodeBootstrap, EsModulesByExtensionAndByPackageType) {
  struct Case {
    const char* dir;
    const char* handler;
    const char* payload;
  };
  const Case cases[] = {
      {"node_esm", "app.handler", R"({"module":"app.mjs","event":{"k":1}})"},
      {"node_esm", "legacy.handler", R"({"module":"legacy.cjs","event":{"k":1}})"},
      {"node_type_module", "src/app.handler", R"({"esm":true,"event":{"k":1}})"},
  };
  for (const Case& c : cases) {
    Function fn(kFixtures, c.dir, "nodejs20.x", c.handler);
    InvokeResult r = fn.Invoke(R"({"k":1})");
    ASSERT_TRUE(r.ok) << c.handler << ": " << r.payload << "\n" << fn.log.Dump();
    EXPECT_EQ(r.payload, c.payload) << c.handler;
  }
}

TEST(NodeBootstrap, CallbackHandlersAndLegacyContextMethods) {
  Function fn(kFixtures, "node_callback", "nodejs20.x", "cb.handler");
  auto mode = [&](const std::string& m, const std::string& id = "") {
    return fn.Invoke(R"({"mode":")" + m + R"("})", id);
  };
  struct Ok {
    const char* mode;
    const char* payload;
  };
  for (const Ok& c : {Ok{"callback", R"({"via":"callback"})"}, Ok{"succeed", R"({"via":"succeed"})"},
                      Ok{"done", R"({"via":"done"})"}, Ok{"twice", R"({"via":"first"})"}, Ok{"silent", "null"}}) {
    InvokeResult r = mode(c.mode);
    ASSERT_TRUE(r.ok) << c.mode << ": " << r.payload << "\n" << fn.log.Dump();
    EXPECT_EQ(r.payload, c.payload) << c.mode;
  }

  // callbackWaitsForEmptyEventLoop (default true): the answer waits for the
  // handler's timer, so its line belongs to this invocation.
  InvokeResult waited = mode("wait", "a0000000-0000-4000-8000-00000000000a");
  ASSERT_TRUE(waited.ok) << waited.payload;
  EXPECT_EQ(waited.payload, R"({"via":"wait"})");
  EXPECT_TRUE(fn.log.Has(R"(^Fn\|a0000000-0000-4000-8000-00000000000a .*\tINFO\ttimer fired$)")) << fn.log.Dump();

  // false: the answer goes at once; the timer (3 s) has not fired yet.
  InvokeResult fast = mode("nowait");
  ASSERT_TRUE(fast.ok) << fast.payload;
  EXPECT_EQ(fast.payload, R"({"via":"nowait"})");
  EXPECT_FALSE(fn.log.Has("late timer fired")) << fn.log.Dump();

  json::object doc = ExpectFunctionError(mode("error"), "TypeError", "bad input");
  std::vector<std::string> trace = Strings(doc, "trace");
  ASSERT_FALSE(trace.empty());
  EXPECT_EQ(trace[0], "TypeError: bad input");
  EXPECT_TRUE(std::regex_search(trace[1], std::regex(R"(node_callback/cb\.js:\d+:\d+)"))) << trace[1];

  doc = ExpectFunctionError(mode("string-error"), "string", "plain failure");
  EXPECT_TRUE(Strings(doc, "trace").empty());
  ExpectFunctionError(mode("fail"), "Error", "failed via context");
  ExpectFunctionError(mode("unknown"), "RangeError", "unknown mode unknown");  // a synchronous throw
  EXPECT_TRUE(fn.log.Has(R"(\tERROR\tInvoke Error \t\{"errorType":"RangeError","errorMessage":"unknown mode unknown")"))
      << fn.log.Dump();

  InvokeResult after = mode("callback");
  ASSERT_TRUE(after.ok) << after.payload;
}

TEST(NodeBootstrap, ErrorsOfAnAsyncHandler) {
  Function fn(kFixtures, "node_errors", "nodejs20.x", "app.handler");
  json::object doc = ExpectFunctionError(fn.Invoke(R"({"mode":"throw","id":7})"), "OrderRejected", "order 7 rejected");
  std::vector<std::string> trace = Strings(doc, "trace");
  ASSERT_GE(trace.size(), 2u);
  EXPECT_EQ(trace[0], "OrderRejected: order 7 rejected");
  EXPECT_TRUE(std::regex_search(trace[1], std::regex(R"(node_errors/app\.js:8:\d+)"))) << trace[1];

  ExpectFunctionError(fn.Invoke(R"({"mode":"reference"})"), "ReferenceError", "missingVariable is not defined");
  ExpectFunctionError(fn.Invoke(R"({"mode":"circular"})"), "Error", "Unable to stringify response body");
  // A promise that can never settle: the loop empties, Lambda's NodeJsExit.
  ExpectFunctionError(fn.Invoke(R"({"mode":"never"})"), "Runtime.NodeJsExit",
                      "The Lambda runtime client detected an unexpected Node.js exit code. "
                      "This is most commonly caused by a Promise that was never settled.");
  InvokeResult ok = fn.Invoke(R"({"id":1})");
  ASSERT_TRUE(ok.ok) << ok.payload;
  EXPECT_EQ(ok.payload, R"({"ok":1})");

  // An unhandled rejection fails the invocation and ends the process; the
  // next invocation gets a fresh worker.
  doc = ExpectFunctionError(fn.Invoke(R"({"mode":"reject"})"), "Runtime.UnhandledPromiseRejection",
                            "Error: nobody handles this");
  EXPECT_EQ(Strings(doc, "trace").at(0), "Runtime.UnhandledPromiseRejection: Error: nobody handles this");
  EXPECT_TRUE(fn.log.Has(R"(\tERROR\tUnhandled Promise Rejection \t\{"errorType":"Runtime.UnhandledPromiseRejection")"))
      << fn.log.Dump();
  InvokeResult fresh = fn.Invoke(R"({"id":2})");
  ASSERT_TRUE(fresh.ok) << fresh.payload << "\n" << fn.log.Dump();
  EXPECT_EQ(fresh.payload, R"({"ok":2})");

  // The same for an exception thrown outside the handler's promise chain.
  doc = ExpectFunctionError(fn.Invoke(R"({"mode":"uncaught"})"), "Error", "thrown in a timer");
  EXPECT_TRUE(fn.log.Has(R"(\tERROR\tUncaught Exception \t\{"errorType":"Error","errorMessage":"thrown in a timer")"))
      << fn.log.Dump();
  fresh = fn.Invoke(R"({"id":3})");
  ASSERT_TRUE(fresh.ok) << fresh.payload << "\n" << fn.log.Dump();
  EXPECT_EQ(fresh.payload, R"({"ok":3})");
}

TEST(NodeBootstrap, AnEventThatIsNotJsonFailsTheInvocationOnly) {
  Function fn(kFixtures, "node_errors", "nodejs20.x", "app.handler");
  json::object doc = Object(fn.Invoke("{not json").payload);
  EXPECT_EQ(Str(doc, "errorType"), "SyntaxError");
  InvokeResult ok = fn.Invoke(R"({"id":1})");
  ASSERT_TRUE(ok.ok) << ok.payload;
}

TEST(NodeBootstrap, InitErrorsAsLambdaNamesThem) {
  struct Case {
    const char* handler;
    const char* type;
    const char* message;  // a regex, matched whole
  };
  const Case cases[] = {
      {"nope.handler", "Runtime.ImportModuleError", R"(Error: Cannot find module 'nope'\nRequire stack:\n[\s\S]*)"},
      {"import_error.handler", "Runtime.ImportModuleError",
       R"(Error: Cannot find module 'module-that-is-not-there'\nRequire stack:\n- .*/node_errors/import_error\.js\n[\s\S]*)"},
      {"syntax_error.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected end of input"},
      {"throw_at_load.handler", "Error", "configuration missing"},
      {"app.notAFunction", "Runtime.HandlerNotFound", R"(app\.notAFunction is not a function)"},
      {"app.missing", "Runtime.HandlerNotFound", R"(app\.missing is undefined or not exported)"},
      {"nodot", "Runtime.MalformedHandlerName", "Bad handler"},
      {"../node_cjs/index.handler", "Runtime.MalformedHandlerName",
       R"('\.\./node_cjs/index\.handler' is not a valid handler name\. Use absolute paths .*)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.handler);
    Function fn(kFixtures, "node_errors", "nodejs20.x", c.handler);
    for (int attempt = 0; attempt < 2; ++attempt) {
      InvokeResult r = fn.Invoke(R"({})");
      EXPECT_FALSE(r.ok);
      EXPECT_TRUE(r.function_error);
      json::object doc = Object(r.payload);
      EXPECT_EQ(Str(doc, "errorType"), c.type) << r.payload;
      EXPECT_TRUE(std::regex_match(Str(doc, "errorMessage"), std::regex(c.message))) << r.payload;
    }
    EXPECT_TRUE(fn.log.Has(R"(\tERROR\tUncaught Exception \t\{"errorType":)")) << fn.log.Dump();
  }
}

}  // namespace
}  // namespace streamer::functions
