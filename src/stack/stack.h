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

// A secondary index of a stack table, as CreateTable takes it.
struct IndexSpec {
  std::string name;
  KeyAttribute partition_key;  // for a local index: the table's own partition key
  std::optional<KeyAttribute> sort_key;
  std::string projection_type = "ALL";         // ALL | KEYS_ONLY | INCLUDE
  std::vector<std::string> non_key_attributes;  // INCLUDE
};

struct TableSpec {
  std::string name;  // the physical table name clients use
  KeyAttribute partition_key;
  std::optional<KeyAttribute> sort_key;
  std::string stream_view_type;  // "" = no stream; KEYS_ONLY | NEW_IMAGE | OLD_IMAGE | NEW_AND_OLD_IMAGES
  std::vector<IndexSpec> global_indexes;
  std::vector<IndexSpec> local_indexes;
  std::string ttl_attribute;  // TimeToLiveSpecification.AttributeName, "" = none
};

struct IntegrationResponseSpec {
  // Matched (whole string, Java regex) against the integration's status code
  // (AWS, HTTP) or a function's errorMessage (AWS integration to Lambda).
  std::string selection_pattern;  // "" = the default response
  std::string status_code = "200";
  std::map<std::string, std::string> response_templates;   // content type -> VTL
  // method.response.header.X -> 'static' | integration.response.header.Y |
  // integration.response.body[.JSONPath] | context.* | stageVariables.*
  std::map<std::string, std::string> response_parameters;
  std::string content_handling;  // "" (passthrough) | CONVERT_TO_TEXT | CONVERT_TO_BINARY
};

struct IntegrationSpec {
  // AWS (a service action: DynamoDB, or a Lambda function without proxy) |
  // AWS_PROXY (Lambda proxy, payload 1.0) | HTTP | HTTP_PROXY | MOCK
  std::string type = "AWS";
  std::string uri;           // as written: arn:aws:apigateway:{region}:dynamodb:action/PutItem,
                             // .../lambda:path/2015-03-31/functions/{arn}/invocations, http(s)://...
  std::string service;       // AWS: "dynamodb" | "lambda" (derived from uri when given)
  std::string action;        // AWS dynamodb: "PutItem", "GetItem", ...
  std::string function;      // AWS lambda / AWS_PROXY: FunctionSpec::name
  std::string http_method;   // the integration's method (HTTP, HTTP_PROXY); "" = the method request's
  int timeout_ms = 29000;    // TimeoutInMillis (50..29000); past it, 504
  // integration.request.{header,querystring,path}.X -> method.request.{header,querystring,path}.Y |
  // 'static' | context.* | stageVariables.*
  std::map<std::string, std::string> request_parameters;
  std::map<std::string, std::string> request_templates;  // content type -> VTL
  std::string passthrough_behavior = "WHEN_NO_MATCH";     // WHEN_NO_MATCH | WHEN_NO_TEMPLATES | NEVER
  std::string content_handling;  // "" (passthrough) | CONVERT_TO_TEXT | CONVERT_TO_BINARY
  std::vector<IntegrationResponseSpec> responses;
};

struct RouteSpec {
  std::string method;  // GET, POST, ..., or ANY
  std::string path;    // "/InsertItem", "/items/{id}", "/{proxy+}"
  IntegrationSpec integration;
  // Method request. method.request.{querystring,header,path}.NAME -> required.
  std::map<std::string, bool> request_parameters;
  std::string request_validator;  // ApiSpec::request_validators key, "" = none
  std::map<std::string, std::string> request_models;  // content type -> ApiSpec::models key
  std::string authorization_type = "NONE";  // NONE | COGNITO_USER_POOLS | CUSTOM | JWT | AWS_IAM
  std::string authorizer;                   // AuthorizerSpec::name when authorized
  std::vector<std::string> authorization_scopes;  // Cognito: any one of these in the token's scope
  bool api_key_required = false;
};

