#include "functions/runtime/worker_pool.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <thread>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json.h"
#include "functions/runtime/runtime_api.h"
#include "functions/runtime/spare_workers.h"
#include "functions/runtime/spawner.h"

namespace streamer::functions::runtime {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kTailBytes = 4096;  // Lambda's LogType Tail
constexpr size_t kMaxLogLine = 64 * 1024;

// The worker's peak resident memory (VmHWM), in MB rounded up.
int64_t MaxMemoryUsedMb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      long long kb = std::atoll(line.c_str() + 6);
      return (kb + 1023) / 1024;
    }
  }
  return 0;
}

// How a process that is still a zombie ended, as a wait status.
bool PeekExit(pid_t pid, int& status) {
  siginfo_t info{};
  if (::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != pid) return false;
  if (info.si_code == CLD_EXITED) {
    status = (info.si_status & 0xff) << 8;
  } else {
    status = info.si_status & 0x7f;
    if (info.si_code == CLD_DUMPED) status |= 0x80;
  }
  return true;
}

std::string LogStreamName() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y/%m/%d", &tm);
  return std::string(date) + "/[$LATEST]" + RandomHex(16);
}

std::string TraceId() {
  char root[32];
  std::snprintf(root, sizeof root, "%08llx", static_cast<unsigned long long>(std::time(nullptr)));
  return "Root=1-" + std::string(root) + "-" + RandomHex(12) + ";Parent=" + RandomHex(8) + ";Sampled=0";
}

std::string ErrorDocument(std::string_view type, std::string_view message) {
  json::object o;
  o["errorMessage"] = message;
  o["errorType"] = type;
  return json::serialize(o);
}

double MillisBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Reads what is there (non-blocking) into the splitter; closes at EOF.
void Drain(Fd& fd, LineSplitter& lines) {
  char buf[65536];
  while (fd.open()) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      lines.Add(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    fd.Close();
  }
}

bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

}  // namespace

struct WorkerPool::InvokeLog {
  std::string request_id;
  bool handed_out = false;
  std::string tail;  // bounded: trimmed to the last kTailBytes now and then
};

struct WorkerPool::Worker {
  pid_t pid = -1;
  Fd pidfd, out, err;
  Fd assignment;  // a spare's: open while it lives (SpareWorkers::Assign)
  std::shared_ptr<RuntimeChannel> channel;
  std::unique_ptr<RuntimeApiServer> server;
  Clock::time_point started, last_used;
  bool initialized = false;  // has taken an event: later invocations are warm
  bool exited_before_event = false;  // warm, but gone before taking the event offered
  bool reaped = false;
  InvokeLog* log = nullptr;  // the invocation in flight, if any
  std::unique_ptr<LineSplitter> out_lines, err_lines;

  bool Exited() {
    if (pidfd.open()) return Readable(pidfd.get());
    int status;
    return PeekExit(pid, status);
  }
};

WorkerPool::WorkerPool(WorkerPoolOptions options)
    : options_(std::move(options)), cancel_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (options_.timeout_seconds <= 0) options_.timeout_seconds = 3;
  if (!options_.sink) options_.sink = [](const std::string&, std::string_view) {};
  if (options_.spares) {
    std::string misfit = options_.spares->Misfit(options_.environment);
    use_spares_ = misfit.empty();
    if (!use_spares_) {
      options_.sink(options_.function_name, "its workers start without a spare: " + misfit +
                                                " is read only when the interpreter starts");
    }
  }
  janitor_ = std::thread([this] { LookAfterIdle(); });
}

WorkerPool::~WorkerPool() {
  Cancel();
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return live_ == 0 && in_invoke_ == 0; });
  }
  janitor_.join();
}

