// The CloudFormation/SAM loader: reads the template, prepares it (parameters,
// conditions, cycles), then builds the Stack family by family in the order
// their references need (tables, functions, APIs, events and mappings).
#include "stack/cfn/cloudformation.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "stack/cfn/template.h"

namespace streamer::stack {
namespace {
using cfn::CfnError;
using cfn::Resource;
using cfn::Template;

const std::set<std::string> kAccepted = {"AWS::Lambda::Permission", "AWS::ApiGateway::Stage",
                                         "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Resource",
                                         "AWS::ApiGateway::Method"};

std::string Describe(const Resource& r, const Stack& before, const Stack& after) {
  if (after.tables.size() > before.tables.size()) return "table " + after.tables.back().name;
  if (after.functions.size() > before.functions.size()) return "function " + after.functions.back().name;
  if (after.apis.size() > before.apis.size()) return "api " + after.apis.back().name + " (" + std::to_string(after.apis.back().routes.size()) + " routes)";
  if (after.event_mappings.size() > before.event_mappings.size())
    return "mapping " + after.event_mappings.back().table + " -> " + after.event_mappings.back().function;
  return r.type;
}

void Build(Template& t, Stack* stack, CfnReport* report) {
  t.Prepare();
  auto& resources = t.resources();
  auto each = [&](const std::set<std::string>& types, auto&& add) {
    for (auto& r : resources) {
      if (!types.count(r.type) || !t.Included(r)) continue;
      Stack before = *stack;
      add(t, r, stack);
      if (report) report->resources.push_back({r.logical_id, Describe(r, before, *stack)});
    }
  };
  each({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}, cfn::AddDynamoDbTable);
  each({"AWS::Serverless::SimpleTable"}, cfn::AddSamSimpleTable);
  each({"AWS::Lambda::Function"}, cfn::AddLambdaFunction);
  each({"AWS::Serverless::Function"}, cfn::AddSamFunction);
  each({"AWS::ApiGateway::RestApi"}, cfn::AddRestApi);
  each({"AWS::Serverless::Api"}, cfn::AddSamApi);
  for (auto& r : resources)
    if (r.type == "AWS::Serverless::Function" && t.Included(r)) {
      const size_t before = stack->event_mappings.size();
      cfn::AddSamFunctionEvents(t, r, stack);
      for (size_t i = before; report && i < stack->event_mappings.size(); ++i)
        report->resources.push_back({r.logical_id, "mapping " + stack->event_mappings[i].table + " -> " +
                                                       stack->event_mappings[i].function});
    }
  each({"AWS::Lambda::EventSourceMapping"}, cfn::AddEventSourceMapping);

  std::set<std::string> functions;
  for (const auto& f : stack->functions) functions.insert(f.name);
  for (const auto& m : stack->event_mappings)
    if (!functions.count(m.function))
      throw CfnError{t.file() + ": an event source mapping of table " + m.table + " names function '" + m.function +
                     "', which is not in this stack"};

  static const std::set<std::string> kBuilt = {
      "AWS::DynamoDB::Table",   "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable",
      "AWS::Lambda::Function",  "AWS::Serverless::Function",  "AWS::ApiGateway::RestApi",
      "AWS::Serverless::Api",   "AWS::Lambda::EventSourceMapping"};
  for (auto& r : resources) {
    if (kBuilt.count(r.type)) continue;
    if (!t.Included(r)) continue;
    if (kAccepted.count(r.type)) continue;
    const std::string line = r.logical_id + " (" + r.type + "): skipped";
    if (report) report->skipped.push_back(line);
  }
  for (auto& r : resources)
    if (!t.Included(r) && report) report->skipped.push_back(r.logical_id + " (" + r.type + "): its Condition is false");

  if (auto outputs = t.root()["Outputs"]) {
    for (const auto& kv : outputs) {
      const std::string name = kv.first.Scalar();
      if (auto cond = kv.second["Condition"]; cond && !t.ConditionTrue(cond.Scalar())) continue;
      YAML::Node v = t.Eval(kv.second["Value"], "Outputs." + name + ".Value");
      std::string text;
      if (v.IsScalar()) {
        text = v.Scalar();
      } else {
        YAML::Emitter e;
        e << YAML::Flow << v;
        text = e.c_str();
      }
      if (report) report->outputs.push_back({name, text});
    }
  }
}

}  // namespace

Result<StackFormat> DetectStackFormat(const std::string& path) {
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (root.IsMap() && (root["Resources"] || root["AWSTemplateFormatVersion"] || root["Transform"]))
      return StackFormat::kCloudFormation;
    return StackFormat::kNative;
  } catch (const YAML::BadFile&) {
    return Status::Validation(path + ": cannot read the file");
  } catch (const YAML::Exception&) {
    // Not YAML at all: the native loader reports the syntax error, file:line:col.
    return StackFormat::kNative;
  }
}

Result<Stack> ParseCloudFormation(const std::string& text, const std::string& file_name, const std::string& base_dir,
                                  const CfnOptions& options, CfnReport* report) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    std::string where = file_name;
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return Status::Validation(where + ": YAML syntax error: " + e.msg);
  }
  Template t(root, file_name, base_dir, options);
  Stack stack;
  stack.name = t.stack_name();
  stack.base_dir = base_dir;
  try {
    Build(t, &stack, report);
  } catch (const CfnError& e) {
    return Status::Validation(e.message);
  } catch (const YAML::Exception& e) {
    return Status::Validation(file_name + ": " + e.msg);
  } catch (const std::exception& e) {
    return Status::Validation(file_name + ": " + e.what());
  }
  return stack;
}

Result<Stack> LoadCloudFormation(const std::string& path, const CfnOptions& options, CfnReport* report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Validation(path + ": cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::error_code ec;
  std::string base = std::filesystem::absolute(std::filesystem::path(path), ec).parent_path().string();
  CfnOptions o = options;
  if (o.stack_name.empty()) o.stack_name = "";
  return ParseCloudFormation(ss.str(), std::filesystem::path(path).filename().string(), base, o, report);
}

}  // namespace streamer::stack
