// The SAM transform (AWS::Serverless-2016-10-31): Globals, Serverless::Function
// (Events of type DynamoDB and Api), Serverless::Api, Serverless::SimpleTable.
#include <filesystem>

#include "stack/cfn/lambda_common.h"
#include "stack/openapi_loader.h"

namespace streamer::stack::cfn {
namespace {
std::string S(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

// Globals.<section> under the resource's own properties (its own win;
// Environment.Variables merge), as SAM does.
YAML::Node WithGlobals(Template& t, const Resource& r, const std::string& section) {
  const std::string where = "Resources." + r.logical_id + ".Properties";
  YAML::Node own = r.properties ? t.Eval(r.properties, where) : YAML::Node(YAML::NodeType::Map);
  YAML::Node g = t.globals(section);
  if (!g) return own;
  YAML::Node merged = t.Eval(g, "Globals." + section);
  for (const auto& kv : own) {
    const std::string k = kv.first.Scalar();
    if (k == "Environment" && merged[k] && merged[k]["Variables"] && kv.second["Variables"]) {
      for (const auto& v : kv.second["Variables"]) merged[k]["Variables"][v.first.Scalar()] = v.second;
      continue;
    }
    merged[k] = kv.second;
  }
  return merged;
}

ApiSpec* FindApi(Stack* stack, const std::string& name) {
  for (auto& a : stack->apis)
    if (a.name == name) return &a;
  return nullptr;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

void AddSamFunction(Template& t, const Resource& r, Stack* stack) {
  const std::string where = "Resources." + r.logical_id + ".Properties";
  YAML::Node props = WithGlobals(t, r, "Function");
  FunctionSpec f;
  f.name = t.PhysicalName(r);
  ReadFunctionSettings(t, r, props, &f);
  if (std::string dir = CodeOverride(t, r); !dir.empty()) {
    f.code_dir = CheckedDir(t, r, dir, "--code");
  } else if (props["InlineCode"]) {
    f.code_dir = WriteInlineCode(t, r, f.runtime, S(props["InlineCode"]));
  } else if (auto uri = props["CodeUri"]) {
    if (!uri.IsScalar() || S(uri).rfind("s3://", 0) == 0)
      throw CfnError{MissingCode(t, r, "its CodeUri is in S3")};
    if (S(uri).size() > 4 && S(uri).substr(S(uri).size() - 4) == ".zip")
      throw CfnError{MissingCode(t, r, "its CodeUri is a zip file (" + S(uri) + "); unpack it")};
    f.code_dir = CheckedDir(t, r, S(uri), "its CodeUri");
  } else if (props["ImageUri"]) {
    t.Fail(r.node, where + ".ImageUri: container image functions are not supported");
  } else {
    throw CfnError{MissingCode(t, r, "it has no CodeUri or InlineCode")};
  }
  stack->functions.push_back(std::move(f));
}

void AddSamFunctionEvents(Template& t, const Resource& r, Stack* stack) {
  YAML::Node props = WithGlobals(t, r, "Function");
  auto events = props["Events"];
  if (!events) return;
  const std::string fname = t.PhysicalName(r);
  for (const auto& ev : events) {
    const std::string name = ev.first.Scalar();
    const std::string where = "Resources." + r.logical_id + ".Properties.Events." + name;
    const std::string type = S(ev.second["Type"]);
    YAML::Node ep = ev.second["Properties"];
    YAML::Node at = r.properties && r.properties["Events"] ? r.properties["Events"] : r.node;
    if (type == "DynamoDB") {
      if (!ep || !ep["Stream"]) t.Fail(at, where + ".Properties.Stream: missing");
      EventMappingSpec m;
      m.function = fname;
      m.table = TableNameOfArn(S(ep["Stream"]));
      if (m.table.empty()) t.Fail(at, where + ".Properties.Stream: '" + S(ep["Stream"]) + "' is not a DynamoDB stream ARN");
      bool known = false;
      for (const auto& tb : stack->tables) known |= tb.name == m.table && !tb.stream_view_type.empty();
      if (!known) t.Fail(at, where + ".Properties.Stream: table '" + m.table + "' is not a table with a stream in this stack");
      if (!ep["StartingPosition"]) t.Fail(at, where + ".Properties.StartingPosition: missing (required for DynamoDB events)");
      ReadMappingSettings(t, r, ep, where + ".Properties", &m);
      stack->event_mappings.push_back(std::move(m));
    } else if (type == "Api") {
      if (!ep || !ep["Path"] || !ep["Method"]) t.Fail(at, where + ".Properties: Path and Method are required");
      std::string api_name = "ServerlessRestApi";
      if (ep["RestApiId"]) {
        // Ref of a Serverless::Api gives its id; find the resource by it.
        const std::string id = S(ep["RestApiId"]);
        api_name.clear();
        for (auto& res : t.resources())
          if ((res.type == "AWS::Serverless::Api" || res.type == "AWS::ApiGateway::RestApi") && t.PhysicalName(res) == id)
            api_name = res.logical_id;
        if (api_name.empty()) t.Fail(at, where + ".Properties.RestApiId: not an API of this stack");
      }
      ApiSpec* api = FindApi(stack, api_name);
      if (!api) {
        ApiSpec implicit;
        implicit.name = api_name;
        implicit.stage = "Prod";
        stack->apis.push_back(implicit);
        api = &stack->apis.back();
      }
      std::string method = S(ep["Method"]);
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string path = S(ep["Path"]);
      bool exists = false;
      for (const auto& rt : api->routes) exists |= rt.path == path && rt.method == method;
      if (exists) continue;  // the definition body has it
      RouteSpec route;
      route.method = method;
      route.path = path;
      route.integration.type = "AWS_PROXY";
      route.integration.service = "lambda";
      route.integration.function = fname;
      route.integration.http_method = "POST";
      route.integration.uri = "arn:aws:apigateway:" + t.options().region + ":lambda:path/2015-03-31/functions/arn:aws:lambda:" +
                              t.options().region + ":" + t.options().account_id + ":function:" + fname + "/invocations";
      api->routes.push_back(std::move(route));
    } else {
      stack->warnings.push_back(t.Line(at) + ": " + where + ": event type '" + type + "' is skipped (DynamoDB and Api are served)");
    }
  }
}

void AddSamApi(Template& t, const Resource& r, Stack* stack) {
  const std::string where = "Resources." + r.logical_id + ".Properties";
  YAML::Node props = WithGlobals(t, r, "Api");
  OpenApiContext ctx;
  ctx.api_name = r.logical_id;
  ctx.source = t.file() + " (" + r.logical_id + ")";
  ctx.region = t.options().region;
  ctx.stage = S(props["StageName"]);
  if (ctx.stage.empty()) t.Fail(r.properties ? r.properties : r.node, where + ".StageName: missing (required for AWS::Serverless::Api)");
  for (const auto& f : stack->functions) ctx.function_names.push_back(f.name);
  YAML::Node body = props["DefinitionBody"];
  std::string file;
  if (!body && props["DefinitionUri"]) {
    if (!props["DefinitionUri"].IsScalar() || S(props["DefinitionUri"]).rfind("s3://", 0) == 0)
      t.Fail(r.properties["DefinitionUri"], where + ".DefinitionUri: only a local file is supported");
    std::filesystem::path p = S(props["DefinitionUri"]);
    if (p.is_relative()) p = std::filesystem::path(t.base_dir()) / p;
    try {
      body = t.Eval(YAML::LoadFile(p.string()), where + ".DefinitionUri");
    } catch (const YAML::BadFile&) {
      t.Fail(r.properties["DefinitionUri"], where + ".DefinitionUri: cannot read " + p.string());
    } catch (const YAML::Exception& e) {
      t.Fail(r.properties["DefinitionUri"], where + ".DefinitionUri: " + p.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
  }
  ApiSpec api;
  if (body) {
    if (!body.IsMap()) t.Fail(r.node, where + ".DefinitionBody: must be an OpenAPI document (a mapping)");
    std::vector<std::string> warnings;
    auto loaded = LoadOpenApi(body, ctx, &warnings);
    if (!loaded) t.Fail(r.node, "Resources." + r.logical_id + ": " + loaded.status().message());
    api = std::move(*loaded);
    for (auto& w : warnings) stack->warnings.push_back(w);
  } else {
    api.name = r.logical_id;
    api.stage = ctx.stage;
  }
  if (auto v = props["Variables"])
    for (const auto& kv : v) api.stage_variables[kv.first.Scalar()] = S(kv.second);
  if (props["Cors"]) stack->warnings.push_back(t.Line(r.node) + ": " + where + ".Cors: not applied (add OPTIONS routes to the definition)");
  if (props["Auth"]) stack->warnings.push_back(t.Line(r.node) + ": " + where + ".Auth: not applied; authorizers in the DefinitionBody are");
  stack->apis.push_back(std::move(api));
}

void AddSamSimpleTable(Template& t, const Resource& r, Stack* stack) {
  YAML::Node props = WithGlobals(t, r, "SimpleTable");
  TableSpec table;
  table.name = t.PhysicalName(r);
  table.partition_key = {"id", "S"};
  if (auto pk = props["PrimaryKey"]) {
    const std::string type = S(pk["Type"]);
    table.partition_key.name = S(pk["Name"]);
    if (type == "String") table.partition_key.type = "S";
    else if (type == "Number") table.partition_key.type = "N";
    else if (type == "Binary") table.partition_key.type = "B";
    else t.Fail(r.properties["PrimaryKey"], "Resources." + r.logical_id + ".Properties.PrimaryKey.Type: String, Number or Binary, not '" + type + "'");
    if (table.partition_key.name.empty()) t.Fail(r.properties["PrimaryKey"], "Resources." + r.logical_id + ".Properties.PrimaryKey.Name: missing");
  }
  stack->tables.push_back(std::move(table));
  (void)Lower;
}

}  // namespace streamer::stack::cfn
