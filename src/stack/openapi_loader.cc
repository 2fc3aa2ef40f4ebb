// OpenAPI 2.0 / 3.0 with API Gateway's extensions into an ApiSpec, the way
// API Gateway imports a REST API (basePath and servers ignored, as its
// default "basepath=ignore" import does).
//
// Like the native loader, errors travel as a private exception inside this
// file and are caught at the public functions. Every error names the file,
// the line and column, and the path in the document; every warning names the
// file, the line and the path.
#include "stack/openapi_loader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "core/json.h"
#include "stack/yaml_json.h"

namespace streamer::stack {
namespace {

struct LoadError {
  std::string message;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// The gateway responses API Gateway knows.
const std::set<std::string> kGatewayResponseTypes = {
    "ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE",
    "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN",
    "INVALID_SIGNATURE", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "INVALID_API_KEY",
    "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND", "THROTTLED",
    "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED"};

// Path item keys that are operations, with the method each becomes.
const std::vector<std::pair<std::string, std::string>> kOperations = {
    {"get", "GET"},         {"put", "PUT"},   {"post", "POST"},   {"delete", "DELETE"},
    {"options", "OPTIONS"}, {"head", "HEAD"}, {"patch", "PATCH"}, {"x-amazon-apigateway-any-method", "ANY"}};

// A security scheme, as the operations' `security` uses it.
struct Scheme {
  bool api_key = false;       // the x-api-key header: apiKeyRequired
  std::string authorizer;     // an AuthorizerSpec name
  std::string unsupported;    // why it is not enforced (a warning when used)
};

class Reader {
 public:
  Reader(const YAML::Node& doc, const OpenApiContext& context, std::vector<std::string>* warnings)
      : doc_(doc), context_(context), warnings_(warnings) {}

  ApiSpec Read() {
    if (!doc_ || doc_.IsNull()) Fail(doc_, "", "the document is empty");
    if (!doc_.IsMap()) Fail(doc_, "", "expected an OpenAPI document (a mapping)");
    if (doc_["swagger"]) {
      const std::string v = Scalar(doc_["swagger"], "swagger");
      if (v != "2.0") Fail(doc_["swagger"], "swagger", "unsupported version '" + v + "' (expected 2.0)");
      oas3_ = false;
    } else if (doc_["openapi"]) {
      const std::string v = Scalar(doc_["openapi"], "openapi");
      if (!StartsWith(v, "3.0") && !StartsWith(v, "3.1")) {
        Fail(doc_["openapi"], "openapi", "unsupported version '" + v + "' (expected 3.0.x)");
      }
      oas3_ = true;
    } else {
      Fail(doc_, "", "neither 'swagger: \"2.0\"' nor 'openapi: 3.0.x': not an OpenAPI document");
    }
    api_.name = context_.api_name;
    api_.stage = context_.stage;
    api_.source_file = context_.source;

    ReadRootExtensions();
    ReadModels();
    ReadSecuritySchemes();
    if (YAML::Node sec = doc_["security"]) default_security_.reset(sec);
    const YAML::Node paths = doc_["paths"];
    if (paths && !paths.IsNull()) {
      if (!paths.IsMap()) Fail(paths, "paths", "expected a mapping of paths");
      for (const auto& kv : paths) ReadPath(kv.first, kv.second);
    }
    if (YAML::Node cors = doc_["x-amazon-apigateway-cors"]) AddCors(cors);
    return std::move(api_);
  }

  [[noreturn]] void Fail(const YAML::Node& at, const std::string& path, const std::string& msg) {
    std::string out = context_.source;
    if (at && !at.Mark().is_null()) {
      out += ":" + std::to_string(at.Mark().line + 1) + ":" + std::to_string(at.Mark().column + 1);
    }
    out += ": ";
    if (!path.empty()) out += path + ": ";
    throw LoadError{out + msg};
  }

