#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "core/json.h"
#include "stack/stack.h"

namespace streamer::stack {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DefaultStack, SeedFileEqualsBuiltInText) {
  std::string file = ReadFile(SEED_STACK_YAML);
  ASSERT_FALSE(file.empty()) << SEED_STACK_YAML;
  EXPECT_EQ(file, std::string(DefaultStackYaml()));
}

TEST(DefaultStack, IsTheSeed) {
  Stack s = DefaultStack();
  EXPECT_EQ(s.name, "the-dynamo-streamer");

  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_EQ(s.tables[0].name, "TheDynamoStreamer");
  EXPECT_EQ(s.tables[0].partition_key.name, "message");
  EXPECT_EQ(s.tables[0].partition_key.type, "S");
  EXPECT_FALSE(s.tables[0].sort_key.has_value());
  EXPECT_EQ(s.tables[0].stream_view_type, "NEW_IMAGE");

  ASSERT_EQ(s.functions.size(), 1u);
  EXPECT_EQ(s.functions[0].name, "DynamoLambdaHandler");
  EXPECT_EQ(s.functions[0].kind, "log");
  EXPECT_TRUE(s.functions[0].command.empty());

  ASSERT_EQ(s.event_mappings.size(), 1u);
  const EventMappingSpec& m = s.event_mappings[0];
  EXPECT_EQ(m.function, "DynamoLambdaHandler");
  EXPECT_EQ(m.table, "TheDynamoStreamer");
  EXPECT_EQ(m.starting_position, "LATEST");
  EXPECT_EQ(m.batch_size, 100);
  EXPECT_EQ(m.maximum_batching_window_seconds, 0);
  EXPECT_TRUE(m.enabled);

  ASSERT_EQ(s.apis.size(), 1u);
  const ApiSpec& api = s.apis[0];
  EXPECT_EQ(api.name, "DynamoStreamerAPI");
  EXPECT_EQ(api.stage, "prod");
  ASSERT_EQ(api.routes.size(), 1u);
  const RouteSpec& r = api.routes[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/InsertItem");
  const IntegrationSpec& in = r.integration;
  EXPECT_EQ(in.type, "AWS");
  EXPECT_EQ(in.service, "dynamodb");
  EXPECT_EQ(in.action, "PutItem");
  EXPECT_EQ(in.passthrough_behavior, "NEVER");
  ASSERT_EQ(in.request_templates.size(), 1u);
  EXPECT_EQ(in.request_templates.at("application/json"),
            R"j({"TableName":"TheDynamoStreamer","Item":{"message":{"S":"$input.path('$.message')"}}})j");

  ASSERT_EQ(in.responses.size(), 2u);
  EXPECT_EQ(in.responses[0].selection_pattern, "");
  EXPECT_EQ(in.responses[0].status_code, "200");
  EXPECT_EQ(in.responses[0].response_templates,
            (std::map<std::string, std::string>{{"application/json", R"({"message": "item added to db"})"}}));
  EXPECT_TRUE(in.responses[0].response_parameters.empty());

  EXPECT_EQ(in.responses[1].selection_pattern, R"(^\[BadRequest\].*)");
  EXPECT_EQ(in.responses[1].status_code, "400");
  EXPECT_EQ(in.responses[1].response_templates,
            (std::map<std::string, std::string>{
                {"application/json",
                 R"j({"state":"error","message":"$util.escapeJavaScript($input.path('$.errorMessage'))"})j"}}));
  EXPECT_EQ(in.responses[1].response_parameters,
            (std::map<std::string, std::string>{
                {"method.response.header.Content-Type", "'application/json'"},
                {"method.response.header.Access-Control-Allow-Origin", "'*'"},
                {"method.response.header.Access-Control-Allow-Credentials", "'true'"}}));
}

TEST(LoadStackFile, LoadsSeedFileAndSetsBaseDir) {
  Result<Stack> r = LoadStackFile(SEED_STACK_YAML);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->base_dir, fs::path(SEED_STACK_YAML).parent_path().lexically_normal().string());
  EXPECT_EQ(r->tables.size(), 1u);
}

TEST(LoadStackFile, MissingFileNamesThePath) {
  Result<Stack> r = LoadStackFile("/nonexistent/dir/stack.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/dir/stack.yaml"), std::string::npos);
  EXPECT_EQ(r.status().type(), "ValidationException");
}

TEST(LoadStackFile, DirectoryIsNotAStackFile) {
  Result<Stack> r = LoadStackFile(fs::temp_directory_path().string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("it is a directory"), std::string::npos) << r.status().message();
}

TEST(LoadStackFile, ErrorsNameFileLineAndPath) {
  fs::path dir = fs::temp_directory_path() / ("stack_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "bad.yaml";
  std::ofstream(file) << "tables:\n  Foo:\n    partitionKey: id\n    stream: NEW\n";
  Result<Stack> r = LoadStackFile(file.string());
  fs::remove_all(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            file.string() +
                ":4:13: tables.Foo.stream: unknown view type 'NEW' (expected KEYS_ONLY, "
                "NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES)");
}

TEST(ParseStackYaml, FullFeatured) {
  const char* yaml = R"(
name: shop
tables:
  Orders:
    partitionKey: {name: customer, type: S}
    sortKey: {name: ts, type: N}
    stream: NEW_AND_OLD_IMAGES
  Blobs:
    partitionKey: {name: id, type: B}
functions:
  Audit:
    exec: ["python3", "audit.py", "--verbose"]
    workingDir: handlers
    timeout: 30
    environment: {LEVEL: debug, RETRIES: 3, EMPTY: }
  Shell:
    exec: echo hi | cat
    workingDir: /opt/abs
  Printer:
    handler: log
events:
  - function: Audit
    table: Orders
    startingPosition: TRIM_HORIZON
    batchSize: 10000
    batchWindow: 5
    enabled: false
  - function: Printer
    table: Orders
apis:
  ShopAPI:
    routes:
      GET /orders/{customer}:
        integration: dynamodb:Query
      GET /orders/{customer}/items/{item}: {integration: dynamodb:GetItem}
      ANY /files/{proxy+}:
        integration: mock
        passthrough: WHEN_NO_TEMPLATES
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          - status: 204
          - pattern: '5\d\d'
            status: 500
            headers: {X-Source: integration.response.header.X-Upstream}
      GET /:
        integration: mock
      POST /orders/{customer}:
        integration: dynamodb:PutItem
)";
  Result<Stack> r = ParseStackYaml(yaml, "/srv/stacks");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Stack& s = *r;
  EXPECT_EQ(s.name, "shop");
  EXPECT_EQ(s.base_dir, "/srv/stacks");
  ASSERT_EQ(s.tables.size(), 2u);
  EXPECT_EQ(s.tables[0].partition_key.type, "S");
  ASSERT_TRUE(s.tables[0].sort_key.has_value());
  EXPECT_EQ(s.tables[0].sort_key->name, "ts");
  EXPECT_EQ(s.tables[0].sort_key->type, "N");
  EXPECT_EQ(s.tables[0].stream_view_type, "NEW_AND_OLD_IMAGES");
  EXPECT_EQ(s.tables[1].partition_key.type, "B");
  EXPECT_EQ(s.tables[1].stream_view_type, "");

  ASSERT_EQ(s.functions.size(), 3u);
  const FunctionSpec& audit = s.functions[0];
  EXPECT_EQ(audit.kind, "exec");
  EXPECT_EQ(audit.command, (std::vector<std::string>{"python3", "audit.py", "--verbose"}));
  EXPECT_EQ(audit.working_dir, "/srv/stacks/handlers");
  EXPECT_EQ(audit.timeout_seconds, 30);
  EXPECT_EQ(audit.environment,
            (std::map<std::string, std::string>{{"LEVEL", "debug"}, {"RETRIES", "3"}, {"EMPTY", ""}}));
  EXPECT_EQ(s.functions[1].command, (std::vector<std::string>{"/bin/sh", "-c", "echo hi | cat"}));
  EXPECT_EQ(s.functions[1].working_dir, "/opt/abs");
  EXPECT_EQ(s.functions[1].timeout_seconds, 3);
  EXPECT_EQ(s.functions[2].kind, "log");
  EXPECT_EQ(s.functions[2].working_dir, "");

  ASSERT_EQ(s.event_mappings.size(), 2u);
  EXPECT_EQ(s.event_mappings[0].starting_position, "TRIM_HORIZON");
  EXPECT_EQ(s.event_mappings[0].batch_size, 10000);
  EXPECT_EQ(s.event_mappings[0].maximum_batching_window_seconds, 5);
  EXPECT_FALSE(s.event_mappings[0].enabled);
  EXPECT_EQ(s.event_mappings[1].batch_size, 100);
  EXPECT_EQ(s.event_mappings[1].starting_position, "LATEST");

  ASSERT_EQ(s.apis.size(), 1u);
  const ApiSpec& api = s.apis[0];
  EXPECT_EQ(api.stage, "prod");
  ASSERT_EQ(api.routes.size(), 5u);
  EXPECT_EQ(api.routes[0].integration.action, "Query");
  // Without responses: one default 200 response.
  ASSERT_EQ(api.routes[0].integration.responses.size(), 1u);
  EXPECT_EQ(api.routes[0].integration.responses[0].status_code, "200");
  EXPECT_EQ(api.routes[0].integration.responses[0].selection_pattern, "");
  EXPECT_EQ(api.routes[0].integration.passthrough_behavior, "WHEN_NO_MATCH");
  const RouteSpec& files = api.routes[2];
  EXPECT_EQ(files.method, "ANY");
  EXPECT_EQ(files.path, "/files/{proxy+}");
  EXPECT_EQ(files.integration.type, "MOCK");
  EXPECT_EQ(files.integration.passthrough_behavior, "WHEN_NO_TEMPLATES");
  ASSERT_EQ(files.integration.responses.size(), 2u);
  EXPECT_EQ(files.integration.responses[0].status_code, "204");
  EXPECT_EQ(files.integration.responses[1].selection_pattern, "5\\d\\d");
  EXPECT_EQ(files.integration.responses[1].response_parameters.at("method.response.header.X-Source"),
            "integration.response.header.X-Upstream");
  EXPECT_EQ(api.routes[3].path, "/");
}

