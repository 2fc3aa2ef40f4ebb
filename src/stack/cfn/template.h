// The loaded template: parameters, conditions, mappings, resources, and the
// evaluation of intrinsic functions (short YAML tags and long forms) into
// plain YAML values. Private to src/stack/cfn/.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "stack/cfn/cloudformation.h"

namespace streamer::stack::cfn {

// Errors travel as this exception inside the loader and become a Status at
// LoadCloudFormation.
struct CfnError {
  std::string message;
};

struct Resource {
  std::string logical_id;
  std::string type;
  YAML::Node node;        // the whole resource
  YAML::Node properties;  // raw (unevaluated); may be null
};

class Template {
 public:
  Template(YAML::Node root, std::string file, std::string base_dir, const CfnOptions& options);

  // Parameters, conditions, DependsOn and reference cycles checked; SAM
  // Globals merged. Throws CfnError.
  void Prepare();

  // An intrinsic-free copy of `node`; `where` names it in errors ("Resources.T.Properties.X").
  YAML::Node Eval(const YAML::Node& node, const std::string& where);
  // Evaluated property of a resource (null when absent).
  YAML::Node Prop(const Resource& r, const std::string& name);
  std::string PropString(const Resource& r, const std::string& name, bool required = false);
  [[noreturn]] void Fail(const YAML::Node& at, const std::string& message) const;
  std::string Line(const YAML::Node& at) const;  // "file:line"

  std::vector<Resource>& resources() { return resources_; }
  const Resource* Find(const std::string& logical_id) const;
  bool ConditionTrue(const std::string& name);
  bool Included(const Resource& r);  // its Condition holds

  std::string PhysicalName(const Resource& r);  // what Ref gives
  std::string Arn(const Resource& r);
  std::string GetAtt(const Resource& r, const std::string& attribute, const YAML::Node& at);
  // {StackName}-{LogicalId}-{SUFFIX}, stable across restarts.
  std::string GeneratedName(const std::string& logical_id, size_t max_len = 255) const;

  const CfnOptions& options() const { return options_; }
  const std::string& stack_name() const { return stack_name_; }
  const std::string& base_dir() const { return base_dir_; }
  const std::string& file() const { return file_; }
  const YAML::Node& root() const { return root_; }
  bool is_sam() const { return sam_; }
  YAML::Node globals(const std::string& section) const;

 private:
  YAML::Node EvalFn(const std::string& fn, const YAML::Node& arg, const YAML::Node& at, const std::string& where);
  YAML::Node Ref(const std::string& name, const YAML::Node& at);
  std::string Sub(const std::string& text, const std::map<std::string, YAML::Node>& vars, const YAML::Node& at);
  bool EvalCondition(const YAML::Node& node, const std::string& where);
  YAML::Node Include(const YAML::Node& params, const YAML::Node& at, const std::string& where);
  void References(const YAML::Node& node, std::set<std::string>* out) const;
  void CheckCycles();
  void ResolveParameters();

  YAML::Node root_;
  std::string file_, base_dir_, stack_name_;
  CfnOptions options_;
  bool sam_ = false;
  std::vector<Resource> resources_;
  std::map<std::string, YAML::Node> parameters_;  // name -> value (scalar or sequence)
  std::map<std::string, int> condition_state_;    // 0 evaluating, 1 false, 2 true
  std::set<std::string> naming_;                  // physical names being resolved (cycles)
};

// Resource families: each adds what it builds to the Stack.
void AddDynamoDbTable(Template& t, const Resource& r, Stack* stack);
void AddLambdaFunction(Template& t, const Resource& r, Stack* stack);
void AddEventSourceMapping(Template& t, const Resource& r, Stack* stack);
void AddRestApi(Template& t, const Resource& r, Stack* stack);
void AddSamFunction(Template& t, const Resource& r, Stack* stack);
void AddSamFunctionEvents(Template& t, const Resource& r, Stack* stack);  // after the APIs
void AddSamSimpleTable(Template& t, const Resource& r, Stack* stack);
void AddSamApi(Template& t, const Resource& r, Stack* stack);
// Function name from a FunctionName/ARN value.
std::string FunctionNameOf(const std::string& name_or_arn);
// Table name from a table or stream ARN ("" when not one).
std::string TableNameOfArn(const std::string& arn);

}  // namespace streamer::stack::cfn
