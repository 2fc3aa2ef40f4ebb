// Starting worker processes (internal to functions/runtime).
//
// Every worker and spare is forked by one long-lived thread: the parent-death
// signal (PR_SET_PDEATHSIG=SIGKILL) is tied to the thread that forked, so
// that thread must live as long as the process. The child gets its own
// process group, stdin from /dev/null, stdout/stderr on pipes, default signal
// dispositions and an empty mask, and no descriptor above 2 except
// `assignment_fd` (given to it as fd 3, for spare workers).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/subprocess.h"

namespace streamer::functions::runtime {

struct Spawned {
  pid_t pid = -1;
  Fd out, err;  // the read ends of its stdout and stderr
  int error = 0;      // errno of the failed step
  std::string stage;  // "exec", "chdir", "dup", "fork", "pipe"
};

// Forks and execs argv (argv[0] a path, or a name looked up on PATH) on the
// spawner thread; returns once the exec succeeded or failed.
Spawned Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& cwd,
              int assignment_fd = -1);

}  // namespace streamer::functions::runtime
