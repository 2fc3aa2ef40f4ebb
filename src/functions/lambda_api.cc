#include "functions/lambda_api.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "core/base64.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/json.h"
#include "functions/mappings/filter_pattern.h"

namespace streamer::functions {

namespace bhttp = boost::beast::http;

namespace {

// Lambda's limits.
constexpr size_t kMaxSyncPayload = 6 * 1024 * 1024;   // RequestResponse request and response
constexpr size_t kMaxAsyncPayload = 1024 * 1024;      // Event
constexpr size_t kMaxEnvironmentBytes = 4096;
constexpr int kAccountConcurrency = 1000;
constexpr int kMinUnreserved = 100;
constexpr size_t kLogTailBytes = 4096;

// A request refused with Lambda's error. Thrown only inside this file, by the
// request readers and validators, and caught at the top of each call: a
// request has dozens of fields that can each end it.
struct LambdaError {
  int status;
  std::string type;
  std::string message;
};

[[noreturn]] void Fail(int status, std::string type, std::string message) {
  throw LambdaError{status, std::move(type), std::move(message)};
}
[[noreturn]] void InvalidParameter(std::string message) {
  Fail(400, "InvalidParameterValueException", std::move(message));
}
[[noreturn]] void InvalidContent(std::string message) {
  Fail(400, "InvalidRequestContentException", std::move(message));
}
// The service-side model check (what botocore leaves to the server).
[[noreturn]] void Constraint(const std::string& value, const std::string& field, const std::string& constraint) {
  Fail(400, "ValidationException", "1 validation error detected: Value '" + value + "' at '" + field +
                                       "' failed to satisfy constraint: " + constraint);
}

LambdaError FromStatus(const Status& s) {
  switch (s.code()) {
    case Code::kResourceNotFound: return {404, "ResourceNotFoundException", s.message()};
    case Code::kResourceInUse: return {409, "ResourceConflictException", s.message()};
    case Code::kValidation: return {400, "InvalidParameterValueException", s.message()};
    case Code::kConditionalCheckFailed: return {412, "PreconditionFailedException", s.message()};
    default: return {500, "ServiceException", s.message()};
  }
}
void Check(const Status& s) {
  if (!s.ok()) throw FromStatus(s);
}
template <class T>
T Take(Result<T> r) {
  if (!r.ok()) throw FromStatus(r.status());
  return std::move(*r);
}

// --- the request -----------------------------------------------------------------

std::string PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2])));
      i += 2;
    } else if (plus_is_space && in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

struct Call {
  bhttp::verb method;
  std::vector<std::string> path;  // decoded segments: "2015-03-31", "functions", ...
  std::map<std::string, std::string> query;
  const http::Request* request;

  std::optional<std::string> Query(const std::string& key) const {
    auto it = query.find(key);
    if (it == query.end()) return std::nullopt;
    return it->second;
  }
  std::string Header(std::string_view name) const { return std::string((*request)[name]); }
};

Call ParseCall(const http::Request& req) {
  Call call;
  call.method = req.method();
  call.request = &req;
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  std::string_view query = target.size() > path.size() ? target.substr(path.size() + 1) : std::string_view();
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    size_t slash = path.find('/');
    call.path.push_back(PercentDecode(path.substr(0, slash), false));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    if (!key.empty()) call.query[key] = value;
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return call;
}

json::object ParseBody(const std::string& body) {
  if (body.empty()) return {};
  auto parsed = ParseJson(body);
  if (!parsed || !parsed->is_object()) {
    InvalidContent("Could not parse request body into json: Could not parse payload into json: "
                   "Unexpected character: was expecting an object");
  }
  return parsed->as_object();
}

// Typed members of a request body; a wrong type is unparseable content.
std::optional<std::string> OptString(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) InvalidContent("Could not parse request body into json: " + std::string(key) + " must be a string");
  return std::string(v->as_string());
}
std::optional<int64_t> OptInt(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->as_uint64());
  InvalidContent("Could not parse request body into json: " + std::string(key) + " must be an integer");
}
std::optional<bool> OptBool(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_bool()) InvalidContent("Could not parse request body into json: " + std::string(key) + " must be a boolean");
  return v->as_bool();
}
const json::object* OptObject(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_object()) InvalidContent("Could not parse request body into json: " + std::string(key) + " must be an object");
  return &v->as_object();
}
const json::array* OptArray(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_array()) InvalidContent("Could not parse request body into json: " + std::string(key) + " must be a list");
  return &v->as_array();
}

int Ranged(int64_t v, const std::string& field, int64_t lo, int64_t hi) {
  if (v < lo) Constraint(std::to_string(v), field, "Member must have value greater than or equal to " + std::to_string(lo));
  if (v > hi) Constraint(std::to_string(v), field, "Member must have value less than or equal to " + std::to_string(hi));
  return static_cast<int>(v);
}

// --- names and ARNs -----------------------------------------------------------------

bool NameChars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

constexpr const char* kFunctionNamePattern =
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
    "([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";

