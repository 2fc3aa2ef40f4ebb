// Child-process plumbing shared by the handlers that run processes (exec,
// and the Lambda runtime's workers): owned descriptors, close-on-exec pipes,
// a wait status in Go's words (what Lambda prints), and a line splitter.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>

namespace streamer {

// An owned file descriptor (closed on destruction).
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.Release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  ~Fd() { Close(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void Reset(int fd);
  void Close();
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// A pipe whose both ends are close-on-exec (no leaks into other spawns).
bool MakePipe(Fd& read_end, Fd& write_end);
void SetNonBlocking(int fd);
// A pidfd for `pid` (readable once it exits); not open on kernels without it.
Fd OpenPidFd(pid_t pid);

// "exit status 1", "signal: killed": how Lambda (a Go program) describes how
// a process ended.
std::string DescribeWaitStatus(int status);

// Splits a byte stream into lines (without the newline or a trailing \r);
// longer lines than `max_line` come out in pieces.
class LineSplitter {
 public:
  using Emit = std::function<void(std::string_view line)>;
  explicit LineSplitter(Emit emit, size_t max_line = 64 * 1024) : emit_(std::move(emit)), max_line_(max_line) {}
  void Add(const char* data, size_t n);
  void Finish();  // emits what is left without a newline

 private:
  void Out(std::string_view line);
  Emit emit_;
  size_t max_line_;
  std::string buffer_;
};

}  // namespace streamer
