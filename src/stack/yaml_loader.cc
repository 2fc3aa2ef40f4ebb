// The native YAML stack loader. The format is documented in
// examples/seed/README.md; this file turns it into a Stack and rejects
// anything it does not understand, naming the file, the line and the key path
// (e.g. "stack.yaml:9:13: tables.Foo.stream: unknown view type 'NEW'").
//
// Inside this file errors travel as a private exception (LoadError) because the
// walk is deeply nested; ParseStackYaml catches it (and every yaml-cpp
// exception) so nothing escapes the public API.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/json.h"
#include "functions/mappings/filter_pattern.h"
#include "stack/openapi_loader.h"
#include "stack/stack.h"
#include "stack/yaml_json.h"

namespace streamer::stack {
namespace {

namespace fs = std::filesystem;

struct LoadError {
  std::string message;
};

// Joins a list of words for "expected A, B or C" messages.
std::string OneOf(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += (i + 1 == words.size()) ? " or " : ", ";
    out += words[i];
  }
  return out;
}

bool Contains(const std::vector<std::string>& words, const std::string& w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

const std::vector<std::string> kKeyTypes = {"S", "N", "B"};
const std::vector<std::string> kViewTypes = {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE",
                                             "NEW_AND_OLD_IMAGES"};
const std::vector<std::string> kStartingPositions = {"LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"};
const std::vector<std::string> kResponseTypes = {"ReportBatchItemFailures"};
const std::vector<std::string> kDestinationPrefixes = {"arn:aws:lambda:", "arn:aws:dynamodb:", "arn:aws:sqs:",
                                                       "arn:aws:sns:", "file://"};
const std::vector<std::string> kPassthrough = {"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"};
// Gateway integrations given by type + uri, and their settings.
const std::vector<std::string> kIntegrationTypes = {"AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"};
const std::vector<std::string> kContentHandling = {"CONVERT_TO_TEXT", "CONVERT_TO_BINARY"};
const std::vector<std::string> kGatewayResponseTypes = {
    "ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE",
    "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN",
    "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "INVALID_API_KEY", "INVALID_SIGNATURE",
    "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND", "THROTTLED",
    "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED"};
const std::vector<std::string> kHttpMethods = {"GET",   "POST",    "PUT", "DELETE",
                                               "PATCH", "HEAD",    "OPTIONS", "ANY"};
const std::vector<std::string> kBuiltinHandlers = {"log"};

// Every action of the DynamoDB API: an API Gateway AWS integration may name
// any of them ("dynamodb:<Action>"); whether the emulator serves it is the
// dynamo module's business, not the loader's.
const std::vector<std::string> kDynamoActions = {
    "BatchExecuteStatement", "BatchGetItem", "BatchWriteItem", "CreateBackup",
    "CreateGlobalTable", "CreateTable", "DeleteBackup", "DeleteItem", "DeleteResourcePolicy",
    "DeleteTable", "DescribeBackup", "DescribeContinuousBackups", "DescribeContributorInsights",
    "DescribeEndpoints", "DescribeExport", "DescribeGlobalTable", "DescribeGlobalTableSettings",
    "DescribeImport", "DescribeKinesisStreamingDestination", "DescribeLimits", "DescribeTable",
    "DescribeTableReplicaAutoScaling", "DescribeTimeToLive", "DisableKinesisStreamingDestination",
    "EnableKinesisStreamingDestination", "ExecuteStatement", "ExecuteTransaction",
    "ExportTableToPointInTime", "GetItem", "GetResourcePolicy", "ImportTable", "ListBackups",
    "ListContributorInsights", "ListExports", "ListGlobalTables", "ListImports", "ListTables",
    "ListTagsOfResource", "PutItem", "PutResourcePolicy", "Query", "RestoreTableFromBackup",
    "RestoreTableToPointInTime", "Scan", "TagResource", "TransactGetItems", "TransactWriteItems",
    "UntagResource", "UpdateContinuousBackups", "UpdateContributorInsights", "UpdateGlobalTable",
    "UpdateGlobalTableSettings", "UpdateItem", "UpdateKinesisStreamingDestination",
    "UpdateTable", "UpdateTableReplicaAutoScaling", "UpdateTimeToLive"};

bool AllCharsIn(const std::string& s, const char* extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr(extra, c) != nullptr;
  });
}

// Walks one YAML document. `source_` is the file name used in messages.
class Loader {
 public:
  explicit Loader(std::string source) : source_(std::move(source)) {}

  Stack Load(const YAML::Node& root, const std::string& base_dir) {
    Stack stack;
    stack.base_dir = base_dir;
    if (!root || root.IsNull()) Fail(root, "", "the stack is empty");
    RequireMap(root, "");
    CheckKeys(root, "", {"name", "tables", "functions", "events", "apis", "apiKeys", "usagePlans"});

    stack.name = "stack";
    if (root["name"]) stack.name = NonEmptyString(root["name"], "name");

    for (const Entry& e : Entries(root["tables"], "tables")) stack.tables.push_back(LoadTable(e));
    for (const Entry& e : Entries(root["functions"], "functions")) {
      stack.functions.push_back(LoadFunction(e, base_dir));
    }
    if (YAML::Node events = root["events"]; events && !events.IsNull()) {
      if (!events.IsSequence()) Fail(events, "events", "expected a list of event source mappings");
      for (size_t i = 0; i < events.size(); ++i) {
        stack.event_mappings.push_back(
            LoadMapping(events[i], "events[" + std::to_string(i) + "]", stack));
      }
    }
    for (const Entry& e : Entries(root["apis"], "apis")) stack.apis.push_back(LoadApi(e, stack));
    LoadApiKeysAndUsagePlans(root, &stack);
    stack.warnings = std::move(warnings_);
    return stack;
  }

