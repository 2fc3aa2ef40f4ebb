#include "gateway/validation/json_schema.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

namespace streamer::gateway {
namespace {

// Schemas nest at most this deep (the JSON parser allows 256 levels);
// validation goes at most this many schema applications deep, and visits
// at most kWorkBase + kWorkPerValue per value of the instance (schema,
// value) pairs: a schema whose $refs fan out
// (anyOf of refs of anyOf ...) cannot hold a request thread for long.
constexpr int kMaxSchemaDepth = 200;
constexpr int kMaxValidateDepth = 400;
constexpr long kWorkBase = 200'000;
constexpr long kWorkPerValue = 32;

// How many values `v` holds (itself included), without recursion.
long CountValues(const json::value& v) {
  long count = 0;
  std::vector<const json::value*> stack{&v};
  while (!stack.empty()) {
    const json::value* x = stack.back();
    stack.pop_back();
    ++count;
    if (const json::array* a = x->if_array()) {
      for (const auto& e : *a) stack.push_back(&e);
    } else if (const json::object* o = x->if_object()) {
      for (const auto& m : *o) stack.push_back(&m.value());
    }
  }
  return count;
}

enum TypeBit : unsigned {
  kNull = 1,
  kBoolean = 2,
  kObject = 4,
  kArray = 8,
  kNumber = 16,
  kInteger = 32,
  kString = 64,
};

std::optional<unsigned> TypeBitOf(std::string_view name) {
  if (name == "null") return kNull;
  if (name == "boolean") return kBoolean;
  if (name == "object") return kObject;
  if (name == "array") return kArray;
  if (name == "number") return kNumber;
  if (name == "integer") return kInteger;
  if (name == "string") return kString;
  return std::nullopt;
}

// Draft-04: an integer is a number without a fraction or exponent part, so
// 1 is an integer and 1.0 is not (the parser keeps 1.0 a double).
unsigned InstanceBit(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return kNull;
    case json::kind::bool_: return kBoolean;
    case json::kind::object: return kObject;
    case json::kind::array: return kArray;
    case json::kind::int64:
    case json::kind::uint64: return kInteger | kNumber;
    case json::kind::double_: return kNumber;
    case json::kind::string: return kString;
  }
  return 0;
}

bool IsIntegral(const json::value& v) { return v.is_int64() || v.is_uint64(); }

__int128 AsInt128(const json::value& v) {
  return v.is_int64() ? static_cast<__int128>(v.get_int64()) : static_cast<__int128>(v.get_uint64());
}

long double AsLongDouble(const json::value& v) {
  if (v.is_int64()) return static_cast<long double>(v.get_int64());
  if (v.is_uint64()) return static_cast<long double>(v.get_uint64());
  return static_cast<long double>(v.get_double());
}

// -1, 0, 1; integers compared exactly, anything else as long double.
int CompareNumbers(const json::value& a, const json::value& b) {
  if (IsIntegral(a) && IsIntegral(b)) {
    const __int128 x = AsInt128(a), y = AsInt128(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const long double x = AsLongDouble(a), y = AsLongDouble(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool IsMultipleOf(const json::value& x, const json::value& m) {
  if (IsIntegral(x) && IsIntegral(m)) {
    const __int128 d = AsInt128(m);
    return d != 0 && AsInt128(x) % d == 0;
  }
  const long double q = AsLongDouble(x) / AsLongDouble(m);
  if (!std::isfinite(q)) return false;
  // Decimal fractions are not exact in binary (0.3 / 0.1 = 2.9999999999999996):
  // a quotient within a relative 1e-9 of an integer counts as one.
  const long double r = std::fabs(q - std::nearbyint(q));
  return r <= 1e-9L * std::max(1.0L, std::fabs(q));
}

// Draft-04 equality: numbers by mathematical value, objects regardless of
// member order.
bool JsonEqual(const json::value& a, const json::value& b) {
  const bool an = a.is_number(), bn = b.is_number();
  if (an || bn) return an && bn && CompareNumbers(a, b) == 0;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::array: {
      const auto &x = a.get_array(), &y = b.get_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!JsonEqual(x[i], y[i])) return false;
      }
      return true;
    }
    case json::kind::object: {
      const auto &x = a.get_object(), &y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& m : x) {
        const json::value* other = y.if_contains(m.key());
        if (!other || !JsonEqual(m.value(), *other)) return false;
      }
      return true;
    }
    default: return a == b;
  }
}

// A form in which JsonEqual values are equal strings (uniqueItems in
// linear time): numbers normalized, members sorted.
void Canonical(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::int64: out += std::to_string(v.get_int64()); return;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); return;
    case json::kind::double_: {
      const double d = v.get_double();
      if (std::isfinite(d) && d == std::nearbyint(d) && std::fabs(d) < 9.2e18) {
        out += std::to_string(static_cast<long long>(d));
      } else {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", d);
        out += buf;
      }
      return;
    }
    case json::kind::array: {
      out += '[';
      for (const auto& e : v.get_array()) {
        Canonical(e, out);
        out += ',';
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      std::vector<const json::key_value_pair*> members;
      for (const auto& m : v.get_object()) members.push_back(&m);
      std::sort(members.begin(), members.end(),
                [](auto* a, auto* b) { return a->key() < b->key(); });
      out += '{';
      for (const auto* m : members) {
        out += json::serialize(json::string(m->key()));
        out += ':';
        Canonical(m->value(), out);
        out += ',';
      }
      out += '}';
      return;
    }
    default: out += json::serialize(v); return;
  }
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// ECMA 262 regex (what JSON schema specifies) into RE2 syntax where they
// differ in spelling: \uXXXX and named groups (?<name>. Lookarounds and
// backreferences have no RE2 form: RE2 refuses them and so does Compile.
std::string EcmaToRe2(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 8);
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      if (p[i + 1] == 'u' && i + 5 < p.size()) {
        bool hex = true;
        for (size_t k = i + 2; k < i + 6; ++k) hex = hex && std::isxdigit(static_cast<unsigned char>(p[k]));
        if (hex) {
          out += "\\x{";
          out.append(p.substr(i + 2, 4));
          out += '}';
          i += 5;
          continue;
        }
      }
      out += c;
      out += p[++i];
      continue;
    }
    if (c == '(' && p.substr(i, 3) == "(?<" && i + 3 < p.size() && p[i + 3] != '=' && p[i + 3] != '!') {
      out += "(?P<";
      i += 2;
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

struct Node {
  int ref = -1;  // set: this schema is a $ref and nothing else applies
  bool ref_resolved = false;  // ref is a node that is not a $ref
  unsigned types = 0;  // 0 = any type
  bool nullable = false;
  // objects
  std::map<std::string, int, std::less<>> properties;
  std::vector<std::pair<std::unique_ptr<RE2>, int>> pattern_properties;
  bool has_additional_properties = false;
  int additional_properties = -1;  // -1 with has_: false (nothing more allowed)
  std::vector<std::string> required;
  std::optional<uint64_t> min_properties, max_properties;
  std::vector<std::pair<std::string, std::vector<std::string>>> property_dependencies;
  std::vector<std::pair<std::string, int>> schema_dependencies;
  // arrays
  int items = -1;
  bool items_tuple = false;
  std::vector<int> tuple;
  bool has_additional_items = false;
  int additional_items = -1;
  std::optional<uint64_t> min_items, max_items;
  bool unique_items = false;
  // strings
  std::optional<uint64_t> min_length, max_length;
  std::unique_ptr<RE2> pattern;
  // numbers
  std::optional<json::value> minimum, maximum, multiple_of;
  bool exclusive_minimum = false, exclusive_maximum = false;
  // any
  std::optional<json::array> enum_values;
  std::vector<int> all_of, any_of, one_of;
  int not_ = -1;
};

struct JsonSchema::Compiled {
  std::vector<std::unique_ptr<Node>> nodes;  // nodes[0] is the root
};

namespace {

class Compiler {
 public:
  Compiler(const std::map<std::string, std::string>* documents, JsonSchema::Compiled* out)
      : documents_(documents), out_(out) {}

  Result<int> CompileRoot(const std::string& name, const json::value* given) {
    const json::value* root = given;
    if (!root) {
      auto doc = Document(name);
      if (!doc.ok()) return doc.status();
      root = *doc;
    }
    auto idx = Build(*root, *root, name, "#", 0);
    if (!idx.ok()) return idx;
    // $refs are compiled from a work list, not recursively: a long chain of
    // references cannot exhaust the stack.
    while (!pending_.empty()) {
      Pending p = std::move(pending_.back());
      pending_.pop_back();
      auto target = Resolve(p);
      if (!target.ok()) return target.status();
      auto t = Build(*target->value, *target->doc, target->doc_name, target->where, 0);
      if (!t.ok()) return t;
      out_->nodes[p.node]->ref = *t;
    }
    // A $ref that leads only to $refs and back would never end. Each chain
    // is followed once (every node on it then points at its end).
    const size_t n = out_->nodes.size();
    std::vector<int> chain;
    for (size_t i = 0; i < n; ++i) {
      chain.clear();
      int at = static_cast<int>(i);
      while (out_->nodes[at]->ref >= 0 && !out_->nodes[at]->ref_resolved) {
        chain.push_back(at);
        at = out_->nodes[at]->ref;
        if (chain.size() > n) return Status::Validation("circular $ref in model " + name);
      }
      if (out_->nodes[at]->ref >= 0) at = out_->nodes[at]->ref;  // resolved earlier: its end
      for (int c : chain) {
        out_->nodes[c]->ref = at;
        out_->nodes[c]->ref_resolved = true;
      }
    }
    return *idx;
  }

 private:
  struct Pending {
    int node;
    const json::value* doc;
    std::string doc_name;
    std::string ref;
  };
  struct Target {
    const json::value* value;
    const json::value* doc;
    std::string doc_name;
    std::string where;
  };

  Result<const json::value*> Document(const std::string& name) {
    if (auto it = parsed_.find(name); it != parsed_.end()) return &it->second;
    if (!documents_) return Status::Validation("no model named " + name);
    auto it = documents_->find(name);
    if (it == documents_->end()) return Status::Validation("no model named " + name);
    auto v = ParseJson(it->second);
    if (!v.ok()) return Status::Validation("model " + name + " is not JSON");
    return &parsed_.emplace(name, std::move(*v)).first->second;
  }

  static std::string PercentDecode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  // The JSON pointer's tokens ("/a~1b/0" -> {"a/b", "0"}); nullopt = not a pointer.
  static std::optional<std::vector<std::string>> PointerTokens(const std::string& pointer) {
    std::vector<std::string> tokens;
    if (pointer.empty()) return tokens;
    if (pointer[0] != '/') return std::nullopt;
    size_t start = 1;
    while (true) {
      const size_t end = pointer.find('/', start);
      std::string raw = pointer.substr(start, end == std::string::npos ? std::string::npos : end - start);
      std::string token;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          token += raw[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          token += raw[i];
        }
      }
      tokens.push_back(std::move(token));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return tokens;
  }

  static const json::value* Walk(const json::value* at, const std::vector<std::string>& tokens, size_t from) {
    for (size_t i = from; i < tokens.size() && at; ++i) {
      if (const json::object* o = at->if_object()) {
        at = o->if_contains(tokens[i]);
      } else if (const json::array* a = at->if_array()) {
        const std::string& t = tokens[i];
        if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos ||
            (t.size() > 1 && t[0] == '0')) {
          return nullptr;
        }
        const size_t index = std::stoul(t);
        at = index < a->size() ? &(*a)[index] : nullptr;
      } else {
        return nullptr;
      }
    }
    return at;
  }

  Result<Target> Resolve(const Pending& p) {
    const size_t hash = p.ref.find('#');
    const std::string uri = p.ref.substr(0, hash);
    const std::string pointer = hash == std::string::npos ? "" : PercentDecode(p.ref.substr(hash + 1));
    const auto bad = [&] { return Status::Validation("model " + p.doc_name + ": unresolvable $ref " + p.ref); };
    auto tokens = PointerTokens(pointer);
    if (!tokens) return bad();
    const json::value* doc = p.doc;
    std::string doc_name = p.doc_name;
    if (!uri.empty()) {
      // "Name", ".../restapis/<id>/models/Name": the model's name is the last segment.
      const size_t slash = uri.find_last_of('/');
      const std::string name = uri.substr(slash == std::string::npos ? 0 : slash + 1);
      auto d = Document(name);
      if (!d.ok()) return bad();
      doc = *d;
      doc_name = name;
    }
    if (const json::value* v = Walk(doc, *tokens, 0)) return Target{v, doc, doc_name, "#" + pointer};
    // "#/definitions/Name[/...]" (Swagger 2) or "#/components/schemas/Name[/...]"
    // (OpenAPI 3): another model, as API Gateway's models refer to each other.
    size_t name_at = 0;
    if (tokens->size() >= 2 && (*tokens)[0] == "definitions") {
      name_at = 1;
    } else if (tokens->size() >= 3 && (*tokens)[0] == "components" && (*tokens)[1] == "schemas") {
      name_at = 2;
    }
    if (uri.empty() && name_at && documents_ && documents_->count((*tokens)[name_at])) {
      const std::string& name = (*tokens)[name_at];
      auto d = Document(name);
      if (!d.ok()) return d.status();
      if (const json::value* v = Walk(*d, *tokens, name_at + 1)) {
        std::string rest;
        for (size_t i = name_at + 1; i < tokens->size(); ++i) rest += "/" + (*tokens)[i];
        return Target{v, *d, name, "#" + rest};
      }
    }
    return bad();
  }

  Status Error(const std::string& doc_name, const std::string& where, const std::string& what) {
    return Status::Validation("model " + doc_name + " at " + where + ": " + what);
  }

  Result<uint64_t> Count(const json::value& v, const std::string& doc_name, const std::string& where,
                         std::string_view keyword) {
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0) return static_cast<uint64_t>(v.get_int64());
    if (v.is_double() && v.get_double() >= 0 && v.get_double() == std::nearbyint(v.get_double()) &&
        v.get_double() < 1.8e19) {
      return static_cast<uint64_t>(v.get_double());
    }
    return Error(doc_name, where, std::string(keyword) + " must be a non-negative integer");
  }

  Result<std::unique_ptr<RE2>> Regex(const std::string& pattern, const std::string& doc_name,
                                     const std::string& where) {
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(EcmaToRe2(pattern), options);
    if (!re->ok()) {
      return Error(doc_name, where,
                   "pattern " + json::serialize(json::string(pattern)) +
                       " is not a regular expression we support (" + re->error() + ")");
    }
    return re;
  }

  Result<int> Build(const json::value& s, const json::value& doc, const std::string& doc_name,
                    const std::string& where, int depth) {
    if (auto it = memo_.find(&s); it != memo_.end()) return it->second;
    if (depth > kMaxSchemaDepth) return Error(doc_name, where, "schema nested too deep");
    const json::object* o = s.if_object();
    if (!o) return Error(doc_name, where, "a schema must be a JSON object");
    const int idx = static_cast<int>(out_->nodes.size());
    out_->nodes.push_back(std::make_unique<Node>());
    memo_[&s] = idx;
    if (const json::value* ref = o->if_contains("$ref")) {
      if (!ref->is_string()) return Error(doc_name, where, "$ref must be a string");
      pending_.push_back({idx, &doc, doc_name, std::string(ref->get_string())});
      return idx;  // draft-04: a $ref's siblings are ignored
    }
    // Children first (they may add nodes), then fill this node by index.
    const auto child = [&](const json::value& v, const std::string& path) -> Result<int> {
      return Build(v, doc, doc_name, where + "/" + path, depth + 1);
    };
    const auto schema_list = [&](const json::value& v, const char* keyword) -> Result<std::vector<int>> {
      const json::array* a = v.if_array();
      if (!a || a->empty()) return Error(doc_name, where, std::string(keyword) + " must be a non-empty array");
      std::vector<int> out;
      for (size_t i = 0; i < a->size(); ++i) {
        auto c = child((*a)[i], std::string(keyword) + "/" + std::to_string(i));
        if (!c.ok()) return c.status();
        out.push_back(*c);
      }
      return out;
    };
    const auto node = [&]() -> Node& { return *out_->nodes[idx]; };
    for (const auto& member : *o) {
      const std::string_view key = member.key();
      const json::value& v = member.value();
      if (key == "type") {
        unsigned bits = 0;
        const auto add = [&](const json::value& t) -> Status {
          const json::string* name = t.if_string();
          auto bit = name ? TypeBitOf(*name) : std::nullopt;
          if (!bit) return Error(doc_name, where, "unknown type " + json::serialize(t));
          bits |= *bit;
          return Status::Ok();
        };
        if (const json::array* a = v.if_array()) {
          if (a->empty()) return Error(doc_name, where, "type must not be an empty array");
          for (const auto& t : *a) {
            if (Status st = add(t); !st.ok()) return st;
          }
        } else if (Status st = add(v); !st.ok()) {
          return st;
        }
        node().types = bits;
      } else if (key == "nullable") {
        if (!v.is_bool()) return Error(doc_name, where, "nullable must be a boolean");
        node().nullable = v.get_bool();
      } else if (key == "properties" || key == "patternProperties") {
        const json::object* props = v.if_object();
        if (!props) return Error(doc_name, where, std::string(key) + " must be an object");
        for (const auto& p : *props) {
          auto c = child(p.value(), std::string(key) + "/" + std::string(p.key()));
          if (!c.ok()) return c;
          if (key == "properties") {
            node().properties[std::string(p.key())] = *c;
          } else {
            auto re = Regex(std::string(p.key()), doc_name, where);
            if (!re.ok()) return re.status();
            node().pattern_properties.emplace_back(std::move(*re), *c);
          }
        }
      } else if (key == "additionalProperties" || key == "additionalItems") {
        const bool props = key == "additionalProperties";
        int target = -1;
        if (v.is_bool()) {
          if (v.get_bool()) continue;  // true: the same as absent
        } else {
          auto c = child(v, std::string(key));
          if (!c.ok()) return c;
          target = *c;
        }
        (props ? node().has_additional_properties : node().has_additional_items) = true;
        (props ? node().additional_properties : node().additional_items) = target;
      } else if (key == "required") {
        const json::array* a = v.if_array();
        if (!a) return Error(doc_name, where, "required must be an array of strings");
        for (const auto& r : *a) {
          if (!r.is_string()) return Error(doc_name, where, "required must be an array of strings");
          node().required.emplace_back(r.get_string());
        }
      } else if (key == "minProperties" || key == "maxProperties" || key == "minItems" || key == "maxItems" ||
                 key == "minLength" || key == "maxLength") {
        auto c = Count(v, doc_name, where, key);
        if (!c.ok()) return c.status();
        Node& x = node();
        (key == "minProperties"   ? x.min_properties
         : key == "maxProperties" ? x.max_properties
         : key == "minItems"      ? x.min_items
         : key == "maxItems"      ? x.max_items
         : key == "minLength"     ? x.min_length
                                  : x.max_length) = *c;
      } else if (key == "dependencies") {
        const json::object* deps = v.if_object();
        if (!deps) return Error(doc_name, where, "dependencies must be an object");
        for (const auto& d : *deps) {
          if (const json::array* names = d.value().if_array()) {
            std::vector<std::string> list;
            for (const auto& name : *names) {
              if (!name.is_string()) return Error(doc_name, where, "dependencies lists names (strings)");
              list.emplace_back(name.get_string());
            }
            node().property_dependencies.emplace_back(std::string(d.key()), std::move(list));
          } else {
            auto c = child(d.value(), "dependencies/" + std::string(d.key()));
            if (!c.ok()) return c;
            node().schema_dependencies.emplace_back(std::string(d.key()), *c);
          }
        }
      } else if (key == "items") {
        if (v.is_array()) {
          std::vector<int> list;
          const json::array& a = v.get_array();
          for (size_t i = 0; i < a.size(); ++i) {
            auto c = child(a[i], "items/" + std::to_string(i));
            if (!c.ok()) return c;
            list.push_back(*c);
          }
          node().items_tuple = true;
          node().tuple = std::move(list);
        } else {
          auto c = child(v, "items");
          if (!c.ok()) return c;
          node().items = *c;
        }
      } else if (key == "uniqueItems") {
        if (!v.is_bool()) return Error(doc_name, where, "uniqueItems must be a boolean");
        node().unique_items = v.get_bool();
      } else if (key == "pattern") {
        if (!v.is_string()) return Error(doc_name, where, "pattern must be a string");
        auto re = Regex(std::string(v.get_string()), doc_name, where);
        if (!re.ok()) return re.status();
        node().pattern = std::move(*re);
      } else if (key == "enum") {
        if (!v.is_array()) return Error(doc_name, where, "enum must be an array");
        node().enum_values = v.get_array();
      } else if (key == "multipleOf") {
        if (!v.is_number() || AsLongDouble(v) <= 0) {
          return Error(doc_name, where, "multipleOf must be a number greater than 0");
        }
        node().multiple_of = v;
      } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
        auto list = schema_list(v, key == "allOf" ? "allOf" : key == "anyOf" ? "anyOf" : "oneOf");
        if (!list.ok()) return list.status();
        (key == "allOf" ? node().all_of : key == "anyOf" ? node().any_of : node().one_of) = std::move(*list);
      } else if (key == "not") {
        auto c = child(v, "not");
        if (!c.ok()) return c;
        node().not_ = *c;
      }
      // Anything else (format, title, description, default, definitions,
      // example, id, $schema, vendor extensions) does not constrain.
    }
    if (Status st = Bounds(*o, true, node(), doc_name, where); !st.ok()) return st;
    if (Status st = Bounds(*o, false, node(), doc_name, where); !st.ok()) return st;
    return idx;
  }

  // minimum + exclusiveMinimum (maximum alike): draft-04's boolean flag, or
  // the later drafts' numeric exclusive bound (then the stricter one holds).
  Status Bounds(const json::object& o, bool lower, Node& n, const std::string& doc_name, const std::string& where) {
    const char* bound_key = lower ? "minimum" : "maximum";
    const char* exclusive_key = lower ? "exclusiveMinimum" : "exclusiveMaximum";
    const json::value* bound = o.if_contains(bound_key);
    const json::value* exclusive = o.if_contains(exclusive_key);
    if (bound && !bound->is_number()) return Error(doc_name, where, std::string(bound_key) + " must be a number");
    std::optional<json::value>& out = lower ? n.minimum : n.maximum;
    bool& out_exclusive = lower ? n.exclusive_minimum : n.exclusive_maximum;
    if (bound) out = *bound;
    if (!exclusive) return Status::Ok();
    if (exclusive->is_bool()) {
      out_exclusive = exclusive->get_bool();
      return Status::Ok();
    }
    if (!exclusive->is_number()) {
      return Error(doc_name, where, std::string(exclusive_key) + " must be a boolean (or a number)");
    }
    const int c = bound ? CompareNumbers(*exclusive, *bound) : 0;
    if (!bound || (lower ? c >= 0 : c <= 0)) {
      out = *exclusive;
      out_exclusive = true;
    }
    return Status::Ok();
  }

  const std::map<std::string, std::string>* documents_;
  JsonSchema::Compiled* out_;
  std::map<std::string, json::value> parsed_;  // node-based: addresses stay put
  std::unordered_map<const json::value*, int> memo_;
  std::vector<Pending> pending_;
};

