#include "functions/handlers/log_handler.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>

namespace streamer::functions {
namespace {

void AppendUnicodeEscape(std::string& out, unsigned cp) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", cp);
  out += buf;
}

// ensure_ascii=True: everything outside printable ASCII is escaped; code
// points above U+FFFF become a UTF-16 surrogate pair, as Python does.
void AppendPythonString(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    // A run of printable ASCII other than '"' and '\\' is copied as it is, at
    // once (every record is printed: this is the log function's hot loop).
    size_t run = i;
    while (run < s.size()) {
      unsigned char r = static_cast<unsigned char>(s[run]);
      if (r < 0x20 || r >= 0x80 || r == '"' || r == '\\') break;
      ++run;
    }
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) AppendUnicodeEscape(out, c);
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence (Boost.JSON has validated the input).
    int len = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2;
    unsigned cp = c & (0x3F >> (len - 1));
    for (int k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      AppendUnicodeEscape(out, 0xD800 + (cp >> 10));
      AppendUnicodeEscape(out, 0xDC00 + (cp & 0x3FF));
    } else {
      AppendUnicodeEscape(out, cp);
    }
  }
  out += '"';
}

// Python's float repr: shortest round-trip digits; fixed notation for
// exponents -4..15 (always with a fractional part), else d.ddde+XX.
void AppendPythonFloat(std::string& out, double d) {
  if (std::isnan(d)) { out += "NaN"; return; }
  if (std::isinf(d)) { out += d < 0 ? "-Infinity" : "Infinity"; return; }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, end);  // e.g. "-1.7e+09"
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exp = std::stoi(sci.substr(e + 1));
  if (negative) out += '-';
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      std::string int_part = digits.substr(0, std::min<size_t>(digits.size(), exp + 1));
      int_part.append(exp + 1 - int_part.size(), '0');
      std::string frac = digits.size() > static_cast<size_t>(exp + 1) ? digits.substr(exp + 1) : "0";
      out += int_part + "." + frac;
    } else {
      out += "0." + std::string(-exp - 1, '0') + digits;
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    out += ebuf;
  }
}

void AppendPython(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: out += std::to_string(v.get_int64()); break;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case json::kind::double_: AppendPythonFloat(out, v.get_double()); break;
    case json::kind::string: AppendPythonString(out, v.get_string()); break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        AppendPython(out, e);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ", ";
        first = false;
        AppendPythonString(out, kv.key());
        out += ": ";
        AppendPython(out, kv.value());
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

std::string PythonJsonDumps(const json::value& v) {
  std::string out;
  out.reserve(512);
  AppendPython(out, v);
  return out;
}

void WriteToStdout(const std::string& function_name, std::string_view line) {
  static std::mutex stdout_mutex;
  std::string text;
  text.reserve(function_name.size() + line.size() + 4);
  text += '[';
  text += function_name;
  text += "] ";
  text += line;
  text += '\n';
  std::lock_guard<std::mutex> lock(stdout_mutex);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

LogHandler::LogHandler(std::string function_name, LogSink sink)
    : name_(std::move(function_name)), sink_(std::move(sink)) {}

InvokeResult LogHandler::Invoke(const InvokeRequest& request) {
  const std::string& event_json = request.payload;
  auto start = std::chrono::steady_clock::now();
  Result<json::value> event = ParseJson(event_json);
  // An event that is not JSON is printed as it came.
  sink_(name_, "request: " + (event.ok() ? PythonJsonDumps(*event) : event_json));
  InvokeResult r;
  r.ok = true;
  r.payload = "null";
  r.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace streamer::functions
