#include "core/subprocess.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace streamer {

void Fd::Reset(int fd) {
  Close();
  fd_ = fd;
}

void Fd::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool MakePipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.Reset(fds[0]);
  write_end.Reset(fds[1]);
  return true;
}

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

Fd OpenPidFd(pid_t pid) { return Fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))); }

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = ::sigdescr_np(WTERMSIG(status));
    std::string text = name ? name : "signal " + std::to_string(WTERMSIG(status));
    std::transform(text.begin(), text.end(), text.begin(), ::tolower);
    return "signal: " + text;
  }
  return "unknown status " + std::to_string(status);
}

void LineSplitter::Add(const char* data, size_t n) {
  buffer_.append(data, n);
  size_t start = 0;
  for (;;) {
    size_t nl = buffer_.find('\n', start);
    if (nl == std::string::npos) break;
    Out(std::string_view(buffer_).substr(start, nl - start));
    start = nl + 1;
  }
  buffer_.erase(0, start);
  while (buffer_.size() >= max_line_) {
    Out(std::string_view(buffer_).substr(0, max_line_));
    buffer_.erase(0, max_line_);
  }
}

void LineSplitter::Finish() {
  if (!buffer_.empty()) Out(buffer_);
  buffer_.clear();
}

void LineSplitter::Out(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  emit_(line);
}

}  // namespace streamer
