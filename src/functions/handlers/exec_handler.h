// The "exec" handler: runs a command once per batch.
//
// Per invocation: the process is spawned in its own process group with the
// event JSON on stdin (written fully, then closed), cwd = the resolved working
// dir, environment = this process's environment (as of construction) + Lambda
// variables + the spec's environment (which wins). stdout and stderr are read
// concurrently with the stdin write (poll), so no output size can deadlock
// it; each line is logged through the sink; all of stdout is the payload.
//
// Outcomes: exit 0 -> ok. Non-zero exit or death by signal -> "Unhandled".
// Past timeout_seconds -> SIGKILL to the whole group, "Sandbox.Timedout".
// Spawn failures (command not found, not executable, missing working dir) ->
// "Runtime.InvalidEntrypoint". When the process exits but something it left
// behind still holds its stdout/stderr, we read for a short grace period and
// then SIGKILL the rest of the group, so an invocation never hangs and leaves
// no background processes. The process is always reaped: no zombies.
//
// SIGPIPE: the process's disposition is left alone. While writing stdin the
// invoking thread blocks SIGPIPE, so a child that exits without reading stdin
// turns the write into EPIPE (which we ignore); a SIGPIPE left pending by
// that write is consumed before the thread's mask is restored. The child gets
// default dispositions and an empty signal mask.
#pragma once

#include <string>
#include <vector>

#include "functions/handlers/handler.h"

namespace streamer::functions {

class ExecHandler : public FunctionHandler {
 public:
  // `working_dir` is already resolved ("" = inherit this process's cwd).
  ExecHandler(stack::FunctionSpec spec, std::string working_dir, LogSink sink);
  ~ExecHandler() override;
  InvokeResult Invoke(const InvokeRequest& request) override;
  void Cancel() override;

 private:
  int cancel_fd_ = -1;  // eventfd: readable once Cancel() was called
  stack::FunctionSpec spec_;
  std::string working_dir_;
  std::vector<std::string> environment_;  // "KEY=value", built once
  LogSink sink_;
};

}  // namespace streamer::functions
