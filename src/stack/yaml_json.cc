#include "stack/yaml_json.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace streamer::stack {

void AppendJsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out->append(buf);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

namespace {

bool IsJsonNumber(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789+-.eE") != std::string::npos) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  if (*end != '\0') return false;
  // JSON has no leading '+', no leading zeros, no bare '.5' or '5.'.
  size_t i = s[0] == '-' ? 1 : 0;
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  if (s[i] == '0' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) return false;
  size_t dot = s.find('.');
  if (dot != std::string::npos &&
      (dot + 1 >= s.size() || !std::isdigit(static_cast<unsigned char>(s[dot + 1])))) {
    return false;
  }
  return true;
}

bool Append(const YAML::Node& n, int depth, int max_depth, std::string* out, YAML::Node* too_deep) {
  if (depth > max_depth) {
    if (too_deep) too_deep->reset(n);  // rebind: operator= would write into it
    return false;
  }
  if (n.IsMap()) {
    out->push_back('{');
    bool first = true;
    for (const auto& kv : n) {
      if (!first) out->push_back(',');
      first = false;
      AppendJsonString(kv.first.IsScalar() ? kv.first.Scalar() : std::string(), out);
      out->push_back(':');
      if (!Append(kv.second, depth + 1, max_depth, out, too_deep)) return false;
    }
    out->push_back('}');
  } else if (n.IsSequence()) {
    out->push_back('[');
    for (size_t i = 0; i < n.size(); ++i) {
      if (i) out->push_back(',');
      if (!Append(n[i], depth + 1, max_depth, out, too_deep)) return false;
    }
    out->push_back(']');
  } else if (!n || n.IsNull()) {
    out->append("null");
  } else {
    const std::string& s = n.Scalar();
    const bool plain = n.Tag() != "!";
    if (plain && (s == "true" || s == "false" || s == "null")) {
      out->append(s);
    } else if (plain && IsJsonNumber(s)) {
      out->append(s);
    } else {
      AppendJsonString(s, out);
    }
  }
  return true;
}

}  // namespace

bool AppendYamlAsJson(const YAML::Node& n, int max_depth, std::string* out, YAML::Node* too_deep) {
  return Append(n, 0, max_depth, out, too_deep);
}

}  // namespace streamer::stack
