// Lambda's event filter language (EventBridge's pattern language, the subset
// Lambda documents): parsed into a tree of fields and matchers once; matched
// against a record without allocating.
#include "functions/mappings/filter_pattern.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace streamer::functions {

namespace {

// Lambda's answer for every pattern it refuses (InvalidParameterValueException).
constexpr const char* kInvalidPattern = "Invalid filter pattern definition.";
constexpr size_t kMaxPatternChars = 4096;  // Filters[].Pattern length limit
constexpr size_t kMaxFilters = 5;          // Lambda's default quota per mapping

// A number of the pattern or of the record: exact as an integer when it is one
// (so 64-bit ids compare exactly), else as a double (300 == 300.0 == 3e2).
struct Number {
  double d = 0;
  bool is_int = false;
  int64_t i = 0;
};

std::optional<Number> ToNumber(const json::value& v) {
  Number n;
  if (v.is_int64()) {
    n.is_int = true;
    n.i = v.get_int64();
    n.d = static_cast<double>(n.i);
  } else if (v.is_uint64()) {
    uint64_t u = v.get_uint64();
    n.d = static_cast<double>(u);
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      n.is_int = true;
      n.i = static_cast<int64_t>(u);
    }
  } else if (v.is_double()) {
    n.d = v.get_double();
    // An integral double within int64 range compares like the integer.
    if (std::isfinite(n.d) && n.d == std::trunc(n.d) && std::fabs(n.d) < 9.2e18) {
      n.is_int = true;
      n.i = static_cast<int64_t>(n.d);
    }
  } else {
    return std::nullopt;
  }
  return n;
}

bool SameNumber(const Number& a, const Number& b) {
  if (a.is_int && b.is_int) return a.i == b.i;
  return a.d == b.d;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// `s` equals `lower` (already lower case) ignoring ASCII case.
bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (AsciiLower(s[i]) != lower[i]) return false;
  }
  return true;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

// One element of a field's array: a literal or an operator object.
struct Matcher {
  enum Kind {
    kString,            // "x": the string x
    kNumber,            // 300: the number 300 (numerically)
    kNull,              // null
    kBool,              // true / false
    kPrefix,            // {"prefix": "x"}
    kSuffix,            // {"suffix": "x"}
    kEqualsIgnoreCase,  // {"equals-ignore-case": "x"} (text lower-cased)
    kNotStrings,        // {"anything-but": "x" | ["x", ...]}
    kNotNumbers,        // {"anything-but": 1 | [1, ...]}
    kNotPrefix,         // {"anything-but": {"prefix": "x"}}
    kNotSuffix,         // {"anything-but": {"suffix": "x"}}
    kNotIgnoreCase,     // {"anything-but": {"equals-ignore-case": "x" | [...]}} (lower-cased)
    kNumeric,           // {"numeric": [...]}
    kExists,            // {"exists": true}
    kNotExists,         // {"exists": false}
  };
  Kind kind = kString;
  std::string text;
  bool flag = false;  // kBool: the value
  Number number;
  std::vector<std::string> strings;
  std::vector<Number> numbers;
  // kNumeric: a range; an absent bound is unbounded.
  std::optional<Number> low, high;
  bool low_open = false, high_open = false;
};

struct FilterPattern::Node {
  struct Field {
    std::string name;
    std::unique_ptr<Node> child;    // a nested object of the pattern, or
    std::vector<Matcher> matchers;  // its array (OR-ed)
    bool matches_absent = false;    // an {"exists": false} is among the matchers
  };
  std::vector<Field> fields;  // AND-ed
};

