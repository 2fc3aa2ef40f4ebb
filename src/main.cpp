// The `streamer` command line: `streamer serve [STACK]`.
#include <CLI/CLI.hpp>

#include <csignal>
#include <limits>
#include <cstdio>
#include <pthread.h>

#include <map>
#include <string>
#include <vector>

#include "server/server.h"
#include "stack/cfn/cloudformation.h"
#include "stack/stack.h"

namespace {
const char* kVersion = "0.1.0";

// KEY=VALUE pairs (--parameter-overrides, --code) into a map.
bool ParsePairs(const std::vector<std::string>& pairs, const char* flag, std::map<std::string, std::string>* out) {
  for (const auto& p : pairs) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "streamer: %s %s: expected KEY=VALUE\n", flag, p.c_str());
      return false;
    }
    (*out)[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return true;
}

// A native stack file or a CloudFormation/SAM template, by content.
bool LoadAnyStack(const std::string& file, const streamer::stack::CfnOptions& options, streamer::stack::Stack* stack,
                  streamer::stack::CfnReport* report, bool* is_template) {
  auto format = streamer::stack::DetectStackFormat(file);
  if (!format) {
    std::fprintf(stderr, "streamer: %s\n", format.status().message().c_str());
    return false;
  }
  *is_template = *format == streamer::stack::StackFormat::kCloudFormation;
  auto loaded = *is_template ? streamer::stack::LoadCloudFormation(file, options, report)
                             : streamer::stack::LoadStackFile(file);
  if (!loaded) {
    std::fprintf(stderr, "streamer: %s\n", loaded.status().message().c_str());
    return false;
  }
  *stack = std::move(*loaded);
  return true;
}

void PrintTemplateSummary(const streamer::stack::CfnReport& report) {
  if (!report.skipped.empty()) {
    std::printf("  skipped resources (%zu):\n", report.skipped.size());
    for (const auto& s : report.skipped) std::printf("    %s\n", s.c_str());
  }
}

int Validate(const std::string& file, const streamer::stack::CfnOptions& options) {
  streamer::stack::Stack stack;
  streamer::stack::CfnReport report;
  bool is_template = false;
  if (!LoadAnyStack(file, options, &stack, &report, &is_template)) return 2;
  std::printf("%s: valid %s '%s': %zu tables, %zu functions, %zu event source mappings, %zu APIs\n", file.c_str(),
              is_template ? "template" : "stack", stack.name.c_str(), stack.tables.size(), stack.functions.size(),
              stack.event_mappings.size(), stack.apis.size());
  PrintTemplateSummary(report);
  for (const auto& w : stack.warnings) std::printf("  warning: %s\n", w.c_str());
  return 0;
}

int List(const std::string& file, const streamer::stack::CfnOptions& options) {
  streamer::stack::Stack stack;
  streamer::stack::CfnReport report;
  bool is_template = false;
  if (!LoadAnyStack(file, options, &stack, &report, &is_template)) return 2;
  auto id_of = [&](const std::string& what) {
    for (const auto& [id, desc] : report.resources)
      if (desc == what || desc.rfind(what + " (", 0) == 0) return id;
    return std::string("-");
  };
  std::printf("TABLES\n");
  for (const auto& t : stack.tables)
    std::printf("  %-32s %s%s\n", id_of("table " + t.name).c_str(), t.name.c_str(),
                t.stream_view_type.empty() ? "" : (" stream=" + t.stream_view_type).c_str());
  std::printf("FUNCTIONS\n");
  for (const auto& f : stack.functions)
    std::printf("  %-32s %s %s %s %s\n", id_of("function " + f.name).c_str(), f.name.c_str(), f.runtime.c_str(),
                f.handler.c_str(), f.code_dir.c_str());
  std::printf("MAPPINGS\n");
  for (const auto& m : stack.event_mappings)
    std::printf("  %-32s %s -> %s batch=%d start=%s\n", id_of("mapping " + m.table + " -> " + m.function).c_str(),
                m.table.c_str(), m.function.c_str(), m.batch_size, m.starting_position.c_str());
  std::printf("ROUTES\n");
  for (const auto& a : stack.apis)
    for (const auto& r : a.routes)
      std::printf("  %-32s %s /%s%s %s\n", a.name.c_str(), r.method.c_str(), a.stage.c_str(), r.path.c_str(),
                  r.integration.type.c_str());
  return 0;
}

