#include "gateway/gateway.h"

#include <re2/re2.h>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/url/parse.hpp>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json.h"
#include "gateway/router.h"
#include "gateway/vtl/jsonpath.h"
#include "gateway/vtl/vtl.h"

namespace streamer::gateway {

namespace bhttp = boost::beast::http;

namespace {

using TemplateMap = std::map<std::string, std::shared_ptr<const vtl::Template>>;

struct CompiledResponse {
  std::unique_ptr<RE2> pattern;  // null = the default response
  int status = 200;
  TemplateMap templates;
  std::vector<std::pair<std::string, std::string>> parameters;  // header -> source expression
};

Result<TemplateMap> CompileTemplates(const std::map<std::string, std::string>& in,
                                     const std::string& where) {
  TemplateMap out;
  for (const auto& [type, text] : in) {
    auto t = vtl::Template::Parse(text);
    if (!t) return Status::Validation(where + " template for " + type + ": " + t.status().message());
    out[type] = *t;
  }
  return out;
}

// "application/json; charset=utf-8" -> "application/json"
std::string MediaType(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

http::Response JsonMessage(int status, std::string_view message, std::string_view error_type,
                           const std::string& request_id) {
  http::Response res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, "application/json");
  res.set("x-amzn-RequestId", request_id);
  if (!error_type.empty()) res.set("x-amzn-ErrorType", error_type);
  res.body() = json::serialize(json::object{{"message", message}});
  res.prepare_payload();
  return res;
}

// The value of a response parameter source: 'static', integration.response.body,
// integration.response.body.<JSONPath> (a string as is, else its JSON text),
// integration.response.header.<Name> (case-insensitive). nullopt = no value.
std::optional<std::string> ResponseParameterValue(
    const std::string& source, const std::string& body,
    const std::map<std::string, std::string>& headers) {
  if (source.size() >= 2 && source.front() == '\'' && source.back() == '\'') {
    return source.substr(1, source.size() - 2);
  }
  const std::string body_prefix = "integration.response.body";
  const std::string header_prefix = "integration.response.header.";
  if (source == body_prefix) return body;
  if (source.rfind(body_prefix + ".", 0) == 0) {
    auto path = vtl::JsonPath::Parse("$." + source.substr(body_prefix.size() + 1));
    auto doc = ParseJson(body);
    if (!path || !doc) return std::nullopt;
    json::value v = path->Evaluate(*doc);
    if (v.is_null()) return std::nullopt;
    if (v.is_string()) return std::string(v.as_string());
    return json::serialize(v);
  }
  if (source.rfind(header_prefix, 0) == 0) {
    const std::string name = source.substr(header_prefix.size());
    for (const auto& [k, v] : headers) {
      if (boost::iequals(k, name)) return v;
    }
  }
  return std::nullopt;
}

}  // namespace

struct Gateway::CompiledRoute {
  std::string api_name, stage, method, resource_path;
  stack::IntegrationSpec spec;
  TemplateMap request_templates;
  std::vector<CompiledResponse> responses;
};

struct Gateway::Impl {
  AwsServiceCall call;
  GatewayOptions options;
  std::vector<std::unique_ptr<CompiledRoute>> routes;
  Router router;
  std::vector<std::string> stages;  // accepted path prefixes ("/prod/InsertItem")

