// AWS::Lambda::Function -> FunctionSpec (kind lambda), and where its code is:
// --code, inline ZipFile, CDK's aws:asset:path metadata, SAM's CodeUri.
#include <filesystem>
#include <fstream>

#include "stack/cfn/lambda_common.h"

namespace streamer::stack::cfn {
namespace fs = std::filesystem;

namespace {
std::string S(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

// "MyStack/DynamoLambdaHandler/Resource" -> "DynamoLambdaHandler".
std::string ConstructPath(const Resource& r) {
  auto md = r.node["Metadata"];
  std::string path = md && md["aws:cdk:path"] ? S(md["aws:cdk:path"]) : "";
  auto first = path.find('/');
  if (first == std::string::npos) return "";
  path = path.substr(first + 1);
  if (auto last = path.rfind("/Resource"); last != std::string::npos && last + 9 == path.size()) path.resize(last);
  return path;
}
}  // namespace

std::string CodeOverride(const Template& t, const Resource& r) {
  const auto& dirs = t.options().code_dirs;
  if (auto it = dirs.find(r.logical_id); it != dirs.end()) return it->second;
  const std::string cp = ConstructPath(r);
  if (!cp.empty()) {
    if (auto it = dirs.find(cp); it != dirs.end()) return it->second;
  }
  return "";
}

std::string MissingCode(const Template& t, const Resource& r, const std::string& why) {
  std::string cp = ConstructPath(r);
  return t.Line(r.node) + ": function " + r.logical_id + (cp.empty() ? "" : " (" + cp + ")") + ": " + why +
         "; point it at its code with --code " + r.logical_id + "=DIR";
}

std::string CheckedDir(const Template& t, const Resource& r, const std::string& dir, const std::string& from) {
  fs::path p(dir);
  if (p.is_relative()) p = fs::path(t.base_dir()) / p;
  std::error_code ec;
  if (!fs::is_directory(p, ec)) throw CfnError{MissingCode(t, r, from + " '" + p.string() + "' is not a folder")};
  return fs::weakly_canonical(p, ec).string();
}

std::string WriteInlineCode(const Template& t, const Resource& r, const std::string& runtime, const std::string& code) {
  std::string file;
  if (runtime.rfind("python", 0) == 0) file = "index.py";
  else if (runtime.rfind("nodejs", 0) == 0) file = "index.js";
  else t.Fail(r.properties, "Resources." + r.logical_id + ".Properties.Code.ZipFile: inline code needs a python or nodejs runtime, not '" + runtime + "'");
  fs::path dir = t.options().inline_code_dir.empty() ? fs::temp_directory_path() / "streamer-cfn-code"
                                                      : fs::path(t.options().inline_code_dir);
  dir = dir / t.stack_name() / r.logical_id;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw CfnError{t.Line(r.node) + ": function " + r.logical_id + ": cannot create " + dir.string() + ": " + ec.message()};
  const fs::path target = dir / file;
  // Write to a temporary and rename: another loader may read it concurrently.
  const fs::path tmp = dir / (file + ".tmp" + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary);
    out << code;
    if (!out) throw CfnError{t.Line(r.node) + ": function " + r.logical_id + ": cannot write " + tmp.string()};
  }
  fs::rename(tmp, target, ec);
  return dir.string();
}

void ReadFunctionSettings(Template& t, const Resource& r, const YAML::Node& props, FunctionSpec* f) {
  const std::string where = "Resources." + r.logical_id + ".Properties";
  auto integer = [&](const char* name, int lo, int hi, int* out) {
    if (!props[name]) return;
    const std::string v = S(props[name]);
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end || n < lo || n > hi)
      t.Fail(r.properties && r.properties[name] ? r.properties[name] : r.node,
             where + "." + name + ": must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", not '" + v + "'");
    *out = static_cast<int>(n);
  };
  f->kind = "lambda";
  f->runtime = S(props["Runtime"]);
  f->handler = S(props["Handler"]);
  f->description = S(props["Description"]);
  integer("Timeout", 1, 900, &f->timeout_seconds);
  integer("MemorySize", 128, 10240, &f->memory_size_mb);
  if (props["ReservedConcurrentExecutions"]) {
    int n = 0;
    integer("ReservedConcurrentExecutions", 0, 1000, &n);
    f->reserved_concurrency = n;
  }
  if (auto env = props["Environment"]) {
    auto vars = env["Variables"];
    if (vars && !vars.IsMap()) t.Fail(r.node, where + ".Environment.Variables: must be a mapping");
    if (vars)
      for (const auto& kv : vars) {
        if (!kv.second.IsScalar()) t.Fail(r.node, where + ".Environment.Variables." + kv.first.Scalar() + ": must be a string");
        f->environment[kv.first.Scalar()] = kv.second.Scalar();
      }
  }
  if (f->runtime.empty()) t.Fail(r.properties ? r.properties : r.node, where + ".Runtime: missing (container images are not supported)");
  if (f->handler.empty() && f->runtime.rfind("provided", 0) != 0) t.Fail(r.properties, where + ".Handler: missing");
}

void AddLambdaFunction(Template& t, const Resource& r, Stack* stack) {
  const std::string where = "Resources." + r.logical_id + ".Properties";
  if (!r.properties) t.Fail(r.node, where + ": missing (Code and Role are required)");
  YAML::Node props = t.Eval(r.properties, where);
  FunctionSpec f;
  f.name = t.PhysicalName(r);
  ReadFunctionSettings(t, r, props, &f);
  auto code = props["Code"];
  if (!code || !code.IsMap()) t.Fail(r.properties, where + ".Code: missing");
  if (std::string dir = CodeOverride(t, r); !dir.empty()) {
    f.code_dir = CheckedDir(t, r, dir, "--code");
  } else if (code["ZipFile"]) {
    f.code_dir = WriteInlineCode(t, r, f.runtime, S(code["ZipFile"]));
  } else if (auto md = r.node["Metadata"]; md && md["aws:asset:path"]) {
    f.code_dir = CheckedDir(t, r, S(md["aws:asset:path"]), "its aws:asset:path");
  } else if (code["ImageUri"]) {
    t.Fail(r.properties["Code"], where + ".Code.ImageUri: container image functions are not supported");
  } else {
    throw CfnError{MissingCode(t, r, "its code is in S3 (" + S(code["S3Bucket"]) + "/" + S(code["S3Key"]) + ")")};
  }
  stack->functions.push_back(std::move(f));
}

}  // namespace streamer::stack::cfn
