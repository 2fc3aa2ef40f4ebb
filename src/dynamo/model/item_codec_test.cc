#include "dynamo/model/item_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "dynamo/model/attribute.h"
#include "dynamo/model/base64.h"
#include "dynamo/model/decimal.h"

namespace streamer::dynamo {
namespace {

// Items nest deeper than Boost's default parse depth: the project's parser.
json::value Parse(std::string_view text) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : json::value();
}
json::object Item(std::string_view text) { return Parse(text).as_object(); }

// Encodes, then checks both readers give back exactly the item.
void ExpectRoundTrip(const json::object& item) {
  const std::string enc = EncodeItem(item);
  auto back = DecodeItem(enc);
  ASSERT_TRUE(back.ok()) << back.status().message() << " for " << json::serialize(item);
  EXPECT_EQ(json::serialize(*back), json::serialize(item));
  std::string text;
  size_t size = 0;
  Status s = AppendItemJson(enc, &text, &size);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(text, json::serialize(item));  // byte for byte what Boost.JSON writes
  EXPECT_EQ(Parse(text), json::value(item));
  // The size counted from the encoding is the one the model counts.
  EXPECT_EQ(size, ItemSize(item)) << json::serialize(item);
}

json::value Nested(int containers, bool list) {
  json::value v = Parse(R"({"N":"7"})");
  for (int i = 0; i < containers; ++i) {
    json::object w;
    if (list) {
      w["L"] = json::array{v, Parse(R"({"S":"x"})")};
    } else {
      json::object m;
      m["a"] = v;
      w["M"] = std::move(m);
    }
    v = std::move(w);
  }
  return v;
}

TEST(ItemCodecTest, SizeOfNumbersMatchesTheModel) {
  for (const char* n : {"0", "1", "-1", "9", "10", "99", "100", "101", "-100", "12.5", "-12.5", "0.1", "0.01",
                        "0.001", "-0.003", "12345678901234567890123456789012345678", "-1.2345678901234567890123456789012345678", "1E+125", "-1E+125",
                        "1E-130", "-1E-130", "9.9E-130", "1234.5678", "-98765.4321", "10000000000", "0.5"}) {
    auto d = Decimal::Parse(n);
    ASSERT_TRUE(d.ok()) << n << ": " << d.status().message();
    json::object item;
    item["n"] = MakeN(d->ToString());
    json::array set{json::value(d->ToString())};
    item["ns"] = json::object{{"NS", set}};
    item["l"] = json::object{{"L", json::array{MakeN(d->ToString())}}};
    ExpectRoundTrip(item);
  }
}

TEST(ItemCodecTest, EveryTypeRoundTrips) {
  ExpectRoundTrip(Item(R"({})"));
  ExpectRoundTrip(Item(R"({"s":{"S":"hello"},"e":{"S":""},"n":{"N":"-12.5"},"z":{"N":"0"},
      "b":{"B":"AAEC/w=="},"eb":{"B":""},"t":{"BOOL":true},"f":{"BOOL":false},"nul":{"NULL":true},
      "m":{"M":{"x":{"S":"y"},"inner":{"M":{}}}},"l":{"L":[{"N":"1"},{"S":"two"},{"L":[]},{"NULL":true}]},
      "ss":{"SS":["a","b",""]},"ns":{"NS":["1","-2","0.003"]},"bs":{"BS":["Yg==","YQ==",""]}})"));
  // Escapes and non-ASCII text, in names and values.
  ExpectRoundTrip(Item(R"({"q\"\\\n\t\u0001":{"S":"tab\tnl\nquote\"back\\ \u0000 \u001f é 😀 \u2028"},
      "ünï":{"SS":["\b\f\r","/"]}})"));
}

TEST(ItemCodecTest, NumbersKeepTheirCanonicalForm) {
  for (const char* n :
       {"0", "1", "-1", "10", "100", "0.1", "-0.001", "123.456", "1.5", "99999999999999999999999999999999999999",
        "-99999999999999999999999999999999999999", "12345678901234567890123456789012345678",
        "0.12345678901234567890123456789012345678", "1E+125", "9.9999999999999999999999999999999999999E+125",
        "1E-130", "-1E-130", "-9.9999999999999999999999999999999999999E+125", "1.000000000000000000000000000000000001",
        "5E+10", "5E-10", "120", "1200000"}) {
    auto d = Decimal::Parse(n);
    ASSERT_TRUE(d.ok()) << n << ": " << d.status().message();
    const std::string canonical = d->ToString();
    json::object item;
    item["n"] = MakeN(canonical);
    item["ns"] = json::object{{"NS", json::array{json::string(canonical)}}};
    ExpectRoundTrip(item);
  }
  // A non-canonical number is stored (and read back) canonical.
  auto back = DecodeItem(EncodeItem(Item(R"({"n":{"N":"001.50e1"}})")));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(json::serialize(*back), R"({"n":{"N":"15"}})");
}

TEST(ItemCodecTest, NestingToTheModelsLimit) {
  for (bool list : {false, true}) {
    json::object item;
    item["deep"] = Nested(31, list);  // 32 levels counting the item: the most ValidateItem allows
    ASSERT_TRUE(ValidateItem(item).ok());
    ExpectRoundTrip(item);
  }
}

TEST(ItemCodecTest, BinariesAreStoredRaw) {
  // 300 raw bytes: base64 would take 400.
  std::string raw(300, '\0');
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>(i * 7);
  json::object item;
  item["b"] = json::object{{"B", Base64Encode(raw)}};
  const std::string enc = EncodeItem(item);
  EXPECT_LT(enc.size(), 320u);
  ExpectRoundTrip(item);
}

TEST(ItemCodecTest, SmallerThanJson) {
  json::object item = Item(R"({"pk":{"S":"user#1234"},"count":{"N":"12345678"},"tags":{"SS":["a","b"]},
      "profile":{"M":{"name":{"S":"Ann"},"age":{"N":"42"},"ok":{"BOOL":true}}}})");
  EXPECT_LT(EncodeItem(item).size() * 10, json::serialize(item).size() * 6);  // under 60%
}

