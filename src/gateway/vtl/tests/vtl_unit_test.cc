// API-level tests of Template and Value that are awkward as case files.
#include <gtest/gtest.h>

#include <thread>

#include "gateway/vtl/vtl.h"

namespace streamer::vtl {
namespace {

std::string Render(std::string_view tmpl, RenderContext& ctx) {
  auto t = Template::Parse(tmpl);
  if (!t.ok()) return "PARSE ERROR: " + t.status().message();
  auto out = (*t)->Render(ctx);
  if (!out.ok()) return "RENDER ERROR: " + std::string(out.status().type()) + ": " + out.status().message();
  return *out;
}

TEST(Template, ContextOverridesAreReadBack) {
  RenderContext ctx;
  ctx.context = FromJson(json::parse(R"({"requestId":"r1"})"));
  std::string out = Render(
      "#set($context.responseOverride.status = 404)"
      "#set($context.responseOverride.header.X-Reason = \"gone\")$context.requestId",
      ctx);
  EXPECT_EQ(out, "r1");
  const Map* c = ctx.context.if_map();
  ASSERT_TRUE(c);
  const Value* status = c->Find("responseOverride")->if_map()->Find("status");
  ASSERT_TRUE(status);
  EXPECT_EQ(*status->if_int(), 404);
  EXPECT_EQ(*c->Find("responseOverride")->if_map()->Find("header")->if_map()->Find("x-reason")->if_string(),
            "gone");  // header maps are case-insensitive
}

TEST(Template, NullContextBecomesAMap) {
  RenderContext ctx;
  EXPECT_EQ(Render("[$context.stage]", ctx), "[]");
  EXPECT_TRUE(ctx.context.if_map());
}

TEST(Template, ConcurrentRendersShareOneTemplate) {
  auto t = Template::Parse(
      R"(#set($n = $input.path('$.n'))#foreach($i in [1..$n])$i#if($foreach.hasNext),#end#end)");
  ASSERT_TRUE(t.ok());
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 500; ++i) {
        RenderContext ctx;
        int n = (k + i) % 5 + 1;
        ctx.input.body = "{\"n\":" + std::to_string(n) + "}";
        auto out = (*t)->Render(ctx);
        std::string want;
        for (int j = 1; j <= n; ++j) want += std::to_string(j) + (j < n ? "," : "");
        if (!out.ok() || *out != want) ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(Template, LimitsAreErrorsNotHangs) {
  RenderContext ctx;
  RenderLimits limits;
  limits.max_iterations = 1000;
  auto t = Template::Parse("#foreach($a in [1..100])#foreach($b in [1..100])x#end#end");
  ASSERT_TRUE(t.ok());
  auto out = (*t)->Render(ctx, limits);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "InternalServerError");

  limits = RenderLimits{};
  limits.max_output_bytes = 1000;
  t = Template::Parse("#set($s = 'xxxxxxxxxx')#foreach($i in [1..20])#set($s = \"$s$s\")#end$s");
  ASSERT_TRUE(t.ok());
  out = (*t)->Render(ctx, limits);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "InternalServerError");
}

TEST(Template, RenderErrorsNameTheLineAndColumn) {
  RenderContext ctx;
  auto t = Template::Parse("{\n  \"a\": 1,#set($s = 'abc')\n  #if(true)\n    $s.substring(5)\n  #end\n}");
  ASSERT_TRUE(t.ok());
  auto out = (*t)->Render(ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "InternalServerError");
  EXPECT_NE(out.status().message().find("(at line 4, column 5)"), std::string::npos) << out.status().message();

  // A 400 (a body that is not JSON) keeps AWS's wording for the client.
  ctx.input.body = "{not json";
  t = Template::Parse("x\n$input.path('$.a')");
  ASSERT_TRUE(t.ok());
  out = (*t)->Render(ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message().find("(at line"), std::string::npos) << out.status().message();
}

TEST(Template, ContainersHoldingThemselvesRenderBounded) {
  // Java overflows its stack on an indirect cycle (API Gateway: 500); we write
  // the inner reference as nothing, and never loop or blow up.
  RenderContext ctx;
  auto t = Template::Parse(
      "#set($a = [])#set($b = [$a])#set($x = $a.add($b))$a $a.equals($b) "
      "#set($m = {})#set($m.self = $m)$m #set($n = {'k': [$m, $m]})#set($m.n = $n)$m.size()");
  ASSERT_TRUE(t.ok());
  auto out = (*t)->Render(ctx);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, "[[]] false{self=(this Map)}2");  // blanks before #set go (Velocity 1.7)
}

