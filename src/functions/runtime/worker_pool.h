// WorkerPool: one Lambda function's warm worker processes.
//
// A worker is a runtime interface client (argv) talking to its own Runtime
// API endpoint (runtime_api.h). Workers start on demand (a cold start inside
// the Invoke that needed one) and stay warm for the next invocations, up to
// `concurrency` at a time; an Invoke that finds all of them busy waits up to
// `queue_wait` for one, then is throttled.
//
// Per invocation: START / END / REPORT lines (Duration, Billed Duration,
// Memory Size, Max Memory Used from the worker's /proc, Init Duration on a
// cold start) and every line the worker writes on stdout/stderr go to the
// sink, the worker's lines prefixed with the request id once the event was
// handed out; with tail_log the last 4 KB of them come back.
//
// Outcomes (InvokeResult::error_type; payload is Lambda's error document):
//   /response                      ok
//   /error, /init/error            "Unhandled" (the document the runtime posted)
//   response over 6 MB             "Function.ResponseSizeTooLarge"
//   past timeout_seconds           "Sandbox.Timedout": the worker's process group is SIGKILLed
//   the worker exits or crashes    "Runtime.ExitError"
//   the worker cannot start        "Runtime.InvalidEntrypoint"
//   no capacity                    throttled ("TooManyRequestsException", function_error false)
//   Cancel()                       "Runtime.Cancelled" (function_error false)
// A worker that failed in any of these ways is gone; the next Invoke starts
// a new one. An idle worker that died is replaced quietly.
//
// A cold start takes a spare (a process of the same runtime started before,
// waiting for its assignment) when options.spares has one and the
// function's environment allows it; Init Duration then counts from the
// assignment. A spare becomes a worker like any other.
//
// Process hygiene: each worker runs in its own process group, forked by one
// long-lived thread with PR_SET_PDEATHSIG=SIGKILL (so it dies with this
// process even on kill -9), with fds above 2 closed, default signal
// dispositions and an empty mask. Every worker is reaped: Cancel() and the
// destructor kill and wait for all of them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/subprocess.h"
#include "functions/handlers/handler.h"

namespace streamer::functions::runtime {

class SpareWorkers;

struct WorkerPoolOptions {
  std::string function_name;
  std::string function_arn;
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up on PATH
  std::string working_dir;        // the code directory
  // The worker's environment (besides AWS_LAMBDA_RUNTIME_API and
  // AWS_LAMBDA_LOG_STREAM_NAME, which are per worker).
  std::map<std::string, std::string> environment;
  int memory_size_mb = 128;
  int timeout_seconds = 3;
  int concurrency = 4;  // 0: every invoke is throttled
  std::chrono::milliseconds queue_wait{std::chrono::seconds(10)};
  // A cold start may take this long on top of the timeout (Lambda's init phase).
  std::chrono::milliseconds init_limit{std::chrono::seconds(10)};
  // Idle workers unused this long are stopped.
  std::chrono::milliseconds idle_stop{std::chrono::minutes(10)};
  // How often idle workers are looked after: their output logged, the dead
  // reaped, the expired stopped.
  std::chrono::milliseconds idle_check{std::chrono::seconds(1)};
  LogSink sink;  // required
  // Pre-started processes of argv a cold start may take (spare_workers.h),
  // if the environment allows; null: every worker is started for the pool.
  std::shared_ptr<SpareWorkers> spares;
};

class WorkerPool {
 public:
  explicit WorkerPool(WorkerPoolOptions options);
  ~WorkerPool();  // Cancel(), waits for invocations in flight, reaps every worker
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  InvokeResult Invoke(const InvokeRequest& request);
  void Cancel();

  // For tests and metrics: the pids of the live workers (idle or busy).
  std::vector<pid_t> WorkerPids() const;

 private:
  struct Worker;
  struct InvokeLog;
  using Clock = std::chrono::steady_clock;

  Result<std::unique_ptr<Worker>> StartWorker();
  InvokeResult Run(Worker& worker, bool cold, const InvokeRequest& request, const std::string& request_id,
                   bool& reusable);
  void Release(std::unique_ptr<Worker> worker, bool reusable);
  void Stop(Worker& worker);  // kills its group and reaps it
  void LookAfterIdle();        // the janitor thread

  WorkerPoolOptions options_;
  bool use_spares_ = false;  // options_.spares fit this function's environment
  Fd cancel_fd_;  // eventfd, readable once cancelled
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool cancelled_ = false;
  int live_ = 0;  // started or starting, idle or busy
  int in_invoke_ = 0;  // Invoke calls under way (the destructor waits for them)
  std::vector<std::unique_ptr<Worker>> idle_;  // the most recently used last
  std::vector<Worker*> busy_;
  std::thread janitor_;  // last: started once the rest exists
};

}  // namespace streamer::functions::runtime