 private:
  void Warn(const YAML::Node& at, const std::string& path, const std::string& msg) {
    std::string out = context_.source;
    if (at && !at.Mark().is_null()) out += ":" + std::to_string(at.Mark().line + 1);
    warnings_->push_back(out + ": " + path + ": " + msg);
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  std::string Scalar(const YAML::Node& n, const std::string& path) {
    if (!n || !n.IsScalar()) Fail(n, path, n && !n.IsNull() ? "expected a string" : "missing value");
    return n.Scalar();
  }
  std::string NonEmpty(const YAML::Node& n, const std::string& path) {
    std::string s = Scalar(n, path);
    if (s.empty()) Fail(n, path, "must not be empty");
    return s;
  }
  bool Bool(const YAML::Node& n, const std::string& path) {
    const std::string s = Lower(Scalar(n, path));
    if (s == "true") return true;
    if (s == "false") return false;
    Fail(n, path, "expected true or false, got '" + n.Scalar() + "'");
  }
  int Int(const YAML::Node& n, const std::string& path, int lo, int hi) {
    const std::string s = Scalar(n, path);
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno != 0) Fail(n, path, "expected a whole number, got '" + s + "'");
    if (v < lo || v > hi) {
      Fail(n, path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + s);
    }
    return static_cast<int>(v);
  }
  void RequireMap(const YAML::Node& n, const std::string& path) {
    if (!n || !n.IsMap()) Fail(n, path, "expected a mapping");
  }
  std::map<std::string, std::string> StringMap(const YAML::Node& n, const std::string& path) {
    std::map<std::string, std::string> out;
    if (!n || n.IsNull()) return out;
    RequireMap(n, path);
    for (const auto& kv : n) {
      const std::string key = Scalar(kv.first, path);
      out[key] = kv.second.IsNull() ? "" : Scalar(kv.second, Join(path, key));
    }
    return out;
  }
  std::vector<std::string> StringList(const YAML::Node& n, const std::string& path) {
    std::vector<std::string> out;
    if (!n || n.IsNull()) return out;
    if (n.IsScalar()) return {n.Scalar()};
    if (!n.IsSequence()) Fail(n, path, "expected a list of strings");
    for (size_t i = 0; i < n.size(); ++i) out.push_back(Scalar(n[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }

  // Follows `$ref`s ("#/a/b") to the node they name, refusing cycles.
  YAML::Node Resolve(YAML::Node n, std::string path, std::string* resolved_path = nullptr) {
    std::set<std::string> seen;
    while (n && n.IsMap() && n["$ref"]) {
      const std::string ref = Scalar(n["$ref"], path + ".$ref");
      if (!StartsWith(ref, "#/")) {
        Fail(n["$ref"], path + ".$ref", "'" + ref + "': only references inside the document (#/...) are supported");
      }
      if (!seen.insert(ref).second) Fail(n["$ref"], path + ".$ref", "'" + ref + "' refers to itself (a cycle)");
      // (YAML::Node's operator= writes into the node it refers to: walking
      // rebinds with reset().)
      YAML::Node target(doc_);
      std::string part;
      std::istringstream parts(ref.substr(2));
      while (std::getline(parts, part, '/')) {
        // JSON pointer escapes.
        for (size_t p; (p = part.find("~1")) != std::string::npos;) part.replace(p, 2, "/");
        for (size_t p; (p = part.find("~0")) != std::string::npos;) part.replace(p, 2, "~");
        if (!target.IsMap() || !target[part]) Fail(n["$ref"], path + ".$ref", "'" + ref + "' names nothing in the document");
        target.reset(target[part]);
      }
      path = ref.substr(2);
      std::replace(path.begin(), path.end(), '/', '.');
      n.reset(target);
    }
    if (resolved_path) *resolved_path = path;
    return n;
  }

  // ---- x-amazon-apigateway-* at the root.
  void ReadRootExtensions() {
    for (const auto& kv : doc_) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      if (!StartsWith(key, "x-amazon-apigateway-")) continue;
      if (key == "x-amazon-apigateway-request-validators") {
        RequireMap(v, key);
        for (const auto& e : v) {
          const std::string name = Scalar(e.first, key);
          const std::string path = Join(key, name);
          RequireMap(e.second, path);
          RequestValidatorSpec spec;
          for (const auto& f : e.second) {
            const std::string field = f.first.Scalar();
            if (field == "validateRequestBody") {
              spec.validate_body = Bool(f.second, Join(path, field));
            } else if (field == "validateRequestParameters") {
              spec.validate_parameters = Bool(f.second, Join(path, field));
            } else {
              Warn(f.first, Join(path, field), "unknown request validator setting, ignored");
            }
          }
          api_.request_validators[name] = spec;
        }
      } else if (key == "x-amazon-apigateway-request-validator") {
        default_validator_ = NonEmpty(v, key);
        default_validator_node_.reset(v);
      } else if (key == "x-amazon-apigateway-binary-media-types") {
        api_.binary_media_types = StringList(v, key);
      } else if (key == "x-amazon-apigateway-gateway-responses") {
        ReadGatewayResponses(v, key);
      } else if (key == "x-amazon-apigateway-api-key-source") {
        api_.api_key_source = Upper(NonEmpty(v, key));
        if (api_.api_key_source != "HEADER" && api_.api_key_source != "AUTHORIZER") {
          Fail(v, key, "unknown API key source '" + v.Scalar() + "' (expected HEADER or AUTHORIZER)");
        }
      } else if (key == "x-amazon-apigateway-cors") {
        // Read once the routes are known.
      } else {
        Warn(kv.first, key, "not supported, ignored");
      }
    }
    if (!default_validator_.empty() && !api_.request_validators.count(default_validator_)) {
      Fail(default_validator_node_, "x-amazon-apigateway-request-validator",
           "unknown request validator '" + default_validator_ + "' (not in x-amazon-apigateway-request-validators)");
    }
  }

  void ReadGatewayResponses(const YAML::Node& v, const std::string& key) {
    RequireMap(v, key);
    for (const auto& e : v) {
      GatewayResponseSpec g;
      g.type = Scalar(e.first, key);
      const std::string path = Join(key, g.type);
      if (!kGatewayResponseTypes.count(g.type)) Fail(e.first, path, "unknown gateway response type '" + g.type + "'");
      RequireMap(e.second, path);
      for (const auto& f : e.second) {
        const std::string field = f.first.Scalar();
        const std::string fpath = Join(path, field);
        if (field == "statusCode") {
          g.status_code = Int(f.second, fpath, 100, 599);
        } else if (field == "responseParameters") {
          g.response_parameters = StringMap(f.second, fpath);
          for (const auto& [name, value] : g.response_parameters) {
            if (!StartsWith(name, "gatewayresponse.header.") && !StartsWith(name, "gatewayresponse.querystring.") &&
                !StartsWith(name, "gatewayresponse.path.")) {
              Fail(f.second, fpath, "'" + name + "' is not a gateway response parameter (gatewayresponse.header.X)");
            }
          }
        } else if (field == "responseTemplates") {
          g.response_templates = StringMap(f.second, fpath);
        } else {
          Warn(f.first, fpath, "unknown gateway response setting, ignored");
        }
      }
      api_.gateway_responses.push_back(std::move(g));
    }
  }

  // ---- Models: definitions (2.0) or components.schemas (3.0).
  void ReadModels() {
    const std::string section = oas3_ ? "components.schemas" : "definitions";
    const YAML::Node schemas = oas3_ ? (doc_["components"] ? doc_["components"]["schemas"] : YAML::Node())
                                     : doc_["definitions"];
    if (!schemas || schemas.IsNull()) return;
    RequireMap(schemas, section);
    for (const auto& kv : schemas) {
      const std::string name = Scalar(kv.first, section);
      api_.models[name] = SchemaJson(kv.second, Join(section, name));
    }
  }

  // A schema as JSON text, its $refs to other schemas rewritten to
  // "#/definitions/Name" (the validator finds those in api.models).
  std::string SchemaJson(const YAML::Node& n, const std::string& path) {
    if (!n.IsMap()) Fail(n, path, "expected a schema (a mapping)");
    std::string text;
    YAML::Node deep;
    if (!AppendYamlAsJson(n, 64, &text, &deep)) Fail(deep, path, "the schema nests more than 64 levels");
    auto parsed = ParseJson(text);
    if (!parsed) Fail(n, path, "the schema is not JSON: " + parsed.status().message());
    std::string bad;
    RewriteRefs(*parsed, &bad);
    if (!bad.empty()) {
      Fail(n, path, "'$ref: " + bad + "': a schema may refer to #/definitions/X or #/components/schemas/X only");
    }
    return ToJson(*parsed);
  }

  void RewriteRefs(json::value& v, std::string* bad) {
    if (json::object* o = v.if_object()) {
      for (auto& kv : *o) {
        if (kv.key() == "$ref" && kv.value().is_string()) {
          const std::string ref(kv.value().as_string());
          std::string name;
          if (StartsWith(ref, "#/definitions/")) {
            name = ref.substr(std::strlen("#/definitions/"));
          } else if (StartsWith(ref, "#/components/schemas/")) {
            name = ref.substr(std::strlen("#/components/schemas/"));
          } else if (bad->empty()) {
            *bad = ref;
          }
          if (!name.empty()) kv.value() = json::string("#/definitions/" + name);
        } else {
          RewriteRefs(kv.value(), bad);
        }
      }
    } else if (json::array* a = v.if_array()) {
      for (auto& x : *a) RewriteRefs(x, bad);
    }
  }

  // The model a body schema becomes: a named one when it is a $ref to a
  // schema, else a new model named after the operation.
  std::string ModelFor(const YAML::Node& schema, const std::string& path, const std::string& suggested) {
    if (schema.IsMap() && schema["$ref"] && schema.size() == 1) {
      const std::string ref = Scalar(schema["$ref"], path + ".$ref");
      for (const char* prefix : {"#/definitions/", "#/components/schemas/"}) {
        if (StartsWith(ref, prefix)) {
          const std::string name = ref.substr(std::strlen(prefix));
          if (!api_.models.count(name)) Fail(schema["$ref"], path + ".$ref", "'" + ref + "' names no schema");
          return name;
        }
      }
      Fail(schema["$ref"], path + ".$ref", "'" + ref + "': a body schema may refer to #/definitions/X or #/components/schemas/X");
    }
    std::string name = suggested;
    for (int i = 2; api_.models.count(name); ++i) name = suggested + std::to_string(i);
    api_.models[name] = SchemaJson(schema, path);
    return name;
  }

  // ---- Security schemes: API keys and authorizers.
  void ReadSecuritySchemes() {
    const std::string section = oas3_ ? "components.securitySchemes" : "securityDefinitions";
    const YAML::Node schemes = oas3_ ? (doc_["components"] ? doc_["components"]["securitySchemes"] : YAML::Node())
                                     : doc_["securityDefinitions"];
    if (!schemes || schemes.IsNull()) return;
    RequireMap(schemes, section);
    for (const auto& kv : schemes) {
      const std::string name = Scalar(kv.first, section);
      const std::string path = Join(section, name);
      const YAML::Node s = Resolve(kv.second, path);
      RequireMap(s, path);
      Scheme scheme;
      const std::string type = s["type"] ? Scalar(s["type"], path + ".type") : "";
      const std::string authtype = s["x-amazon-apigateway-authtype"]
                                       ? Lower(Scalar(s["x-amazon-apigateway-authtype"], path + ".x-amazon-apigateway-authtype"))
                                       : "";
      const YAML::Node authorizer = s["x-amazon-apigateway-authorizer"];
      for (const auto& f : s) {
        const std::string field = f.first.Scalar();
        if (StartsWith(field, "x-amazon-apigateway-") && field != "x-amazon-apigateway-authtype" &&
            field != "x-amazon-apigateway-authorizer") {
          Warn(f.first, Join(path, field), "not supported, ignored");
        }
      }
      if (authorizer) {
        scheme.authorizer = name;
        api_.authorizers.push_back(ReadAuthorizer(name, s, authorizer, path));
      } else if (authtype == "awssigv4") {
        scheme.unsupported = "AWS_IAM (SigV4) authorization is not checked";
      } else if (authtype == "cognito_user_pools" || authtype == "custom") {
        Fail(s, path, "x-amazon-apigateway-authtype " + authtype + " without x-amazon-apigateway-authorizer");
      } else if (type == "apiKey" && s["in"] && s["in"].Scalar() == "header" && s["name"] &&
                 Lower(s["name"].Scalar()) == "x-api-key") {
        scheme.api_key = true;
      } else {
        scheme.unsupported = "security scheme of type '" + type + "' without x-amazon-apigateway-authorizer is not enforced";
      }
      schemes_[name] = scheme;
    }
  }

  AuthorizerSpec ReadAuthorizer(const std::string& name, const YAML::Node& scheme, const YAML::Node& n,
                                const std::string& scheme_path) {
    const std::string path = scheme_path + ".x-amazon-apigateway-authorizer";
    RequireMap(n, path);
    AuthorizerSpec a;
    a.name = name;
    if (!n["type"]) Fail(n, path, "missing 'type'");
    const std::string type = Lower(Scalar(n["type"], path + ".type"));
    if (type == "token") {
      a.type = "TOKEN";
    } else if (type == "request") {
      a.type = "REQUEST";
    } else if (type == "cognito_user_pools") {
      a.type = "COGNITO_USER_POOLS";
    } else if (type == "jwt") {
      a.type = "JWT";
    } else {
      Fail(n["type"], path + ".type", "unknown authorizer type '" + n["type"].Scalar() +
                                          "' (expected token, request, cognito_user_pools or jwt)");
    }
    // The header of an apiKey scheme is the token's source unless identitySource says otherwise.
    if (scheme["in"] && scheme["in"].Scalar() == "header" && scheme["name"] && scheme["name"].IsScalar()) {
      a.identity_source = "method.request.header." + scheme["name"].Scalar();
    }
    for (const auto& f : n) {
      const std::string field = f.first.Scalar();
      const std::string fpath = Join(path, field);
      const YAML::Node& v = f.second;
      if (field == "type") {
      } else if (field == "authorizerUri") {
        if (a.type != "TOKEN" && a.type != "REQUEST") Fail(v, fpath, "only token and request authorizers have a function");
        a.function = FunctionOfUri(NonEmpty(v, fpath), v, fpath);
        if (a.function.empty()) Fail(v, fpath, "an authorizer's function cannot be a stage variable here");
      } else if (field == "authorizerResultTtlInSeconds") {
        a.ttl_seconds = Int(v, fpath, 0, 3600);
      } else if (field == "identitySource") {
        a.identity_source = NonEmpty(v, fpath);
        // HTTP APIs write "$request.header.Authorization".
        if (StartsWith(a.identity_source, "$request.header.")) {
          a.identity_source = "method.request.header." + a.identity_source.substr(std::strlen("$request.header."));
        }
      } else if (field == "identityValidationExpression") {
        a.identity_validation_expression = Scalar(v, fpath);
      } else if (field == "providerARNs") {
        a.provider_arns = StringList(v, fpath);
      } else if (field == "jwtConfiguration") {
        RequireMap(v, fpath);
        if (v["issuer"]) a.issuer = NonEmpty(v["issuer"], fpath + ".issuer");
        if (v["audience"]) a.audiences = StringList(v["audience"], fpath + ".audience");
      } else if (field == "x-jwks-file" || field == "jwksFile") {
        // Our extension: a JWKS file (relative to the document) checks signatures.
        std::filesystem::path p(NonEmpty(v, fpath));
        if (p.is_relative()) p = std::filesystem::path(context_.source).parent_path() / p;
        a.jwks_file = p.lexically_normal().string();
        std::error_code ec;
        if (!std::filesystem::is_regular_file(a.jwks_file, ec)) Fail(v, fpath, "no such file: " + a.jwks_file);
      } else if (field == "authorizerCredentials" || field == "authorizerPayloadFormatVersion" ||
                 field == "enableSimpleResponses") {
        // Invoke credentials need no emulation; the others are HTTP API settings.
      } else {
        Warn(f.first, fpath, "unknown authorizer setting, ignored");
      }
    }
    if ((a.type == "TOKEN" || a.type == "REQUEST") && a.function.empty()) Fail(n, path, "missing 'authorizerUri'");
    if (a.type == "COGNITO_USER_POOLS" && a.provider_arns.empty()) Fail(n, path, "missing 'providerARNs'");
    return a;
  }

  // The function of a Lambda integration or authorizer uri:
  // arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations.
  // CloudFormation's pseudo parameters left in a uri (Fn::Sub), as they
  // read here.
  std::string PseudoParameters(std::string uri) const {
    const std::vector<std::pair<std::string, std::string>> values = {
        {"${AWS::Region}", context_.region}, {"${AWS::AccountId}", "000000000000"},
        {"${AWS::Partition}", "aws"}, {"${AWS::URLSuffix}", "amazonaws.com"}};
    for (const auto& [name, value] : values) {
      for (size_t p; (p = uri.find(name)) != std::string::npos;) uri.replace(p, name.size(), value);
    }
    return uri;
  }

  // "" when the function is a stage variable (chosen per request).
  std::string FunctionOfUri(const std::string& written_uri, const YAML::Node& at, const std::string& path) {
    const std::string uri = PseudoParameters(written_uri);
    const std::string marker = ":lambda:path/2015-03-31/functions/";
    size_t start = uri.find(marker);
    if (!StartsWith(uri, "arn:aws:apigateway:") || start == std::string::npos) {
      Fail(at, path, "'" + uri + "' is not a Lambda invocation uri (arn:aws:apigateway:{region}:lambda:path/"
                     "2015-03-31/functions/{function ARN}/invocations)");
    }
    std::string arn = uri.substr(start + marker.size());
    const size_t end = arn.rfind("/invocations");
    if (end != std::string::npos) arn = arn.substr(0, end);
    std::string name;
    if (arn.find("${stageVariables.") != std::string::npos) {
      return "";
    } else if (arn.find("${") != std::string::npos) {
      // Left over from CloudFormation's Fn::Sub ("${MyFunction.Arn}"): the
      // logical id is the best guess at the function's name.
      const size_t open = arn.find("${");
      const size_t close = arn.find('}', open);
      std::string inner = arn.substr(open + 2, close == std::string::npos ? std::string::npos : close - open - 2);
      if (const size_t dot = inner.find('.'); dot != std::string::npos) inner = inner.substr(0, dot);
      const size_t fn = arn.find(":function:");
      name = fn != std::string::npos && arn.find("${", fn) != fn + 10 ? arn.substr(fn + 10) : inner;
      if (const size_t colon = name.find(':'); colon != std::string::npos) name = name.substr(0, colon);
      Warn(at, path, "'" + uri + "' has a CloudFormation substitution; taken as function '" + name + "'");
    } else {
      const size_t fn = arn.find(":function:");
      if (!StartsWith(arn, "arn:aws:lambda:") || fn == std::string::npos) {
        Fail(at, path, "'" + arn + "' is not a Lambda function ARN (arn:aws:lambda:{region}:{account}:function:{name})");
      }
      name = arn.substr(fn + 10);
      if (const size_t colon = name.find(':'); colon != std::string::npos) {
        Warn(at, path, "function qualifier '" + name.substr(colon + 1) + "' ignored (one version of each function runs)");
        name = name.substr(0, colon);
      }
    }
    if (name.empty()) Fail(at, path, "no function name in '" + uri + "'");
    if (std::find(context_.function_names.begin(), context_.function_names.end(), name) ==
        context_.function_names.end()) {
      Fail(at, path, "unknown function '" + name + "' (the stack declares no function of that name)");
    }
    return name;
  }

  // ---- Paths and operations.
  void ReadPath(const YAML::Node& key, const YAML::Node& item_node) {
    const std::string route_path = Scalar(key, "paths");
    const std::string path = "paths." + route_path;
    CheckRoutePath(route_path, key, path);
    const YAML::Node item = Resolve(item_node, path);
    RequireMap(item, path);
    const YAML::Node shared_params = item["parameters"];
    for (const auto& kv : item) {
      const std::string k = kv.first.Scalar();
      auto op = std::find_if(kOperations.begin(), kOperations.end(), [&](const auto& o) { return o.first == k; });
      if (op != kOperations.end()) {
        ReadOperation(route_path, op->second, kv.second, shared_params, Join(path, k));
      } else if (k == "trace") {
        Warn(kv.first, Join(path, k), "API Gateway has no TRACE methods; ignored");
      } else if (StartsWith(k, "x-amazon-apigateway-")) {
        Warn(kv.first, Join(path, k), "not supported, ignored");
      }
    }
  }

  void CheckRoutePath(const std::string& p, const YAML::Node& at, const std::string& path) {
    if (p.empty() || p[0] != '/') Fail(at, path, "a path starts with '/'");
    if (p == "/") return;
    if (p.back() == '/') Fail(at, path, "a path does not end with '/'");
    size_t start = 1;
    while (start <= p.size()) {
      size_t end = p.find('/', start);
      if (end == std::string::npos) end = p.size();
      const std::string part = p.substr(start, end - start);
      if (part.empty()) Fail(at, path, "empty path segment");
      if (part.front() == '{' || part.back() == '}') {
        if (part.size() < 3 || part.front() != '{' || part.back() != '}' ||
            part.find_first_of("{}", 1) != part.size() - 1) {
          Fail(at, path, "bad path parameter '" + part + "' (write {name} or {name+})");
        }
        if (part[part.size() - 2] == '+' && end != p.size()) {
          Fail(at, path, "greedy parameter '" + part + "' must be the last segment");
        }
      } else if (part.find_first_of("{}") != std::string::npos) {
        Fail(at, path, "a path parameter is a whole segment ('" + part + "')");
      }
      start = end + 1;
    }
    // API Gateway allows one variable part per level: /items/{id} and
    // /items/{name} cannot both exist.
    size_t pos = 0;
    while ((pos = p.find("/{", pos)) != std::string::npos) {
      const std::string prefix = p.substr(0, pos);
      const size_t end = p.find('/', pos + 1);
      const std::string part = p.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
      auto [it, inserted] = variable_at_.try_emplace(prefix, part, p);
      if (!inserted && it->second.first != part) {
        Fail(at, path, "'" + part + "' conflicts with '" + it->second.first + "' of path '" + it->second.second +
                           "' (one variable path part per level)");
      }
      pos += 2;
    }
  }

  static std::string Identifier(const std::string& s) {
    std::string out;
    bool upper = true;
    for (char c : s) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
        upper = false;
      } else {
        upper = true;
      }
    }
    return out;
  }