  void Finish(const CompiledRoute& route, const std::shared_ptr<vtl::RenderContext>& ctx,
              int integration_status, std::string integration_body, const http::Respond& respond,
              const std::string& accept) const;
};

Gateway::Gateway() : impl_(std::make_unique<Impl>()) {}
Gateway::~Gateway() = default;

Result<std::unique_ptr<Gateway>> Gateway::Build(const std::vector<stack::ApiSpec>& apis,
                                                AwsServiceCall call, GatewayOptions options) {
  std::unique_ptr<Gateway> g(new Gateway());
  g->impl_->call = std::move(call);
  g->impl_->options = options;
  for (const auto& api : apis) {
    g->impl_->stages.push_back(api.stage);
    for (const auto& route : api.routes) {
      const std::string where = api.name + " " + route.method + " " + route.path;
      auto r = std::make_unique<CompiledRoute>();
      r->api_name = api.name;
      r->stage = api.stage;
      r->method = route.method;
      r->resource_path = route.path;
      r->spec = route.integration;
      auto req = CompileTemplates(route.integration.request_templates, where + ": request");
      if (!req) return req.status();
      r->request_templates = std::move(*req);
      for (const auto& resp : route.integration.responses) {
        CompiledResponse c;
        if (!resp.selection_pattern.empty()) {
          c.pattern = std::make_unique<RE2>(resp.selection_pattern, RE2::Quiet);
          if (!c.pattern->ok()) {
            return Status::Validation(where + ": bad selection pattern '" + resp.selection_pattern +
                                      "': " + c.pattern->error());
          }
        }
        c.status = std::atoi(resp.status_code.c_str());
        auto t = CompileTemplates(resp.response_templates, where + ": response " + resp.status_code);
        if (!t) return t.status();
        c.templates = std::move(*t);
        for (const auto& [name, source] : resp.response_parameters) {
          const std::string prefix = "method.response.header.";
          std::string header = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
          c.parameters.emplace_back(header, source);
        }
        r->responses.push_back(std::move(c));
      }
      if (!g->impl_->router.Add(route.method, route.path, g->impl_->routes.size())) {
        return Status::Validation(where + ": bad path template");
      }
      g->impl_->routes.push_back(std::move(r));
    }
  }
  return g;
}

void Gateway::Handle(http::Request&& request, const http::RequestInfo& info,
                     http::Respond respond) const {
  const Impl& impl = *impl_;
  const std::string request_id = NewUuid();
  auto url = boost::urls::parse_origin_form(std::string_view(request.target()));
  if (!url) {
    respond(JsonMessage(400, "Bad request target", "BadRequestException", request_id));
    return;
  }
  const std::string path = url->path();
  const std::string method(request.method_string());
  std::optional<RouteMatch> match = impl.router.Match(method, path);
  std::string resource_request_path = path;  // the path without a /<stage> prefix
  if (!match) {
    // API Gateway serves stages under /<stage>/...; accept that form too.
    auto parts = SplitPath(path);
    if (!parts.empty()) {
      for (const auto& stage : impl.stages) {
        if (parts[0] == stage) {
          const size_t at = path.find(stage);
          match = impl.router.Match(method, path.substr(at + stage.size()));
          if (match) {
            resource_request_path = path.substr(at + stage.size());
            break;
          }
        }
      }
    }
  }
  if (!match) {
    respond(JsonMessage(403, "Missing Authentication Token", "MissingAuthenticationTokenException",
                        request_id));
    return;
  }
  const CompiledRoute& route = *impl.routes[match->route_index];

  auto ctx = std::make_shared<vtl::RenderContext>();
  ctx->input.body = std::move(request.body());
  ctx->input.path = std::move(match->path_params);
  for (auto param : url->params()) ctx->input.querystring[param.key] = param.value;
  for (const auto& field : request) {
    ctx->input.header[std::string(field.name_string())] = std::string(field.value());
  }
  const int64_t now = NowMillis();
  vtl::Value context = vtl::Value::NewMap();
  vtl::Map& c = *context.if_map();
  c.Put("requestId", request_id);
  c.Put("extendedRequestId", request_id);
  c.Put("requestTime", ClfTime(now));
  c.Put("requestTimeEpoch", static_cast<int64_t>(now));
  c.Put("httpMethod", method);
  c.Put("resourcePath", route.resource_path);
  c.Put("path", "/" + route.stage + resource_request_path);
  c.Put("stage", route.stage);
  c.Put("apiId", route.api_name);
  c.Put("accountId", impl.options.account);
  c.Put("protocol", "HTTP/1.1");
  vtl::Value identity = vtl::Value::NewMap();
  identity.if_map()->Put("sourceIp", info.remote_address);
  identity.if_map()->Put("userAgent", std::string(request[bhttp::field::user_agent]));
  c.Put("identity", identity);
  ctx->context = std::move(context);

  // Request template by content type (API Gateway assumes application/json).
  std::string content_type = MediaType(request[bhttp::field::content_type]);
  if (content_type.empty()) content_type = "application/json";
  const std::string accept(request[bhttp::field::accept]);
  const vtl::Template* tmpl = nullptr;
  if (auto it = route.request_templates.find(content_type); it != route.request_templates.end()) {
    tmpl = it->second.get();
  } else {
    const std::string& pb = route.spec.passthrough_behavior;
    const bool reject = pb == "NEVER" || (pb == "WHEN_NO_TEMPLATES" && !route.request_templates.empty());
    if (reject) {
      respond(JsonMessage(415, "Unsupported Media Type", "UnsupportedMediaTypeException", request_id));
      return;
    }
  }
  std::string integration_body = ctx->input.body;
  if (tmpl) {
    auto rendered = tmpl->Render(*ctx);
    if (!rendered) {
      if (rendered.status().http_status() == 400) {
        respond(JsonMessage(400, rendered.status().message(), "BadRequestException", request_id));
      } else {
        respond(JsonMessage(500, "Internal server error", "InternalServerErrorException", request_id));
      }
      return;
    }
    integration_body = std::move(*rendered);
  }

  if (route.spec.type == "MOCK") {
    // MOCK: the request template's {"statusCode": N} picks the response.
    int status = 200;
    auto parsed = ParseJson(integration_body);
    if (parsed) {
      if (const json::value* sc = Find(*parsed, "statusCode"); sc && sc->is_number()) {
        status = static_cast<int>(sc->to_number<double>());
      }
    }
    ctx->input.body.clear();
    impl.Finish(route, ctx, status, "", respond, accept);
    return;
  }
  impl.call(route.spec.service, route.spec.action, std::move(integration_body),
            [&impl, &route, ctx, respond, accept](int status, std::string body) {
              impl.Finish(route, ctx, status, std::move(body), respond, accept);
            });
}

void Gateway::Impl::Finish(const CompiledRoute& route, const std::shared_ptr<vtl::RenderContext>& ctx,
                           int integration_status, std::string integration_body,
                           const http::Respond& respond, const std::string& accept) const {
  const std::string request_id = ctx->context.if_map()->Find("requestId")->ToString();
  // Integration response: the selection patterns are matched (whole string)
  // against the integration's status code; else the default response.
  const std::string status_text = std::to_string(integration_status);
  const CompiledResponse* chosen = nullptr;
  const CompiledResponse* fallback = nullptr;
  for (const auto& r : route.responses) {
    if (!r.pattern) {
      if (!fallback) fallback = &r;
    } else if (RE2::FullMatch(status_text, *r.pattern)) {
      chosen = &r;
      break;
    }
  }
  if (!chosen) chosen = fallback;
  if (!chosen) {
    respond(JsonMessage(500, "Internal server error", "InternalServerErrorException", request_id));
    return;
  }

  // The headers an AWS integration answers with (the in-process call has no
  // others); a MOCK integration has none.
  std::map<std::string, std::string> integration_headers;
  if (route.spec.type != "MOCK") {
    integration_headers["Content-Type"] = "application/x-amz-json-1.0";
    integration_headers["x-amzn-RequestId"] = request_id;
  }

  http::Response res{static_cast<bhttp::status>(chosen->status), 11};
  std::string content_type = "application/json";
  const vtl::Template* tmpl = nullptr;
  if (!chosen->templates.empty()) {
    auto it = chosen->templates.find(MediaType(accept));
    if (it == chosen->templates.end()) it = chosen->templates.find("application/json");
    if (it == chosen->templates.end()) it = chosen->templates.begin();
    content_type = it->first;
    tmpl = it->second.get();
  }
  if (tmpl) {
    // $input.body/json/path now mean the integration's response; $input.params
    // still names the method request's parameters, as in API Gateway.
    ctx->input.body = integration_body;
    auto rendered = tmpl->Render(*ctx);
    if (!rendered) {
      respond(JsonMessage(500, "Internal server error", "InternalServerErrorException", request_id));
      return;
    }
    res.body() = std::move(*rendered);
  } else {
    res.body() = std::move(integration_body);
  }
  res.set(bhttp::field::content_type, content_type);
  for (const auto& [header, source] : chosen->parameters) {
    if (auto value = ResponseParameterValue(source, integration_body, integration_headers)) {
      res.set(header, *value);
    }
  }
  // $context.responseOverride.status / .header.X set by the template win.
  if (vtl::Map* c = ctx->context.if_map()) {
    if (vtl::Value* ro = c->Find("responseOverride"); ro && ro->if_map()) {
      if (vtl::Value* st = ro->if_map()->Find("status"); st && !st->is_null()) {
        int code = st->if_int() ? static_cast<int>(*st->if_int()) : std::atoi(st->ToString().c_str());
        if (code >= 100 && code <= 599) res.result(static_cast<unsigned>(code));
      }
      if (vtl::Value* hd = ro->if_map()->Find("header"); hd && hd->if_map()) {
        for (const auto& [k, v] : hd->if_map()->entries()) res.set(k, v.ToString());
      }
    }
  }
  res.set("x-amzn-RequestId", request_id);
  res.prepare_payload();
  respond(std::move(res));
}

}  // namespace streamer::gateway
