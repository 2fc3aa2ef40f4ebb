// Data-driven tests: every *.txt under tests/cases/expr. Format (one case per
// "=== title" block; lines "field: value"):
//   kind:    condition | filter | key | projection | update
//   item:    JSON item (optional; absent = no item)
//   names:   ExpressionAttributeNames JSON (optional)
//   values:  ExpressionAttributeValues JSON (optional)
//   schema:  "pk:S" or "pk:S sk:N" (key, update)
//   expr:    the expression (a JSON string literal when it needs edge spaces)
//   expect:  true | false | error <exact message> | JSON (key/projection/update result)
// The run also applies the request-level checks (maps valid, none unused).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "dynamo/expr/condition.h"
#include "dynamo/expr/key_condition.h"
#include "dynamo/expr/placeholders.h"
#include "dynamo/expr/projection.h"
#include "dynamo/expr/reserved_words.h"
#include "dynamo/expr/update.h"

namespace streamer::dynamo::expr {
namespace {

struct Case {
  std::string file;
  int line = 0;
  std::string title;
  std::map<std::string, std::string> fields;
};

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(EXPR_CASES_DIR)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.rfind("===", 0) == 0) {
        cases.push_back({path.filename().string(), n, line.substr(3), {}});
        continue;
      }
      if (line.empty() || line[0] == '#' || cases.empty()) continue;
      size_t colon = line.find(": ");
      if (colon == std::string::npos) {
        ADD_FAILURE() << path << ":" << n << ": bad line: " << line;
        continue;
      }
      std::string value = line.substr(colon + 2);
      std::string key = line.substr(0, colon);
      if (key == "expr" && !value.empty() && value[0] == '"') value = std::string(json::parse(value).as_string());
      cases.back().fields[key] = value;
    }
  }
  return cases;
}

KeySchema ParseSchema(const std::string& text) {
  KeySchema schema;
  std::istringstream in(text);
  std::string part;
  int i = 0;
  while (in >> part) {
    size_t c = part.find(':');
    KeyAttribute k{part.substr(0, c), part.substr(c + 1)};
    if (i++ == 0) {
      schema.partition = k;
    } else {
      schema.sort = k;
    }
  }
  return schema;
}

// The outcome of one case, in the `expect:` language.
std::string RunCase(const Case& c) {
  auto field = [&](const char* k) -> const std::string* {
    auto it = c.fields.find(k);
    return it == c.fields.end() ? nullptr : &it->second;
  };
  json::object names, values, item;
  AttributeMaps maps;
  if (auto* n = field("names")) {
    names = json::parse(*n).as_object();
    maps.names = &names;
  }
  if (auto* v = field("values")) {
    values = json::parse(*v).as_object();
    maps.values = &values;
  }
  bool has_item = field("item") != nullptr;
  if (has_item) item = json::parse(*field("item")).as_object();
  std::string kind = field("kind") ? *field("kind") : "";
  std::string text = field("expr") ? *field("expr") : "";
  auto error = [](const Status& s) { return "error " + s.message(); };

  Status maps_ok = ValidateAttributeMaps(maps);
  if (!maps_ok.ok()) return error(maps_ok);

  if (kind == "condition" || kind == "filter") {
    auto parsed = ParseCondition(text, maps, kind == "condition" ? "ConditionExpression" : "FilterExpression");
    if (!parsed.ok()) return error(parsed.status());
    Status unused = CheckUnusedPlaceholders(maps, parsed->used);
    if (!unused.ok()) return error(unused);
    return Evaluate(parsed->root, has_item ? &item : nullptr) ? "true" : "false";
  }
  if (kind == "key") {
    auto parsed = ParseKeyCondition(text, maps, ParseSchema(field("schema") ? *field("schema") : ""));
    if (!parsed.ok()) return error(parsed.status());
    Status unused = CheckUnusedPlaceholders(maps, parsed->used);
    if (!unused.ok()) return error(unused);
    json::object out;
    out["partition"] = parsed->partition_value;
    if (parsed->sort) {
      static const char* kOps[] = {"=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"};
      json::object s;
      s["op"] = kOps[static_cast<int>(parsed->sort->op)];
      s["value"] = parsed->sort->value;
      if (!parsed->sort->value2.is_null()) s["value2"] = parsed->sort->value2;
      out["sort"] = std::move(s);
    }
    return json::serialize(out);
  }
  if (kind == "projection") {
    auto parsed = ParseProjection(text, maps);
    if (!parsed.ok()) return error(parsed.status());
    Status unused = CheckUnusedPlaceholders(maps, parsed->used);
    if (!unused.ok()) return error(unused);
    return json::serialize(Project(item, parsed->paths));
  }
  if (kind == "update") {
    auto parsed = ParseUpdate(text, maps);
    if (!parsed.ok()) return error(parsed.status());
    Status unused = CheckUnusedPlaceholders(maps, parsed->used);
    if (!unused.ok()) return error(unused);
    KeySchema schema;
    const KeySchema* schema_ptr = nullptr;
    if (auto* s = field("schema")) {
      schema = ParseSchema(*s);
      schema_ptr = &schema;
    }
    auto applied = ApplyUpdate(*parsed, item, schema_ptr);
    if (!applied.ok()) return error(applied.status());
    return json::serialize(*applied);
  }
  return "bad kind: " + kind;
}

