#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dynamo/model/attribute.h"
#include "dynamo/model/base64.h"
#include "dynamo/model/decimal.h"
#include "dynamo/model/key_codec.h"

namespace streamer::dynamo {
namespace {

json::value J(std::string_view text) { return json::parse(text); }

std::string Canon(std::string_view s) {
  auto d = Decimal::Parse(s);
  EXPECT_TRUE(d.ok()) << s << ": " << d.status().message();
  return d.ok() ? d->ToString() : "";
}

std::string ParseError(std::string_view s) {
  auto d = Decimal::Parse(s);
  EXPECT_FALSE(d.ok()) << s;
  if (!d.ok()) {
    EXPECT_EQ(d.status().type(), "ValidationException");
  }
  return d.ok() ? "" : d.status().message();
}

TEST(DecimalTest, CanonicalForm) {
  EXPECT_EQ(Canon("1.50"), "1.5");
  EXPECT_EQ(Canon("0001"), "1");
  EXPECT_EQ(Canon("1e2"), "100");
  EXPECT_EQ(Canon("1E+2"), "100");
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("-0.000"), "0");
  EXPECT_EQ(Canon("+7"), "7");
  EXPECT_EQ(Canon(".5"), "0.5");
  EXPECT_EQ(Canon("5."), "5");
  EXPECT_EQ(Canon("-12.3400e-2"), "-0.1234");
  EXPECT_EQ(Canon("123.456e1"), "1234.56");
  EXPECT_EQ(Canon("1e-5"), "0.00001");
  EXPECT_EQ(Canon("1e100"), "1" + std::string(100, '0'));
  EXPECT_EQ(Canon("1e-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canon("9.9999999999999999999999999999999999999E+125"),
            "99999999999999999999999999999999999999" + std::string(88, '0'));
  // 38 significant digits is the limit; trailing zeros do not count.
  EXPECT_EQ(Canon("12345678901234567890123456789012345678"), "12345678901234567890123456789012345678");
  EXPECT_EQ(Canon("1000000000000000000000000000000000000000000"), "1000000000000000000000000000000000000000000");
  EXPECT_EQ(Canon("0.00000000000000000000000000000000000000000000000001"),
            "0.00000000000000000000000000000000000000000000000001");
}

TEST(DecimalTest, RejectsWhatDynamoRejects) {
  EXPECT_EQ(ParseError(""), "The parameter cannot be converted to a numeric value");
  for (const char* bad : {"abc", "NaN", "Infinity", "-Infinity", "0x10", " 1", "1 ", "1..2", "--1", "+-1", "1e",
                          "1e+", "e5", ".", "-", "+", "1,5", "1_000", "١"}) {
    EXPECT_EQ(ParseError(bad), std::string("The parameter cannot be converted to a numeric value: ") + bad);
  }
  EXPECT_EQ(ParseError("123456789012345678901234567890123456789"),
            "Attempting to store more than 38 significant digits in a Number");
  EXPECT_EQ(ParseError("1.23456789012345678901234567890123456789"),
            "Attempting to store more than 38 significant digits in a Number");
  EXPECT_EQ(ParseError("1e126"),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(ParseError("-10E125"),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(ParseError("1e-131"),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
  EXPECT_EQ(ParseError("0.1e-130"),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
  EXPECT_EQ(ParseError("1e99999999999999999999"),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(ParseError("0e1000"),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
}

TEST(DecimalTest, CompareAndArithmetic) {
  auto D = [](std::string_view s) { return *Decimal::Parse(s); };
  EXPECT_TRUE(D("1.5") == D("1.50"));
  EXPECT_TRUE(D("-2") < D("-1.5"));
  EXPECT_TRUE(D("-1") < D("0"));
  EXPECT_TRUE(D("0") < D("1e-130"));
  EXPECT_TRUE(D("9") < D("10"));
  EXPECT_TRUE(D("1") < D("1.0000001"));
  EXPECT_EQ(D("0.1").Add(D("0.2"))->ToString(), "0.3");
  EXPECT_EQ(D("0.3").Subtract(D("0.1"))->ToString(), "0.2");
  EXPECT_EQ(D("100000000000000000000.00000001").Subtract(D("1"))->ToString(), "99999999999999999999.00000001");
  EXPECT_EQ(D("-5").Add(D("3"))->ToString(), "-2");
  EXPECT_EQ(D("5").Subtract(D("5"))->ToString(), "0");
  EXPECT_EQ(D("-1e2").Subtract(D("-1e-2"))->ToString(), "-99.99");
  EXPECT_EQ(D("999").Add(D("1"))->ToString(), "1000");
  auto too_precise = D("1e30").Add(D("1e-30"));
  ASSERT_FALSE(too_precise.ok());
  EXPECT_EQ(too_precise.status().message(), "Attempting to store more than 38 significant digits in a Number");
  auto overflow = D("9.9999999999999999999999999999999999999E+125").Add(D("1e88"));
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().message(),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
}

std::string RandomNumber(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> len(1, 38), digit(0, 9), exp(-130, 125), coin(0, 9);
  if (coin(rng) == 0) return "0";
  int n = len(rng);
  std::string digits;
  for (int i = 0; i < n; ++i) digits.push_back(char('0' + digit(rng)));
  digits[0] = char('1' + digit(rng) % 9);
  int e = exp(rng);
  if (coin(rng) < 3) e = std::uniform_int_distribution<int>(-3, 3)(rng);  // many close values
  std::string s = (coin(rng) < 5 ? "-" : "") + digits.substr(0, 1) + "." + digits.substr(1) + "e" + std::to_string(e);
  return s;
}

TEST(DecimalTest, OrderedBytesFollowNumericOrder) {
  std::mt19937_64 rng(42);
  std::vector<Decimal> values;
  for (const char* s : {"0", "1", "-1", "1e-130", "-1e-130", "9.9999999999999999999999999999999999999e125",
                        "-9.9999999999999999999999999999999999999e125", "10", "9.99", "-10", "-9.99", "1.01", "1.1"}) {
    values.push_back(*Decimal::Parse(s));
  }
  for (int i = 0; i < 3000; ++i) {
    auto d = Decimal::Parse(RandomNumber(rng));
    if (d.ok()) values.push_back(*d);  // some random ones overflow; skip
  }
  for (size_t i = 0; i < values.size(); ++i) {
    std::string a;
    values[i].AppendOrderedBytes(&a);
    std::string_view in = a;
    auto back = Decimal::DecodeOrderedBytes(&in);
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(back->ToString(), values[i].ToString());
    for (int k = 0; k < 20; ++k) {
      const Decimal& other = values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng)];
      std::string b;
      other.AppendOrderedBytes(&b);
      auto numeric = values[i] <=> other;
      int bytes = a.compare(b);
      EXPECT_EQ(numeric < 0, bytes < 0) << values[i].ToString() << " vs " << other.ToString();
      EXPECT_EQ(numeric == 0, bytes == 0) << values[i].ToString() << " vs " << other.ToString();
    }
  }
  // Sorting by bytes equals sorting numerically.
  std::vector<std::pair<std::string, Decimal>> encoded;
  for (const auto& d : values) {
    std::string b;
    d.AppendOrderedBytes(&b);
    encoded.emplace_back(b, d);
  }
  std::sort(encoded.begin(), encoded.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  for (size_t i = 1; i < encoded.size(); ++i) EXPECT_TRUE(encoded[i - 1].second <= encoded[i].second);
}

TEST(Base64Test, RoundTripAndStrictness) {
  for (std::string s : {std::string(""), std::string("a"), std::string("ab"), std::string("abc"),
                        std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(*Base64Decode(Base64Encode(s)), s);
  }
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_FALSE(Base64Decode("aGVsbG8"));
  EXPECT_FALSE(Base64Decode("aGVsbG9="));  // non-zero bits under the padding
  EXPECT_FALSE(Base64Decode("aGV$bG8="));
  EXPECT_EQ(ValidateBase64("23456").message(), "Base64 encoded length is expected a multiple of 4 bytes but found: 5");
  EXPECT_EQ(ValidateBase64("=+/=").message(), "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(ValidateBase64("+/+=").message(), "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(ValidateBase64("+/+=").type(), "SerializationException");
}

struct BadValue {
  const char* json;
  const char* type;
  const char* message;
};

TEST(AttributeTest, ValidationErrors) {
  const BadValue cases[] = {
      {R"({})", "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {R"({"X":"1"})", "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {R"({"S":null})", "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {R"({"S":"a","N":"1"})", "ValidationException", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
      {R"({"S":"a","N":"b"})", "ValidationException", "The parameter cannot be converted to a numeric value: b"},
      {R"({"N":""})", "ValidationException", "The parameter cannot be converted to a numeric value"},
      {R"({"N":"NaN"})", "ValidationException", "The parameter cannot be converted to a numeric value: NaN"},
      {R"({"N":"1e126"})", "ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
      {R"({"NULL":false})", "ValidationException", "One or more parameter values were invalid: Null attribute value types must have the value of true"},
      {R"({"SS":[]})", "ValidationException", "One or more parameter values were invalid: An string set  may not be empty"},
      {R"({"NS":[]})", "ValidationException", "One or more parameter values were invalid: An number set  may not be empty"},
      {R"({"BS":[]})", "ValidationException", "One or more parameter values were invalid: Binary sets should not be empty"},
      {R"({"SS":["a","a"]})", "ValidationException", "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
      {R"({"NS":["1","1"]})", "ValidationException", "Input collection contains duplicates"},
      {R"({"NS":["1","1.0"]})", "ValidationException", "Input collection contains duplicates"},
      {R"({"NS":["1","b"]})", "ValidationException", "The parameter cannot be converted to a numeric value: b"},
      {R"({"BS":["Yg==","Yg=="]})", "ValidationException", "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."},
      {R"({"M":{"a":{"NULL":false}}})", "ValidationException", "One or more parameter values were invalid: Null attribute value types must have the value of true"},
      {R"({"L":[{"S":"a"},{}]})", "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {R"({"S":23})", "SerializationException", "NUMBER_VALUE cannot be converted to String"},
      {R"({"S":2.5})", "SerializationException", "DECIMAL_VALUE cannot be converted to String"},
      {R"({"S":true})", "SerializationException", "TRUE_VALUE cannot be converted to String"},
      {R"({"N":[]})", "SerializationException", "Unrecognized collection type class java.lang.String"},
      {R"({"N":{}})", "SerializationException", "Start of structure or map found where not expected"},
      {R"({"B":23})", "SerializationException", "only base-64-encoded strings are convertible to bytes"},
      {R"({"B":"23456"})", "SerializationException", "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
      {R"({"B":"=+/="})", "SerializationException", "Invalid last non-pad Base64 character dectected"},
      {R"({"BS":["Yg==","23"]})", "SerializationException", "Base64 encoded length is expected a multiple of 4 bytes but found: 2"},
      {R"({"BOOL":"true"})", "SerializationException", "Unexpected token received from parser"},
      {R"({"BOOL":1})", "SerializationException", "NUMBER_VALUE cannot be converted to Boolean"},
      {R"({"NULL":[]})", "SerializationException", "Unrecognized collection type class java.lang.Boolean"},
      {R"({"SS":"a"})", "SerializationException", "Unexpected field type"},
      {R"({"SS":{}})", "SerializationException", "Start of structure or map found where not expected"},
      {R"({"SS":[1]})", "SerializationException", "NUMBER_VALUE cannot be converted to String"},
      {R"({"L":"a"})", "SerializationException", "Unexpected field type"},
      {R"({"L":["a"]})", "SerializationException", "Unexpected value type in payload"},
      {R"({"L":[[]]})", "SerializationException", "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"},
      {R"({"M":[]})", "SerializationException", "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"},
      {R"({"M":true})", "SerializationException", "Unexpected field type"},
      {R"({"M":{"a":1}})", "SerializationException", "Unexpected value type in payload"},
      {R"("x")", "SerializationException", "Unexpected value type in payload"},
      // A null member of a set (undefined behaviour once: the server crashed).
      {R"({"SS":[null]})", "ValidationException", "One or more parameter values were invalid: A string set may not contain null"},
      {R"({"NS":["1",null]})", "ValidationException", "One or more parameter values were invalid: A number set may not contain null"},
      {R"({"BS":[null,"Yg=="]})", "ValidationException", "One or more parameter values were invalid: A binary set may not contain null"},
      {R"({"M":{"a":{"L":[{"SS":[null]}]}}})", "ValidationException", "One or more parameter values were invalid: A string set may not contain null"},
      {R"({"L":[null]})", "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {R"({"M":{"a":null}})", "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {R"({"M":{"a":{"L":[{"S":"x","N":"1"}]}}})", "ValidationException", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
      {R"({"L":[{"M":{"b":{"BOOL":"x"}}}]})", "SerializationException", "Unexpected token received from parser"},
  };
  for (const auto& c : cases) {
    Status s = ValidateAttributeValue(J(c.json));
    EXPECT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.type(), c.type) << c.json;
    EXPECT_EQ(s.message(), c.message) << c.json;
  }
  for (const char* good : {R"({"S":""})", R"({"N":"-1.5e3"})", R"({"B":"aGVsbG8="})", R"({"BOOL":false})",
                           R"({"NULL":true})", R"({"SS":["a","b"]})", R"({"NS":["1","2"]})", R"({"BS":["Yg==","YQ=="]})",
                           R"({"L":[]})", R"({"M":{}})", R"({"M":{"a":{"L":[{"N":"1"},{"M":{}}]}}})"}) {
    Status s = ValidateAttributeValue(J(good));
    EXPECT_TRUE(s.ok()) << good << ": " << s.message();
  }
}

json::value Nested(int containers) {
  json::value v = J(R"({"S":"leaf"})");
  for (int i = 0; i < containers; ++i) {
    json::object m;
    m["a"] = v;
    json::object w;
    w["M"] = std::move(m);
    v = std::move(w);
  }
  return v;
}

TEST(AttributeTest, NestingLimit) {
  json::object ok_item;
  ok_item["x"] = Nested(31);
  EXPECT_TRUE(ValidateItem(ok_item).ok());
  json::object deep_item;
  deep_item["x"] = Nested(32);
  Status s = ValidateItem(deep_item);
  EXPECT_EQ(s.message(),
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
}

TEST(AttributeTest, UnknownMembersAreIgnoredAndNeverKept) {
  // AWS's deserializer ignores members it does not know; the canonical form
  // keeps only the type member, so nothing unknown is stored or sized.
  json::value junk = J(R"({"S":"x","junk":"0123456789","N":null})");
  EXPECT_TRUE(ValidateAttributeValue(junk).ok());
  EXPECT_EQ(CanonicalizeValue(junk), J(R"({"S":"x"})"));
  json::value nested = J(R"({"M":{"a":{"L":[{"N":"01","x":1}],"y":[]}},"z":{}})");
  EXPECT_TRUE(ValidateAttributeValue(nested).ok());
  EXPECT_EQ(CanonicalizeValue(nested), J(R"({"M":{"a":{"L":[{"N":"1"}]}}})"));
  // The nesting limit counts containers behind unknown members too.
  json::value deep = Nested(32);
  deep.as_object()["junk"] = 1;
  json::object item;
  item["x"] = deep;
  EXPECT_FALSE(ValidateItem(item).ok());
}

TEST(AttributeTest, EmptyAttributeNameRefused) {
  json::object item;
  item[""] = J(R"({"S":"x"})");
  EXPECT_EQ(ValidateItem(item).message(), "One or more parameter values were invalid: Empty attribute name");
  json::object long_name;
  long_name[std::string(65536, 'n')] = J(R"({"S":"x"})");
  EXPECT_EQ(ValidateItem(long_name).message(),
            "One or more parameter values were invalid: Attribute name is too large, must be less than 65536 bytes");
  long_name.clear();
  long_name[std::string(65535, 'n')] = J(R"({"S":"x"})");
  EXPECT_TRUE(ValidateItem(long_name).ok());
}

TEST(AttributeTest, CorruptStoredValuesAreNeverUndefinedBehaviour) {
  // What an older build may have stored: payloads of the wrong JSON type,
  // null set members, extra members. Reading them is defined: no type, no
  // match, and CheckStoredItem calls the item corrupt.
  for (const char* bad : {R"({"S":5})", R"({"N":null})", R"({"M":[]})", R"({"L":{}})", R"({"S":"x","junk":1})"}) {
    EXPECT_EQ(TypeOf(J(bad)), "") << bad;
    EXPECT_EQ(PayloadOf(J(bad)), nullptr) << bad;
    EXPECT_EQ(AttributeValueSize(J(bad)), 0u) << bad;
    json::object item;
    item["a"] = J(bad);
    EXPECT_EQ(CheckStoredItem(item).type(), "InternalServerError") << bad;
  }
  json::value null_member = J(R"({"NS":[null,"1"]})");
  EXPECT_EQ(TypeOf(null_member), "NS");
  EXPECT_FALSE(AttributeValuesEqual(null_member, J(R"({"NS":["2","1"]})")));
  EXPECT_GT(AttributeValueSize(null_member), 0u);  // defined, whatever the null member counts for
  json::object item;
  item["a"] = null_member;
  EXPECT_EQ(CheckStoredItem(item).type(), "InternalServerError");
  json::object good;
  good["a"] = J(R"({"NS":["1","2"]})");
  EXPECT_TRUE(CheckStoredItem(good).ok());
}

TEST(AttributeTest, LargeSetEqualityIsNotQuadratic) {
  // Sets compare through a hash of their members: 200k members each would be
  // 4e10 comparisons member by member.
  json::array a, b;
  for (int i = 0; i < 200000; ++i) {
    a.emplace_back(std::to_string(i));
    b.emplace_back(std::to_string(199999 - i));
  }
  json::object sa, sb;
  sa["NS"] = a;
  sb["NS"] = b;
  EXPECT_TRUE(AttributeValuesEqual(sa, sb));
}

TEST(AttributeTest, CanonicalizeAndEquality) {
  EXPECT_EQ(CanonicalizeValue(J(R"({"M":{"a":{"N":"1.50"},"b":{"L":[{"NS":["010","2e1"]}]}}})")),
            J(R"({"M":{"a":{"N":"1.5"},"b":{"L":[{"NS":["10","20"]}]}}})"));
  EXPECT_TRUE(AttributeValuesEqual(J(R"({"N":"1.0"})"), J(R"({"N":"1"})")));
  EXPECT_FALSE(AttributeValuesEqual(J(R"({"N":"1"})"), J(R"({"S":"1"})")));
  EXPECT_TRUE(AttributeValuesEqual(J(R"({"SS":["a","b"]})"), J(R"({"SS":["b","a"]})")));
  EXPECT_FALSE(AttributeValuesEqual(J(R"({"SS":["a","b"]})"), J(R"({"SS":["a","c"]})")));
  EXPECT_TRUE(AttributeValuesEqual(J(R"({"NS":["1","2.0"]})"), J(R"({"NS":["2","1"]})")));
  EXPECT_FALSE(AttributeValuesEqual(J(R"({"L":[{"S":"a"},{"S":"b"}]})"), J(R"({"L":[{"S":"b"},{"S":"a"}]})")));
  EXPECT_TRUE(AttributeValuesEqual(J(R"({"M":{"a":{"N":"1"},"b":{"BOOL":true}}})"),
                                   J(R"({"M":{"b":{"BOOL":true},"a":{"N":"1.00"}}})")));
  EXPECT_FALSE(AttributeValuesEqual(J(R"({"M":{"a":{"N":"1"}}})"), J(R"({"M":{"a":{"N":"1"},"b":{"NULL":true}}})")));
  EXPECT_EQ(*CompareScalars(J(R"({"N":"9"})"), J(R"({"N":"10"})")), std::strong_ordering::less);
  EXPECT_EQ(*CompareScalars(J(R"({"S":"9"})"), J(R"({"S":"10"})")), std::strong_ordering::greater);
  EXPECT_EQ(*CompareScalars(J(R"({"S":"z"})"), J(R"({"S":"é"})")), std::strong_ordering::less);  // UTF-8 bytes
  EXPECT_EQ(*CompareScalars(J(R"({"B":"AA=="})"), J(R"({"B":"/w=="})")), std::strong_ordering::less);
  EXPECT_FALSE(CompareScalars(J(R"({"N":"1"})"), J(R"({"S":"1"})")));
  EXPECT_FALSE(CompareScalars(J(R"({"BOOL":true})"), J(R"({"BOOL":true})")));
}

TEST(AttributeTest, ItemSize) {
  json::object item = J(R"({"s":{"S":"abc"},"b":{"B":"aGVsbG8="},"t":{"BOOL":true},"z":{"NULL":true},
                           "n":{"N":"12345"},"l":{"L":[{"S":"x"}]},"m":{"M":{"k":{"S":"vv"}}},"ss":{"SS":["a","bc"]}})")
                         .as_object();
  // s:1+3, b:1+5, t:1+1, z:1+1, n:1+(1+3), l:1+(3+1+1), m:1+(3+1+1+2), ss:2+3
  EXPECT_EQ(ItemSize(item), 4u + 6u + 2u + 2u + 5u + 6u + 8u + 5u);
  EXPECT_EQ(AttributeValueSize(J(R"({"N":"0"})")), 1u);
  EXPECT_EQ(AttributeValueSize(J(R"({"N":"-1"})")), 3u);
}

json::value S(std::string s) {
  json::object o;
  o["S"] = s;
  return o;
}

json::value B(std::string bytes) {
  json::object o;
  o["B"] = Base64Encode(bytes);
  return o;
}

TEST(KeyCodecTest, StringAndBinaryOrderWithZerosAndPrefixes) {
  std::vector<std::string> raw = {"", std::string("\0", 1), std::string("\0\0", 2), std::string("\0\x01", 2),
                                  "a", std::string("a\0", 2), std::string("a\0b", 3), "a\x01", "ab", "abc", "b",
                                  "\x7f", "\xc3\xa9", "\xff", "\xff\xff"};
  for (const char* type : {"S", "B"}) {
    std::vector<std::pair<std::string, std::string>> enc;
    for (const auto& r : raw) {
      json::value av = std::string(type) == "S" ? S(r) : B(r);
      auto e = EncodeKeyValue(av, type);
      ASSERT_TRUE(e.ok());
      std::string_view in = *e;
      auto back = DecodeKeyValue(&in, type);
      ASSERT_TRUE(back.ok());
      EXPECT_TRUE(in.empty());
      EXPECT_EQ(*back, av);
      enc.emplace_back(*e, r);
    }
    for (const auto& [ea, ra] : enc) {
      for (const auto& [eb, rb] : enc) {
        EXPECT_EQ(ea < eb, ra < rb) << type;
        // Self-delimiting: a value followed by anything still sorts by the value.
        if (ra < rb) {
          EXPECT_LT(ea + "\xff\xff", eb);
        }
      }
    }
  }
}

TEST(KeyCodecTest, KeySizeLimits) {
  KeySchema schema{{"pk", "S"}, KeyAttribute{"sk", "B"}};
  auto key = [](size_t pk_bytes, size_t sk_bytes) {
    json::object k;
    k["pk"] = MakeS(std::string(pk_bytes, 'p'));
    json::object b;
    b["B"] = Base64Encode(std::string(sk_bytes, 's'));
    k["sk"] = std::move(b);
    return k;
  };
  EXPECT_TRUE(CheckKeySizes(schema, key(2048, 1024)).ok());
  EXPECT_EQ(CheckKeySizes(schema, key(2049, 1)).message(),
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
  EXPECT_EQ(CheckKeySizes(schema, key(1, 1025)).message(),
            "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
}

TEST(KeyCodecTest, CompositeKeysGroupByPartition) {
  KeySchema schema{{"pk", "S"}, KeyAttribute{"sk", "N"}};
  std::vector<json::object> items;
  for (std::string pk : {std::string("a"), std::string("a\0", 2), std::string("ab"), std::string("")}) {
    for (const char* sk : {"-5", "0", "2.5", "10", "1e100"}) {
      json::object item;
      item["pk"] = S(pk);
      item["sk"] = J(std::string(R"({"N":")") + sk + "\"}");
      items.push_back(item);
    }
  }
  std::vector<std::string> keys;
  for (const auto& item : items) {
    auto k = EncodeItemKey(schema, item);
    ASSERT_TRUE(k.ok());
    auto back = DecodeItemKey(schema, *k);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->at("pk"), item.at("pk"));
    keys.push_back(*k);
  }
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  // Each partition's 5 keys are contiguous and in numeric sort-key order.
  for (size_t p = 0; p < 4; ++p) {
    auto prefix = *EncodePartition(schema, items[p * 5]);
    auto first = std::find(sorted.begin(), sorted.end(), keys[p * 5]) - sorted.begin();
    for (size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(sorted[first + i], keys[p * 5 + i]);
      EXPECT_EQ(sorted[first + i].compare(0, prefix.size(), prefix), 0);
    }
  }
  json::object wrong;
  wrong["pk"] = J(R"({"N":"1"})");
  wrong["sk"] = J(R"({"N":"1"})");
  EXPECT_EQ(EncodeItemKey(schema, wrong).status().message(), "The provided key element does not match the schema");
  json::object missing;
  missing["pk"] = S("a");
  EXPECT_FALSE(EncodeItemKey(schema, missing).ok());
}

}  // namespace
}  // namespace streamer::dynamo