void WorkerPool::LookAfterIdle() {
  std::unique_lock lock(mu_);
  while (!cancelled_) {
    cv_.wait_for(lock, options_.idle_check);
    if (cancelled_) break;
    if (options_.spares) {
      lock.unlock();
      options_.spares->ReapDead();
      lock.lock();
      if (cancelled_) break;
    }
    std::vector<std::unique_ptr<Worker>> stale;
    const auto now = Clock::now();
    for (auto it = idle_.begin(); it != idle_.end();) {
      Worker& w = **it;
      // What an idle worker prints (a background thread, a timer) is logged
      // now rather than blamed on its next invocation.
      Drain(w.out, *w.out_lines);
      Drain(w.err, *w.err_lines);
      if (w.last_used + options_.idle_stop < now || w.Exited()) {
        stale.push_back(std::move(*it));
        it = idle_.erase(it);
      } else {
        ++it;
      }
    }
    if (stale.empty()) continue;
    lock.unlock();
    for (auto& w : stale) {
      int status = 0;
      if (PeekExit(w->pid, status)) {
        options_.sink(options_.function_name, "worker " + std::to_string(w->pid) +
                                                  " exited while idle: " + DescribeWaitStatus(status));
      }
      Stop(*w);
    }
    lock.lock();
    live_ -= static_cast<int>(stale.size());
    cv_.notify_all();
  }
}

void WorkerPool::Cancel() {
  std::vector<std::unique_ptr<Worker>> idle;
  {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    idle = std::move(idle_);
    idle_.clear();
  }
  uint64_t one = 1;
  (void)!::write(cancel_fd_.get(), &one, sizeof one);
  cv_.notify_all();
  for (auto& w : idle) Stop(*w);
  {
    std::lock_guard lock(mu_);
    live_ -= static_cast<int>(idle.size());
  }
  cv_.notify_all();
}

std::vector<pid_t> WorkerPool::WorkerPids() const {
  std::lock_guard lock(mu_);
  std::vector<pid_t> pids;
  for (const auto& w : idle_) pids.push_back(w->pid);
  for (const Worker* w : busy_) pids.push_back(w->pid);
  return pids;
}

void WorkerPool::Stop(Worker& w) {
  // Killed first, so it has no time to complain about its endpoint closing.
  if (w.pid > 0 && !w.reaped) {
    ::kill(-w.pid, SIGKILL);
    ::kill(w.pid, SIGKILL);
    int status;
    while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    w.reaped = true;
  }
  if (w.channel) w.channel->Close();
  w.server.reset();
}

Result<std::unique_ptr<WorkerPool::Worker>> WorkerPool::StartWorker() {
  auto w = std::make_unique<Worker>();
  w->channel = std::make_shared<RuntimeChannel>();
  auto server = RuntimeApiServer::Start(w->channel);
  if (!server.ok()) return server.status();
  w->server = std::move(server.value());
  std::map<std::string, std::string> env = options_.environment;
  env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + std::to_string(w->server->port());
  if (!env.count("AWS_LAMBDA_LOG_STREAM_NAME")) env["AWS_LAMBDA_LOG_STREAM_NAME"] = LogStreamName();
  std::vector<std::string> env_list;
  for (const auto& [k, v] : env) env_list.push_back(k + "=" + v);

  // A spare if there is one (and the code directory is there: entering it
  // is the spare's last step, where a failure could not be told as clearly).
  std::optional<SpareProcess> spare;
  struct stat code_dir {};
  if (use_spares_ && ::stat(options_.working_dir.c_str(), &code_dir) == 0 && S_ISDIR(code_dir.st_mode)) {
    spare = options_.spares->Take();
    options_.spares->Replenish();  // the next cold start finds one started meanwhile
  }
  w->started = Clock::now();
  if (spare) {
    if (SpareWorkers::Assign(*spare, env, options_.working_dir)) {
      w->pid = spare->pid;
      w->pidfd = std::move(spare->pidfd);
      w->out = std::move(spare->out);
      w->err = std::move(spare->err);
      w->assignment = std::move(spare->assignment);
    } else {
      SpareWorkers::Kill(*spare);  // gone: a worker of our own instead
      w->started = Clock::now();
    }
  }
  if (w->pid < 0) {
    Spawned spawned = Spawn(options_.argv, env_list, options_.working_dir);
    if (spawned.pid < 0) {
      w->channel->Close();
      w->server.reset();
      std::string what;
      if (spawned.stage == "chdir") {
        what = "cannot enter the code directory " + options_.working_dir + ": " + std::strerror(spawned.error);
      } else if (spawned.stage == "exec") {
        what = "Couldn't find valid bootstrap(s): [" + options_.argv[0] + "]";
        if (spawned.error != ENOENT) what += " (" + std::string(std::strerror(spawned.error)) + ")";
      } else {
        what = spawned.stage + ": " + std::strerror(spawned.error);
      }
      return Status::Of(Code::kValidation, what);
    }
    w->pid = spawned.pid;
    w->out = std::move(spawned.out);
    w->err = std::move(spawned.err);
    w->pidfd = OpenPidFd(w->pid);
  }
  SetNonBlocking(w->out.get());
  SetNonBlocking(w->err.get());
  Worker* raw = w.get();
  auto emit = [this, raw](std::string_view line) {
    InvokeLog* log = raw->log;
    if (log && log->handed_out) {
      std::string prefixed = log->request_id;
      prefixed += ' ';
      prefixed += line;
      options_.sink(options_.function_name, prefixed);
    } else {
      options_.sink(options_.function_name, line);
    }
    if (log) {
      log->tail.append(line);
      log->tail += '\n';
      if (log->tail.size() > 4 * kTailBytes) log->tail.erase(0, log->tail.size() - kTailBytes);
    }
  };
  w->out_lines = std::make_unique<LineSplitter>(emit, kMaxLogLine);
  w->err_lines = std::make_unique<LineSplitter>(emit, kMaxLogLine);
  return w;
}


