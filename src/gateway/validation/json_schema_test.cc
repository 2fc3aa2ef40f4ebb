// The JSON-schema corpus (tests/cases/jsonschema/*.txt): each case is a
// schema, an instance and whether it is valid (or `compiles: false` for a
// schema that must be refused). `models:` (a JSON object name -> schema)
// adds documents a $ref can reach; the schema is then the model "Root".
#include "gateway/validation/json_schema.h"

#include <gtest/gtest.h>

#include "core/case_files.h"

namespace streamer::gateway {
namespace {

TEST(JsonSchemaCorpus, EveryCase) {
  std::vector<std::string> bad_lines;
  const auto cases = LoadCaseFiles(JSONSCHEMA_CASES_DIR, &bad_lines);
  for (const auto& line : bad_lines) ADD_FAILURE() << "not a case line: " << line;
  ASSERT_GE(cases.size(), 150u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + ":" + c.title);
    const auto field = [&](const char* name) -> const std::string* {
      auto it = c.fields.find(name);
      return it == c.fields.end() ? nullptr : &it->second;
    };
    const std::string* schema_text = field("schema");
    ASSERT_TRUE(schema_text) << "no schema";
    std::map<std::string, std::string> documents;
    if (const std::string* models = field("models")) {
      auto m = ParseJson(*models);
      ASSERT_TRUE(m.ok() && m->is_object()) << "models is not a JSON object";
      for (const auto& kv : m->get_object()) documents[std::string(kv.key())] = ToJson(kv.value());
    }
    documents["Root"] = *schema_text;
    auto schema = JsonSchema::Compile("Root", documents);
    const std::string* compiles = field("compiles");
    if (compiles && *compiles == "false") {
      EXPECT_FALSE(schema.ok()) << "compiled, but should be refused";
      continue;
    }
    ASSERT_TRUE(schema.ok()) << schema.status().message();
    const std::string* instance_text = field("instance");
    const std::string* valid = field("valid");
    ASSERT_TRUE(instance_text && valid) << "needs instance and valid";
    auto instance = ParseJson(*instance_text);
    ASSERT_TRUE(instance.ok()) << "instance is not JSON";
    std::string why;
    const bool ok = schema->Validate(*instance, &why);
    EXPECT_EQ(ok, *valid == "true") << "why: " << why;
    if (!ok) EXPECT_FALSE(why.empty());
  }
}

TEST(JsonSchema, ReasonNamesThePath) {
  auto s = JsonSchema::Compile(*ParseJson(
      R"({"properties":{"a":{"type":"array","items":{"properties":{"b/c":{"type":"string"}}}}}})"));
  ASSERT_TRUE(s.ok());
  std::string why;
  EXPECT_FALSE(s->Validate(*ParseJson(R"({"a":[{"b/c":"x"},{"b/c":1}]})"), &why));
  EXPECT_EQ(why, "/a/1/b~1c: type is not string");
}

TEST(JsonSchema, CompileErrorsSayWhere) {
  std::map<std::string, std::string> docs{{"Pet", R"({"properties":{"name":{"minLength":"x"}}})"}};
  auto s = JsonSchema::Compile("Pet", docs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("model Pet at #/properties/name"), std::string::npos)
      << s.status().message();
}

TEST(JsonSchema, DeepInstanceIsBoundedNotACrash) {
  // 250 nested arrays under a recursive schema: validated, not a stack overflow.
  std::string deep(250, '[');
  deep += std::string(250, ']');
  auto s = JsonSchema::Compile(*ParseJson(R"({"type":"array","items":{"$ref":"#"}})"));
  ASSERT_TRUE(s.ok());
  auto v = ParseJson(deep);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(s->Validate(*v));
}

TEST(JsonSchema, ExponentialRefFanOutHitsTheWorkLimit) {
  // Each level tries its next level twice (anyOf of two failing branches
  // that differ only in place): 2^40 visits unbounded.
  std::string defs;
  const int levels = 40;
  for (int i = 0; i < levels; ++i) {
    const std::string next = i + 1 < levels ? "{\"$ref\":\"#/definitions/d" + std::to_string(i + 1) + "\"}"
                                            : "{\"type\":\"string\"}";
    defs += (i ? "," : "") + std::string("\"d") + std::to_string(i) + "\":{\"anyOf\":[" + next + "," + next + "]}";
  }
  auto s = JsonSchema::Compile(*ParseJson("{\"definitions\":{" + defs + "},\"$ref\":\"#/definitions/d0\"}"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  std::string why;
  EXPECT_FALSE(s->Validate(json::value(1), &why));
  EXPECT_NE(why.find("too much work"), std::string::npos) << why;
  EXPECT_TRUE(s->Validate(json::value("x")));  // the first branch of each level matches at once
}

TEST(JsonSchema, LongRefChainCompiles) {
  std::string defs;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    defs += (i ? "," : "") + std::string("\"d") + std::to_string(i) + "\":" +
            (i + 1 < n ? "{\"$ref\":\"#/definitions/d" + std::to_string(i + 1) + "\"}" : "{\"type\":\"integer\"}");
  }
  auto s = JsonSchema::Compile(*ParseJson("{\"definitions\":{" + defs + "},\"$ref\":\"#/definitions/d0\"}"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->Validate(json::value(3)));
  EXPECT_FALSE(s->Validate(json::value("3")));
}

}  // namespace
}  // namespace streamer::gateway
