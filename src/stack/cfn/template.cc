// Template: parameters, conditions, mappings and the intrinsic functions.
#include "stack/cfn/template.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <regex>
#include <sstream>

#include "core/base64.h"
#include "core/hash.h"

namespace streamer::stack::cfn {
namespace {

YAML::Node Scalar(const std::string& s) { return YAML::Node(s); }
// An undefined node (false in a test), which a default-constructed Node is not.
YAML::Node Absent() {
  static const YAML::Node empty(YAML::NodeType::Map);
  return empty["absent"];
}

bool IsIntrinsicKey(const std::string& k) { return k == "Ref" || k == "Condition" || k.rfind("Fn::", 0) == 0; }

// "!GetAtt" -> "Fn::GetAtt"; "!Ref" -> "Ref"; "!Condition" -> "Condition".
std::string LongForm(const std::string& tag) {
  std::string name = tag.substr(1);
  if (name == "Ref" || name == "Condition") return name;
  return "Fn::" + name;
}

bool IsShortTag(const std::string& tag) { return tag.size() > 1 && tag[0] == '!' && tag != "!"; }

const std::set<std::string> kFunctions = {"Ref",        "Condition", "Fn::GetAtt", "Fn::Sub",    "Fn::Join",
                                          "Fn::If",     "Fn::Select", "Fn::Split", "Fn::Equals", "Fn::And",
                                          "Fn::Or",     "Fn::Not",   "Fn::FindInMap", "Fn::GetAZs", "Fn::Base64",
                                          "Fn::Cidr",   "Fn::ImportValue", "Fn::Transform", "Fn::Length",
                                          "Fn::ToJsonString"};

std::string Str(const YAML::Node& n) { return n.IsScalar() ? n.Scalar() : std::string(); }
std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Template::Template(YAML::Node root, std::string file, std::string base_dir, const CfnOptions& options)
    : root_(std::move(root)), file_(std::move(file)), base_dir_(std::move(base_dir)), options_(options) {
  stack_name_ = options_.stack_name;
  if (stack_name_.empty()) {
    stack_name_ = std::filesystem::path(file_).stem().string();
    for (char& c : stack_name_)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '-';
    if (stack_name_.empty() || !std::isalpha(static_cast<unsigned char>(stack_name_[0])))
      stack_name_ = "stack-" + stack_name_;
  }
}

std::string Template::Line(const YAML::Node& at) const {
  if (at && !at.Mark().is_null()) return file_ + ":" + std::to_string(at.Mark().line + 1);
  return file_;
}

void Template::Fail(const YAML::Node& at, const std::string& message) const {
  throw CfnError{Line(at) + ": " + message};
}

YAML::Node Template::globals(const std::string& section) const {
  auto g = root_["Globals"];
  if (g && g.IsMap() && g[section]) return g[section];
  return YAML::Node();
}

const Resource* Template::Find(const std::string& id) const {
  for (const auto& r : resources_)
    if (r.logical_id == id) return &r;
  return nullptr;
}

std::string Template::GeneratedName(const std::string& logical_id, size_t max_len) const {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  uint64_t h = Fnv1a(stack_name_ + "/" + logical_id);
  std::string suffix;
  for (int i = 0; i < 12; ++i) {
    suffix += kAlphabet[h % 36];
    h /= 36;
    if (h == 0) h = Fnv1a(suffix);
  }
  std::string stem = stack_name_ + "-" + logical_id;
  if (stem.size() + 13 > max_len) stem.resize(max_len > 13 ? max_len - 13 : 0);
  return stem + "-" + suffix;
}

void Template::Prepare() {
  if (!root_.IsMap()) throw CfnError{file_ + ": a template is a mapping with a Resources section"};
  auto transform = root_["Transform"];
  if (transform) {
    std::vector<std::string> names;
    if (transform.IsScalar()) names.push_back(transform.Scalar());
    if (transform.IsSequence())
      for (const auto& t : transform) names.push_back(Str(t));
    for (const auto& n : names) {
      if (n == "AWS::Serverless-2016-10-31") sam_ = true;
      else Fail(transform, "Transform '" + n + "' is not supported (only AWS::Serverless-2016-10-31)");
    }
  }
  auto resources = root_["Resources"];
  if (!resources || !resources.IsMap() || resources.size() == 0)
    Fail(root_, "Resources: a template needs at least one resource");
  for (const auto& kv : resources) {
    Resource r;
    r.logical_id = kv.first.Scalar();
    r.node = kv.second;
    if (!r.node.IsMap()) Fail(kv.second, "Resources." + r.logical_id + ": a resource is a mapping with a Type");
    if (!std::all_of(r.logical_id.begin(), r.logical_id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
      Fail(kv.first, "Resources." + r.logical_id + ": a logical id is alphanumeric");
    auto type = r.node["Type"];
    if (!type || !type.IsScalar()) Fail(kv.second, "Resources." + r.logical_id + ".Type: missing");
    r.type = type.Scalar();
    r.properties = r.node["Properties"];
    if (r.properties && !r.properties.IsMap() && !r.properties.IsNull())
      Fail(r.properties, "Resources." + r.logical_id + ".Properties: must be a mapping");
    auto cond = r.node["Condition"];
    if (cond) {
      if (!cond.IsScalar()) Fail(cond, "Resources." + r.logical_id + ".Condition: a condition name");
      auto conds = root_["Conditions"];
      if (!conds || !conds[cond.Scalar()])
        Fail(cond, "Resources." + r.logical_id + ".Condition: unknown condition '" + cond.Scalar() + "'");
    }
    resources_.push_back(std::move(r));
  }
  ResolveParameters();
  CheckCycles();
}

void Template::ResolveParameters() {
  auto params = root_["Parameters"];
  for (const auto& [k, v] : options_.parameter_overrides) {
    if (!params || !params[k])
      throw CfnError{file_ + ": --parameter-overrides " + k + "=...: the template has no parameter '" + k + "'"};
  }
  if (!params) return;
  if (!params.IsMap()) Fail(params, "Parameters: must be a mapping");
  for (const auto& kv : params) {
    const std::string name = kv.first.Scalar();
    const YAML::Node def = kv.second;
    const std::string where = "Parameters." + name;
    if (!def.IsMap() || !def["Type"]) Fail(kv.second, where + ".Type: missing");
    const std::string type = Str(def["Type"]);
    std::string value;
    bool has = false;
    if (auto it = options_.parameter_overrides.find(name); it != options_.parameter_overrides.end()) {
      value = it->second;
      has = true;
    } else if (def["Default"]) {
      auto d = def["Default"];
      if (d.IsSequence()) {
        for (size_t i = 0; i < d.size(); ++i) value += (i ? "," : "") + Str(d[i]);
      } else {
        value = Str(d);
      }
      has = true;
    }
    if (!has)
      Fail(kv.second, where + ": parameter '" + name + "' has no value: give it a Default or pass --parameter-overrides " + name + "=VALUE");
    if (auto allowed = def["AllowedValues"]) {
      bool ok = false;
      std::string list;
      for (const auto& a : allowed) {
        ok |= Str(a) == value;
        list += (list.empty() ? "" : ", ") + Str(a);
      }
      if (!ok) Fail(allowed, where + ": value '" + value + "' is not one of AllowedValues [" + list + "]");
    }
    if (auto pattern = def["AllowedPattern"]) {
      try {
        if (!std::regex_match(value, std::regex(Str(pattern), std::regex::ECMAScript)))
          Fail(pattern, where + ": value '" + value + "' does not match AllowedPattern " + Str(pattern));
      } catch (const std::regex_error&) {
        Fail(pattern, where + ".AllowedPattern: not a valid regular expression");
      }
    }
    const bool is_list = type.rfind("List<", 0) == 0 || type == "CommaDelimitedList";
    if (type == "Number") {
      char* end = nullptr;
      std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0') Fail(kv.second, where + ": value '" + value + "' is not a Number");
      if (def["MinValue"] && std::stod(value) < std::stod(Str(def["MinValue"])))
        Fail(def["MinValue"], where + ": value " + value + " is below MinValue " + Str(def["MinValue"]));
      if (def["MaxValue"] && std::stod(value) > std::stod(Str(def["MaxValue"])))
        Fail(def["MaxValue"], where + ": value " + value + " is above MaxValue " + Str(def["MaxValue"]));
    }
    if (type == "String") {
      if (def["MinLength"] && value.size() < std::stoul(Str(def["MinLength"])))
        Fail(def["MinLength"], where + ": value is shorter than MinLength " + Str(def["MinLength"]));
      if (def["MaxLength"] && value.size() > std::stoul(Str(def["MaxLength"])))
        Fail(def["MaxLength"], where + ": value is longer than MaxLength " + Str(def["MaxLength"]));
    }
    if (is_list) {
      YAML::Node seq(YAML::NodeType::Sequence);
      std::stringstream ss(value);
      std::string item;
      while (std::getline(ss, item, ',')) seq.push_back(item);
      parameters_[name] = seq;
    } else {
      parameters_[name] = Scalar(value);
    }
  }
}

// Ref / GetAtt / Sub / DependsOn targets of a resource, for the cycle check.
void Template::References(const YAML::Node& node, std::set<std::string>* out) const {
  if (!node) return;
  auto add_sub = [&](const std::string& text) {
    for (size_t p = text.find("${"); p != std::string::npos; p = text.find("${", p + 2)) {
      if (p + 2 < text.size() && text[p + 2] == '!') continue;
      auto e = text.find('}', p);
      if (e == std::string::npos) break;
      std::string name = text.substr(p + 2, e - p - 2);
      name = name.substr(0, name.find('.'));
      out->insert(name);
    }
  };
  const std::string tag = node.Tag();
  if (IsShortTag(tag)) {
    const std::string fn = LongForm(tag);
    if (fn == "Ref" && node.IsScalar()) out->insert(node.Scalar());
    if (fn == "Fn::GetAtt" && node.IsScalar()) out->insert(node.Scalar().substr(0, node.Scalar().find('.')));
    if (fn == "Fn::GetAtt" && node.IsSequence() && node.size() > 0) out->insert(Str(node[0]));
    if (fn == "Fn::Sub" && node.IsScalar()) add_sub(node.Scalar());
    if (fn == "Fn::Sub" && node.IsSequence() && node.size() > 0) add_sub(Str(node[0]));
  }
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string k = kv.first.Scalar();
      if (k == "Ref" && kv.second.IsScalar()) out->insert(kv.second.Scalar());
      if (k == "Fn::GetAtt") {
        if (kv.second.IsScalar()) out->insert(kv.second.Scalar().substr(0, kv.second.Scalar().find('.')));
        if (kv.second.IsSequence() && kv.second.size() > 0) out->insert(Str(kv.second[0]));
      }
      if (k == "Fn::Sub") {
        if (kv.second.IsScalar()) add_sub(kv.second.Scalar());
        if (kv.second.IsSequence() && kv.second.size() > 0) add_sub(Str(kv.second[0]));
      }
      References(kv.second, out);
    }
  } else if (node.IsSequence()) {
    for (const auto& n : node) References(n, out);
  }
}

void Template::CheckCycles() {
  std::map<std::string, std::set<std::string>> deps;
  for (const auto& r : resources_) {
    std::set<std::string> refs;
    References(r.properties, &refs);
    if (auto d = r.node["DependsOn"]) {
      std::vector<YAML::Node> names;
      if (d.IsScalar()) names.push_back(d);
      else if (d.IsSequence())
        for (const auto& n : d) names.push_back(n);
      else Fail(d, "Resources." + r.logical_id + ".DependsOn: a logical id or a list of them");
      for (const auto& n : names) {
        if (!Find(Str(n))) Fail(n, "Resources." + r.logical_id + ".DependsOn: unknown resource '" + Str(n) + "'");
        refs.insert(Str(n));
      }
    }
    for (const auto& x : refs)
      if (Find(x)) deps[r.logical_id].insert(x);
  }
  std::map<std::string, int> state;  // 1 visiting, 2 done
  std::vector<std::string> path;
  std::function<void(const std::string&)> visit = [&](const std::string& id) {
    state[id] = 1;
    path.push_back(id);
    for (const auto& d : deps[id]) {
      if (state[d] == 1) {
        std::string cycle;
        auto start = std::find(path.begin(), path.end(), d);
        for (auto it = start; it != path.end(); ++it) cycle += *it + " -> ";
        cycle += d;
        const Resource* r = Find(id);
        Fail(r->node, "circular dependency between resources: " + cycle);
      }
      if (state[d] == 0) visit(d);
    }
    path.pop_back();
    state[id] = 2;
  };
  for (const auto& r : resources_)
    if (state[r.logical_id] == 0) visit(r.logical_id);
}

bool Template::ConditionTrue(const std::string& name) {
  auto conds = root_["Conditions"];
  if (!conds || !conds[name]) throw CfnError{file_ + ": unknown condition '" + name + "'"};
  auto it = condition_state_.find(name);
  if (it != condition_state_.end()) {
    if (it->second == 0) Fail(conds[name], "Conditions." + name + ": circular reference: the condition refers to itself");
    return it->second == 2;
  }
  condition_state_[name] = 0;
  const bool v = EvalCondition(conds[name], "Conditions." + name);
  condition_state_[name] = v ? 2 : 1;
  return v;
}

bool Template::Included(const Resource& r) {
  auto cond = r.node["Condition"];
  return !cond || ConditionTrue(cond.Scalar());
}

bool Template::EvalCondition(const YAML::Node& node, const std::string& where) {
  YAML::Node v = Eval(node, where);
  if (!v.IsScalar() || (v.Scalar() != "true" && v.Scalar() != "false"))
    Fail(node, where + ": a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition");
  return v.Scalar() == "true";
}

YAML::Node Template::Prop(const Resource& r, const std::string& name) {
  if (!r.properties || !r.properties.IsMap() || !r.properties[name]) return Absent();
  YAML::Node v = Eval(r.properties[name], "Resources." + r.logical_id + ".Properties." + name);
  return v;
}

std::string Template::PropString(const Resource& r, const std::string& name, bool required) {
  YAML::Node v = Prop(r, name);
  const std::string where = "Resources." + r.logical_id + ".Properties." + name;
  if (!v || v.IsNull()) {
    if (required) Fail(r.properties ? r.properties : r.node, where + ": missing (required for " + r.type + ")");
    return "";
  }
  if (!v.IsScalar()) Fail(r.properties[name], where + ": must be a string, not a " + (v.IsMap() ? "mapping" : "list"));
  return v.Scalar();
}

std::string Template::PhysicalName(const Resource& r) {
  auto named = [&](const std::string& prop, size_t max_len) {
    if (naming_.count(r.logical_id)) Fail(r.node, "circular reference: the name of " + r.logical_id + " refers to itself");
    naming_.insert(r.logical_id);
    std::string n = PropString(r, prop);
    naming_.erase(r.logical_id);
    return n.empty() ? GeneratedName(r.logical_id, max_len) : n;
  };
  const std::string& t = r.type;
  if (t == "AWS::DynamoDB::Table" || t == "AWS::DynamoDB::GlobalTable" || t == "AWS::Serverless::SimpleTable")
    return named("TableName", 255);
  if (t == "AWS::Lambda::Function" || t == "AWS::Serverless::Function") return named("FunctionName", 64);
  if (t == "AWS::ApiGateway::RestApi" || t == "AWS::Serverless::Api" || t == "AWS::ApiGateway::Resource" ||
      t == "AWS::ApiGateway::Deployment" || t == "AWS::ApiGateway::Authorizer" || t == "AWS::ApiGateway::ApiKey" ||
      t == "AWS::ApiGateway::UsagePlan" || t == "AWS::ApiGateway::RequestValidator") {
    // API Gateway ids: 10 lowercase letters and digits.
    std::string id;
    uint64_t h = Fnv1a(stack_name_ + "/" + r.logical_id);
    for (int i = 0; i < 10; ++i, h /= 36) id += "abcdefghijklmnopqrstuvwxyz0123456789"[h % 36];
    return id;
  }
  if (t == "AWS::ApiGateway::Stage") return PropString(r, "StageName");
  if (t == "AWS::Lambda::EventSourceMapping") {
    uint64_t h = Fnv1a(stack_name_ + "/" + r.logical_id);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(h >> 32),
                  static_cast<unsigned>(h & 0xffff), static_cast<unsigned>((h >> 16) & 0xfff),
                  static_cast<unsigned>((h >> 28) & 0xfff), static_cast<unsigned long long>(h & 0xffffffffffffull));
    return buf;
  }
  if (t == "AWS::IAM::Role" || t == "AWS::S3::Bucket" || t == "AWS::SNS::Topic" || t == "AWS::SQS::Queue") {
    if (t == "AWS::SQS::Queue")
      return "https://sqs." + options_.region + ".amazonaws.com/" + options_.account_id + "/" + GeneratedName(r.logical_id, 80);
    if (t == "AWS::SNS::Topic")
      return "arn:aws:sns:" + options_.region + ":" + options_.account_id + ":" + GeneratedName(r.logical_id, 256);
    return Lower(GeneratedName(r.logical_id, 63));
  }
  return GeneratedName(r.logical_id, 255);
}

std::string Template::Arn(const Resource& r) {
  const std::string region = options_.region, acct = options_.account_id;
  const std::string& t = r.type;
  if (t == "AWS::DynamoDB::Table" || t == "AWS::DynamoDB::GlobalTable" || t == "AWS::Serverless::SimpleTable")
    return "arn:aws:dynamodb:" + region + ":" + acct + ":table/" + PhysicalName(r);
  if (t == "AWS::Lambda::Function" || t == "AWS::Serverless::Function")
    return "arn:aws:lambda:" + region + ":" + acct + ":function:" + PhysicalName(r);
  if (t == "AWS::IAM::Role") return "arn:aws:iam::" + acct + ":role/" + PhysicalName(r);
  if (t == "AWS::S3::Bucket") return "arn:aws:s3:::" + PhysicalName(r);
  if (t == "AWS::SNS::Topic") return PhysicalName(r);
  if (t == "AWS::SQS::Queue") return "arn:aws:sqs:" + region + ":" + acct + ":" + GeneratedName(r.logical_id, 80);
  // arn:aws:<service>:region:acct:<kind>/<name> from AWS::Service::Kind.
  std::string service = "unknown", kind = "resource";
  auto a = t.find("::"), b = t.rfind("::");
  if (a != std::string::npos && b != a) {
    service = Lower(t.substr(a + 2, b - a - 2));
    kind = Lower(t.substr(b + 2));
  }
  return "arn:aws:" + service + ":" + region + ":" + acct + ":" + kind + "/" + PhysicalName(r);
}

std::string Template::GetAtt(const Resource& r, const std::string& attr, const YAML::Node& at) {
  const std::string& t = r.type;
  const bool table = t == "AWS::DynamoDB::Table" || t == "AWS::DynamoDB::GlobalTable" || t == "AWS::Serverless::SimpleTable";
  if (table) {
    if (attr == "Arn") return Arn(r);
    if (attr == "StreamArn") {
      // The label is fixed so references stay stable across restarts; the
      // mapping resolves the table from the ARN, whatever the label.
      if (t != "AWS::Serverless::SimpleTable") {
        auto spec = r.properties ? r.properties["StreamSpecification"] : YAML::Node();
        if (!spec) Fail(at, "Fn::GetAtt " + r.logical_id + ".StreamArn: the table has no StreamSpecification");
      }
      return Arn(r) + "/stream/1970-01-01T00:00:00.000";
    }
    Fail(at, "Fn::GetAtt " + r.logical_id + "." + attr + ": a table has Arn and StreamArn");
  }
  if (t == "AWS::Lambda::Function" || t == "AWS::Serverless::Function") {
    if (attr == "Arn") return Arn(r);
    Fail(at, "Fn::GetAtt " + r.logical_id + "." + attr + ": a function has Arn");
  }
  if (t == "AWS::ApiGateway::RestApi" || t == "AWS::Serverless::Api") {
    if (attr == "RootResourceId") return Lower(GeneratedName(r.logical_id + "Root")).substr(0, 10);
    if (attr == "RestApiId") return PhysicalName(r);
  }
  if (attr == "Arn") return Arn(r);
  if (attr.find("DomainName") != std::string::npos)
    return Lower(PhysicalName(r)).substr(0, 14) + ".example.amazonaws.com";
  if (attr.find("Url") != std::string::npos || attr.find("URL") != std::string::npos)
    return "https://" + Lower(PhysicalName(r)) + ".example.amazonaws.com";
  if (attr.find("Name") != std::string::npos || attr.find("Id") != std::string::npos) return PhysicalName(r);
  return Arn(r) + "/" + attr;
}

YAML::Node Template::Ref(const std::string& name, const YAML::Node& at) {
  if (name == "AWS::Region") return Scalar(options_.region);
  if (name == "AWS::AccountId") return Scalar(options_.account_id);
  if (name == "AWS::Partition") return Scalar("aws");
  if (name == "AWS::StackName") return Scalar(stack_name_);
  if (name == "AWS::StackId")
    return Scalar("arn:aws:cloudformation:" + options_.region + ":" + options_.account_id + ":stack/" + stack_name_ +
                  "/00000000-0000-0000-0000-000000000000");
  if (name == "AWS::URLSuffix") return Scalar("amazonaws.com");
  if (name == "AWS::NotificationARNs") return YAML::Node(YAML::NodeType::Sequence);
  if (name == "AWS::NoValue") {
    YAML::Node n;
    n.SetTag("!NoValue");
    return n;
  }
  if (auto it = parameters_.find(name); it != parameters_.end()) return it->second;
  if (const Resource* r = Find(name)) {
    if (!Included(*r)) Fail(at, "Ref " + name + ": the resource's Condition is false, so it does not exist");
    return Scalar(PhysicalName(*r));
  }
  Fail(at, "Ref " + name + ": no parameter, resource or pseudo parameter of that name");
}

std::string Template::Sub(const std::string& text, const std::map<std::string, YAML::Node>& vars, const YAML::Node& at) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t p = text.find("${", i);
    if (p == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, p - i);
    if (p + 2 < text.size() && text[p + 2] == '!') {  // ${!Literal}
      auto e = text.find('}', p);
      if (e == std::string::npos) e = text.size() - 1;
      out += "${" + text.substr(p + 3, e - p - 2);
      i = e + 1;
      continue;
    }
    auto e = text.find('}', p);
    if (e == std::string::npos) Fail(at, "Fn::Sub: unclosed ${ in '" + text + "'");
    std::string name = text.substr(p + 2, e - p - 2);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    YAML::Node v;
    if (auto it = vars.find(name); it != vars.end()) {
      v = it->second;
    } else if (auto dot = name.find('.'); dot != std::string::npos && !Find(name) && name.rfind("AWS::", 0) != 0) {
      const Resource* r = Find(name.substr(0, dot));
      if (!r) Fail(at, "Fn::Sub: ${" + name + "}: no resource '" + name.substr(0, dot) + "'");
      v = Scalar(GetAtt(*r, name.substr(dot + 1), at));
    } else {
      v = Ref(name, at);
    }
    if (!v.IsScalar()) Fail(at, "Fn::Sub: ${" + name + "} is a list, not a string");
    out += v.Scalar();
    i = e + 1;
  }
  return out;
}

