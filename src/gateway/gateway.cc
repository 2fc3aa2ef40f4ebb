#include "gateway/gateway.h"

#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <cstdio>
#include <set>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/url/parse.hpp>

#include "core/base64.h"
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

// Text bodies reach the function as they are; others base64-encoded.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t more = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 4;
    if (more == 4 || i + more >= s.size() + (more == 0)) {
      if (more != 0) return false;
    }
    for (size_t k = 1; k <= more; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += more + 1;
  }
  return true;
}

// {"a": "last value"} and {"a": ["every", "value"]}, or both null when empty,
// as API Gateway's payload 1.0 gives headers and query strings.
void PutSingleAndMulti(json::object& event, const char* single_key, const char* multi_key,
                       const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (pairs.empty()) {
    event[single_key] = nullptr;
    event[multi_key] = nullptr;
    return;
  }
  json::object single, multi;
  for (const auto& [k, v] : pairs) {
    single[k] = v;
    json::value& list = multi[k];
    if (!list.is_array()) list = json::array();
    list.as_array().emplace_back(v);
  }
  event[single_key] = std::move(single);
  event[multi_key] = std::move(multi);
}

// A header value from a proxy result: strings as they are, numbers and
// booleans as their JSON text; anything else makes the result malformed.
std::optional<std::string> HeaderValue(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_number() || v.is_bool()) return json::serialize(v);
  return std::nullopt;
}

// Maps a Lambda proxy result {statusCode, headers, multiValueHeaders, body,
// isBase64Encoded} to the HTTP answer; nullopt = malformed (API Gateway's 502).
std::optional<http::Response> ProxyResponse(const std::string& payload) {
  auto doc = ParseJson(payload);
  if (!doc || !doc->is_object()) return std::nullopt;
  const json::object& o = doc->as_object();
  int status = 0;
  const json::value* sc = o.if_contains("statusCode");
  if (!sc) return std::nullopt;
  if (sc->is_int64()) {
    status = static_cast<int>(sc->as_int64());
  } else if (sc->is_uint64()) {
    status = static_cast<int>(std::min<uint64_t>(sc->as_uint64(), 1000));
  } else if (sc->is_string() && !sc->as_string().empty() && sc->as_string().size() <= 3 &&
             std::all_of(sc->as_string().begin(), sc->as_string().end(), [](char c) { return c >= '0' && c <= '9'; })) {
    status = std::atoi(sc->as_string().c_str());
  } else {
    return std::nullopt;
  }
  if (status < 100 || status > 599) return std::nullopt;
  http::Response res{static_cast<bhttp::status>(status), 11};
  // multiValueHeaders win over headers for the same name, as in API Gateway.
  std::set<std::string> multi_names;
  if (const json::value* mh = o.if_contains("multiValueHeaders"); mh && !mh->is_null()) {
    if (!mh->is_object()) return std::nullopt;
    for (const auto& [k, list] : mh->as_object()) {
      if (!list.is_array()) return std::nullopt;
      std::string name(k);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      multi_names.insert(name);
      for (const auto& v : list.as_array()) {
        auto text = HeaderValue(v);
        if (!text) return std::nullopt;
        res.insert(std::string_view(k), *text);
      }
    }
  }
  if (const json::value* h = o.if_contains("headers"); h && !h->is_null()) {
    if (!h->is_object()) return std::nullopt;
    for (const auto& [k, v] : h->as_object()) {
      auto text = HeaderValue(v);
      if (!text) return std::nullopt;
      std::string name(k);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!multi_names.count(name)) res.set(std::string_view(k), *text);
    }
  }
  bool base64 = false;
  if (const json::value* b = o.if_contains("isBase64Encoded"); b && !b->is_null()) {
    if (!b->is_bool()) return std::nullopt;
    base64 = b->as_bool();
  }
  if (const json::value* body = o.if_contains("body"); body && !body->is_null()) {
    if (!body->is_string()) return std::nullopt;
    if (base64) {
      auto bytes = Base64DecodeLenient(body->as_string());
      if (!bytes) return std::nullopt;
      res.body() = std::move(*bytes);
    } else {
      res.body() = std::string(body->as_string());
    }
  }
  if (res.find(bhttp::field::content_type) == res.end()) res.set(bhttp::field::content_type, "application/json");
  return res;
}

// Runs callbacks at deadlines on one thread: the integration timeouts (504)
// of Lambda proxy calls that are still running.
class Deadlines {
 public:
  Deadlines() : thread_([this] { Run(); }) {}
  ~Deadlines() { Stop(); }
  void At(std::chrono::steady_clock::time_point when, std::function<void()> fn) {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.emplace(when, std::move(fn));
    cv_.notify_one();
  }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      queue_.clear();
      cv_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = queue_.begin();
      if (std::chrono::steady_clock::now() < first->first) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      std::function<void()> fn = std::move(first->second);
      queue_.erase(first);
      lock.unlock();
      fn();
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// A proxy call's answer, given once by whichever comes first: the function
// or the integration timeout. The Respond (which holds the connection) is
// released as soon as it is used.
class PendingAnswer {
 public:
  explicit PendingAnswer(http::Respond respond) : respond_(std::move(respond)) {}
  void Answer(http::Response&& res) {
    http::Respond respond;
    {
      std::lock_guard lock(mu_);
      respond = std::exchange(respond_, http::Respond());
    }
    if (respond) respond(std::move(res));
  }

