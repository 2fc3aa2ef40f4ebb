// Value, Map, and the JSON conversions of the VTL runtime.
#include <unordered_map>
#include <algorithm>
#include <charconv>
#include <cmath>

#include "gateway/vtl/vtl.h"

namespace streamer::vtl {
namespace {

constexpr size_t kIndexThreshold = 32;  // maps bigger than this get a hash index ($context, ~15 keys, stays a flat scan: no per-request hash index)

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool KeysEqual(std::string_view a, std::string_view b, bool ci) {
  if (!ci) return a == b;
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void AppendJson(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: out += std::to_string(v.get_int64()); break;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case json::kind::double_: out += FormatJavaDouble(v.get_double()); break;
    case json::kind::string: AppendJsonString(out, v.get_string()); break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendJson(out, e);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, kv.key());
        out += ':';
        AppendJson(out, kv.value());
      }
      out += '}';
      break;
    }
  }
}

// Text a value's toString/JSON may grow to (a render keeps at most 16 MB).
constexpr size_t kMaxText = 32 * 1024 * 1024;

// The containers being written out, outermost first. A container met again
// inside itself (through others) would be written without end; Java fails
// with a StackOverflowError there. We write it as null/nothing instead.
thread_local std::vector<const void*> t_writing;
class WritingGuard {
 public:
  explicit WritingGuard(const void* container)
      : cyclic_(std::find(t_writing.begin(), t_writing.end(), container) != t_writing.end()) {
    if (!cyclic_) t_writing.push_back(container);
  }
  ~WritingGuard() {
    if (!cyclic_) t_writing.pop_back();
  }
  bool cyclic() const { return cyclic_; }

 private:
  bool cyclic_;
};
const void* ContainerOf(const Value& v) {
  if (const List* l = v.if_list()) return l;
  if (const Map* m = v.if_map()) return m;
  return nullptr;
}

void AppendJson(std::string& out, const Value& v, int depth) {
  if (depth > 200 || out.size() > kMaxText) {  // self-referencing maps/lists: stop rather than overflow
    out += "null";
    return;
  }
  WritingGuard guard(ContainerOf(v));
  if (guard.cyclic()) {
    out += "null";
    return;
  }
  switch (v.kind()) {
    case Value::Kind::kNull:
    case Value::Kind::kBuiltin: out += "null"; break;
    case Value::Kind::kBool: out += *v.if_bool() ? "true" : "false"; break;
    case Value::Kind::kInt: out += std::to_string(*v.if_int()); break;
    case Value::Kind::kDouble: out += FormatJavaDouble(*v.if_double()); break;
    case Value::Kind::kString: AppendJsonString(out, *v.if_string()); break;
    case Value::Kind::kList: {
      out += '[';
      bool first = true;
      for (const Value& e : v.if_list()->items) {
        if (!first) out += ',';
        first = false;
        AppendJson(out, e, depth + 1);
      }
      out += ']';
      break;
    }
    case Value::Kind::kMap: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.if_map()->entries()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, k);
        out += ':';
        AppendJson(out, e, depth + 1);
      }
      out += '}';
      break;
    }
  }
}

void AppendString(std::string& out, const Value& v, int depth);

void AppendElement(std::string& out, const Value& v, int depth) {
  if (v.is_null()) {
    out += "null";
  } else {
    AppendString(out, v, depth + 1);
  }
}

