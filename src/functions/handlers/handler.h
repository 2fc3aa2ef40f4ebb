// Function handlers: what runs when an event source mapping delivers a batch
// to a function. One interface, one implementation file per kind:
//   log  (log_handler.cc)  prints each event, like the seed's Python function
//   exec (exec_handler.cc) runs a command per batch, event JSON on stdin
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "stack/stack.h"

namespace streamer::functions {

struct InvokeResult {
  bool ok = false;
  std::string payload;        // the function's result (exec: all of its stdout)
  std::string error_type;     // Lambda-style: "Unhandled", "Sandbox.Timedout", ...
  std::string error_message;
  int64_t duration_ms = 0;
};

class FunctionHandler {
 public:
  virtual ~FunctionHandler() = default;
  // Invoke with the event JSON; blocking; called from an event-source-mapping
  // poller thread (one at a time per poller, several pollers may call
  // concurrently). Never throws.
  virtual InvokeResult Invoke(const std::string& event_json) = 0;
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

// Builds the handler for a function. `base_dir` is the stack file's folder:
// an exec function's working_dir resolves against it ("" = base_dir itself;
// both empty = this process's cwd). A spec that cannot run (unknown kind,
// empty command) still yields a handler, whose every Invoke fails saying why.
// `sink` = nullptr means WriteToStdout.
std::unique_ptr<FunctionHandler> MakeHandler(const stack::FunctionSpec& spec,
                                             const std::string& base_dir,
                                             LogSink sink = nullptr);

}  // namespace streamer::functions