  // "file:line:col: path: message" (line and column 1-based when known).
  [[noreturn]] void Fail(const YAML::Node& at, const std::string& path, const std::string& msg) {
    FailAt(at ? at.Mark() : YAML::Mark::null_mark(), path, msg);
  }
  [[noreturn]] void FailAt(const YAML::Mark& mark, const std::string& path,
                           const std::string& msg) {
    std::string out = source_;
    if (!mark.is_null()) {
      out += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }
    out += ": ";
    if (!path.empty()) out += path + ": ";
    out += msg;
    throw LoadError{out};
  }

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    std::string path;
    YAML::Mark key_mark;  // where the key is written (value may be null)
  };

  // For errors about an entry as a whole: points at its key.
  [[noreturn]] void FailKey(const Entry& e, const std::string& msg) { FailAt(e.key_mark, e.path, msg); }

  static std::string Join(const std::string& path, const std::string& key) {
    // Keys that would read ambiguously in a dotted path get quoted.
    bool plain = AllCharsIn(key, "_-/+");
    std::string k = plain ? key : "'" + key + "'";
    return path.empty() ? k : path + "." + k;
  }

  void RequireMap(const YAML::Node& n, const std::string& path) {
    if (!n.IsMap()) Fail(n, path, "expected a mapping of keys to values");
  }

  // The entries of an optional "name -> body" section (absent or null = none);
  // rejects duplicate names and non-string keys.
  std::vector<Entry> Entries(const YAML::Node& section, const std::string& path,
                             const std::string& what = "key") {
    std::vector<Entry> out;
    if (!section || section.IsNull()) return out;
    RequireMap(section, path);
    std::set<std::string> seen;
    for (const auto& kv : section) {
      if (!kv.first.IsScalar()) Fail(kv.first, path, "keys must be plain strings");
      std::string key = kv.first.Scalar();
      if (key.empty()) Fail(kv.first, path, "empty key");
      if (!seen.insert(key).second) Fail(kv.first, Join(path, key), "duplicate " + what + " '" + key + "'");
      out.push_back({key, kv.second, Join(path, key), kv.first.Mark()});
    }
    return out;
  }

  // Rejects keys outside `allowed` (and duplicates) in a map node.
  void CheckKeys(const YAML::Node& map, const std::string& path,
                 const std::vector<std::string>& allowed) {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) Fail(kv.first, path, "keys must be plain strings");
      const std::string& key = kv.first.Scalar();
      if (!Contains(allowed, key)) {
        Fail(kv.first, Join(path, key), "unknown key '" + key + "' (expected " + OneOf(allowed) + ")");
      }
      if (!seen.insert(key).second) Fail(kv.first, Join(path, key), "duplicate key '" + key + "'");
    }
  }

  std::string String(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) Fail(n, path, n.IsNull() ? "missing value" : "expected a string");
    return n.Scalar();
  }
  std::string NonEmptyString(const YAML::Node& n, const std::string& path) {
    std::string s = String(n, path);
    if (s.empty()) Fail(n, path, "must not be empty");
    return s;
  }
  std::string OneOfString(const YAML::Node& n, const std::string& path, const char* what,
                          const std::vector<std::string>& allowed) {
    std::string s = String(n, path);
    if (!Contains(allowed, s)) {
      Fail(n, path, std::string("unknown ") + what + " '" + s + "' (expected " + OneOf(allowed) + ")");
    }
    return s;
  }
  int Int(const YAML::Node& n, const std::string& path, int lo, int hi) {
    std::string s = String(n, path);
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
      Fail(n, path, "expected a whole number, got '" + s + "'");
    }
    if (v < lo || v > hi) {
      Fail(n, path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                        ", got " + s);
    }
    return v;
  }
  bool Bool(const YAML::Node& n, const std::string& path) {
    std::string s = String(n, path);
    if (s == "true") return true;
    if (s == "false") return false;
    Fail(n, path, "expected true or false, got '" + s + "'");
  }
  // A map of string -> string (templates, environment, headers).
  std::vector<std::pair<Entry, std::string>> StringMap(const YAML::Node& n,
                                                       const std::string& path) {
    std::vector<std::pair<Entry, std::string>> out;
    for (auto& e : Entries(n, path)) {
      std::string v = e.value.IsNull() ? "" : String(e.value, e.path);
      out.emplace_back(std::move(e), std::move(v));
    }
    return out;
  }

  KeyAttribute LoadKey(const YAML::Node& n, const std::string& path) {
    KeyAttribute key;
    if (n.IsScalar()) {  // shorthand: just the name, type S
      key.name = NonEmptyString(n, path);
      key.type = "S";
      return key;
    }
    if (!n.IsMap()) Fail(n, path, "expected an attribute name or {name: ..., type: S|N|B}");
    CheckKeys(n, path, {"name", "type"});
    if (!n["name"]) Fail(n, path, "missing 'name'");
    key.name = NonEmptyString(n["name"], path + ".name");
    key.type = n["type"] ? OneOfString(n["type"], path + ".type", "key type", kKeyTypes) : "S";
    return key;
  }

  TableSpec LoadTable(const Entry& e) {
    const std::string& name = e.key;
    const YAML::Node& n = e.value;
    const std::string& path = e.path;
    // DynamoDB's rules for table names.
    if (name.size() < 3 || name.size() > 255 || !AllCharsIn(name, "_.-")) {
      FailKey(e, "invalid table name '" + name +
                        "' (3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.')");
    }
    if (!n || n.IsNull()) FailKey(e, "missing 'partitionKey'");
    RequireMap(n, path);
    CheckKeys(n, path, {"partitionKey", "sortKey", "stream", "indexes", "localIndexes", "ttl"});
    TableSpec t;
    t.name = name;
    if (!n["partitionKey"]) Fail(n, path, "missing 'partitionKey'");
    t.partition_key = LoadKey(n["partitionKey"], path + ".partitionKey");
    if (n["sortKey"]) {
      t.sort_key = LoadKey(n["sortKey"], path + ".sortKey");
      if (t.sort_key->name == t.partition_key.name) {
        Fail(n["sortKey"], path + ".sortKey",
             "sort key '" + t.sort_key->name + "' has the same name as the partition key");
      }
    }
    if (n["stream"]) {
      t.stream_view_type = OneOfString(n["stream"], path + ".stream", "view type", kViewTypes);
    }
    LoadIndexesAndTtl(n, path, &t);
    return t;
  }

  // ---- Table indexes and TTL: CreateTable's GlobalSecondaryIndexes and
  // LocalSecondaryIndexes, and UpdateTimeToLive's attribute.
  void LoadIndexesAndTtl(const YAML::Node& n, const std::string& path, TableSpec* t) {
    // CreateTable's AttributeDefinitions give each key attribute one type.
    std::map<std::string, std::string> types = {{t->partition_key.name, t->partition_key.type}};
    if (t->sort_key) types[t->sort_key->name] = t->sort_key->type;
    auto key = [&](const YAML::Node& k, const std::string& kpath) {
      KeyAttribute a = LoadKey(k, kpath);
      auto [it, inserted] = types.emplace(a.name, a.type);
      if (!inserted && it->second != a.type) {
        Fail(k, kpath, "attribute '" + a.name + "' is " + it->second + " elsewhere in this table (one type per attribute)");
      }
      return a;
    };
    std::set<std::string> names;
    for (const bool local : {false, true}) {
      const std::string section = local ? "localIndexes" : "indexes";
      const YAML::Node list = n[section];
      if (!list || list.IsNull()) continue;
      const std::string lpath = path + "." + section;
      if (!list.IsSequence()) Fail(list, lpath, "expected a list of indexes, e.g. [{name: ByOwner, partitionKey: owner}]");
      const size_t max = local ? 5 : 20;  // DynamoDB's quotas
      if (list.size() > max) {
        Fail(list, lpath, "at most " + std::to_string(max) + (local ? " local" : " global") + " secondary indexes per table");
      }
      if (local && list.size() > 0 && !t->sort_key) Fail(list, lpath, "a local secondary index needs a table with a sort key");
      for (size_t i = 0; i < list.size(); ++i) {
        const YAML::Node ix = list[i];
        const std::string ipath = lpath + "[" + std::to_string(i) + "]";
        RequireMap(ix, ipath);
        CheckKeys(ix, ipath, {"name", "partitionKey", "sortKey", "projection"});
        IndexSpec index;
        if (!ix["name"]) Fail(ix, ipath, "missing 'name'");
        index.name = NonEmptyString(ix["name"], ipath + ".name");
        if (index.name.size() < 3 || index.name.size() > 255 || !AllCharsIn(index.name, "_.-")) {
          Fail(ix["name"], ipath + ".name",
               "invalid index name '" + index.name + "' (3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.')");
        }
        if (!names.insert(index.name).second) Fail(ix["name"], ipath + ".name", "duplicate index name '" + index.name + "'");
        if (local) {
          // A local index shares the table's partition key.
          index.partition_key = t->partition_key;
          if (ix["partitionKey"]) {
            KeyAttribute pk = LoadKey(ix["partitionKey"], ipath + ".partitionKey");
            if (pk.name != t->partition_key.name || pk.type != t->partition_key.type) {
              Fail(ix["partitionKey"], ipath + ".partitionKey",
                   "a local index has the table's partition key '" + t->partition_key.name + "'");
            }
          }
          if (!ix["sortKey"]) Fail(ix, ipath, "missing 'sortKey' (a local index has its own sort key)");
        } else {
          if (!ix["partitionKey"]) Fail(ix, ipath, "missing 'partitionKey'");
          index.partition_key = key(ix["partitionKey"], ipath + ".partitionKey");
        }
        if (ix["sortKey"]) {
          index.sort_key = key(ix["sortKey"], ipath + ".sortKey");
          if (index.sort_key->name == index.partition_key.name) {
            Fail(ix["sortKey"], ipath + ".sortKey", "sort key '" + index.sort_key->name + "' is also the index's partition key");
          }
        }
        if (YAML::Node p = ix["projection"]) LoadProjection(p, ipath + ".projection", &index);
        (local ? t->local_indexes : t->global_indexes).push_back(std::move(index));
      }
    }
    if (n["ttl"]) {
      t->ttl_attribute = NonEmptyString(n["ttl"], path + ".ttl");
      if (t->ttl_attribute.size() > 255) Fail(n["ttl"], path + ".ttl", "longer than 255 characters");
    }
  }

  // ALL | KEYS_ONLY | {include: [attributes]}
  void LoadProjection(const YAML::Node& p, const std::string& path, IndexSpec* index) {
    if (p.IsScalar()) {
      index->projection_type = OneOfString(p, path, "projection", {"ALL", "KEYS_ONLY"});
      return;
    }
    if (!p.IsMap()) Fail(p, path, "expected ALL, KEYS_ONLY or {include: [attribute, ...]}");
    CheckKeys(p, path, {"include"});
    const YAML::Node list = p["include"];
    if (!list || !list.IsSequence() || list.size() == 0) {
      Fail(list ? list : p, path + ".include", "expected a non-empty list of attribute names");
    }
    if (list.size() > 100) Fail(list, path + ".include", "at most 100 projected attributes");
    index->projection_type = "INCLUDE";
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string a = NonEmptyString(list[i], path + ".include[" + std::to_string(i) + "]");
      if (!seen.insert(a).second) Fail(list[i], path + ".include", "'" + a + "' is listed twice");
      index->non_key_attributes.push_back(std::move(a));
    }
  }

  // ---- An API's API Gateway settings: its OpenAPI file, models, request
  // validators, authorizers and API key source.
  void LoadApiGatewaySettings(const YAML::Node& n, const std::string& path, const Stack& stack, ApiSpec* api) {
    if (YAML::Node file = n["openapi"]) LoadOpenApiInto(file, path + ".openapi", stack, api);
    for (const Entry& m : Entries(n["models"], path + ".models", "model")) {
      if (!AllCharsIn(m.key, "")) FailKey(m, "invalid model name '" + m.key + "' (letters and digits)");
      if (api->models.count(m.key)) FailKey(m, "model '" + m.key + "' is defined in the OpenAPI file too");
      api->models[m.key] = SchemaJson(m.value, m.path);
    }
    for (const Entry& v : Entries(n["requestValidators"], path + ".requestValidators", "validator")) {
      if (!v.value || !v.value.IsMap()) FailKey(v, "expected {body: true|false, parameters: true|false}");
      CheckKeys(v.value, v.path, {"body", "parameters"});
      if (api->request_validators.count(v.key)) FailKey(v, "validator '" + v.key + "' is defined in the OpenAPI file too");
      RequestValidatorSpec spec;
      if (v.value["body"]) spec.validate_body = Bool(v.value["body"], v.path + ".body");
      if (v.value["parameters"]) spec.validate_parameters = Bool(v.value["parameters"], v.path + ".parameters");
      api->request_validators[v.key] = spec;
    }
    for (const Entry& a : Entries(n["authorizers"], path + ".authorizers", "authorizer")) {
      for (const AuthorizerSpec& other : api->authorizers) {
        if (other.name == a.key) FailKey(a, "authorizer '" + a.key + "' is defined in the OpenAPI file too");
      }
      api->authorizers.push_back(LoadAuthorizer(a, stack));
    }
    if (n["apiKeySource"]) {
      api->api_key_source = OneOfString(n["apiKeySource"], path + ".apiKeySource", "API key source", {"HEADER", "AUTHORIZER"});
    }
  }

  // A JSON schema written as YAML, or JSON text in a string.
  std::string SchemaJson(const YAML::Node& n, const std::string& path) {
    std::string out;
    if (n.IsMap()) {
      YAML::Node deep;
      if (!AppendYamlAsJson(n, 64, &out, &deep)) Fail(deep, path, "the schema nests more than 64 levels");
      return out;
    }
    if (n.IsScalar()) {
      auto parsed = ParseJson(n.Scalar());
      if (!parsed || !parsed->is_object()) Fail(n, path, "expected a JSON schema (a map, or a JSON object as text)");
      return n.Scalar();
    }
    Fail(n, path, "expected a JSON schema (a map, or a JSON object as text)");
  }

  void LoadOpenApiInto(const YAML::Node& file, const std::string& path, const Stack& stack, ApiSpec* api) {
    fs::path p(NonEmptyString(file, path));
    if (p.is_relative() && !stack.base_dir.empty()) p = fs::path(stack.base_dir) / p;
    OpenApiContext context;
    context.api_name = api->name;
    context.stage = api->stage;
    context.source = p.lexically_normal().string();
    for (const FunctionSpec& f : stack.functions) context.function_names.push_back(f.name);
    auto loaded = LoadOpenApiFile(context.source, context, &warnings_);
    if (!loaded) Fail(file, path, loaded.status().message());
    const std::string name = api->name;
    const std::string stage = api->stage;
    *api = std::move(*loaded);
    api->name = name;
    api->stage = stage;
    api->source_file = context.source;
  }

  AuthorizerSpec LoadAuthorizer(const Entry& e, const Stack& stack) {
    const YAML::Node& n = e.value;
    const std::string& path = e.path;
    if (!n || n.IsNull()) FailKey(e, "missing 'type'");
    RequireMap(n, path);
    CheckKeys(n, path, {"type", "identitySource", "identityValidationExpression", "function", "ttl", "userPoolArns",
                        "issuer", "audiences", "jwksFile"});
    AuthorizerSpec a;
    a.name = e.key;
    if (!n["type"]) Fail(n, path, "missing 'type'");
    a.type = OneOfString(n["type"], path + ".type", "authorizer type", {"COGNITO_USER_POOLS", "JWT", "TOKEN", "REQUEST"});
    const bool lambda = a.type == "TOKEN" || a.type == "REQUEST";
    // Keys that belong to other types are mistakes worth naming.
    auto only = [&](const char* key, bool allowed, const char* types) {
      if (n[key] && !allowed) Fail(n[key], path + "." + key, std::string("only ") + types + " authorizers have '" + key + "'");
    };
    only("function", lambda, "TOKEN and REQUEST");
    only("userPoolArns", a.type == "COGNITO_USER_POOLS", "COGNITO_USER_POOLS");
    only("issuer", a.type == "JWT", "JWT");
    only("audiences", a.type == "JWT", "JWT");
    only("jwksFile", !lambda, "COGNITO_USER_POOLS and JWT");
    only("identityValidationExpression", a.type != "REQUEST", "TOKEN, COGNITO_USER_POOLS and JWT");
    if (lambda) {
      if (!n["function"]) Fail(n, path, "missing 'function' (the Lambda authorizer)");
      a.function = NonEmptyString(n["function"], path + ".function");
      const bool known = std::any_of(stack.functions.begin(), stack.functions.end(),
                                     [&](const FunctionSpec& f) { return f.name == a.function; });
      if (!known) Fail(n["function"], path + ".function", "unknown function '" + a.function + "'");
    }
    if (n["identitySource"]) {
      a.identity_source = NonEmptyString(n["identitySource"], path + ".identitySource");
      CheckIdentitySource(n["identitySource"], path + ".identitySource", a);
    }
    if (n["identityValidationExpression"]) {
      a.identity_validation_expression = String(n["identityValidationExpression"], path + ".identityValidationExpression");
    }
    if (n["ttl"]) a.ttl_seconds = Int(n["ttl"], path + ".ttl", 0, 3600);
    if (YAML::Node arns = n["userPoolArns"]) {
      a.provider_arns = StringList(arns, path + ".userPoolArns");
      for (size_t i = 0; i < a.provider_arns.size(); ++i) {
        const std::string& arn = a.provider_arns[i];
        if (arn.rfind("arn:aws:cognito-idp:", 0) != 0 || arn.find(":userpool/") == std::string::npos) {
          Fail(arns.IsSequence() ? arns[i] : arns, path + ".userPoolArns",
               "'" + arn + "' is not a user pool ARN (arn:aws:cognito-idp:<region>:<account>:userpool/<id>)");
        }
      }
    }
    if (a.type == "COGNITO_USER_POOLS" && a.provider_arns.empty()) Fail(n, path, "missing 'userPoolArns'");
    if (n["issuer"]) a.issuer = NonEmptyString(n["issuer"], path + ".issuer");
    if (n["audiences"]) a.audiences = StringList(n["audiences"], path + ".audiences");
    if (n["jwksFile"]) {
      fs::path p(NonEmptyString(n["jwksFile"], path + ".jwksFile"));
      if (p.is_relative() && !stack.base_dir.empty()) p = fs::path(stack.base_dir) / p;
      a.jwks_file = p.lexically_normal().string();
      std::error_code ec;
      if (!fs::is_regular_file(a.jwks_file, ec)) Fail(n["jwksFile"], path + ".jwksFile", "no such file: " + a.jwks_file);
    }  // without one, the authorizer says at start-up that signatures are not checked
    return a;
  }

  // TOKEN, Cognito and JWT read one header; REQUEST a comma-separated list.
  void CheckIdentitySource(const YAML::Node& n, const std::string& path, const AuthorizerSpec& a) {
    if (a.type != "REQUEST") {
      const std::string prefix = "method.request.header.";
      if (a.identity_source.rfind(prefix, 0) != 0 || a.identity_source.size() == prefix.size() ||
          a.identity_source.find_first_of(", ") != std::string::npos) {
        Fail(n, path, "expected one header, e.g. method.request.header.Authorization");
      }
      return;
    }
    static const std::vector<std::string> kSources = {
        "method.request.header.", "method.request.querystring.", "method.request.multivalueheader.",
        "method.request.multivaluequerystring.", "method.request.path.", "stageVariables.", "context."};
    std::istringstream parts(a.identity_source);
    std::string part;
    while (std::getline(parts, part, ',')) {
      part.erase(0, part.find_first_not_of(' '));
      part.erase(part.find_last_not_of(' ') + 1);
      const bool ok = std::any_of(kSources.begin(), kSources.end(), [&](const std::string& s) {
        return part.size() > s.size() && part.rfind(s, 0) == 0;
      });
      if (!ok) {
        Fail(n, path, "'" + part + "' is not an identity source (method.request.header.X, "
                      "method.request.querystring.X, stageVariables.X, context.X, ...)");
      }
    }
  }

  // A list of non-empty strings (a single string is a list of one).
  std::vector<std::string> StringList(const YAML::Node& n, const std::string& path) {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(NonEmptyString(n, path));
      return out;
    }
    if (!n.IsSequence()) Fail(n, path, "expected a list of strings");
    for (size_t i = 0; i < n.size(); ++i) out.push_back(NonEmptyString(n[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }

  // ---- A route's method request: parameters, validator, models,
  // authorizer, scopes, API key.
  void LoadMethodRequest(const YAML::Node& n, const std::string& path, RouteSpec* r) {
    static const std::vector<std::string> kLocations = {"path", "querystring", "multivaluequerystring", "header",
                                                        "multivalueheader"};
    for (const Entry& p : Entries(n["parameters"], path + ".parameters", "parameter")) {
      const std::string prefix = "method.request.";
      std::string key = p.key.rfind(prefix, 0) == 0 ? p.key : prefix + p.key;
      const std::string rest = key.substr(prefix.size());
      const size_t dot = rest.find('.');
      const std::string where = rest.substr(0, dot);
      const std::string name = dot == std::string::npos ? "" : rest.substr(dot + 1);
      if (name.empty() || !Contains(kLocations, where)) {
        FailKey(p, "'" + p.key + "' is not a method request parameter (querystring.NAME, header.NAME, path.NAME, "
                   "or the same with method.request.)");
      }
      if (where == "path" && r->path.find("{" + name + "}") == std::string::npos &&
          r->path.find("{" + name + "+}") == std::string::npos) {
        FailKey(p, "the path '" + r->path + "' has no {" + name + "}");
      }
      const bool required = p.value && !p.value.IsNull() && Bool(p.value, p.path);
      if (!r->request_parameters.emplace(key, required).second) FailKey(p, "'" + key + "' is given twice");
    }
    if (n["validator"]) r->request_validator = NonEmptyString(n["validator"], path + ".validator");
    for (auto& [e, model] : StringMap(n["models"], path + ".models")) {
      CheckContentType(e);
      if (model.empty()) Fail(e.value, e.path, "missing model name");
      r->request_models[e.key] = model;
    }
    if (n["authorizer"]) r->authorizer = NonEmptyString(n["authorizer"], path + ".authorizer");
    if (n["scopes"]) r->authorization_scopes = StringList(n["scopes"], path + ".scopes");
    if (n["apiKeyRequired"]) r->api_key_required = Bool(n["apiKeyRequired"], path + ".apiKeyRequired");
  }

  // What the method requests of the native routes name must exist in the API.
  void CheckMethodRequests(const YAML::Node& routes, const std::string& path, size_t first, ApiSpec* api) {
    size_t i = first;
    for (const Entry& e : Entries(routes, path, "route")) {
      RouteSpec& r = api->routes.at(i++);
      const YAML::Node& n = e.value;
      if (!r.request_validator.empty() && !api->request_validators.count(r.request_validator)) {
        Fail(n["validator"], e.path + ".validator", "unknown request validator '" + r.request_validator + "'" +
                                                        Declared(api->request_validators, "requestValidators"));
      }
      for (const auto& [type, model] : r.request_models) {
        if (!api->models.count(model)) {
          Fail(n["models"][type], e.path + ".models", "unknown model '" + model + "'" + Declared(api->models, "models"));
        }
      }
      if (!r.authorizer.empty()) {
        auto it = std::find_if(api->authorizers.begin(), api->authorizers.end(),
                               [&](const AuthorizerSpec& a) { return a.name == r.authorizer; });
        if (it == api->authorizers.end()) {
          Fail(n["authorizer"], e.path + ".authorizer", "unknown authorizer '" + r.authorizer + "'");
        }
        r.authorization_type = it->type == "TOKEN" || it->type == "REQUEST" ? "CUSTOM" : it->type;
      }
      if (!r.authorization_scopes.empty() && r.authorization_type != "COGNITO_USER_POOLS" &&
          r.authorization_type != "JWT") {
        Fail(n["scopes"], e.path + ".scopes", "scopes need a COGNITO_USER_POOLS or JWT authorizer");
      }
    }
  }

  template <typename Map>
  static std::string Declared(const Map& m, const std::string& section) {
    if (m.empty()) return " (the API declares no " + section + ")";
    std::vector<std::string> names;
    for (const auto& kv : m) names.push_back(kv.first);
    return " (expected " + OneOf(names) + ")";
  }

  // ---- API keys and usage plans (top level: a plan spans APIs).
  void LoadApiKeysAndUsagePlans(const YAML::Node& root, Stack* stack) {
    std::set<std::string> values;
    for (const Entry& e : Entries(root["apiKeys"], "apiKeys", "API key")) {
      if (!e.value || e.value.IsNull()) FailKey(e, "missing 'value'");
      RequireMap(e.value, e.path);
      CheckKeys(e.value, e.path, {"value", "enabled"});
      ApiKeySpec k;
      k.name = e.key;
      if (!e.value["value"]) Fail(e.value, e.path, "missing 'value'");
      k.value = String(e.value["value"], e.path + ".value");
      // API Gateway's rule for key values: 20 to 128 characters.
      if (k.value.size() < 20 || k.value.size() > 128 ||
          !std::all_of(k.value.begin(), k.value.end(), [](char c) { return c > ' ' && c < 127; })) {
        Fail(e.value["value"], e.path + ".value", "an API key value is 20 to 128 printable characters, no spaces");
      }
      if (!values.insert(k.value).second) Fail(e.value["value"], e.path + ".value", "another API key has this value");
      if (e.value["enabled"]) k.enabled = Bool(e.value["enabled"], e.path + ".enabled");
      stack->api_keys.push_back(std::move(k));
    }
    std::set<std::pair<std::string, std::string>> key_stage;  // one plan per key and stage
    for (const Entry& e : Entries(root["usagePlans"], "usagePlans", "usage plan")) {
      const YAML::Node& n = e.value;
      if (!n || n.IsNull()) FailKey(e, "missing 'apis'");
      RequireMap(n, e.path);
      CheckKeys(n, e.path, {"apis", "rate", "burst", "quota", "apiKeys"});
      UsagePlanSpec plan;
      plan.name = e.key;
      if (YAML::Node apis = n["apis"]; apis && !apis.IsNull()) {
        if (!apis.IsSequence()) Fail(apis, e.path + ".apis", "expected a list of {api: NAME, stage: STAGE}");
        for (size_t i = 0; i < apis.size(); ++i) {
          const std::string apath = e.path + ".apis[" + std::to_string(i) + "]";
          const YAML::Node a = apis[i];
          std::string api_name, stage;
          if (a.IsScalar()) {
            api_name = NonEmptyString(a, apath);
          } else {
            RequireMap(a, apath);
            CheckKeys(a, apath, {"api", "stage"});
            if (!a["api"]) Fail(a, apath, "missing 'api'");
            api_name = NonEmptyString(a["api"], apath + ".api");
            if (a["stage"]) stage = NonEmptyString(a["stage"], apath + ".stage");
          }
          auto it = std::find_if(stack->apis.begin(), stack->apis.end(),
                                 [&](const ApiSpec& s) { return s.name == api_name; });
          if (it == stack->apis.end()) Fail(a, apath, "unknown API '" + api_name + "'");
          if (stage.empty()) stage = it->stage;
          if (stage != it->stage) Fail(a, apath, "API '" + api_name + "' has stage '" + it->stage + "' only");
          plan.stages.emplace_back(api_name, stage);
        }
      }
      if (n["rate"]) {
        const std::string s = String(n["rate"], e.path + ".rate");
        char* end = nullptr;
        double rate = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || !(rate >= 0) || rate > 1e9) {
          Fail(n["rate"], e.path + ".rate", "expected requests per second (a number >= 0), got '" + s + "'");
        }
        plan.rate_limit = rate;
      }
      if (n["burst"]) plan.burst_limit = Int(n["burst"], e.path + ".burst", 0, 1000000000);
      if (YAML::Node q = n["quota"]) {
        const std::string qpath = e.path + ".quota";
        if (!q.IsMap()) Fail(q, qpath, "expected {limit: N, period: DAY|WEEK|MONTH}");
        CheckKeys(q, qpath, {"limit", "period"});
        if (!q["limit"]) Fail(q, qpath, "missing 'limit'");
        plan.quota_limit = Int(q["limit"], qpath + ".limit", 0, 2147483647);
        if (q["period"]) plan.quota_period = OneOfString(q["period"], qpath + ".period", "period", {"DAY", "WEEK", "MONTH"});
      }
      if (YAML::Node keys = n["apiKeys"]) {
        const std::vector<std::string> names = StringList(keys, e.path + ".apiKeys");
        for (size_t i = 0; i < names.size(); ++i) {
          const YAML::Node at = keys.IsSequence() ? keys[i] : keys;
          const bool known = std::any_of(stack->api_keys.begin(), stack->api_keys.end(),
                                         [&](const ApiKeySpec& k) { return k.name == names[i]; });
          if (!known) Fail(at, e.path + ".apiKeys", "unknown API key '" + names[i] + "'");
          for (const auto& [api_name, stage] : plan.stages) {
            if (!key_stage.insert({names[i], api_name + "/" + stage}).second) {
              Fail(at, e.path + ".apiKeys", "API key '" + names[i] + "' is already in a usage plan of " + api_name +
                                                "/" + stage + " (one plan per key and stage)");
            }
          }
          plan.api_keys.push_back(names[i]);
        }
      }
      stack->usage_plans.push_back(std::move(plan));
    }
  }

  FunctionSpec LoadFunction(const Entry& e, const std::string& base_dir) {
    const std::string& name = e.key;
    const YAML::Node& n = e.value;
    const std::string& path = e.path;
    // Lambda's rules for function names.
    if (name.size() > 64 || !AllCharsIn(name, "_-")) {
      FailKey(e, "invalid function name '" + name +
                        "' (up to 64 characters of a-z, A-Z, 0-9, '_', '-')");
    }
    const std::string how =
        "needs 'runtime' + 'handler' (a Lambda function), 'handler: log', 'exec: [command, args...]' or 'http: <url>'";
    if (!n || n.IsNull()) FailKey(e, how);
    RequireMap(n, path);
    CheckKeys(n, path, {"runtime", "handler", "code", "memorySize", "reservedConcurrency", "description", "exec",
                        "http", "workingDir", "timeout", "environment"});
    FunctionSpec f;
    f.name = name;
    if (!n["runtime"]) {
      for (const char* key : {"code", "memorySize"}) {
        if (n[key]) Fail(n[key], path + "." + key, std::string("only functions with a 'runtime' have '") + key + "'");
      }
    }
    const int kinds = (n["runtime"] ? 1 : 0) + (n["exec"] ? 1 : 0) + (n["http"] ? 1 : 0) +
                      (n["handler"] && !n["runtime"] ? 1 : 0);
    if (kinds > 1) {
      Fail(n, path, "give one of 'runtime' (with 'handler'), 'handler: log', 'exec' or 'http'");
    }
    if (n["runtime"]) {
      // A Lambda function, declared as SAM declares one.
      f.kind = "lambda";
      f.runtime = NonEmptyString(n["runtime"], path + ".runtime");
      const std::string& r = f.runtime;
      const bool python = r.rfind("python3.", 0) == 0 && r.size() > 8 &&
                          r.find_first_not_of("0123456789", 8) == std::string::npos;
      const bool node = r.rfind("nodejs", 0) == 0;
      const bool provided = r == "provided" || r.rfind("provided.", 0) == 0;
      if (!python && !node && !provided) {
        Fail(n["runtime"], path + ".runtime",
             "unsupported runtime '" + r + "' (python3.x, nodejs* or provided.*, e.g. python3.12, nodejs20.x, "
             "provided.al2023)");
      }
      if (n["handler"]) {
        f.handler = NonEmptyString(n["handler"], path + ".handler");
        if (f.handler.size() > 128 || f.handler.find_first_of(" \t\n") != std::string::npos) {
          Fail(n["handler"], path + ".handler", "invalid handler '" + f.handler + "' (up to 128 characters, no spaces)");
        }
      } else if (!provided) {
        Fail(n, path, "a " + r + " function needs 'handler' (e.g. app.handler: the function handler in app)");
      }
      std::string code = n["code"] ? NonEmptyString(n["code"], path + ".code") : std::string(".");
      fs::path p(code);
      // Relative folders are relative to the stack file's folder.
      if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
      f.code_dir = p.lexically_normal().string();
      if (f.code_dir.size() > 1 && f.code_dir.back() == '/') f.code_dir.pop_back();  // "." -> the folder itself
      std::error_code ec;
      if (!fs::is_directory(f.code_dir, ec)) {
        Fail(n["code"] ? n["code"] : n, path + ".code", "no such folder: " + f.code_dir);
      }
      if (n["memorySize"]) f.memory_size_mb = Int(n["memorySize"], path + ".memorySize", 128, 10240);
    } else if (n["handler"]) {
      std::string h = String(n["handler"], path + ".handler");
      if (!Contains(kBuiltinHandlers, h)) {
        Fail(n["handler"], path + ".handler",
             "unknown handler '" + h + "' (built in: " + OneOf(kBuiltinHandlers) +
                 "; a Lambda handler needs 'runtime' too; to run a program use exec: [command, args...])");
      }
      f.kind = h;
    } else if (YAML::Node http = n["http"]) {
      f.kind = "http";
      f.url = NonEmptyString(http, path + ".http");
      if (f.url.rfind("http://", 0) != 0 && f.url.rfind("https://", 0) != 0) {
        Fail(http, path + ".http", "expected an http:// or https:// URL, got '" + f.url + "'");
      }
    } else if (YAML::Node exec = n["exec"]) {      f.kind = "exec";
      const std::string epath = path + ".exec";
      if (exec.IsScalar()) {
        // A string is a shell command line.
        if (exec.Scalar().find_first_not_of(" \t\n") == std::string::npos) {
          Fail(exec, epath, "empty command");
        }
        f.command = {"/bin/sh", "-c", exec.Scalar()};
      } else if (exec.IsNull()) {
        Fail(exec, epath, "empty command");
      } else if (exec.IsSequence()) {
        for (size_t i = 0; i < exec.size(); ++i) {
          f.command.push_back(String(exec[i], epath + "[" + std::to_string(i) + "]"));
        }
        if (f.command.empty() || f.command[0].empty()) Fail(exec, epath, "empty command");
      } else {
        Fail(exec, epath, "expected a command: [program, args...] or a shell command line");
      }
    } else {
      Fail(n, path, how);
    }
    if (n["workingDir"]) {
      if (f.kind != "exec") Fail(n["workingDir"], path + ".workingDir", "only exec functions have a working directory");
      std::string dir = NonEmptyString(n["workingDir"], path + ".workingDir");
      fs::path p(dir);
      // Relative folders are relative to the stack file's folder.
      if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
      f.working_dir = p.lexically_normal().string();
    }
    if (n["timeout"]) f.timeout_seconds = Int(n["timeout"], path + ".timeout", 1, 900);
    if (n["reservedConcurrency"]) {
      // Lambda keeps 100 of the account's 1000 unreserved.
      f.reserved_concurrency = Int(n["reservedConcurrency"], path + ".reservedConcurrency", 0, 900);
    }
    if (n["description"]) {
      f.description = String(n["description"], path + ".description");
      if (f.description.size() > 256) Fail(n["description"], path + ".description", "longer than 256 characters");
    }
    for (auto& [e, value] : StringMap(n["environment"], path + ".environment")) {
      // Lambda's rule for variable names.
      if (!(std::isalpha(static_cast<unsigned char>(e.key[0]))) || !AllCharsIn(e.key, "_")) {
        FailKey(e, "invalid environment variable name '" + e.key +
                                  "' (a letter, then letters, digits or '_')");
      }
      f.environment[e.key] = value;
    }
    return f;
  }

  EventMappingSpec LoadMapping(const YAML::Node& n, const std::string& path, const Stack& stack) {
    RequireMap(n, path);
    CheckKeys(n, path, {"function", "table", "startingPosition", "startingPositionTimestamp", "batchSize",
                        "batchWindow", "maximumBatchingWindow", "maximumRetryAttempts", "maximumRecordAge",
                        "bisectBatchOnFunctionError", "parallelizationFactor", "functionResponseTypes",
                        "filters", "tumblingWindow", "destinations", "enabled"});
    EventMappingSpec m;
    if (!n["function"]) Fail(n, path, "missing 'function'");
    if (!n["table"]) Fail(n, path, "missing 'table'");
    m.function = NonEmptyString(n["function"], path + ".function");
    m.table = NonEmptyString(n["table"], path + ".table");
    bool function_known = std::any_of(stack.functions.begin(), stack.functions.end(),
                                      [&](const FunctionSpec& f) { return f.name == m.function; });
    if (!function_known) Fail(n["function"], path + ".function", "unknown function '" + m.function + "'");
    auto table = std::find_if(stack.tables.begin(), stack.tables.end(),
                              [&](const TableSpec& t) { return t.name == m.table; });
    if (table == stack.tables.end()) Fail(n["table"], path + ".table", "unknown table '" + m.table + "'");
    if (table->stream_view_type.empty()) {
      Fail(n["table"], path + ".table",
           "table '" + m.table + "' has no stream (add 'stream: NEW_IMAGE' to tables." + m.table + ")");
    }
    for (const auto& other : stack.event_mappings) {
      if (other.function == m.function && other.table == m.table) {
        Fail(n, path, "function '" + m.function + "' already reads table '" + m.table + "'");
      }
    }
    if (n["startingPosition"]) {
      m.starting_position = OneOfString(n["startingPosition"], path + ".startingPosition",
                                        "starting position", kStartingPositions);
    }
    if (n["startingPositionTimestamp"]) {
      if (m.starting_position != "AT_TIMESTAMP") {
        Fail(n["startingPositionTimestamp"], path + ".startingPositionTimestamp",
             "only with startingPosition: AT_TIMESTAMP");
      }
      const std::string text = String(n["startingPositionTimestamp"], path + ".startingPositionTimestamp");
      char* end = nullptr;
      const double at = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(at >= 0)) {
        Fail(n["startingPositionTimestamp"], path + ".startingPositionTimestamp",
             "expected seconds since the epoch, got '" + text + "'");
      }
      m.starting_position_timestamp = at;
    } else if (m.starting_position == "AT_TIMESTAMP") {
      Fail(n, path, "startingPosition AT_TIMESTAMP needs 'startingPositionTimestamp'");
    }
    if (n["batchSize"]) m.batch_size = Int(n["batchSize"], path + ".batchSize", 1, 10000);
    if (n["batchWindow"] && n["maximumBatchingWindow"]) {
      Fail(n["batchWindow"], path + ".batchWindow", "give 'maximumBatchingWindow' or 'batchWindow', not both");
    }
    for (const char* key : {"batchWindow", "maximumBatchingWindow"}) {
      if (n[key]) m.maximum_batching_window_seconds = Int(n[key], path + "." + key, 0, 300);
    }
    if (n["maximumRetryAttempts"]) {
      m.maximum_retry_attempts = Int(n["maximumRetryAttempts"], path + ".maximumRetryAttempts", -1, 10000);
    }
    if (n["maximumRecordAge"]) {
      m.maximum_record_age_seconds = Int(n["maximumRecordAge"], path + ".maximumRecordAge", -1, 604800);
      if (m.maximum_record_age_seconds >= 0 && m.maximum_record_age_seconds < 60) {
        Fail(n["maximumRecordAge"], path + ".maximumRecordAge",
             "must be -1 (forever) or between 60 and 604800, got " + std::to_string(m.maximum_record_age_seconds));
      }
    }
    if (n["bisectBatchOnFunctionError"]) {
      m.bisect_batch_on_function_error = Bool(n["bisectBatchOnFunctionError"], path + ".bisectBatchOnFunctionError");
    }
    if (n["parallelizationFactor"]) {
      m.parallelization_factor = Int(n["parallelizationFactor"], path + ".parallelizationFactor", 1, 10);
    }
    if (const YAML::Node types = n["functionResponseTypes"]) {
      const std::string p = path + ".functionResponseTypes";
      if (!types.IsSequence()) Fail(types, p, "expected a list, e.g. [ReportBatchItemFailures]");
      for (size_t i = 0; i < types.size(); ++i) {
        OneOfString(types[i], p + "[" + std::to_string(i) + "]", "function response type", kResponseTypes);
        m.report_batch_item_failures = true;
      }
    }
    if (const YAML::Node filters = n["filters"]) {
      const std::string p = path + ".filters";
      if (!filters.IsSequence()) Fail(filters, p, "expected a list of filter patterns");
      if (filters.size() > 5) Fail(filters, p, "at most 5 filters, got " + std::to_string(filters.size()));
      for (size_t i = 0; i < filters.size(); ++i) {
        m.filter_patterns.push_back(FilterPatternJson(filters[i], p + "[" + std::to_string(i) + "]"));
      }
    }
    if (n["tumblingWindow"]) m.tumbling_window_seconds = Int(n["tumblingWindow"], path + ".tumblingWindow", 0, 900);
    if (const YAML::Node d = n["destinations"]) {
      const std::string p = path + ".destinations";
      RequireMap(d, p);
      CheckKeys(d, p, {"onFailure"});
      if (d["onFailure"]) {
        m.on_failure_destination = NonEmptyString(d["onFailure"], p + ".onFailure");
        bool known = std::any_of(kDestinationPrefixes.begin(), kDestinationPrefixes.end(), [&](const std::string& x) {
          return m.on_failure_destination.compare(0, x.size(), x) == 0 && m.on_failure_destination.size() > x.size();
        });
        if (!known) {
          Fail(d["onFailure"], p + ".onFailure",
               "expected a function, table, SQS queue or SNS topic ARN or file://<path>, got '" +
                   m.on_failure_destination + "'");
        }
      }
    }
    if (n["enabled"]) m.enabled = Bool(n["enabled"], path + ".enabled");
    return m;
  }

  // A filter pattern: a YAML map (written as the JSON pattern would be) or a
  // string holding the JSON text; the mapping parses the pattern itself.
  std::string FilterPatternJson(const YAML::Node& n, const std::string& path) {
    std::string out;
    if (n.IsScalar()) {
      out = n.Scalar();
      if (out.empty() || out.front() != '{') Fail(n, path, "expected a filter pattern (a map or JSON object text)");
    } else if (n.IsMap()) {
      // Lambda nests patterns a few levels; a deeper one (or an alias cycle) is refused.
      YAML::Node too_deep;
      if (!AppendYamlAsJson(n, 32, &out, &too_deep)) Fail(too_deep, path, "the filter pattern nests more than 32 levels");
    } else {
      Fail(n, path, "expected a filter pattern (a map or JSON object text)");
    }
    // Lambda's own check, reported where the file has the pattern.
    auto parsed = functions::FilterPattern::Parse(out);
    if (!parsed) Fail(n, path, parsed.status().message());
    return out;
  }

  ApiSpec LoadApi(const Entry& e, const Stack& stack) {
    const std::string& name = e.key;
    const YAML::Node& n = e.value;
    const std::string& path = e.path;
    if (!n || n.IsNull()) FailKey(e, "missing 'routes'");
    RequireMap(n, path);
    CheckKeys(n, path, {"stage", "routes", "stageVariables", "binaryMediaTypes", "gatewayResponses", "openapi",
                        "models", "requestValidators", "authorizers", "apiKeySource"});
    ApiSpec api;
    api.name = name;
    if (n["stage"]) {
      api.stage = NonEmptyString(n["stage"], path + ".stage");
      if (api.stage.size() > 128 || !AllCharsIn(api.stage, "_-")) {
        Fail(n["stage"], path + ".stage",
             "invalid stage name '" + api.stage + "' (a-z, A-Z, 0-9, '_', '-')");
      }
    }
    LoadApiGatewaySettings(n, path, stack, &api);  // first: an OpenAPI file replaces the whole ApiSpec
    LoadApiIntegrationSettings(n, path, api);
    if (!n["routes"] && !n["openapi"]) Fail(n, path, "missing 'routes' (or 'openapi')");
    // Per API: which variable path part each level uses ("/items" -> "{id}").
    std::map<std::string, std::pair<std::string, std::string>> variable_at;  // prefix -> {part, route}
    std::set<std::pair<std::string, std::string>> seen_routes;
    for (const RouteSpec& r : api.routes) {  // from the OpenAPI file
      seen_routes.insert({r.method, r.path});
      SeedVariables(r, variable_at);
    }
    const size_t native_from = api.routes.size();
    for (const Entry& route : Entries(n["routes"], path + ".routes", "route")) {
      RouteSpec r = LoadRoute(route, stack);
      if (!seen_routes.insert({r.method, r.path}).second) {
        FailKey(route, "duplicate route " + r.method + " " + r.path);
      }
      CheckSiblingVariables(r, route, variable_at);
      api.routes.push_back(std::move(r));
    }
    CheckMethodRequests(n["routes"], path + ".routes", native_from, &api);
    return api;
  }

  // Splits "METHOD /path" and checks both halves.
  RouteSpec LoadRoute(const Entry& e, const Stack& stack) {
    RouteSpec r;
    std::istringstream words(e.key);
    std::string extra;
    if (!(words >> r.method >> r.path) || (words >> extra)) {
      FailKey(e, "a route is written 'METHOD /path', e.g. 'POST /items'");
    }
    if (!Contains(kHttpMethods, r.method)) {
      FailKey(e, "unknown HTTP method '" + r.method + "' (expected " + OneOf(kHttpMethods) + ")");
    }
    CheckPath(r.path, e);
    const YAML::Node& n = e.value;
    if (!n || n.IsNull()) FailKey(e, "missing 'integration'");
    RequireMap(n, e.path);
    CheckKeys(n, e.path, {"integration", "passthrough", "requestTemplates", "responses", "timeoutInMillis", "uri",
                          "httpMethod", "requestParameters", "contentHandling", "parameters", "validator", "models",
                          "authorizer", "scopes", "apiKeyRequired"});
    if (!n["integration"]) Fail(n, e.path, "missing 'integration'");
    r.integration = LoadIntegration(n, e.path, stack);
    LoadMethodRequest(n, e.path, &r);
    return r;
  }

  void CheckPath(const std::string& path, const Entry& e) {
    auto fail = [&](const std::string& msg) { FailKey(e, "path '" + path + "': " + msg); };
    if (path.empty() || path[0] != '/') fail("must start with '/'");
    if (path == "/") return;
    if (path.back() == '/') fail("must not end with '/'");
    std::set<std::string> params;
    size_t start = 1;
    while (start <= path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      std::string part = path.substr(start, end - start);
      bool last = end == path.size();
      if (part.empty()) fail("empty path segment");
      if (part.front() == '{' || part.back() == '}') {
        if (part.size() < 3 || part.front() != '{' || part.back() != '}') {
          fail("bad path parameter '" + part + "' (write {name} or {name+})");
        }
        std::string name = part.substr(1, part.size() - 2);
        bool greedy = name.back() == '+';
        if (greedy) name.pop_back();
        if (name.empty() || !AllCharsIn(name, "._-")) {
          fail("bad path parameter '" + part + "' (names use a-z, A-Z, 0-9, '.', '_', '-')");
        }
        if (greedy && !last) fail("greedy parameter '" + part + "' must be the last segment");
        if (!params.insert(name).second) fail("path parameter '" + name + "' appears twice");
      } else if (!AllCharsIn(part, "._:-")) {
        fail("segment '" + part + "' may only use a-z, A-Z, 0-9, '.', '_', ':', '-' or be {param}");
      }
      start = end + 1;
    }
  }

  // The variable path parts of a route that needs no checking (the OpenAPI
  // file's, checked there), for the native routes' checks.
  static void SeedVariables(const RouteSpec& r, std::map<std::string, std::pair<std::string, std::string>>& variable_at) {
    size_t pos = 0;
    while ((pos = r.path.find("/{", pos)) != std::string::npos) {
      const size_t end = r.path.find('/', pos + 1);
      variable_at.try_emplace(r.path.substr(0, pos),
                              r.path.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1),
                              r.method + " " + r.path);
      pos += 2;
    }
  }

  // API Gateway allows one variable path part per level: /items/{id} and
  // /items/{name} cannot both exist.
  void CheckSiblingVariables(const RouteSpec& r, const Entry& e,
                             std::map<std::string, std::pair<std::string, std::string>>& variable_at) {
    size_t pos = 0;
    while ((pos = r.path.find("/{", pos)) != std::string::npos) {
      std::string prefix = r.path.substr(0, pos);
      size_t end = r.path.find('/', pos + 1);
      std::string part = r.path.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
      auto [it, inserted] = variable_at.try_emplace(prefix, part, r.method + " " + r.path);
      if (!inserted && it->second.first != part) {
        FailKey(e, "'" + part + "' conflicts with '" + it->second.first + "' of route '" +
                                  it->second.second + "' (one variable path part per level)");
      }
      pos += 2;
    }
  }

  IntegrationSpec LoadIntegration(const YAML::Node& n, const std::string& path, const Stack& stack) {
    IntegrationSpec in;
    const std::string ipath = path + ".integration";
    const YAML::Node& integration = n["integration"];
    std::string s;
    if (integration.IsMap()) {
      // The long form: {type: AWS_PROXY, function: <name>}, or {type: HTTP} with the route's uri.
      CheckKeys(integration, ipath, {"type", "function"});
      if (!integration["type"]) Fail(integration, ipath, "missing 'type'");
      const std::string type = NonEmptyString(integration["type"], ipath + ".type");
      if (type != "AWS_PROXY" || n["uri"]) {
        if (integration["function"]) Fail(integration["function"], ipath + ".function", "a " + type + " integration is given by 'uri'");
        return LoadUriIntegration(n, path, type, integration["type"]);
      }
      if (!integration["function"]) Fail(integration, ipath, "missing 'function'");
      s = "lambda:" + NonEmptyString(integration["function"], ipath + ".function");
    } else {
      s = NonEmptyString(integration, ipath);
      if (Contains(kIntegrationTypes, s)) return LoadUriIntegration(n, path, s, integration);
    }
    for (const char* key : {"uri", "httpMethod"}) {
      if (n[key]) Fail(n[key], path + "." + key, "'" + std::string(key) + "' goes with integration: AWS, AWS_PROXY, HTTP or HTTP_PROXY");
    }
    if (s.rfind("lambda:", 0) == 0) {
      // Lambda proxy integration: the whole request goes to the function as
      // API Gateway's payload 1.0 event; its answer is the HTTP response.
      in.type = "AWS_PROXY";
      in.function = s.substr(std::strlen("lambda:"));
      const bool known = std::any_of(stack.functions.begin(), stack.functions.end(),
                                     [&](const FunctionSpec& f) { return f.name == in.function; });
      const YAML::Node at = integration.IsMap() ? integration["function"] : integration;
      if (!known) Fail(at, ipath, "unknown function '" + in.function + "'");
      for (const char* key : {"passthrough", "requestTemplates", "responses"}) {
        if (n[key]) Fail(n[key], path + "." + key, std::string("a lambda: (proxy) integration has no '") + key + "'");
      }
      LoadIntegrationSettings(n, path, in);
      return in;
    }
    if (s == "mock") {
      in.type = "MOCK";
    } else if (s.rfind("dynamodb:", 0) == 0) {
      in.type = "AWS";
      in.service = "dynamodb";
      in.action = s.substr(std::strlen("dynamodb:"));
      if (!Contains(kDynamoActions, in.action)) {
        Fail(n["integration"], ipath, "unknown DynamoDB action '" + in.action + "'");
      }
    } else {
      Fail(n["integration"], ipath,
           "unknown integration '" + s + "' (expected dynamodb:<Action>, e.g. dynamodb:PutItem, lambda:<Function>, mock, "
           "or AWS / AWS_PROXY / HTTP / HTTP_PROXY with a 'uri')");
    }
    LoadIntegrationSettings(n, path, in);
    LoadTemplatesAndResponses(n, path, in);
    return in;
  }

  // integration: AWS | AWS_PROXY | HTTP | HTTP_PROXY | MOCK with the route's
  // 'uri' (arn:aws:apigateway:{region}:dynamodb:action/{Action},
  // arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations,
  // http://...) and 'httpMethod'.
  IntegrationSpec LoadUriIntegration(const YAML::Node& n, const std::string& path, const std::string& type,
                                     const YAML::Node& at) {
    IntegrationSpec in;
    if (!Contains(kIntegrationTypes, type)) {
      Fail(at, path + ".integration", "unknown integration type '" + type + "' (expected " + OneOf(kIntegrationTypes) + ")");
    }
    in.type = type;
    if (type != "MOCK") {
      if (!n["uri"]) Fail(n, path, "a " + type + " integration needs 'uri'");
      in.uri = NonEmptyString(n["uri"], path + ".uri");
      const std::string& uri = in.uri;
      const bool is_http = uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0;
      if (type == "HTTP" || type == "HTTP_PROXY") {
        if (!is_http && uri.rfind("${stageVariables.", 0) != 0) Fail(n["uri"], path + ".uri", "expected an http:// URL");
      } else if (uri.rfind("arn:aws:apigateway:", 0) != 0) {
        Fail(n["uri"], path + ".uri",
             "expected arn:aws:apigateway:{region}:dynamodb:action/{Action} or "
             "arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations");
      } else if (const size_t at_action = uri.find(":dynamodb:action/"); at_action != std::string::npos) {
        in.service = "dynamodb";
        in.action = uri.substr(at_action + std::strlen(":dynamodb:action/"));
        if (!Contains(kDynamoActions, in.action)) Fail(n["uri"], path + ".uri", "unknown DynamoDB action '" + in.action + "'");
        if (type == "AWS_PROXY") Fail(n["uri"], path + ".uri", "AWS_PROXY integrates a Lambda function, not DynamoDB");
      } else if (uri.find(":lambda:path/2015-03-31/functions/") != std::string::npos) {
        in.service = "lambda";
      } else {
        Fail(n["uri"], path + ".uri", "only dynamodb:action/{Action} and lambda:path/... services are supported");
      }
    } else if (n["uri"]) {
      Fail(n["uri"], path + ".uri", "a MOCK integration has no 'uri'");
    }
    if (n["httpMethod"]) {
      in.http_method = OneOfString(n["httpMethod"], path + ".httpMethod", "HTTP method", kHttpMethods);
    } else if (type == "AWS") {
      in.http_method = "POST";
    }
    LoadIntegrationSettings(n, path, in);
    if (type == "AWS_PROXY" || type == "HTTP_PROXY") {
      for (const char* key : {"passthrough", "requestTemplates", "responses", "contentHandling"}) {
        if (n[key]) Fail(n[key], path + "." + key, "a " + type + " integration has no '" + key + "'");
      }
      return in;
    }
    LoadTemplatesAndResponses(n, path, in);
    return in;
  }

  // timeoutInMillis, requestParameters, contentHandling: any integration type.
  void LoadIntegrationSettings(const YAML::Node& n, const std::string& path, IntegrationSpec& in) {
    // API Gateway's integration timeout: 50 ms .. 29 s.
    if (n["timeoutInMillis"]) in.timeout_ms = Int(n["timeoutInMillis"], path + ".timeoutInMillis", 50, 29000);
    for (auto& [e, value] : StringMap(n["requestParameters"], path + ".requestParameters")) {
      bool target_ok = false;
      for (const char* prefix : {"integration.request.header.", "integration.request.querystring.", "integration.request.path."}) {
        if (e.key.rfind(prefix, 0) == 0 && e.key.size() > std::strlen(prefix)) target_ok = true;
      }
      if (!target_ok) FailKey(e, "'" + e.key + "' is not integration.request.{header,querystring,path}.<name>");
      CheckMappingSource(e, value, {"method.request.", "context.", "stageVariables."});
      in.request_parameters[e.key] = value;
    }
    if (n["contentHandling"]) {
      in.content_handling = OneOfString(n["contentHandling"], path + ".contentHandling", "content handling", kContentHandling);
    }
  }

  // A mapping source: a quoted static value or one of `prefixes`.
  void CheckMappingSource(const Entry& e, const std::string& value, std::initializer_list<const char*> prefixes) {
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') return;
    for (const char* p : prefixes) {
      if (value.rfind(p, 0) == 0 && value.size() > std::strlen(p)) return;
    }
    std::string expected;
    for (const char* p : prefixes) expected += std::string(expected.empty() ? "" : ", ") + p + "*";
    Fail(e.value, e.path, "'" + value + "' must be a quoted static value like \"'" + value + "'\" or one of " + expected);
  }

  // stageVariables, binaryMediaTypes, gatewayResponses.
  void LoadApiIntegrationSettings(const YAML::Node& n, const std::string& path, ApiSpec& api) {
    for (auto& [e, value] : StringMap(n["stageVariables"], path + ".stageVariables")) {
      if (!AllCharsIn(e.key, "_") || e.key.size() > 64) FailKey(e, "invalid stage variable name '" + e.key + "' (a-z, A-Z, 0-9, '_')");
      api.stage_variables[e.key] = value;
    }
    if (YAML::Node types = n["binaryMediaTypes"]; types && !types.IsNull()) {
      if (!types.IsSequence()) Fail(types, path + ".binaryMediaTypes", "expected a list of media types");
      for (size_t i = 0; i < types.size(); ++i) {
        std::string t = NonEmptyString(types[i], path + ".binaryMediaTypes[" + std::to_string(i) + "]");
        if (t.find('/') == std::string::npos) Fail(types[i], path + ".binaryMediaTypes", "'" + t + "' is not a media type (e.g. image/png, */*)");
        api.binary_media_types.push_back(t);
      }
    }
    for (const Entry& e : Entries(n["gatewayResponses"], path + ".gatewayResponses", "gateway response")) {
      if (!Contains(kGatewayResponseTypes, e.key)) {
        FailKey(e, "unknown gateway response type '" + e.key + "' (expected " + OneOf(kGatewayResponseTypes) + ")");
      }
      GatewayResponseSpec g;
      g.type = e.key;
      if (e.value && !e.value.IsNull()) {
        RequireMap(e.value, e.path);
        CheckKeys(e.value, e.path, {"status", "headers", "templates"});
        if (e.value["status"]) g.status_code = Int(e.value["status"], e.path + ".status", 100, 599);
        for (auto& [h, value] : StringMap(e.value["headers"], e.path + ".headers")) {
          if (!AllCharsIn(h.key, "!#$%&'*+-.^_`|~")) FailKey(h, "invalid header name '" + h.key + "'");
          CheckMappingSource(h, value, {"method.request.", "context.", "stageVariables."});
          g.response_parameters["gatewayresponse.header." + h.key] = value;
        }
        for (auto& [t, value] : StringMap(e.value["templates"], e.path + ".templates")) {
          CheckContentType(t);
          g.response_templates[t.key] = value;
        }
      }
      api.gateway_responses.push_back(std::move(g));
    }
  }

  void LoadTemplatesAndResponses(const YAML::Node& n, const std::string& path, IntegrationSpec& in) {
    if (n["passthrough"]) {
      in.passthrough_behavior =
          OneOfString(n["passthrough"], path + ".passthrough", "passthrough behavior", kPassthrough);
    }
    for (auto& [e, value] : StringMap(n["requestTemplates"], path + ".requestTemplates")) {
      CheckContentType(e);
      in.request_templates[e.key] = value;
    }
    if (YAML::Node responses = n["responses"]; responses && !responses.IsNull()) {
      if (!responses.IsSequence()) Fail(responses, path + ".responses", "expected a list of responses");
      std::set<std::string> patterns;
      for (size_t i = 0; i < responses.size(); ++i) {
        std::string rpath = path + ".responses[" + std::to_string(i) + "]";
        IntegrationResponseSpec resp = LoadResponse(responses[i], rpath);
        if (!patterns.insert(resp.selection_pattern).second) {
          Fail(responses[i], rpath,
               resp.selection_pattern.empty()
                   ? std::string("a second default response (one without 'pattern')")
                   : "duplicate pattern '" + resp.selection_pattern + "'");
        }
        in.responses.push_back(std::move(resp));
      }
    } else {
      // No responses written: one default 200 that passes the body through.
      in.responses.push_back(IntegrationResponseSpec{});
    }
  }

  void CheckContentType(const Entry& e) {
    if (e.key.find('/') == std::string::npos || e.key.front() == '/' || e.key.back() == '/') {
      FailKey(e, "'" + e.key + "' is not a content type (e.g. application/json)");
    }
  }

  IntegrationResponseSpec LoadResponse(const YAML::Node& n, const std::string& path) {
    RequireMap(n, path);
    CheckKeys(n, path, {"pattern", "status", "templates", "headers", "contentHandling"});
    IntegrationResponseSpec r;
    if (n["pattern"]) r.selection_pattern = String(n["pattern"], path + ".pattern");
    if (!n["status"]) Fail(n, path, "missing 'status'");
    r.status_code = std::to_string(Int(n["status"], path + ".status", 100, 599));
    for (auto& [e, value] : StringMap(n["templates"], path + ".templates")) {
      CheckContentType(e);
      r.response_templates[e.key] = value;
    }
    for (auto& [e, value] : StringMap(n["headers"], path + ".headers")) {
      if (!AllCharsIn(e.key, "!#$%&'*+-.^_`|~")) FailKey(e, "invalid header name '" + e.key + "'");
      // Values are API Gateway mapping expressions: a quoted static value or
      // a reference into the integration response.
      bool is_static = value.size() >= 2 && value.front() == '\'' && value.back() == '\'';
      if (!is_static && value.rfind("integration.response.", 0) != 0 && value.rfind("context.", 0) != 0 &&
          value.rfind("stageVariables.", 0) != 0) {
        Fail(e.value, e.path,
             "header value must be a quoted static value like \"'" + value +
                 "'\" or integration.response.header.<Name> / integration.response.body[.<path>] / context.* / stageVariables.*");
      }
      r.response_parameters["method.response.header." + e.key] = value;
    }
    if (n["contentHandling"]) {
      r.content_handling = OneOfString(n["contentHandling"], path + ".contentHandling", "content handling", kContentHandling);
    }
    return r;
  }

  std::string source_;
  std::vector<std::string> warnings_;  // -> Stack::warnings
};

