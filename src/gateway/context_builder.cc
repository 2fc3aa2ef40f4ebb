#include "gateway/context_builder.h"

#include "core/clock.h"

namespace streamer::gateway {

namespace {

std::string DomainPrefix(const std::string& domain) { return domain.substr(0, domain.find('.')); }

}  // namespace

vtl::Value BuildContext(const ContextInputs& in) {
  const MethodRequest& r = *in.request;
  const RouteIdentity& route = *in.route;
  vtl::Value context = vtl::Value::NewMap();
  vtl::Map& c = *context.if_map();
  c.Put("requestId", r.request_id);
  c.Put("extendedRequestId", r.request_id);
  c.Put("requestTime", ClfTime(in.request_time_ms));
  c.Put("requestTimeEpoch", static_cast<int64_t>(in.request_time_ms));
  c.Put("httpMethod", r.method);
  c.Put("resourcePath", route.resource_path);
  c.Put("resourceId", route.resource_id);
  c.Put("path", "/" + route.stage + r.path);
  c.Put("stage", route.stage);
  c.Put("apiId", route.api_id);
  c.Put("accountId", r.account);
  c.Put("domainName", in.domain_name);
  c.Put("domainPrefix", DomainPrefix(in.domain_name));
  c.Put("protocol", "HTTP/1.1");
  vtl::Value identity = vtl::Value::NewMap();
  vtl::Map& id = *identity.if_map();
  // The identity fields API Gateway gives as null to an unsigned,
  // unauthenticated caller (caller, user, accessKey, cognito*, ...) are left
  // out: a missing key renders as null does, and the map stays small.
  id.Put("sourceIp", r.source_ip);
  const std::string* ua = r.Header("User-Agent");
  id.Put("userAgent", ua ? vtl::Value(*ua) : vtl::Value());
  if (!in.api_key.empty()) {
    id.Put("apiKey", in.api_key);
    id.Put("apiKeyId", in.api_key);
  }
  c.Put("identity", identity);
  if (in.authorizer && in.authorizer->present) {
    vtl::Value authorizer = vtl::FromJson(in.authorizer->context);
    if (vtl::Map* m = authorizer.if_map()) {
      m->from_json = false;  // renders as a map, not JSON text
      m->Put("principalId", in.authorizer->principal_id);
    }
    c.Put("authorizer", authorizer);
  }
  return context;
}

json::object BuildProxyRequestContext(const ContextInputs& in) {
  const MethodRequest& r = *in.request;
  const RouteIdentity& route = *in.route;
  const std::string* ua = r.Header("User-Agent");
  json::object identity{{"cognitoIdentityPoolId", nullptr},
                        {"accountId", nullptr},
                        {"cognitoIdentityId", nullptr},
                        {"caller", nullptr},
                        {"apiKey", in.api_key.empty() ? json::value() : json::value(in.api_key)},
                        {"apiKeyId", in.api_key.empty() ? json::value() : json::value(in.api_key)},
                        {"accessKey", nullptr},
                        {"sourceIp", r.source_ip},
                        {"cognitoAuthenticationType", nullptr},
                        {"cognitoAuthenticationProvider", nullptr},
                        {"userArn", nullptr},
                        {"userAgent", ua ? json::value(*ua) : json::value()},
                        {"user", nullptr}};
  json::object rc{
      {"accountId", r.account},
      {"apiId", route.api_id},
      {"resourceId", route.resource_id},
      {"resourcePath", route.resource_path},
      {"httpMethod", r.method},
      {"path", "/" + route.stage + r.path},
      {"stage", route.stage},
      {"requestId", r.request_id},
      {"extendedRequestId", r.request_id},
      {"requestTime", ClfTime(in.request_time_ms)},
      {"requestTimeEpoch", in.request_time_ms},
      {"protocol", "HTTP/1.1"},
      {"domainName", in.domain_name},
      {"domainPrefix", DomainPrefix(in.domain_name)},
      {"identity", std::move(identity)},
  };
  if (in.authorizer && in.authorizer->present) {
    json::object a = in.authorizer->context;
    a["principalId"] = in.authorizer->principal_id;
    rc["authorizer"] = std::move(a);
  }
  return rc;
}

vtl::Value StageVariablesValue(const MethodRequest& request) {
  if (!request.stage_variables || request.stage_variables->empty()) return vtl::Value();
  vtl::Value v = vtl::Value::NewMap();
  for (const auto& [k, val] : *request.stage_variables) v.if_map()->Put(k, val);
  return v;
}

}  // namespace streamer::gateway
