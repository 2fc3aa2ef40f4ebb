#include "stack/openapi_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json.h"

namespace streamer::stack {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = OPENAPI_FIXTURES;

OpenApiContext Context(const std::string& file) {
  OpenApiContext c;
  c.api_name = "Api";
  c.stage = "prod";
  c.source = file;
  c.function_names = {"DeleteLink", "Authorize"};
  return c;
}

struct Loaded {
  ApiSpec api;
  std::vector<std::string> warnings;
};

Loaded Load(const std::string& file) {
  Loaded out;
  auto r = LoadOpenApiFile((kFixtures / file).string(), Context(file), &out.warnings);
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (r.ok()) out.api = std::move(*r);
  return out;
}

const RouteSpec& Route(const ApiSpec& api, const std::string& method, const std::string& path) {
  auto it = std::find_if(api.routes.begin(), api.routes.end(),
                         [&](const RouteSpec& r) { return r.method == method && r.path == path; });
  if (it == api.routes.end()) {
    ADD_FAILURE() << "no route " << method << " " << path;
    static RouteSpec none;
    return none;
  }
  return *it;
}

const IntegrationResponseSpec* Response(const IntegrationSpec& in, const std::string& pattern) {
  for (const auto& r : in.responses) {
    if (r.selection_pattern == pattern) return &r;
  }
  return nullptr;
}

bool HasWarning(const std::vector<std::string>& warnings, const std::string& part) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

std::string Dump(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(OpenApi, Oas3LinksApi) {
  Loaded l = Load("oas3_links.yaml");
  const ApiSpec& api = l.api;
  EXPECT_EQ(api.name, "Api");
  EXPECT_EQ(api.routes.size(), 5u);
  EXPECT_TRUE(l.warnings.empty()) << Dump(l.warnings);
  EXPECT_EQ(api.binary_media_types, (std::vector<std::string>{"image/png", "*/*"}));
  EXPECT_EQ(api.api_key_source, "HEADER");
  EXPECT_TRUE(api.request_validators.at("all").validate_parameters);
  EXPECT_FALSE(api.request_validators.at("body").validate_parameters);

  // Gateway responses.
  ASSERT_EQ(api.gateway_responses.size(), 2u);
  EXPECT_EQ(api.gateway_responses[0].type, "BAD_REQUEST_BODY");
  EXPECT_EQ(api.gateway_responses[0].status_code, 400);
  EXPECT_EQ(api.gateway_responses[0].response_parameters.at("gatewayresponse.header.Access-Control-Allow-Origin"), "'*'");
  EXPECT_FALSE(api.gateway_responses[1].status_code.has_value());

  // Models, their refs rewritten to #/definitions.
  auto create = ParseJson(api.models.at("CreateLink"));
  ASSERT_TRUE(create.ok());
  EXPECT_EQ(create->at("properties").at("url").at("$ref").as_string(), "#/definitions/Url");
  EXPECT_EQ(create->at("properties").at("id").at("pattern").as_string(), "^[A-Za-z0-9-]+$");
  auto url = ParseJson(api.models.at("Url"));
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->at("maxLength").as_int64(), 2048);

  // GET /app: AWS DynamoDB Query behind a Cognito authorizer, the default validator.
  const RouteSpec& list = Route(api, "GET", "/app");
  EXPECT_EQ(list.integration.type, "AWS");
  EXPECT_EQ(list.integration.service, "dynamodb");
  EXPECT_EQ(list.integration.action, "Query");
  EXPECT_EQ(list.integration.uri, "arn:aws:apigateway:us-east-1:dynamodb:action/Query");
  EXPECT_EQ(list.integration.passthrough_behavior, "WHEN_NO_TEMPLATES");
  EXPECT_EQ(list.authorization_type, "COGNITO_USER_POOLS");
  EXPECT_EQ(list.authorizer, "UserAuthorizer");
  EXPECT_TRUE(list.authorization_scopes.empty());
  EXPECT_FALSE(list.api_key_required);
  EXPECT_EQ(list.request_validator, "body");
  ASSERT_EQ(list.integration.responses.size(), 1u);
  EXPECT_EQ(list.integration.responses[0].selection_pattern, "");
  EXPECT_EQ(list.integration.responses[0].status_code, "200");

  // POST /app: body model, scopes, API key, its own validator, responses.
  const RouteSpec& create_route = Route(api, "POST", "/app");
  EXPECT_EQ(create_route.request_models.at("application/json"), "CreateLink");
  EXPECT_EQ(create_route.request_validator, "all");
  EXPECT_EQ(create_route.authorization_scopes, std::vector<std::string>{"links/write"});
  EXPECT_TRUE(create_route.api_key_required);
  EXPECT_EQ(create_route.integration.action, "UpdateItem");
  EXPECT_EQ(create_route.integration.timeout_ms, 5000);
  EXPECT_EQ(create_route.integration.request_parameters.at("integration.request.header.X-Owner"),
            "context.authorizer.claims.email");
  const IntegrationResponseSpec* dup = Response(create_route.integration, "400");
  ASSERT_NE(dup, nullptr);
  EXPECT_EQ(dup->status_code, "400");
  EXPECT_EQ(dup->content_handling, "CONVERT_TO_TEXT");
  EXPECT_EQ(dup->response_templates.at("application/json"), "#set($context.responseOverride.status = 200){}");
  EXPECT_EQ(Response(create_route.integration, "200")->response_parameters.at("method.response.header.Location"),
            "'https://example.com'");

  // GET /{linkId}: path-level parameters, overridden by the operation's.
  const RouteSpec& get = Route(api, "GET", "/{linkId}");
  EXPECT_EQ(get.request_parameters, (std::map<std::string, bool>{{"method.request.path.linkId", true},
                                                                  {"method.request.header.X-Trace", true},
                                                                  {"method.request.querystring.verbose", false}}));
  EXPECT_EQ(get.integration.type, "MOCK");
  EXPECT_EQ(Response(get.integration, "301")->response_parameters.at("method.response.header.Location"),
            "integration.response.body.url");

  // DELETE /{linkId}: Lambda proxy.
  const RouteSpec& del = Route(api, "DELETE", "/{linkId}");
  EXPECT_EQ(del.integration.type, "AWS_PROXY");
  EXPECT_EQ(del.integration.service, "lambda");
  EXPECT_EQ(del.integration.function, "DeleteLink");
  EXPECT_EQ(del.request_parameters.at("method.request.header.X-Trace"), false);

  // ANY /web/{proxy+}: HTTP proxy, the method request's method.
  const RouteSpec& web = Route(api, "ANY", "/web/{proxy+}");
  EXPECT_EQ(web.integration.type, "HTTP_PROXY");
  EXPECT_EQ(web.integration.http_method, "");
  EXPECT_EQ(web.integration.uri, "http://127.0.0.1:9/{proxy}");
}

TEST(OpenApi, Oas2ItemsJson) {
  Loaded l = Load("oas2_items.json");
  const ApiSpec& api = l.api;
  ASSERT_EQ(api.routes.size(), 3u);
  ASSERT_EQ(api.authorizers.size(), 2u);
  const AuthorizerSpec& token = api.authorizers[0];
  EXPECT_EQ(token.name, "TokenAuth");
  EXPECT_EQ(token.type, "TOKEN");
  EXPECT_EQ(token.function, "Authorize");
  EXPECT_EQ(token.ttl_seconds, 60);
  EXPECT_EQ(token.identity_source, "method.request.header.X-Token");
  EXPECT_EQ(token.identity_validation_expression, "^Bearer [-0-9a-zA-Z._]*$");
  const AuthorizerSpec& request = api.authorizers[1];
  EXPECT_EQ(request.type, "REQUEST");
  EXPECT_EQ(request.function, "Authorize");  // the best guess from ${Authorize.Arn}
  EXPECT_EQ(request.ttl_seconds, 0);
  EXPECT_EQ(request.identity_source, "method.request.header.A, method.request.querystring.b");
  ASSERT_EQ(l.warnings.size(), 1u) << Dump(l.warnings);
  EXPECT_NE(l.warnings[0].find("CloudFormation substitution; taken as function 'Authorize'"), std::string::npos);
  EXPECT_NE(l.warnings[0].find("oas2_items.json:"), std::string::npos);

  const RouteSpec& get = Route(api, "GET", "/items");
  EXPECT_EQ(get.request_parameters.at("method.request.querystring.limit"), true);
  EXPECT_EQ(get.request_validator, "params-only");
  EXPECT_EQ(get.authorization_type, "CUSTOM");
  EXPECT_EQ(get.authorizer, "TokenAuth");
  EXPECT_TRUE(get.api_key_required);
  EXPECT_EQ(get.integration.action, "Scan");
  EXPECT_NE(Response(get.integration, "4\\d{2}"), nullptr);
  EXPECT_NE(get.integration.request_templates.at("application/json").find("$input.params('limit')"), std::string::npos);

  const RouteSpec& post = Route(api, "POST", "/items");
  EXPECT_EQ(post.request_models.at("application/json"), "Item");
  EXPECT_EQ(post.authorizer, "ReqAuth");
  EXPECT_EQ(post.request_validator, "");
  auto item = ParseJson(api.models.at("Item"));
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->at("properties").at("tags").at("items").at("$ref").as_string(), "#/definitions/Tag");