Result<Stack> Parse(const std::string& text, const std::string& source, const std::string& base_dir) {
  Loader loader(source);
  try {
    YAML::Node root = YAML::Load(text);
    return loader.Load(root, base_dir);
  } catch (const LoadError& e) {
    return Status::Validation(e.message);
  } catch (const YAML::Exception& e) {
    std::string where = source;
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return Status::Validation(where + ": YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return Status::Validation(source + ": " + e.what());
  }
}

}  // namespace

Result<Stack> ParseStackYaml(const std::string& text, const std::string& base_dir) {
  std::string dir = base_dir;
  if (!dir.empty()) {
    std::error_code ec;
    fs::path abs = fs::absolute(dir, ec);
    if (!ec) dir = abs.lexically_normal().string();
  }
  return Parse(text, "<stack yaml>", dir);
}

Result<Stack> LoadStackFile(const std::string& path) {
  std::error_code dir_ec;
  if (fs::is_directory(path, dir_ec)) {
    return Status::Validation("cannot read stack file '" + path + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Validation("cannot read stack file '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Validation("cannot read stack file '" + path + "'");
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  std::string base_dir = ec ? fs::path(path).parent_path().string()
                            : abs.lexically_normal().parent_path().string();
  return Parse(text.str(), path, base_dir);
}

}  // namespace streamer::stack