// Java's toString: AbstractCollection "[a, b]", AbstractMap "{k=v}"; lists and
// maps that came from JSON render as JSON, like json-smart's objects do.
void AppendString(std::string& out, const Value& v, int depth) {
  // A container that holds itself through others would render without end
  // (Java overflows its stack): stop deep, and stop past a size no render keeps.
  if (depth > 200 || out.size() > kMaxText) return;
  switch (v.kind()) {
    case Value::Kind::kNull: out += "null"; break;
    case Value::Kind::kBuiltin: break;
    case Value::Kind::kBool: out += *v.if_bool() ? "true" : "false"; break;
    case Value::Kind::kInt: out += std::to_string(*v.if_int()); break;
    case Value::Kind::kDouble: out += FormatJavaDouble(*v.if_double()); break;
    case Value::Kind::kString: out += *v.if_string(); break;
    case Value::Kind::kList: {
      const List& l = *v.if_list();
      if (l.from_json) {
        AppendJson(out, v, depth);
        break;
      }
      WritingGuard guard(&l);
      if (guard.cyclic()) break;
      out += '[';
      for (size_t i = 0; i < l.items.size(); ++i) {
        if (i) out += ", ";
        if (l.items[i].if_list() == &l) {
          out += "(this Collection)";  // Java's AbstractCollection.toString
        } else {
          AppendElement(out, l.items[i], depth);
        }
      }
      out += ']';
      break;
    }
    case Value::Kind::kMap: {
      const Map& m = *v.if_map();
      if (m.from_json) {
        AppendJson(out, v, depth);
        break;
      }
      WritingGuard guard(&m);
      if (guard.cyclic()) break;
      if (m.map_entry) {  // Map.Entry: "key=value"
        const Value* k = m.Find("key");
        const Value* e = m.Find("value");
        if (k) AppendElement(out, *k, depth);
        out += '=';
        if (e) AppendElement(out, *e, depth);
        break;
      }
      out += '{';
      bool first = true;
      for (const auto& [k, e] : m.entries()) {
        if (!first) out += ", ";
        first = false;
        out += k;
        out += '=';
        if (e.if_map() == &m) {
          out += "(this Map)";  // Java's AbstractMap.toString
        } else {
          AppendElement(out, e, depth);
        }
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

// ---- Map ----

size_t Map::IndexOf(std::string_view key) const {
  if (!index_.empty()) {
    auto it = case_insensitive_ ? index_.find(Lower(key)) : index_.find(std::string(key));
    return it == index_.end() ? entries_.size() : it->second;
  }
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (KeysEqual(entries_[i].first, key, case_insensitive_)) return i;
  }
  return entries_.size();
}

void Map::Reindex() {
  index_.clear();
  if (entries_.size() <= kIndexThreshold) return;
  index_.reserve(entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) {
    index_.emplace(case_insensitive_ ? Lower(entries_[i].first) : entries_[i].first, i);
  }
}

const Value* Map::Find(std::string_view key) const {
  size_t i = IndexOf(key);
  return i < entries_.size() ? &entries_[i].second : nullptr;
}

Value* Map::Find(std::string_view key) {
  size_t i = IndexOf(key);
  return i < entries_.size() ? &entries_[i].second : nullptr;
}

Value Map::Put(std::string key, Value value) {
  size_t i = IndexOf(key);
  if (i < entries_.size()) {
    std::swap(entries_[i].second, value);
    return value;
  }
  if (!index_.empty()) {
    index_.emplace(case_insensitive_ ? Lower(key) : key, entries_.size());
  }
  entries_.emplace_back(std::move(key), std::move(value));
  if (index_.empty() && entries_.size() > kIndexThreshold) Reindex();
  return Value();
}

Value Map::Remove(std::string_view key) {
  size_t i = IndexOf(key);
  if (i >= entries_.size()) return Value();
  Value old = std::move(entries_[i].second);
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
  Reindex();
  return old;
}

void Map::Clear() {
  entries_.clear();
  index_.clear();
}

// ---- Value ----

double Value::AsDouble() const {
  if (auto* i = if_int()) return static_cast<double>(*i);
  if (auto* d = if_double()) return *d;
  return 0;
}

bool Value::Truthy() const {
  if (is_null()) return false;
  if (auto* b = if_bool()) return *b;
  return true;
}

std::string Value::ToString() const {
  std::string out;
  AppendString(out, *this, 0);
  return out;
}

void Value::AppendTo(std::string& out) const { AppendString(out, *this, 0); }

// ---- conversions ----

Value FromJson(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return Value();
    case json::kind::bool_: return Value(v.get_bool());
    case json::kind::int64: return Value(v.get_int64());
    case json::kind::uint64: {
      uint64_t u = v.get_uint64();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case json::kind::double_: return Value(v.get_double());
    case json::kind::string: return Value(std::string(v.get_string()));
    case json::kind::array: {
      auto list = std::make_shared<List>();
      list->from_json = true;
      list->items.reserve(v.get_array().size());
      for (const json::value& e : v.get_array()) list->items.push_back(FromJson(e));
      return Value(std::move(list));
    }
    case json::kind::object: {
      auto map = std::make_shared<Map>();
      map->from_json = true;
      for (const auto& kv : v.get_object()) map->Put(std::string(kv.key()), FromJson(kv.value()));
      return Value(std::move(map));
    }
  }
  return Value();
}

namespace {
json::value ToJsonAt(const Value& v, int depth) {
  if (depth > 200) return nullptr;  // a container that holds itself
  switch (v.kind()) {
    case Value::Kind::kNull:
    case Value::Kind::kBuiltin: return nullptr;
    case Value::Kind::kBool: return *v.if_bool();
    case Value::Kind::kInt: return *v.if_int();
    case Value::Kind::kDouble: return *v.if_double();
    case Value::Kind::kString: return json::string(*v.if_string());
    case Value::Kind::kList: {
      json::array a;
      for (const Value& e : v.if_list()->items) a.push_back(ToJsonAt(e, depth + 1));
      return a;
    }
    case Value::Kind::kMap: {
      json::object o;
      for (const auto& [k, e] : v.if_map()->entries()) o[k] = ToJsonAt(e, depth + 1);
      return o;
    }
  }
  return nullptr;
}
}  // namespace

json::value ToJson(const Value& v) { return ToJsonAt(v, 0); }

std::string SerializeJson(const Value& v) {
  std::string out;
  AppendJson(out, v, 0);
  return out;
}

std::string SerializeJson(const json::value& v) {
  std::string out;
  AppendJson(out, v);
  return out;
}

std::string FormatJavaDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));  // e.g. -1.2345e+06
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp = 0;
  std::string_view es = sci.substr(e + 1);
  if (!es.empty() && es.front() == '+') es.remove_prefix(1);
  std::from_chars(es.data(), es.data() + es.size(), exp);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  double mag = std::fabs(d);
  if (mag >= 1e-3 && mag < 1e7) {
    if (exp >= 0) {
      size_t int_len = static_cast<size_t>(exp) + 1;
      if (digits.size() <= int_len) {
        out += digits;
        out.append(int_len - digits.size(), '0');
        out += ".0";
      } else {
        out += digits.substr(0, int_len);
        out += '.';
        out += digits.substr(int_len);
      }
    } else {
      out += "0.";
      out.append(static_cast<size_t>(-exp - 1), '0');
      out += digits;
    }
  } else {
    out += digits[0];
    out += '.';
    out += digits.size() > 1 ? digits.substr(1) : "0";
    out += 'E';
    out += std::to_string(exp);
  }
  return out;
}