  // An inline body schema becomes a model of its own.
  const RouteSpec& put = Route(api, "PUT", "/items");
  const std::string model = put.request_models.at("application/json");
  EXPECT_EQ(model, "PutItemsBody");
  auto inline_schema = ParseJson(api.models.at(model));
  ASSERT_TRUE(inline_schema.ok());
  EXPECT_EQ(inline_schema->at("properties").at("n").at("minimum").as_int64(), 0);
}

TEST(OpenApi, IntegrationUrisAsTemplatesLeaveThem) {
  Loaded l = Load("uris.yaml");
  const ApiSpec& api = l.api;
  const std::string lambda = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/";
  // Fn::Sub with a ${Function.Arn}: the logical id is the function, written as an ARN.
  const IntegrationSpec& sub = Route(api, "POST", "/sub").integration;
  EXPECT_EQ(sub.function, "Authorize");
  EXPECT_EQ(sub.uri, lambda + "arn:aws:lambda:us-east-1:000000000000:function:Authorize/invocations");
  const IntegrationSpec& arn = Route(api, "POST", "/arn").integration;
  EXPECT_EQ(arn.function, "DeleteLink");
  EXPECT_EQ(arn.uri, lambda + "arn:aws:lambda:us-east-1:000000000000:function:DeleteLink/invocations");
  // A stage variable is chosen per request: kept as written.
  const IntegrationSpec& stage = Route(api, "POST", "/stage").integration;
  EXPECT_EQ(stage.function, "");
  EXPECT_EQ(stage.service, "lambda");
  EXPECT_EQ(stage.uri, lambda + "arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations");
  // Pseudo parameters read as this region and partition.
  const IntegrationSpec& table = Route(api, "POST", "/table").integration;
  EXPECT_EQ(table.uri, "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem");
  EXPECT_EQ(table.action, "PutItem");
  EXPECT_EQ(Route(api, "POST", "/qualified").integration.function, "DeleteLink");
  ASSERT_EQ(l.warnings.size(), 3u) << Dump(l.warnings);
  EXPECT_TRUE(HasWarning(l.warnings, "paths./sub.post.x-amazon-apigateway-integration.uri: "));
  EXPECT_TRUE(HasWarning(l.warnings, "taken as function 'Authorize'"));
  EXPECT_TRUE(HasWarning(l.warnings, "taken as function 'DeleteLink'"));
  EXPECT_TRUE(HasWarning(l.warnings, "function qualifier 'live' ignored"));
}

