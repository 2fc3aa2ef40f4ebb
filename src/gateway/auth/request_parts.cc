#include "gateway/auth/request_parts.h"

#include <strings.h>

#include <charconv>

namespace streamer::gateway::auth_detail {

namespace {
bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}
std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
}  // namespace

const std::string* HeaderValue(const MethodRequest& r, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [k, v] : r.headers) {
    if (IEquals(k, name)) found = &v;
  }
  return found;
}

const std::string* QueryValue(const MethodRequest& r, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [k, v] : r.query) {
    if (k == name) found = &v;
  }
  return found;
}

std::string MethodArnOf(const MethodRequest& r) {
  return "arn:aws:execute-api:" + r.region + ":" + r.account + ":" + r.api_id + "/" + r.stage + "/" + r.method +
         r.path;
}

std::optional<std::string> IdentitySourceValue(const MethodRequest& r, std::string_view source) {
  source = Trim(source);
  const std::string* v = nullptr;
  std::string holder;
  if (StartsWith(source, "method.request.header.")) {
    v = HeaderValue(r, source.substr(22));
  } else if (StartsWith(source, "method.request.querystring.")) {
    v = QueryValue(r, source.substr(27));
  } else if (StartsWith(source, "method.request.multivalueheader.") ||
             StartsWith(source, "method.request.multivaluequerystring.")) {
    // Every value, comma-joined (the cache key sees them all).
    const bool header = StartsWith(source, "method.request.multivalueheader.");
    std::string_view name = source.substr(header ? 32 : 37);
    const auto& pairs = header ? r.headers : r.query;
    bool any = false;
    for (const auto& [k, value] : pairs) {
      if (header ? IEquals(k, name) : k == name) {
        if (any) holder += ",";
        holder += value;
        any = true;
      }
    }
    if (any) v = &holder;
  } else if (StartsWith(source, "method.request.path.")) {
    auto it = r.path_params.find(std::string(source.substr(20)));
    if (it != r.path_params.end()) v = &it->second;
  } else if (StartsWith(source, "stageVariables.")) {
    if (r.stage_variables) {
      auto it = r.stage_variables->find(std::string(source.substr(15)));
      if (it != r.stage_variables->end()) v = &it->second;
    }
  } else if (StartsWith(source, "context.")) {
    std::string_view name = source.substr(8);
    if (name == "httpMethod") holder = r.method;
    else if (name == "resourcePath") holder = r.resource_path;
    else if (name == "path") holder = "/" + r.stage + r.path;
    else if (name == "stage") holder = r.stage;
    else if (name == "apiId") holder = r.api_id;
    else if (name == "accountId") holder = r.account;
    else if (name == "requestId") holder = r.request_id;
    else if (name == "identity.sourceIp") holder = r.source_ip;
    if (!holder.empty()) v = &holder;
  }
  if (!v || v->empty()) return std::nullopt;
  return *v;
}

std::vector<std::string> SplitSources(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view part = Trim(list.substr(0, comma));
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

std::string HeaderOfSource(std::string_view source) {
  source = Trim(source);
  if (!StartsWith(source, "method.request.header.")) return {};
  return std::string(source.substr(22));
}

std::string NumberText(const json::value& number) {
  if (number.is_int64()) return std::to_string(number.as_int64());
  if (number.is_uint64()) return std::to_string(number.as_uint64());
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, number.as_double());
  return std::string(buf, res.ptr);
}

GatewayError Unauthorized(std::string message) { return GatewayError{"UNAUTHORIZED", 401, std::move(message)}; }

}  // namespace streamer::gateway::auth_detail