InvokeResult WorkerPool::Invoke(const InvokeRequest& request) {
  const auto start = Clock::now();
  InvokeResult result;
  result.request_id = request.request_id.empty() ? NewUuid() : request.request_id;
  auto fail = [&](std::string type, std::string message) {
    result.ok = false;
    result.error_type = std::move(type);
    result.error_message = std::move(message);
    result.payload = ErrorDocument(result.error_type, result.error_message);
    result.duration_ms = static_cast<int64_t>(MillisBetween(start, Clock::now()));
    return result;
  };
  const std::string cancelled_message =
      "function " + options_.function_name + " was cancelled: the server is stopping";

  std::unique_ptr<Worker> worker;
  bool cold = false;
  bool was_cancelled = false;
  std::vector<std::unique_ptr<Worker>> stale;
  {
    std::unique_lock lock(mu_);
    ++in_invoke_;
  }
  struct Leave {
    WorkerPool* pool;
    ~Leave() {
      std::lock_guard lock(pool->mu_);
      --pool->in_invoke_;
      pool->cv_.notify_all();
    }
  } leave{this};
  {
    std::unique_lock lock(mu_);
    const auto give_up = Clock::now() + options_.queue_wait;
    for (;;) {
      if (cancelled_) break;
      if (options_.concurrency <= 0) break;
      const auto now = Clock::now();
      // Idle workers that died or stayed unused too long go; the most
      // recently used live one is taken.
      for (auto it = idle_.begin(); it != idle_.end();) {
        if ((*it)->last_used + options_.idle_stop < now || (*it)->Exited()) {
          stale.push_back(std::move(*it));
          it = idle_.erase(it);
          --live_;
        } else {
          ++it;
        }
      }
      if (!idle_.empty()) {
        worker = std::move(idle_.back());
        idle_.pop_back();
        break;
      }
      if (live_ < options_.concurrency) {
        ++live_;
        cold = true;
        break;
      }
      if (cv_.wait_until(lock, give_up) == std::cv_status::timeout && idle_.empty() &&
          live_ >= options_.concurrency) {
        break;
      }
    }
    if (worker) busy_.push_back(worker.get());
    was_cancelled = cancelled_;
  }
  for (auto& w : stale) Stop(*w);
  if (!stale.empty()) cv_.notify_all();

  if (!worker && !cold) {
    if (was_cancelled) return fail("Runtime.Cancelled", cancelled_message);
    result.throttled = true;
    return fail("TooManyRequestsException", "Rate Exceeded.");
  }
  if (cold) {
    auto started = StartWorker();
    if (!started.ok()) {
      Release(nullptr, false);
      result.function_error = true;
      return fail("Runtime.InvalidEntrypoint",
                  "RequestId: " + result.request_id + " Error: " + started.status().message());
    }
    worker = std::move(started.value());
    std::lock_guard lock(mu_);
    busy_.push_back(worker.get());
  }
  bool reusable = false;
  InvokeResult ran = Run(*worker, cold, request, result.request_id, reusable);
  if (worker->exited_before_event) {
    // Its slot goes to a fresh worker, which runs the event cold.
    {
      std::lock_guard lock(mu_);
      busy_.erase(std::remove(busy_.begin(), busy_.end(), worker.get()), busy_.end());
      was_cancelled = cancelled_;
    }
    worker.reset();
    if (was_cancelled) {
      Release(nullptr, false);
      return fail("Runtime.Cancelled", cancelled_message);
    }
    auto started = StartWorker();
    if (!started.ok()) {
      Release(nullptr, false);
      result.function_error = true;
      return fail("Runtime.InvalidEntrypoint",
                  "RequestId: " + result.request_id + " Error: " + started.status().message());
    }
    worker = std::move(started.value());
    {
      std::lock_guard lock(mu_);
      busy_.push_back(worker.get());
    }
    ran = Run(*worker, true, request, result.request_id, reusable);
    cold = true;
  }
  Release(std::move(worker), reusable);
  if (cold && use_spares_) options_.spares->Replenish();  // (if one could not start meanwhile)
  return ran;
}

