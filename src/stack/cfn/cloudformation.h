// CloudFormation and SAM templates (JSON or YAML) into the Stack: what people
// deploy, served unchanged. cdk.out directories come later.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "stack/stack.h"

namespace streamer::stack {

struct CfnOptions {
  std::map<std::string, std::string> parameter_overrides;  // --parameter-overrides Key=Value
  // --code ID=DIR: a function's code folder, by logical id or CDK construct path.
  std::map<std::string, std::string> code_dirs;
  std::string stack_name;   // "" = the template file's name without extension
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  // Where inline ZipFile code is written ("" = a folder under the system temp dir).
  std::string inline_code_dir;
};

// What the loader found beyond the Stack: printed at start-up and by `ls`.
struct CfnReport {
  std::vector<std::pair<std::string, std::string>> outputs;  // Outputs: name, resolved value
  std::vector<std::string> skipped;                          // "Logical (Type): skipped"
  // logical id -> what it became ("table links-Table-ABC", "function f", ...)
  std::vector<std::pair<std::string, std::string>> resources;
};

enum class StackFormat { kNative, kCloudFormation };

// Native stack vs CloudFormation/SAM, by content: a top-level `Resources`,
// `AWSTemplateFormatVersion` or `Transform` key is a template.
Result<StackFormat> DetectStackFormat(const std::string& path);

// Errors name the resource, the property and file:line.
Result<Stack> LoadCloudFormation(const std::string& path, const CfnOptions& options,
                                 CfnReport* report = nullptr);
Result<Stack> ParseCloudFormation(const std::string& text, const std::string& file_name,
                                  const std::string& base_dir, const CfnOptions& options,
                                  CfnReport* report = nullptr);

}  // namespace streamer::stack