TEST(Template, MacroAndDefineFanOutIsBounded) {
  // Each level calls the next ten times: 10^6 calls within the depth limit of 20.
  std::string text;
  for (int level = 0; level < 6; ++level) {
    text += "#macro(m" + std::to_string(level) + ")";
    for (int k = 0; k < 10; ++k) text += "#m" + std::to_string(level + 1) + "()";
    text += "#end";
  }
  text += "#macro(m6)#end#m0()";
  RenderContext ctx;
  RenderLimits limits;
  limits.max_iterations = 10000;
  auto t = Template::Parse(text);
  ASSERT_TRUE(t.ok()) << t.status().message();
  auto out = (*t)->Render(ctx, limits);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "InternalServerError");

  std::string defs = "#define($d0)x#end";
  for (int level = 1; level < 30; ++level) {
    std::string prev = "$d" + std::to_string(level - 1);
    defs += "#define($d" + std::to_string(level) + ")" + prev + prev + "#end";
  }
  defs += "$d29";
  t = Template::Parse(defs);
  ASSERT_TRUE(t.ok()) << t.status().message();
  out = (*t)->Render(ctx, limits);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().type(), "InternalServerError");
}

TEST(Template, DeepNestingIsAParseErrorNotACrash) {
  std::string deep(5000, '(');
  auto t = Template::Parse("#set($x = " + deep + "1" + std::string(5000, ')') + ")");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("nested too deeply"), std::string::npos);
  std::string ifs;
  for (int i = 0; i < 5000; ++i) ifs += "#if(true)";
  t = Template::Parse(ifs);
  EXPECT_FALSE(t.ok());
  std::string brackets = "$a";
  for (int i = 0; i < 5000; ++i) brackets += "[$a";
  t = Template::Parse("#set($x = " + brackets + ")");
  EXPECT_FALSE(t.ok());
}

TEST(Template, GarbageNeverCrashes) {
  // Every prefix of a busy template either parses or fails cleanly, and
  // whatever parses renders.
  std::string busy =
      R"(#set($m = {"a": [1, 2.5, 'x', "y$z"], 'b': {}})#foreach($k in $m.keySet())#if($k == "a" && !$m.isEmpty())${m.get($k)[1]}#elseif($k eq 'b')$!m.b.c#else\#x#end#end## c
#* block *#$input.path('$.a[0]').size() $util.escapeJavaScript($input.json('$')) #break)";
  for (size_t n = 0; n <= busy.size(); ++n) {
    auto t = Template::Parse(busy.substr(0, n));
    if (!t.ok()) continue;
    RenderContext ctx;
    ctx.input.body = R"({"a":[[1,2]]})";
    auto out = (*t)->Render(ctx);
    (void)out;
  }
  SUCCEED();
}

TEST(Value, JsonRoundTrip) {
  json::value doc = json::parse(R"({"s":"x","i":-3,"d":2.5,"b":true,"n":null,"l":[1,[2]],"m":{"k":{}}})");
  Value v = FromJson(doc);
  EXPECT_EQ(json::serialize(ToJson(v)), json::serialize(doc));
  EXPECT_EQ(v.ToString(), R"({"s":"x","i":-3,"d":2.5,"b":true,"n":null,"l":[1,[2]],"m":{"k":{}}})");
  EXPECT_EQ(SerializeJson(FromJson(json::parse("1.0"))), "1.0");
}

TEST(Value, JavaToString) {
  Value list = Value::NewList();
  list.if_list()->items = {Value(1), Value("a"), Value(), Value(true)};
  EXPECT_EQ(list.ToString(), "[1, a, null, true]");
  Value map = Value::NewMap();
  map.if_map()->Put("k", Value(1.5));
  map.if_map()->Put("l", list);
  EXPECT_EQ(map.ToString(), "{k=1.5, l=[1, a, null, true]}");
  // A list that contains itself does not recurse forever.
  list.if_list()->items.push_back(list);
  EXPECT_FALSE(list.ToString().empty());
  list.if_list()->items.clear();  // break the cycle so it is freed
}

TEST(Map, LookupIndexAndCaseInsensitivity) {
  Map m(true);
  for (int i = 0; i < 100; ++i) m.Put("Key" + std::to_string(i), Value(i));
  EXPECT_EQ(*m.Find("KEY42")->if_int(), 42);
  EXPECT_EQ(m.Put("key42", Value(0)).if_int() != nullptr, true);
  EXPECT_EQ(m.size(), 100u);
  EXPECT_EQ(*m.Remove("kEy0").if_int(), 0);
  EXPECT_EQ(m.Find("Key0"), nullptr);
  EXPECT_EQ(*m.Find("key99")->if_int(), 99);
  EXPECT_EQ(m.entries().front().first, "Key1");  // insertion order kept
  Map exact;
  exact.Put("A", Value(1));
  EXPECT_EQ(exact.Find("a"), nullptr);
}

}  // namespace
}  // namespace streamer::vtl
