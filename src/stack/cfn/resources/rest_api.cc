// AWS::ApiGateway::RestApi: a Body / BodyS3Location OpenAPI document goes
// through the OpenAPI loader; without one, the Resource/Method resources are
// turned into the same kind of document first. Stage and Deployment give the
// stage name and variables; the other API Gateway parts are read from the
// document or reported.
#include <filesystem>

#include "stack/cfn/template.h"
#include "stack/openapi_loader.h"

namespace streamer::stack::cfn {
namespace {
std::string S(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The path of an AWS::ApiGateway::Resource id (or the root).
std::string ResourcePath(Template& t, const std::string& api_id, const std::string& parent_id, int depth) {
  if (depth > 64) throw CfnError{t.file() + ": API resources nest more than 64 deep"};
  for (auto& res : t.resources()) {
    if (res.type != "AWS::ApiGateway::Resource" || !t.Included(res)) continue;
    if (t.PhysicalName(res) != parent_id) continue;
    const std::string parent = t.PropString(res, "ParentId", true);
    std::string base = ResourcePath(t, api_id, parent, depth + 1);
    return (base == "/" ? "" : base) + "/" + t.PropString(res, "PathPart", true);
  }
  return "/";  // the root resource id
}

// Method resources of an API as an OpenAPI 2.0 document with API Gateway's extensions.
YAML::Node MethodsDocument(Template& t, const Resource& api) {
  const std::string api_id = t.PhysicalName(api);
  YAML::Node doc(YAML::NodeType::Map);
  doc["swagger"] = "2.0";
  doc["info"]["title"] = api.logical_id;
  doc["paths"] = YAML::Node(YAML::NodeType::Map);
  for (auto& m : t.resources()) {
    if (m.type != "AWS::ApiGateway::Method" || !t.Included(m)) continue;
    if (t.PropString(m, "RestApiId", true) != api_id) continue;
    const std::string where = "Resources." + m.logical_id + ".Properties";
    const std::string path = ResourcePath(t, api_id, t.PropString(m, "ResourceId", true), 0);
    std::string method = Lower(t.PropString(m, "HttpMethod", true));
    if (method == "any") method = "x-amazon-apigateway-any-method";
    YAML::Node props = t.Eval(m.properties, where);
    YAML::Node op(YAML::NodeType::Map);
    if (auto rp = props["RequestParameters"]) {
      YAML::Node params(YAML::NodeType::Sequence);
      for (const auto& kv : rp) {
        const std::string k = kv.first.Scalar();  // method.request.querystring.name
        auto a = k.find('.', 15);
        if (k.rfind("method.request.", 0) != 0 || a == std::string::npos) t.Fail(m.properties, where + ".RequestParameters: bad key '" + k + "'");
        std::string in = k.substr(15, a - 15), name = k.substr(a + 1);
        YAML::Node p;
        p["name"] = name;
        p["in"] = in == "querystring" ? "query" : in;
        p["required"] = in == "path" || S(kv.second) == "true";
        p["type"] = "string";
        params.push_back(p);
      }
      op["parameters"] = params;
    }
    if (S(props["ApiKeyRequired"]) == "true") {
      op["security"].push_back(YAML::Node(YAML::NodeType::Map));
      op["security"][0]["api_key"] = YAML::Node(YAML::NodeType::Sequence);
      doc["securityDefinitions"]["api_key"]["type"] = "apiKey";
      doc["securityDefinitions"]["api_key"]["name"] = "x-api-key";
      doc["securityDefinitions"]["api_key"]["in"] = "header";
    }
    auto in = props["Integration"];
    if (!in || !in.IsMap()) t.Fail(m.properties, where + ".Integration: missing");
    YAML::Node x(YAML::NodeType::Map);
    x["type"] = Lower(S(in["Type"]));
    if (in["Uri"]) x["uri"] = S(in["Uri"]);
    if (in["IntegrationHttpMethod"]) x["httpMethod"] = S(in["IntegrationHttpMethod"]);
    if (in["RequestTemplates"]) x["requestTemplates"] = in["RequestTemplates"];
    if (in["RequestParameters"]) x["requestParameters"] = in["RequestParameters"];
    if (in["PassthroughBehavior"]) x["passthroughBehavior"] = Lower(S(in["PassthroughBehavior"]));
    if (in["ContentHandling"]) x["contentHandling"] = S(in["ContentHandling"]);
    if (in["TimeoutInMillis"]) x["timeoutInMillis"] = S(in["TimeoutInMillis"]);
    x["responses"] = YAML::Node(YAML::NodeType::Map);
    if (auto irs = in["IntegrationResponses"]) {
      for (const auto& ir : irs) {
        YAML::Node out(YAML::NodeType::Map);
        out["statusCode"] = S(ir["StatusCode"]);
        if (ir["ResponseTemplates"]) out["responseTemplates"] = ir["ResponseTemplates"];
        if (ir["ResponseParameters"]) out["responseParameters"] = ir["ResponseParameters"];
        if (ir["ContentHandling"]) out["contentHandling"] = S(ir["ContentHandling"]);
        const std::string pattern = S(ir["SelectionPattern"]);
        x["responses"][pattern.empty() ? "default" : pattern] = out;
      }
    }
    op["x-amazon-apigateway-integration"] = x;
    op["responses"]["200"]["description"] = "OK";
    if (auto mrs = props["MethodResponses"]) {
      for (const auto& mr : mrs) op["responses"][S(mr["StatusCode"])]["description"] = "response";
    }
    doc["paths"][path][method] = op;
  }
  return doc;
}

}  // namespace

void AddRestApi(Template& t, const Resource& r, Stack* stack) {
  const std::string where = "Resources." + r.logical_id + ".Properties";
  const std::string api_id = t.PhysicalName(r);
  OpenApiContext ctx;
  ctx.api_name = r.logical_id;
  ctx.source = t.file() + " (" + r.logical_id + ")";
  ctx.region = t.options().region;
  for (const auto& f : stack->functions) ctx.function_names.push_back(f.name);
  std::map<std::string, std::string> variables;
  bool staged = false;
  for (auto& s : t.resources()) {
    if ((s.type != "AWS::ApiGateway::Stage" && s.type != "AWS::ApiGateway::Deployment") || !t.Included(s)) continue;
    if (t.PropString(s, "RestApiId", true) != api_id) continue;
    const std::string stage = t.PropString(s, "StageName");
    if (stage.empty() || (staged && s.type == "AWS::ApiGateway::Deployment")) continue;
    ctx.stage = stage;
    staged = true;
    if (auto v = t.Prop(s, "Variables"))
      for (const auto& kv : v) variables[kv.first.Scalar()] = S(kv.second);
  }
  YAML::Node body = t.Prop(r, "Body");
  if (!body) {
    if (auto loc = t.Prop(r, "BodyS3Location")) {
      // A local file: Key (or Bucket/Key) relative to the template's folder.
      std::filesystem::path p = S(loc["Key"]);
      if (p.is_relative()) p = std::filesystem::path(t.base_dir()) / p;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(p, ec))
        t.Fail(r.properties["BodyS3Location"], where + ".BodyS3Location: s3://" + S(loc["Bucket"]) + "/" + S(loc["Key"]) +
                                                   " is read as the local file " + p.string() + ", which does not exist");
      try {
        body = t.Eval(YAML::LoadFile(p.string()), where + ".BodyS3Location");
      } catch (const YAML::Exception& e) {
        t.Fail(r.properties["BodyS3Location"], where + ".BodyS3Location: " + p.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
      }
    }
  }
  if (body && !body.IsMap()) t.Fail(r.properties["Body"], where + ".Body: must be an OpenAPI document (a mapping)");
  if (!body) body = MethodsDocument(t, r);
  std::vector<std::string> warnings;
  auto api = LoadOpenApi(body, ctx, &warnings);
  if (!api) t.Fail(r.node, "Resources." + r.logical_id + ": " + api.status().message());
  for (auto& [k, v] : variables) api->stage_variables[k] = v;
  for (auto& w : warnings) stack->warnings.push_back(w);
  stack->apis.push_back(std::move(*api));
}

}  // namespace streamer::stack::cfn
