#include "functions/runtime/spare_workers.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/json.h"
#include "functions/runtime/spawner.h"

namespace streamer::functions::runtime {
namespace {

constexpr std::string_view kStartupPrefixes[] = {"LD_", "PYTHON", "NODE_", "UV_", "MALLOC_", "LC_", "OPENSSL_",
                                                 "SSL_CERT_"};
constexpr std::string_view kStartupNames[] = {
    "GLIBC_TUNABLES",  // glibc, before main
    "LANG", "LANGUAGE", "LOCPATH", "GCONV_PATH",  // python's stdio and file system encodings
    "ICU_DATA",                                   // node's ICU
    "HOME",                                       // python's user site-packages, node's ~/.node_modules
};

// Spares kept per command: two, so that cold starts in a row (functions
// deployed together, a function scaling out) find one that has started.
constexpr size_t kKept = 2;

// How long a spare may take to accept its assignment (it may still be
// starting: the assignment waits in the socket until it reads it).
constexpr int kAssignTimeoutSeconds = 5;

std::map<std::string, std::string> StartupVariables(const std::map<std::string, std::string>& environment) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : environment) {
    if (IsStartupVariable(k)) out.emplace(k, v);
  }
  return out;
}

bool HasExited(const SpareProcess& spare) {
  if (spare.pidfd.open()) {
    pollfd p{spare.pidfd.get(), POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }
  siginfo_t info{};
  return ::waitid(P_PID, spare.pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == spare.pid;
}

struct Registry {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<SpareWorkers>> by_key;
};

Registry& TheRegistry() {
  static Registry* registry = new Registry();  // never destroyed: spares' threads may outlive main
  return *registry;
}

}  // namespace

bool IsStartupVariable(std::string_view name) {
  for (std::string_view p : kStartupPrefixes) {
    if (name.substr(0, p.size()) == p) return true;
  }
  for (std::string_view n : kStartupNames) {
    if (name == n) return true;
  }
  return false;
}

SpareWorkers::SpareWorkers(std::vector<std::string> argv, std::map<std::string, std::string> startup_env,
                           LogSink sink)
    : argv_(std::move(argv)),
      startup_env_(std::move(startup_env)),
      spawn_env_([this] {
        std::vector<std::string> env;
        for (const auto& [k, v] : startup_env_) env.push_back(k + "=" + v);
        if (const char* path = std::getenv("PATH")) env.push_back(std::string("PATH=") + path);
        return env;
      }()),
      sink_(std::move(sink)) {
  if (!sink_) sink_ = [](const std::string&, std::string_view) {};
}

std::shared_ptr<SpareWorkers> SpareWorkers::For(const std::vector<std::string>& argv,
                                                const std::map<std::string, std::string>& environment,
                                                LogSink sink) {
  std::map<std::string, std::string> startup = StartupVariables(environment);
  std::string key;
  for (const auto& a : argv) key += a + '\0';
  key += '\1';
  for (const auto& [k, v] : startup) key += k + '=' + v + '\0';
  std::shared_ptr<SpareWorkers> spares;
  {
    Registry& registry = TheRegistry();
    std::lock_guard lock(registry.mu);
    auto& slot = registry.by_key[key];
    if (!slot) {
      std::vector<std::string> spare_argv = argv;
      spare_argv.push_back("--spare");
      slot = std::make_shared<SpareWorkers>(std::move(spare_argv), std::move(startup), std::move(sink));
    }
    spares = slot;
  }
  spares->Replenish();
  return spares;
}

void SpareWorkers::StopAll() {
  std::map<std::string, std::shared_ptr<SpareWorkers>> all;
  {
    Registry& registry = TheRegistry();
    std::lock_guard lock(registry.mu);
    all.swap(registry.by_key);
  }
  for (auto& [key, spares] : all) spares->Stop();
}

std::string SpareWorkers::Misfit(const std::map<std::string, std::string>& environment) const {
  std::map<std::string, std::string> theirs = StartupVariables(environment);
  for (const auto& [k, v] : theirs) {
    auto it = startup_env_.find(k);
    if (it == startup_env_.end() || it->second != v) return k;
  }
  for (const auto& [k, v] : startup_env_) {
    if (!theirs.count(k)) return k;
  }
  return "";
}

std::optional<SpareProcess> SpareWorkers::Take() {
  for (;;) {
    std::optional<SpareProcess> spare;
    {
      std::lock_guard lock(mu_);
      if (waiting_.empty()) return std::nullopt;
      spare = std::move(waiting_.front());
      waiting_.pop_front();
    }
    if (HasExited(*spare)) {
      Kill(*spare);
      continue;
    }
    pollfd p{spare->assignment.get(), POLLIN, 0};
    spare->ready = ::poll(&p, 1, 0) > 0;  // its "ready" is there to read
    return spare;
  }
}

void SpareWorkers::Replenish() {
  size_t wanted;
  {
    std::lock_guard lock(mu_);
    const size_t have = waiting_.size() + static_cast<size_t>(starting_);
    if (stopped_ || have >= kKept) return;
    wanted = kKept - have;
    starting_ += static_cast<int>(wanted);
  }
  for (size_t i = 0; i < wanted; ++i) std::thread([self = shared_from_this()] { self->Start(); }).detach();
}

void SpareWorkers::Start() {
  auto done = [this](std::optional<SpareProcess> spare) {
    std::unique_lock lock(mu_);
    --starting_;
    const bool keep = spare && !stopped_;
    if (keep) waiting_.push_back(std::move(*spare));
    cv_.notify_all();
    lock.unlock();
    if (spare && !keep) Kill(*spare);  // stopped meanwhile
  };
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    sink_("runtime", "cannot start a spare " + argv_.front() + ": socketpair: " + std::strerror(errno));
    return done(std::nullopt);
  }
  Fd ours(pair[0]), theirs(pair[1]);
  Spawned spawned = Spawn(argv_, spawn_env_, "/", theirs.get());
  theirs.Close();
  if (spawned.pid < 0) {
    sink_("runtime", "cannot start a spare " + argv_.front() + ": " + spawned.stage + ": " +
                         std::strerror(spawned.error));
    return done(std::nullopt);
  }
  SpareProcess spare;
  spare.pid = spawned.pid;
  spare.pidfd = OpenPidFd(spawned.pid);
  spare.out = std::move(spawned.out);
  spare.err = std::move(spawned.err);
  spare.assignment = std::move(ours);
  done(std::move(spare));
}