// Encodings of a few items that use every tag: the corpus for the malformed-input tests.
std::vector<std::string> ValidEncodings() {
  std::vector<std::string> out;
  for (const char* text :
       {R"({"a":{"S":"x"}})", R"({"n":{"N":"-1.25"},"z":{"N":"0"},"big":{"N":"1E+125"}})",
        R"({"b":{"B":"AAEC"},"t":{"BOOL":true},"f":{"BOOL":false},"u":{"NULL":true}})",
        R"({"m":{"M":{"x":{"L":[{"N":"1"},{"SS":["p","q"]},{"NS":["3","4.5"]},{"BS":["YQ=="]}]}}}})"}) {
    out.push_back(EncodeItem(Item(text)));
  }
  json::object deep;
  deep["d"] = Nested(31, false);
  out.push_back(EncodeItem(deep));
  return out;
}

void ExpectCorrupt(std::string_view bytes) {
  auto d = DecodeItem(bytes);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().type(), "InternalServerError");
  EXPECT_NE(d.status().message().find("corrupt"), std::string::npos) << d.status().message();
  std::string text;
  Status s = AppendItemJson(bytes, &text);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.type(), "InternalServerError");
}

TEST(ItemCodecTest, EveryTruncationIsAnError) {
  for (const std::string& enc : ValidEncodings()) {
    for (size_t len = 0; len < enc.size(); ++len) ExpectCorrupt(std::string_view(enc).substr(0, len));
    // And trailing garbage.
    ExpectCorrupt(enc + std::string(1, '\x06'));
  }
}