// JSON expectations compare as JSON (key order of objects is irrelevant).
bool Matches(const std::string& expected, const std::string& actual) {
  if (expected == actual) return true;
  if (expected.empty() || expected[0] != '{') return false;
  boost::system::error_code ec1, ec2;
  json::value a = json::parse(expected, ec1), b = json::parse(actual, ec2);
  return !ec1 && !ec2 && a == b;
}

TEST(ExprCases, AllFiles) {
  std::vector<Case> cases = LoadCases();
  ASSERT_GT(cases.size(), 100u);
  for (const Case& c : cases) {
    auto it = c.fields.find("expect");
    if (it == c.fields.end()) {
      ADD_FAILURE() << c.file << ":" << c.line << " has no expect";
      continue;
    }
    std::string actual = RunCase(c);
    EXPECT_TRUE(Matches(it->second, actual)) << c.file << ":" << c.line << " (" << c.title << ")\n  expected: "
                                             << it->second << "\n  actual:   " << actual;
  }
}

TEST(Placeholders, UnusedCheckSpansAllExpressionsOfARequest) {
  json::object names = json::parse(R"({"#a":"a","#b":"b"})").as_object();
  json::object values = json::parse(R"({":x":{"N":"1"},":y":{"S":"s"}})").as_object();
  AttributeMaps maps{&names, &values};
  auto cond = ParseCondition("#a = :x", maps);
  ASSERT_TRUE(cond.ok());
  auto proj = ParseProjection("#b", maps);
  ASSERT_TRUE(proj.ok());
  UsedPlaceholders all = cond->used;
  EXPECT_EQ(CheckUnusedPlaceholders(maps, all).message(),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}");
  all.Merge(proj->used);
  EXPECT_EQ(CheckUnusedPlaceholders(maps, all).message(),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}");
  auto update = ParseUpdate("SET c = :y", maps);
  ASSERT_TRUE(update.ok());
  all.Merge(update->used);
  EXPECT_TRUE(CheckUnusedPlaceholders(maps, all).ok());
}

TEST(Placeholders, MapsThemselves) {
  json::object empty;
  EXPECT_EQ(ValidateAttributeMaps({&empty, nullptr}).message(), "ExpressionAttributeNames must not be empty");
  EXPECT_EQ(ValidateAttributeMaps({nullptr, &empty}).message(), "ExpressionAttributeValues must not be empty");
  json::object bad_name = json::parse(R"({"a":"x"})").as_object();
  EXPECT_EQ(ValidateAttributeMaps({&bad_name, nullptr}).message(),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
  json::object bad_key = json::parse(R"({"b":{"S":"x"}})").as_object();
  EXPECT_EQ(ValidateAttributeMaps({nullptr, &bad_key}).message(),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\"");
  json::object bad_value = json::parse(R"({":b":{"SS":[]}})").as_object();
  EXPECT_EQ(ValidateAttributeMaps({nullptr, &bad_value}).message(),
            "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string "
            "set  may not be empty for key :b");
  json::object shape = json::parse(R"({":b":{"S":1}})").as_object();
  EXPECT_EQ(ValidateAttributeMaps({nullptr, &shape}).type(), "SerializationException");
}

TEST(ReservedWords, Lookup) {
  EXPECT_TRUE(IsReservedWord("status"));
  EXPECT_TRUE(IsReservedWord("Name"));
  EXPECT_TRUE(IsReservedWord("ZONE"));
  EXPECT_TRUE(IsReservedWord("abort"));
  EXPECT_FALSE(IsReservedWord("pk"));
  EXPECT_FALSE(IsReservedWord("statuses"));
  EXPECT_FALSE(IsReservedWord(""));
}

TEST(Evaluate, ParseOnceEvaluateMany) {
  json::object values = json::parse(R"({":lo":{"N":"10"},":hi":{"N":"20"}})").as_object();
  auto c = ParseCondition("n BETWEEN :lo AND :hi", {nullptr, &values});
  ASSERT_TRUE(c.ok());
  int matches = 0;
  for (int i = 0; i < 30; ++i) {
    json::object item;
    item["n"] = json::parse("{\"N\":\"" + std::to_string(i) + "\"}");
    matches += Evaluate(c->root, &item);
  }
  EXPECT_EQ(matches, 11);
  EXPECT_FALSE(Evaluate(c->root, nullptr));
}

}  // namespace
}  // namespace streamer::dynamo::expr