void BreakCycles(Value& root) {
  // Iterative depth-first walk (templates can nest deeply); a child whose
  // container is still on the walk's path closes a cycle and becomes null.
  enum State : char { kOnPath = 1, kDone = 2 };
  std::unordered_map<const void*, State> state;
  struct Frame {
    Value* value;
    size_t next = 0;  // the next child to visit
  };
  auto container = [](const Value& v) -> const void* {
    if (const List* l = v.if_list()) return l;
    if (const Map* m = v.if_map()) return m;
    return nullptr;
  };
  if (!container(root)) return;
  std::vector<Frame> path{{&root}};
  state[container(root)] = kOnPath;
  while (!path.empty()) {
    Frame& f = path.back();
    Value* child = nullptr;
    if (List* l = f.value->if_list()) {
      if (f.next < l->items.size()) child = &l->items[f.next++];
    } else if (Map* m = f.value->if_map()) {
      if (f.next < m->size()) child = &m->value_at(f.next++);
    }
    if (!child) {
      state[container(*f.value)] = kDone;
      path.pop_back();
      continue;
    }
    const void* c = container(*child);
    if (!c) continue;
    auto [it, fresh] = state.try_emplace(c, kOnPath);
    if (fresh) {
      path.push_back({child});
    } else if (it->second == kOnPath) {
      *child = Value();
    }
  }
}

}  // namespace streamer::vtl
