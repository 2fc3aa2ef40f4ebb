// MakeHandler: picks the implementation for a FunctionSpec.
#include <filesystem>

#include "functions/handlers/exec_handler.h"
#include "functions/handlers/handler.h"
#include "functions/handlers/http_handler.h"
#include "functions/handlers/log_handler.h"
#include "functions/handlers/runtime_handler.h"

namespace streamer::functions {
namespace {

// Stands in for a function that cannot run, so the mapping reports a failed
// invocation (with the reason) instead of the server refusing to start.
class FailingHandler : public FunctionHandler {
 public:
  FailingHandler(std::string type, std::string message)
      : type_(std::move(type)), message_(std::move(message)) {}
  InvokeResult Invoke(const InvokeRequest&) override {
    InvokeResult r;
    r.ok = false;
    r.error_type = type_;
    r.error_message = message_;
    return r;
  }

 private:
  std::string type_, message_;
};

std::string ResolveWorkingDir(const std::string& working_dir, const std::string& base_dir) {
  namespace fs = std::filesystem;
  if (working_dir.empty()) return base_dir;
  fs::path p(working_dir);
  if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
  return p.lexically_normal().string();
}

}  // namespace

std::unique_ptr<FunctionHandler> MakeHandler(const stack::FunctionSpec& spec,
                                             const std::string& base_dir, LogSink sink) {
  HandlerContext context;
  context.base_dir = base_dir;
  context.sink = std::move(sink);
  return MakeHandler(spec, context);
}

std::unique_ptr<FunctionHandler> MakeHandler(const stack::FunctionSpec& spec, const HandlerContext& context) {
  LogSink sink = context.sink ? context.sink : LogSink(WriteToStdout);
  const std::string& base_dir = context.base_dir;
  if (spec.kind == "log") return std::make_unique<LogHandler>(spec.name, std::move(sink));
  if (spec.kind == "exec") {
    if (spec.command.empty() || spec.command[0].empty()) {
      return std::make_unique<FailingHandler>("Runtime.InvalidEntrypoint",
                                              "function " + spec.name + " has no command");
    }
    return std::make_unique<ExecHandler>(spec, ResolveWorkingDir(spec.working_dir, base_dir),
                                         std::move(sink));
  }
  if (spec.kind == "http") {
    auto endpoint = ParseHttpUrl(spec.url);
    if (!endpoint.ok()) {
      return std::make_unique<FailingHandler>("Runtime.InvalidEntrypoint",
                                              "function " + spec.name + ": " + endpoint.status().message());
    }
    std::string arn = "arn:aws:lambda:" + context.region + ":" + context.account + ":function:" + spec.name;
    return std::make_unique<HttpHandler>(spec, std::move(*endpoint), std::move(arn), std::move(sink));
  }
  if (spec.kind == "lambda") return MakeRuntimeHandler(spec, context, std::move(sink));
  return std::make_unique<FailingHandler>(
      "Runtime.InvalidRuntime", "function " + spec.name + ": unknown handler kind '" + spec.kind + "'");
}

}  // namespace streamer::functions
