#include "gateway/auth/lambda_authorizer.h"

#include <re2/re2.h>

#include <cctype>
#include <mutex>
#include <unordered_map>

#include "core/clock.h"
#include "gateway/auth/request_parts.h"

namespace streamer::gateway {

using auth_detail::Unauthorized;

namespace {

constexpr size_t kMaxCachedIdentities = 10000;

GatewayError ConfigurationError() {
  // API Gateway answers {"message": null}: the message is empty on purpose.
  return GatewayError{"AUTHORIZER_CONFIGURATION_ERROR", 500, ""};
}

Result<std::vector<std::string>> StringOrList(const json::value* v, const char* what) {
  std::vector<std::string> out;
  if (!v) return Status::Validation(std::string("a statement has no ") + what);
  if (v->is_string()) {
    out.emplace_back(v->as_string());
  } else if (v->is_array()) {
    for (const json::value& item : v->as_array()) {
      if (!item.is_string()) return Status::Validation(std::string(what) + " holds a non-string");
      out.emplace_back(item.as_string());
    }
  } else {
    return Status::Validation(std::string(what) + " is neither a string nor a list");
  }
  return out;
}

bool IEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  // Greedy two-pointer glob with backtracking to the last '*': linear-ish, no recursion.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  auto same = [&](char a, char b) {
    return ignore_case ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b))
                       : a == b;
  };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || same(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<AuthorizerOutput> ParseAuthorizerOutput(std::string_view payload) {
  auto doc = ParseJson(payload);
  if (!doc || !doc->is_object()) return Status::Validation("the authorizer's output is not a JSON object");
  const json::object& o = doc->as_object();
  AuthorizerOutput out;
  const json::value* principal = Find(o, "principalId");
  if (!principal || !(principal->is_string() || principal->is_number())) {
    return Status::Validation("the authorizer's output has no principalId");
  }
  out.principal_id =
      principal->is_string() ? std::string(principal->as_string()) : auth_detail::NumberText(*principal);
  const json::value* policy = Find(o, "policyDocument");
  if (!policy || !policy->is_object()) return Status::Validation("the authorizer's output has no policyDocument");
  const json::value* statements = Find(*policy, "Statement");
  if (!statements) return Status::Validation("the policyDocument has no Statement");
  std::vector<const json::value*> list;
  if (statements->is_array()) {
    for (const json::value& s : statements->as_array()) list.push_back(&s);
  } else {
    list.push_back(statements);
  }
  for (const json::value* s : list) {
    if (!s->is_object()) return Status::Validation("a policy statement is not an object");
    PolicyStatement st;
    const json::string* effect = FindString(s->as_object(), "Effect");
    if (!effect || !(IEqual(*effect, "Allow") || IEqual(*effect, "Deny"))) {
      return Status::Validation("a policy statement's Effect is not Allow or Deny");
    }
    st.allow = IEqual(*effect, "Allow");
    auto actions = StringOrList(Find(*s, "Action"), "Action");
    if (!actions) return actions.status();
    auto resources = StringOrList(Find(*s, "Resource"), "Resource");
    if (!resources) return resources.status();
    st.actions = std::move(*actions);
    st.resources = std::move(*resources);
    out.statements.push_back(std::move(st));
  }
  if (const json::value* context = Find(o, "context"); context && !context->is_null()) {
    if (!context->is_object()) return Status::Validation("the authorizer's context is not an object");
    for (const auto& [key, value] : context->as_object()) {
      if (value.is_string()) out.context[key] = value.as_string();
      else if (value.is_bool()) out.context[key] = value.as_bool() ? "true" : "false";
      else if (value.is_number()) out.context[key] = auth_detail::NumberText(value);
      else return Status::Validation("context." + std::string(key) + " is not a string, number or boolean");
    }
  }
  if (const json::value* key = Find(o, "usageIdentifierKey"); key && key->is_string()) {
    out.usage_identifier_key = std::string(key->as_string());
  }
  return out;
}

PolicyDecision EvaluatePolicy(const std::vector<PolicyStatement>& statements, std::string_view method_arn) {
  bool allowed = false;
  for (const PolicyStatement& st : statements) {
    bool action = false;
    for (const auto& a : st.actions) action = action || WildcardMatch(a, "execute-api:Invoke", true);
    if (!action) continue;
    bool resource = false;
    for (const auto& r : st.resources) resource = resource || WildcardMatch(r, method_arn);
    if (!resource) continue;
    if (!st.allow) return PolicyDecision::kExplicitDeny;
    allowed = true;
  }
  return allowed ? PolicyDecision::kAllow : PolicyDecision::kImplicitDeny;
}

namespace {

Authorization Decide(const AuthorizerOutput& output, const std::string& method_arn) {
  Authorization result;
  switch (EvaluatePolicy(output.statements, method_arn)) {
    case PolicyDecision::kExplicitDeny:
      result.error =
          GatewayError{"ACCESS_DENIED", 403, "User is not authorized to access this resource with an explicit deny"};
      return result;
    case PolicyDecision::kImplicitDeny:
      result.error = GatewayError{"ACCESS_DENIED", 403, "User is not authorized to access this resource"};
      return result;
    case PolicyDecision::kAllow:
      break;
  }
  result.principal_id = output.principal_id;
  result.context = output.context;
  result.context["principalId"] = output.principal_id;
  result.usage_identifier_key = output.usage_identifier_key;
  return result;
}

json::value NullIfEmpty(json::object o) { return o.empty() ? json::value(nullptr) : json::value(std::move(o)); }

class LambdaAuthorizer : public Authorizer {
 public:
  LambdaAuthorizer(const stack::AuthorizerSpec& spec, InvokeFunction invoke, std::function<int64_t()> now_ms,
                   std::unique_ptr<re2::RE2> validation)
      : spec_(spec),
        invoke_(std::move(invoke)),
        now_ms_(now_ms ? std::move(now_ms) : std::function<int64_t()>(NowMillis)),
        validation_(std::move(validation)),
        sources_(auth_detail::SplitSources(spec.identity_source)),
        state_(std::make_shared<Cache>()) {}

  void Authorize(const MethodRequest& request, const std::vector<std::string>& scopes,
                 AuthorizeDone done) const override {
    const bool token = spec_.type == "TOKEN";
    std::string cache_key;
    std::string token_value;
    if (token) {
      std::string header = auth_detail::HeaderOfSource(spec_.identity_source);
      const std::string* v = auth_detail::HeaderValue(request, header);
      if (!v || v->empty()) return done(Authorization{Unauthorized(), {}, {}, {}});
      if (validation_ && !RE2::FullMatch(*v, *validation_)) return done(Authorization{Unauthorized(), {}, {}, {}});
      token_value = *v;
      cache_key = *v;
    } else {
      for (const auto& source : sources_) {
        auto v = auth_detail::IdentitySourceValue(request, source);
        // With caching on, every identity source is required (AWS answers 401 without calling).
        if (!v && spec_.ttl_seconds > 0) return done(Authorization{Unauthorized(), {}, {}, {}});
        cache_key += v.value_or("");
        cache_key.push_back('\0');
      }
    }
    std::string method_arn = auth_detail::MethodArnOf(request);
    if (spec_.ttl_seconds > 0) {
      std::shared_ptr<const AuthorizerOutput> cached;
      {
        std::lock_guard<std::mutex> lock(state_->mu);
        auto it = state_->entries.find(cache_key);
        if (it != state_->entries.end()) {
          if (it->second.expires_ms > now_ms_()) cached = it->second.output;
          else state_->entries.erase(it);
        }
      }
      // A cached policy is evaluated again for this request's method ARN.
      if (cached) return done(Decide(*cached, method_arn));
    }
    std::string event = token ? TokenEvent(token_value, method_arn) : RequestEvent(request, method_arn);
    int ttl_ms = spec_.ttl_seconds * 1000;
    std::function<int64_t()> now = now_ms_;
    std::shared_ptr<Cache> cache = state_;
    invoke_(spec_.function, std::move(event),
            [done = std::move(done), cache_key = std::move(cache_key), method_arn = std::move(method_arn), ttl_ms,
             now, cache](bool ok, std::string payload) {
              if (!ok) {
                // The function threw: "Unauthorized" is the documented way to say 401.
                std::string message = payload;
                if (auto doc = ParseJson(payload); doc && doc->is_object()) {
                  if (const json::string* m = FindString(doc->as_object(), "errorMessage")) message = std::string(*m);
                }
                done(Authorization{message == "Unauthorized" ? Unauthorized() : ConfigurationError(), {}, {}, {}});
                return;
              }
              auto output = ParseAuthorizerOutput(payload);
              if (!output) {
                done(Authorization{ConfigurationError(), {}, {}, {}});
                return;
              }
              auto shared = std::make_shared<const AuthorizerOutput>(std::move(*output));
              if (ttl_ms > 0) {
                std::lock_guard<std::mutex> lock(cache->mu);
                if (cache->entries.size() >= kMaxCachedIdentities) cache->Prune(now());
                cache->entries[cache_key] = Entry{shared, now() + ttl_ms};
              }
              done(Decide(*shared, method_arn));
            });
  }

 private:
  struct Entry {
    std::shared_ptr<const AuthorizerOutput> output;
    int64_t expires_ms = 0;
  };
  // Shared with pending invocations, so an answer arriving late finds it.
  struct Cache {
    std::mutex mu;
    std::unordered_map<std::string, Entry> entries;
    void Prune(int64_t now) {
      for (auto it = entries.begin(); it != entries.end();) {
        it = it->second.expires_ms <= now ? entries.erase(it) : std::next(it);
      }
      if (entries.size() >= kMaxCachedIdentities) entries.clear();
    }
  };

  static std::string TokenEvent(const std::string& token, const std::string& method_arn) {
    json::object e;
    e["type"] = "TOKEN";
    e["authorizationToken"] = token;
    e["methodArn"] = method_arn;
    return ToJson(e);
  }

  std::string RequestEvent(const MethodRequest& r, const std::string& method_arn) const {
    json::object e;
    e["type"] = "REQUEST";
    e["methodArn"] = method_arn;
    e["resource"] = r.resource_path;
    e["path"] = r.path;
    e["httpMethod"] = r.method;
    json::object headers, multi_headers, query, multi_query, path_params, stage_vars;
    for (const auto& [k, v] : r.headers) {
      headers[k] = v;
      if (!multi_headers.contains(k)) multi_headers[k] = json::array();
      multi_headers[k].as_array().push_back(json::value(v));
    }
    for (const auto& [k, v] : r.query) {
      query[k] = v;
      if (!multi_query.contains(k)) multi_query[k] = json::array();
      multi_query[k].as_array().push_back(json::value(v));
    }
    for (const auto& [k, v] : r.path_params) path_params[k] = v;
    if (r.stage_variables) {
      for (const auto& [k, v] : *r.stage_variables) stage_vars[k] = v;
    }
    e["headers"] = NullIfEmpty(std::move(headers));
    e["multiValueHeaders"] = NullIfEmpty(std::move(multi_headers));
    e["queryStringParameters"] = NullIfEmpty(std::move(query));
    e["multiValueQueryStringParameters"] = NullIfEmpty(std::move(multi_query));
    e["pathParameters"] = NullIfEmpty(std::move(path_params));
    e["stageVariables"] = NullIfEmpty(std::move(stage_vars));
    json::object identity;
    identity["sourceIp"] = r.source_ip;
    const std::string* agent = auth_detail::HeaderValue(r, "User-Agent");
    identity["userAgent"] = agent ? json::value(*agent) : json::value(nullptr);
    json::object ctx;
    ctx["resourcePath"] = r.resource_path;
    ctx["httpMethod"] = r.method;
    ctx["path"] = "/" + r.stage + r.path;
    ctx["accountId"] = r.account;
    ctx["protocol"] = "HTTP/1.1";
    ctx["stage"] = r.stage;
    ctx["requestId"] = r.request_id;
    ctx["requestTimeEpoch"] = now_ms_();
    ctx["identity"] = std::move(identity);
    ctx["apiId"] = r.api_id;
    e["requestContext"] = std::move(ctx);
    return ToJson(e);
  }

  stack::AuthorizerSpec spec_;
  InvokeFunction invoke_;
  std::function<int64_t()> now_ms_;
  std::unique_ptr<re2::RE2> validation_;
  std::vector<std::string> sources_;
  std::shared_ptr<Cache> state_;
};

}  // namespace

Result<std::unique_ptr<Authorizer>> MakeLambdaAuthorizer(const stack::AuthorizerSpec& spec, InvokeFunction invoke,
                                                         std::function<int64_t()> now_ms) {
  const std::string where = "authorizer " + spec.name + ": ";
  if (spec.function.empty()) return Status::Validation(where + "a " + spec.type + " authorizer needs a function");
  if (!invoke) return Status::Validation(where + "functions cannot be invoked here");
  if (spec.ttl_seconds < 0 || spec.ttl_seconds > 3600) {
    return Status::Validation(where + "authorizerResultTtlInSeconds must be 0..3600, not " +
                              std::to_string(spec.ttl_seconds));
  }
  auto sources = auth_detail::SplitSources(spec.identity_source);
  if (spec.type == "TOKEN") {
    if (sources.size() != 1 || auth_detail::HeaderOfSource(sources[0]).empty()) {
      return Status::Validation(where + "a TOKEN authorizer's identitySource is one header " +
                                "(method.request.header.NAME), not '" + spec.identity_source + "'");
    }
  } else if (spec.ttl_seconds > 0 && sources.empty()) {
    return Status::Validation(where + "a cached REQUEST authorizer needs an identitySource");
  }
  for (const auto& s : sources) {
    if (s.rfind("method.request.header.", 0) != 0 && s.rfind("method.request.querystring.", 0) != 0 &&
        s.rfind("method.request.path.", 0) != 0 && s.rfind("method.request.multivalueheader.", 0) != 0 &&
        s.rfind("method.request.multivaluequerystring.", 0) != 0 && s.rfind("stageVariables.", 0) != 0 &&
        s.rfind("context.", 0) != 0) {
      return Status::Validation(where + "identity source '" + s + "' is not method.request.*, stageVariables.* or " +
                                "context.*");
    }
  }
  std::unique_ptr<re2::RE2> validation;
  if (spec.type == "TOKEN" && !spec.identity_validation_expression.empty()) {
    validation = std::make_unique<re2::RE2>(spec.identity_validation_expression, RE2::Quiet);
    if (!validation->ok()) return Status::Validation(where + "identityValidationExpression: " + validation->error());
  }
  return std::unique_ptr<Authorizer>(new LambdaAuthorizer(spec, std::move(invoke), std::move(now_ms),
                                                          std::move(validation)));
}

}  // namespace streamer::gateway
