// Spare workers: runtime processes started before a function needs them, as
// Lambda keeps sandboxes ready, so a cold start skips the interpreter's start.
//
// A spare is the bundled python or node bootstrap started with "--spare": it
// has started its interpreter and loaded the bootstrap's own modules, then
// says "ready" on fd 3 (one end of a socket pair) and waits there for its
// assignment, a JSON object
// {"env": {...}, "cwd": "..."} followed by EOF. It then replaces its whole
// environment with env (which holds AWS_LAMBDA_RUNTIME_API and _HANDLER),
// enters cwd and goes on exactly as a worker started for the function.
// Nothing of another function reaches it: a spare is used once.
//
// Only variables an interpreter reads when it starts (IsStartupVariable)
// cannot change that late, so a spare is started with those of the
// environment functions get by default, and a function whose environment
// differs in any of them (NODE_OPTIONS, PYTHONPATH, LD_PRELOAD, ...) starts
// its workers itself.
//
// Two spares per command and startup environment (so that cold starts in a
// row find one started), started once a function of that runtime exists
// (For), and again whenever a cold start takes one (Replenish), oldest taken
// first. A spare forks like any worker (own process group,
// PR_SET_PDEATHSIG=SIGKILL: it dies with this process, kill -9 included); one
// that dies while waiting is reaped (ReapDead) and not restarted until the
// next cold start wants one; StopAll() kills and reaps them all.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/subprocess.h"
#include "functions/handlers/handler.h"

namespace streamer::functions::runtime {

// Whether python or node read this variable only when they start (the
// dynamic loader's LD_*, PYTHON*, NODE_*, the locale, HOME for their
// per-user module paths, ...). TZ is not one: the bootstraps apply it.
bool IsStartupVariable(std::string_view name);

struct SpareProcess {
  pid_t pid = -1;
  Fd pidfd, out, err;  // as a worker's: readable once it exits; its stdout and stderr
  Fd assignment;       // our end of its fd 3
  bool ready = false;  // it had started and was waiting (else it is still starting)
};

class SpareWorkers : public std::enable_shared_from_this<SpareWorkers> {
 public:
  // The spares of `argv` (a bundled bootstrap's command) for functions whose
  // startup variables are those of `environment`; starts the first one in
  // the background if there is none.
  static std::shared_ptr<SpareWorkers> For(const std::vector<std::string>& argv,
                                           const std::map<std::string, std::string>& environment, LogSink sink);
  // Every spare is killed and reaped; none is started after (server shutdown).
  static void StopAll();

  // Whether a worker with this environment may be a spare of these: ""
  // if so, else the first startup variable it has another value of.
  std::string Misfit(const std::map<std::string, std::string>& environment) const;
  // The oldest waiting spare (it may still be starting), now the caller's;
  // none if there is none alive.
  std::optional<SpareProcess> Take();
  // Starts spares in the background up to the number kept (waiting or starting).
  void Replenish();
  // Reaps waiting spares that died (called now and then).
  void ReapDead();

  // Hands `spare` its assignment; false if it is gone (the caller then
  // kills and reaps it and starts a worker itself). spare.assignment must
  // stay open as long as the worker lives.
  static bool Assign(SpareProcess& spare, const std::map<std::string, std::string>& environment,
                     const std::string& cwd);
  // Kills the spare's process group and reaps it.
  static void Kill(SpareProcess& spare);

  SpareWorkers(std::vector<std::string> argv, std::map<std::string, std::string> startup_env, LogSink sink);

 private:
  void Start();  // on a background thread
  void Stop();

  const std::vector<std::string> argv_;  // with "--spare"
  const std::map<std::string, std::string> startup_env_;  // the startup variables only
  const std::vector<std::string> spawn_env_;  // startup_env_ and PATH
  LogSink sink_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  int starting_ = 0;
  std::deque<SpareProcess> waiting_;  // the oldest first
};

}  // namespace streamer::functions::runtime
