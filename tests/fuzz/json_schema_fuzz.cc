// libFuzzer target: the JSON-schema validator (gateway/validation). The
// input is a schema, optionally followed by a NUL byte and an instance; a
// schema that compiles validates the instance (or, with none, a few fixed
// ones). Compiling and validating must never crash, and stay within their
// depth and work bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json.h"
#include "gateway/validation/json_schema.h"

using namespace streamer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view schema_text = in, instance_text;
  if (size_t nul = in.find('\0'); nul != std::string_view::npos) {
    schema_text = in.substr(0, nul);
    instance_text = in.substr(nul + 1);
  }
  // The schema is also reachable as a model named "M" (refs between models).
  std::map<std::string, std::string> models{{"Root", std::string(schema_text)},
                                            {"M", R"({"type":"object","properties":{"m":{"$ref":"#/definitions/Root"}}})"}};
  auto schema = gateway::JsonSchema::Compile("Root", models);
  if (!schema.ok()) return 0;
  std::string why;
  if (!instance_text.empty()) {
    if (auto instance = ParseJson(instance_text); instance.ok()) (void)schema->Validate(*instance, &why);
    return 0;
  }
  for (const char* fixed : {R"({"a":[1,2.5,"x",null,true,{"b":{}}],"m":{}})", "[[[[1]]],[1,1.0]]", "\"\\u00e9x\"", "-0"}) {
    (void)schema->Validate(*ParseJson(fixed), &why);
  }
  return 0;
}
