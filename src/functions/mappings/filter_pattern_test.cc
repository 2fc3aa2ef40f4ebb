// Data-driven tests: every *.json under tests/cases/filters is one case:
//   {"title": "...",
//    "pattern": {...}            one Filters[].Pattern (written as JSON), or
//    "pattern_text": "..."       the pattern's exact text (bad JSON, odd spacing), or
//    "patterns": [{...}, ...]    a whole FilterCriteria (OR over filters),
//    "match":    [records that must match],
//    "no_match": [records that must not],
//    "error":    "the expected InvalidParameterValueException message"}
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "functions/mappings/filter_pattern.h"

namespace streamer::functions {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string file;
  json::object spec;
};

std::vector<Case> LoadCases() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(FILTER_CASES_DIR)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Case> cases;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto v = ParseJson(text.str());
    if (!v.ok() || !v->is_object()) {
      ADD_FAILURE() << path.filename() << ": not a JSON object";
      continue;
    }
    cases.push_back({path.filename().string(), v->get_object()});
  }
  return cases;
}

std::vector<std::string> PatternsOf(const json::object& spec) {
  std::vector<std::string> out;
  if (auto* t = FindString(spec, "pattern_text")) out.emplace_back(*t);
  if (auto* p = Find(spec, "pattern")) out.push_back(ToJson(*p));
  if (auto* ps = Find(spec, "patterns")) {
    for (const auto& p : ps->as_array()) out.push_back(ToJson(p));
  }
  return out;
}

TEST(FilterPatternCases, AllCases) {
  auto cases = LoadCases();
  EXPECT_GE(cases.size(), 60u);
  int checks = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const bool criteria = c.spec.contains("patterns");
    auto parsed = FilterCriteria::Parse(PatternsOf(c.spec));
    if (auto* error = FindString(c.spec, "error")) {
      ASSERT_FALSE(parsed.ok()) << "expected the error " << *error;
      EXPECT_EQ(parsed.status().code(), Code::kValidation);
      EXPECT_EQ(parsed.status().message(), std::string(*error));
      if (!criteria) {  // FilterPattern::Parse agrees
        auto single = FilterPattern::Parse(PatternsOf(c.spec).at(0));
        ASSERT_FALSE(single.ok());
        EXPECT_EQ(single.status().message(), std::string(*error));
      }
      ++checks;
      continue;
    }
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    const json::value* match = Find(c.spec, "match");
    const json::value* no_match = Find(c.spec, "no_match");
    ASSERT_TRUE(match || no_match) << "a case needs match, no_match or error";
    if (match) {
      for (const auto& r : match->as_array()) {
        EXPECT_TRUE(parsed->Matches(r)) << "should match: " << ToJson(r);
        ++checks;
      }
    }
    if (no_match) {
      for (const auto& r : no_match->as_array()) {
        EXPECT_FALSE(parsed->Matches(r)) << "should not match: " << ToJson(r);
        ++checks;
      }
    }
  }
  EXPECT_GT(checks, 150);
}

TEST(FilterPattern, LengthLimitIs4096Characters) {
  auto make = [](size_t total) {
    // {"a":["xxx"]} padded with x to `total` characters.
    const std::string head = "{\"a\":[\"", tail = "\"]}";
    return head + std::string(total - head.size() - tail.size(), 'x') + tail;
  };
  EXPECT_TRUE(FilterPattern::Parse(make(4096)).ok());
  auto too_long = FilterPattern::Parse(make(4097));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().message(), "Invalid filter pattern definition.");
  // Characters, not bytes: 4096 two-byte characters fit.
  std::string wide = "{\"a\":[\"";
  while (wide.size() < 7 + 2 * (4096 - 10)) wide += "\xC3\xA9";  // é
  wide += "\"]}";
  EXPECT_TRUE(FilterPattern::Parse(wide).ok());
}

TEST(FilterCriteria, EmptyMatchesEverything) {
  auto c = FilterCriteria::Parse({});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->empty());
  EXPECT_TRUE(c->Matches(json::value(json::object{{"eventName", "INSERT"}})));
}

TEST(FilterPattern, CopiesShareTheParsedTree) {
  auto p = FilterPattern::Parse(R"({"a":["b"]})");
  ASSERT_TRUE(p.ok());
  FilterPattern copy = *p;  // copies share the parsed tree
  EXPECT_TRUE(copy.Matches(*ParseJson(R"({"a":"b"})")));
}

TEST(FilterPattern, DeepRecordsDoNotCrash) {
  // A deeply nested record against a nested pattern.
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "{\"a\":";
  deep += "[1]";
  for (int i = 0; i < 200; ++i) deep += "}";
  auto record = ParseJson(deep);
  ASSERT_TRUE(record.ok());
  auto p = FilterPattern::Parse(R"({"a":{"a":{"a":{"b":[{"exists":false}]}}}})");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Matches(*record));
}

}  // namespace
}  // namespace streamer::functions