YAML::Node Template::Include(const YAML::Node& params, const YAML::Node& at, const std::string& where) {
  YAML::Node location = params && params.IsMap() ? Eval(params["Location"], where + ".Parameters.Location") : YAML::Node();
  if (!location || !location.IsScalar()) Fail(at, where + ": AWS::Include needs Parameters.Location");
  std::string loc = location.Scalar();
  if (loc.rfind("s3://", 0) == 0 || loc.rfind("https://", 0) == 0)
    Fail(at, where + ": AWS::Include of '" + loc + "': only local files can be included");
  std::filesystem::path p(loc);
  if (p.is_relative()) p = std::filesystem::path(base_dir_) / p;
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(p.string());
  } catch (const YAML::BadFile&) {
    Fail(at, where + ": AWS::Include: cannot read " + p.string());
  } catch (const YAML::Exception& e) {
    Fail(at, where + ": AWS::Include: " + p.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return Eval(doc, where + "(" + loc + ")");
}

YAML::Node Template::Eval(const YAML::Node& node, const std::string& where) {
  if (!node) return Absent();
  const std::string tag = node.Tag();
  if (IsShortTag(tag)) {
    const std::string fn = LongForm(tag);
    if (!kFunctions.count(fn)) Fail(node, where + ": unknown intrinsic function " + tag);
    YAML::Node arg = node.IsScalar() ? YAML::Node(node.Scalar()) : node;
    if (!node.IsScalar()) {
      // Strip the tag so the argument is evaluated as what it holds.
      arg = YAML::Clone(node);
      arg.SetTag("?");
    }
    return EvalFn(fn, arg, node, where);
  }
  if (node.IsMap()) {
    if (node.size() == 1) {
      const std::string k = node.begin()->first.Scalar();
      if (IsIntrinsicKey(k)) {
        if (!kFunctions.count(k)) Fail(node, where + ": unknown intrinsic function " + k);
        return EvalFn(k, node.begin()->second, node, where);
      }
    }
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& kv : node) {
      const std::string k = kv.first.Scalar();
      if (k == "Fn::Transform") {  // a sibling key: merge the included mapping
        YAML::Node inc = EvalFn(k, kv.second, kv.second, where);
        if (inc.IsMap())
          for (const auto& ikv : inc) out[ikv.first.Scalar()] = ikv.second;
        continue;
      }
      YAML::Node v = Eval(kv.second, where + "." + k);
      if (v.Tag() == "!NoValue") continue;
      out[k] = v;
    }
    return out;
  }
  if (node.IsSequence()) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (size_t i = 0; i < node.size(); ++i) {
      YAML::Node v = Eval(node[i], where + "[" + std::to_string(i) + "]");
      if (v.Tag() == "!NoValue") continue;
      out.push_back(v);
    }
    return out;
  }
  if (node.IsScalar()) return YAML::Node(node.Scalar());
  return YAML::Node(YAML::NodeType::Null);
}