 private:
  std::mutex mu_;
  http::Respond respond_;
};

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
  mutable Deadlines deadlines;  // thread-safe; Proxy (const) schedules on it
  std::vector<std::string> stages;  // accepted path prefixes ("/prod/InsertItem")

  void Finish(const CompiledRoute& route, const std::shared_ptr<vtl::RenderContext>& ctx,
              int integration_status, std::string integration_body, const http::Respond& respond,
              const std::string& accept) const;
  void Proxy(const CompiledRoute& route, http::Request&& request, const http::RequestInfo& info,
             const boost::urls::url_view& url, RouteMatch match, const std::string& resource_request_path,
             const std::string& request_id, http::Respond respond) const;
};

Gateway::Gateway() : impl_(std::make_unique<Impl>()) {}
Gateway::~Gateway() = default;
void Gateway::Stop() { impl_->deadlines.Stop(); }

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

  if (route.spec.type == "AWS_PROXY") {
    impl.Proxy(route, std::move(request), info, *url, std::move(*match), resource_request_path,
               request_id, std::move(respond));
    return;
  }

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

namespace streamer::gateway {

// Lambda proxy integration: the request as API Gateway's payload 1.0 event;
// the function's result is the response.
void Gateway::Impl::Proxy(const CompiledRoute& route, http::Request&& request,
                          const http::RequestInfo& info, const boost::urls::url_view& url,
                          RouteMatch match, const std::string& resource_request_path,
                          const std::string& request_id, http::Respond respond) const {
  const std::string method(request.method_string());
  json::object event;
  event["resource"] = route.resource_path;
  event["path"] = resource_request_path;
  event["httpMethod"] = method;
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& field : request) {
    headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  PutSingleAndMulti(event, "headers", "multiValueHeaders", headers);
  std::vector<std::pair<std::string, std::string>> query;
  for (auto param : url.params()) query.emplace_back(param.key, param.value);
  PutSingleAndMulti(event, "queryStringParameters", "multiValueQueryStringParameters", query);
  if (match.path_params.empty()) {
    event["pathParameters"] = nullptr;
  } else {
    json::object params;
    for (const auto& [k, v] : match.path_params) params[k] = v;
    event["pathParameters"] = std::move(params);
  }
  event["stageVariables"] = nullptr;
  const int64_t now = NowMillis();
  const std::string host(request[bhttp::field::host]);
  json::object identity{{"cognitoIdentityPoolId", nullptr}, {"accountId", nullptr},
                        {"cognitoIdentityId", nullptr}, {"caller", nullptr},
                        {"accessKey", nullptr}, {"sourceIp", info.remote_address},
                        {"cognitoAuthenticationType", nullptr}, {"cognitoAuthenticationProvider", nullptr},
                        {"userArn", nullptr}, {"userAgent", std::string(request[bhttp::field::user_agent])},
                        {"user", nullptr}};
  event["requestContext"] = json::object{
      {"accountId", options.account},
      {"apiId", route.api_name},
      {"resourceId", route.api_name + ":" + route.method + ":" + route.resource_path},
      {"resourcePath", route.resource_path},
      {"httpMethod", method},
      {"path", "/" + route.stage + resource_request_path},
      {"stage", route.stage},
      {"requestId", request_id},
      {"extendedRequestId", request_id},
      {"requestTime", ClfTime(now)},
      {"requestTimeEpoch", now},
      {"protocol", "HTTP/1.1"},
      {"domainName", host.substr(0, host.find(':'))},
      {"identity", std::move(identity)},
  };
  std::string& body = request.body();
  if (body.empty()) {
    event["body"] = nullptr;
    event["isBase64Encoded"] = false;
  } else if (IsUtf8(body)) {
    event["body"] = body;
    event["isBase64Encoded"] = false;
  } else {
    event["body"] = Base64Encode(body);
    event["isBase64Encoded"] = true;
  }
  // API Gateway stops waiting after the integration timeout: 504. The
  // function runs on; its late answer is dropped (a Respond answers once).
  auto pending = std::make_shared<PendingAnswer>(std::move(respond));
  deadlines.At(std::chrono::steady_clock::now() + std::chrono::milliseconds(route.spec.timeout_ms),
               [request_id, pending] {
                 pending->Answer(JsonMessage(504, "Endpoint request timed out", "", request_id));
               });
  call("lambda", route.spec.function, json::serialize(event),
       [request_id, pending](int status, std::string payload) {
         if (status == 200) {
           if (auto res = ProxyResponse(payload)) {
             res->set("x-amzn-RequestId", request_id);
             res->prepare_payload();
             pending->Answer(std::move(*res));
             return;
           }
           std::fprintf(stderr, "gateway: malformed Lambda proxy response: %.200s\n", payload.c_str());
         } else if (status != 502) {
           // Lambda refused the invocation (throttled, cannot run): 500, as in
           // API Gateway; a function error or malformed result: 502.
           std::fprintf(stderr, "gateway: Lambda proxy invocation refused: %.200s\n", payload.c_str());
           pending->Answer(JsonMessage(500, "Internal server error", "InternalServerErrorException", request_id));
           return;
         } else {
           std::fprintf(stderr, "gateway: Lambda proxy function error: %.200s\n", payload.c_str());
         }
         pending->Answer(JsonMessage(502, "Internal server error", "InternalServerErrorException", request_id));
       });
}

}  // namespace streamer::gateway
