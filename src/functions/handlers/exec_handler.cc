#include "functions/handlers/exec_handler.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>

#include "core/json.h"
#include "core/subprocess.h"

extern char** environ;

namespace streamer::functions {
namespace {

using Clock = std::chrono::steady_clock;

// How long we keep reading after the process exited while something it left
// behind still holds its stdout/stderr open.
constexpr auto kExitGrace = std::chrono::milliseconds(100);
// Longer lines are logged in pieces of this size.
constexpr size_t kMaxLogLine = 64 * 1024;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Blocks SIGPIPE in this thread for the scope; a SIGPIPE raised meanwhile by
// our own writes is consumed before the old mask comes back.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      timespec zero{0, 0};
      while (sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

// Splits one output stream into log lines for the sink; remembers the last
// non-blank one (for the error message).
class LineLogger {
 public:
  LineLogger(const std::string& name, const LogSink& sink)
      : splitter_([this, &name, &sink](std::string_view line) {
          sink(name, line);
          if (line.find_first_not_of(" \t") != std::string_view::npos) last_line_ = std::string(line);
        }, kMaxLogLine) {}
  void Add(const char* data, size_t n) { splitter_.Add(data, n); }
  void Finish() { splitter_.Finish(); }
  const std::string& last_line() const { return last_line_; }

 private:
  LineSplitter splitter_;
  std::string last_line_;
};

// What Invoke answers for a function that ran and failed: Lambda's error document.
std::string ErrorDocument(const InvokeResult& r) {
  return json::serialize(json::object{{"errorMessage", r.error_message}, {"errorType", r.error_type}});
}

InvokeResult Failure(std::string type, std::string message, Clock::time_point start) {
  InvokeResult r;
  r.ok = false;
  r.error_type = std::move(type);
  r.error_message = std::move(message);
  r.duration_ms = MillisSince(start);
  return r;
}

}  // namespace

ExecHandler::ExecHandler(stack::FunctionSpec spec, std::string working_dir, LogSink sink)
    : spec_(std::move(spec)), working_dir_(std::move(working_dir)), sink_(std::move(sink)) {
  cancel_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (spec_.timeout_seconds <= 0) spec_.timeout_seconds = 3;  // Lambda's default
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq) env[std::string(*e, static_cast<size_t>(eq - *e))] = eq + 1;
  }
  // What a Lambda sandbox would have set; AWS_REGION keeps an inherited value.
  const std::string region = env.count("AWS_REGION") ? env["AWS_REGION"] : "us-east-1";
  env["AWS_REGION"] = region;
  if (!env.count("AWS_DEFAULT_REGION")) env["AWS_DEFAULT_REGION"] = region;
  env["AWS_LAMBDA_FUNCTION_NAME"] = spec_.name;
  env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "128";
  if (!working_dir_.empty()) env["LAMBDA_TASK_ROOT"] = working_dir_;
  for (const auto& [k, v] : spec_.environment) env[k] = v;
  for (const auto& [k, v] : env) environment_.push_back(k + "=" + v);
}

ExecHandler::~ExecHandler() {
  if (cancel_fd_ >= 0) ::close(cancel_fd_);
}

void ExecHandler::Cancel() {
  uint64_t one = 1;
  if (cancel_fd_ >= 0) (void)!::write(cancel_fd_, &one, sizeof one);
}

