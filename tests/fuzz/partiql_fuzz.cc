// libFuzzer target: the PartiQL lexer, parser and translator (dynamo/partiql).
// The input is a statement, translated against fixed tables (the ones the
// case files under tests/cases/partiql use) with as many parameters as it
// asks for, so every statement that parses is translated too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json.h"
#include "dynamo/partiql/translate.h"

using namespace streamer;
using namespace streamer::dynamo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // ExecuteStatement's Statement is at most 8192 characters.
  if (size > 8192) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const partiql::SchemaLookup kTables = [](std::string_view name) -> std::optional<KeySchema> {
    if (name == "t") return KeySchema{{"pk", "S"}, std::nullopt};
    if (name == "c") return KeySchema{{"pk", "S"}, KeyAttribute{"sk", "N"}};
    if (name == "n") return KeySchema{{"id", "N"}, std::nullopt};
    return std::nullopt;
  };
  auto parsed = partiql::Parse(text);
  if (!parsed) return 0;
  // Parameters of every kind, cycled.
  static const json::array kValues = ParseJson(
      R"([{"S":"a"},{"N":"1"},{"B":"AQ=="},{"M":{"pk":{"S":"m"}}},{"L":[{"N":"2"}]},{"SS":["x"]},
          {"NULL":true},{"BOOL":false}])")->as_array();
  json::array params;
  for (size_t i = 0; i < parsed->parameter_count && i < 1000; ++i) params.push_back(kValues[i % kValues.size()]);
  auto translated = partiql::Translate(*parsed, params, kTables);
  (void)translated;
  return 0;
}