  void ReadOperation(const std::string& route_path, const std::string& method, const YAML::Node& op_node,
                     const YAML::Node& shared_params, const std::string& path) {
    const YAML::Node op = Resolve(op_node, path);
    RequireMap(op, path);
    RouteSpec r;
    r.method = method;
    r.path = route_path;
    for (const RouteSpec& other : api_.routes) {
      if (other.method == method && other.path == route_path) Fail(op_node, path, "duplicate route " + method + " " + route_path);
    }
    const std::string model_stem =
        op["operationId"] && op["operationId"].IsScalar() ? Identifier(op["operationId"].Scalar())
                                                           : Identifier(Lower(method) + route_path);
    // Parameters: the operation's override the path's of the same name and place.
    std::map<std::pair<std::string, std::string>, std::pair<YAML::Node, std::string>> params;
    for (const auto& [list, lpath] : {std::pair{shared_params, path.substr(0, path.rfind('.')) + ".parameters"},
                                      std::pair{op["parameters"], path + ".parameters"}}) {
      if (!list || list.IsNull()) continue;
      if (!list.IsSequence()) Fail(list, lpath, "expected a list of parameters");
      for (size_t i = 0; i < list.size(); ++i) {
        const std::string ppath = lpath + "[" + std::to_string(i) + "]";
        std::string resolved;
        YAML::Node p = Resolve(list[i], ppath, &resolved);
        RequireMap(p, ppath);
        if (!p["name"] || !p["in"]) Fail(p, ppath, "a parameter has 'name' and 'in'");
        const std::pair<std::string, std::string> key{Scalar(p["in"], ppath + ".in"), Scalar(p["name"], ppath + ".name")};
        params.erase(key);  // (assigning a YAML::Node would overwrite the path's own parameter)
        params.emplace(key, std::make_pair(p, ppath));
      }
    }
    std::vector<std::string> consumes = StringList(op["consumes"] ? op["consumes"] : doc_["consumes"], "consumes");
    if (consumes.empty()) consumes.push_back("application/json");
    for (const auto& [where_name, node_path] : params) {
      const auto& [in, name] = where_name;
      const auto& [p, ppath] = node_path;
      const bool required = p["required"] && Bool(p["required"], ppath + ".required");
      if (in == "query") {
        r.request_parameters["method.request.querystring." + name] = required;
      } else if (in == "header") {
        r.request_parameters["method.request.header." + name] = required;
      } else if (in == "path") {
        if (route_path.find("{" + name + "}") == std::string::npos &&
            route_path.find("{" + name + "+}") == std::string::npos) {
          Fail(p, ppath, "the path '" + route_path + "' has no {" + name + "}");
        }
        r.request_parameters["method.request.path." + name] = true;
      } else if (in == "body" && !oas3_) {
        if (!p["schema"]) Fail(p, ppath, "a body parameter has a 'schema'");
        const std::string model = ModelFor(p["schema"], ppath + ".schema", model_stem + "Body");
        for (const std::string& type : consumes) r.request_models[type] = model;
      } else {
        Warn(p, ppath, "'" + in + "' parameters are not supported by API Gateway; '" + name + "' ignored");
      }
    }
    if (oas3_ && op["requestBody"]) {
      const std::string bpath = path + ".requestBody";
      const YAML::Node body = Resolve(op["requestBody"], bpath);
      RequireMap(body, bpath);
      if (YAML::Node content = body["content"]) {
        RequireMap(content, bpath + ".content");
        for (const auto& kv : content) {
          const std::string type = Scalar(kv.first, bpath + ".content");
          const std::string cpath = Join(bpath + ".content", type);
          if (kv.second.IsMap() && kv.second["schema"]) {
            r.request_models[type] = ModelFor(kv.second["schema"], cpath + ".schema", model_stem + "Body");
          }
        }
      }
    }
    std::string validator = default_validator_;
    YAML::Node validator_node;
    if (YAML::Node v = op["x-amazon-apigateway-request-validator"]) {
      validator = Scalar(v, path + ".x-amazon-apigateway-request-validator");
      validator_node.reset(v);
    }
    if (!validator.empty() && !api_.request_validators.count(validator)) {
      Fail(validator_node, path + ".x-amazon-apigateway-request-validator", "unknown request validator '" + validator + "'");
    }
    r.request_validator = validator;
    ReadSecurity(op["security"] ? op["security"] : default_security_, path + ".security", &r);
    bool has_integration = false;
    for (const auto& kv : op) {
      const std::string k = kv.first.Scalar();
      if (k == "x-amazon-apigateway-integration") {
        r.integration = ReadIntegration(Resolve(kv.second, Join(path, k)), Join(path, k));
        has_integration = true;
      } else if (k == "x-amazon-apigateway-auth") {
        const YAML::Node t = kv.second.IsMap() ? kv.second["type"] : YAML::Node();
        if (!t || Upper(t.Scalar()) != "NONE") Warn(kv.first, Join(path, k), "AWS_IAM (SigV4) authorization is not checked");
      } else if (k == "x-amazon-apigateway-request-validator") {
      } else if (StartsWith(k, "x-amazon-apigateway-")) {
        Warn(kv.first, Join(path, k), "not supported, ignored");
      }
    }
    if (!has_integration) {
      // API Gateway cannot deploy a method without an integration; here the
      // route answers as an integration without responses does: 500.
      Warn(op_node, path, "no x-amazon-apigateway-integration: " + method + " " + route_path +
                              " answers 500 {\"message\": \"Internal server error\"}");
      r.integration.type = "MOCK";
      r.integration.request_templates["application/json"] = "{\"statusCode\": 500}";
    }
    api_.routes.push_back(std::move(r));
  }

