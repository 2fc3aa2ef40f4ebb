// Function handlers: what runs when an event source mapping delivers a batch
// to a function. One interface, one implementation file per kind:
//   log     (log_handler.cc)     prints each event, like the seed's Python function
//   exec    (exec_handler.cc)    runs a command per batch, event JSON on stdin
//   http    (http_handler.cc)    POSTs the event to a URL; 2xx is success
//   lambda  (runtime_handler.cc) a Lambda runtime (python3.x, nodejs*, provided.*)
//           in warm worker processes over the Lambda Runtime API (functions/runtime/)
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "stack/stack.h"

namespace streamer::functions {

// One invocation, as Lambda's Invoke carries it.
struct InvokeRequest {
  std::string payload;           // the event JSON
  std::string request_id;        // "" = the handler makes one (a UUID)
  std::string client_context;    // Lambda-Runtime-Client-Context (JSON text), "" = none
  std::string cognito_identity;  // Lambda-Runtime-Cognito-Identity (JSON text), "" = none
  std::string trace_id;          // Lambda-Runtime-Trace-Id, "" = the handler makes one
  bool tail_log = false;         // return the last 4 KB of the invocation's log
};

struct InvokeResult {
  bool ok = false;
  // ok: the function's result. !ok and function_error: Lambda's error
  // document {"errorMessage","errorType","stackTrace"} (what Invoke returns
  // with X-Amz-Function-Error).
  std::string payload;        // the function's result (exec: all of its stdout)
  std::string error_type;     // Lambda-style: "Unhandled", "Sandbox.Timedout", ...
  std::string error_message;
  int64_t duration_ms = 0;
  // The function ran (or was started) and failed: its own error, a timeout,
  // a crash. False with !ok: it never ran (throttled, cancelled, cannot run).
  bool function_error = false;
  bool throttled = false;     // no capacity: reserved concurrency reached (or 0)
  std::string request_id;
  std::string log_tail;       // with InvokeRequest::tail_log: the last 4 KB of its log
};

class FunctionHandler {
 public:
  virtual ~FunctionHandler() = default;
  // Invoke with the event JSON; blocking; called from an event-source-mapping
  // poller thread (one at a time per poller, several pollers may call
  // concurrently). Never throws.
  virtual InvokeResult Invoke(const InvokeRequest& request) = 0;
  // Shutdown: ends invocations in flight (they fail, so their batch is not
  // checkpointed and is delivered again after a restart) and makes later
  // ones fail at once. Safe from any thread.
  virtual void Cancel() {}
};

// Where a function's log lines go: one call per line, without the newline.
// Called from invoking threads, possibly concurrently: must be thread-safe.
using LogSink = std::function<void(const std::string& function_name, std::string_view line)>;

// The default sink: "[FunctionName] line\n" on stdout, one mutex for all
// functions so lines never interleave, flushed per line.
void WriteToStdout(const std::string& function_name, std::string_view line);

// What a handler needs besides its spec.
struct HandlerContext {
  // The stack file's folder: an exec function's working_dir and a lambda
  // function's code_dir resolve against it ("" = this process's cwd).
  std::string base_dir;
  LogSink sink;                   // nullptr = WriteToStdout
  std::string region = "us-east-1";
  std::string account = "000000000000";
  // Our AWS endpoint (http://127.0.0.1:<port>), given to Lambda workers as
  // AWS_ENDPOINT_URL so a handler's SDK calls reach this server's tables.
  std::string aws_endpoint;
  // A folder this process owns (under the data directory) where the runtime
  // writes its bundled bootstraps; "" = a temporary folder.
  std::string runtime_dir;
};

// Builds the handler for a function. A spec that cannot run (unknown kind,
// empty command) still yields a handler, whose every Invoke fails saying why.
std::unique_ptr<FunctionHandler> MakeHandler(const stack::FunctionSpec& spec, const HandlerContext& context);
// Shorthand: MakeHandler(spec, {base_dir, sink}).
std::unique_ptr<FunctionHandler> MakeHandler(const stack::FunctionSpec& spec,
                                             const std::string& base_dir,
                                             LogSink sink = nullptr);

}  // namespace streamer::functions
