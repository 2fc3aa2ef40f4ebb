// The gateway pipeline. Per request, in order:
//   route (router.cc; 403 Missing Authentication Token when none)
//   → method request (MethodRequest, built once)
//   → [usage plan]   HOOK 1: UsagePlans::Admit       (route.api_key_required)
//   → [authorizer]   HOOK 2: Authorizer::Authorize   (route.authorizer set)
//   → [validator]    HOOK 3: RequestValidator::Validate
//   → integration request (request parameters, binary handling, request template)
//   → integration (integrations/*.cc, one per type)
//   → integration response (integration_response.cc) or the proxy's answer
//   → answer (+ the access-log line).
// Everything the gateway refuses or fails itself goes through the API's
// gateway responses (gateway_responses.cc).
//
// The three hooks are implemented on other branches (gateway/auth,
// gateway/validation); they are compiled in when their CMake targets exist
// (STREAMER_GATEWAY_AUTH, STREAMER_GATEWAY_VALIDATION; see CMakeLists.txt).
#include "gateway/gateway.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <utility>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/url/parse.hpp>

#include "core/base64.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/worker_pool.h"
#include "gateway/context_builder.h"
#include "gateway/deadlines.h"
#include "gateway/gateway_responses.h"
#include "gateway/integration_response.h"
#include "gateway/integrations/integration.h"
#include "gateway/method_request.h"
#include "gateway/parameter_mapping.h"
#include "gateway/router.h"
#include "gateway/vtl/vtl.h"
#ifdef STREAMER_GATEWAY_AUTH
#include "gateway/auth/authorizer.h"
#include "gateway/auth/usage_plans.h"
#endif
#ifdef STREAMER_GATEWAY_VALIDATION
#include "gateway/validation/request_validator.h"
#endif

namespace streamer::gateway {

namespace bhttp = boost::beast::http;

namespace {

using TemplateMap = std::map<std::string, std::shared_ptr<const vtl::Template>>;


// A binary media type pattern ("image/png", "image/*", "*/*") against a media type.
bool MediaTypeMatches(const std::string& pattern, const std::string& type) {
  if (pattern == "*/*") return !type.empty();
  if (pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, "/*") == 0) {
    return type.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  }
  return pattern == type;
}

// API Gateway's 10 MB payload limit.
constexpr size_t kMaxPayloadBytes = 10 * 1024 * 1024;

}  // namespace

struct CompiledApi {
  const stack::ApiSpec* spec = nullptr;
  std::string name, stage;
  std::map<std::string, std::string> stage_variables;
  std::vector<std::string> binary_media_types;  // lower case
  GatewayResponses gateway_responses;
  bool api_key_from_authorizer = false;
};

struct CompiledRoute {
  const CompiledApi* api = nullptr;
  RouteIdentity identity;
  std::string method;
  std::string passthrough_behavior;
  std::string content_handling;
  int timeout_ms = 29000;
  TemplateMap request_templates;
  std::vector<CompiledResponse> responses;
  std::unique_ptr<Integration> integration;
  // integration.request.{header,querystring,path}.X <- source
  struct Param {
    std::string kind, name, source;
  };
  std::vector<Param> request_parameters;
  bool api_key_required = false;
  std::vector<std::string> authorization_scopes;
  // Whether any template or parameter of the route reads $context: building
  // it is a good part of a request's cost, so routes that never read it skip it.
  bool uses_context = false;
#ifdef STREAMER_GATEWAY_AUTH
  const Authorizer* authorizer = nullptr;
#endif
#ifdef STREAMER_GATEWAY_VALIDATION
  std::unique_ptr<RequestValidator> validator;
#endif
};

struct Gateway::Impl {
  GatewayOptions options;
  std::vector<std::unique_ptr<CompiledApi>> apis;
  std::vector<std::unique_ptr<CompiledRoute>> routes;
  Router router;
  Deadlines deadlines;
  std::unique_ptr<WorkerPool> http_pool;  // only when a route integrates HTTP
  http::CallCanceller canceller;
  IntegrationEnv env;
#ifdef STREAMER_GATEWAY_AUTH
  std::vector<std::unique_ptr<Authorizer>> authorizers;
  std::unique_ptr<UsagePlans> usage_plans;
#endif
};