// A FunctionName as Lambda takes it: a name, a full ARN or a partial ARN
// (account:function:name), each with an optional qualifier. Only $LATEST
// exists here (no versions or aliases).
std::string ResolveFunctionName(const std::string& given, const std::string& field, const FunctionRegistry& reg,
                                std::optional<std::string> qualifier = std::nullopt) {
  if (given.empty()) Constraint(given, field, "Member must have length greater than or equal to 1");
  if (given.size() > 140) Constraint(given, field, "Member must have length less than or equal to 140");
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t colon = given.find(':', start);
    parts.push_back(given.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  std::string name, qual;
  bool ok = false;
  auto is_account = [](const std::string& s) {
    return s.size() == 12 && std::all_of(s.begin(), s.end(), ::isdigit);
  };
  if (parts[0] == "arn") {
    // arn:aws:lambda:region:account:function:name[:qualifier]
    if ((parts.size() == 7 || parts.size() == 8) && parts[1].rfind("aws", 0) == 0 && parts[2] == "lambda" &&
        is_account(parts[4]) && parts[5] == "function") {
      name = parts[6];
      if (parts.size() == 8) qual = parts[7];
      ok = true;
    }
  } else if (parts.size() >= 3 && is_account(parts[0]) && parts[1] == "function") {
    name = parts[2];
    ok = parts.size() <= 4;
    if (parts.size() == 4) qual = parts[3];
  } else if (parts[0] == "function" && (parts.size() == 2 || parts.size() == 3)) {
    name = parts[1];
    if (parts.size() == 3) qual = parts[2];
    ok = true;
  } else if (parts.size() <= 2) {
    name = parts[0];
    if (parts.size() == 2) qual = parts[1];
    ok = true;
  }
  if (!ok || !NameChars(name) || (!qual.empty() && qual != "$LATEST" && !NameChars(qual)) ||
      (parts.size() >= 2 && parts.back().empty())) {
    Constraint(given, field, std::string("Member must satisfy regular expression pattern: ") + kFunctionNamePattern);
  }
  if (name.size() > 64) Constraint(given, field, "Member must have length less than or equal to 64");
  if (qualifier && !qualifier->empty()) {
    if (!qual.empty() && qual != *qualifier) {
      InvalidParameter("The derived qualifier from the function name does not match the specified qualifier.");
    }
    qual = *qualifier;
  }
  if (!qual.empty() && qual != "$LATEST") {
    Fail(404, "ResourceNotFoundException", "Function not found: " + reg.FunctionArn(name) + ":" + qual);
  }
  return name;
}

// --- response shapes ------------------------------------------------------------------

json::object Configuration(const FunctionInfo& f, const FunctionRegistry& reg) {
  const stack::FunctionSpec& s = f.spec;
  json::object c;
  c["FunctionName"] = s.name;
  c["FunctionArn"] = reg.FunctionArn(s.name);
  if (s.kind == "lambda") {
    c["Runtime"] = s.runtime;
    c["Handler"] = s.handler;
  } else {
    c["Handler"] = s.kind;  // a built-in kind of the stack (log, exec, http)
  }
  c["Role"] = f.role;
  c["CodeSize"] = f.code_size;
  c["Description"] = s.description;
  c["Timeout"] = s.timeout_seconds;
  c["MemorySize"] = s.memory_size_mb;
  c["LastModified"] = f.last_modified;
  c["CodeSha256"] = f.code_sha256;
  c["Version"] = "$LATEST";
  if (!s.environment.empty()) {
    json::object vars;
    for (const auto& [k, v] : s.environment) vars[k] = v;
    c["Environment"] = json::object{{"Variables", vars}};
  }
  c["TracingConfig"] = json::object{{"Mode", "PassThrough"}};
  c["RevisionId"] = f.revision_id;
  c["State"] = "Active";
  c["LastUpdateStatus"] = "Successful";
  c["PackageType"] = "Zip";
  json::array arch;
  for (const auto& a : f.architectures) arch.push_back(json::string(a));
  c["Architectures"] = arch;
  c["EphemeralStorage"] = json::object{{"Size", 512}};
  c["SnapStart"] = json::object{{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}};
  c["LoggingConfig"] = json::object{{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + s.name}};
  return c;
}

json::object MappingJson(const MappingInfo& m, const FunctionRegistry& reg, const std::string& state) {
  const stack::EventMappingSpec& s = m.spec;
  json::object o;
  o["UUID"] = s.uuid;
  o["StartingPosition"] = s.starting_position;
  if (s.starting_position_timestamp) o["StartingPositionTimestamp"] = *s.starting_position_timestamp;
  o["BatchSize"] = s.batch_size;
  o["MaximumBatchingWindowInSeconds"] = s.maximum_batching_window_seconds;
  o["ParallelizationFactor"] = s.parallelization_factor;
  o["EventSourceArn"] = s.event_source_arn;
  if (!s.filter_patterns.empty()) {
    json::array filters;
    for (const auto& p : s.filter_patterns) filters.push_back(json::object{{"Pattern", p}});
    o["FilterCriteria"] = json::object{{"Filters", filters}};
  }
  o["FunctionArn"] = reg.FunctionArn(s.function);
  o["LastModified"] = m.last_modified;
  o["LastProcessingResult"] = m.last_processing_result;
  o["State"] = state;
  o["StateTransitionReason"] = m.state_transition_reason;
  json::object on_failure;
  if (!s.on_failure_destination.empty()) on_failure["Destination"] = s.on_failure_destination;
  o["DestinationConfig"] = json::object{{"OnFailure", on_failure}};
  o["MaximumRecordAgeInSeconds"] = s.maximum_record_age_seconds;
  o["BisectBatchOnFunctionError"] = s.bisect_batch_on_function_error;
  o["MaximumRetryAttempts"] = s.maximum_retry_attempts;
  o["TumblingWindowInSeconds"] = s.tumbling_window_seconds;
  json::array types;
  if (s.report_batch_item_failures) types.push_back("ReportBatchItemFailures");
  o["FunctionResponseTypes"] = types;
  o["EventSourceMappingArn"] = reg.MappingArn(s.uuid);
  return o;
}

std::string SteadyState(const MappingInfo& m) { return m.spec.enabled ? "Enabled" : "Disabled"; }

// --- function settings ------------------------------------------------------------------

const std::set<std::string>& KnownRuntimes() {
  static const std::set<std::string> known = {
      "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
      "java8", "java8.al2", "java11", "python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
      "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet8",
      "nodejs4.3-edge", "go1.x", "ruby2.5", "ruby2.7", "provided", "provided.al2", "nodejs18.x", "python3.10",
      "java17", "ruby3.2", "ruby3.3", "ruby3.4", "python3.11", "nodejs20.x", "provided.al2023", "python3.12",
      "java21", "python3.13", "nodejs22.x", "nodejs24.x", "python3.14", "java25", "dotnet10", "ruby4.0"};
  return known;
}
// Runtimes Lambda no longer lets a function be created or updated with.
const std::set<std::string>& RetiredRuntimes() {
  static const std::set<std::string> retired = {
      "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
      "python2.7", "python3.6", "python3.7", "python3.8", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1",
      "dotnetcore3.1", "dotnet6", "nodejs4.3-edge", "go1.x", "ruby2.5", "ruby2.7", "java8"};
  return retired;
}

void ValidateRuntime(const std::string& runtime) {
  if (!KnownRuntimes().count(runtime)) {
    std::string all;
    for (const auto& r : KnownRuntimes()) all += (all.empty() ? "" : ", ") + r;
    Constraint(runtime, "runtime", "Member must satisfy enum value set: [" + all + "] or be a valid ARN");
  }
  if (RetiredRuntimes().count(runtime)) {
    InvalidParameter("The runtime parameter of " + runtime +
                     " is no longer supported for creating or updating AWS Lambda functions. We recommend you use "
                     "a supported runtime while creating or updating functions.");
  }
  const bool runs_here = runtime.rfind("python3.", 0) == 0 || runtime.rfind("nodejs", 0) == 0 ||
                         runtime.rfind("provided", 0) == 0;
  if (!runs_here) {
    InvalidParameter("The runtime parameter of " + runtime +
                     " is not supported by this server; it runs python3.x, nodejs* and provided.* functions");
  }
}

void ValidateHandler(const std::string& handler) {
  if (handler.size() > 128) Constraint(handler, "handler", "Member must have length less than or equal to 128");
  if (handler.empty() || std::any_of(handler.begin(), handler.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) {
    Constraint(handler, "handler", "Member must satisfy regular expression pattern: [^\\s]+");
  }
}

void ValidateRole(const std::string& role) {
  // arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+
  bool ok = role.rfind("arn:", 0) == 0;
  size_t p = 4;
  if (ok) {
    while (p < role.size() && role[p] != ':') ++p;
    std::string partition = role.substr(4, p - 4);
    ok = partition.empty() || partition.rfind("aws", 0) == 0;
  }
  if (ok) ok = role.compare(p, 7, ":iam::") == 0 || role.compare(p, 6, ":iam::") == 0;
  if (ok) {
    p += 6;
    ok = role.size() >= p + 12 && std::all_of(role.begin() + p, role.begin() + p + 12, ::isdigit);
    p += 12;
  }
  if (ok) ok = role.compare(p, 5, ":role") == 0;
  if (ok) {
    p += 5;
    if (p < role.size() && role[p] == '/') ++p;
    ok = p < role.size() && std::all_of(role.begin() + p, role.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_+=,.@-/", c) != nullptr;
    });
  }
  if (!ok) {
    Constraint(role, "role", "Member must satisfy regular expression pattern: "
                             "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
  }
}

std::map<std::string, std::string> ReadEnvironment(const json::object& env) {
  std::map<std::string, std::string> out;
  const json::object* vars = OptObject(env, "Variables");
  if (!vars) return out;
  static const std::set<std::string> reserved = {
      "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
      "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
      "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
      "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
      "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"};
  std::string used;
  size_t bytes = 0;
  for (const auto& [k, v] : *vars) {
    const std::string key(k);
    const bool name_ok = key.size() >= 2 && std::isalpha(static_cast<unsigned char>(key[0])) &&
                         std::all_of(key.begin(), key.end(), [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                         });
    if (!name_ok) {
      // Lambda does not echo variables (they are sensitive).
      Fail(400, "ValidationException",
           "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys "
           "must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]");
    }
    if (!v.is_string()) InvalidContent("Could not parse request body into json: Variables values must be strings");
    if (reserved.count(key)) used += (used.empty() ? "" : ", ") + key;
    out[key] = std::string(v.as_string());
    bytes += key.size() + v.as_string().size();
  }
  if (!used.empty()) {
    InvalidParameter("Lambda was unable to configure your environment variables because the environment variables "
                     "you have provided contains reserved keys that are currently not supported for "
                     "modification. Reserved keys used in this request: " + used);
  }
  if (bytes > kMaxEnvironmentBytes) {
    InvalidParameter("Lambda was unable to configure your environment variables because the environment variables "
                     "you have provided exceeded the 4KB limit. String measured: " +
                     ToJson(json::value(*vars)));
  }
  return out;
}

// The settings CreateFunction and UpdateFunctionConfiguration share.
void ApplyConfiguration(const json::object& body, FunctionInfo& f) {
  if (auto v = OptString(body, "Runtime")) {
    ValidateRuntime(*v);
    f.spec.runtime = *v;
  }
  if (auto v = OptString(body, "Handler")) {
    ValidateHandler(*v);
    f.spec.handler = *v;
  }
  if (auto v = OptString(body, "Role")) {
    ValidateRole(*v);
    f.role = *v;
  }
  if (auto v = OptString(body, "Description")) {
    if (v->size() > 256) Constraint(*v, "description", "Member must have length less than or equal to 256");
    f.spec.description = *v;
  }
  if (auto v = OptInt(body, "Timeout")) f.spec.timeout_seconds = Ranged(*v, "timeout", 1, 900);
  if (auto v = OptInt(body, "MemorySize")) f.spec.memory_size_mb = Ranged(*v, "memorySize", 128, 10240);
  if (const json::object* env = OptObject(body, "Environment")) f.spec.environment = ReadEnvironment(*env);
  if (auto v = OptString(body, "PackageType"); v && *v != "Zip") {
    if (*v == "Image") InvalidParameter("PackageType Image is not supported by this server; upload a .zip file");
    Constraint(*v, "packageType", "Member must satisfy enum value set: [Zip, Image]");
  }
}

std::string DecodeZip(const json::object& code) {
  std::optional<std::string> zip = OptString(code, "ZipFile");
  if (OptString(code, "S3Bucket") || OptString(code, "S3Key") || OptString(code, "ImageUri")) {
    InvalidParameter("Code from S3 or an image is not supported by this server; upload the .zip file (ZipFile)");
  }
  if (!zip) InvalidParameter("Please provide a source for function code.");
  auto bytes = Base64Decode(*zip);
  if (!bytes) InvalidContent("Could not parse request body into json: ZipFile is not valid base64");
  return std::move(*bytes);
}

// --- event source mapping settings ---------------------------------------------------

// Resolves a DynamoDB stream ARN to its table; the stream must exist and be
// the table's current stream.
std::string TableOfStream(const std::string& arn, const dynamo::TableCatalog& catalog) {
  const std::string marker = ":table/";
  const size_t t = arn.find(marker);
  const size_t s = arn.find("/stream/");
  if (arn.rfind("arn:aws:dynamodb:", 0) != 0 || t == std::string::npos || s == std::string::npos || s < t) {
    if (arn.rfind("arn:", 0) != 0) {
      Constraint(arn, "eventSourceArn", "Member must satisfy regular expression pattern: "
                                        "arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:"
                                        "(\\d{12})?:(.*)");
    }
    InvalidParameter("Unrecognized event source, must be a DynamoDB stream ARN: " + arn);
  }
  const std::string table = arn.substr(t + marker.size(), s - t - marker.size());
  dynamo::TablePtr info = catalog.Find(table);
  if (!info || !info->has_stream() || info->stream_arn != arn) {
    InvalidParameter("Stream not found: " + arn);
  }
  return table;
}

void ValidateDestination(const std::string& dest) {
  if (dest.empty()) return;
  if (dest.size() > 350) Constraint(dest, "destinationConfig.onFailure.destination",
                                    "Member must have length less than or equal to 350");
  auto starts = [&](const char* p) { return dest.rfind(p, 0) == 0; };
  const bool lambda = starts("arn:aws:lambda:") && dest.find(":function:") != std::string::npos;
  const bool table = starts("arn:aws:dynamodb:") && dest.find(":table/") != std::string::npos &&
                     dest.find("/stream/") == std::string::npos;
  const bool queue_or_topic = starts("arn:aws:sqs:") || starts("arn:aws:sns:");
  const bool file = starts("file://") && dest.size() > 7;
  if (!(lambda || table || queue_or_topic || file)) {
    InvalidParameter("The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure("
                     "destination=" + dest + ")) is invalid: the on-failure destination must be a Lambda function, "
                     "a DynamoDB table, an SQS queue or SNS topic ARN, or a file:// path");
  }
}

// The options Create and Update share; `creating` adds what only Create takes.
void ApplyMappingOptions(const json::object& body, stack::EventMappingSpec& spec, bool creating) {
  if (auto v = OptInt(body, "BatchSize")) spec.batch_size = Ranged(*v, "batchSize", 1, 10000);
  if (auto v = OptInt(body, "MaximumBatchingWindowInSeconds")) {
    spec.maximum_batching_window_seconds = Ranged(*v, "maximumBatchingWindowInSeconds", 0, 300);
  }
  if (auto v = OptInt(body, "ParallelizationFactor")) {
    spec.parallelization_factor = Ranged(*v, "parallelizationFactor", 1, 10);
  }
  if (auto v = OptInt(body, "MaximumRetryAttempts")) {
    spec.maximum_retry_attempts = Ranged(*v, "maximumRetryAttempts", -1, 10000);
  }
  if (auto v = OptInt(body, "MaximumRecordAgeInSeconds")) {
    const int age = Ranged(*v, "maximumRecordAgeInSeconds", -1, 604800);
    if (age != -1 && age < 60) {
      InvalidParameter("MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800 seconds");
    }
    spec.maximum_record_age_seconds = age;
  }
  if (auto v = OptBool(body, "BisectBatchOnFunctionError")) spec.bisect_batch_on_function_error = *v;
  if (auto v = OptInt(body, "TumblingWindowInSeconds")) {
    spec.tumbling_window_seconds = Ranged(*v, "tumblingWindowInSeconds", 0, 900);
  }
  if (auto v = OptBool(body, "Enabled")) spec.enabled = *v;
  if (const json::array* types = OptArray(body, "FunctionResponseTypes")) {
    if (types->size() > 1) Constraint(ToJson(json::value(*types)), "functionResponseTypes",
                                      "Member must have length less than or equal to 1");
    bool report = false;
    for (const auto& t : *types) {
      if (!t.is_string() || t.as_string() != "ReportBatchItemFailures") {
        Constraint(t.is_string() ? std::string(t.as_string()) : ToJson(t), "functionResponseTypes",
                   "Member must satisfy enum value set: [ReportBatchItemFailures]");
      }
      report = true;
    }
    spec.report_batch_item_failures = report;
  }
  if (const json::object* criteria = OptObject(body, "FilterCriteria")) {
    std::vector<std::string> patterns;
    if (const json::array* filters = OptArray(*criteria, "Filters")) {
      if (filters->size() > 5) {
        InvalidParameter("The number of filters (" + std::to_string(filters->size()) +
                         ") exceeds the maximum of 5 per event source mapping.");
      }
      for (const auto& f : *filters) {
        if (!f.is_object()) InvalidContent("Could not parse request body into json: Filters[] must be objects");
        std::optional<std::string> pattern = OptString(f.as_object(), "Pattern");
        if (!pattern) continue;
        if (pattern->size() > 4096) Constraint(*pattern, "filterCriteria.filters.member.pattern",
                                               "Member must have length less than or equal to 4096");
        patterns.push_back(*pattern);
      }
    }
    // Lambda's filter language, checked as Lambda checks it (the mapping
    // parses the same patterns again when it starts).
    auto criteria_ok = FilterCriteria::Parse(patterns);
    if (!criteria_ok) InvalidParameter(criteria_ok.status().message());
    spec.filter_patterns = std::move(patterns);
  }
  if (const json::object* dest = OptObject(body, "DestinationConfig")) {
    if (const json::object* success = OptObject(*dest, "OnSuccess"); success && !success->empty()) {
      InvalidParameter("Unsupported DestinationConfig parameter for given event source mapping type.");
    }
    if (const json::object* failure = OptObject(*dest, "OnFailure")) {
      std::string d = OptString(*failure, "Destination").value_or("");
      ValidateDestination(d);
      spec.on_failure_destination = d;
    }
  }
  if (creating) {
    std::optional<std::string> position = OptString(body, "StartingPosition");
    if (!position) InvalidParameter("StartingPosition is required for DynamoDB stream event sources.");
    if (*position != "TRIM_HORIZON" && *position != "LATEST" && *position != "AT_TIMESTAMP") {
      Constraint(*position, "startingPosition", "Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
    }
    spec.starting_position = *position;
    const json::value* ts = Find(body, "StartingPositionTimestamp");
    if (ts && !ts->is_null()) {
      if (!ts->is_number()) InvalidContent("Could not parse request body into json: StartingPositionTimestamp must be a timestamp");
      if (*position != "AT_TIMESTAMP") {
        InvalidParameter("StartingPositionTimestamp can only be set when StartingPosition is AT_TIMESTAMP.");
      }
      spec.starting_position_timestamp = ts->to_number<double>();
    } else if (*position == "AT_TIMESTAMP") {
      InvalidParameter("StartingPositionTimestamp must be set when StartingPosition is AT_TIMESTAMP.");
    }
  } else {
    for (const char* key : {"StartingPosition", "StartingPositionTimestamp", "EventSourceArn"}) {
      if (Find(body, key)) InvalidContent(std::string("Could not parse request body into json: Unrecognized field \"") +
                                          key + "\" (UpdateEventSourceMapping does not take it)");
    }
  }
}

// MaxItems and Marker of the List calls.
size_t MaxItems(const Call& call) {
  std::optional<std::string> v = call.Query("MaxItems");
  if (!v) return 50;
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0') InvalidContent("Could not parse MaxItems: " + *v);
  return static_cast<size_t>(Ranged(n, "maxItems", 1, 10000));
}

// --- responses --------------------------------------------------------------------------

http::Response MakeResponse(int status, std::string body, const http::Request& req) {
  http::Response res{static_cast<bhttp::status>(status), req.version()};
  res.set("x-amzn-RequestId", NewUuid());
  if (status != 204) {
    res.set(bhttp::field::content_type, "application/json");
    res.body() = std::move(body);
  }
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

http::Response ErrorResponse(const LambdaError& e, const http::Request& req) {
  json::object body{{"Type", e.status >= 500 ? "Service" : "User"}, {"message", e.message}};
  if (e.type == "TooManyRequestsException") body["Reason"] = "ReservedFunctionConcurrentInvocationLimitExceeded";
  http::Response res = MakeResponse(e.status, ToJson(body), req);
  res.set("x-amzn-ErrorType", e.type);
  return res;
}

http::Response Json(int status, const json::object& body, const http::Request& req) {
  return MakeResponse(status, ToJson(body), req);
}

// --- the calls ----------------------------------------------------------------------------

struct Calls {
  FunctionRegistry* reg;
  dynamo::TableCatalog* catalog;

  http::Response CreateFunction(const http::Request& req) {
    json::object body = ParseBody(req.body());
    std::optional<std::string> name = OptString(body, "FunctionName");
    if (!name) Constraint("null", "functionName", "Member must not be null");
    FunctionInfo f;
    f.spec.name = ResolveFunctionName(*name, "functionName", *reg);
    f.spec.kind = "lambda";
    if (!OptString(body, "Role")) Constraint("null", "role", "Member must not be null");
    const json::object* code = OptObject(body, "Code");
    if (!code) Constraint("null", "code", "Member must not be null");
    ApplyConfiguration(body, f);
    if (f.spec.runtime.empty() || f.spec.handler.empty()) {
      InvalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.");
    }
    if (const json::array* arch = OptArray(body, "Architectures")) {
      if (arch->size() != 1) Constraint(ToJson(json::value(*arch)), "architectures",
                                        "Member must have length less than or equal to 1");
      const json::value& a = (*arch)[0];
      if (!a.is_string() || (a.as_string() != "x86_64" && a.as_string() != "arm64")) {
        Constraint(ToJson(a), "architectures", "Member must satisfy enum value set: [x86_64, arm64]");
      }
      f.architectures = {std::string(a.as_string())};
    }
    std::string zip = DecodeZip(*code);
    FunctionInfo created = Take(reg->CreateFunction(std::move(f), zip));
    return Json(201, Configuration(created, *reg), req);
  }

  http::Response GetFunction(const std::string& name, const Call& call) {
    FunctionInfo f = Take(reg->GetFunction(ResolveFunctionName(name, "functionName", *reg, call.Query("Qualifier"))));
    json::object out{{"Configuration", Configuration(f, *reg)},
                     {"Code", json::object{{"RepositoryType", "S3"}, {"Location", "file://" + f.spec.code_dir}}}};
    if (f.spec.reserved_concurrency) {
      out["Concurrency"] = json::object{{"ReservedConcurrentExecutions", *f.spec.reserved_concurrency}};
    }
    return Json(200, out, *call.request);
  }

  http::Response ListFunctions(const Call& call) {
    const size_t max = MaxItems(call);
    const std::string marker = call.Query("Marker").value_or("");
    json::array list;
    std::string next;
    for (const FunctionInfo& f : reg->ListFunctions()) {
      if (!marker.empty() && f.spec.name <= marker) continue;
      if (list.size() == max) {
        next = list.back().as_object().at("FunctionName").as_string().c_str();
        break;
      }
      list.push_back(Configuration(f, *reg));
    }
    json::object out{{"Functions", list}};
    if (!next.empty()) out["NextMarker"] = next;
    return Json(200, out, *call.request);
  }

  http::Response UpdateCode(const std::string& name, const http::Request& req) {
    json::object body = ParseBody(req.body());
    const std::string fn = ResolveFunctionName(name, "functionName", *reg);
    std::string zip = DecodeZip(body);
    if (OptBool(body, "DryRun").value_or(false)) {
      return Json(200, Configuration(Take(reg->GetFunction(fn)), *reg), req);
    }
    if (const json::array* arch = OptArray(body, "Architectures"); arch && arch->size() != 1) {
      Constraint(ToJson(json::value(*arch)), "architectures", "Member must have length less than or equal to 1");
    }
    FunctionInfo f = Take(reg->UpdateFunctionCode(fn, zip, OptString(body, "RevisionId").value_or("")));
    return Json(200, Configuration(f, *reg), req);
  }

  http::Response UpdateConfiguration(const std::string& name, const http::Request& req) {
    json::object body = ParseBody(req.body());
    const std::string fn = ResolveFunctionName(name, "functionName", *reg);
    // Validated before the registry is touched: a refused update changes nothing.
    FunctionInfo probe;
    ApplyConfiguration(body, probe);
    FunctionInfo f = Take(reg->UpdateFunction(fn, OptString(body, "RevisionId").value_or(""), [&](FunctionInfo& info) {
      ApplyConfiguration(body, info);
      return Status::Ok();
    }));
    return Json(200, Configuration(f, *reg), req);
  }

  http::Response PutConcurrency(const std::string& name, const http::Request& req) {
    json::object body = ParseBody(req.body());
    const std::string fn = ResolveFunctionName(name, "functionName", *reg);
    std::optional<int64_t> n = OptInt(body, "ReservedConcurrentExecutions");
    if (!n) Constraint("null", "reservedConcurrentExecutions", "Member must not be null");
    const int reserved = Ranged(*n, "reservedConcurrentExecutions", 0, INT32_MAX);
    if (reserved > kAccountConcurrency - kMinUnreserved) {
      InvalidParameter("Specified ReservedConcurrentExecutions for function decreases account's "
                       "UnreservedConcurrentExecution below its minimum value of [" + std::to_string(kMinUnreserved) + "].");
    }
    Take(reg->UpdateFunction(fn, "", [&](FunctionInfo& info) {
      info.spec.reserved_concurrency = reserved;
      return Status::Ok();
    }));
    return Json(200, json::object{{"ReservedConcurrentExecutions", reserved}}, req);
  }

  http::Response GetConcurrency(const std::string& name, const http::Request& req) {
    FunctionInfo f = Take(reg->GetFunction(ResolveFunctionName(name, "functionName", *reg)));
    json::object out;
    if (f.spec.reserved_concurrency) out["ReservedConcurrentExecutions"] = *f.spec.reserved_concurrency;
    return Json(200, out, req);
  }

  http::Response DeleteConcurrency(const std::string& name, const http::Request& req) {
    Take(reg->UpdateFunction(ResolveFunctionName(name, "functionName", *reg), "", [](FunctionInfo& info) {
      info.spec.reserved_concurrency.reset();
      return Status::Ok();
    }));
    return MakeResponse(204, "", req);
  }

  http::Response CreateMapping(const http::Request& req) {
    json::object body = ParseBody(req.body());
    std::optional<std::string> fn = OptString(body, "FunctionName");
    if (!fn) Constraint("null", "functionName", "Member must not be null");
    stack::EventMappingSpec spec;
    spec.function = ResolveFunctionName(*fn, "functionName", *reg);
    std::optional<std::string> arn = OptString(body, "EventSourceArn");
    if (!arn) InvalidParameter("Unrecognized event source, must be a DynamoDB stream ARN.");
    ApplyMappingOptions(body, spec, /*creating=*/true);
    spec.table = TableOfStream(*arn, *catalog);
    spec.event_source_arn = *arn;
    MappingInfo m = Take(reg->CreateMapping(std::move(spec)));
    return Json(202, MappingJson(m, *reg, "Creating"), req);
  }

  http::Response GetMapping(const std::string& uuid, const http::Request& req) {
    MappingInfo m = Take(reg->GetMapping(uuid));
    return Json(200, MappingJson(m, *reg, SteadyState(m)), req);
  }

  http::Response ListMappings(const Call& call) {
    const size_t max = MaxItems(call);
    const std::string marker = call.Query("Marker").value_or("");
    std::string function;
    if (auto fn = call.Query("FunctionName")) function = ResolveFunctionName(*fn, "functionName", *reg);
    const std::string arn = call.Query("EventSourceArn").value_or("");
    json::array list;
    std::string next;
    for (const MappingInfo& m : reg->ListMappings()) {
      if (!marker.empty() && m.spec.uuid <= marker) continue;
      if (!function.empty() && m.spec.function != function) continue;
      if (!arn.empty() && m.spec.event_source_arn != arn) continue;
      if (list.size() == max) {
        next = list.back().as_object().at("UUID").as_string().c_str();
        break;
      }
      list.push_back(MappingJson(m, *reg, SteadyState(m)));
    }
    json::object out{{"EventSourceMappings", list}};
    if (!next.empty()) out["NextMarker"] = next;
    return Json(200, out, *call.request);
  }

  http::Response UpdateMapping(const std::string& uuid, const http::Request& req) {
    json::object body = ParseBody(req.body());
    std::string function;
    if (auto fn = OptString(body, "FunctionName")) function = ResolveFunctionName(*fn, "functionName", *reg);
    stack::EventMappingSpec probe;  // validated before anything changes
    ApplyMappingOptions(body, probe, /*creating=*/false);
    Take(reg->GetMapping(uuid));
    bool was_enabled = true;
    MappingInfo m = Take(reg->UpdateMapping(uuid, function, [&](stack::EventMappingSpec& spec) {
      was_enabled = spec.enabled;
      ApplyMappingOptions(body, spec, false);
      return Status::Ok();
    }));
    const std::string state = m.spec.enabled == was_enabled ? "Updating" : m.spec.enabled ? "Enabling" : "Disabling";
    return Json(202, MappingJson(m, *reg, state), req);
  }

  http::Response DeleteMapping(const std::string& uuid, const http::Request& req) {
    MappingInfo m = Take(reg->DeleteMapping(uuid));
    return Json(202, MappingJson(m, *reg, "Deleting"), req);
  }
};

bool IsControl(const Call& call) {
  return !(call.method == bhttp::verb::post && call.path.size() == 4 && call.path[1] == "functions" &&
           call.path[3] == "invocations");
}

}  // namespace

LambdaApi::LambdaApi(FunctionRegistry* registry, dynamo::TableCatalog* catalog)
    : registry_(registry), catalog_(catalog) {}

LambdaApi::~LambdaApi() { Stop(); }

bool LambdaApi::Owns(std::string_view target) {
  for (std::string_view prefix : {"/2015-03-31/", "/2017-10-31/", "/2019-09-30/"}) {
    if (target.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

void LambdaApi::Stop() {
  control_.Stop();
  invocations_.Stop();
  async_.Stop();
}

void LambdaApi::Handle(http::Request&& request, http::Respond respond) {
  auto req = std::make_shared<http::Request>(std::move(request));
  auto call = std::make_shared<Call>(ParseCall(*req));
  Calls calls{registry_, catalog_};
  if (IsControl(*call)) {
    control_.Post([req, call, calls, respond]() mutable {
      const auto& p = call->path;
      const auto m = call->method;
      const std::string version = p.empty() ? "" : p[0];
      try {
        auto route = [&]() -> http::Response {
          if (version == "2015-03-31" && p.size() >= 2 && p[1] == "functions") {
            if (p.size() == 2 && m == bhttp::verb::post) return calls.CreateFunction(*req);
            if (p.size() == 2 && m == bhttp::verb::get) return calls.ListFunctions(*call);
            if (p.size() == 3 && m == bhttp::verb::get) return calls.GetFunction(p[2], *call);
            if (p.size() == 3 && m == bhttp::verb::delete_) {
              const std::string fn = ResolveFunctionName(p[2], "functionName", *calls.reg, call->Query("Qualifier"));
              Check(calls.reg->DeleteFunction(fn));
              return MakeResponse(204, "", *req);
            }
            if (p.size() == 4 && p[3] == "configuration" && m == bhttp::verb::get) {
              FunctionInfo f = Take(calls.reg->GetFunction(
                  ResolveFunctionName(p[2], "functionName", *calls.reg, call->Query("Qualifier"))));
              return Json(200, Configuration(f, *calls.reg), *req);
            }
            if (p.size() == 4 && p[3] == "configuration" && m == bhttp::verb::put) return calls.UpdateConfiguration(p[2], *req);
            if (p.size() == 4 && p[3] == "code" && m == bhttp::verb::put) return calls.UpdateCode(p[2], *req);
          }
          if (version == "2015-03-31" && p.size() >= 2 && p[1] == "event-source-mappings") {
            if (p.size() == 2 && m == bhttp::verb::post) return calls.CreateMapping(*req);
            if (p.size() == 2 && m == bhttp::verb::get) return calls.ListMappings(*call);
            if (p.size() == 3 && m == bhttp::verb::get) return calls.GetMapping(p[2], *req);
            if (p.size() == 3 && m == bhttp::verb::put) return calls.UpdateMapping(p[2], *req);
            if (p.size() == 3 && m == bhttp::verb::delete_) return calls.DeleteMapping(p[2], *req);
          }
          if (p.size() == 4 && p[1] == "functions" && p[3] == "concurrency") {
            if (version == "2017-10-31" && m == bhttp::verb::put) return calls.PutConcurrency(p[2], *req);
            if (version == "2017-10-31" && m == bhttp::verb::delete_) return calls.DeleteConcurrency(p[2], *req);
            if (version == "2019-09-30" && m == bhttp::verb::get) return calls.GetConcurrency(p[2], *req);
          }
          Fail(404, "UnknownOperationException", "Unknown operation " + std::string(req->method_string()) + " " +
                                                     std::string(req->target()));
        };
        respond(route());
      } catch (const LambdaError& e) {
        respond(ErrorResponse(e, *req));
      }
    });
    return;
  }
  // Invoke: POST /2015-03-31/functions/{name}/invocations
  FunctionRegistry* reg = registry_;
  WorkerPool* async = &async_;
  invocations_.Post([req, call, reg, async, respond]() mutable {
    try {
      const std::string name = ResolveFunctionName(call->path[2], "functionName", *reg, call->Query("Qualifier"));
      std::string type = call->Header("X-Amz-Invocation-Type");
      if (type.empty()) type = "RequestResponse";
      if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
        Constraint(type, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]");
      }
      std::string log_type = call->Header("X-Amz-Log-Type");
      if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
        Constraint(log_type, "logType", "Member must satisfy enum value set: [None, Tail]");
      }
      std::shared_ptr<FunctionSlot> slot = reg->Slot(name);
      if (!slot) Fail(404, "ResourceNotFoundException", "Function not found: " + reg->FunctionArn(name));
      const std::string& payload = req->body();
      if (type == "Event" && payload.size() > kMaxAsyncPayload) {
        Fail(413, "RequestEntityTooLargeException",
             "Request must be smaller than " + std::to_string(kMaxAsyncPayload) + " bytes for the InvokeAsync operation");
      }
      if (payload.size() > kMaxSyncPayload) {
        Fail(413, "RequestEntityTooLargeException",
             "Request must be smaller than " + std::to_string(kMaxSyncPayload) + " bytes for the InvokeFunction operation");
      }
      if (!payload.empty()) {
        auto parsed = ParseJson(payload);
        if (!parsed) InvalidContent("Could not parse request body into json: Could not parse payload into json");
      }
      InvokeRequest invoke;
      invoke.payload = payload.empty() ? "{}" : payload;
      invoke.request_id = NewUuid();
      invoke.tail_log = log_type == "Tail" && type == "RequestResponse";
      if (std::string cc = call->Header("X-Amz-Client-Context"); !cc.empty()) {
        auto decoded = Base64Decode(cc);
        auto parsed = decoded ? ParseJson(*decoded) : Result<json::value>(Status::Validation(""));
        if (cc.size() > 3583 || !parsed || !parsed->is_object()) {
          InvalidContent("Client context must be a valid Base64-encoded JSON object.");
        }
        invoke.client_context = *decoded;
      }
      if (type == "DryRun") {
        http::Response res = MakeResponse(204, "", *req);
        respond(std::move(res));
        return;
      }
      if (type == "Event") {
        // Accepted now, run after the answer (as Lambda's async queue does);
        // a failure is logged by the function's handler.
        http::Response res = MakeResponse(202, "", *req);
        res.set("x-amzn-RequestId", invoke.request_id);
        respond(std::move(res));
        async->Post([slot, invoke, name] {
          InvokeResult r = slot->Invoke(invoke);
          if (!r.ok) {
            std::fprintf(stderr, "[%s] asynchronous invocation %s failed: %s: %s\n", name.c_str(),
                         invoke.request_id.c_str(), r.error_type.c_str(), r.error_message.c_str());
          }
        });
        return;
      }
      InvokeResult r = slot->Invoke(invoke);
      if (r.throttled) Fail(429, "TooManyRequestsException", "Rate Exceeded.");
      if (!r.ok && !r.function_error && r.error_type == "ResourceNotFoundException") {
        Fail(404, "ResourceNotFoundException", "Function not found: " + reg->FunctionArn(name));
      }
      if (!r.ok && !r.function_error && r.error_type == "Cancelled") {
        Fail(503, "ServiceException", "The server is shutting down: " + r.error_message);
      }
      std::string body;
      bool function_error = !r.ok;
      if (r.ok) {
        body = r.payload.empty() ? "null" : r.payload;
        if (body.size() > kMaxSyncPayload) {
          function_error = true;
          body = ToJson(json::object{{"errorMessage", "Response payload size exceeded maximum allowed payload size (" +
                                                          std::to_string(kMaxSyncPayload) + " bytes)."},
                                     {"errorType", "Function.ResponseSizeTooLarge"}});
        }
      } else {
        // The runtime's own error document when it gave one; else built
        // from what the handler said.
        auto doc = ParseJson(r.payload);
        if (doc && doc->is_object() && doc->as_object().contains("errorMessage")) {
          body = r.payload;
        } else {
          body = ToJson(json::object{{"errorMessage", r.error_message.empty() ? r.error_type : r.error_message},
                                     {"errorType", r.error_type.empty() ? "Unhandled" : r.error_type}});
        }
      }
      http::Response res = MakeResponse(200, std::move(body), *req);
      res.set("x-amzn-RequestId", r.request_id.empty() ? invoke.request_id : r.request_id);
      res.set("X-Amz-Executed-Version", "$LATEST");
      if (function_error) res.set("X-Amz-Function-Error", "Unhandled");
      if (invoke.tail_log) {
        std::string_view tail = r.log_tail;
        if (tail.size() > kLogTailBytes) tail = tail.substr(tail.size() - kLogTailBytes);
        res.set("X-Amz-Log-Result", Base64Encode(tail));
      }
      respond(std::move(res));
    } catch (const LambdaError& e) {
      respond(ErrorResponse(e, *req));
    }
  });
}

}  // namespace streamer::functions