  void ReadSecurity(const YAML::Node& security, const std::string& path, RouteSpec* r) {
    if (!security || security.IsNull()) return;
    if (!security.IsSequence()) Fail(security, path, "expected a list of security requirements");
    for (size_t i = 0; i < security.size(); ++i) {
      const YAML::Node req = security[i];
      const std::string rpath = path + "[" + std::to_string(i) + "]";
      if (req.IsNull()) continue;
      RequireMap(req, rpath);
      for (const auto& kv : req) {
        const std::string name = Scalar(kv.first, rpath);
        auto it = schemes_.find(name);
        if (it == schemes_.end()) Fail(kv.first, Join(rpath, name), "unknown security scheme '" + name + "'");
        const Scheme& s = it->second;
        if (s.api_key) {
          r->api_key_required = true;
        } else if (!s.authorizer.empty()) {
          if (!r->authorizer.empty() && r->authorizer != s.authorizer) {
            Warn(kv.first, Join(rpath, name), "a second authorizer for one method; '" + r->authorizer + "' is used");
            continue;
          }
          r->authorizer = s.authorizer;
          const AuthorizerSpec& a = *std::find_if(api_.authorizers.begin(), api_.authorizers.end(),
                                                  [&](const AuthorizerSpec& x) { return x.name == s.authorizer; });
          r->authorization_type = a.type == "TOKEN" || a.type == "REQUEST" ? "CUSTOM" : a.type;
          if (a.type == "COGNITO_USER_POOLS" || a.type == "JWT") r->authorization_scopes = StringList(kv.second, Join(rpath, name));
        } else {
          Warn(kv.first, Join(rpath, name), s.unsupported);
        }
      }
    }
  }

