// OpenAPI 2.0 (Swagger) and 3.0 documents with API Gateway's extensions
// (x-amazon-apigateway-*), JSON or YAML, into the same ApiSpec the native
// routes produce. What cannot be honoured becomes one warning line each.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"
#include "stack/stack.h"

namespace streamer::stack {

struct OpenApiContext {
  std::string api_name;   // the ApiSpec name (the stack's key / logical id)
  std::string stage = "prod";
  std::string source;     // file name for messages ("api.yaml")
  std::string region = "us-east-1";
  // Resolves a Lambda ARN from an integration uri to a FunctionSpec name;
  // the default takes the ARN's function name.
  std::vector<std::string> function_names;  // the stack's functions, to check references
};

// The document as a YAML node (yaml-cpp reads JSON too). `warnings` gets one
// line per thing not honoured. Errors name the path in the document
// ("paths./links/{id}.get.x-amazon-apigateway-integration.uri") and the line.
Result<ApiSpec> LoadOpenApi(const YAML::Node& document, const OpenApiContext& context,
                            std::vector<std::string>* warnings);
Result<ApiSpec> LoadOpenApiFile(const std::string& path, const OpenApiContext& context,
                                std::vector<std::string>* warnings);

}  // namespace streamer::stack
