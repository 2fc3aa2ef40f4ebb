// Data-driven template tests: every tests/cases/vtl/*.case file is one case.
//
// A case file is a list of sections, each opened by a line "--- NAME"; a
// section's text runs to the next marker, without its final newline.
//   template       the template (required)
//   body           $input.body
//   params         JSON {"path":{..},"querystring":{..},"header":{..}}
//   context        JSON for $context
//   stage          JSON for $stageVariables
//   options        words: literal_nulls (plain Velocity null rendering)
//   expect         exact rendered text
//   expect_json    rendered text must parse as JSON equal to this
//   expect_context JSON: each member must equal the same member of $context
//                  after rendering (e.g. {"responseOverride":{"status":400}})
//   parse_error    Parse must fail; the message must contain this text
//   render_error   Render must fail; "TYPE: message part" (part optional)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gateway/vtl/vtl.h"

namespace streamer::vtl {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> ReadSections(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::map<std::string, std::string> sections;
  std::string current;
  std::string* target = nullptr;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    std::string line = text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    if (line.rfind("--- ", 0) == 0) {
      if (target && !target->empty() && target->back() == '\n') target->pop_back();
      std::string name = line.substr(4);
      while (!name.empty() && (name.back() == ' ' || name.back() == '\r')) name.pop_back();
      target = &sections[name];
    } else if (target) {
      *target += line;
      if (eol != std::string::npos) *target += '\n';
    }
    if (eol == std::string::npos) break;
    pos = eol + 1;
  }
  if (target && !target->empty() && target->back() == '\n') target->pop_back();
  return sections;
}

std::map<std::string, std::string> StringMap(const json::value* v) {
  std::map<std::string, std::string> out;
  if (!v || !v->is_object()) return out;
  for (const auto& kv : v->get_object()) {
    out[std::string(kv.key())] =
        kv.value().is_string() ? std::string(kv.value().get_string()) : json::serialize(kv.value());
  }
  return out;
}

json::value MustParse(const std::string& text, const std::string& what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << what << " is not JSON: " << text;
  return v;
}

// Every member of `want` equals the same member of `got` (recursively for objects).
void ExpectSubset(const json::value& want, const json::value& got, const std::string& path) {
  if (want.is_object() && got.is_object()) {
    for (const auto& kv : want.get_object()) {
      const json::value* g = got.get_object().if_contains(kv.key());
      ASSERT_TRUE(g) << "missing " << path << "." << kv.key() << " in " << json::serialize(got);
      ExpectSubset(kv.value(), *g, path + "." + std::string(kv.key()));
    }
    return;
  }
  EXPECT_EQ(json::serialize(want), json::serialize(got)) << "at " << path;
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(VTL_CASES_DIR)) {
    if (entry.path().extension() == ".case") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class VtlCase : public ::testing::TestWithParam<std::string> {};

TEST_P(VtlCase, Renders) {
  auto sections = ReadSections(fs::path(VTL_CASES_DIR) / (GetParam() + ".case"));
  ASSERT_TRUE(sections.count("template")) << "case has no template section";
  auto parsed = Template::Parse(sections["template"]);
  if (sections.count("parse_error")) {
    ASSERT_FALSE(parsed.ok()) << "expected a parse error";
    EXPECT_EQ(parsed.status().type(), "ValidationException");
    EXPECT_NE(parsed.status().message().find(sections["parse_error"]), std::string::npos)
        << "message: " << parsed.status().message();
    return;
  }
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();

  RenderContext ctx;
  ctx.input.body = sections["body"];
  if (sections.count("params")) {
    json::value p = MustParse(sections["params"], "params");
    ctx.input.path = StringMap(Find(p, "path"));
    ctx.input.querystring = StringMap(Find(p, "querystring"));
    ctx.input.header = StringMap(Find(p, "header"));
  }
  if (sections.count("context")) ctx.context = FromJson(MustParse(sections["context"], "context"));
  if (sections.count("stage")) ctx.stage_variables = FromJson(MustParse(sections["stage"], "stage"));
  if (sections["options"].find("literal_nulls") != std::string::npos) ctx.velocity_literal_nulls = true;

  // Render twice: a template must not keep state between renders.
  for (int round = 0; round < 2; ++round) {
    RenderContext c = ctx;
    if (sections.count("context")) c.context = FromJson(MustParse(sections["context"], "context"));
    auto out = (*parsed)->Render(c);
    if (sections.count("render_error")) {
      ASSERT_FALSE(out.ok()) << "expected a render error, got: " << *out;
      std::string want = sections["render_error"];
      std::string type = want.substr(0, want.find(':'));
      EXPECT_EQ(out.status().type(), type);
      if (want.find(':') != std::string::npos) {
        std::string part = want.substr(want.find(':') + 1);
        while (!part.empty() && part.front() == ' ') part.erase(0, 1);
        EXPECT_NE(out.status().message().find(part), std::string::npos) << out.status().message();
      }
      continue;
    }
    ASSERT_TRUE(out.ok()) << out.status().type() << ": " << out.status().message();
    if (sections.count("expect")) {
      EXPECT_EQ(*out, sections["expect"]);
    }
    if (sections.count("expect_json")) {
      json::value got = MustParse(*out, "rendered output");
      EXPECT_EQ(json::serialize(got), json::serialize(MustParse(sections["expect_json"], "expect_json")));
    }
    if (sections.count("expect_context")) {
      ExpectSubset(MustParse(sections["expect_context"], "expect_context"), ToJson(c.context), "$context");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, VtlCase, ::testing::ValuesIn(CaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(VtlCases, FolderHasCases) { EXPECT_GE(CaseNames().size(), 20u); }

}  // namespace
}  // namespace streamer::vtl
