#include "gateway/vtl/util_functions.h"

#include "core/base64.h"

#include <cstdint>

namespace streamer::vtl {
namespace {

const char kHexUpper[] = "0123456789ABCDEF";

void AppendU(std::string& out, uint32_t unit) {
  out += "\\u";
  out += kHexUpper[(unit >> 12) & 15];
  out += kHexUpper[(unit >> 8) & 15];
  out += kHexUpper[(unit >> 4) & 15];
  out += kHexUpper[unit & 15];
}

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes decode as
// U+FFFD (Java would have replaced them when building the String).
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + static_cast<size_t>(len) > s.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((cc & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += static_cast<size_t>(len);
  return cp;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string EscapeJavaScript(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8 + 8);
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      switch (c) {
        case '\'': out += "\\'"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '/': out += "\\/"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20) {
            AppendU(out, c);
          } else {
            out += static_cast<char>(c);
          }
      }
      continue;
    }
    uint32_t cp = NextCodePoint(s, i);
    if (cp >= 0x10000) {  // a surrogate pair in Java's UTF-16
      cp -= 0x10000;
      AppendU(out, 0xD800 + (cp >> 10));
      AppendU(out, 0xDC00 + (cp & 0x3FF));
    } else {
      AppendU(out, cp);
    }
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
        c == '-' || c == '*' || c == '_') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHexUpper[c >> 4];
      out += kHexUpper[c & 15];
    }
  }
  return out;
}

std::optional<std::string> UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string Base64Encode(std::string_view s) { return streamer::Base64Encode(s); }

std::optional<std::string> Base64Decode(std::string_view s) { return streamer::Base64DecodeLenient(s); }

}  // namespace streamer::vtl