class Validator {
 public:
  explicit Validator(const JsonSchema::Compiled& c) : c_(c) {}

  bool Run(const json::value& instance, std::string* why) {
    budget_ = kWorkBase + kWorkPerValue * CountValues(instance);
    const bool ok = Check(0, instance, 0, why != nullptr);
    if (exhausted_) {
      if (why) *why = "validation took too much work (limit reached)";
      return false;
    }
    if (!ok && why) *why = (path_.empty() ? "/" : path_) + ": " + reason_;
    return ok;
  }

 private:
  bool Fail(bool report, std::string reason) {
    if (report) reason_ = std::move(reason);
    return false;
  }
  // Called while unwinding a failure, innermost first.
  void Prefix(bool report, std::string_view segment) {
    if (!report) return;
    std::string s;
    s.reserve(segment.size() + 1 + path_.size());
    s += '/';
    for (char c : segment) {
      if (c == '~') s += "~0";
      else if (c == '/') s += "~1";
      else s += c;
    }
    path_.insert(0, s);
  }

  bool Check(int idx, const json::value& x, int depth, bool report) {
    if (exhausted_) return false;
    if (--budget_ < 0 || depth > kMaxValidateDepth) {
      exhausted_ = true;
      return false;
    }
    const Node& n = *c_.nodes[idx];
    if (n.ref >= 0) return Check(n.ref, x, depth, report);  // refs lead to a non-ref node (Compile)
    const unsigned bit = InstanceBit(x);
    if (x.is_null() && n.nullable) return true;
    if (n.types && !(n.types & bit)) {
      return Fail(report, "type is not " + TypeNames(n.types));
    }
    if (n.enum_values) {
      bool found = false;
      for (const auto& e : *n.enum_values) {
        if (JsonEqual(e, x)) {
          found = true;
          break;
        }
      }
      if (!found) return Fail(report, "value is not one of enum");
    }
    switch (x.kind()) {
      case json::kind::string:
        if (!CheckString(n, x.get_string(), report)) return false;
        break;
      case json::kind::int64:
      case json::kind::uint64:
      case json::kind::double_:
        if (!CheckNumber(n, x, report)) return false;
        break;
      case json::kind::array:
        if (!CheckArray(n, x.get_array(), depth, report)) return false;
        break;
      case json::kind::object:
        if (!CheckObject(n, x, depth, report)) return false;
        break;
      default: break;
    }
    for (int s : n.all_of) {
      if (!Check(s, x, depth + 1, report)) return false;
    }
    if (!n.any_of.empty()) {
      bool any = false;
      for (int s : n.any_of) {
        if (Check(s, x, depth + 1, false)) {
          any = true;
          break;
        }
      }
      if (!any) return Fail(report, "matches none of anyOf");
    }
    if (!n.one_of.empty()) {
      int matches = 0;
      for (int s : n.one_of) matches += Check(s, x, depth + 1, false);
      if (matches != 1) return Fail(report, "matches " + std::to_string(matches) + " of oneOf, not exactly 1");
    }
    if (n.not_ >= 0 && Check(n.not_, x, depth + 1, false)) return Fail(report, "matches the schema of not");
    return !exhausted_;
  }

