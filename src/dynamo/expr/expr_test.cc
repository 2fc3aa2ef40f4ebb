// Data-driven tests: every *.txt under tests/cases/expr. Format (one case per
// "=== title" block; lines "field: value"):
//   kind:    condition | filter | key | projection | update, or a legacy
//            parameter (expr is its JSON): expected | scan_filter |
//            attribute_updates | key_conditions | attributes_to_get
//   item:    JSON item (optional; absent = no item)
//   names:   ExpressionAttributeNames JSON (optional)
//   values:  ExpressionAttributeValues JSON (optional)
//   schema:  "pk:S" or "pk:S sk:N" (key, update)
//   expr:    the expression (a JSON string literal when it needs edge spaces)
//   expect:  true | false | error <exact message> | JSON (key/projection/update result)
// The run also applies the request-level checks (maps valid, none unused).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "core/case_files.h"
#include "dynamo/expr/condition.h"
#include "dynamo/expr/key_condition.h"
#include "dynamo/expr/legacy.h"
#include "dynamo/expr/placeholders.h"
#include "dynamo/expr/projection.h"
#include "dynamo/expr/reserved_words.h"
#include "dynamo/expr/update.h"

namespace streamer::dynamo::expr {
namespace {

using Case = CaseBlock;

std::vector<Case> LoadCases() {
  std::vector<std::string> bad;
  std::vector<Case> cases = LoadCaseFiles(EXPR_CASES_DIR, &bad);
  for (const auto& b : bad) ADD_FAILURE() << "bad line: " << b;
  for (auto& c : cases) {  // an expression with edge spaces is written as a JSON string
    auto it = c.fields.find("expr");
    if (it != c.fields.end() && !it->second.empty() && it->second[0] == '"') {
      it->second = std::string(json::parse(it->second).as_string());
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
  if (kind == "expected" || kind == "scan_filter") {
    auto parsed = kind == "expected" ? ParseExpected(json::parse(text), LegacyJoin::kAnd)
                                     : ParseLegacyFilter(json::parse(text), "ScanFilter", LegacyJoin::kAnd);
    if (!parsed.ok()) return error(parsed.status());
    return !*parsed || Evaluate(**parsed, has_item ? &item : nullptr) ? "true" : "false";
  }
  if (kind == "attribute_updates") {
    auto parsed = ParseAttributeUpdates(json::parse(text));
    if (!parsed.ok()) return error(parsed.status());
    KeySchema schema = ParseSchema(field("schema") ? *field("schema") : "pk:S");
    auto applied = ApplyUpdate(*parsed, item, &schema);
    if (!applied.ok()) return error(applied.status());
    return json::serialize(*applied);
  }
  if (kind == "attributes_to_get") {
    auto parsed = ParseAttributesToGet(json::parse(text));
    if (!parsed.ok()) return error(parsed.status());
    return json::serialize(Project(item, *parsed));
  }
  std::optional<Result<KeyCondition>> legacy_key;
  if (kind == "key_conditions") {
    legacy_key = ParseKeyConditions(json::parse(text), ParseSchema(field("schema") ? *field("schema") : ""));
    kind = "key";
  }
  if (kind == "key") {
    auto parsed = legacy_key ? std::move(*legacy_key)
                             : ParseKeyCondition(text, maps, ParseSchema(field("schema") ? *field("schema") : ""));
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

// A legacy map may have any number of entries: the joined tree stays
// shallow, so evaluating (and destroying) it cannot exhaust the stack.
TEST(Legacy, ManyConditionsStayShallow) {
  json::object expected;
  for (int i = 0; i < 200000; ++i) expected["a" + std::to_string(i)] = json::object{{"Exists", false}};
  auto parsed = ParseExpected(json::value(std::move(expected)), LegacyJoin::kAnd);
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(parsed->has_value());
  int depth = 0;
  for (const Condition* c = &**parsed; !c->children.empty(); c = &c->children[0]) ++depth;
  EXPECT_LE(depth, 20);
  json::object item{{"pk", json::object{{"S", "k"}}}};
  EXPECT_TRUE(Evaluate(**parsed, &item));
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

// --- Hostile expressions: AWS's limits, and no input may exhaust the stack ---

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(ExprLimits, ExpressionSize) {
  json::object values = json::parse(R"({":v":{"N":"1"}})").as_object();
  AttributeMaps maps{nullptr, &values};
  std::string at_limit = "a = :v" + std::string(4096 - 6, ' ');
  EXPECT_TRUE(ParseCondition(at_limit, maps).ok());
  EXPECT_EQ(ParseCondition(at_limit + " ", maps).status().message(),
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097");
  EXPECT_EQ(ParseCondition(Repeat("(", 10000) + "a = :v" + Repeat(")", 10000), maps, "FilterExpression").status().message(),
            "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 20006");
  EXPECT_EQ(ParseUpdate("SET a = " + Repeat("list_append(", 20000) + ":v" + Repeat(", :v)", 20000), maps)
                .status()
                .message(),
            "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size; expression size: 340010");
  EXPECT_EQ(ParseProjection(Repeat("a,", 2049), maps).status().message(),
            "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size; expression size: 4098");
}

TEST(ExprLimits, OperatorCount) {
  json::object values = json::parse(R"({":v":{"N":"1"}})").as_object();
  AttributeMaps maps{nullptr, &values};
  // 150 comparisons and 149 ANDs: 299 operators; one more pair is 301.
  std::string ok = "a = :v" + Repeat(" AND a = :v", 149);
  EXPECT_TRUE(ParseCondition(ok, maps).ok());
  EXPECT_EQ(ParseCondition(ok + " AND a = :v", maps).status().message(),
            "Invalid ConditionExpression: The expression contains too many operators; operator count: 301");
  // Functions and arithmetic count; the SET "=" does not.
  std::string sum = "SET a = :v" + Repeat(" + :v", 1);
  EXPECT_TRUE(ParseUpdate(sum, maps).ok());
  std::string sets = "SET a0 = :v";
  for (int i = 1; i < 301; ++i) sets += ", a" + std::to_string(i) + " = :v";
  EXPECT_TRUE(ParseUpdate(sets, maps).ok());
  // IN takes at most 100 operands.
  EXPECT_TRUE(ParseCondition("a IN (:v" + Repeat(",:v", 99) + ")", maps).ok());
  EXPECT_EQ(ParseCondition("a IN (:v" + Repeat(",:v", 100) + ")", maps, "FilterExpression").status().message(),
            "Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101");
  EXPECT_EQ(ParseCondition(Repeat("size(", 301) + "a" + Repeat(")", 301) + " = :v", maps).status().message(),
            "Invalid ConditionExpression: The expression contains too many operators; operator count: 302");
}

TEST(ExprLimits, DeepNestingIsAnErrorNotACrash) {
  json::object values = json::parse(R"({":v":{"N":"1"},":l":{"L":[]}})").as_object();
  AttributeMaps maps{nullptr, &values};
  json::object v_only = json::parse(R"({":v":{"N":"1"}})").as_object();
  AttributeMaps v_maps{nullptr, &v_only};
  // Within 4 KB: 2,000 parentheses around a comparison, around an operand.
  for (const std::string& text : {Repeat("(", 2000) + "a = :v" + Repeat(")", 2000),
                                  Repeat("(", 2000) + "a" + Repeat(")", 2000) + " = :v",
                                  "a = " + Repeat("(", 2000) + ":v" + Repeat(")", 2000)}) {
    auto r = ParseCondition(text, v_maps);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(),
              "Invalid ConditionExpression: The expression is nested too deeply; nesting levels exceed 640");
  }
  // NOT and function chains pass the operator limit before the nesting one.
  // (Counted up to where the nesting bound stopped the parse.)
  EXPECT_EQ(ParseCondition(Repeat("NOT ", 1000) + "a = :v", v_maps).status().message(),
            "Invalid ConditionExpression: The expression contains too many operators; operator count: 640");
  EXPECT_EQ(ParseCondition(Repeat("size(", 600) + "a" + Repeat(")", 600) + " = :v", v_maps).status().message(),
            "Invalid ConditionExpression: The expression contains too many operators; operator count: 601");
  json::object l_only = json::parse(R"({":l":{"L":[]}})").as_object();
  AttributeMaps l_maps{nullptr, &l_only};
  // As deep as 4 KB allows (255 calls): within both limits.
  EXPECT_TRUE(ParseUpdate("SET a = " + Repeat("list_append(", 255) + ":l" + Repeat(",:l)", 255), l_maps).ok());
  std::string sums = "SET a0=:v+:v";
  for (int i = 1; i < 301; ++i) sums += ",a" + std::to_string(i) + "=:v+:v";
  EXPECT_EQ(ParseUpdate(sums, v_maps).status().message(),
            "Invalid UpdateExpression: The expression contains too many operators; operator count: 301");
  // Redundant parentheses well inside the bound keep AWS's own message.
  EXPECT_EQ(ParseCondition(Repeat("(", 100) + "a = :v" + Repeat(")", 100), v_maps).status().message(),
            "Invalid ConditionExpression: The expression has redundant parentheses;");
}

TEST(ExprLimits, DocumentPathDepth) {
  json::object values = json::parse(R"({":v":{"N":"1"}})").as_object();
  AttributeMaps maps{nullptr, &values};
  std::string path32 = "a" + Repeat(".a", 31);
  EXPECT_TRUE(ParseProjection(path32, maps).ok());
  EXPECT_EQ(ParseProjection(path32 + "[0]", maps).status().message(),
            "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33");
  EXPECT_EQ(ParseCondition(path32 + ".b = :v", maps).status().message(),
            "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33");
  EXPECT_EQ(ParseUpdate("SET " + path32 + ".b = :v", maps).status().message(),
            "Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33");
}

TEST(ExprLimits, NestedListAppendIsLinear) {
  // 250 nested list_append calls (4 KB allows no more) over a 400-element
  // list: each level copying the list so far was ~12M element copies; one
  // pass is ~100k.
  json::array list;
  for (int i = 0; i < 400; ++i) list.push_back(json::object{{"BOOL", true}});
  json::object values;
  values[":l"] = json::object{{"L", list}};
  AttributeMaps maps{nullptr, &values};
  std::string left = "SET a = " + Repeat("list_append(", 250) + ":l" + Repeat(",:l)", 250);
  std::string right = "SET a = " + Repeat("list_append(:l,", 250) + ":l" + Repeat(")", 250);
  for (const std::string& text : {left, right}) {
    auto parsed = ParseUpdate(text, maps);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    const auto start = std::chrono::steady_clock::now();
    auto applied = ApplyUpdate(*parsed, json::object{}, nullptr);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(applied.ok()) << applied.status().message();
    EXPECT_EQ(applied->at("a").at("L").as_array().size(), 251u * 400u);
    EXPECT_LT(took, std::chrono::milliseconds(2000));  // the copying version took seconds
  }
  // A result that cannot fit in an item stops growing at once.
  json::array big;
  for (int i = 0; i < 5000; ++i) big.push_back(json::object{{"S", std::string(20, 'x')}});
  values[":l"] = json::object{{"L", big}};
  auto parsed = ParseUpdate(left, maps);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(ApplyUpdate(*parsed, json::object{}, nullptr).status().message(),
            "Item size to update has exceeded the maximum allowed size");
}

TEST(ExprLimits, ManySetsOfOneBigValueStopAtTheItemLimit) {
  json::object values;
  values[":v"] = json::object{{"S", std::string(300 * 1024, 'x')}};
  AttributeMaps maps{nullptr, &values};
  std::string sets = "SET a0 = :v";
  for (int i = 1; i < 300; ++i) sets += ", a" + std::to_string(i) + " = :v";
  auto parsed = ParseUpdate(sets, maps);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(ApplyUpdate(*parsed, json::object{}, nullptr).status().message(),
            "Item size to update has exceeded the maximum allowed size");
  auto one = ParseUpdate("SET a = :v", maps);
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(ApplyUpdate(*one, json::object{}, nullptr).ok());
}

TEST(ExprLimits, SetAddAndDeleteAreLinear) {
  json::array existing, added;
  for (int i = 0; i < 100000; ++i) {
    existing.emplace_back(std::to_string(i));
    added.emplace_back(std::to_string(i + 50000) + ".0");  // half overlap, written differently
  }
  json::object item;
  item["s"] = json::object{{"NS", existing}};
  json::object values;
  values[":a"] = json::object{{"NS", added}};
  AttributeMaps maps{nullptr, &values};
  auto add = ParseUpdate("ADD s :a", maps);
  ASSERT_TRUE(add.ok());
  auto grown = ApplyUpdate(*add, item, nullptr);
  ASSERT_TRUE(grown.ok());
  EXPECT_EQ(grown->at("s").at("NS").as_array().size(), 150000u);
  auto del = ParseUpdate("DELETE s :a", maps);
  ASSERT_TRUE(del.ok());
  auto shrunk = ApplyUpdate(*del, *grown, nullptr);
  ASSERT_TRUE(shrunk.ok());
  EXPECT_EQ(shrunk->at("s").at("NS").as_array().size(), 50000u);
}

TEST(ExprLimits, SubstringSearchIsLinear) {
  // "aaa...a" contains "aaa...ab"? A naive search is |text| * |word| steps.
  json::object item;
  item["s"] = json::object{{"S", std::string(400000, 'a')}};
  json::object values;
  values[":w"] = json::object{{"S", std::string(200000, 'a') + "b"}};
  auto c = ParseCondition("contains(s, :w)", {nullptr, &values});
  ASSERT_TRUE(c.ok());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(Evaluate(c->root, &item));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  values[":w"] = json::object{{"S", std::string(200000, 'a')}};
  auto found = ParseCondition("contains(s, :w)", {nullptr, &values});
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(Evaluate(found->root, &item));
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
