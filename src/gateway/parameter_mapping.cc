#include "gateway/parameter_mapping.h"

#include <boost/algorithm/string/predicate.hpp>

#include "core/json.h"
#include "gateway/vtl/jsonpath.h"

namespace streamer::gateway {

namespace {

bool Consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// A string as is, else its JSON text; nullopt when nothing matched.
std::optional<std::string> BodyValue(const std::string& body, std::string_view path) {
  if (path.empty()) return body;
  auto jp = vtl::JsonPath::Parse("$." + std::string(path));
  auto doc = ParseJson(body);
  if (!jp || !doc) return std::nullopt;
  json::value v = jp->Evaluate(*doc);
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return std::string(v.as_string());
  return json::serialize(v);
}

std::optional<std::string> FromPairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                                     std::string_view name, bool case_insensitive) {
  const std::string* found = nullptr;
  for (const auto& [k, v] : pairs) {
    if (case_insensitive ? boost::iequals(k, name) : k == name) found = &v;
  }
  if (!found) return std::nullopt;
  return *found;
}

// context.a.b: a walk through nested $context maps.
std::optional<std::string> FromMap(const vtl::Value& root, std::string_view path) {
  const vtl::Value* v = &root;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    const std::string_view key = path.substr(0, dot);
    const vtl::Map* m = v->if_map();
    if (!m) return std::nullopt;
    v = m->Find(key);
    if (!v) return std::nullopt;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  if (v->is_null()) return std::nullopt;
  return v->ToString();
}

}  // namespace

bool IsParameterSource(std::string_view s) {
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') return true;
  for (std::string_view p : {"method.request.path.", "method.request.querystring.", "method.request.header.",
                             "method.request.multivaluequerystring.", "method.request.multivalueheader.",
                             "integration.response.header.", "integration.response.multivalueheader.",
                             "context.", "stageVariables."}) {
    if (s.size() > p.size() && s.substr(0, p.size()) == p) return true;
  }
  for (std::string_view p : {"method.request.body", "integration.response.body"}) {
    if (s == p || (s.size() > p.size() + 1 && s.substr(0, p.size() + 1) == std::string(p) + ".")) return true;
  }
  return false;
}

std::optional<std::string> ParameterValue(std::string_view s, const ParameterSources& from) {
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') return std::string(s.substr(1, s.size() - 2));
  if (Consume(s, "method.request.")) {
    const MethodRequest* r = from.request;
    if (!r) return std::nullopt;
    if (Consume(s, "path.")) {
      auto it = r->path_params.find(std::string(s));
      if (it == r->path_params.end()) return std::nullopt;
      return it->second;
    }
    if (Consume(s, "querystring.")) return FromPairs(r->query, s, false);
    if (Consume(s, "header.")) return FromPairs(r->headers, s, true);
    // Multi-value sources: every value, comma-joined.
    const bool multi_query = Consume(s, "multivaluequerystring.");
    if (multi_query || Consume(s, "multivalueheader.")) {
      std::string joined;
      bool any = false;
      for (const auto& [k, v] : multi_query ? r->query : r->headers) {
        if (multi_query ? k == s : boost::iequals(k, s)) {
          if (any) joined += ',';
          joined += v;
          any = true;
        }
      }
      if (!any) return std::nullopt;
      return joined;
    }
    if (s == "body") return r->body;
    if (Consume(s, "body.")) return BodyValue(r->body, s);
    return std::nullopt;
  }
  if (Consume(s, "integration.response.")) {
    if (Consume(s, "header.") || Consume(s, "multivalueheader.")) {
      if (!from.response_headers) return std::nullopt;
      return FromPairs(*from.response_headers, s, true);
    }
    if (!from.response_body) return std::nullopt;
    if (s == "body") return *from.response_body;
    if (Consume(s, "body.")) return BodyValue(*from.response_body, s);
    return std::nullopt;
  }
  if (Consume(s, "context.")) {
    if (!from.context) return std::nullopt;
    return FromMap(*from.context, s);
  }
  if (Consume(s, "stageVariables.")) {
    if (!from.request || !from.request->stage_variables) return std::nullopt;
    auto it = from.request->stage_variables->find(std::string(s));
    if (it == from.request->stage_variables->end()) return std::nullopt;
    return it->second;
  }
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> IntegrationRequestTarget(std::string_view name) {
  if (!Consume(name, "integration.request.")) return std::nullopt;
  for (std::string_view kind : {"header", "querystring", "path"}) {
    std::string_view rest = name;
    if (Consume(rest, kind) && Consume(rest, ".") && !rest.empty()) {
      return std::make_pair(std::string(kind), std::string(rest));
    }
  }
  return std::nullopt;
}

}  // namespace streamer::gateway