namespace {

using Node = FilterPattern::Node;

Status Invalid() { return Status::Validation(kInvalidPattern); }

Result<Matcher> ParseNumeric(const json::array& a) {
  // ["=", n] | [">"|">=", n (, "<"|"<=", m)] | ["<"|"<=", n]
  Matcher m;
  m.kind = Matcher::kNumeric;
  auto op_at = [&](size_t i) -> std::string_view {
    return i < a.size() && a[i].is_string() ? std::string_view(a[i].get_string()) : std::string_view();
  };
  auto num_at = [&](size_t i) { return i < a.size() ? ToNumber(a[i]) : std::nullopt; };
  std::string_view op = op_at(0);
  std::optional<Number> n = num_at(1);
  if (!n || !std::isfinite(n->d)) return Invalid();
  if (op == "=") {
    if (a.size() != 2) return Invalid();
    m.low = m.high = n;
    return m;
  }
  if (op == "<" || op == "<=") {
    if (a.size() != 2) return Invalid();
    m.high = n;
    m.high_open = op == "<";
    return m;
  }
  if (op != ">" && op != ">=") return Invalid();
  m.low = n;
  m.low_open = op == ">";
  if (a.size() == 2) return m;
  std::string_view op2 = op_at(2);
  std::optional<Number> n2 = num_at(3);
  if (a.size() != 4 || (op2 != "<" && op2 != "<=") || !n2 || !std::isfinite(n2->d)) return Invalid();
  if (!(n->d < n2->d)) return Invalid();  // an empty or inverted range
  m.high = n2;
  m.high_open = op2 == "<";
  return m;
}

Result<Matcher> ParseAnythingBut(const json::value& v) {
  Matcher m;
  if (v.is_string()) {
    m.kind = Matcher::kNotStrings;
    m.strings.emplace_back(v.get_string());
    return m;
  }
  if (auto n = ToNumber(v)) {
    m.kind = Matcher::kNotNumbers;
    m.numbers.push_back(*n);
    return m;
  }
  if (v.is_array()) {
    // All strings or all numbers, at least one.
    const json::array& a = v.get_array();
    if (a.empty()) return Invalid();
    bool strings = a[0].is_string();
    m.kind = strings ? Matcher::kNotStrings : Matcher::kNotNumbers;
    for (const json::value& e : a) {
      if (strings && e.is_string()) {
        m.strings.emplace_back(e.get_string());
      } else if (auto n = strings ? std::nullopt : ToNumber(e)) {
        m.numbers.push_back(*n);
      } else {
        return Invalid();
      }
    }
    return m;
  }
  if (!v.is_object() || v.get_object().size() != 1) return Invalid();
  const auto& [key, inner] = *v.get_object().begin();
  if (key == "prefix" || key == "suffix") {
    if (!inner.is_string() || inner.get_string().empty()) return Invalid();
    m.kind = key == "prefix" ? Matcher::kNotPrefix : Matcher::kNotSuffix;
    m.text = inner.get_string();
    return m;
  }
  if (key == "equals-ignore-case") {
    m.kind = Matcher::kNotIgnoreCase;
    if (inner.is_string()) {
      m.strings.push_back(Lower(inner.get_string()));
      return m;
    }
    if (!inner.is_array() || inner.get_array().empty()) return Invalid();
    for (const json::value& e : inner.get_array()) {
      if (!e.is_string()) return Invalid();
      m.strings.push_back(Lower(e.get_string()));
    }
    return m;
  }
  return Invalid();
}

Result<Matcher> ParseMatcher(const json::value& v) {
  Matcher m;
  switch (v.kind()) {
    case json::kind::string:
      m.kind = Matcher::kString;
      m.text = v.get_string();
      return m;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      m.kind = Matcher::kNumber;
      m.number = *ToNumber(v);
      return m;
    case json::kind::null:
      m.kind = Matcher::kNull;
      return m;
    case json::kind::bool_:
      m.kind = Matcher::kBool;
      m.flag = v.get_bool();
      return m;
    case json::kind::array:
      return Invalid();
    case json::kind::object:
      break;
  }
  const json::object& o = v.get_object();
  if (o.size() != 1) return Invalid();  // one operator per object
  const auto& [key, arg] = *o.begin();
  if (key == "prefix" || key == "suffix" || key == "equals-ignore-case") {
    if (!arg.is_string()) return Invalid();
    m.kind = key == "prefix" ? Matcher::kPrefix : key == "suffix" ? Matcher::kSuffix : Matcher::kEqualsIgnoreCase;
    m.text = m.kind == Matcher::kEqualsIgnoreCase ? Lower(arg.get_string()) : std::string(arg.get_string());
    return m;
  }
  if (key == "anything-but") return ParseAnythingBut(arg);
  if (key == "numeric") {
    if (!arg.is_array()) return Invalid();
    return ParseNumeric(arg.get_array());
  }
  if (key == "exists") {
    if (!arg.is_bool()) return Invalid();
    m.kind = arg.get_bool() ? Matcher::kExists : Matcher::kNotExists;
    return m;
  }
  // EventBridge's wildcard, cidr and $or are not in Lambda's language.
  return Invalid();
}

Result<std::unique_ptr<Node>> ParseObject(const json::object& o) {
  if (o.empty()) return Invalid();  // an empty object matches nothing: refused
  auto node = std::make_unique<Node>();
  node->fields.reserve(o.size());
  for (const auto& [key, value] : o) {
    Node::Field field;
    field.name = key;
    if (value.is_object()) {
      auto child = ParseObject(value.get_object());
      if (!child.ok()) return child.status();
      field.child = std::move(*child);
    } else if (value.is_array()) {
      const json::array& a = value.get_array();
      if (a.empty()) return Invalid();
      for (const json::value& e : a) {
        auto m = ParseMatcher(e);
        if (!m.ok()) return m.status();
        field.matches_absent |= m->kind == Matcher::kNotExists;
        field.matchers.push_back(std::move(*m));
      }
    } else {
      return Invalid();  // a leaf must be an array
    }
    node->fields.push_back(std::move(field));
  }
  return node;
}

bool InRange(const Matcher& m, const Number& n) {
  auto cmp = [](const Number& a, const Number& b) {  // -1, 0, 1
    if (a.is_int && b.is_int) return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
  };
  if (m.low) {
    int c = cmp(n, *m.low);
    if (c < 0 || (c == 0 && m.low_open)) return false;
  }
  if (m.high) {
    int c = cmp(n, *m.high);
    if (c > 0 || (c == 0 && m.high_open)) return false;
  }
  return true;
}

// One leaf value of the record (not an object or array) against one matcher.
bool MatchLeaf(const Matcher& m, const json::value& v) {
  switch (m.kind) {
    case Matcher::kString:
      return v.is_string() && v.get_string() == m.text;
    case Matcher::kNumber: {
      auto n = ToNumber(v);
      return n && SameNumber(*n, m.number);
    }
    case Matcher::kNull:
      return v.is_null();
    case Matcher::kBool:
      return v.is_bool() && v.get_bool() == m.flag;
    case Matcher::kPrefix:
      return v.is_string() && StartsWith(v.get_string(), m.text);
    case Matcher::kSuffix:
      return v.is_string() && EndsWith(v.get_string(), m.text);
    case Matcher::kEqualsIgnoreCase:
      return v.is_string() && EqualsLower(v.get_string(), m.text);
    case Matcher::kNotStrings:
      // Any value but one of the strings (a number or null is "anything but").
      if (!v.is_string()) return true;
      for (const std::string& s : m.strings) {
        if (v.get_string() == s) return false;
      }
      return true;
    case Matcher::kNotNumbers: {
      // Numeric anything-but compares numbers only.
      auto n = ToNumber(v);
      if (!n) return false;
      for (const Number& x : m.numbers) {
        if (SameNumber(*n, x)) return false;
      }
      return true;
    }
    case Matcher::kNotPrefix:
      return !v.is_string() || !StartsWith(v.get_string(), m.text);
    case Matcher::kNotSuffix:
      return !v.is_string() || !EndsWith(v.get_string(), m.text);
    case Matcher::kNotIgnoreCase:
      if (!v.is_string()) return true;
      for (const std::string& s : m.strings) {
        if (EqualsLower(v.get_string(), s)) return false;
      }
      return true;
    case Matcher::kNumeric: {
      auto n = ToNumber(v);
      return n && InRange(m, *n);
    }
    case Matcher::kExists:
      return true;  // any leaf value, null included
    case Matcher::kNotExists:
      return false;
  }
  return false;
}

// Some leaf of `v` (v itself, or an element of an array, arrays flattened)
// matches one of the field's matchers. `*leaves` counts the leaves seen.
bool AnyLeafMatches(const Node::Field& f, const json::value& v, int* leaves) {
  if (v.is_array()) {
    for (const json::value& e : v.get_array()) {
      if (AnyLeafMatches(f, e, leaves)) return true;
    }
    return false;
  }
  if (v.is_object()) return false;  // not a leaf: only "exists": false sees it (as absent)
  ++*leaves;
  for (const Matcher& m : f.matchers) {
    if (MatchLeaf(m, v)) return true;
  }
  return false;
}

bool MatchObject(const Node& node, const json::object* o);

// A nested pattern against what the record has there: an object is matched
// field by field, an array matches if one of its elements does (all fields
// against the same element), anything else is matched as an empty object.
bool MatchNested(const Node& node, const json::value* v) {
  if (v && v->is_object()) return MatchObject(node, &v->get_object());
  if (v && v->is_array() && !v->get_array().empty()) {
    for (const json::value& e : v->get_array()) {
      if (MatchNested(node, &e)) return true;
    }
    return false;
  }
  return MatchObject(node, nullptr);
}

bool MatchObject(const Node& node, const json::object* o) {
  for (const Node::Field& f : node.fields) {
    const json::value* v = o ? o->if_contains(f.name) : nullptr;
    if (f.child) {
      if (!MatchNested(*f.child, v)) return false;
      continue;
    }
    if (!v) {
      if (!f.matches_absent) return false;  // a missing field matches only exists:false
      continue;
    }
    int leaves = 0;
    if (AnyLeafMatches(f, *v, &leaves)) continue;
    // No leaf there at all (an object, an empty array): counts as absent.
    if (leaves == 0 && f.matches_absent) continue;
    return false;
  }
  return true;
}

}  // namespace

