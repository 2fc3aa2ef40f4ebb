#include "functions/runtime/spawner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace streamer::functions::runtime {
namespace {

std::string SearchPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// Forks and execs a worker. Runs on the spawner thread only: the
// parent-death signal is tied to the thread that forked, so that thread must
// live as long as the process.
Spawned ForkExec(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                 const std::string& cwd, int assignment_fd) {
  Spawned result;
  std::string exe = SearchPath(argv[0]);
  if (exe.empty()) {
    result.error = ENOENT;
    result.stage = "exec";
    return result;
  }
  Fd out_read, out_write, err_read, err_write, status_read, status_write;
  if (!MakePipe(out_read, out_write) || !MakePipe(err_read, err_write) ||
      !MakePipe(status_read, status_write)) {
    result.error = errno;
    result.stage = "pipe";
    return result;
  }
  Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  std::vector<char*> argv_ptrs;
  for (const auto& a : argv) argv_ptrs.push_back(const_cast<char*>(a.c_str()));
  argv_ptrs.push_back(nullptr);
  std::vector<char*> env_ptrs;
  for (const auto& e : env) env_ptrs.push_back(const_cast<char*>(e.c_str()));
  env_ptrs.push_back(nullptr);
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid == 0) {
    // The child: async-signal-safe calls only until exec.
    int stage = 0;
    int status_fd = status_write.get();
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the server died before the prctl
    ::dup2(devnull.get(), STDIN_FILENO);
    ::dup2(out_write.get(), STDOUT_FILENO);
    ::dup2(err_write.get(), STDERR_FILENO);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      stage = 1;
    } else {
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      for (int s = 1; s < NSIG; ++s) {
        if (s != SIGKILL && s != SIGSTOP) ::sigaction(s, &dfl, nullptr);
      }
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      bool placed = true;
      if (assignment_fd >= 0) {
        // A spare's assignment channel becomes fd 3; whatever held 3 moves
        // out of the way first (both copies close on exec).
        if (status_fd == 3) status_fd = ::fcntl(3, F_DUPFD_CLOEXEC, 4);
        int fd = assignment_fd == 3 ? ::fcntl(3, F_DUPFD_CLOEXEC, 4) : assignment_fd;
        placed = status_fd >= 0 && fd >= 0 && ::dup2(fd, 3) == 3;
        stage = 2;
      }
      if (placed) {
        // Nothing else of ours (listening sockets, the store's files) crosses exec.
        ::syscall(SYS_close_range, assignment_fd >= 0 ? 4u : 3u, ~0u, CLOSE_RANGE_CLOEXEC);
        stage = 0;
        ::execve(exe.c_str(), argv_ptrs.data(), env_ptrs.data());
      }
    }
    int report[2] = {stage, errno};
    (void)!::write(status_fd, report, sizeof report);
    ::_exit(127);
  }
  if (pid < 0) {
    result.error = errno;
    result.stage = "fork";
    return result;
  }
  ::setpgid(pid, pid);  // also here, so no kill(-pid) can race the child's own call
  out_write.Close();
  err_write.Close();
  status_write.Close();
  int report[2] = {0, 0};
  ssize_t n;
  do {
    n = ::read(status_read.get(), report, sizeof report);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof report)) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.error = report[1];
    result.stage = report[0] == 1 ? "chdir" : report[0] == 2 ? "dup" : "exec";
    return result;
  }
  result.pid = pid;
  result.out = std::move(out_read);
  result.err = std::move(err_read);
  return result;
}

// The one thread that forks workers (see ForkExec); it lives as long as the
// process.
class Spawner {
 public:
  static Spawner& Get() {
    static Spawner* spawner = new Spawner();  // never destroyed: its thread never ends
    return *spawner;
  }
  Spawned Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                const std::string& cwd, int assignment_fd) {
    std::packaged_task<Spawned()> task([&] { return ForkExec(argv, env, cwd, assignment_fd); });
    auto future = task.get_future();
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(task));
    }
    cv_.notify_one();
    return future.get();
  }

 private:
  Spawner() {
    std::thread([this] {
      for (;;) {
        std::packaged_task<Spawned()> task;
        {
          std::unique_lock lock(mu_);
          cv_.wait(lock, [this] { return !queue_.empty(); });
          task = std::move(queue_.front());
          queue_.pop_front();
        }
        task();
      }
    }).detach();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<Spawned()>> queue_;
};

}  // namespace

Spawned Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& cwd,
              int assignment_fd) {
  return Spawner::Get().Spawn(argv, env, cwd, assignment_fd);
}

}  // namespace streamer::functions::runtime