TEST(ItemCodecTest, BadVersionTagsLengthsAndNumbers) {
  ExpectCorrupt("");
  ExpectCorrupt(R"({"a":{"S":"x"}})");                          // format 0: JSON
  ExpectCorrupt(std::string("\x02\x00", 2));                     // unknown version
  ExpectCorrupt(std::string("\x01\x01\x01" "a" "\x63", 5));      // bad tag
  ExpectCorrupt(std::string("\x01\x01\x01" "a" "\x00", 5));      // tag 0
  ExpectCorrupt(std::string("\x01\x01\x01" "a" "\x01\x05" "ab", 8));  // S length past the end
  ExpectCorrupt(std::string("\x01\x05\x01" "a" "\x06", 5));      // count larger than what follows
  ExpectCorrupt(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12));  // varint too long
  ExpectCorrupt(std::string("\x01\x01\x01" "a" "\x01\xff\xff\xff\xff\x0f" "x", 11));  // 4 GB length
  ExpectCorrupt(std::string("\x01\x01\x01" "a" "\x01\x01\xff", 7));  // S not UTF-8
  ExpectCorrupt(std::string("\x01\x01\x01\xc0" "\x06", 5));          // name not UTF-8
  ExpectCorrupt(std::string("\x01\x01\x01" "a" "\x01\x03\xed\xa0\x80", 9));  // surrogate
  // Numbers: bad sign, no digits, too many digits, digit > 9, leading / trailing zero, pad nibble.
  auto num = [](std::string body) { return std::string("\x01\x01\x01" "a" "\x02", 5) + body; };
  ExpectCorrupt(num(std::string("\x03\x80\x01\x10", 4)));
  ExpectCorrupt(num(std::string("\x01\x80\x00", 3)));
  ExpectCorrupt(num(std::string("\x01\x80\x27", 3) + std::string(20, '\x11')));
  ExpectCorrupt(num(std::string("\x01\x80\x01\xa0", 4)));
  ExpectCorrupt(num(std::string("\x01\x80\x02\x01", 4)));
  ExpectCorrupt(num(std::string("\x01\x80\x02\x10", 4)));
  ExpectCorrupt(num(std::string("\x01\x80\x01\x11", 4)));
  // The good one of those: 1 (biased exponent 130 = 0x82).
  auto one = DecodeItem(num(std::string("\x01\x82\x01\x10", 4)));
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ(json::serialize(*one), R"({"a":{"N":"1"}})");
}

TEST(ItemCodecTest, NestingBeyondTheLimitIsAnErrorNotARecursionCrash) {
  // 100000 nested M tags: must be refused at the limit, not recurse 100000 deep.
  std::string deep("\x01\x01\x01" "a", 4);
  for (int i = 0; i < 100000; ++i) deep += std::string("\x07\x01\x01" "a", 4);
  deep += '\x06';
  ExpectCorrupt(deep);
  json::object item;
  item["d"] = Nested(kMaxNestingDepth + 1, true);
  ExpectCorrupt(EncodeItem(item));
}

TEST(ItemCodecTest, RandomCorruptionNeverCrashes) {
  std::mt19937 rng(12345);
  for (const std::string& enc : ValidEncodings()) {
    for (int round = 0; round < 3000; ++round) {
      std::string bad = enc;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng() & 0xFF);
      auto d = DecodeItem(bad);  // ok or an error; either way no crash, no sanitizer report
      std::string text;
      Status s = AppendItemJson(bad, &text);
      EXPECT_EQ(d.ok(), s.ok());
      if (d.ok()) {
        EXPECT_EQ(Parse(text), json::value(*d));
      }
    }
  }
}

// The text loops skip plain ASCII eight bytes at a time: a character to
// escape, a multi-byte character or a broken one is found at every offset.
TEST(ItemCodecTest, TextIsCheckedAtEveryOffset) {
  for (const std::string& special : std::vector<std::string>{"\"", "\\", "\n", std::string(1, '\0'), "\x01", "\x1f", "\x7f", " ", "~", "\xc3\xa9",
                              "\xf0\x9f\x98\x80", "\xe2\x80\xa8"}) {
    for (size_t at = 0; at <= 20; ++at) {
      std::string text(24, 'a');
      text.insert(at, special);
      json::object item;
      item[text] = json::object{{"S", text}};
      item["ss"] = json::object{{"SS", json::array{json::value(text)}}};
      ExpectRoundTrip(item);
    }
  }
  for (const std::string& broken : std::vector<std::string>{"\xff", "\x80", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xc0\xaf"}) {
    for (size_t at = 0; at <= 20; ++at) {
      std::string text(24, 'a');
      text.insert(at, broken);
      json::object item;
      item["s"] = json::object{{"S", text}};
      ExpectCorrupt(EncodeItem(item));
    }
  }
}

}  // namespace
}  // namespace streamer::dynamo
