#include "gateway/vtl/util_functions.h"

#include <gtest/gtest.h>

#include "gateway/vtl/vtl.h"

namespace streamer::vtl {
namespace {

TEST(EscapeJavaScript, QuotesAndBackslashes) {
  // The example from Commons Lang's documentation of escapeJavaScript.
  EXPECT_EQ(EscapeJavaScript("He didn't say, \"Stop!\""), "He didn\\'t say, \\\"Stop!\\\"");
  EXPECT_EQ(EscapeJavaScript("a\\b"), "a\\\\b");
  EXPECT_EQ(EscapeJavaScript("</script>"), "<\\/script>");
  EXPECT_EQ(EscapeJavaScript(""), "");
  EXPECT_EQ(EscapeJavaScript("plain text 123"), "plain text 123");
}

TEST(EscapeJavaScript, ControlCharacters) {
  EXPECT_EQ(EscapeJavaScript("a\nb\tc\rd\be\ff"), "a\\nb\\tc\\rd\\be\\ff");
  EXPECT_EQ(EscapeJavaScript(std::string("\x01\x1f", 2)), "\\u0001\\u001F");
  EXPECT_EQ(EscapeJavaScript(std::string("a\0b", 3)), "a\\u0000b");
  EXPECT_EQ(EscapeJavaScript("\x7f"), "\x7f");  // DEL is printable ASCII to Commons Lang
}

TEST(EscapeJavaScript, NonAsciiBecomesUnicodeEscapes) {
  EXPECT_EQ(EscapeJavaScript("é"), "\\u00E9");
  EXPECT_EQ(EscapeJavaScript("€"), "\\u20AC");
  EXPECT_EQ(EscapeJavaScript("😀"), "\\uD83D\\uDE00");  // surrogate pair, like Java
  EXPECT_EQ(EscapeJavaScript("\xff"), "\\uFFFD");        // invalid UTF-8 byte
}

TEST(UrlEncode, FormEncoding) {
  EXPECT_EQ(UrlEncode("a b&c=d/e?f"), "a+b%26c%3Dd%2Fe%3Ff");
  EXPECT_EQ(UrlEncode("AZaz09.-*_"), "AZaz09.-*_");
  EXPECT_EQ(UrlEncode("~é"), "%7E%C3%A9");
  EXPECT_EQ(UrlEncode(""), "");
}

TEST(UrlDecode, RoundTripAndErrors) {
  EXPECT_EQ(UrlDecode("a+b%26c%3dd"), std::optional<std::string>("a b&c=d"));
  EXPECT_EQ(UrlDecode(UrlEncode("héllo wörld/?&")), std::optional<std::string>("héllo wörld/?&"));
  EXPECT_EQ(UrlDecode("100%"), std::nullopt);
  EXPECT_EQ(UrlDecode("%4"), std::nullopt);
  EXPECT_EQ(UrlDecode("%zz"), std::nullopt);
}

TEST(Base64, EncodeDecode) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Decode("Zm9vYmFy"), std::optional<std::string>("foobar"));
  EXPECT_EQ(Base64Decode("Zg=="), std::optional<std::string>("f"));
  EXPECT_EQ(Base64Decode("Zm8"), std::optional<std::string>("fo"));  // padding optional
  EXPECT_EQ(Base64Decode("Zm9v!"), std::nullopt);
  EXPECT_EQ(Base64Decode("Z"), std::nullopt);
  std::string binary("\x00\xff\x10\x80", 4);
  EXPECT_EQ(Base64Decode(Base64Encode(binary)), std::optional<std::string>(binary));
}

TEST(JavaDouble, ToStringRules) {
  EXPECT_EQ(FormatJavaDouble(1.0), "1.0");
  EXPECT_EQ(FormatJavaDouble(0.5), "0.5");
  EXPECT_EQ(FormatJavaDouble(-2.25), "-2.25");
  EXPECT_EQ(FormatJavaDouble(100.0), "100.0");
  EXPECT_EQ(FormatJavaDouble(0.001), "0.001");
  EXPECT_EQ(FormatJavaDouble(0.0001), "1.0E-4");
  EXPECT_EQ(FormatJavaDouble(1234567.0), "1234567.0");
  EXPECT_EQ(FormatJavaDouble(1e7), "1.0E7");
  EXPECT_EQ(FormatJavaDouble(1.5e10), "1.5E10");
  EXPECT_EQ(FormatJavaDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatJavaDouble(0.0), "0.0");
  EXPECT_EQ(FormatJavaDouble(-0.0), "-0.0");
  EXPECT_EQ(FormatJavaDouble(1.0 / 0.0), "Infinity");
}

}  // namespace
}  // namespace streamer::vtl