TEST(ParseStackYaml, LambdaProxyRoutes) {
  auto r = ParseStackYaml(
      "functions:\n  F: {handler: log}\n"
      "apis:\n  A:\n    routes:\n"
      "      GET /a: {integration: 'lambda:F'}\n"
      "      ANY /b/{proxy+}: {integration: {type: AWS_PROXY, function: F}, timeoutInMillis: 50}\n",
      "/srv");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->apis[0].routes.size(), 2u);
  for (const RouteSpec& route : r->apis[0].routes) {
    EXPECT_EQ(route.integration.type, "AWS_PROXY");
    EXPECT_EQ(route.integration.function, "F");
    EXPECT_TRUE(route.integration.responses.empty());
  }
  EXPECT_EQ(r->apis[0].routes[0].integration.timeout_ms, 29000);
  EXPECT_EQ(r->apis[0].routes[1].integration.timeout_ms, 50);
}

TEST(ParseStackYaml, EveryMappingOption) {
  auto r = ParseStackYaml(
      "tables:\n  Tab1: {partitionKey: id, stream: NEW_IMAGE}\n"
      "functions:\n  F: {handler: log}\n"
      "events:\n"
      "  - function: F\n"
      "    table: Tab1\n"
      "    startingPosition: AT_TIMESTAMP\n"
      "    startingPositionTimestamp: 1700000000.25\n"
      "    batchSize: 7\n"
      "    maximumBatchingWindow: 3\n"
      "    maximumRetryAttempts: 0\n"
      "    maximumRecordAge: 60\n"
      "    bisectBatchOnFunctionError: true\n"
      "    parallelizationFactor: 10\n"
      "    functionResponseTypes: [ReportBatchItemFailures]\n"
      "    filters:\n"
      "      - {eventName: [INSERT], dynamodb: {NewImage: {n: {N: [{numeric: ['>', 5]}]}}}}\n"
      "      - '{\"eventName\": [\"REMOVE\"]}'\n"
      "      - {dynamodb: {Keys: {id: {S: ['007', {prefix: 'a\"b'}]}}}, x: [null, true, 1.5e3]}\n"
      "    tumblingWindow: 900\n"
      "    destinations: {onFailure: 'arn:aws:sqs:us-east-1:000000000000:dlq'}\n",
      "/srv");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const EventMappingSpec& m = r->event_mappings[0];
  EXPECT_EQ(m.starting_position, "AT_TIMESTAMP");
  EXPECT_DOUBLE_EQ(m.starting_position_timestamp.value_or(0), 1700000000.25);
  EXPECT_EQ(m.batch_size, 7);
  EXPECT_EQ(m.maximum_batching_window_seconds, 3);
  EXPECT_EQ(m.maximum_retry_attempts, 0);
  EXPECT_EQ(m.maximum_record_age_seconds, 60);
  EXPECT_TRUE(m.bisect_batch_on_function_error);
  EXPECT_EQ(m.parallelization_factor, 10);
  EXPECT_TRUE(m.report_batch_item_failures);
  ASSERT_EQ(m.filter_patterns.size(), 3u);
  EXPECT_EQ(m.filter_patterns[0],
            R"({"eventName":["INSERT"],"dynamodb":{"NewImage":{"n":{"N":[{"numeric":[">",5]}]}}}})");
  EXPECT_EQ(m.filter_patterns[1], R"({"eventName": ["REMOVE"]})");
  // Quoted scalars stay strings ('007'); plain ones are numbers, booleans, null.
  EXPECT_EQ(m.filter_patterns[2], R"({"dynamodb":{"Keys":{"id":{"S":["007",{"prefix":"a\"b"}]}}},"x":[null,true,1.5e3]})");
  EXPECT_EQ(m.tumbling_window_seconds, 900);
  EXPECT_EQ(m.on_failure_destination, "arn:aws:sqs:us-east-1:000000000000:dlq");
  // Defaults, as Lambda's.
  auto d = ParseStackYaml("tables:\n  Tab1: {partitionKey: id, stream: NEW_IMAGE}\n"
                          "functions:\n  F: {handler: log}\nevents:\n  - {function: F, table: Tab1}\n", "/srv");
  ASSERT_TRUE(d.ok()) << d.status().message();
  const EventMappingSpec& e = d->event_mappings[0];
  EXPECT_EQ(e.batch_size, 100);
  EXPECT_EQ(e.maximum_retry_attempts, -1);
  EXPECT_EQ(e.maximum_record_age_seconds, -1);
  EXPECT_EQ(e.parallelization_factor, 1);
  EXPECT_FALSE(e.bisect_batch_on_function_error);
  EXPECT_FALSE(e.report_batch_item_failures);
  EXPECT_TRUE(e.filter_patterns.empty());
  EXPECT_EQ(e.tumbling_window_seconds, 0);
  EXPECT_EQ(e.on_failure_destination, "");
  EXPECT_TRUE(e.enabled);
}

TEST(ParseStackYaml, LambdaFunctionsAsSamDeclaresThem) {
  const fs::path dir = fs::temp_directory_path() / ("stack-test-" + std::to_string(::getpid()));
  fs::create_directories(dir / "src");
  Result<Stack> r = ParseStackYaml(
      "functions:\n"
      "  Py:\n    runtime: python3.12\n    handler: app.handler\n    code: src\n    memorySize: 256\n"
      "    reservedConcurrency: 2\n    description: the seed's function\n    timeout: 30\n"
      "    environment: {TABLE: T}\n"
      "  Here: {runtime: provided.al2023}\n"
      "  Hook: {http: 'http://127.0.0.1:9/hook', reservedConcurrency: 0}\n",
      dir.string());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->functions.size(), 3u);
  const FunctionSpec& py = r->functions[0];
  EXPECT_EQ(py.kind, "lambda");
  EXPECT_EQ(py.runtime, "python3.12");
  EXPECT_EQ(py.handler, "app.handler");
  EXPECT_EQ(py.code_dir, (dir / "src").string());
  EXPECT_EQ(py.memory_size_mb, 256);
  EXPECT_EQ(py.reserved_concurrency, 2);
  EXPECT_EQ(py.description, "the seed's function");
  EXPECT_EQ(py.timeout_seconds, 30);
  EXPECT_EQ(py.environment.at("TABLE"), "T");
  EXPECT_EQ(r->functions[1].kind, "lambda");
  EXPECT_EQ(r->functions[1].code_dir, dir.string());  // code defaults to the stack's folder
  EXPECT_EQ(r->functions[1].memory_size_mb, 128);
  EXPECT_FALSE(r->functions[1].reserved_concurrency.has_value());
  EXPECT_EQ(r->functions[2].kind, "http");
  EXPECT_EQ(r->functions[2].url, "http://127.0.0.1:9/hook");
  EXPECT_EQ(r->functions[2].reserved_concurrency, 0);
  fs::remove_all(dir);
}

