// The C++ side of the VTL oracle: renders templates with our engine
// (src/gateway/vtl), speaking the same batch protocol as Oracle.java: a JSON
// request per stdin line, a JSON answer per stdout line (see Oracle.java).
// The RenderContext is built as tests/cases/vtl cases build it.
#include <iostream>
#include <map>
#include <string>

#include "core/json.h"
#include "gateway/vtl/vtl.h"

namespace {

using namespace streamer;

std::map<std::string, std::string> StringMap(const json::value* v) {
  std::map<std::string, std::string> out;
  if (!v || !v->is_object()) return out;
  for (const auto& kv : v->get_object()) {
    out[std::string(kv.key())] =
        kv.value().is_string() ? std::string(kv.value().get_string()) : json::serialize(kv.value());
  }
  return out;
}

json::object Answer(const json::object& req) {
  json::object answer;
  if (const json::value* id = Find(req, "id")) answer["id"] = *id;
  const json::string* text = FindString(req, "template");
  auto parsed = vtl::Template::Parse(text ? std::string_view(*text) : std::string_view());
  if (!parsed.ok()) {
    answer["ok"] = false;
    answer["error"] = "parse";
    answer["message"] = parsed.status().message();
    return answer;
  }
  vtl::RenderContext ctx;
  if (const json::string* body = FindString(req, "body")) ctx.input.body = std::string(*body);
  if (const json::value* p = Find(req, "params")) {
    ctx.input.path = StringMap(Find(*p, "path"));
    ctx.input.querystring = StringMap(Find(*p, "querystring"));
    ctx.input.header = StringMap(Find(*p, "header"));
  }
  if (const json::value* c = Find(req, "context"); c && !c->is_null()) ctx.context = vtl::FromJson(*c);
  if (const json::value* s = Find(req, "stage"); s && !s->is_null()) ctx.stage_variables = vtl::FromJson(*s);
  if (const json::value* l = Find(req, "literal_nulls"); l && l->is_bool()) ctx.velocity_literal_nulls = l->get_bool();
  auto out = (*parsed)->Render(ctx);
  if (!out.ok()) {
    answer["ok"] = false;
    answer["error"] = "render";
    answer["message"] = std::string(out.status().type()) + ": " + out.status().message();
    return answer;
  }
  answer["ok"] = true;
  answer["out"] = *out;
  return answer;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto req = ParseJson(line);
    if (!req.ok() || !req->is_object()) {
      std::cerr << "vtl_render: a request line is not a JSON object\n";
      return 2;
    }
    std::cout << json::serialize(Answer(req->get_object())) << '\n';
  }
  std::cout.flush();
  return 0;
}