InvokeResult WorkerPool::Run(Worker& w, bool cold, const InvokeRequest& request, const std::string& request_id,
                             bool& reusable) {
  const std::string& name = options_.function_name;
  const int64_t timeout_ms = int64_t{options_.timeout_seconds} * 1000;
  InvokeLog log;
  log.request_id = request_id;
  w.log = &log;
  auto emit = [&](const std::string& line) {
    options_.sink(name, line);
    log.tail += line;
    log.tail += '\n';
  };

  Invocation invocation;
  invocation.request_id = request_id;
  invocation.payload = request.payload;
  invocation.function_arn = options_.function_arn;
  invocation.trace_id = request.trace_id.empty() ? TraceId() : request.trace_id;
  invocation.client_context = request.client_context;
  invocation.cognito_identity = request.cognito_identity;
  invocation.timeout_ms = timeout_ms;
  const auto offered_at = Clock::now();
  // A warm worker gets the event at once. A cold one gets it once it waits
  // in /next: everything it wrote before is its init's output, everything
  // after this invocation's.
  bool offered = !cold;
  if (offered) w.channel->Offer(std::move(invocation));
  auto kill_at = offered_at + std::chrono::milliseconds(timeout_ms) + (cold ? options_.init_limit : std::chrono::milliseconds(0));

  enum class End { kOutcome, kExited, kTimedOut, kCancelled } end = End::kTimedOut;
  std::optional<RuntimeOutcome> outcome;
  Clock::time_point handed_at = offered_at;
  std::optional<double> init_ms;
  // Output is this invocation's (prefixed) from the handout on.
  log.handed_out = !cold;
  bool noticed = false;  // the handout was seen (START written)
  for (;;) {
    RuntimeChannel::Progress progress = w.channel->Poll();
    if (!offered && progress.runtime_waiting) {
      Drain(w.out, *w.out_lines);
      Drain(w.err, *w.err_lines);
      w.channel->Offer(std::move(invocation));
      offered = true;
      progress = w.channel->Poll();
    }
    if (progress.handed_out && !noticed) {
      noticed = true;
      if (!w.initialized) {
        init_ms = MillisBetween(w.started, progress.handed_at);
        w.initialized = true;
      }
      log.handed_out = true;
      handed_at = progress.handed_at;
      kill_at = handed_at + std::chrono::milliseconds(timeout_ms);
      emit("START RequestId: " + request_id + " Version: $LATEST");
    }
    if (noticed || !log.handed_out) {
      Drain(w.out, *w.out_lines);
      Drain(w.err, *w.err_lines);
    }
    if (progress.outcome) {
      outcome = std::move(progress.outcome);
      end = End::kOutcome;
      break;
    }
    if (w.Exited()) {
      end = End::kExited;
      break;
    }
    const auto now = Clock::now();
    if (now >= kill_at) {
      end = End::kTimedOut;
      break;
    }
    pollfd fds[5];
    int n = 0;
    fds[n++] = {w.channel->ready_fd(), POLLIN, 0};
    fds[n++] = {cancel_fd_.get(), POLLIN, 0};
    int out_idx = -1, err_idx = -1;
    const bool reading = noticed || !log.handed_out;
    if (reading && w.out.open()) { out_idx = n; fds[n++] = {w.out.get(), POLLIN, 0}; }
    if (reading && w.err.open()) { err_idx = n; fds[n++] = {w.err.get(), POLLIN, 0}; }
    if (w.pidfd.open()) fds[n++] = {w.pidfd.get(), POLLIN, 0};
    int64_t wait = std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - now).count() + 1;
    if (!w.pidfd.open()) wait = std::min<int64_t>(wait, 10);
    int ready = ::poll(fds, n, static_cast<int>(std::min<int64_t>(wait, 1 << 30)));
    if (ready < 0 && errno != EINTR) break;
    if (fds[1].revents) {
      end = End::kCancelled;
      // An answer that raced the cancel still counts.
      progress = w.channel->Poll();
      if (progress.outcome) {
        outcome = std::move(progress.outcome);
        end = End::kOutcome;
      }
      break;
    }
    (void)out_idx;
    (void)err_idx;  // their output is read at the top of the loop, after the handout is known
  }

  if (end == End::kExited && !cold && !noticed && !w.channel->Poll().handed_out) {
    // A warm worker that ended itself between invocations (Lambda's Node.js
    // client exits right after reporting an unhandled rejection): the event
    // never reached it. Invoke gives it to a fresh worker; nothing to report.
    Stop(w);
    Drain(w.out, *w.out_lines);
    Drain(w.err, *w.err_lines);
    w.out_lines->Finish();
    w.err_lines->Finish();
    w.channel->Finish();
    w.log = nullptr;
    w.exited_before_event = true;
    reusable = false;
    return {};
  }

  const auto finished_at = Clock::now();
  // What the worker wrote before answering is in the pipes by now.
  Drain(w.out, *w.out_lines);
  Drain(w.err, *w.err_lines);
  const int64_t max_memory_mb = MaxMemoryUsedMb(w.pid);

  InvokeResult result;
  result.request_id = request_id;
  int exit_status = 0;
  bool exited = false;
  if (end == End::kExited) exited = PeekExit(w.pid, exit_status);
  if (end != End::kOutcome) {
    // The worker is done for: kill its group, reap it, keep its last words.
    Stop(w);
    Drain(w.out, *w.out_lines);
    Drain(w.err, *w.err_lines);
    w.out_lines->Finish();
    w.err_lines->Finish();
  }
  if (!noticed) emit("START RequestId: " + request_id + " Version: $LATEST");

  switch (end) {
    case End::kOutcome:
      switch (outcome->kind) {
        case RuntimeOutcome::Kind::kResponse:
          result.ok = true;
          result.payload = std::move(outcome->body);
          reusable = true;
          break;
        case RuntimeOutcome::Kind::kError:
        case RuntimeOutcome::Kind::kInitError: {
          result.function_error = true;
          result.error_type = "Unhandled";
          result.payload = std::move(outcome->body);
          auto parsed = ParseJson(result.payload);
          const json::string* message = nullptr;
          const json::string* type = nullptr;
          if (parsed.ok() && parsed->is_object()) {
            message = FindString(parsed->as_object(), "errorMessage");
            type = FindString(parsed->as_object(), "errorType");
          }
          result.error_message = message ? std::string(*message) : result.payload;
          if (result.error_message.empty()) {
            result.error_message = type ? std::string(*type) : outcome->error_type;
          }
          // A runtime that failed its init is expected to exit; we do not wait.
          reusable = outcome->kind == RuntimeOutcome::Kind::kError;
          break;
        }
        case RuntimeOutcome::Kind::kResponseTooLarge:
          result.function_error = true;
          result.error_type = "Function.ResponseSizeTooLarge";
          result.error_message = "Response payload size (" + outcome->body +
                                 " bytes) exceeded maximum allowed payload size (" +
                                 std::to_string(kMaxResponseBytes) + " bytes).";
          result.payload = ErrorDocument(result.error_type, result.error_message);
          reusable = true;
          break;
      }
      if (reusable && w.Exited()) reusable = false;  // answered, then exited
      break;
    case End::kExited: {
      result.function_error = true;
      result.error_type = "Runtime.ExitError";
      result.error_message = "RequestId: " + request_id + " Error: Runtime exited with error: " +
                             (exited ? DescribeWaitStatus(exit_status) : std::string("unknown status"));
      result.payload = ErrorDocument(result.error_type, result.error_message);
      emit(result.error_message);
      break;
    }
    case End::kTimedOut: {
      result.function_error = true;
      result.error_type = "Sandbox.Timedout";
      char text[96];
      std::snprintf(text, sizeof text, " Task timed out after %d.00 seconds", options_.timeout_seconds);
      result.error_message = IsoMillis(NowMillis()) + "Z " + request_id + text;
      result.payload = ErrorDocument(result.error_type, result.error_message);
      emit(result.error_message);
      break;
    }
    case End::kCancelled:
      result.error_type = "Runtime.Cancelled";
      result.error_message = "function " + name + " was cancelled: the server is stopping";
      result.payload = ErrorDocument(result.error_type, result.error_message);
      break;
  }
  w.channel->Finish();
  w.log = nullptr;

  const double duration = MillisBetween(handed_at, finished_at);
  result.duration_ms = static_cast<int64_t>(duration);
  emit("END RequestId: " + request_id);
  char report[512];
  int len = std::snprintf(report, sizeof report,
                          "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %d MB\t"
                          "Max Memory Used: %lld MB",
                          request_id.c_str(), duration, static_cast<long long>(std::ceil(duration)),
                          options_.memory_size_mb, static_cast<long long>(max_memory_mb));
  std::string report_line(report, static_cast<size_t>(std::max(0, std::min<int>(len, sizeof report - 1))));
  if (init_ms) {
    char init[64];
    std::snprintf(init, sizeof init, "\tInit Duration: %.2f ms", *init_ms);
    report_line += init;
  }
  emit(report_line);

  if (request.tail_log) {
    std::string& tail = log.tail;
    if (tail.size() > kTailBytes) {
      size_t cut = tail.size() - kTailBytes;
      // Never start inside a UTF-8 sequence.
      while (cut < tail.size() && (static_cast<unsigned char>(tail[cut]) & 0xC0) == 0x80) ++cut;
      tail.erase(0, cut);
    }
    result.log_tail = std::move(tail);
  }
  return result;
}

void WorkerPool::Release(std::unique_ptr<Worker> worker, bool reusable) {
  if (worker && reusable) {
    std::lock_guard lock(mu_);
    busy_.erase(std::remove(busy_.begin(), busy_.end(), worker.get()), busy_.end());
    if (!cancelled_) {
      worker->last_used = Clock::now();
      idle_.push_back(std::move(worker));
      cv_.notify_all();
      return;
    }
  }
  if (worker) {
    Stop(*worker);
    std::lock_guard lock(mu_);
    busy_.erase(std::remove(busy_.begin(), busy_.end(), worker.get()), busy_.end());
  }
  std::lock_guard lock(mu_);
  --live_;
  cv_.notify_all();
}

}  // namespace streamer::functions::runtime