  IntegrationSpec ReadIntegration(const YAML::Node& n, const std::string& path) {
    RequireMap(n, path);
    IntegrationSpec in;
    if (!n["type"]) Fail(n, path, "missing 'type'");
    in.type = Upper(Scalar(n["type"], path + ".type"));
    static const std::set<std::string> kTypes = {"AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"};
    if (!kTypes.count(in.type)) {
      Fail(n["type"], path + ".type", "unknown integration type '" + n["type"].Scalar() +
                                          "' (expected aws, aws_proxy, http, http_proxy or mock)");
    }
    bool vpc_link = false;
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      const std::string kpath = Join(path, k);
      const YAML::Node& v = kv.second;
      if (k == "type") {
      } else if (k == "uri") {
        // A definition lifted from a SAM/CloudFormation template may keep {"Fn::Sub": "..."}.
        if (v.IsMap() && v.size() == 1 && v["Fn::Sub"]) {
          const YAML::Node sub = v["Fn::Sub"];
          in.uri = NonEmpty(sub.IsSequence() && sub.size() > 0 ? sub[0] : sub, kpath + ".Fn::Sub");
        } else {
          in.uri = NonEmpty(v, kpath);
        }
      } else if (k == "httpMethod") {
        in.http_method = Upper(NonEmpty(v, kpath));
      } else if (k == "requestTemplates") {
        in.request_templates = StringMap(v, kpath);
      } else if (k == "requestParameters") {
        in.request_parameters = StringMap(v, kpath);
        for (const auto& [to, from] : in.request_parameters) {
          if (!StartsWith(to, "integration.request.")) {
            Fail(v, kpath, "'" + to + "' is not an integration request parameter (integration.request.header.X, "
                           "integration.request.querystring.X, integration.request.path.X)");
          }
        }
      } else if (k == "passthroughBehavior") {
        in.passthrough_behavior = Upper(NonEmpty(v, kpath));
        if (in.passthrough_behavior != "WHEN_NO_MATCH" && in.passthrough_behavior != "WHEN_NO_TEMPLATES" &&
            in.passthrough_behavior != "NEVER") {
          Fail(v, kpath, "unknown passthrough behavior '" + v.Scalar() + "' (expected when_no_match, when_no_templates or never)");
        }
      } else if (k == "contentHandling") {
        in.content_handling = ContentHandling(v, kpath);
      } else if (k == "timeoutInMillis") {
        in.timeout_ms = Int(v, kpath, 50, 29000);
      } else if (k == "responses") {
        ReadIntegrationResponses(v, kpath, &in);
      } else if (k == "connectionType") {
        if (Upper(NonEmpty(v, kpath)) == "VPC_LINK") vpc_link = true;
      } else if (k == "cacheKeyParameters" || k == "cacheNamespace" || k == "credentials" || k == "connectionId" ||
                 k == "integrationSubtype" || k == "payloadFormatVersion") {
        // No cache to key, no role to assume: the behaviour is the same without.
      } else {
        Warn(kv.first, kpath, "unknown integration setting, ignored");
      }
    }
    if (vpc_link) Warn(n["connectionType"], path + ".connectionType", "VPC_LINK: requests go straight to the uri");
    if (in.type == "MOCK") return in;
    if (in.uri.empty()) Fail(n, path, "missing 'uri'");
    if (in.type == "HTTP" || in.type == "HTTP_PROXY") {
      if (!StartsWith(in.uri, "http://") && !StartsWith(in.uri, "https://")) {
        Fail(n["uri"], path + ".uri", "an http integration's uri is an http:// or https:// URL");
      }
      if (in.http_method.empty()) Fail(n, path, "missing 'httpMethod'");
      if (in.http_method == "ANY") in.http_method.clear();  // the method request's
      return in;
    }
    // AWS and AWS_PROXY: arn:aws:apigateway:{region}:{service}:{action/X | path/...}
    const YAML::Node uri = n["uri"];
    in.uri = PseudoParameters(in.uri);
    std::vector<std::string> parts;
    size_t pos = 0;
    for (int i = 0; i < 5 && pos != std::string::npos; ++i) {
      size_t colon = in.uri.find(':', pos);
      parts.push_back(in.uri.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos));
      pos = colon == std::string::npos ? colon : colon + 1;
    }
    if (parts.size() < 5 || pos == std::string::npos || parts[0] != "arn" || parts[2] != "apigateway") {
      Fail(uri, path + ".uri", "'" + in.uri + "' is not an AWS service uri (arn:aws:apigateway:{region}:{service}:action/{Action})");
    }
    in.service = parts[4];
    const std::string rest = in.uri.substr(pos);
    if (in.service == "lambda") {
      in.function = FunctionOfUri(in.uri, uri, path + ".uri");
      if (!in.function.empty() && in.uri.find("${") != std::string::npos) {
        // The guessed function, written as the gateway reads uris.
        in.uri = "arn:aws:apigateway:" + context_.region + ":lambda:path/2015-03-31/functions/arn:aws:lambda:" +
                 context_.region + ":000000000000:function:" + in.function + "/invocations";
      }
    } else if (in.type == "AWS_PROXY") {
      Fail(uri, path + ".uri", "an aws_proxy integration calls a Lambda function");
    } else if (in.service == "dynamodb") {
      if (!StartsWith(rest, "action/") || rest.size() <= 7 ||
          !std::all_of(rest.begin() + 7, rest.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
        Fail(uri, path + ".uri", "'" + in.uri + "': a DynamoDB uri ends in action/{Action}, e.g. action/PutItem");
      }
      in.action = rest.substr(7);
    } else {
      Warn(uri, path + ".uri", "AWS service '" + in.service + "' is not emulated; the method answers 500");
      // As an integration without responses answers: 500 Internal server error.
      IntegrationSpec none;
      none.type = "MOCK";
      none.uri = in.uri;
      return none;
    }
    return in;
  }

