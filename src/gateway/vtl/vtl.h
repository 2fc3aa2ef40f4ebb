// The API Gateway mapping-template engine: Velocity Template Language (1.7
// dialect, as API Gateway runs it) with API Gateway's $input, $util, $context
// and $stageVariables.
//
// A Template is parsed once (at stack load) and rendered many times; Render is
// const and keeps all per-request state on its own stack, so one Template may
// be rendered from many threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace streamer::vtl {

class Value;

struct List;
class Map;

// An object the engine provides ($input, $util); opaque to callers.
// kDefinedBlock + n is the template's n-th #define block (internal to a render).
enum class Builtin : int { kInput, kUtil, kDefinedBlock };

// A VTL runtime value: null | bool | int64 | double | string | list | map.
class Value {
 public:
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kList, kMap, kBuiltin };

  Value() = default;
  Value(std::nullptr_t) {}                                 // NOLINT
  Value(bool b) : v_(b) {}                                 // NOLINT
  Value(int i) : v_(static_cast<int64_t>(i)) {}            // NOLINT
  Value(int64_t i) : v_(i) {}                              // NOLINT
  Value(double d) : v_(d) {}                               // NOLINT
  Value(std::string s) : v_(std::move(s)) {}               // NOLINT
  Value(std::string_view s) : v_(std::string(s)) {}        // NOLINT
  Value(const char* s) : v_(std::string(s)) {}             // NOLINT
  Value(std::shared_ptr<List> l) : v_(std::move(l)) {}     // NOLINT
  Value(std::shared_ptr<Map> m) : v_(std::move(m)) {}      // NOLINT
  Value(Builtin b) : v_(b) {}                              // NOLINT

  static Value NewList();  // defined below List and Map
  static Value NewMap(bool case_insensitive_keys = false);

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_number() const { return kind() == Kind::kInt || kind() == Kind::kDouble; }

  // Typed access; each returns nullptr / false when the kind differs.
  const bool* if_bool() const { return std::get_if<bool>(&v_); }
  const int64_t* if_int() const { return std::get_if<int64_t>(&v_); }
  const double* if_double() const { return std::get_if<double>(&v_); }
  const std::string* if_string() const { return std::get_if<std::string>(&v_); }
  List* if_list() const {
    auto* p = std::get_if<std::shared_ptr<List>>(&v_);
    return p ? p->get() : nullptr;
  }
  Map* if_map() const {
    auto* p = std::get_if<std::shared_ptr<Map>>(&v_);
    return p ? p->get() : nullptr;
  }
  const Builtin* if_builtin() const { return std::get_if<Builtin>(&v_); }
  double AsDouble() const;  // numbers only; 0 otherwise

  // Velocity truthiness (1.7): null and false are false, all else is true.
  bool Truthy() const;
  // What `$x` renders as (Java toString); "null" for null.
  std::string ToString() const;
  void AppendTo(std::string& out) const;

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, std::shared_ptr<List>,
               std::shared_ptr<Map>, Builtin>
      v_;
};

// List and Map come after Value: their inline members need it complete
// (clang instantiates them where they are defined).
// A Java-like list: shared and mutable, so `$list.add(x)` is seen by every
// holder, as in Velocity.
struct List {
  std::vector<Value> items;
  bool from_json = false;  // renders as JSON text (json-smart's toString)
};

// An insertion-ordered map with string keys (shared and mutable).
class Map {
 public:
  explicit Map(bool case_insensitive_keys = false) : case_insensitive_(case_insensitive_keys) {}

  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  // Sets key to value; returns the previous value (null when there was none).
  Value Put(std::string key, Value value);
  Value Remove(std::string_view key);
  void Clear();
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }
  // The value at entries()[i], to replace in place (the key and order stay).
  Value& value_at(size_t i) { return entries_[i].second; }
  bool case_insensitive() const { return case_insensitive_; }

  bool from_json = false;  // renders as JSON text (json-smart's toString)
  bool map_entry = false;  // an entrySet() item {key, value}: renders "key=value"

 private:
  size_t IndexOf(std::string_view key) const;  // entries_.size() when absent
  void Reindex();

  std::vector<std::pair<std::string, Value>> entries_;
  std::unordered_map<std::string, size_t> index_;  // key (lowercased if case-insensitive); big maps only
  bool case_insensitive_ = false;
};

inline Value Value::NewList() { return Value(std::make_shared<List>()); }
inline Value Value::NewMap(bool case_insensitive_keys) {
  return Value(std::make_shared<Map>(case_insensitive_keys));
}

// Lists and maps are shared (shared_ptr), so a template can make one hold
// itself (`#set($m.me = $m)`), which would never be freed. Replaces every
// reference that closes a cycle reachable from `root` with null.
void BreakCycles(Value& root);

// JSON <-> Value. FromJson marks lists/maps as from_json (they render as JSON).
Value FromJson(const json::value& v);
json::value ToJson(const Value& v);
// JSON text of a value, numbers formatted the Java way (1.0, 1.0E10).
std::string SerializeJson(const Value& v);
std::string SerializeJson(const json::value& v);
// Java's Double.toString.
std::string FormatJavaDouble(double d);

// What `$input` sees.
struct Input {
  std::string body;
  std::map<std::string, std::string> path, querystring;
  std::map<std::string, std::string> header;  // looked up case-insensitively
};

struct RenderContext {
  Input input;
  // Bound to $context: a map (requestId, httpMethod, identity.sourceIp, ...).
  // Render makes sure it is a map holding responseOverride{status, header}
  // and requestOverride{header, path, querystring}, so templates may #set into
  // them; the caller reads them back after Render.
  Value context;
  Value stage_variables;  // $stageVariables (a map, or null)
  // API Gateway renders a null/undefined reference as "" (default). Plain
  // Velocity renders its source text ("$foo.bar") unless quiet ($!foo).
  bool velocity_literal_nulls = false;
};

// Limits that keep a hostile template or body from hanging or exhausting a
// worker; exceeding one makes Render fail.
struct RenderLimits {
  int64_t max_range = 1'000'000;             // elements of one [a..b] range
  int64_t max_iterations = 10'000'000;       // #foreach iterations + macro calls per render
  // Iterations of one #foreach: API Gateway sets Velocity's directive.foreach.maxloops
  // to 1,000 (its quota table), and Velocity ends such a loop quietly, not with an error.
  int64_t max_loops_per_foreach = 1'000;
  int max_macro_depth = 20;  // nested #macro calls (Velocity's velocimacro.max.depth)
  size_t max_output_bytes = 16 * 1024 * 1024;  // rendered text, and any one string value
};

class Template {
 public:
  // Syntax errors are ValidationException naming line and column.
  static Result<std::shared_ptr<const Template>> Parse(std::string_view text);

  // Errors: BadRequestException (400) when $input.path/$input.json meet a body
  // that is not JSON ("Could not parse request body into json: ..."), and
  // InternalServerError (500) when a RenderLimits bound is exceeded.
  Result<std::string> Render(RenderContext& ctx) const;
  Result<std::string> Render(RenderContext& ctx, const RenderLimits& limits) const;

  ~Template();
  struct Impl;  // the parsed tree (internal)

 private:
  explicit Template(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamer::vtl
