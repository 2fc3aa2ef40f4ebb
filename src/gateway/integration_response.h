// Integration responses: the one chosen by selection pattern (against the
// integration's status code, or a Lambda function's errorMessage), its
// template by Accept, its response parameters, content handling, and
// $context.responseOverride.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "core/status.h"
#include "gateway/integrations/integration.h"
#include "gateway/vtl/vtl.h"
#include "http/server.h"
#include "stack/stack.h"

namespace streamer::gateway {

struct CompiledResponse {
  std::unique_ptr<RE2> pattern;  // null = the default response
  int status = 200;
  std::map<std::string, std::shared_ptr<const vtl::Template>> templates;  // media type -> template
  std::vector<std::pair<std::string, std::string>> parameters;           // header -> source
  std::string content_handling;
};

// Errors name the response and the pattern or template.
Result<std::vector<CompiledResponse>> CompileResponses(const std::vector<stack::IntegrationResponseSpec>& specs);

// Lambda errors match errorMessage; everything else the status code. A
// successful Lambda call takes the default response. nullptr = none fits.
const CompiledResponse* SelectResponse(const std::vector<CompiledResponse>& responses, const IntegrationReply& reply);

// nullopt = a template failed (the caller answers 500 and logs `*error`).
std::optional<http::Response> MapResponse(const CompiledResponse& chosen, IntegrationReply& reply,
                                          vtl::RenderContext& ctx, const MethodRequest& request,
                                          const std::string& accept, std::string* error);

}  // namespace streamer::gateway