struct RequestValidatorSpec {
  bool validate_body = false;
  bool validate_parameters = false;
};

struct AuthorizerSpec {
  std::string name;
  // COGNITO_USER_POOLS | JWT (a JWT issuer: Cognito's shape, any issuer) |
  // TOKEN | REQUEST (Lambda authorizers)
  std::string type;
  // TOKEN, Cognito, JWT: one header ("method.request.header.Authorization");
  // REQUEST: comma-separated method.request.* / stageVariables.* / context.* sources.
  std::string identity_source = "method.request.header.Authorization";
  std::string identity_validation_expression;  // TOKEN / Cognito: regex the token must match
  std::string function;                        // TOKEN / REQUEST: FunctionSpec::name
  int ttl_seconds = 300;                       // result cache TTL (0 = no caching), max 3600
  std::vector<std::string> provider_arns;      // Cognito user pool ARNs (the issuer is derived)
  std::string issuer;                          // JWT: expected "iss" ("" = not checked)
  std::vector<std::string> audiences;          // JWT: accepted "aud"/"client_id" (empty = any)
  // A JWKS file checking token signatures; "" = signatures not checked (a
  // warning at start-up), the default for local development.
  std::string jwks_file;
};

// A gateway response (DEFAULT_4XX, DEFAULT_5XX, UNAUTHORIZED, ACCESS_DENIED,
// BAD_REQUEST_BODY, BAD_REQUEST_PARAMETERS, MISSING_AUTHENTICATION_TOKEN, ...).
struct GatewayResponseSpec {
  std::string type;
  std::optional<int> status_code;  // unset = the type's own
  std::map<std::string, std::string> response_parameters;  // gatewayresponse.header.X -> 'static' | method.request.* | context.* | stageVariables.*
  std::map<std::string, std::string> response_templates;   // content type -> VTL
};

struct ApiSpec {
  std::string name;
  std::string stage = "prod";
  std::vector<RouteSpec> routes;
  std::string source_file;  // the OpenAPI file it was loaded from ("" = native routes)
  std::map<std::string, std::string> stage_variables;
  std::vector<std::string> binary_media_types;  // "image/png", "*/*"
  std::string api_key_source = "HEADER";         // HEADER | AUTHORIZER
  std::map<std::string, RequestValidatorSpec> request_validators;
  std::map<std::string, std::string> models;  // name -> JSON schema (draft-04) text, $refs as "#/definitions/X"
  std::vector<AuthorizerSpec> authorizers;
  std::vector<GatewayResponseSpec> gateway_responses;
};

// API keys and usage plans (x-api-key): rate/burst throttling and quotas.
struct ApiKeySpec {
  std::string name;
  std::string value;  // the x-api-key header value
  bool enabled = true;
};

struct UsagePlanSpec {
  std::string name;
  std::vector<std::pair<std::string, std::string>> stages;  // (ApiSpec::name, stage)
  std::optional<double> rate_limit;   // requests per second (steady state)
  std::optional<int> burst_limit;     // bucket size
  std::optional<int64_t> quota_limit;  // requests per period
  std::string quota_period = "DAY";    // DAY | WEEK | MONTH
  std::vector<std::string> api_keys;   // ApiKeySpec::name
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
  std::vector<ApiKeySpec> api_keys;
  std::vector<UsagePlanSpec> usage_plans;
  // What a loader could not honour, one line each; printed at start-up.
  std::vector<std::string> warnings;
};

// The seed's stack: what `streamer serve` runs when given no stack file.
Stack DefaultStack();
// The same stack as native YAML text (shipped as examples/seed/stack.yaml).
const char* DefaultStackYaml();

// Loads a native YAML stack file. Errors name the file and the offending key.
Result<Stack> LoadStackFile(const std::string& path);
Result<Stack> ParseStackYaml(const std::string& text, const std::string& base_dir);

}  // namespace streamer::stack