  std::string ContentHandling(const YAML::Node& v, const std::string& path) {
    const std::string s = Upper(NonEmpty(v, path));
    if (s != "CONVERT_TO_TEXT" && s != "CONVERT_TO_BINARY") {
      Fail(v, path, "unknown content handling '" + v.Scalar() + "' (expected CONVERT_TO_TEXT or CONVERT_TO_BINARY)");
    }
    return s;
  }

  void ReadIntegrationResponses(const YAML::Node& n, const std::string& path, IntegrationSpec* in) {
    RequireMap(n, path);
    for (const auto& kv : n) {
      const std::string key = Scalar(kv.first, path);
      const std::string rpath = Join(path, key);
      RequireMap(kv.second, rpath);
      IntegrationResponseSpec r;
      r.selection_pattern = key == "default" ? "" : key;
      if (!kv.second["statusCode"]) Fail(kv.second, rpath, "missing 'statusCode'");
      r.status_code = std::to_string(Int(kv.second["statusCode"], rpath + ".statusCode", 100, 599));
      for (const auto& f : kv.second) {
        const std::string k = f.first.Scalar();
        const std::string fpath = Join(rpath, k);
        if (k == "statusCode") {
        } else if (k == "responseParameters") {
          r.response_parameters = StringMap(f.second, fpath);
          for (const auto& [to, from] : r.response_parameters) {
            if (!StartsWith(to, "method.response.header.")) {
              Fail(f.second, fpath, "'" + to + "' is not a method response header (method.response.header.X)");
            }
          }
        } else if (k == "responseTemplates") {
          r.response_templates = StringMap(f.second, fpath);
        } else if (k == "contentHandling") {
          r.content_handling = ContentHandling(f.second, fpath);
        } else {
          Warn(f.first, fpath, "unknown integration response setting, ignored");
        }
      }
      // The default response is chosen last whatever its place.
      in->responses.push_back(std::move(r));
    }
  }

