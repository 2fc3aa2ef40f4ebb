// HTTP and HTTP_PROXY: forward to the integration's uri, its {x} path
// variables filled from integration.request.path.x (else the method
// request's path parameter of that name; {proxy+}-style greedy values keep
// their slashes). HTTP_PROXY passes the method, headers, query string and
// body through and answers with the backend's status, headers and body; HTTP
// sends the rendered template and its mapped parameters, and the backend's
// status code picks the integration response.
//
// The client blocks, so calls run on the gateway's HTTP worker threads, never
// on an I/O thread. The integration timeout is the gateway's (504).
#include <boost/algorithm/string/predicate.hpp>
#include <cstdio>

#include "gateway/integrations/integration.h"

namespace streamer::gateway {

namespace {

namespace bhttp = boost::beast::http;

// Hop-by-hop and framing headers are the client's and server's own.
bool IsHopHeader(std::string_view name) {
  for (std::string_view h : {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "te",
                             "upgrade", "proxy-connection", "trailer", "expect"}) {
    if (boost::iequals(name, h)) return true;
  }
  return false;
}

// Percent-encodes all but RFC 3986's unreserved characters (and '/' in a
// greedy path value).
std::string EncodePathValue(const std::string& s, bool greedy) {
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (greedy && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class HttpIntegration : public Integration {
 public:
  HttpIntegration(const stack::IntegrationSpec& spec, bool proxy, const IntegrationEnv& env)
      : uri_(spec.uri), method_(spec.http_method), timeout_ms_(spec.timeout_ms), proxy_(proxy), env_(env) {}
  bool proxy() const override { return proxy_; }

  void Start(IntegrationRequest request, IntegrationDone done) const override {
    const MethodRequest& m = *request.method;
    std::string uri = SubstituteStageVariables(uri_, m);
    // http://host[:port][/path][?query]; the path may hold {x} variables,
    // which are not valid URL characters, so it is split by hand.
    std::string host, path_template, query;
    uint16_t port = 80;
    bool ok = uri.rfind("http://", 0) == 0;
    if (ok) {
      const std::string rest = uri.substr(7);
      const size_t path_at = rest.find_first_of("/?");
      std::string authority = rest.substr(0, path_at);
      std::string tail = path_at == std::string::npos ? "" : rest.substr(path_at);
      const size_t q = tail.find('?');
      path_template = tail.substr(0, q);
      if (q != std::string::npos) query = tail.substr(q + 1);
      const size_t colon = authority.rfind(':');
      host = authority.substr(0, colon);
      if (colon != std::string::npos) {
        const std::string p = authority.substr(colon + 1);
        const long n = p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos
                           ? -1 : std::stol(p);
        if (n <= 0 || n > 65535) ok = false;
        port = static_cast<uint16_t>(n);
      }
      if (host.empty() || host.find_first_of("@ /") != std::string::npos) ok = false;
      if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    }
    if (!ok) {
      std::fprintf(stderr, "gateway: HTTP integration uri '%s' is not an http:// URL\n", uri.c_str());
      IntegrationReply reply;
      reply.error = GatewayError{"API_CONFIGURATION_ERROR", 500, "Internal server error"};
      done(std::move(reply));
      return;
    }
    // The path with its {x} / {x+} variables filled.
    if (path_template.empty()) path_template = "/";
    std::string path;
    for (size_t i = 0; i < path_template.size();) {
      const size_t open = path_template.find('{', i);
      const size_t close = open == std::string::npos ? open : path_template.find('}', open);
      if (close == std::string::npos) {
        path.append(path_template, i, std::string::npos);
        break;
      }
      path.append(path_template, i, open - i);
      std::string name = path_template.substr(open + 1, close - open - 1);
      const bool greedy = !name.empty() && name.back() == '+';
      if (greedy) name.pop_back();
      const std::string* value = nullptr;
      if (auto it = request.path.find(name); it != request.path.end()) {
        value = &it->second;
      } else if (auto mit = m.path_params.find(name); mit != m.path_params.end()) {
        value = &mit->second;
      }
      if (value) path += EncodePathValue(*value, greedy || name == "proxy");
      i = close + 1;
    }
    auto add_query = [&query](const std::string& k, const std::string& v) {
      if (!query.empty()) query += '&';
      query += EncodePathValue(k, false) + "=" + EncodePathValue(v, false);
    };
    http::Request out;
    out.version(11);
    std::string method = method_.empty() || method_ == "ANY" ? m.method : method_;
    out.method_string(method);
    if (proxy_) {
      for (const auto& [k, v] : m.query) add_query(k, v);
      for (const auto& [k, v] : m.headers) {
        if (!IsHopHeader(k)) out.insert(k, v);
      }
    } else if (!request.content_type.empty()) {
      out.set(bhttp::field::content_type, request.content_type);
    }
    for (const auto& [k, v] : request.query) add_query(k, v);
    for (const auto& [k, v] : request.headers) {
      if (!IsHopHeader(k)) out.set(k, v);
    }
    out.target(query.empty() ? path : path + "?" + query);
    out.set(bhttp::field::host, port == 80 ? host : host + ":" + std::to_string(port));
    out.body() = std::move(request.body);
    out.prepare_payload();

    http::CallOptions options;
    // A little past the gateway's own deadline, which answers 504 first.
    options.timeout = std::chrono::milliseconds(timeout_ms_ + 1000);
    options.max_response_body_bytes = 10 * 1024 * 1024 + 1;
    options.canceller = env_.canceller;
    const bool proxy = proxy_;
    env_.http_pool->Post([host, port, out = std::move(out), options, proxy, done = std::move(done)]() mutable {
      auto res = http::HttpCall(host, port, std::move(out), options);
      IntegrationReply reply;
      if (!res) {
        std::fprintf(stderr, "gateway: HTTP integration %s:%u failed: %s\n", host.c_str(), port,
                     res.status().message().c_str());
        reply.error = res.status().Is(Code::kTimeout)
                          ? GatewayError{"INTEGRATION_TIMEOUT", 504, "Endpoint request timed out"}
                          : GatewayError{"DEFAULT_5XX", 500, "Internal server error"};
        done(std::move(reply));
        return;
      }
      if (proxy) {
        http::Response direct{static_cast<bhttp::status>(res->result_int()), 11};
        for (const auto& field : *res) {
          if (!IsHopHeader(field.name_string())) direct.insert(field.name_string(), field.value());
        }
        direct.body() = std::move(res->body());
        reply.direct = std::move(direct);
      } else {
        reply.status = static_cast<int>(res->result_int());
        for (const auto& field : *res) {
          reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        reply.body = std::move(res->body());
      }
      done(std::move(reply));
    });
  }

 private:
  std::string uri_, method_;
  int timeout_ms_;
  bool proxy_;
  IntegrationEnv env_;
};

}  // namespace

Result<std::unique_ptr<Integration>> MakeHttpIntegration(const stack::IntegrationSpec& spec, bool proxy,
                                                         const IntegrationEnv& env) {
  if (spec.uri.rfind("https://", 0) == 0) {
    return Status::Validation("integration uri '" + spec.uri + "': https backends are not supported (http:// only)");
  }
  if (spec.uri.rfind("http://", 0) != 0 && spec.uri.rfind("${stageVariables.", 0) != 0) {
    return Status::Validation("HTTP integration uri '" + spec.uri + "' is not an http:// URL");
  }
  return std::unique_ptr<Integration>(new HttpIntegration(spec, proxy, env));
}

}  // namespace streamer::gateway