Result<FilterPattern> FilterPattern::Parse(std::string_view pattern_json) {
  if (pattern_json.empty() || Utf8Chars(pattern_json) > kMaxPatternChars) return Invalid();
  auto parsed = ParseJson(pattern_json);
  if (!parsed.ok() || !parsed->is_object()) return Invalid();
  auto root = ParseObject(parsed->get_object());
  if (!root.ok()) return root.status();
  FilterPattern p;
  p.root_ = std::shared_ptr<const Node>(std::move(*root));
  return p;
}

bool FilterPattern::Matches(const json::value& record) const {
  if (!root_) return false;
  return MatchNested(*root_, &record);
}

Result<FilterCriteria> FilterCriteria::Parse(const std::vector<std::string>& patterns) {
  if (patterns.size() > kMaxFilters) {
    return Status::Validation("The number of filters exceeds the limit of " + std::to_string(kMaxFilters) +
                              ".");
  }
  FilterCriteria c;
  for (const std::string& text : patterns) {
    auto p = FilterPattern::Parse(text);
    if (!p.ok()) return p.status();
    c.filters_.push_back(std::move(*p));
  }
  return c;
}

bool FilterCriteria::Matches(const json::value& record) const {
  if (filters_.empty()) return true;
  for (const FilterPattern& f : filters_) {
    if (f.Matches(record)) return true;
  }
  return false;
}

}  // namespace streamer::functions