namespace {

// One request's way through the pipeline; shared by the async stages.
struct Exchange {
  const Gateway::Impl* impl = nullptr;
  const CompiledRoute* route = nullptr;
  const CompiledApi* api = nullptr;
  MethodRequest request;
  std::string accept, domain_name, api_key;
  int64_t start_ms = 0;
  AuthorizerResult authorizer;
  vtl::RenderContext ctx;  // $input, $context, $stageVariables (non-proxy)
  bool context_built = false;
  std::mutex mu;
  http::Respond respond;  // taken by the first answer

  void Answer(http::Response&& res) {
    http::Respond r;
    {
      std::lock_guard lock(mu);
      r = std::exchange(respond, http::Respond());
    }
    if (!r) return;  // the integration timeout (or the integration) answered first
    if (impl->options.access_log) AccessLog(res);
    r(std::move(res));
  }

  // API Gateway's CLF $context format:
  // $context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]
  // "$context.httpMethod $context.resourcePath $context.protocol" $context.status
  // $context.responseLength $context.requestId
  void AccessLog(const http::Response& res) const {
    std::string line;
    line.reserve(160);
    line += request.source_ip.empty() ? "-" : request.source_ip;
    line += " - - [";
    line += ClfTime(start_ms);
    line += "] \"";
    line += request.method;
    line += ' ';
    line += route ? route->identity.resource_path : request.path;
    line += " HTTP/1.1\" ";
    line += std::to_string(res.result_int());
    line += ' ';
    line += std::to_string(res.body().size());
    line += ' ';
    line += request.request_id;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

  ContextInputs Inputs() const {
    ContextInputs in;
    in.request = &request;
    in.route = &route->identity;
    in.authorizer = &authorizer;
    in.request_time_ms = start_ms;
    in.domain_name = domain_name;
    in.api_key = api_key;
    return in;
  }

  // $context, built at most once per request, and only when something reads it.
  void EnsureContext() {
    if (context_built) return;
    ctx.context = BuildContext(Inputs());
    context_built = true;
  }

  // A gateway response for `error`, through the API's gateway responses.
  void Fail(const GatewayError& error) {
    if (route) EnsureContext();
    vtl::Value context = ctx.context;
    if (!context.if_map() && api) {
      // No route matched: $context as far as it is known.
      const RouteIdentity identity{api->name, api->stage, "", ""};
      ContextInputs in = Inputs();
      in.route = &identity;
      context = BuildContext(in);
    }
    const GatewayResponses empty;
    const GatewayResponses& responses = api ? api->gateway_responses : empty;
    Answer(responses.Answer(error, std::move(context), &request, accept, request.request_id));
  }
};

GatewayError InternalError() { return GatewayError{"DEFAULT_5XX", 500, "Internal server error"}; }

void RunIntegration(const std::shared_ptr<Exchange>& x);
void Validate(const std::shared_ptr<Exchange>& x);

void AdmitUsagePlan(const std::shared_ptr<Exchange>& x) {
  // ---- HOOK 1: usage plans (API keys) ----
  if (x->route->api_key_required) {
    const std::string* key = x->api->api_key_from_authorizer
                                 ? (x->api_key.empty() ? nullptr : &x->api_key)
                                 : x->request.Header("x-api-key");
#ifdef STREAMER_GATEWAY_AUTH
    if (x->impl->usage_plans) {
      if (auto refused = x->impl->usage_plans->Admit(x->api->name, x->api->stage, key)) {
        x->Fail(*refused);
        return;
      }
    } else if (!key) {
      x->Fail(GatewayError{"INVALID_API_KEY", 403, "Forbidden"});
      return;
    }
#else
    if (!key) {
      x->Fail(GatewayError{"INVALID_API_KEY", 403, "Forbidden"});
      return;
    }
#endif
    if (key) x->api_key = *key;
  }
}

void Authorize(const std::shared_ptr<Exchange>& x) {
  // ---- HOOK 2: the authorizer ----
#ifdef STREAMER_GATEWAY_AUTH
  if (const Authorizer* authorizer = x->route->authorizer) {
    authorizer->Authorize(x->request, x->route->authorization_scopes, [x](Authorization a) {
      if (a.error) {
        x->Fail(*a.error);
        return;
      }
      x->authorizer.present = true;
      x->authorizer.principal_id = std::move(a.principal_id);
      x->authorizer.context = std::move(a.context);
      if (x->api->api_key_from_authorizer) {
        x->api_key = std::move(a.usage_identifier_key);
        AdmitUsagePlan(x);
        if (!x->respond) return;
      }
      Validate(x);
    });
    return;
  }
#endif
  Validate(x);
}

void Validate(const std::shared_ptr<Exchange>& x) {
  // ---- HOOK 3: the request validator ----
#ifdef STREAMER_GATEWAY_VALIDATION
  if (x->route->validator) {
    if (auto invalid = x->route->validator->Validate(x->request)) {
      x->Fail(*invalid);
      return;
    }
  }
#endif
  RunIntegration(x);
}

void Respond(const std::shared_ptr<Exchange>& x, IntegrationReply reply) {
  if (reply.error) {
    x->Fail(*reply.error);
    return;
  }
  if (reply.direct) {
    reply.direct->set("x-amzn-RequestId", x->request.request_id);
    reply.direct->prepare_payload();
    x->Answer(std::move(*reply.direct));
    return;
  }
  const CompiledRoute& route = *x->route;
  const CompiledResponse* chosen = SelectResponse(route.responses, reply);
  if (!chosen) {
    std::fprintf(stderr, "gateway: %s %s %s: no integration response for status %d%s\n", route.api->name.c_str(),
                 route.method.c_str(), route.identity.resource_path.c_str(), reply.status,
                 reply.error_message ? (" / error '" + *reply.error_message + "'").c_str() : "");
    x->Fail(InternalError());
    return;
  }
  std::string error;
  auto res = MapResponse(*chosen, reply, x->ctx, x->request, x->accept, &error);
  if (!res) {
    std::fprintf(stderr, "gateway: template error in API %s, route %s %s: %s\n", route.api->name.c_str(),
                 route.method.c_str(), route.identity.resource_path.c_str(), error.c_str());
    x->Fail(InternalError());
    return;
  }
  res->set("x-amzn-RequestId", x->request.request_id);
  res->prepare_payload();
  x->Answer(std::move(*res));
}

// $context.requestOverride.{header,querystring,path}.X set by the request
// template replace the integration request's parameters of that name.
void ApplyRequestOverride(const vtl::Value& context, IntegrationRequest& req) {
  const vtl::Map* c = context.if_map();
  const vtl::Value* ro = c ? c->Find("requestOverride") : nullptr;
  if (!ro || !ro->if_map() || ro->if_map()->empty()) return;
  auto each = [&](const char* key, auto&& fn) {
    if (const vtl::Value* m = ro->if_map()->Find(key); m && m->if_map()) {
      for (const auto& [k, v] : m->if_map()->entries()) {
        if (!v.is_null()) fn(k, v.ToString());
      }
    }
  };
  auto put = [](std::vector<std::pair<std::string, std::string>>& pairs, const std::string& k, std::string v) {
    std::erase_if(pairs, [&](const auto& p) { return p.first == k; });
    pairs.emplace_back(k, std::move(v));
  };
  each("header", [&](const std::string& k, std::string v) { put(req.headers, k, std::move(v)); });
  each("querystring", [&](const std::string& k, std::string v) { put(req.query, k, std::move(v)); });
  each("path", [&](const std::string& k, std::string v) { req.path[k] = std::move(v); });
}

void RunIntegration(const std::shared_ptr<Exchange>& x) {
  const CompiledRoute& route = *x->route;
  const MethodRequest& m = x->request;
  IntegrationRequest req;
  req.method = &m;
  req.content_type = m.content_type.empty() ? "application/json" : m.content_type;
  bool binary = false;
  for (const auto& t : route.api->binary_media_types) {
    if (MediaTypeMatches(t, m.content_type)) binary = true;
  }

  // integration.request.* parameters.
  if (route.uses_context) x->EnsureContext();
  if (!route.request_parameters.empty()) {
    ParameterSources from;
    from.request = &m;
    from.context = &x->ctx.context;
    for (const auto& p : route.request_parameters) {
      auto v = ParameterValue(p.source, from);
      if (!v) continue;
      if (p.kind == "header") {
        req.headers.emplace_back(p.name, std::move(*v));
      } else if (p.kind == "querystring") {
        req.query.emplace_back(p.name, std::move(*v));
      } else {
        req.path[p.name] = std::move(*v);
      }
    }
  }

  if (route.integration->proxy()) {
    req.body = std::move(x->request.body);  // the method request's stages are done with it
    req.body_is_binary = binary;
    req.proxy_request_context = BuildProxyRequestContext(x->Inputs());
  } else {
    // Content handling of the request body, then the request template.
    std::string body = std::move(x->request.body);  // the method request's stages are done with it
    if (binary && route.content_handling == "CONVERT_TO_TEXT") {
      body = Base64Encode(body);
    } else if (!binary && route.content_handling == "CONVERT_TO_BINARY") {
      if (auto bytes = Base64DecodeLenient(body)) body = std::move(*bytes);
    }
    const std::string content_type = m.content_type.empty() ? "application/json" : m.content_type;
    const vtl::Template* tmpl = nullptr;
    if (auto it = route.request_templates.find(content_type); it != route.request_templates.end()) {
      tmpl = it->second.get();
    } else {
      const std::string& pb = route.passthrough_behavior;
      if (pb == "NEVER" || (pb == "WHEN_NO_TEMPLATES" && !route.request_templates.empty())) {
        x->Fail(GatewayError{"UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported Media Type"});
        return;
      }
    }
    if (tmpl) {
      vtl::Input& in = x->ctx.input;
      in.body = std::move(body);
      in.path = m.path_params;
      for (const auto& [k, v] : m.query) in.querystring[k] = v;
      for (const auto& [k, v] : m.headers) in.header[k] = v;
      x->ctx.stage_variables = StageVariablesValue(m);
      auto rendered = tmpl->Render(x->ctx);
      if (!rendered) {
        if (rendered.status().http_status() == 400) {
          x->Fail(GatewayError{"BAD_REQUEST_BODY", 400, rendered.status().message()});
        } else {
          std::fprintf(stderr, "gateway: template error in API %s, route %s %s: request template (%s): %s\n",
                       route.api->name.c_str(), route.method.c_str(), route.identity.resource_path.c_str(),
                       content_type.c_str(), rendered.status().message().c_str());
          x->Fail(InternalError());
        }
        return;
      }
      req.body = std::move(*rendered);
      ApplyRequestOverride(x->ctx.context, req);
    } else {
      req.body = std::move(body);
      // Response templates still read the method request's parameters.
      vtl::Input& in = x->ctx.input;
      in.path = m.path_params;
      for (const auto& [k, v] : m.query) in.querystring[k] = v;
      for (const auto& [k, v] : m.headers) in.header[k] = v;
      x->ctx.stage_variables = StageVariablesValue(m);
    }
  }

  if (route.integration->may_stall()) {
    // API Gateway stops waiting after the integration timeout: 504. The
    // integration runs on; its late answer is dropped (Answer answers once).
    std::weak_ptr<Exchange> weak = x;
    const_cast<Deadlines&>(x->impl->deadlines)
        .At(std::chrono::steady_clock::now() + std::chrono::milliseconds(route.timeout_ms), [weak] {
          if (auto x = weak.lock()) x->Fail(GatewayError{"INTEGRATION_TIMEOUT", 504, "Endpoint request timed out"});
        });
  }
  route.integration->Start(std::move(req), [x](IntegrationReply reply) { Respond(x, std::move(reply)); });
}

}  // namespace

Gateway::Gateway() : impl_(std::make_unique<Impl>()) {}
Gateway::~Gateway() = default;

void Gateway::Stop() {
  impl_->deadlines.Stop();
  impl_->canceller.Cancel();
  if (impl_->http_pool) impl_->http_pool->Stop();
}

Result<std::unique_ptr<Gateway>> Gateway::Build(const std::vector<stack::ApiSpec>& apis, AwsServiceCall call,
                                                GatewayOptions options) {
  std::unique_ptr<Gateway> g(new Gateway());
  Impl& impl = *g->impl_;
  impl.options = std::move(options);
  impl.env.call = std::move(call);
  impl.env.canceller = &impl.canceller;
  for (const auto& api : apis) {
    for (const auto& route : api.routes) {
      if (route.integration.type == "HTTP" || route.integration.type == "HTTP_PROXY") {
        if (!impl.http_pool) {
          impl.http_pool = std::make_unique<WorkerPool>("gw-http", std::max(1, impl.options.http_integration_threads));
        }
      }
    }
  }
  impl.env.http_pool = impl.http_pool.get();
#ifdef STREAMER_GATEWAY_AUTH
  {
    auto plans = UsagePlans::Build(impl.options.api_keys, impl.options.usage_plans);
    if (!plans) return plans.status();
    impl.usage_plans = std::move(*plans);
  }
  InvokeFunction invoke = [call = impl.env.call](const std::string& function, std::string event,
                                                 std::function<void(bool ok, std::string payload)> done) {
    call("lambda", function, std::move(event), [done = std::move(done)](ServiceResult r) {
      done(r.status == 200 && !r.function_error, std::move(r.body));
    });
  };
  std::vector<std::string> warnings;
#endif
  for (const auto& api : apis) {
    auto a = std::make_unique<CompiledApi>();
    a->spec = &api;
    a->name = api.name;
    a->stage = api.stage;
    a->stage_variables = api.stage_variables;
    for (const auto& t : api.binary_media_types) a->binary_media_types.push_back(MediaType(t));
    a->api_key_from_authorizer = api.api_key_source == "AUTHORIZER";
    auto responses = GatewayResponses::Compile(api.gateway_responses);
    if (!responses) return responses.status().WithMessage("API " + api.name + ": " + responses.status().message());
    a->gateway_responses = std::move(*responses);
#ifdef STREAMER_GATEWAY_AUTH
    std::map<std::string, const Authorizer*> authorizers;
    for (const auto& spec : api.authorizers) {
      auto made = MakeAuthorizer(spec, invoke, &warnings);
      if (!made) return made.status().WithMessage("API " + api.name + ": " + made.status().message());
      authorizers[spec.name] = made->get();
      impl.authorizers.push_back(std::move(*made));
    }
#endif
    for (const auto& route : api.routes) {
      const std::string where = "API " + api.name + " route " + route.method + " " + route.path;
      auto r = std::make_unique<CompiledRoute>();
      r->api = a.get();
      r->identity.api_id = api.name;
      r->identity.stage = api.stage;
      r->identity.resource_path = route.path;
      r->identity.resource_id = api.name + ":" + route.method + ":" + route.path;
      r->method = route.method;
      const stack::IntegrationSpec& spec = route.integration;
      r->passthrough_behavior = spec.passthrough_behavior;
      r->content_handling = spec.content_handling;
      if (spec.timeout_ms < 50 || spec.timeout_ms > 29000) {
        return Status::Validation(where + ": integration timeout " + std::to_string(spec.timeout_ms) +
                                  " ms is not within 50..29000");
      }
      r->timeout_ms = spec.timeout_ms;
      if (!spec.content_handling.empty() && spec.content_handling != "CONVERT_TO_TEXT" &&
          spec.content_handling != "CONVERT_TO_BINARY") {
        return Status::Validation(where + ": contentHandling '" + spec.content_handling +
                                  "' is not CONVERT_TO_TEXT or CONVERT_TO_BINARY");
      }
      for (const auto& [type, text] : spec.request_templates) {
        auto t = vtl::Template::Parse(text);
        if (!t) return Status::Validation(where + ": request template for " + type + ": " + t.status().message());
        r->request_templates[MediaType(type)] = *t;
      }
      auto responses = CompileResponses(spec.responses);
      if (!responses) return Status::Validation(where + ": " + responses.status().message());
      r->responses = std::move(*responses);
      for (const auto& [name, source] : spec.request_parameters) {
        auto target = IntegrationRequestTarget(name);
        if (!target) {
          return Status::Validation(where + ": request parameter '" + name +
                                    "' is not integration.request.{header,querystring,path}.X");
        }
        if (!IsParameterSource(source)) {
          return Status::Validation(where + ": request parameter source '" + source + "' is not one API Gateway maps");
        }
        r->request_parameters.push_back({target->first, target->second, source});
      }
      // Conservative: any mention of "context" in a template or a context.* source.
      auto mentions_context = [](const std::string& text) { return text.find("context") != std::string::npos; };
      for (const auto& [type, text] : spec.request_templates) r->uses_context |= mentions_context(text);
      for (const auto& [name, source] : spec.request_parameters) r->uses_context |= mentions_context(source);
      for (const auto& resp : spec.responses) {
        for (const auto& [type, text] : resp.response_templates) r->uses_context |= mentions_context(text);
        for (const auto& [name, source] : resp.response_parameters) r->uses_context |= mentions_context(source);
      }
      auto integration = MakeIntegration(spec, impl.env);
      if (!integration) return Status::Validation(where + ": " + integration.status().message());
      r->integration = std::move(*integration);
      r->api_key_required = route.api_key_required;
      r->authorization_scopes = route.authorization_scopes;
      if (!route.authorizer.empty()) {
#ifdef STREAMER_GATEWAY_AUTH
        auto it = authorizers.find(route.authorizer);
        if (it == authorizers.end()) {
          return Status::Validation(where + ": unknown authorizer '" + route.authorizer + "'");
        }
        r->authorizer = it->second;
#else
        std::fprintf(stderr, "warning: %s: authorizer '%s' is not enforced (authorizers are not built in)\n",
                     where.c_str(), route.authorizer.c_str());
#endif
      }
#ifdef STREAMER_GATEWAY_VALIDATION
      {
        auto v = RequestValidator::Compile(api, route);
        if (!v) return v.status();
        r->validator = std::move(*v);
      }
#endif
      if (!impl.router.Add(route.method, route.path, impl.routes.size())) {
        return Status::Validation(where + ": bad path template");
      }
      impl.routes.push_back(std::move(r));
    }
    impl.apis.push_back(std::move(a));
  }
#ifdef STREAMER_GATEWAY_AUTH
  for (const auto& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
#endif
  return g;
}

void Gateway::Handle(http::Request&& request, const http::RequestInfo& info, http::Respond respond) const {
  const Impl& impl = *impl_;
  auto x = std::make_shared<Exchange>();
  x->impl = &impl;
  x->respond = std::move(respond);
  x->start_ms = NowMillis();
  MethodRequest& m = x->request;
  m.request_id = NewUuid();
  m.method = std::string(request.method_string());
  m.source_ip = info.remote_address;
  m.region = impl.options.region;
  m.account = impl.options.account;
  x->accept = std::string(request[bhttp::field::accept]);
  {
    const std::string_view host = request[bhttp::field::host];
    x->domain_name = std::string(host.substr(0, host.find(':')));
  }
  auto url = boost::urls::parse_origin_form(std::string_view(request.target()));
  if (!url) {
    if (!impl.apis.empty()) x->api = impl.apis.front().get();
    x->Fail(GatewayError{"DEFAULT_4XX", 400, "Bad request target"});
    return;
  }
  const std::string path = url->path();
  std::optional<RouteMatch> match = impl.router.Match(m.method, path);
  m.path = path;  // without a /<stage> prefix
  if (!match) {
    // API Gateway serves stages under /<stage>/...; accept that form too.
    auto parts = SplitPath(path);
    if (!parts.empty()) {
      for (const auto& api : impl.apis) {
        if (parts[0] != api->stage) continue;
        if (!x->api) x->api = api.get();
        const size_t at = path.find(api->stage);
        match = impl.router.Match(m.method, path.substr(at + api->stage.size()));
        if (match) {
          m.path = path.substr(at + api->stage.size());
          break;
        }
      }
    }
  }
  if (!match) {
    if (!x->api && !impl.apis.empty()) x->api = impl.apis.front().get();
    if (x->api) {
      m.api_id = x->api->name;
      m.stage = x->api->stage;
      m.stage_variables = &x->api->stage_variables;
    }
    x->Fail(GatewayError{"MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token"});
    return;
  }
  const CompiledRoute& route = *impl.routes[match->route_index];
  x->route = &route;
  x->api = route.api;
  m.resource_path = route.identity.resource_path;
  m.path_params = std::move(match->path_params);
  m.api_id = route.api->name;
  m.stage = route.api->stage;
  m.stage_variables = &route.api->stage_variables;
  for (auto param : url->params()) m.query.emplace_back(param.key, param.value);
  m.headers.reserve(std::distance(request.begin(), request.end()));
  for (const auto& field : request) m.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  m.content_type = MediaType(request[bhttp::field::content_type]);
  m.body = std::move(request.body());
  if (m.body.size() > kMaxPayloadBytes) {
    x->Fail(GatewayError{"REQUEST_TOO_LARGE", 413, "Request Too Long"});
    return;
  }

  if (!route.api->api_key_from_authorizer) {
    AdmitUsagePlan(x);
    if (!x->respond) return;
  }
  Authorize(x);
}

}  // namespace streamer::gateway