void SpareWorkers::Stop() {
  std::deque<SpareProcess> spares;
  {
    std::unique_lock lock(mu_);
    stopped_ = true;
    cv_.wait(lock, [this] { return starting_ == 0; });
    spares.swap(waiting_);
  }
  for (auto& spare : spares) Kill(spare);
}

void SpareWorkers::ReapDead() {
  std::vector<SpareProcess> dead;
  {
    std::lock_guard lock(mu_);
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (HasExited(*it)) {
        dead.push_back(std::move(*it));
        it = waiting_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& spare : dead) {
    ::kill(-spare.pid, SIGKILL);  // whatever it left in its group
    int status = 0;
    while (::waitpid(spare.pid, &status, 0) < 0 && errno == EINTR) {
    }
    spare.pid = -1;
    sink_("runtime", "spare " + std::filesystem::path(argv_.front()).filename().string() +
                         " worker exited before it was used: " + DescribeWaitStatus(status));
  }
}

bool SpareWorkers::Assign(SpareProcess& spare, const std::map<std::string, std::string>& environment,
                          const std::string& cwd) {
  json::object env;
  for (const auto& [k, v] : environment) env[k] = v;
  json::object assignment;
  assignment["env"] = std::move(env);
  assignment["cwd"] = cwd;
  const std::string text = json::serialize(assignment);
  timeval limit{kAssignTimeoutSeconds, 0};
  ::setsockopt(spare.assignment.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  size_t sent = 0;
  while (sent < text.size()) {
    ssize_t n = ::send(spare.assignment.get(), text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  // EOF: the assignment is complete. Our end stays open while the worker
  // lives: closing it with the spare's "ready" unread would reset the
  // connection, which could reach the spare before the assignment does.
  ::shutdown(spare.assignment.get(), SHUT_WR);
  return true;
}

void SpareWorkers::Kill(SpareProcess& spare) {
  if (spare.pid <= 0) return;
  ::kill(-spare.pid, SIGKILL);
  ::kill(spare.pid, SIGKILL);
  int status;
  while (::waitpid(spare.pid, &status, 0) < 0 && errno == EINTR) {
  }
  spare.pid = -1;
}

}  // namespace streamer::functions::runtime