  static std::string TypeNames(unsigned bits) {
    static const char* const kNames[] = {"null", "boolean", "object", "array", "number", "integer", "string"};
    std::string out;
    for (int i = 0; i < 7; ++i) {
      if (!(bits & (1u << i))) continue;
      if (!out.empty()) out += '|';
      out += kNames[i];
    }
    return out;
  }

  bool CheckString(const Node& n, const json::string& s, bool report) {
    const std::string_view sv(s.data(), s.size());
    if (n.min_length || n.max_length) {
      const size_t len = CodePoints(sv);
      if (n.min_length && len < *n.min_length) return Fail(report, "string shorter than minLength");
      if (n.max_length && len > *n.max_length) return Fail(report, "string longer than maxLength");
    }
    if (n.pattern && !RE2::PartialMatch(sv, *n.pattern)) return Fail(report, "string does not match pattern");
    return true;
  }

  bool CheckNumber(const Node& n, const json::value& x, bool report) {
    if (n.minimum) {
      const int c = CompareNumbers(x, *n.minimum);
      if (c < 0 || (c == 0 && n.exclusive_minimum)) return Fail(report, "number below minimum");
    }
    if (n.maximum) {
      const int c = CompareNumbers(x, *n.maximum);
      if (c > 0 || (c == 0 && n.exclusive_maximum)) return Fail(report, "number above maximum");
    }
    if (n.multiple_of && !IsMultipleOf(x, *n.multiple_of)) return Fail(report, "number is not a multipleOf");
    return true;
  }

