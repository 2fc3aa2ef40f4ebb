// What the authorizers read from a method request: headers and query
// parameters by name, the method ARN, and identity sources
// ("method.request.header.X", "method.request.querystring.X",
// "method.request.multivalueheader.X", "method.request.multivaluequerystring.X",
// "method.request.path.X", "stageVariables.X", "context.X").
// (Local helpers, so this library does not depend on the gateway's.)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "gateway/method_request.h"

namespace streamer::gateway::auth_detail {

const std::string* HeaderValue(const MethodRequest& r, std::string_view name);
const std::string* QueryValue(const MethodRequest& r, std::string_view name);
// arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}{path}
std::string MethodArnOf(const MethodRequest& r);
// The value of one identity source; nullopt when absent (or empty, as AWS
// treats an empty identity source as missing).
std::optional<std::string> IdentitySourceValue(const MethodRequest& r, std::string_view source);
// "a, b ,c" -> {"a", "b", "c"}
std::vector<std::string> SplitSources(std::string_view list);
// The header a single-header identity source names ("" when it is not one).
std::string HeaderOfSource(std::string_view source);
// A JSON number as text, as Java prints it for a template: 7, 1.5, 1.0E21.
std::string NumberText(const json::value& number);
// API Gateway's "Unauthorized" 401 (UNAUTHORIZED).
GatewayError Unauthorized(std::string message = "Unauthorized");

}  // namespace streamer::gateway::auth_detail
