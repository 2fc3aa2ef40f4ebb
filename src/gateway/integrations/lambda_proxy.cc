// AWS_PROXY: the method request as API Gateway's payload 1.0 event; the
// function's {statusCode, headers, multiValueHeaders, body, isBase64Encoded}
// is the answer. A function error or a malformed result: 502.
#include <algorithm>
#include <cstdio>
#include <set>

#include "core/base64.h"
#include "gateway/integrations/integration.h"

namespace streamer::gateway {

namespace {

namespace bhttp = boost::beast::http;

// {"a": "last value"} and {"a": ["every", "value"]}, or both null when empty.
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

// Text bodies reach the function as they are; others base64-encoded.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t more = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 4;
    if (more == 4 || i + more >= s.size() + (more == 0 ? 1 : 0)) {
      if (more != 0) return false;
    }
    for (size_t k = 1; k <= more; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += more + 1;
  }
  return true;
}

// A header value from a proxy result: strings as they are, numbers and
// booleans as their JSON text; anything else makes the result malformed.
std::optional<std::string> HeaderValue(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_number() || v.is_bool()) return json::serialize(v);
  return std::nullopt;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// nullopt = malformed (API Gateway's 502).
std::optional<http::Response> ProxyResponse(const std::string& payload) {
  auto doc = ParseJson(payload);
  if (!doc || !doc->is_object()) return std::nullopt;
  const json::object& o = doc->as_object();
  int status = 0;
  const json::value* sc = o.if_contains("statusCode");
  if (!sc) return std::nullopt;
  if (sc->is_int64()) {
    status = static_cast<int>(std::clamp<int64_t>(sc->as_int64(), -1, 1000));
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
      multi_names.insert(Lower(k));
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
      if (!multi_names.count(Lower(k))) res.set(std::string_view(k), *text);
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

class LambdaProxyIntegration : public Integration {
 public:
  LambdaProxyIntegration(std::string function, AwsServiceCall call)
      : function_(std::move(function)), call_(std::move(call)) {}
  bool proxy() const override { return true; }

  void Start(IntegrationRequest request, IntegrationDone done) const override {
    const MethodRequest& m = *request.method;
    json::object event;
    event["resource"] = m.resource_path;
    event["path"] = m.path;
    event["httpMethod"] = m.method;
    PutSingleAndMulti(event, "headers", "multiValueHeaders", m.headers);
    PutSingleAndMulti(event, "queryStringParameters", "multiValueQueryStringParameters", m.query);
    if (m.path_params.empty()) {
      event["pathParameters"] = nullptr;
    } else {
      json::object params;
      for (const auto& [k, v] : m.path_params) params[k] = v;
      event["pathParameters"] = std::move(params);
    }
    if (!m.stage_variables || m.stage_variables->empty()) {
      event["stageVariables"] = nullptr;
    } else {
      json::object vars;
      for (const auto& [k, v] : *m.stage_variables) vars[k] = v;
      event["stageVariables"] = std::move(vars);
    }
    event["requestContext"] = std::move(request.proxy_request_context);
    if (request.body.empty()) {
      event["body"] = nullptr;
      event["isBase64Encoded"] = false;
    } else if (!request.body_is_binary && IsUtf8(request.body)) {
      event["body"] = std::move(request.body);
      event["isBase64Encoded"] = false;
    } else {
      event["body"] = Base64Encode(request.body);
      event["isBase64Encoded"] = true;
    }
    const std::string function = FunctionNameFromArn(SubstituteStageVariables(function_, m));
    call_("lambda", function, json::serialize(event), [done = std::move(done)](ServiceResult r) {
      IntegrationReply reply;
      if (r.status == 200 && !r.function_error) {
        if (auto res = ProxyResponse(r.body)) {
          reply.direct = std::move(*res);
          done(std::move(reply));
          return;
        }
        std::fprintf(stderr, "gateway: malformed Lambda proxy response: %.200s\n", r.body.c_str());
        reply.error = GatewayError{"DEFAULT_5XX", 502, "Internal server error"};
      } else if (r.function_error) {
        std::fprintf(stderr, "gateway: Lambda proxy function error: %.200s\n", r.body.c_str());
        reply.error = GatewayError{"DEFAULT_5XX", 502, "Internal server error"};
      } else {
        // Lambda refused the invocation (throttled, cannot run): 500, as API Gateway.
        std::fprintf(stderr, "gateway: Lambda proxy invocation refused: %.200s\n", r.body.c_str());
        reply.error = GatewayError{"DEFAULT_5XX", 500, "Internal server error"};
      }
      done(std::move(reply));
    });
  }

 private:
  std::string function_;
  AwsServiceCall call_;
};

}  // namespace

Result<std::unique_ptr<Integration>> MakeLambdaProxyIntegration(const std::string& function, const IntegrationEnv& env) {
  return std::unique_ptr<Integration>(new LambdaProxyIntegration(function, env.call));
}

}  // namespace streamer::gateway