TEST(OpenApi, CorsSynthesizesPreflightsTheUsersOwnWin) {
  Loaded l = Load("cors.yaml");
  const ApiSpec& api = l.api;
  EXPECT_TRUE(l.warnings.empty()) << Dump(l.warnings);
  // /links gets an OPTIONS; /links/{id} keeps its own.
  ASSERT_EQ(api.routes.size(), 5u);
  const RouteSpec& pre = Route(api, "OPTIONS", "/links");
  EXPECT_EQ(pre.integration.type, "MOCK");
  EXPECT_EQ(pre.integration.request_templates.at("application/json"), "{\"statusCode\": 200}");
  ASSERT_EQ(pre.integration.responses.size(), 1u);
  const auto& h = pre.integration.responses[0].response_parameters;
  EXPECT_EQ(h.at("method.response.header.Access-Control-Allow-Origin"), "'https://app.example'");
  EXPECT_EQ(h.at("method.response.header.Access-Control-Allow-Methods"), "'GET,POST,OPTIONS'");
  EXPECT_EQ(h.at("method.response.header.Access-Control-Allow-Headers"), "'Content-Type,Authorization'");
  EXPECT_EQ(h.at("method.response.header.Access-Control-Max-Age"), "'600'");
  EXPECT_EQ(h.at("method.response.header.Access-Control-Allow-Credentials"), "'true'");
  const RouteSpec& own = Route(api, "OPTIONS", "/links/{id}");
  EXPECT_EQ(own.integration.responses.at(0).status_code, "204");
  EXPECT_FALSE(own.integration.responses.at(0).response_parameters.count(
      "method.response.header.Access-Control-Allow-Origin"));
  // The other methods answer with the origin, unless they set it themselves.
  const auto& get = Route(api, "GET", "/links").integration.responses.at(0).response_parameters;
  EXPECT_EQ(get.at("method.response.header.Access-Control-Allow-Origin"), "'https://app.example'");
  EXPECT_EQ(get.at("method.response.header.Access-Control-Expose-Headers"), "'X-Request-Id'");
  const auto& post = Route(api, "POST", "/links").integration.responses.at(0).response_parameters;
  EXPECT_EQ(post.at("method.response.header.Access-Control-Allow-Origin"), "'https://mine.example'");
}