TEST(ParseStackYaml, GatewayIntegrationsByUri) {
  Result<Stack> r = ParseStackYaml(R"(
apis:
  A:
    stageVariables: {backend: 'http://127.0.0.1:1', table: T}
    binaryMediaTypes: [image/png, '*/*']
    gatewayResponses:
      DEFAULT_4XX:
        status: 400
        headers: {Access-Control-Allow-Origin: "'*'"}
        templates: {application/json: '{"m":$context.error.messageString}'}
      UNAUTHORIZED: ~
    routes:
      GET /get/{id}:
        integration: AWS
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem
        requestParameters: {integration.request.header.X-Id: method.request.path.id}
        contentHandling: CONVERT_TO_TEXT
        timeoutInMillis: 1000
        responses:
          - {status: 200, contentHandling: CONVERT_TO_BINARY, headers: {X-S: stageVariables.table, X-R: context.requestId}}
      POST /fn:
        integration: {type: AWS}
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:F/invocations
      ANY /web/{proxy+}:
        integration: HTTP_PROXY
        uri: http://127.0.0.1:9/{proxy}
        httpMethod: ANY
      GET /http:
        integration: HTTP
        uri: ${stageVariables.backend}/x
        httpMethod: POST
)",
                                   "/tmp");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const ApiSpec& api = r->apis[0];
  EXPECT_EQ(api.stage_variables.at("table"), "T");
  EXPECT_EQ(api.binary_media_types, (std::vector<std::string>{"image/png", "*/*"}));
  ASSERT_EQ(api.gateway_responses.size(), 2u);
  EXPECT_EQ(api.gateway_responses[0].type, "DEFAULT_4XX");
  EXPECT_EQ(api.gateway_responses[0].status_code, 400);
  EXPECT_EQ(api.gateway_responses[0].response_parameters.at("gatewayresponse.header.Access-Control-Allow-Origin"), "'*'");
  EXPECT_EQ(api.gateway_responses[1].type, "UNAUTHORIZED");
  EXPECT_FALSE(api.gateway_responses[1].status_code.has_value());
  ASSERT_EQ(api.routes.size(), 4u);
  const IntegrationSpec& get = api.routes[0].integration;
  EXPECT_EQ(get.type, "AWS");
  EXPECT_EQ(get.service, "dynamodb");
  EXPECT_EQ(get.action, "GetItem");
  EXPECT_EQ(get.http_method, "POST");
  EXPECT_EQ(get.timeout_ms, 1000);
  EXPECT_EQ(get.content_handling, "CONVERT_TO_TEXT");
  EXPECT_EQ(get.request_parameters.at("integration.request.header.X-Id"), "method.request.path.id");
  EXPECT_EQ(get.responses[0].content_handling, "CONVERT_TO_BINARY");
  EXPECT_EQ(get.responses[0].response_parameters.at("method.response.header.X-S"), "stageVariables.table");
  EXPECT_EQ(api.routes[1].integration.service, "lambda");
  EXPECT_EQ(api.routes[2].integration.type, "HTTP_PROXY");
  EXPECT_EQ(api.routes[2].integration.http_method, "ANY");
  EXPECT_EQ(api.routes[3].integration.uri, "${stageVariables.backend}/x");
}