  bool CheckArray(const Node& n, const json::array& a, int depth, bool report) {
    if (n.min_items && a.size() < *n.min_items) return Fail(report, "fewer items than minItems");
    if (n.max_items && a.size() > *n.max_items) return Fail(report, "more items than maxItems");
    if (n.unique_items && a.size() > 1) {
      std::set<std::string> seen;
      for (const auto& e : a) {
        budget_ -= 1;
        std::string key;
        Canonical(e, key);
        if (!seen.insert(std::move(key)).second) return Fail(report, "items are not unique");
      }
    }
    for (size_t i = 0; i < a.size(); ++i) {
      int s = -1;
      if (n.items_tuple) {
        if (i < n.tuple.size()) {
          s = n.tuple[i];
        } else if (n.has_additional_items) {
          if (n.additional_items < 0) return Fail(report, "more items than items lists (additionalItems)");
          s = n.additional_items;
        }
      } else {
        s = n.items;
      }
      if (s < 0) continue;
      if (!Check(s, a[i], depth + 1, report)) {
        Prefix(report, std::to_string(i));
        return false;
      }
    }
    return true;
  }

  bool CheckObject(const Node& n, const json::value& x, int depth, bool report) {
    const json::object& o = x.get_object();
    if (n.min_properties && o.size() < *n.min_properties) return Fail(report, "fewer members than minProperties");
    if (n.max_properties && o.size() > *n.max_properties) return Fail(report, "more members than maxProperties");
    for (const auto& r : n.required) {
      if (!o.contains(r)) return Fail(report, "required member \"" + r + "\" missing");
    }
    for (const auto& [name, list] : n.property_dependencies) {
      if (!o.contains(name)) continue;
      for (const auto& d : list) {
        if (!o.contains(d)) return Fail(report, "member \"" + name + "\" requires \"" + d + "\" (dependencies)");
      }
    }
    for (const auto& [name, s] : n.schema_dependencies) {
      if (o.contains(name) && !Check(s, x, depth + 1, report)) return false;
    }
    for (const auto& m : o) {
      const std::string_view key = m.key();
      bool matched = false;
      if (auto it = n.properties.find(key); it != n.properties.end()) {
        matched = true;
        if (!Check(it->second, m.value(), depth + 1, report)) {
          Prefix(report, key);
          return false;
        }
      }
      for (const auto& [re, s] : n.pattern_properties) {
        if (!RE2::PartialMatch(key, *re)) continue;
        matched = true;
        if (!Check(s, m.value(), depth + 1, report)) {
          Prefix(report, key);
          return false;
        }
      }
      if (matched || !n.has_additional_properties) continue;
      if (n.additional_properties < 0) {
        Prefix(report, key);
        return Fail(report, "member not allowed (additionalProperties)");
      }
      if (!Check(n.additional_properties, m.value(), depth + 1, report)) {
        Prefix(report, key);
        return false;
      }
    }
    return true;
  }

  const JsonSchema::Compiled& c_;
  long budget_ = 0;
  bool exhausted_ = false;
  std::string reason_, path_;
};

}  // namespace

Result<JsonSchema> JsonSchema::Compile(const std::string& root,
                                       const std::map<std::string, std::string>& documents) {
  auto compiled = std::make_shared<Compiled>();
  Compiler compiler(&documents, compiled.get());
  auto idx = compiler.CompileRoot(root, nullptr);
  if (!idx.ok()) return idx.status();
  return JsonSchema(std::move(compiled));
}

Result<JsonSchema> JsonSchema::Compile(const json::value& schema) {
  auto compiled = std::make_shared<Compiled>();
  Compiler compiler(nullptr, compiled.get());
  auto idx = compiler.CompileRoot("(schema)", &schema);
  if (!idx.ok()) return idx.status();
  return JsonSchema(std::move(compiled));
}

bool JsonSchema::Validate(const json::value& instance, std::string* why) const {
  Validator v(*compiled_);
  return v.Run(instance, why);
}

}  // namespace streamer::gateway
