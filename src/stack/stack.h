// The Stack: the one internal model of what to run. Every loader produces it
// (native YAML today; CloudFormation / SAM / cdk.out later), server/ consumes
// it, `streamer synth` will print it. No part reaches around it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace streamer::stack {

struct KeyAttribute {
  std::string name;
  std::string type;  // "S" | "N" | "B"
};

struct TableSpec {
  std::string name;  // the physical table name clients use
  KeyAttribute partition_key;
  std::optional<KeyAttribute> sort_key;
  std::string stream_view_type;  // "" = no stream; KEYS_ONLY | NEW_IMAGE | OLD_IMAGE | NEW_AND_OLD_IMAGES
};

struct IntegrationResponseSpec {
  std::string selection_pattern;  // "" = the default response
  std::string status_code = "200";
  std::map<std::string, std::string> response_templates;   // content type -> VTL
  std::map<std::string, std::string> response_parameters;  // method.response.header.X -> 'static' | integration.response.header.Y
};

struct IntegrationSpec {
  std::string type = "AWS";  // AWS | MOCK | AWS_PROXY (later: HTTP, HTTP_PROXY)
  std::string service;       // for AWS: "dynamodb"
  std::string function;      // for AWS_PROXY: FunctionSpec::name (Lambda proxy, payload 1.0)
  int timeout_ms = 29000;    // for AWS_PROXY: TimeoutInMillis (50..29000); past it, 504
  std::string action;        // for AWS: "PutItem", "GetItem", ...
  std::map<std::string, std::string> request_templates;  // content type -> VTL
  std::string passthrough_behavior = "WHEN_NO_MATCH";     // WHEN_NO_MATCH | WHEN_NO_TEMPLATES | NEVER
  std::vector<IntegrationResponseSpec> responses;
};

struct RouteSpec {
  std::string method;  // GET, POST, ..., or ANY
  std::string path;    // "/InsertItem", "/items/{id}"
  IntegrationSpec integration;
};

struct ApiSpec {
  std::string name;
  std::string stage = "prod";
  std::vector<RouteSpec> routes;
};

struct FunctionSpec {
  std::string name;
  // "log": built in, prints each event. "exec": runs `command` once per batch
  // with the event JSON on stdin; a non-zero exit is a failed invocation.
  // "http": POSTs the event to `url`; a 2xx answer is success, its body the
  // result. "lambda": a Lambda function (runtime + handler + code), run in
  // warm workers over the Lambda Runtime API.
  std::string kind = "log";
  std::vector<std::string> command;  // exec: argv
  std::string working_dir;           // exec: cwd ("" = the stack file's folder)
  std::string url;                   // http: where the event is POSTed
  // lambda: Lambda's own settings, as CreateFunction / SAM take them.
  std::string runtime;   // python3.x | nodejs* | provided.* (e.g. "python3.12")
  std::string handler;   // "module.function" (python: dotted packages; node: path/file.export)
  std::string code_dir;  // the unpacked code ("" = the stack file's folder; relative to it)
  int memory_size_mb = 128;
  std::optional<int> reserved_concurrency;  // unset = the default pool size
  std::string description;
  int timeout_seconds = 3;
  std::map<std::string, std::string> environment;
};

struct EventMappingSpec {
  // "" = derived from function + table (stack mappings keep their
  // checkpoints across restarts); the Lambda API gives a random one.
  std::string uuid;
  std::string function;          // FunctionSpec::name
  std::string table;             // TableSpec::name; the mapping reads that table's stream
  std::string event_source_arn;  // the stream's ARN; "" = the table's current stream
  int batch_size = 100;          // 1..10000
  std::string starting_position = "LATEST";  // LATEST | TRIM_HORIZON | AT_TIMESTAMP
  std::optional<double> starting_position_timestamp;  // AT_TIMESTAMP: seconds since the epoch
  int maximum_batching_window_seconds = 0;            // 0..300
  int maximum_retry_attempts = -1;      // -1 = until the record expires; 0..10000
  int maximum_record_age_seconds = -1;  // -1 = forever; 60..604800
  bool bisect_batch_on_function_error = false;
  int parallelization_factor = 1;       // 1..10 concurrent batches per shard
  bool report_batch_item_failures = false;  // FunctionResponseTypes: [ReportBatchItemFailures]
  std::vector<std::string> filter_patterns;  // FilterCriteria.Filters[].Pattern (JSON text), OR-ed
  int tumbling_window_seconds = 0;           // 0..900
  std::string on_failure_destination;        // DestinationConfig.OnFailure.Destination ARN, "" = none
  bool enabled = true;
};

struct Stack {
  std::string name;
  std::string base_dir;  // folder of the stack file; relative paths resolve against it
  std::vector<TableSpec> tables;
  std::vector<ApiSpec> apis;
  std::vector<FunctionSpec> functions;
  std::vector<EventMappingSpec> event_mappings;
};

// The seed's stack: what `streamer serve` runs when given no stack file.
Stack DefaultStack();
// The same stack as native YAML text (shipped as examples/seed/stack.yaml).
const char* DefaultStackYaml();

// Loads a native YAML stack file. Errors name the file and the offending key.
Result<Stack> LoadStackFile(const std::string& path);
Result<Stack> ParseStackYaml(const std::string& text, const std::string& base_dir);

}  // namespace streamer::stack