TEST(OpenApi, CorsWithSeveralOriginsEchoesTheMatchingOne) {
  Loaded l = Load("cors_origins.yaml");
  EXPECT_TRUE(l.warnings.empty()) << Dump(l.warnings);
  const std::string echo =
      "#set($corsOrigin = $input.params('Origin'))#if($corsOrigin == 'https://a.example' || "
      "$corsOrigin == 'https://b.example')#set($context.responseOverride.header.Access-Control-Allow-Origin = "
      "$corsOrigin)#end";
  const IntegrationResponseSpec& pre = Route(l.api, "OPTIONS", "/links").integration.responses.at(0);
  EXPECT_EQ(pre.response_templates.at("application/json"), echo);
  EXPECT_FALSE(pre.response_parameters.count("method.response.header.Access-Control-Allow-Origin"));
  EXPECT_EQ(pre.response_parameters.at("method.response.header.Vary"), "'Origin'");
  // A response without templates keeps passing its body through.
  EXPECT_EQ(Route(l.api, "GET", "/links").integration.responses.at(0).response_templates.at("application/json"),
            echo + "$input.body");
  EXPECT_EQ(Route(l.api, "POST", "/links").integration.responses.at(0).response_templates.at("application/json"),
            echo + "{\"ok\": true}");
}

TEST(OpenApi, WhatIsNotHonouredIsOneWarningEach) {
  Loaded l = Load("warnings.yaml");
  const std::vector<std::string>& w = l.warnings;
  for (const char* part : {"x-amazon-apigateway-policy: not supported",
                           "x-amazon-apigateway-endpoint-configuration: not supported",
                           "x-amazon-apigateway-minimum-compression-size: not supported",
                           "x-amazon-apigateway-documentation: not supported",
                           "paths./vpc.get.security[0].Sig: AWS_IAM (SigV4) authorization is not checked",
                           "connectionType: VPC_LINK",
                           "tlsConfig: unknown integration setting",
                           "paths./none.get: no x-amazon-apigateway-integration: GET /none answers 500",
                           "'cookie' parameters are not supported",
                           "paths./cookie.trace: API Gateway has no TRACE methods",
                           "AWS service 's3' is not emulated"}) {
    EXPECT_TRUE(HasWarning(w, part)) << "missing warning: " << part << "\nwarnings:\n" << Dump(w);
  }
  EXPECT_EQ(w.size(), 11u) << Dump(w);
  for (const std::string& line : w) EXPECT_EQ(line.rfind("warnings.yaml:", 0), 0u) << line;
  // A method without integration answers 500 (an integration without responses).
  const RouteSpec& none = Route(l.api, "GET", "/none");
  EXPECT_EQ(none.integration.type, "MOCK");
  EXPECT_TRUE(none.integration.responses.empty());
  EXPECT_EQ(none.authorization_type, "JWT");
  EXPECT_EQ(none.authorization_scopes, std::vector<std::string>{"read"});
  const IntegrationSpec& s3 = Route(l.api, "GET", "/s3").integration;
  EXPECT_EQ(s3.type, "MOCK");
  EXPECT_TRUE(s3.responses.empty());
  const AuthorizerSpec& jwt = l.api.authorizers.at(0);
  EXPECT_EQ(jwt.identity_source, "method.request.header.Authorization");
  EXPECT_EQ(jwt.issuer, "https://issuer.example");
  EXPECT_EQ(jwt.audiences, std::vector<std::string>{"client1"});
}

