// libFuzzer target: the VTL engine (gateway/vtl). The input is a template,
// optionally followed by a NUL byte and the request body; a template that
// parses is rendered with a small fixed context and tight limits (a hang is
// a finding only past them).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/vtl/vtl.h"

using namespace streamer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view text = in, body = R"({"pets":[{"id":1,"type":"dog"},{"id":2}],"name":"x","n":1.5})";
  if (size_t nul = in.find('\0'); nul != std::string_view::npos) {
    text = in.substr(0, nul);
    body = in.substr(nul + 1);
  }
  auto parsed = vtl::Template::Parse(text);
  if (!parsed) return 0;
  vtl::RenderContext ctx;
  ctx.input.body = std::string(body);
  ctx.input.path = {{"id", "42"}};
  ctx.input.querystring = {{"q", "a b"}};
  ctx.input.header = {{"Content-Type", "application/json"}};
  ctx.context = vtl::Value::NewMap();
  ctx.context.if_map()->Put("requestId", vtl::Value("r-1"));
  ctx.context.if_map()->Put("httpMethod", vtl::Value("POST"));
  ctx.stage_variables = vtl::Value::NewMap();
  ctx.stage_variables.if_map()->Put("table", vtl::Value("T"));
  vtl::RenderLimits limits;
  limits.max_range = 10000;
  limits.max_iterations = 100000;
  limits.max_output_bytes = 1024 * 1024;
  (void)(*parsed)->Render(ctx, limits);
  return 0;
}
