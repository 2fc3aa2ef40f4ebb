#include "gateway/integration_response.h"

#include "core/base64.h"
#include "gateway/parameter_mapping.h"
#include "gateway/method_request.h"

namespace streamer::gateway {

namespace {

namespace bhttp = boost::beast::http;

}  // namespace

Result<std::vector<CompiledResponse>> CompileResponses(const std::vector<stack::IntegrationResponseSpec>& specs) {
  std::vector<CompiledResponse> out;
  for (const auto& spec : specs) {
    CompiledResponse c;
    const std::string where = "response " + spec.status_code;
    if (!spec.selection_pattern.empty()) {
      RE2::Options opts(RE2::Quiet);
      opts.set_dot_nl(false);
      c.pattern = std::make_unique<RE2>(spec.selection_pattern, opts);
      if (!c.pattern->ok()) {
        return Status::Validation("bad selection pattern '" + spec.selection_pattern + "': " + c.pattern->error());
      }
    }
    c.status = std::atoi(spec.status_code.c_str());
    if (c.status < 100 || c.status > 599) {
      return Status::Validation(where + ": status '" + spec.status_code + "' is not an HTTP status");
    }
    for (const auto& [type, text] : spec.response_templates) {
      auto t = vtl::Template::Parse(text);
      if (!t) return Status::Validation(where + " template for " + type + ": " + t.status().message());
      c.templates[MediaType(type)] = *t;
    }
    for (const auto& [name, source] : spec.response_parameters) {
      const std::string prefix = "method.response.header.";
      if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) {
        return Status::Validation(where + ": parameter '" + name + "' is not method.response.header.X");
      }
      if (!IsParameterSource(source)) {
        return Status::Validation(where + ": parameter source '" + source + "' is not one API Gateway maps");
      }
      c.parameters.emplace_back(name.substr(prefix.size()), source);
    }
    if (!spec.content_handling.empty() && spec.content_handling != "CONVERT_TO_TEXT" &&
        spec.content_handling != "CONVERT_TO_BINARY") {
      return Status::Validation(where + ": contentHandling '" + spec.content_handling +
                                "' is not CONVERT_TO_TEXT or CONVERT_TO_BINARY");
    }
    c.content_handling = spec.content_handling;
    out.push_back(std::move(c));
  }
  return out;
}

const CompiledResponse* SelectResponse(const std::vector<CompiledResponse>& responses, const IntegrationReply& reply) {
  const CompiledResponse* fallback = nullptr;
  const std::string status_text = std::to_string(reply.status);
  for (const auto& r : responses) {
    if (!r.pattern) {
      if (!fallback) fallback = &r;
      continue;
    }
    if (reply.error_message) {
      if (RE2::FullMatch(*reply.error_message, *r.pattern)) return &r;
    } else if (RE2::FullMatch(status_text, *r.pattern)) {
      return &r;
    }
  }
  return fallback;
}

std::optional<http::Response> MapResponse(const CompiledResponse& chosen, IntegrationReply& reply,
                                          vtl::RenderContext& ctx, const MethodRequest& request,
                                          const std::string& accept, std::string* error) {
  http::Response res{static_cast<bhttp::status>(chosen.status), 11};
  // The body is kept for response parameters that read it; else moved.
  std::string body = chosen.parameters.empty() ? std::move(reply.body) : reply.body;
  if (chosen.content_handling == "CONVERT_TO_TEXT") {
    body = Base64Encode(body);
  } else if (chosen.content_handling == "CONVERT_TO_BINARY") {
    auto bytes = Base64DecodeLenient(body);
    if (!bytes) {
      *error = "CONVERT_TO_BINARY: the integration response is not base64";
      return std::nullopt;
    }
    body = std::move(*bytes);
  }
  std::string content_type = "application/json";
  if (!chosen.templates.empty()) {
    auto it = chosen.templates.find(MediaType(accept));
    if (it == chosen.templates.end()) it = chosen.templates.find("application/json");
    if (it == chosen.templates.end()) it = chosen.templates.begin();
    content_type = it->first;
    // $input.body/json/path now mean the integration's response; $input.params
    // still names the method request's parameters, as in API Gateway.
    ctx.input.body = std::move(body);
    auto rendered = it->second->Render(ctx);
    if (!rendered) {
      *error = "response template (" + content_type + ", status " + std::to_string(chosen.status) +
               "): " + rendered.status().message();
      return std::nullopt;
    }
    res.body() = std::move(*rendered);
  } else {
    res.body() = std::move(body);
  }
  res.set(bhttp::field::content_type, content_type);
  if (!chosen.parameters.empty()) {
    ParameterSources from;
    from.request = &request;
    from.context = &ctx.context;
    from.response_headers = &reply.headers;
    from.response_body = &reply.body;
    for (const auto& [header, source] : chosen.parameters) {
      if (auto value = ParameterValue(source, from)) res.set(header, *value);
    }
  }
  // $context.responseOverride.status / .header.X set by a template win.
  if (vtl::Map* c = ctx.context.if_map()) {
    if (vtl::Value* ro = c->Find("responseOverride"); ro && ro->if_map()) {
      if (vtl::Value* st = ro->if_map()->Find("status"); st && !st->is_null()) {
        const int code = st->if_int() ? static_cast<int>(*st->if_int()) : std::atoi(st->ToString().c_str());
        if (code >= 100 && code <= 599) res.result(static_cast<unsigned>(code));
      }
      if (vtl::Value* hd = ro->if_map()->Find("header"); hd && hd->if_map()) {
        for (const auto& [k, v] : hd->if_map()->entries()) res.set(k, v.ToString());
      }
    }
  }
  return res;
}

}  // namespace streamer::gateway
