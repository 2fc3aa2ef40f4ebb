// Shared by the Lambda and SAM function resources.
#pragma once

#include <unistd.h>

#include "stack/cfn/template.h"

namespace streamer::stack::cfn {

std::string CodeOverride(const Template& t, const Resource& r);  // --code by logical id / construct path
std::string MissingCode(const Template& t, const Resource& r, const std::string& why);
std::string CheckedDir(const Template& t, const Resource& r, const std::string& dir, const std::string& from);
std::string WriteInlineCode(const Template& t, const Resource& r, const std::string& runtime, const std::string& code);
// Runtime, Handler, Timeout, MemorySize, ReservedConcurrentExecutions, Environment, Description.
void ReadFunctionSettings(Template& t, const Resource& r, const YAML::Node& props, FunctionSpec* f);
// A DynamoDB stream event source (ESM properties or a SAM DynamoDB event) into `m`.
void ReadMappingSettings(Template& t, const Resource& r, const YAML::Node& props, const std::string& where,
                         EventMappingSpec* m);

}  // namespace streamer::stack::cfn
