#include "gateway/vtl/jsonpath.h"

#include <gtest/gtest.h>

namespace streamer::vtl {
namespace {

json::value Doc() {
  return json::parse(R"({"a":{"b":{"c":1}},"list":[10,20,30,40],
    "store":{"book":[{"title":"x","price":8},{"title":"y","price":12.5}],"bike":{"price":19}},
    "odd key":"v","s":"héllo","empty":[]})");
}

std::string Eval(std::string_view path) {
  auto jp = JsonPath::Parse(path);
  if (!jp.ok()) return "ERROR: " + jp.status().message();
  return json::serialize(jp->Evaluate(Doc()));
}

TEST(JsonPath, RootAndNames) {
  EXPECT_EQ(Eval("$"), json::serialize(Doc()));
  EXPECT_EQ(Eval("$.a.b.c"), "1");
  EXPECT_EQ(Eval("$['a']['b']"), R"({"c":1})");
  EXPECT_EQ(Eval("$[\"odd key\"]"), R"("v")");
  EXPECT_EQ(Eval("a.b"), R"({"c":1})");  // no '$': Jayway prepends "$."
  EXPECT_EQ(Eval("$.missing"), "null");
  EXPECT_EQ(Eval("$.a.missing.deeper"), "null");
  EXPECT_EQ(Eval("$.list.b"), "null");  // name on an array: no match
}

TEST(JsonPath, Indexes) {
  EXPECT_EQ(Eval("$.list[0]"), "10");
  EXPECT_EQ(Eval("$.list[3]"), "40");
  EXPECT_EQ(Eval("$.list[4]"), "null");
  EXPECT_EQ(Eval("$.list[-1]"), "40");
  EXPECT_EQ(Eval("$.list[-5]"), "null");
  EXPECT_EQ(Eval("$.list[0,2]"), "[10,30]");
  EXPECT_EQ(Eval("$.list[1:3]"), "[20,30]");
  EXPECT_EQ(Eval("$.list[:2]"), "[10,20]");
  EXPECT_EQ(Eval("$.list[-2:]"), "[30,40]");
  EXPECT_EQ(Eval("$.list[::2]"), "[10,30]");
  EXPECT_EQ(Eval("$.a[0]"), "null");  // index on an object: no match
}

TEST(JsonPath, WildcardsAndRecursion) {
  EXPECT_EQ(Eval("$.list[*]"), "[10,20,30,40]");
  EXPECT_EQ(Eval("$.store.book[*].title"), R"(["x","y"])");
  EXPECT_EQ(Eval("$..price"), "[8,1.25E1,19]");
  EXPECT_EQ(Eval("$.a.*"), R"([{"c":1}])");
  EXPECT_EQ(Eval("$..c"), "[1]");
  EXPECT_EQ(Eval("$..nothing"), "[]");
  EXPECT_EQ(Eval("$.store..title"), R"(["x","y"])");
  EXPECT_EQ(Eval("$..book[1].title"), R"(["y"])");
  EXPECT_EQ(Eval("$['a','list']"), R"([{"b":{"c":1}},[10,20,30,40]])");
}

TEST(JsonPath, Length) {
  EXPECT_EQ(Eval("$.list.length()"), "4");
  EXPECT_EQ(Eval("$.a.length()"), "1");
  EXPECT_EQ(Eval("$.s.length()"), "5");  // UTF-16 units, not bytes
  EXPECT_EQ(Eval("$.empty.length()"), "0");
  EXPECT_EQ(Eval("$.a.b.c.length()"), "null");
  EXPECT_EQ(Eval("$.list[*].length()"), "4");
}

TEST(JsonPath, Definiteness) {
  EXPECT_TRUE(JsonPath::Parse("$.a.b[0]")->definite());
  EXPECT_TRUE(JsonPath::Parse("$['a']")->definite());
  EXPECT_FALSE(JsonPath::Parse("$.a[*]")->definite());
  EXPECT_FALSE(JsonPath::Parse("$..a")->definite());
  EXPECT_FALSE(JsonPath::Parse("$.a[0,1]")->definite());
  EXPECT_FALSE(JsonPath::Parse("$.a[1:]")->definite());
}

TEST(JsonPath, SelectReturnsPointersIntoTheDocument) {
  json::value doc = Doc();
  auto r = JsonPathSelect(doc, "$.store.book[*].price");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], &doc.at("store").at("book").at(0).at("price"));
}

TEST(JsonPath, BadPaths) {
  for (const char* bad : {"", "$.", "$..", "$[", "$[]", "$.a[?(@.b)]", "$.a[(@.length-1)]", "$[abc]",
                          "$['a'", "$['a' 'b']", "$x", "$.a b", "$.list[1:2:0]", "$.f()", "$[1:2:3:4]"}) {
    auto r = JsonPath::Parse(bad);
    EXPECT_FALSE(r.ok()) << "accepted: " << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().type(), "ValidationException");
    }
  }
}

}  // namespace
}  // namespace streamer::vtl