  // ---- x-amazon-apigateway-cors: what the console's "Enable CORS" makes: a
  // MOCK OPTIONS method on every path that has none, and the allow-origin
  // header on the other methods' responses.
  void AddCors(const YAML::Node& n) {
    const std::string path = "x-amazon-apigateway-cors";
    RequireMap(n, path);
    std::vector<std::string> origins = {"*"}, methods, headers, expose;
    std::string max_age;
    bool credentials = false;
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      const std::string kpath = Join(path, k);
      if (k == "allowOrigins") {
        origins = StringList(kv.second, kpath);
      } else if (k == "allowMethods") {
        methods = StringList(kv.second, kpath);
      } else if (k == "allowHeaders") {
        headers = StringList(kv.second, kpath);
      } else if (k == "exposeHeaders") {
        expose = StringList(kv.second, kpath);
      } else if (k == "maxAge") {
        max_age = std::to_string(Int(kv.second, kpath, -1, 86400));
      } else if (k == "allowCredentials") {
        credentials = Bool(kv.second, kpath);
      } else {
        Warn(kv.first, kpath, "unknown CORS setting, ignored");
      }
    }
    if (origins.empty()) origins = {"*"};
    auto quoted = [](const std::string& s) { return "'" + s + "'"; };
    // Several origins: a static header has one value, so a template echoes
    // the request's Origin when it is one of them (what HTTP APIs do), and
    // Vary: Origin tells caches.
    std::string echo_origin;
    if (origins.size() > 1) {
      echo_origin = "#set($corsOrigin = $input.params('Origin'))#if(";
      for (size_t i = 0; i < origins.size(); ++i) {
        if (origins[i] == "*" || origins[i].find_first_of("'\"\\#$") != std::string::npos) {
          Fail(n["allowOrigins"], path + ".allowOrigins", "'" + origins[i] + "' is not an origin (scheme://host[:port])");
        }
        echo_origin += (i ? " || " : "") + std::string("$corsOrigin == '") + origins[i] + "'";
      }
      echo_origin += ")#set($context.responseOverride.header.Access-Control-Allow-Origin = $corsOrigin)#end";
    }
    // The allow-origin of a response: static, or echoed by its templates.
    auto allow_origin = [&](IntegrationResponseSpec& resp, bool ours) {
      if (resp.response_parameters.count("method.response.header.Access-Control-Allow-Origin")) return;
      if (echo_origin.empty()) {
        resp.response_parameters["method.response.header.Access-Control-Allow-Origin"] = quoted(origins[0]);
        return;
      }
      resp.response_parameters.try_emplace("method.response.header.Vary", "'Origin'");
      // A response without templates passes the body through; with one it would not.
      if (resp.response_templates.empty() && !ours) resp.response_templates["application/json"] = "$input.body";
      for (auto& [type, text] : resp.response_templates) text = echo_origin + text;
    };
    auto join = [](const std::vector<std::string>& v) {
      std::string out;
      for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
      return out;
    };
    if (headers.empty()) headers = {"Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token"};
    // Methods per path, in the order written.
    std::vector<std::string> paths;
    std::map<std::string, std::vector<std::string>> path_methods;
    for (const RouteSpec& r : api_.routes) {
      if (!path_methods.count(r.path)) paths.push_back(r.path);
      path_methods[r.path].push_back(r.method);
    }
    for (RouteSpec& r : api_.routes) {
      if (r.method == "OPTIONS" || r.integration.type == "AWS_PROXY" || r.integration.type == "HTTP_PROXY") continue;
      for (IntegrationResponseSpec& resp : r.integration.responses) {
        allow_origin(resp, false);
        if (!expose.empty()) {
          resp.response_parameters.try_emplace("method.response.header.Access-Control-Expose-Headers", quoted(join(expose)));
        }
        if (credentials) resp.response_parameters.try_emplace("method.response.header.Access-Control-Allow-Credentials", "'true'");
      }
    }
    for (const std::string& p : paths) {
      const std::vector<std::string>& have = path_methods[p];
      if (std::find(have.begin(), have.end(), "OPTIONS") != have.end()) continue;  // the user's own wins
      std::vector<std::string> allow = methods;
      if (allow.empty()) {
        allow = have;
        allow.push_back("OPTIONS");
      }
      RouteSpec r;
      r.method = "OPTIONS";
      r.path = p;
      r.integration.type = "MOCK";
      r.integration.request_templates["application/json"] = "{\"statusCode\": 200}";
      IntegrationResponseSpec resp;
      resp.status_code = "200";
      resp.response_templates["application/json"] = "";
      allow_origin(resp, true);
      resp.response_parameters["method.response.header.Access-Control-Allow-Methods"] = quoted(join(allow));
      resp.response_parameters["method.response.header.Access-Control-Allow-Headers"] = quoted(join(headers));
      if (!max_age.empty()) resp.response_parameters["method.response.header.Access-Control-Max-Age"] = quoted(max_age);
      if (credentials) resp.response_parameters["method.response.header.Access-Control-Allow-Credentials"] = "'true'";
      r.integration.responses.push_back(std::move(resp));
      api_.routes.push_back(std::move(r));
    }
  }

