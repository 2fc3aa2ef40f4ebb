// The source expressions of API Gateway's parameter mappings, evaluated for
// integration request parameters, method response parameters and gateway
// response parameters: 'static', method.request.{path,querystring,header}.X,
// method.request.body[.JSONPath], integration.response.header.X,
// integration.response.body[.JSONPath], context.X, stageVariables.X.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/method_request.h"
#include "gateway/vtl/vtl.h"

namespace streamer::gateway {

// What a source may read; null members are sources that do not apply there.
struct ParameterSources {
  const MethodRequest* request = nullptr;
  const vtl::Value* context = nullptr;  // the $context map
  const std::vector<std::pair<std::string, std::string>>* response_headers = nullptr;
  const std::string* response_body = nullptr;
};

// False when the expression is not one API Gateway accepts (checked at Build).
bool IsParameterSource(std::string_view source);

// nullopt = no value (an absent header, a JSONPath that matches nothing).
std::optional<std::string> ParameterValue(std::string_view source, const ParameterSources& from);

// A destination "integration.request.header.X" split into ("header", "X");
// nullopt when it is not integration.request.{header,querystring,path}.X.
std::optional<std::pair<std::string, std::string>> IntegrationRequestTarget(std::string_view name);

}  // namespace streamer::gateway