TEST(OpenApi, MissingFileNamesIt) {
  std::vector<std::string> warnings;
  auto r = LoadOpenApiFile("/nonexistent/api.yaml", Context("/nonexistent/api.yaml"), &warnings);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot read OpenAPI file '/nonexistent/api.yaml'"), std::string::npos);
}

// Every bad/NAME.yaml is refused with a message containing bad/NAME.expect,
// starting with the file's name.
TEST(OpenApi, BadDocumentsAreRefusedNamingFileLineAndPath) {
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(kFixtures / "bad")) {
    if (entry.path().extension() != ".yaml") continue;
    ++cases;
    const std::string name = entry.path().stem().string();
    std::ifstream expect_in(kFixtures / "bad" / (name + ".expect"));
    std::stringstream expect;
    expect << expect_in.rdbuf();
    ASSERT_FALSE(expect.str().empty()) << name << ": no .expect";
    std::vector<std::string> warnings;
    auto r = LoadOpenApiFile(entry.path().string(), Context(name + ".yaml"), &warnings);
    ASSERT_FALSE(r.ok()) << name << " was accepted";
    EXPECT_EQ(r.status().type(), "ValidationException");
    EXPECT_NE(r.status().message().find(expect.str()), std::string::npos)
        << name << "\nmessage: " << r.status().message() << "\nexpected to contain: " << expect.str();
    EXPECT_EQ(r.status().message().rfind(name + ".yaml", 0), 0u) << r.status().message();
  }
  EXPECT_GE(cases, 30);
}

TEST(OpenApi, AliasLoopsAndDeepSchemasAreRefused) {
  std::string deep = "swagger: '2.0'\ndefinitions:\n  A: ";
  for (int i = 0; i < 80; ++i) deep += "{properties: {a: ";
  deep += "{}";
  for (int i = 0; i < 80; ++i) deep += "}}";
  deep += "\npaths: {}\n";
  std::vector<std::string> warnings;
  auto r = LoadOpenApi(YAML::Load(deep), Context("deep.yaml"), &warnings);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nests more than 64 levels"), std::string::npos) << r.status().message();
}

// Every node of the good fixtures replaced by a value of another shape: the
// loader answers (a model or a message naming the file), never crashes.
void PreOrder(YAML::Node n, std::vector<YAML::Node>* out) {
  out->push_back(n);
  if (n.IsMap()) {
    for (auto kv : n) PreOrder(kv.second, out);
  } else if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) PreOrder(n[i], out);
  }
}

TEST(OpenApi, MutatedDocumentsAreAnsweredNeverCrash) {
  const std::vector<std::string> replacements = {"", "[]", "{}", "5", "[x, {y: z}]", "{$ref: '#/'}", "'#/paths'"};
  int loads = 0;
  for (const char* file : {"oas3_links.yaml", "oas2_items.json", "cors.yaml", "warnings.yaml"}) {
    const YAML::Node original = YAML::LoadFile((kFixtures / file).string());
    std::vector<YAML::Node> nodes;
    PreOrder(YAML::Clone(original), &nodes);
    for (size_t i = 0; i < nodes.size(); ++i) {
      for (const std::string& r : replacements) {
        YAML::Node copy = YAML::Clone(original);
        std::vector<YAML::Node> at;
        PreOrder(copy, &at);
        at[i] = YAML::Load(r);  // writes into the document
        std::vector<std::string> warnings;
        auto result = LoadOpenApi(copy, Context(file), &warnings);
        ++loads;
        if (!result.ok()) {
          EXPECT_EQ(result.status().message().rfind(file, 0), 0u) << result.status().message();
        }
      }
    }
  }
  EXPECT_GT(loads, 1000);
}

}  // namespace
}  // namespace streamer::stack