int Serve(const std::string& stack_file, const streamer::stack::CfnOptions& options,
          streamer::server::ServerConfig config) {
  streamer::stack::Stack stack;
  streamer::stack::CfnReport report;
  bool is_template = false;
  if (stack_file.empty()) {
    stack = streamer::stack::DefaultStack();
  } else if (!LoadAnyStack(stack_file, options, &stack, &report, &is_template)) {
    return 2;
  }
  // Block the stop signals in every thread (threads inherit the mask), and
  // take them synchronously on this one.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto server = streamer::server::Server::Start(stack, config);
  if (!server) {
    std::fprintf(stderr, "streamer: %s\n", server.status().message().c_str());
    return 1;
  }
  std::printf("streamer %s serving stack '%s' (data in %s)\n", kVersion, stack.name.c_str(),
              config.data_dir.c_str());
  std::printf("  AWS APIs (DynamoDB, Streams, /health): http://localhost:%u\n", (*server)->port());
  std::printf("  API gateway:                           http://localhost:%u\n", (*server)->gateway_port());
  for (const auto& api : stack.apis) {
    for (const auto& r : api.routes) std::printf("    %s %s\n", r.method.c_str(), r.path.c_str());
  }
  if (is_template) {
    PrintTemplateSummary(report);
    if (!report.outputs.empty()) std::printf("  outputs:\n");
    for (const auto& [k, v] : report.outputs) std::printf("    %s = %s\n", k.c_str(), v.c_str());
  }
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::printf("streamer: %s received, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  (*server)->Stop();
  std::printf("streamer: stopped\n");
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"streamer: API Gateway -> DynamoDB -> Streams -> functions, in one binary"};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);

  streamer::server::ServerConfig config;
  std::string stack_file;
  std::string durability = "fsync";
  auto* serve = app.add_subcommand("serve", "Serve a stack (default: the seed's stack)");
  serve->add_option("stack", stack_file, "Native YAML stack file, or a CloudFormation / SAM template")
      ->check(CLI::ExistingFile);
  std::vector<std::string> parameter_overrides, code_dirs;
  streamer::stack::CfnOptions cfn_options;
  auto template_options = [&](CLI::App* cmd) {
    cmd->add_option("--parameter-overrides", parameter_overrides, "Template parameters: Key=Value ...");
    cmd->add_option("--code", code_dirs, "A function's code folder: ID=DIR (logical id or CDK construct path)");
    cmd->add_option("--stack-name", cfn_options.stack_name, "Stack name of a template (default: the file's name)");
  };
  template_options(serve);
  std::string check_file;
  auto* validate = app.add_subcommand("validate", "Load a stack or template without serving it, and report");
  validate->add_option("file", check_file, "Stack file or template")->required()->check(CLI::ExistingFile);
  template_options(validate);
  auto* ls = app.add_subcommand("ls", "List a stack's tables, functions, mappings and routes with their logical ids");
  ls->add_option("file", check_file, "Stack file or template")->required()->check(CLI::ExistingFile);
  template_options(ls);
  serve->add_option("--data", config.data_dir, "Data directory")->capture_default_str();
  serve->add_option("--port", config.port, "Port of the AWS APIs (DynamoDB, Streams, health)")
      ->capture_default_str();
  serve->add_option("--gateway-port", config.gateway_port, "Port of the API gateway")->capture_default_str();
  serve->add_flag("--gateway-access-log", config.gateway_access_log,
                  "Print an access-log line per API gateway request (API Gateway's CLF format) on stdout");
  serve->add_option("--bind", config.bind_address, "Address to listen on")->capture_default_str();
  serve->add_option("--durability", durability, "fsync: fsync each group commit; wal: WAL write only")
      ->check(CLI::IsMember({"fsync", "wal"}))
      ->capture_default_str();
  serve->add_option("--shards", config.shards, "Writer shards (= stream shards per table)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve->add_option("--io-threads", config.io_threads, "HTTP I/O threads (0 = one per core)")
      ->capture_default_str();
  serve->add_option("--ttl-sweep-interval-ms", config.ttl_sweep_interval_ms,
                    "How often items whose time to live has passed are deleted")
      ->check(CLI::Range(10, 86400000))
      ->capture_default_str();
  serve->add_option("--stream-retention-hours", config.stream_retention_hours,
                    "Stream records older than this are trimmed (fractions allowed)")
      ->check(CLI::Range(0.0001, 100000.0))
      ->capture_default_str();
  serve->add_option("--stream-trim-interval-ms", config.stream_trim_interval_ms,
                    "How often stream records past the retention are trimmed")
      ->check(CLI::Range(10, 86400000))
      ->capture_default_str();
  // Hidden: for tests of expired iterators (AWS: 15 minutes, not configurable).
  serve->add_option("--stream-iterator-ttl-seconds", config.stream_iterator_ttl_seconds)
      ->check(CLI::Range(1, 86400))
      ->group("");
  serve->add_option("--region", config.region, "Region shown in ARNs and events")->capture_default_str();
  serve->add_option("--max-connections", config.max_connections,
                    "Open connections on both ports together (0 = the descriptor limit minus 256, "
                    "left for storage and functions; a value given is kept up to the limit)")
      ->capture_default_str();
  serve->add_option("--max-inflight-body-bytes", config.max_inflight_body_bytes,
                    "Request body bytes held in memory across all connections; a request over "
                    "it gets 503 (retryable)")
      ->check(CLI::Range(size_t{1024 * 1024}, std::numeric_limits<size_t>::max()))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help / --version exit 0; usage errors exit 2, as command line tools do.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  config.durability =
      durability == "wal" ? streamer::storage::Durability::kWal : streamer::storage::Durability::kFsync;
  if (!ParsePairs(parameter_overrides, "--parameter-overrides", &cfn_options.parameter_overrides) ||
      !ParsePairs(code_dirs, "--code", &cfn_options.code_dirs))
    return 2;
  cfn_options.region = config.region;
  if (validate->parsed()) return Validate(check_file, cfn_options);
  if (ls->parsed()) return List(check_file, cfn_options);
  if (serve->parsed()) return Serve(stack_file, cfn_options, config);
  return 0;
}
