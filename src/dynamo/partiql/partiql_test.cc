// Data-driven tests: every *.txt under tests/cases/partiql. Format (one case
// per "=== title" block; lines "field: value"):
//   tables:  the tables that exist, "name pk:S" or "name pk:S sk:N", separated by " | ";
//            "name.index x:S [y:N]" is an index whose key schema the translator knows
//   statement: the statement; or statement_json: the statement as a JSON string (edge spaces, empty)
//   params:  the Parameters JSON array (optional)
//   expect:  <Operation> <request JSON>   (the translated request, compared as JSON;
//            for Partitions a JSON array of {"op": ..., "request": ...})
//          | error <Type> <exact message>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/case_files.h"
#include "dynamo/partiql/translate.h"

namespace streamer::dynamo::partiql {
namespace {

using Case = CaseBlock;

std::vector<Case> LoadCases() {
  std::vector<std::string> bad;
  std::vector<Case> cases = LoadCaseFiles(PARTIQL_CASES_DIR, &bad);
  for (const auto& b : bad) ADD_FAILURE() << "bad line: " << b;
  return cases;
}

std::map<std::string, KeySchema> ParseTables(const std::string& spec) {
  std::map<std::string, KeySchema> out;
  std::stringstream all(spec);
  std::string one;
  while (std::getline(all, one, '|')) {
    std::stringstream words(one);
    std::string name, attr;
    words >> name;
    if (name.empty()) continue;
    KeySchema ks;
    bool first = true;
    while (words >> attr) {
      KeyAttribute k{attr.substr(0, attr.find(':')), attr.substr(attr.find(':') + 1)};
      if (first) ks.partition = k;
      else ks.sort = k;
      first = false;
    }
    out[name] = ks;
  }
  return out;
}

TEST(PartiqlCases, AllFiles) {
  std::vector<Case> cases = LoadCases();
  ASSERT_GT(cases.size(), 50u);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + " " + c.title);
    auto field = [&](const std::string& k) { return c.fields.count(k) ? c.fields.at(k) : std::string(); };
    auto tables = ParseTables(field("tables"));
    SchemaLookup lookup = [&](std::string_view name) -> std::optional<KeySchema> {
      auto it = tables.find(std::string(name));
      if (it == tables.end()) return std::nullopt;
      return it->second;
    };
    std::string statement = field("statement");
    if (c.fields.count("statement_json")) statement = json::value_to<std::string>(json::parse(field("statement_json")));
    json::array params;
    if (!field("params").empty()) params = json::parse(field("params")).as_array();
    const std::string expect = field("expect");
    ASSERT_FALSE(expect.empty()) << "case without expect";
    IndexLookup index_lookup = [&](std::string_view table, std::string_view index) -> std::optional<KeySchema> {
      auto it = tables.find(std::string(table) + "." + std::string(index));
      if (it == tables.end()) return std::nullopt;
      return it->second;
    };
    auto got = TranslateText(statement, params, lookup, index_lookup);
    if (expect.rfind("error ", 0) == 0) {
      const std::string rest = expect.substr(6);
      const std::string type = rest.substr(0, rest.find(' '));
      const std::string message = rest.find(' ') == std::string::npos ? "" : rest.substr(rest.find(' ') + 1);
      ASSERT_FALSE(got.ok()) << "expected an error, got " << got->operation << " " << json::serialize(got->request);
      EXPECT_EQ(std::string(got.status().type()), type);
      EXPECT_EQ(got.status().message(), message);
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().type() << ": " << got.status().message();
    const std::string op = expect.substr(0, expect.find(' '));
    EXPECT_EQ(got->operation, op);
    json::value want = json::parse(expect.substr(expect.find(' ') + 1));
    // Compared as JSON values (member order does not matter). Partitions:
    // [{"op": ..., "request": ...}, ...], one per part.
    json::value have = got->request;
    if (got->operation == "Partitions") {
      json::array parts;
      for (const Translation& part : got->parts) {
        parts.push_back(json::object{{"op", part.operation}, {"request", part.request}});
      }
      have = std::move(parts);
    }
    EXPECT_TRUE(have == want) << "got:  " << json::serialize(have)
                                                   << "\nwant: " << json::serialize(want);
  }
}

}  // namespace
}  // namespace streamer::dynamo::partiql