InvokeResult ExecHandler::Invoke(const InvokeRequest& request) {
  const std::string& event_json = request.payload;
  const auto start = Clock::now();
  pollfd cancel_probe{cancel_fd_, POLLIN, 0};
  if (cancel_fd_ >= 0 && ::poll(&cancel_probe, 1, 0) > 0) {
    return Failure("Runtime.Cancelled", "function " + spec_.name + " was cancelled: the server is stopping", start);
  }
  const auto deadline = start + std::chrono::seconds(spec_.timeout_seconds);
  const std::string& name = spec_.name;

  if (spec_.command.empty() || spec_.command[0].empty()) {
    return Failure("Runtime.InvalidEntrypoint", "function " + name + " has no command", start);
  }
  if (!working_dir_.empty()) {
    struct stat st;
    if (::stat(working_dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Failure("Runtime.InvalidEntrypoint",
                     "working directory '" + working_dir_ + "' does not exist", start);
    }
  }

  Fd in_read, in_write, out_read, out_write, err_read, err_write;
  if (!MakePipe(in_read, in_write) || !MakePipe(out_read, out_write) ||
      !MakePipe(err_read, err_write)) {
    return Failure("Runtime.Unknown", std::string("pipe: ") + std::strerror(errno), start);
  }

  std::vector<char*> argv;
  for (const auto& a : spec_.command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : environment_) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), STDERR_FILENO);
  // Nothing else of ours reaches the child: a listening socket it inherited
  // would keep our ports busy after a kill -9 of the server, until it ends.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (!working_dir_.empty()) posix_spawn_file_actions_addchdir_np(&actions, working_dir_.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t no_signals, all_signals;
  sigemptyset(&no_signals);
  sigfillset(&all_signals);
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &all_signals);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: a timeout kills everything it started
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  // posix_spawnp searches this process's PATH; glibc reports exec failures
  // (ENOENT, EACCES, ...) as its return value.
  int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    std::string what = rc == ENOENT ? "command not found" : std::strerror(rc);
    return Failure("Runtime.InvalidEntrypoint",
                   "cannot run '" + spec_.command[0] + "': " + what, start);
  }
  in_read.Close();
  out_write.Close();
  err_write.Close();
  SetNonBlocking(in_write.get());
  SetNonBlocking(out_read.get());
  SetNonBlocking(err_read.get());

  // Readable when the process exits; without pidfd (old kernels) we poll in
  // short slices and ask waitid.
  Fd exit_fd = OpenPidFd(pid);

  SigpipeBlock sigpipe_block;
  LineLogger out_log(name, sink_), err_log(name, sink_);
  std::string payload;
  size_t written = 0;
  if (event_json.empty()) in_write.Close();
  bool exited = false;
  bool timed_out = false;
  bool cancelled = false;
  Clock::time_point exited_at;

  auto check_exited = [&] {
    siginfo_t info{};
    // WNOWAIT: leave the zombie in place so its pid (and group id) cannot be
    // reused before we kill the group and reap it below.
    if (::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
      exited = true;
      exited_at = Clock::now();
    }
  };
  auto drain = [&](Fd& fd, LineLogger& log, bool is_stdout) {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n > 0) {
        if (is_stdout) payload.append(buf, n);
        log.Add(buf, n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      fd.Close();  // EOF or error
      return;
    }
  };

  while (out_read.open() || err_read.open() || !exited) {
    auto now = Clock::now();
    if (now >= deadline) {
      timed_out = !exited;
      break;
    }
    if (exited && now >= exited_at + kExitGrace) break;
    auto until = exited ? std::min(deadline, exited_at + kExitGrace) : deadline;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    if (!exited && !exit_fd.open()) wait = std::min<int64_t>(wait, 10);

    pollfd fds[5];
    int n = 0;
    int in_idx = -1, out_idx = -1, err_idx = -1, exit_idx = -1, cancel_idx = -1;
    if (cancel_fd_ >= 0) { cancel_idx = n; fds[n++] = {cancel_fd_, POLLIN, 0}; }
    if (in_write.open()) { in_idx = n; fds[n++] = {in_write.get(), POLLOUT, 0}; }
    if (out_read.open()) { out_idx = n; fds[n++] = {out_read.get(), POLLIN, 0}; }
    if (err_read.open()) { err_idx = n; fds[n++] = {err_read.get(), POLLIN, 0}; }
    if (!exited && exit_fd.open()) { exit_idx = n; fds[n++] = {exit_fd.get(), POLLIN, 0}; }
    int ready = ::poll(fds, n, static_cast<int>(wait));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) {
      if (!exited && !exit_fd.open()) check_exited();
      continue;
    }
    if (cancel_idx >= 0 && fds[cancel_idx].revents) {
      cancelled = !exited;
      break;
    }
    if (in_idx >= 0 && fds[in_idx].revents) {
      while (written < event_json.size()) {
        ssize_t w = ::write(in_write.get(), event_json.data() + written, event_json.size() - written);
        if (w > 0) { written += w; continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) break;
        written = event_json.size();  // EPIPE: the process stopped reading; that is its business
      }
      if (written == event_json.size()) in_write.Close();
    }
    if (out_idx >= 0 && fds[out_idx].revents) drain(out_read, out_log, true);
    if (err_idx >= 0 && fds[err_idx].revents) drain(err_read, err_log, false);
    if (exit_idx >= 0 && fds[exit_idx].revents) check_exited();
    if (!exited && !exit_fd.open()) check_exited();
  }

  // Whatever is left of the group goes now: the whole of it on timeout, and
  // leftovers (background children) after a normal exit.
  ::kill(-pid, SIGKILL);
  if (timed_out || cancelled) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // Pick up what was already written before the kill.
  if (out_read.open()) drain(out_read, out_log, true);
  if (err_read.open()) drain(err_read, err_log, false);
  out_log.Finish();
  err_log.Finish();

  InvokeResult result;
  result.duration_ms = MillisSince(start);
  result.payload = std::move(payload);
  if (cancelled) {
    result.error_type = "Runtime.Cancelled";
    result.error_message = "function " + name + " was cancelled: the server is stopping";
    return result;
  }
  if (timed_out) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "Task timed out after %d.00 seconds", spec_.timeout_seconds);
    result.error_type = "Sandbox.Timedout";
    result.error_message = msg;
    result.function_error = true;
    result.payload = ErrorDocument(result);
    return result;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    result.ok = true;
    return result;
  }
  result.error_type = "Unhandled";
  result.error_message = "Runtime exited with error: " + DescribeWaitStatus(status);
  if (!err_log.last_line().empty()) result.error_message += " (stderr: " + err_log.last_line() + ")";
  result.function_error = true;
  result.payload = ErrorDocument(result);
  return result;
}

}  // namespace streamer::functions
