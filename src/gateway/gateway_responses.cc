#include "gateway/gateway_responses.h"

#include <cstdio>

#include "core/json.h"
#include "gateway/parameter_mapping.h"
#include "gateway/method_request.h"

namespace streamer::gateway {

namespace {

namespace bhttp = boost::beast::http;

// AWS: "Gateway response types for API Gateway".
struct TypeInfo {
  const char* type;
  int status;
  const char* error_type;  // x-amzn-ErrorType
};
constexpr TypeInfo kTypes[] = {
    {"ACCESS_DENIED", 403, "AccessDeniedException"},
    {"API_CONFIGURATION_ERROR", 500, "InternalServerErrorException"},
    {"AUTHORIZER_CONFIGURATION_ERROR", 500, "AuthorizerConfigurationException"},
    {"AUTHORIZER_FAILURE", 500, "AuthorizerFailureException"},
    {"BAD_REQUEST_PARAMETERS", 400, "BadRequestException"},
    {"BAD_REQUEST_BODY", 400, "BadRequestException"},
    {"DEFAULT_4XX", 0, ""},
    {"DEFAULT_5XX", 0, "InternalServerErrorException"},
    {"EXPIRED_TOKEN", 403, "ExpiredTokenException"},
    {"INTEGRATION_FAILURE", 504, "InternalServerErrorException"},
    {"INTEGRATION_TIMEOUT", 504, "InternalServerErrorException"},
    {"INVALID_API_KEY", 403, "ForbiddenException"},
    {"INVALID_SIGNATURE", 403, "InvalidSignatureException"},
    {"MISSING_AUTHENTICATION_TOKEN", 403, "MissingAuthenticationTokenException"},
    {"QUOTA_EXCEEDED", 429, "LimitExceededException"},
    {"REQUEST_TOO_LARGE", 413, "RequestTooLargeException"},
    {"RESOURCE_NOT_FOUND", 404, "NotFoundException"},
    {"THROTTLED", 429, "TooManyRequestsException"},
    {"UNAUTHORIZED", 401, "UnauthorizedException"},
    {"UNSUPPORTED_MEDIA_TYPE", 415, "UnsupportedMediaTypeException"},
    {"WAF_FILTERED", 403, "WAFFilteredException"},
};

const TypeInfo* FindType(const std::string& type) {
  for (const auto& t : kTypes) {
    if (type == t.type) return &t;
  }
  return nullptr;
}

const char* kDefaultTemplate = "{\"message\":$context.error.messageString}";

std::shared_ptr<const vtl::Template> DefaultTemplate() {
  static const std::shared_ptr<const vtl::Template> t = *vtl::Template::Parse(kDefaultTemplate);
  return t;
}

}  // namespace

int DefaultGatewayResponseStatus(const std::string& type) {
  const TypeInfo* t = FindType(type);
  return t ? t->status : 0;
}

std::string GatewayErrorTypeHeader(const std::string& type) {
  const TypeInfo* t = FindType(type);
  return t ? t->error_type : "";
}

Result<GatewayResponses> GatewayResponses::Compile(const std::vector<stack::GatewayResponseSpec>& specs) {
  GatewayResponses out;
  for (const auto& spec : specs) {
    if (!FindType(spec.type)) return Status::Validation("unknown gateway response type '" + spec.type + "'");
    if (spec.status_code && (*spec.status_code < 100 || *spec.status_code > 599)) {
      return Status::Validation("gateway response " + spec.type + ": status " + std::to_string(*spec.status_code) +
                                " is not an HTTP status");
    }
    Compiled c;
    c.status = spec.status_code;
    for (const auto& [name, source] : spec.response_parameters) {
      const std::string prefix = "gatewayresponse.header.";
      if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) {
        return Status::Validation("gateway response " + spec.type + ": parameter '" + name +
                                  "' is not gatewayresponse.header.X");
      }
      if (!IsParameterSource(source)) {
        return Status::Validation("gateway response " + spec.type + ": '" + source + "' is not a parameter source");
      }
      c.parameters[name.substr(prefix.size())] = source;
    }
    for (const auto& [type, text] : spec.response_templates) {
      auto t = vtl::Template::Parse(text);
      if (!t) return Status::Validation("gateway response " + spec.type + " template for " + type + ": " +
                                        t.status().message());
      c.templates[MediaType(type)] = *t;
    }
    out.by_type_[spec.type] = std::move(c);
  }
  return out;
}

http::Response GatewayResponses::Answer(const GatewayError& error, vtl::Value context, const MethodRequest* request,
                                        const std::string& accept, const std::string& request_id) const {
  // The type's own response, else DEFAULT_4XX / DEFAULT_5XX by its status.
  int status = error.status ? error.status : DefaultGatewayResponseStatus(error.response_type);
  if (status == 0) status = 500;
  const Compiled* own = nullptr;
  if (auto it = by_type_.find(error.response_type); it != by_type_.end()) own = &it->second;
  const Compiled* fallback = nullptr;
  if (auto it = by_type_.find(status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX"); it != by_type_.end()) {
    fallback = &it->second;
  }
  if (own && own->status) {
    status = *own->status;
  } else if (!own && fallback && fallback->status) {
    status = *fallback->status;
  }

  if (!context.if_map()) context = vtl::Value::NewMap();
  vtl::Value err = vtl::Value::NewMap();
  err.if_map()->Put("message", error.message);
  // An authorizer that failed without a message answers {"message": null}, as AWS does.
  const bool null_message = error.message.empty() && error.response_type.rfind("AUTHORIZER_", 0) == 0;
  err.if_map()->Put("messageString", null_message ? std::string("null") : json::serialize(json::value(error.message)));
  err.if_map()->Put("responseType", error.response_type);
  err.if_map()->Put("validationErrorString", error.message);
  context.if_map()->Put("error", err);

  std::shared_ptr<const vtl::Template> tmpl;
  std::string content_type = "application/json";
  for (const Compiled* c : {own, fallback}) {
    if (!c || c->templates.empty()) continue;
    auto it = c->templates.find(MediaType(accept));
    if (it == c->templates.end()) it = c->templates.find("application/json");
    if (it == c->templates.end()) it = c->templates.begin();
    content_type = it->first;
    tmpl = it->second;
    break;
  }
  if (!tmpl) tmpl = DefaultTemplate();

  http::Response res{static_cast<bhttp::status>(status), 11};
  vtl::RenderContext ctx;
  ctx.context = context;
  if (request) {
    ctx.input.path = request->path_params;
    for (const auto& [k, v] : request->query) ctx.input.querystring[k] = v;
    for (const auto& [k, v] : request->headers) ctx.input.header[k] = v;
  }
  auto rendered = tmpl->Render(ctx);
  if (rendered) {
    res.body() = std::move(*rendered);
  } else {
    std::fprintf(stderr, "gateway: gateway response %s template (%s) failed: %s\n", error.response_type.c_str(),
                 content_type.c_str(), rendered.status().message().c_str());
    res.body() = json::serialize(json::object{{"message", error.message}});
  }
  res.set(bhttp::field::content_type, content_type);
  if (std::string et = GatewayErrorTypeHeader(error.response_type); !et.empty()) res.set("x-amzn-ErrorType", et);
  ParameterSources from;
  from.request = request;
  from.context = &context;
  for (const Compiled* c : {fallback, own}) {
    if (!c) continue;
    for (const auto& [header, source] : c->parameters) {
      if (auto v = ParameterValue(source, from)) res.set(header, *v);
    }
  }
  res.set("x-amzn-RequestId", request_id);
  res.prepare_payload();
  return res;
}

}  // namespace streamer::gateway