TEST(ParseStackYaml, EmptySectionsAreFine) {
  Result<Stack> r = ParseStackYaml("name: nothing\ntables:\nfunctions:\nevents:\napis:\n", "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->tables.empty());
  EXPECT_EQ(r->base_dir, "");
}

TEST(ParseStackYaml, RelativeBaseDirBecomesAbsolute) {
  Result<Stack> r = ParseStackYaml(
      "functions:\n  F:\n    exec: [./run]\n    workingDir: ../code\n", "some/dir");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(fs::path(r->base_dir).is_absolute());
  EXPECT_EQ(r->functions[0].working_dir,
            (fs::path(r->base_dir).parent_path() / "code").string());
}

struct BadCase {
  const char* name;
  const char* yaml;
  const char* expected;  // must appear in the message
};

class BadStack : public testing::TestWithParam<BadCase> {};

TEST_P(BadStack, IsRejectedWithAClearMessage) {
  const BadCase& c = GetParam();
  Result<Stack> r = ParseStackYaml(c.yaml, "/tmp");
  ASSERT_FALSE(r.ok()) << c.name << " was accepted";
  EXPECT_EQ(r.status().type(), "ValidationException");
  EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
      << "message: " << r.status().message() << "\nexpected to contain: " << c.expected;
  EXPECT_EQ(r.status().message().rfind("<stack yaml>:", 0), 0u) << r.status().message();
}

// A valid table/function pair the event and api cases build on.
#define BASE                  \
  "tables:\n"                 \
  "  Tab1:\n"                   \
  "    partitionKey: id\n"    \
  "    stream: NEW_IMAGE\n"   \
  "  Plain:\n"                \
  "    partitionKey: id\n"    \
  "functions:\n"              \
  "  F:\n"                    \
  "    handler: log\n"

#define ROUTES(body)           \
  "apis:\n"                    \
  "  A:\n"                     \
  "    routes:\n" body

const BadCase kBadCases[] = {
    // YAML and document shape
    {"syntax", "tables:\n  Tab1: {partitionKey: id\n", "YAML syntax error"},
    {"syntax_line", "name: x\ntables:\n  - a\n  b: c\n", "<stack yaml>:4:"},
    {"tab_indent", "name: x\n\ttables: {}\n", "YAML syntax error"},
    {"empty", "", "the stack is empty"},
    {"comment_only", "# nothing\n", "the stack is empty"},
    {"not_a_map", "- a\n- b\n", "expected a mapping"},
    {"unknown_top", "name: x\nresources: {}\n", "resources: unknown key 'resources'"},
    {"duplicate_top", "name: x\nname: y\n", "duplicate key 'name'"},
    {"empty_name", "name: ''\n", "name: must not be empty"},
    {"name_list", "name: [a]\n", "name: expected a string"},
    {"tables_list", "tables: [a, b]\n", "tables: expected a mapping"},
    // tables
    {"table_no_pk", "tables:\n  Tab1: {stream: NEW_IMAGE}\n", "tables.Tab1: missing 'partitionKey'"},
    {"table_null", "tables:\n  Tab1:\n", "tables.Tab1: missing 'partitionKey'"},
    {"table_unknown_key", "tables:\n  Tab1: {partitionKey: id, timeToLive: x}\n", "tables.Tab1.timeToLive: unknown key 'timeToLive'"},
    {"table_bad_type", "tables:\n  Tab1: {partitionKey: {name: id, type: X}}\n",
     "tables.Tab1.partitionKey.type: unknown key type 'X'"},
    {"table_lower_type", "tables:\n  Tab1: {partitionKey: {name: id, type: s}}\n", "unknown key type 's'"},
    {"table_sk_bad_type", "tables:\n  Tab1: {partitionKey: id, sortKey: {name: ts, type: BOOL}}\n",
     "tables.Tab1.sortKey.type: unknown key type 'BOOL'"},
    {"table_key_no_name", "tables:\n  Tab1: {partitionKey: {type: S}}\n", "tables.Tab1.partitionKey: missing 'name'"},
    {"table_key_extra", "tables:\n  Tab1: {partitionKey: {name: id, kind: S}}\n",
     "tables.Tab1.partitionKey.kind: unknown key 'kind'"},
    {"table_key_empty", "tables:\n  Tab1: {partitionKey: ''}\n", "tables.Tab1.partitionKey: must not be empty"},
    {"table_key_list", "tables:\n  Tab1: {partitionKey: [id]}\n", "tables.Tab1.partitionKey: expected an attribute name"},
    {"table_same_keys", "tables:\n  Tab1: {partitionKey: id, sortKey: id}\n", "same name as the partition key"},
    {"table_bad_stream", "tables:\n  Foo: {partitionKey: id, stream: NEW}\n",
     "tables.Foo.stream: unknown view type 'NEW'"},
    {"table_stream_bool", "tables:\n  Foo: {partitionKey: id, stream: true}\n", "unknown view type 'true'"},
    {"table_short_name", "tables:\n  ab: {partitionKey: id}\n", "invalid table name 'ab'"},
    {"table_bad_chars", "tables:\n  'my table': {partitionKey: id}\n", "invalid table name 'my table'"},
    {"table_duplicate", "tables:\n  Tab1: {partitionKey: id}\n  Tab1: {partitionKey: k}\n", "tables.Tab1: duplicate key"},
    // functions
    {"fn_nothing", "functions:\n  F: {timeout: 3}\n", "functions.F: needs 'runtime' + 'handler'"},
    {"fn_null", "functions:\n  F:\n", "functions.F: needs 'runtime' + 'handler'"},
    {"fn_both", "functions:\n  F: {handler: log, exec: [cat]}\n", "give one of 'runtime'"},
    {"fn_runtime_and_exec", "functions:\n  F: {runtime: python3.12, handler: a.b, exec: [cat]}\n", "give one of"},
    {"fn_bad_runtime", "functions:\n  F: {runtime: java21, handler: a.b}\n",
     "functions.F.runtime: unsupported runtime 'java21'"},
    {"fn_bad_python", "functions:\n  F: {runtime: python3.x, handler: a.b}\n", "unsupported runtime 'python3.x'"},
    {"fn_runtime_no_handler", "functions:\n  F: {runtime: python3.12}\n", "functions.F: a python3.12 function needs 'handler'"},
    {"fn_handler_space", "functions:\n  F: {runtime: python3.12, handler: 'a b'}\n", "functions.F.handler: invalid handler"},
    {"fn_code_missing", "functions:\n  F: {runtime: python3.12, handler: a.b, code: no/such/dir}\n",
     "functions.F.code: no such folder: /tmp/no/such/dir"},
    {"fn_code_without_runtime", "functions:\n  F: {exec: [cat], code: src}\n",
     "functions.F.code: only functions with a 'runtime' have 'code'"},
    {"fn_memory_low", "functions:\n  F: {runtime: python3.12, handler: a.b, memorySize: 127}\n", "functions.F.memorySize"},
    {"fn_memory_high", "functions:\n  F: {runtime: python3.12, handler: a.b, memorySize: 10241}\n", "functions.F.memorySize"},
    {"fn_reserved_high", "functions:\n  F: {handler: log, reservedConcurrency: 901}\n", "functions.F.reservedConcurrency"},
    {"fn_reserved_negative", "functions:\n  F: {handler: log, reservedConcurrency: -1}\n", "functions.F.reservedConcurrency"},
    {"fn_description_long", "functions:\n  F: {handler: log, description: 'ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd'}\n",
     "functions.F.description: longer than 256"},
    {"fn_http_bad_url", "functions:\n  F: {http: 'ftp://x'}\n", "functions.F.http: expected an http:// or https:// URL"},
    {"fn_http_empty", "functions:\n  F: {http: ''}\n", "functions.F.http"},
    {"fn_unknown_handler", "functions:\n  F: {handler: index.handler}\n",
     "functions.F.handler: unknown handler 'index.handler'"},
    {"fn_unknown_key", "functions:\n  F: {handler: log, memory: 128}\n",
     "functions.F.memory: unknown key 'memory'"},
    {"fn_exec_empty_list", "functions:\n  F: {exec: []}\n", "functions.F.exec: empty command"},
    {"fn_exec_empty_string", "functions:\n  F: {exec: '  '}\n", "functions.F.exec: empty command"},
    {"fn_exec_empty_program", "functions:\n  F: {exec: ['', x]}\n", "functions.F.exec: empty command"},
    {"fn_exec_null", "functions:\n  F:\n    exec:\n", "functions.F.exec: empty command"},
    {"fn_exec_map", "functions:\n  F: {exec: {cmd: cat}}\n", "functions.F.exec: expected a command"},
    {"fn_exec_nested", "functions:\n  F: {exec: [cat, [x]]}\n", "functions.F.exec[1]: expected a string"},
    {"fn_timeout_zero", "functions:\n  F: {exec: [cat], timeout: 0}\n", "functions.F.timeout: must be between 1 and 900"},
    {"fn_timeout_big", "functions:\n  F: {exec: [cat], timeout: 901}\n", "must be between 1 and 900"},
    {"fn_timeout_text", "functions:\n  F: {exec: [cat], timeout: soon}\n", "expected a whole number, got 'soon'"},
    {"fn_timeout_float", "functions:\n  F: {exec: [cat], timeout: 1.5}\n", "expected a whole number, got '1.5'"},
    {"fn_env_list", "functions:\n  F: {exec: [cat], environment: [A=1]}\n",
     "functions.F.environment: expected a mapping"},
    {"fn_env_bad_name", "functions:\n  F: {exec: [cat], environment: {1A: x}}\n", "invalid environment variable name '1A'"},
    {"fn_env_nested", "functions:\n  F: {exec: [cat], environment: {A: {b: c}}}\n",
     "functions.F.environment.A: expected a string"},
    {"fn_workdir_log", "functions:\n  F: {handler: log, workingDir: x}\n", "only exec functions"},
    {"fn_bad_name", "functions:\n  'my fn': {handler: log}\n", "invalid function name 'my fn'"},
    // event source mappings
    {"ev_not_list", BASE "events: {function: F}\n", "events: expected a list"},
    {"ev_unknown_fn", BASE "events:\n  - {function: G, table: Tab1}\n", "events[0].function: unknown function 'G'"},
    {"ev_unknown_table", BASE "events:\n  - {function: F, table: T9}\n", "events[0].table: unknown table 'T9'"},
    {"ev_no_stream", BASE "events:\n  - {function: F, table: Plain}\n", "table 'Plain' has no stream"},
    {"ev_no_function", BASE "events:\n  - {table: Tab1}\n", "events[0]: missing 'function'"},
    {"ev_no_table", BASE "events:\n  - {function: F}\n", "events[0]: missing 'table'"},
    {"ev_batch_zero", BASE "events:\n  - {function: F, table: Tab1, batchSize: 0}\n",
     "events[0].batchSize: must be between 1 and 10000"},
    {"ev_batch_big", BASE "events:\n  - {function: F, table: Tab1, batchSize: 10001}\n", "between 1 and 10000, got 10001"},
    {"ev_batch_negative", BASE "events:\n  - {function: F, table: Tab1, batchSize: -5}\n", "between 1 and 10000"},
    {"ev_bad_position", BASE "events:\n  - {function: F, table: Tab1, startingPosition: AT_START}\n",
     "events[0].startingPosition: unknown starting position 'AT_START'"},
    {"ev_at_timestamp_without_time", BASE "events:\n  - {function: F, table: Tab1, startingPosition: AT_TIMESTAMP}\n",
     "events[0]: startingPosition AT_TIMESTAMP needs 'startingPositionTimestamp'"},
    {"ev_bad_timestamp", BASE "events:\n  - {function: F, table: Tab1, startingPosition: AT_TIMESTAMP, "
     "startingPositionTimestamp: yesterday}\n", "expected seconds since the epoch, got 'yesterday'"},
    {"ev_unknown_key", BASE "events:\n  - {function: F, table: Tab1, retries: 3}\n", "events[0].retries: unknown key"},
    {"ev_record_age", BASE "events:\n  - {function: F, table: Tab1, maximumRecordAge: 59}\n",
     "events[0].maximumRecordAge: must be -1 (forever) or between 60 and 604800"},
    {"ev_parallel", BASE "events:\n  - {function: F, table: Tab1, parallelizationFactor: 11}\n",
     "events[0].parallelizationFactor: must be between 1 and 10"},
    {"ev_retries", BASE "events:\n  - {function: F, table: Tab1, maximumRetryAttempts: -2}\n",
     "events[0].maximumRetryAttempts: must be between -1 and 10000"},
    {"ev_tumbling", BASE "events:\n  - {function: F, table: Tab1, tumblingWindow: 901}\n",
     "events[0].tumblingWindow: must be between 0 and 900"},
    {"ev_response_type", BASE "events:\n  - {function: F, table: Tab1, functionResponseTypes: [All]}\n",
     "events[0].functionResponseTypes[0]: unknown function response type 'All'"},
    {"ev_destination", BASE "events:\n  - {function: F, table: Tab1, destinations: {onFailure: 'arn:aws:s3:::b'}}\n",
     "events[0].destinations.onFailure: expected a function, table, SQS queue or SNS topic ARN"},
    {"ev_filters", BASE "events:\n  - {function: F, table: Tab1, filters: [1]}\n",
     "events[0].filters[0]: expected a filter pattern"},
    {"ev_filter_cycle", BASE "events:\n  - {function: F, table: Tab1, filters: [&a {x: [*a]}]}\n",
     "events[0].filters[0]"},
    {"ev_filter_invalid", BASE "events:\n  - {function: F, table: Tab1, filters: [{eventName: INSERT}]}\n",
     "events[0].filters[0]: Invalid filter pattern definition."},
    {"ev_both_windows", BASE "events:\n  - {function: F, table: Tab1, batchWindow: 1, maximumBatchingWindow: 1}\n",
     "give 'maximumBatchingWindow' or 'batchWindow', not both"},
    {"ev_window", BASE "events:\n  - {function: F, table: Tab1, batchWindow: 301}\n", "between 0 and 300"},
    {"ev_enabled", BASE "events:\n  - {function: F, table: Tab1, enabled: maybe}\n", "expected true or false"},
    {"ev_duplicate", BASE "events:\n  - {function: F, table: Tab1}\n  - {function: F, table: Tab1}\n",
     "events[1]: function 'F' already reads table 'Tab1'"},
    {"ev_second_bad", BASE "events:\n  - {function: F, table: Tab1}\n  - {function: F, table: T2}\n",
     "events[1].table: unknown table 'T2'"},
    // apis and routes
    {"api_null", "apis:\n  A:\n", "apis.A: missing 'routes'"},
    {"api_unknown_key", "apis:\n  A: {routes: {}, cors: true}\n", "apis.A.cors: unknown key"},
    {"api_bad_stage", "apis:\n  A: {stage: 'pro d', routes: {}}\n", "apis.A.stage: invalid stage name"},
    {"route_no_space", ROUTES("      POST/items: {integration: mock}\n"), "a route is written 'METHOD /path'"},
    {"route_three_words", ROUTES("      POST /items now: {integration: mock}\n"), "a route is written 'METHOD /path'"},
    {"route_bad_method", ROUTES("      FETCH /items: {integration: mock}\n"), "unknown HTTP method 'FETCH'"},
    {"route_lower_method", ROUTES("      post /items: {integration: mock}\n"), "unknown HTTP method 'post'"},
    {"route_no_slash", ROUTES("      GET items: {integration: mock}\n"), "path 'items': must start with '/'"},
    {"route_trailing_slash", ROUTES("      GET /items/: {integration: mock}\n"), "must not end with '/'"},
    {"route_double_slash", ROUTES("      GET /a//b: {integration: mock}\n"), "empty path segment"},
    {"route_bad_char", ROUTES("      GET /a b/c: {integration: mock}\n"), "a route is written"},
    {"route_bad_segment", ROUTES("      GET /a*b: {integration: mock}\n"), "segment 'a*b' may only use"},
    {"route_unclosed_param", ROUTES("      GET /items/{id: {integration: mock}\n"), "bad path parameter '{id'"},
    {"route_inner_brace", ROUTES("      GET /items/x{id}: {integration: mock}\n"), "bad path parameter 'x{id}'"},
    {"route_empty_param", ROUTES("      GET /items/{}: {integration: mock}\n"), "bad path parameter '{}'"},
    {"route_empty_greedy", ROUTES("      GET /items/{+}: {integration: mock}\n"), "bad path parameter '{+}'"},
    {"route_bad_param_name", ROUTES("      GET /items/{i d}: {integration: mock}\n"), "a route is written"},
    {"route_param_chars", ROUTES("      GET /items/{i*d}: {integration: mock}\n"), "bad path parameter '{i*d}'"},
    {"route_greedy_not_last", ROUTES("      GET /{proxy+}/x: {integration: mock}\n"),
     "greedy parameter '{proxy+}' must be the last segment"},
    {"route_param_twice", ROUTES("      GET /a/{id}/b/{id}: {integration: mock}\n"), "path parameter 'id' appears twice"},
    {"route_duplicate",
     ROUTES("      POST /items: {integration: mock}\n      POST /items: {integration: dynamodb:PutItem}\n"),
     "routes.'POST /items': duplicate route 'POST /items'"},
    {"route_duplicate_spacing",
     ROUTES("      POST /items: {integration: mock}\n      POST  /items: {integration: mock}\n"),
     "duplicate route POST /items"},
    {"route_sibling_vars",
     ROUTES("      GET /items/{id}: {integration: mock}\n      DELETE /items/{name}: {integration: mock}\n"),
     "'{name}' conflicts with '{id}'"},
    {"route_sibling_greedy",
     ROUTES("      GET /items/{id}: {integration: mock}\n      GET /items/{proxy+}: {integration: mock}\n"),
     "'{proxy+}' conflicts with '{id}'"},
    {"route_null", ROUTES("      GET /items:\n"), "missing 'integration'"},
    {"route_no_integration", ROUTES("      GET /items: {passthrough: NEVER}\n"), "missing 'integration'"},
    {"route_unknown_key", ROUTES("      GET /items: {integration: mock, authorizationType: x}\n"), "unknown key 'authorizationType'"},
    {"integ_unknown", ROUTES("      GET /items: {integration: http:Foo}\n"), "unknown integration 'http:Foo'"},
    {"integ_lambda_unknown_function", ROUTES("      GET /items: {integration: lambda:Foo}\n"), "unknown function 'Foo'"},
    {"integ_lambda_no_name", ROUTES("      GET /items: {integration: 'lambda:'}\n"), "unknown function ''"},
    {"integ_lambda_templates", "functions:\n  F: {handler: log}\n" ROUTES("      GET /items: {integration: 'lambda:F', requestTemplates: {a/b: x}}\n"),
     "a lambda: (proxy) integration has no 'requestTemplates'"},
    {"integ_lambda_responses", "functions:\n  F: {handler: log}\n" ROUTES("      GET /items: {integration: 'lambda:F', responses: []}\n"),
     "a lambda: (proxy) integration has no 'responses'"},
    {"integ_lambda_timeout_low", "functions:\n  F: {handler: log}\n" ROUTES("      GET /items: {integration: 'lambda:F', timeoutInMillis: 49}\n"),
     "timeoutInMillis"},
    {"integ_lambda_timeout_high", "functions:\n  F: {handler: log}\n" ROUTES("      GET /items: {integration: 'lambda:F', timeoutInMillis: 29001}\n"),
     "timeoutInMillis"},
    {"integ_mock_timeout", ROUTES("      GET /items: {integration: mock, timeoutInMillis: 10}\n"),
     "timeoutInMillis"},
    {"integ_map_bad_type", ROUTES("      GET /items: {integration: {type: AWS, function: F}}\n"),
     "a AWS integration is given by 'uri'"},
    {"integ_map_unknown_type", ROUTES("      GET /items: {integration: {type: SOAP}}\n"),
     "unknown integration type 'SOAP'"},
    {"integ_http_no_uri", ROUTES("      GET /items: {integration: HTTP}\n"), "a HTTP integration needs 'uri'"},
    {"integ_http_bad_uri", ROUTES("      GET /items: {integration: HTTP_PROXY, uri: 'ftp://x/'}\n"),
     "expected an http:// URL"},
    {"integ_aws_bad_uri", ROUTES("      GET /items: {integration: AWS, uri: 'http://x/'}\n"),
     "expected arn:aws:apigateway:{region}:dynamodb:action/{Action}"},
    {"integ_aws_other_service", ROUTES("      GET /items: {integration: AWS, uri: 'arn:aws:apigateway:us-east-1:s3:path/b/k'}\n"),
     "only dynamodb:action/{Action} and lambda:path/... services are supported"},
    {"integ_aws_unknown_action", ROUTES("      GET /items: {integration: AWS, uri: 'arn:aws:apigateway:us-east-1:dynamodb:action/Nope'}\n"),
     "unknown DynamoDB action 'Nope'"},
    {"integ_proxy_dynamodb", ROUTES("      GET /items: {integration: AWS_PROXY, uri: 'arn:aws:apigateway:us-east-1:dynamodb:action/GetItem'}\n"),
     "AWS_PROXY integrates a Lambda function"},
    {"integ_mock_uri", ROUTES("      GET /items: {integration: MOCK, uri: 'http://x/'}\n"), "a MOCK integration has no 'uri'"},
    {"integ_uri_with_dynamodb_form", ROUTES("      GET /items: {integration: 'dynamodb:GetItem', uri: 'http://x/'}\n"),
     "'uri' goes with integration: AWS, AWS_PROXY, HTTP or HTTP_PROXY"},
    {"integ_http_proxy_templates", ROUTES("      GET /items: {integration: HTTP_PROXY, uri: 'http://x/', requestTemplates: {a/b: x}}\n"),
     "a HTTP_PROXY integration has no 'requestTemplates'"},
    {"integ_bad_http_method", ROUTES("      GET /items: {integration: HTTP, uri: 'http://x/', httpMethod: FETCH}\n"),
     "httpMethod"},
    {"integ_bad_param_target", ROUTES("      GET /items: {integration: HTTP, uri: 'http://x/', requestParameters: {integration.request.body: \"'x'\"}}\n"),
     "is not integration.request.{header,querystring,path}.<name>"},
    {"integ_bad_param_source", ROUTES("      GET /items: {integration: HTTP, uri: 'http://x/', requestParameters: {integration.request.header.X: static}}\n"),
     "must be a quoted static value"},
    {"integ_bad_content_handling", ROUTES("      GET /items: {integration: mock, contentHandling: CONVERT}\n"),
     "contentHandling"},
    {"resp_bad_content_handling", ROUTES("      GET /items:\n        integration: mock\n        responses:\n"
                                         "          - {status: 200, contentHandling: TEXT}\n"),
     "contentHandling"},
    {"api_bad_stage_variable", "apis:\n  A:\n    stageVariables: {'a-b': x}\n    routes: {}\n",
     "invalid stage variable name 'a-b'"},
    {"api_bad_binary_type", "apis:\n  A:\n    binaryMediaTypes: [png]\n    routes: {}\n",
     "'png' is not a media type"},
    {"api_binary_not_list", "apis:\n  A:\n    binaryMediaTypes: image/png\n    routes: {}\n",
     "expected a list of media types"},
    {"api_unknown_gateway_response", "apis:\n  A:\n    gatewayResponses: {NOPE: {status: 400}}\n    routes: {}\n",
     "unknown gateway response type 'NOPE'"},
    {"api_gateway_response_bad_status", "apis:\n  A:\n    gatewayResponses: {DEFAULT_4XX: {status: 99}}\n    routes: {}\n",
     "status"},
    {"api_gateway_response_bad_header", "apis:\n  A:\n    gatewayResponses: {DEFAULT_4XX: {headers: {X: nope}}}\n    routes: {}\n",
     "must be a quoted static value"},
    {"api_gateway_response_extra_key", "apis:\n  A:\n    gatewayResponses: {DEFAULT_4XX: {body: x}}\n    routes: {}\n",
     "body"},
    {"integ_map_no_function", ROUTES("      GET /items: {integration: {type: AWS_PROXY}}\n"), "missing 'function'"},
    {"integ_map_unknown_function", ROUTES("      GET /items: {integration: {type: AWS_PROXY, function: G}}\n"),
     "unknown function 'G'"},
    {"integ_map_extra_key", "functions:\n  F: {handler: log}\n" ROUTES("      GET /items: {integration: {type: AWS_PROXY, function: F, x: 1}}\n"),
     "unknown key 'x'"},
    {"integ_lower_http", ROUTES("      GET /items: {integration: http}\n"), "unknown integration 'http'"},
    {"integ_bad_action", ROUTES("      GET /items: {integration: 'dynamodb:Putitem'}\n"),
     "unknown DynamoDB action 'Putitem'"},
    {"integ_empty_action", ROUTES("      GET /items: {integration: 'dynamodb:'}\n"), "unknown DynamoDB action ''"},
    {"integ_bad_passthrough", ROUTES("      GET /items: {integration: mock, passthrough: ALWAYS}\n"),
     "unknown passthrough behavior 'ALWAYS'"},
    {"integ_bad_content_type", ROUTES("      GET /items: {integration: mock, requestTemplates: {json: x}}\n"),
     "'json' is not a content type"},
    {"resp_not_list", ROUTES("      GET /items: {integration: mock, responses: {status: 200}}\n"),
     "expected a list of responses"},
    {"resp_no_status", ROUTES("      GET /items: {integration: mock, responses: [{pattern: x}]}\n"),
     "responses[0]: missing 'status'"},
    {"resp_bad_status", ROUTES("      GET /items: {integration: mock, responses: [{status: 700}]}\n"),
     "responses[0].status: must be between 100 and 599"},
    {"resp_unknown_key", ROUTES("      GET /items: {integration: mock, responses: [{status: 200, code: 1}]}\n"),
     "responses[0].code: unknown key 'code'"},
    {"resp_two_defaults",
     ROUTES("      GET /items: {integration: mock, responses: [{status: 200}, {status: 201}]}\n"),
     "responses[1]: a second default response"},
    {"resp_dup_pattern",
     ROUTES("      GET /items:\n        integration: mock\n        responses:\n"
            "          - {pattern: 'x', status: 400}\n          - {pattern: 'x', status: 500}\n"),
     "duplicate pattern 'x'"},
    {"resp_unquoted_header",
     ROUTES("      GET /items:\n        integration: mock\n        responses:\n"
            "          - status: 200\n            headers: {Content-Type: application/json}\n"),
     "headers.Content-Type: header value must be a quoted static value like \"'application/json'\""},
    {"resp_bad_header_name",
     ROUTES("      GET /items:\n        integration: mock\n        responses:\n"
            "          - status: 200\n            headers: {'Bad Header': \"'x'\"}\n"),
     "invalid header name 'Bad Header'"},
    // table indexes and TTL
    {"index_not_list", "tables:\n  Tab1: {partitionKey: id, indexes: {A: {}}}\n", "tables.Tab1.indexes: expected a list of indexes"},
    {"index_no_name", "tables:\n  Tab1: {partitionKey: id, indexes: [{partitionKey: o}]}\n", "tables.Tab1.indexes[0]: missing 'name'"},
    {"index_bad_name", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: 'a b', partitionKey: o}]}\n", "invalid index name 'a b'"},
    {"index_short_name", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: ab, partitionKey: o}]}\n", "invalid index name 'ab'"},
    {"index_no_pk", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: Idx1}]}\n", "tables.Tab1.indexes[0]: missing 'partitionKey'"},
    {"index_dup", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: Idx1, partitionKey: a}, {name: Idx1, partitionKey: b}]}\n",
     "duplicate index name 'Idx1'"},
    {"index_type_clash", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: Idx1, partitionKey: {name: id, type: N}}]}\n",
     "attribute 'id' is S elsewhere in this table"},
    {"index_type_clash_between", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: Idx1, partitionKey: a}, {name: Idx2, partitionKey: {name: a, type: N}}]}\n",
     "tables.Tab1.indexes[1].partitionKey: attribute 'a' is S"},
    {"index_same_keys", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: Idx1, partitionKey: a, sortKey: a}]}\n",
     "is also the index's partition key"},
    {"index_unknown_key", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: Idx1, partitionKey: a, throughput: 5}]}\n",
     "tables.Tab1.indexes[0].throughput: unknown key 'throughput'"},
    {"index_bad_projection", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: Idx1, partitionKey: a, projection: SOME}]}\n",
     "unknown projection 'SOME' (expected ALL or KEYS_ONLY)"},
    {"index_include_empty", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: Idx1, partitionKey: a, projection: {include: []}}]}\n",
     "projection.include: expected a non-empty list"},
    {"index_include_twice", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: Idx1, partitionKey: a, projection: {include: [x, x]}}]}\n",
     "'x' is listed twice"},
    {"index_projection_list", "tables:\n  Tab1: {partitionKey: id, indexes: [{name: Idx1, partitionKey: a, projection: [x]}]}\n",
     "expected ALL, KEYS_ONLY or {include: [attribute, ...]}"},
    {"lsi_without_sort_key", "tables:\n  Tab1: {partitionKey: id, localIndexes: [{name: Idx1, sortKey: b}]}\n",
     "a local secondary index needs a table with a sort key"},
    {"lsi_no_sort_key", "tables:\n  Tab1: {partitionKey: id, sortKey: s, localIndexes: [{name: Idx1}]}\n", "missing 'sortKey'"},
    {"lsi_other_pk", "tables:\n  Tab1: {partitionKey: id, sortKey: s, localIndexes: [{name: Idx1, partitionKey: o, sortKey: b}]}\n",
     "a local index has the table's partition key 'id'"},
    {"lsi_name_clash_gsi", "tables:\n  Tab1: {partitionKey: id, sortKey: s, indexes: [{name: Idx1, partitionKey: a}], localIndexes: [{name: Idx1, sortKey: b}]}\n",
     "duplicate index name 'Idx1'"},
    {"lsi_too_many", "tables:\n  Tab1: {partitionKey: id, sortKey: s, localIndexes: [{name: I01, sortKey: a}, {name: I02, sortKey: b}, "
     "{name: I03, sortKey: c}, {name: I04, sortKey: d}, {name: I05, sortKey: e}, {name: I06, sortKey: f}]}\n",
     "at most 5 local secondary indexes"},
    {"ttl_empty", "tables:\n  Tab1: {partitionKey: id, ttl: ''}\n", "tables.Tab1.ttl: must not be empty"},
    {"ttl_list", "tables:\n  Tab1: {partitionKey: id, ttl: [a]}\n", "tables.Tab1.ttl: expected a string"},
    // API Gateway settings of an API
    {"api_no_routes_no_openapi", "apis:\n  A: {stage: prod}\n", "apis.A: missing 'routes' (or 'openapi')"},
    {"api_openapi_missing_file", "apis:\n  A: {openapi: nope.yaml}\n", "apis.A.openapi: "},
    {"api_model_bad_name", "apis:\n  A:\n    models: {'My-Model': {type: object}}\n    routes: {}\n", "invalid model name 'My-Model'"},
    {"api_model_not_schema", "apis:\n  A:\n    models: {M: [a]}\n    routes: {}\n", "apis.A.models.M: expected a JSON schema"},
    {"api_model_bad_json", "apis:\n  A:\n    models: {M: '{\"type\": '}\n    routes: {}\n", "apis.A.models.M: expected a JSON schema"},
    {"api_validator_bad", "apis:\n  A:\n    requestValidators: {v: {body: yes}}\n    routes: {}\n",
     "apis.A.requestValidators.v.body: expected true or false"},
    {"api_validator_key", "apis:\n  A:\n    requestValidators: {v: {headers: true}}\n    routes: {}\n", "unknown key 'headers'"},
    {"api_validator_null", "apis:\n  A:\n    requestValidators: {v: }\n    routes: {}\n", "expected {body: true|false"},
    {"api_key_source", "apis:\n  A:\n    apiKeySource: QUERY\n    routes: {}\n", "unknown API key source 'QUERY'"},
    {"auth_no_type", "apis:\n  A:\n    authorizers: {Au: {identitySource: method.request.header.A}}\n    routes: {}\n",
     "apis.A.authorizers.Au: missing 'type'"},
    {"auth_bad_type", "apis:\n  A:\n    authorizers: {Au: {type: IAM}}\n    routes: {}\n", "unknown authorizer type 'IAM'"},
    {"auth_token_no_function", "apis:\n  A:\n    authorizers: {Au: {type: TOKEN}}\n    routes: {}\n", "missing 'function'"},
    {"auth_unknown_function", BASE "apis:\n  A:\n    authorizers: {Au: {type: TOKEN, function: G}}\n    routes: {}\n",
     "apis.A.authorizers.Au.function: unknown function 'G'"},
    {"auth_cognito_no_pools", "apis:\n  A:\n    authorizers: {Au: {type: COGNITO_USER_POOLS}}\n    routes: {}\n", "missing 'userPoolArns'"},
    {"auth_cognito_bad_arn", "apis:\n  A:\n    authorizers: {Au: {type: COGNITO_USER_POOLS, userPoolArns: [arn:aws:s3:::b]}}\n    routes: {}\n",
     "is not a user pool ARN"},
    {"auth_jwt_function", BASE "apis:\n  A:\n    authorizers: {Au: {type: JWT, function: F}}\n    routes: {}\n",
     "only TOKEN and REQUEST authorizers have 'function'"},
    {"auth_token_issuer", BASE "apis:\n  A:\n    authorizers: {Au: {type: TOKEN, function: F, issuer: x}}\n    routes: {}\n",
     "only JWT authorizers have 'issuer'"},
    {"auth_ttl", BASE "apis:\n  A:\n    authorizers: {Au: {type: TOKEN, function: F, ttl: 3601}}\n    routes: {}\n",
     "apis.A.authorizers.Au.ttl: must be between 0 and 3600"},
    {"auth_token_two_headers", BASE "apis:\n  A:\n    authorizers: {Au: {type: TOKEN, function: F, identitySource: 'method.request.header.A, method.request.header.B'}}\n    routes: {}\n",
     "expected one header"},
    {"auth_request_bad_source", BASE "apis:\n  A:\n    authorizers: {Au: {type: REQUEST, function: F, identitySource: 'method.request.header.A, body.x'}}\n    routes: {}\n",
     "'body.x' is not an identity source"},
    {"auth_jwks_missing", "apis:\n  A:\n    authorizers: {Au: {type: JWT, jwksFile: /nonexistent/jwks.json}}\n    routes: {}\n",
     "no such file: /nonexistent/jwks.json"},
    // method requests
    {"route_param_bad", ROUTES("      GET /items:\n        integration: mock\n        parameters: {body.x: true}\n"),
     "'body.x' is not a method request parameter"},
    {"route_param_no_name", ROUTES("      GET /items:\n        integration: mock\n        parameters: {querystring: true}\n"),
     "'querystring' is not a method request parameter"},
    {"route_param_not_bool", ROUTES("      GET /items:\n        integration: mock\n        parameters: {querystring.q: maybe}\n"),
     "expected true or false, got 'maybe'"},
    {"route_query_param_twice", ROUTES("      GET /items:\n        integration: mock\n        parameters: {querystring.q: true, method.request.querystring.q: false}\n"),
     "'method.request.querystring.q' is given twice"},
    {"route_param_path_absent", ROUTES("      GET /items:\n        integration: mock\n        parameters: {path.id: true}\n"),
     "the path '/items' has no {id}"},
    {"route_unknown_validator", ROUTES("      GET /items:\n        integration: mock\n        validator: all\n"),
     "apis.A.routes.'GET /items'.validator: unknown request validator 'all' (the API declares no requestValidators)"},
    {"route_unknown_model", "apis:\n  A:\n    models: {Item: {type: object}}\n    routes:\n      POST /items:\n        integration: mock\n"
     "        models: {application/json: Thing}\n", "unknown model 'Thing' (expected Item)"},
    {"route_model_content_type", ROUTES("      POST /items:\n        integration: mock\n        models: {json: Thing}\n"),
     "'json' is not a content type"},
    {"route_unknown_authorizer", ROUTES("      GET /items:\n        integration: mock\n        authorizer: Nope\n"), "unknown authorizer 'Nope'"},
    {"route_scopes_without_cognito", BASE "apis:\n  A:\n    authorizers: {Au: {type: TOKEN, function: F}}\n    routes:\n"
     "      GET /items:\n        integration: mock\n        authorizer: Au\n        scopes: [read]\n",
     "scopes need a COGNITO_USER_POOLS or JWT authorizer"},
    {"route_scopes_alone", ROUTES("      GET /items:\n        integration: mock\n        scopes: [read]\n"), "scopes need a"},
    {"route_api_key_bad", ROUTES("      GET /items:\n        integration: mock\n        apiKeyRequired: 1\n"), "expected true or false"},
    // API keys and usage plans
    {"key_short", "apiKeys:\n  K: {value: short}\n", "apiKeys.K.value: an API key value is 20 to 128 printable characters"},
    {"key_no_value", "apiKeys:\n  K: {enabled: true}\n", "apiKeys.K: missing 'value'"},
    {"key_null", "apiKeys:\n  K:\n", "apiKeys.K: missing 'value'"},
    {"key_same_value", "apiKeys:\n  K: {value: abcdefghijklmnopqrstuvwxyz}\n  L: {value: abcdefghijklmnopqrstuvwxyz}\n",
     "another API key has this value"},
    {"key_unknown_field", "apiKeys:\n  K: {value: abcdefghijklmnopqrstuvwxyz, id: x}\n", "apiKeys.K.id: unknown key 'id'"},
    {"plan_unknown_api", "usagePlans:\n  P: {apis: [{api: Nope}]}\n", "usagePlans.P.apis[0]: unknown API 'Nope'"},
    {"plan_wrong_stage", ROUTES("      GET /items: {integration: mock}\n") "usagePlans:\n  P: {apis: [{api: A, stage: dev}]}\n",
     "API 'A' has stage 'prod' only"},
    {"plan_unknown_key", "usagePlans:\n  P: {apiKeys: [K]}\n", "usagePlans.P.apiKeys: unknown API key 'K'"},
    {"plan_bad_rate", "usagePlans:\n  P: {rate: fast}\n", "usagePlans.P.rate: expected requests per second"},
    {"plan_negative_rate", "usagePlans:\n  P: {rate: -1}\n", "usagePlans.P.rate: expected requests per second"},
    {"plan_bad_burst", "usagePlans:\n  P: {burst: -1}\n", "usagePlans.P.burst: must be between 0"},
    {"plan_quota_no_limit", "usagePlans:\n  P: {quota: {period: DAY}}\n", "usagePlans.P.quota: missing 'limit'"},
    {"plan_quota_period", "usagePlans:\n  P: {quota: {limit: 5, period: YEAR}}\n", "unknown period 'YEAR'"},
    {"plan_key_twice_same_stage", ROUTES("      GET /items: {integration: mock}\n")
     "apiKeys:\n  K: {value: abcdefghijklmnopqrstuvwxyz}\n"
     "usagePlans:\n  P: {apis: [A], apiKeys: [K]}\n  Q: {apis: [A], apiKeys: [K]}\n",
     "API key 'K' is already in a usage plan of A/prod"},
};