  const YAML::Node doc_;
  const OpenApiContext& context_;
  std::vector<std::string>* warnings_;
  bool oas3_ = false;
  ApiSpec api_;
  std::string default_validator_;
  YAML::Node default_validator_node_;
  YAML::Node default_security_;
  std::map<std::string, Scheme> schemes_;
  std::map<std::string, std::pair<std::string, std::string>> variable_at_;  // prefix -> {part, path}
};

}  // namespace

Result<ApiSpec> LoadOpenApi(const YAML::Node& document, const OpenApiContext& context,
                            std::vector<std::string>* warnings) {
  std::vector<std::string> local;
  std::vector<std::string>* out = warnings ? warnings : &local;
  try {
    Reader reader(document, context, out);
    return reader.Read();
  } catch (const LoadError& e) {
    return Status::Validation(e.message);
  } catch (const YAML::Exception& e) {
    std::string where = context.source;
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Status::Validation(where + ": " + e.msg);
  } catch (const std::exception& e) {
    return Status::Validation(context.source + ": " + e.what());
  }
}

Result<ApiSpec> LoadOpenApiFile(const std::string& path, const OpenApiContext& context,
                                std::vector<std::string>* warnings) {
  OpenApiContext c = context;
  if (c.source.empty()) c.source = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Validation("cannot read OpenAPI file '" + path + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  try {
    YAML::Node doc = YAML::Load(text.str());
    // Templates are long strings; the loaded ApiSpec does not refer to `c`.
    return LoadOpenApi(doc, c, warnings);
  } catch (const YAML::Exception& e) {
    std::string where = c.source;
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Status::Validation(where + ": YAML/JSON syntax error: " + e.msg);
  }
}

}  // namespace streamer::stack