YAML::Node Template::EvalFn(const std::string& fn, const YAML::Node& arg, const YAML::Node& at, const std::string& where) {
  const std::string w = where + "." + fn;
  auto need_seq = [&](size_t n, const char* shape) {
    if (!arg.IsSequence() || (n && arg.size() != n)) Fail(at, w + ": takes " + shape);
  };
  auto scalar = [&](const YAML::Node& n, const std::string& what) {
    YAML::Node v = Eval(n, w);
    if (!v.IsScalar()) Fail(at, w + ": " + what + " must be a string");
    return v.Scalar();
  };
  auto boolean = [](bool b) { return YAML::Node(b ? "true" : "false"); };
  if (fn == "Ref") {
    if (!arg.IsScalar()) Fail(at, w + ": takes a logical id or parameter name");
    return Ref(arg.Scalar(), at);
  }
  if (fn == "Condition") {
    if (!arg.IsScalar()) Fail(at, w + ": takes a condition name");
    return boolean(ConditionTrue(arg.Scalar()));
  }
  if (fn == "Fn::GetAtt") {
    std::string id, attr;
    if (arg.IsScalar()) {
      auto dot = arg.Scalar().find('.');
      if (dot == std::string::npos) Fail(at, w + ": takes LogicalId.Attribute");
      id = arg.Scalar().substr(0, dot);
      attr = arg.Scalar().substr(dot + 1);
    } else {
      need_seq(2, "[LogicalId, Attribute]");
      id = Str(arg[0]);
      attr = scalar(arg[1], "the attribute");
    }
    const Resource* r = Find(id);
    if (!r) Fail(at, w + ": no resource '" + id + "'");
    return Scalar(GetAtt(*r, attr, at));
  }
  if (fn == "Fn::Sub") {
    std::map<std::string, YAML::Node> vars;
    std::string text;
    if (arg.IsScalar()) {
      text = arg.Scalar();
    } else {
      need_seq(2, "a string, or [string, {Name: value}]");
      text = Str(arg[0]);
      if (!arg[1].IsMap()) Fail(at, w + ": the variables are a mapping");
      for (const auto& kv : arg[1]) vars[kv.first.Scalar()] = Eval(kv.second, w + "." + kv.first.Scalar());
    }
    return Scalar(Sub(text, vars, at));
  }
  if (fn == "Fn::Join") {
    need_seq(2, "[delimiter, [values]]");
    const std::string delim = Str(arg[0]);
    YAML::Node list = Eval(arg[1], w);
    if (!list.IsSequence()) Fail(at, w + ": the values are a list");
    std::string out;
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].IsScalar()) Fail(at, w + ": value " + std::to_string(i) + " is not a string");
      out += (i ? delim : "") + list[i].Scalar();
    }
    return Scalar(out);
  }
  if (fn == "Fn::If") {
    need_seq(3, "[condition, value if true, value if false]");
    return Eval(ConditionTrue(Str(arg[0])) ? arg[1] : arg[2], w);
  }
  if (fn == "Fn::Select") {
    need_seq(2, "[index, list]");
    const std::string idx = scalar(arg[0], "the index");
    YAML::Node list = Eval(arg[1], w);
    if (!list.IsSequence()) Fail(at, w + ": the second argument must be a list");
    char* end = nullptr;
    long i = std::strtol(idx.c_str(), &end, 10);
    if (idx.empty() || *end || i < 0 || static_cast<size_t>(i) >= list.size())
      Fail(at, w + ": index " + idx + " is outside the list (" + std::to_string(list.size()) + " items)");
    return list[static_cast<size_t>(i)];
  }
  if (fn == "Fn::Split") {
    need_seq(2, "[delimiter, string]");
    const std::string delim = Str(arg[0]);
    if (delim.empty()) Fail(at, w + ": the delimiter is empty");
    const std::string s = scalar(arg[1], "the source");
    YAML::Node out(YAML::NodeType::Sequence);
    size_t p = 0;
    for (size_t q; (q = s.find(delim, p)) != std::string::npos; p = q + delim.size()) out.push_back(s.substr(p, q - p));
    out.push_back(s.substr(p));
    return out;
  }
  if (fn == "Fn::Equals") {
    need_seq(2, "[value, value]");
    YAML::Node a = Eval(arg[0], w), b = Eval(arg[1], w);
    return boolean(YAML::Dump(a) == YAML::Dump(b));
  }
  if (fn == "Fn::And" || fn == "Fn::Or") {
    if (!arg.IsSequence() || arg.size() < 2 || arg.size() > 10) Fail(at, w + ": takes 2 to 10 conditions");
    bool v = fn == "Fn::And";
    for (const auto& c : arg) {
      bool x = EvalCondition(c, w);
      v = fn == "Fn::And" ? (v && x) : (v || x);
    }
    return boolean(v);
  }
  if (fn == "Fn::Not") {
    need_seq(1, "[condition]");
    return boolean(!EvalCondition(arg[0], w));
  }
  if (fn == "Fn::FindInMap") {
    need_seq(3, "[MapName, TopLevelKey, SecondLevelKey]");
    const std::string m = scalar(arg[0], "the map name"), k1 = scalar(arg[1], "the key"), k2 = scalar(arg[2], "the key");
    auto maps = root_["Mappings"];
    if (!maps || !maps[m]) Fail(at, w + ": no mapping '" + m + "'");
    if (!maps[m][k1]) Fail(at, w + ": mapping '" + m + "' has no key '" + k1 + "'");
    if (!maps[m][k1][k2]) Fail(at, w + ": mapping '" + m + "." + k1 + "' has no key '" + k2 + "'");
    return Eval(maps[m][k1][k2], w);
  }
  if (fn == "Fn::GetAZs") {
    YAML::Node region = Eval(arg, w);
    std::string r = region.IsScalar() && !region.Scalar().empty() ? region.Scalar() : options_.region;
    YAML::Node out(YAML::NodeType::Sequence);
    for (const char* s : {"a", "b", "c"}) out.push_back(r + s);
    return out;
  }
  if (fn == "Fn::Base64") return Scalar(Base64Encode(scalar(arg, "the value")));
  if (fn == "Fn::Cidr") {
    need_seq(3, "[ipBlock, count, cidrBits]");
    const std::string block = scalar(arg[0], "ipBlock");
    const int count = std::stoi(scalar(arg[1], "count")), bits = std::stoi(scalar(arg[2], "cidrBits"));
    unsigned a, b, c, d, prefix;
    if (std::sscanf(block.c_str(), "%u.%u.%u.%u/%u", &a, &b, &c, &d, &prefix) != 5 || prefix > 32 || bits < 1 ||
        bits > 32 - static_cast<int>(prefix) || count < 1 || count > 256)
      Fail(at, w + ": '" + block + "' with count " + std::to_string(count) + " and cidrBits " + std::to_string(bits) + " is not a valid IPv4 split");
    uint32_t base = (a << 24) | (b << 16) | (c << 8) | d;
    YAML::Node out(YAML::NodeType::Sequence);
    for (int i = 0; i < count; ++i) {
      uint32_t n = base + (static_cast<uint32_t>(i) << bits);
      out.push_back(std::to_string(n >> 24) + "." + std::to_string((n >> 16) & 255) + "." + std::to_string((n >> 8) & 255) +
                    "." + std::to_string(n & 255) + "/" + std::to_string(32 - bits));
    }
    return out;
  }
  if (fn == "Fn::ImportValue")
    Fail(at, w + ": Fn::ImportValue reads another stack's exports, which a single local stack does not have; "
             "use a Parameter instead");
  if (fn == "Fn::Transform") {
    if (!arg.IsMap() || Str(arg["Name"]) != "AWS::Include")
      Fail(at, w + ": only the AWS::Include transform is supported");
    return Include(arg["Parameters"], at, w);
  }
  if (fn == "Fn::Length") {
    YAML::Node list = Eval(arg, w);
    if (!list.IsSequence()) Fail(at, w + ": takes a list");
    return Scalar(std::to_string(list.size()));
  }
  if (fn == "Fn::ToJsonString") {
    YAML::Emitter e;
    e << YAML::DoubleQuoted << YAML::Flow << Eval(arg, w);
    return Scalar(e.c_str());
  }
  Fail(at, w + ": unknown intrinsic function " + fn);
}

}  // namespace streamer::stack::cfn