INSTANTIATE_TEST_SUITE_P(All, BadStack, testing::ValuesIn(kBadCases),
                         [](const testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(ParseStackYaml, TableIndexesAndTtl) {
  Result<Stack> r = ParseStackYaml(
      "tables:\n"
      "  Links:\n"
      "    partitionKey: id\n"
      "    sortKey: {name: created, type: N}\n"
      "    ttl: expiresAt\n"
      "    indexes:\n"
      "      - name: OwnerIndex\n"
      "        partitionKey: owner\n"
      "        sortKey: {name: created, type: N}\n"
      "      - {name: ByTag, partitionKey: tag, projection: KEYS_ONLY}\n"
      "      - {name: ByUrl, partitionKey: {name: url, type: S}, projection: {include: [owner, title]}}\n"
      "    localIndexes:\n"
      "      - {name: ByTitle, sortKey: title}\n"
      "      - {name: ByHits, partitionKey: id, sortKey: {name: hits, type: N}, projection: ALL}\n",
      "/tmp");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const TableSpec& t = r->tables.at(0);
  EXPECT_EQ(t.ttl_attribute, "expiresAt");
  ASSERT_EQ(t.global_indexes.size(), 3u);
  EXPECT_EQ(t.global_indexes[0].name, "OwnerIndex");
  EXPECT_EQ(t.global_indexes[0].partition_key.name, "owner");
  EXPECT_EQ(t.global_indexes[0].partition_key.type, "S");
  ASSERT_TRUE(t.global_indexes[0].sort_key.has_value());
  EXPECT_EQ(t.global_indexes[0].sort_key->type, "N");
  EXPECT_EQ(t.global_indexes[0].projection_type, "ALL");
  EXPECT_EQ(t.global_indexes[1].projection_type, "KEYS_ONLY");
  EXPECT_FALSE(t.global_indexes[1].sort_key.has_value());
  EXPECT_EQ(t.global_indexes[2].projection_type, "INCLUDE");
  EXPECT_EQ(t.global_indexes[2].non_key_attributes, (std::vector<std::string>{"owner", "title"}));
  ASSERT_EQ(t.local_indexes.size(), 2u);
  EXPECT_EQ(t.local_indexes[0].partition_key.name, "id");
  EXPECT_EQ(t.local_indexes[0].sort_key->name, "title");
  EXPECT_EQ(t.local_indexes[1].sort_key->type, "N");
  EXPECT_TRUE(r->warnings.empty());
}

TEST(ParseStackYaml, ApiGatewayNativeKeys) {
  fs::path dir = fs::temp_directory_path() / ("stack_test_gw_" + std::to_string(getpid()));
  fs::create_directories(dir);
  { std::ofstream(dir / "jwks.json") << "{\"keys\": []}"; }
  Result<Stack> r = ParseStackYaml(
      "functions:\n"
      "  Auth: {handler: log}\n"
      "apis:\n"
      "  Shop:\n"
      "    stage: v1\n"
      "    apiKeySource: AUTHORIZER\n"
      "    models:\n"
      "      Item:\n"
      "        type: object\n"
      "        required: [url]\n"
      "        properties: {url: {type: string, pattern: '^https?://'}, n: {type: integer, minimum: 1}}\n"
      "      Raw: '{\"type\": \"string\"}'\n"
      "    requestValidators:\n"
      "      all: {body: true, parameters: true}\n"
      "      params: {parameters: true}\n"
      "    authorizers:\n"
      "      Pool:\n"
      "        type: COGNITO_USER_POOLS\n"
      "        userPoolArns: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc]\n"
      "      Jwt: {type: JWT, issuer: 'https://issuer.example', audiences: [app], jwksFile: jwks.json, ttl: 0}\n"
      "      Tok: {type: TOKEN, function: Auth, identitySource: method.request.header.X-Token,\n"
      "            identityValidationExpression: '^Bearer .+', ttl: 60}\n"
      "      Req: {type: REQUEST, function: Auth,\n"
      "            identitySource: 'method.request.header.A, method.request.querystring.q, context.stage'}\n"
      "    routes:\n"
      "      POST /items/{id}:\n"
      "        integration: mock\n"
      "        parameters: {querystring.id: true, header.X-Trace: false, method.request.path.id: true}\n"
      "        validator: all\n"
      "        models: {application/json: Item}\n"
      "        authorizer: Pool\n"
      "        scopes: [shop/write]\n"
      "        apiKeyRequired: true\n"
      "      GET /items:\n"
      "        integration: mock\n"
      "        authorizer: Tok\n"
      "      GET /jwt:\n"
      "        integration: mock\n"
      "        authorizer: Jwt\n"
      "        scopes: read\n"
      "      GET /req:\n"
      "        integration: mock\n"
      "        authorizer: Req\n"
      "apiKeys:\n"
      "  Partner: {value: partner-key-0123456789abcdef}\n"
      "  Old: {value: old-key-0123456789abcdefghij, enabled: false}\n"
      "usagePlans:\n"
      "  Basic:\n"
      "    apis: [{api: Shop, stage: v1}]\n"
      "    rate: 2.5\n"
      "    burst: 5\n"
      "    quota: {limit: 1000, period: MONTH}\n"
      "    apiKeys: [Partner, Old]\n"
      "  Empty: {}\n",
      dir.string());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const ApiSpec& api = r->apis.at(0);
  EXPECT_EQ(api.api_key_source, "AUTHORIZER");
  ASSERT_EQ(api.models.size(), 2u);
  auto item = ParseJson(api.models.at("Item"));
  ASSERT_TRUE(item.ok()) << api.models.at("Item");
  EXPECT_EQ(item->at("required").at(0).as_string(), "url");
  EXPECT_EQ(item->at("properties").at("n").at("minimum").as_int64(), 1);
  EXPECT_EQ(item->at("properties").at("url").at("pattern").as_string(), "^https?://");
  EXPECT_EQ(api.models.at("Raw"), "{\"type\": \"string\"}");
  EXPECT_TRUE(api.request_validators.at("all").validate_body);
  EXPECT_TRUE(api.request_validators.at("all").validate_parameters);
  EXPECT_FALSE(api.request_validators.at("params").validate_body);
  ASSERT_EQ(api.authorizers.size(), 4u);
  EXPECT_EQ(api.authorizers[0].name, "Pool");
  EXPECT_EQ(api.authorizers[0].identity_source, "method.request.header.Authorization");
  EXPECT_EQ(api.authorizers[0].provider_arns.size(), 1u);
  EXPECT_EQ(api.authorizers[1].issuer, "https://issuer.example");
  EXPECT_EQ(api.authorizers[1].audiences, std::vector<std::string>{"app"});
  EXPECT_EQ(api.authorizers[1].jwks_file, (dir / "jwks.json").string());
  EXPECT_EQ(api.authorizers[1].ttl_seconds, 0);
  EXPECT_EQ(api.authorizers[2].function, "Auth");
  EXPECT_EQ(api.authorizers[2].identity_validation_expression, "^Bearer .+");
  EXPECT_EQ(api.authorizers[2].ttl_seconds, 60);
  EXPECT_EQ(api.authorizers[3].type, "REQUEST");
  const RouteSpec& post = api.routes.at(0);
  EXPECT_EQ(post.request_parameters,
            (std::map<std::string, bool>{{"method.request.querystring.id", true},
                                         {"method.request.header.X-Trace", false},
                                         {"method.request.path.id", true}}));
  EXPECT_EQ(post.request_validator, "all");
  EXPECT_EQ(post.request_models.at("application/json"), "Item");
  EXPECT_EQ(post.authorization_type, "COGNITO_USER_POOLS");
  EXPECT_EQ(post.authorizer, "Pool");
  EXPECT_EQ(post.authorization_scopes, std::vector<std::string>{"shop/write"});
  EXPECT_TRUE(post.api_key_required);
  EXPECT_EQ(api.routes.at(1).authorization_type, "CUSTOM");
  EXPECT_FALSE(api.routes.at(1).api_key_required);
  EXPECT_EQ(api.routes.at(2).authorization_type, "JWT");
  EXPECT_EQ(api.routes.at(2).authorization_scopes, std::vector<std::string>{"read"});
  EXPECT_EQ(api.routes.at(3).authorization_type, "CUSTOM");
  ASSERT_EQ(r->api_keys.size(), 2u);
  EXPECT_TRUE(r->api_keys[0].enabled);
  EXPECT_FALSE(r->api_keys[1].enabled);
  ASSERT_EQ(r->usage_plans.size(), 2u);
  const UsagePlanSpec& plan = r->usage_plans[0];
  EXPECT_EQ(plan.stages, (std::vector<std::pair<std::string, std::string>>{{"Shop", "v1"}}));
  EXPECT_DOUBLE_EQ(*plan.rate_limit, 2.5);
  EXPECT_EQ(*plan.burst_limit, 5);
  EXPECT_EQ(*plan.quota_limit, 1000);
  EXPECT_EQ(plan.quota_period, "MONTH");
  EXPECT_EQ(plan.api_keys, (std::vector<std::string>{"Partner", "Old"}));
  EXPECT_FALSE(r->usage_plans[1].rate_limit.has_value());
  // (The Cognito authorizer without a JWKS file warns when it is built, not here.)
  EXPECT_TRUE(r->warnings.empty());
  fs::remove_all(dir);
}

TEST(LoadStackFile, OpenApiFileWithNativeAdditions) {
  fs::path dir = fs::temp_directory_path() / ("stack_test_openapi_" + std::to_string(getpid()));
  fs::create_directories(dir / "api");
  { std::ofstream(dir / "api" / "jwks.json") << "{\"keys\": []}"; }
  {
    std::ofstream(dir / "api" / "links.yaml")
        << "openapi: 3.0.0\n"
           "x-amazon-apigateway-request-validators: {body: {validateRequestBody: true}}\n"
           "x-amazon-apigateway-documentation: {}\n"
           "components:\n"
           "  schemas:\n"
           "    Link: {type: object, required: [url]}\n"
           "  securitySchemes:\n"
           "    Users:\n"
           "      type: apiKey\n"
           "      name: Authorization\n"
           "      in: header\n"
           "      x-amazon-apigateway-authorizer: {type: jwt, x-jwks-file: jwks.json}\n"
           "paths:\n"
           "  /links/{id}:\n"
           "    get:\n"
           "      x-amazon-apigateway-integration: {type: mock}\n"
           "  /links:\n"
           "    get:\n"
           "      x-amazon-apigateway-integration:\n"
           "        type: aws_proxy\n"
           "        httpMethod: POST\n"
           "        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
           "arn:aws:lambda:us-east-1:123456789012:function:List/invocations\n";
  }
  const std::string stack_text =
      "functions:\n"
      "  List: {handler: log}\n"
      "apis:\n"
      "  Links:\n"
      "    stage: dev\n"
      "    openapi: api/links.yaml\n"
      "    models: {Extra: {type: string}}\n"
      "    routes:\n"
      "      POST /links:\n"
      "        integration: mock\n"
      "        validator: body\n"
      "        models: {application/json: Link}\n"
      "        authorizer: Users\n";
  { std::ofstream(dir / "stack.yaml") << stack_text; }
  Result<Stack> r = LoadStackFile((dir / "stack.yaml").string());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const ApiSpec& api = r->apis.at(0);
  EXPECT_EQ(api.name, "Links");
  EXPECT_EQ(api.stage, "dev");
  EXPECT_EQ(api.source_file, (dir / "api" / "links.yaml").string());
  ASSERT_EQ(api.routes.size(), 3u);
  EXPECT_EQ(api.routes[0].path, "/links/{id}");
  EXPECT_EQ(api.routes[1].method, "GET");
  EXPECT_EQ(api.routes[1].integration.type, "AWS_PROXY");
  EXPECT_EQ(api.routes[1].integration.function, "List");
  EXPECT_EQ(api.routes[2].method, "POST");
  EXPECT_EQ(api.routes[2].authorization_type, "JWT");
  EXPECT_EQ(api.routes[2].request_models.at("application/json"), "Link");
  EXPECT_EQ(api.models.size(), 2u);
  EXPECT_EQ(api.authorizers.at(0).jwks_file, (dir / "api" / "jwks.json").string());
  // The document's warnings become the stack's, naming the document and line.
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0], (dir / "api" / "links.yaml").string() +
                                ":3: x-amazon-apigateway-documentation: not supported, ignored");

  // A native route the document already has, a model defined twice, an error
  // inside the document: each names where.
  auto load = [&](const std::string& text) {
    { std::ofstream(dir / "stack.yaml") << text; }
    return LoadStackFile((dir / "stack.yaml").string());
  };
  std::string dup = stack_text;
  dup.replace(dup.find("POST /links"), 4, "GET ");
  Result<Stack> bad = load(dup);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("duplicate route GET /links"), std::string::npos) << bad.status().message();
  std::string sibling = stack_text;
  sibling.replace(sibling.find("POST /links"), 11, "PUT /links/{other}");
  bad = load(sibling);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(
                "apis.Links.routes.'PUT /links/{other}': '{other}' conflicts with '{id}' of route 'GET /links/{id}'"),
            std::string::npos)
      << bad.status().message();
  sibling.replace(sibling.find("{other}"), 7, "{id}");
  EXPECT_TRUE(load(sibling).ok());
  std::string twice = stack_text;
  twice.replace(twice.find("Extra"), 5, "Link");
  bad = load(twice);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("apis.Links.models.Link: model 'Link' is defined in the OpenAPI file too"),
            std::string::npos) << bad.status().message();
  { std::ofstream(dir / "api" / "links.yaml", std::ios::app) << "        timeoutInMillis: 1\n"; }
  bad = load(stack_text);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            (dir / "stack.yaml").string() + ":6:14: apis.Links.openapi: " + (dir / "api" / "links.yaml").string() +
                ":23:26: paths./links.get.x-amazon-apigateway-integration.timeoutInMillis: must be between 50 and "
                "29000, got 1");
  fs::remove_all(dir);
}

TEST(ParseStackYaml, ErrorPointsAtTheLine) {
  Result<Stack> r = ParseStackYaml(BASE "events:\n  - function: F\n    table: Tab1\n    batchSize: 0\n", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "<stack yaml>:13:16: events[0].batchSize: must be between 1 and 10000, got 0");
}

}  // namespace
}  // namespace streamer::stack
