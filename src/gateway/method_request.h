// The method request as the gateway's stages see it (validators,
// authorizers, usage plans, integrations), and the errors the gateway
// itself answers with (through the API's gateway responses).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streamer::gateway {

// "Application/JSON; charset=utf-8" -> "application/json" (how templates,
// models and binary media types are keyed).
std::string MediaType(std::string_view content_type);

struct MethodRequest {
  std::string method;         // GET, POST, ...
  std::string resource_path;  // the route's template: "/items/{id}"
  std::string path;           // the request path without the /<stage> prefix
  std::map<std::string, std::string> path_params;
  std::vector<std::pair<std::string, std::string>> query;    // in order; a key may repeat
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;
  std::string content_type;  // media type, lower case, no parameters ("" = none sent)
  std::string source_ip;
  std::string api_id, stage, region, account, request_id;
  const std::map<std::string, std::string>* stage_variables = nullptr;

  // Case-insensitive; the last value of a repeated header. nullptr = absent.
  const std::string* Header(std::string_view name) const;
  // The last value of a repeated query parameter. nullptr = absent.
  const std::string* Query(std::string_view name) const;
  // arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}{path}
  std::string MethodArn() const;
};

// An error the gateway answers itself, before or instead of an integration.
// `response_type` picks the API's gateway response (BAD_REQUEST_BODY,
// UNAUTHORIZED, ACCESS_DENIED, THROTTLED, QUOTA_EXCEEDED, INVALID_API_KEY,
// AUTHORIZER_FAILURE, ...; DEFAULT_4XX / DEFAULT_5XX when none is set).
struct GatewayError {
  std::string response_type;
  int status = 500;
  std::string message;  // $context.error.message; the default body is {"message": <this>}
};

}  // namespace streamer::gateway
