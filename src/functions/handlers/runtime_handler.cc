#include "functions/handlers/runtime_handler.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>

#include "functions/runtime/bundled_files.h"
#include "functions/runtime/spare_workers.h"
#include "functions/runtime/worker_pool.h"

extern char** environ;

namespace streamer::functions {
namespace {

constexpr int kDefaultConcurrency = 4;

class RuntimeHandler : public FunctionHandler {
 public:
  explicit RuntimeHandler(runtime::WorkerPoolOptions options) : pool_(std::move(options)) {}
  InvokeResult Invoke(const InvokeRequest& request) override { return pool_.Invoke(request); }
  void Cancel() override { pool_.Cancel(); }

 private:
  runtime::WorkerPool pool_;
};

// Fails every invocation the way Lambda would for a function that cannot run.
class BrokenFunction : public FunctionHandler {
 public:
  BrokenFunction(std::string type, std::string message) : type_(std::move(type)), message_(std::move(message)) {}
  InvokeResult Invoke(const InvokeRequest&) override {
    InvokeResult r;
    r.error_type = type_;
    r.error_message = message_;
    r.function_error = true;
    r.payload = "{\"errorMessage\":\"" + message_ + "\",\"errorType\":\"" + type_ + "\"}";
    return r;
  }

 private:
  std::string type_, message_;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// `program` as found on PATH when it is a binary (not a script: a version
// manager's shim), else "".
std::string BinaryOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = (end > start ? dirs.substr(start, end - start) : std::string(".")) + "/" + program;
    start = end + 1;
    if (::access(candidate.c_str(), X_OK) != 0) continue;
    char magic[4] = {};
    std::FILE* f = std::fopen(candidate.c_str(), "rb");
    if (!f) return "";
    size_t n = std::fread(magic, 1, sizeof magic, f);
    std::fclose(f);
    return n == 4 && std::memcmp(magic, "\x7f" "ELF", 4) == 0 ? candidate : "";
  }
  return "";
}

// The interpreter behind `program` on PATH, resolved once per process (a
// version manager's shim costs every cold start a shell and a lookup), and
// said once: "python3.x functions run on /usr/bin/python3.11 (Python 3.11.2)".
// A binary found on PATH is its own answer: `found` gets it before the
// interpreter is asked its version, so a spare can start meanwhile.
std::string ResolveInterpreter(const std::string& family, const std::string& program, const LogSink& sink,
                               const std::function<void(const std::string&)>& found) {
  static std::mutex mu;
  static std::map<std::string, std::string> resolved;
  std::lock_guard lock(mu);
  auto it = resolved.find(program);
  if (it != resolved.end()) return it->second;
  std::string binary = BinaryOnPath(program);
  if (!binary.empty()) found(binary);
  const std::string probe =
      program == "node" ? "node -p 'process.execPath + \"\\nNode.js \" + process.version' 2>/dev/null"
                        : program + " -c 'import sys; print(sys.executable); print(\"Python\", sys.version.split()[0])' 2>/dev/null";
  std::string out;
  if (FILE* p = ::popen(probe.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  std::string path = program, version;
  size_t nl = out.find('\n');
  if (nl != std::string::npos && nl > 0 && out[0] == '/') {
    path = out.substr(0, nl);
    version = Trim(out.substr(nl + 1));
  }
  sink("runtime", family + " functions run on " + (version.empty() ? program + " (not found on PATH)" : path + " (" + version + ")"));
  if (!binary.empty()) path = binary;  // the same program (a venv's python stays its symlink)
  resolved[program] = path;
  return path;
}

std::string ResolveDir(const std::string& dir, const std::string& base_dir) {
  namespace fs = std::filesystem;
  fs::path p(dir.empty() ? base_dir : dir);
  if (p.is_relative() && !base_dir.empty() && !dir.empty()) p = fs::path(base_dir) / p;
  if (p.empty()) p = fs::current_path();
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  return (ec ? p : abs).lexically_normal().string();
}

}  // namespace

std::unique_ptr<FunctionHandler> MakeRuntimeHandler(const stack::FunctionSpec& spec, const HandlerContext& context,
                                                    LogSink sink) {
  runtime::WorkerPoolOptions o;
  o.function_name = spec.name;
  o.function_arn = "arn:aws:lambda:" + context.region + ":" + context.account + ":function:" + spec.name;
  o.working_dir = ResolveDir(spec.code_dir, context.base_dir);
  o.memory_size_mb = spec.memory_size_mb > 0 ? spec.memory_size_mb : 128;
  o.timeout_seconds = spec.timeout_seconds > 0 ? spec.timeout_seconds : 3;
  o.concurrency = spec.reserved_concurrency ? *spec.reserved_concurrency : kDefaultConcurrency;
  o.sink = sink;

  static const std::regex python(R"(python3(\.\d+)?)");
  const std::string& rt = spec.runtime;
  std::string bootstrap;  // bundled file the runtime needs
  std::string interpreter;
  if (std::regex_match(rt, python)) {
    bootstrap = "python/bootstrap.py";
    interpreter = "python3";
  } else if (rt.rfind("nodejs", 0) == 0) {
    bootstrap = "node/bootstrap.mjs";
    interpreter = "node";
  } else if (rt.rfind("provided", 0) == 0) {
    o.argv = {o.working_dir + "/bootstrap"};
  } else {
    return std::make_unique<BrokenFunction>(
        "Runtime.InvalidRuntime", "function " + spec.name + ": unsupported runtime '" + rt + "'");
  }
  if (!bootstrap.empty()) {
    if (!runtime::IsBundled(bootstrap)) {
      return std::make_unique<BrokenFunction>(
          "Runtime.InvalidRuntime", "function " + spec.name + ": this build has no " + rt + " bootstrap (" +
                                        bootstrap + " was not bundled)");
    }
    auto dir = runtime::WriteBundledFiles(context.runtime_dir.empty() ? "" : context.runtime_dir + "/bootstraps");
    if (!dir.ok()) {
      return std::make_unique<BrokenFunction>("Runtime.Unknown", "function " + spec.name +
                                                                     ": cannot write the bootstraps: " +
                                                                     dir.status().message());
    }
    bootstrap = *dir + "/" + bootstrap;
  }

  // The environment: ours, then Lambda's, then the function's.
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  env["AWS_REGION"] = context.region;
  env["AWS_DEFAULT_REGION"] = context.region;
  env["AWS_LAMBDA_FUNCTION_NAME"] = spec.name;
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(o.memory_size_mb);
  env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
  env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + spec.name;
  env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + rt;
  env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
  env["LAMBDA_TASK_ROOT"] = o.working_dir;
  env["LAMBDA_RUNTIME_DIR"] =
      bootstrap.empty() ? o.working_dir : std::filesystem::path(bootstrap).parent_path().string();
  env["_HANDLER"] = spec.handler;
  env["TZ"] = ":UTC";
  if (!env.count("LANG")) env["LANG"] = "en_US.UTF-8";
  if (!env.count("PATH")) env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  if (!env.count("AWS_ACCESS_KEY_ID") || !env.count("AWS_SECRET_ACCESS_KEY")) {
    // Lambda always gives its role's credentials; SDKs refuse to sign without any.
    env["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE";
    env["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    env["AWS_SESSION_TOKEN"] = "streamer-local-session";
  }
  if (!context.aws_endpoint.empty()) env["AWS_ENDPOINT_URL"] = context.aws_endpoint;
  // A print() reaches the console when it happens, not when a pipe buffer fills.
  if (interpreter == "python3") env["PYTHONUNBUFFERED"] = "1";
  // Our bootstraps can start before their function is known (spare workers):
  // with the startup variables every function gets unless it sets its own.
  if (!interpreter.empty()) {
    auto spares_of = [&](const std::string& program) {
      o.spares = runtime::SpareWorkers::For({program, bootstrap}, env, sink);
    };
    o.argv = {ResolveInterpreter(interpreter == "python3" ? "python3.x" : "nodejs*", interpreter, sink, spares_of),
              bootstrap};
    if (!o.spares) spares_of(o.argv[0]);  // (the same spares if found started them)
  }
  for (const auto& [k, v] : spec.environment) env[k] = v;
  o.environment = std::move(env);
  return std::make_unique<RuntimeHandler>(std::move(o));
}

}  // namespace streamer::functions
