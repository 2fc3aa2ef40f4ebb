// Spare workers without an interpreter: which variables keep a function off
// the spares, and the assignment protocol with a shell as the spare.
#include "functions/runtime/spare_workers.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/json.h"

namespace streamer::functions::runtime {
namespace {

using Env = std::map<std::string, std::string>;

TEST(SpareWorkers, StartupVariables) {
  for (const char* name : {"LD_PRELOAD", "LD_LIBRARY_PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONUNBUFFERED",
                           "NODE_OPTIONS", "NODE_PATH", "NODE_EXTRA_CA_CERTS", "UV_THREADPOOL_SIZE",
                           "GLIBC_TUNABLES", "MALLOC_ARENA_MAX", "LANG", "LC_ALL", "LC_CTYPE", "HOME",
                           "OPENSSL_CONF", "SSL_CERT_FILE", "ICU_DATA"}) {
    EXPECT_TRUE(IsStartupVariable(name)) << name;
  }
  for (const char* name : {"TZ", "PATH", "AWS_REGION", "_HANDLER", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT",
                           "MY_NODE_OPTIONS", "XPYTHONPATH", "TMPDIR", ""}) {
    EXPECT_FALSE(IsStartupVariable(name)) << name;
  }
}

TEST(SpareWorkers, MisfitNamesTheFirstStartupVariableThatDiffers) {
  SpareWorkers spares({"/bin/true", "--spare"}, Env{{"HOME", "/root"}, {"PYTHONUNBUFFERED", "1"}}, nullptr);
  EXPECT_EQ(spares.Misfit({{"HOME", "/root"}, {"PYTHONUNBUFFERED", "1"}, {"ANYTHING", "else"}, {"TZ", ":UTC"}}), "");
  EXPECT_EQ(spares.Misfit({{"HOME", "/root"}, {"PYTHONUNBUFFERED", "1"}, {"PYTHONPATH", "lib"}}), "PYTHONPATH");
  EXPECT_EQ(spares.Misfit({{"HOME", "/home/x"}, {"PYTHONUNBUFFERED", "1"}}), "HOME");
  EXPECT_EQ(spares.Misfit({{"HOME", "/root"}}), "PYTHONUNBUFFERED");  // one the spare has, the function not
  EXPECT_EQ(spares.Misfit({{"HOME", "/root"}, {"PYTHONUNBUFFERED", "1"}, {"NODE_OPTIONS", ""}}), "NODE_OPTIONS");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 600; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A shell stands in for a bootstrap: it says ready, then copies its
// assignment into a file and reports the environment it was started with.
TEST(SpareWorkers, ASpareGetsItsAssignmentOnFd3AndIsUsedOnce) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("spare-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string out = (dir / "assignment.json").string();
  const std::string script = "echo ready >&3; cat <&3 > " + out + ".tmp; env > " + out +
                             ".env; mv " + out + ".tmp " + out + "; exec sleep 60";
  auto spares = SpareWorkers::For({"/bin/sh", "-c", script}, Env{{"HOME", "/spare-home"}, {"OTHER", "x"}}, nullptr);

  std::optional<SpareProcess> spare;
  ASSERT_TRUE(WaitFor([&] {
    spare = spares->Take();
    if (spare && !spare->ready) {  // still starting: not what this test is about; try again
      SpareWorkers::Kill(*spare);
      spare.reset();
      spares->Replenish();
    }
    return spare.has_value();
  }));
  const pid_t pid = spare->pid;
  if (auto other = spares->Take()) {  // two are kept: another process, never this one again
    EXPECT_NE(other->pid, pid);
    SpareWorkers::Kill(*other);
  }
  ASSERT_TRUE(SpareWorkers::Assign(*spare, Env{{"A", "1"}, {"HOME", "/spare-home"}}, dir.string()));
  ASSERT_TRUE(WaitFor([&] { return fs::exists(out); }));
  auto parsed = ParseJson(ReadFile(out));
  ASSERT_TRUE(parsed.ok()) << ReadFile(out);
  EXPECT_EQ(json::serialize(*parsed), R"({"env":{"A":"1","HOME":"/spare-home"},"cwd":")" + dir.string() + "\"}");
  // Started with the startup variables only (and PATH), not OTHER.
  std::string started_with = ReadFile(out + ".env");
  EXPECT_NE(started_with.find("HOME=/spare-home"), std::string::npos) << started_with;
  EXPECT_EQ(started_with.find("OTHER="), std::string::npos) << started_with;
  // Its own process group, killed and reaped by Kill.
  EXPECT_EQ(::getpgid(pid), pid);
  SpareWorkers::Kill(*spare);
  EXPECT_NE(::kill(pid, 0), 0);

  SpareWorkers::StopAll();
  spares->Replenish();  // stopped: starts nothing
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(spares->Take().has_value());
  fs::remove_all(dir);
}

// One that dies while waiting is reaped (and said), never handed out.
TEST(SpareWorkers, ADeadSpareIsReapedNotUsed) {
  std::mutex mu;
  std::string said;
  auto spares = SpareWorkers::For({"/bin/sh", "-c", "echo ready >&3; exit 3"}, Env{{"LANG", "C.dead"}},
                                  [&](const std::string&, std::string_view line) {
                                    std::lock_guard lock(mu);
                                    said += std::string(line) + "\n";
                                  });
  ASSERT_TRUE(WaitFor([&] {
    spares->ReapDead();
    std::lock_guard lock(mu);
    // Both kept spares die; both are reaped.
    size_t first = said.find("exited before it was used: exit status 3");
    return first != std::string::npos &&
           said.find("exited before it was used: exit status 3", first + 1) != std::string::npos;
  })) << said;
  EXPECT_FALSE(spares->Take().has_value());
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);  // no child left to reap
  SpareWorkers::StopAll();
}

}  // namespace
}  // namespace streamer::functions::runtime
