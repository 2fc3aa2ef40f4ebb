// Rendering: walks the immutable tree with per-render state on the stack.
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "gateway/vtl/ast.h"
#include "gateway/vtl/util_functions.h"

namespace streamer::vtl {
namespace {

using namespace ast;

enum class Flow { kNormal, kBreak, kStop };

// ---- Java String helpers (indexes are UTF-16 units, text is UTF-8) ----

int64_t Utf16Length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n += (c >= 0xF0) ? 2 : 1;
  }
  return n;
}

// Byte offset of UTF-16 unit `unit` (clamped to the end).
size_t ByteOffset(std::string_view s, int64_t unit) {
  int64_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;
    if (n >= unit) return i;
    n += (c >= 0xF0) ? 2 : 1;
  }
  return s.size();
}

int64_t UnitIndex(std::string_view s, size_t byte_offset) {
  return Utf16Length(s.substr(0, byte_offset));
}

// Java replacement strings use $1 and \$; RE2 uses \1.
// A java.util.regex replacement ("$1", "\\$" for a literal '$') as an RE2
// rewrite string; nullopt where Java's appendReplacement throws (a '$' not
// followed by a group number, a group the pattern does not have, a trailing
// backslash). Group numbers take as many digits as name an existing group.
std::optional<std::string> JavaReplacementToRe2(std::string_view repl, int groups) {
  std::string out;
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c == '\\') {
      if (++i >= repl.size()) return std::nullopt;
      if (repl[i] == '\\') {
        out += "\\\\";
      } else {
        out += repl[i];
      }
    } else if (c == '$') {
      if (i + 1 >= repl.size() || repl[i + 1] < '0' || repl[i + 1] > '9') return std::nullopt;
      int ref = repl[++i] - '0';
      while (i + 1 < repl.size() && repl[i + 1] >= '0' && repl[i + 1] <= '9' &&
             ref * 10 + (repl[i + 1] - '0') <= groups) {
        ref = ref * 10 + (repl[++i] - '0');
      }
      if (ref > groups || ref > 9) return std::nullopt;  // RE2 rewrites name \\0..\\9 only
      out += '\\';
      out += static_cast<char>('0' + ref);
    } else {
      out += c;
    }
  }
  return out;
}

// Java's String.toUpperCase/toLowerCase for the scripts templates meet most
// (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic); other code points
// keep their case. U+00DF (sharp s) upper-cases to "SS" as in Java.
uint32_t UpperCodePoint(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 0x20;
  if (c == 0xFF) return 0x178;
  if (c == 0xB5) return 0x39C;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c % 2 == 0) ? c - 1 : c;
    if (c == 0x131) return 'I';
    if (c == 0x17F) return 'S';
    if (c == 0x138 || c == 0x149) return c;
    return (c % 2 == 1) ? c - 1 : c;
  }
  if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) return c - 0x20;
  if (c == 0x3C2) return 0x3A3;
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 0x25;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 0x3F;
  if (c >= 0x430 && c <= 0x44F) return c - 0x20;
  if (c >= 0x450 && c <= 0x45F) return c - 0x50;
  return c;
}
uint32_t LowerCodePoint(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (c == 0x178) return 0xFF;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c % 2 == 1) ? c + 1 : c;
    if (c == 0x130 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 0x25;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 0x3F;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}
void AppendUtf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}
std::string JavaCase(const std::string& s, bool upper) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + static_cast<size_t>(len) > s.size()) {  // not UTF-8: kept as is
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    i += static_cast<size_t>(len);
    if (upper && cp == 0xDF) {
      out += "SS";
      continue;
    }
    if (!upper && cp == 0x130) {  // dotted capital I: "i" and a combining dot
      out += "i\xCC\x87";
      continue;
    }
    AppendUtf8(out, upper ? UpperCodePoint(cp) : LowerCodePoint(cp));
  }
  return out;
}

// Bytes as Java's new String(bytes, UTF_8) reads them: each malformed
// sequence (a bad lead byte, or a valid lead with too few continuation
// bytes) becomes one U+FFFD.
std::string JavaUtf8(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    int len = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    size_t k = 1;
    if (len > 0) {
      while (k < static_cast<size_t>(len) && i + k < in.size()) {
        unsigned char cc = static_cast<unsigned char>(in[i + k]);
        // the second byte's range depends on the lead (no overlongs, surrogates or > U+10FFFF)
        unsigned char lo = 0x80, hi = 0xBF;
        if (k == 1) {
          if (c == 0xE0) lo = 0xA0;
          if (c == 0xED) hi = 0x9F;
          if (c == 0xF0) lo = 0x90;
          if (c == 0xF4) hi = 0x8F;
        }
        if (cc < lo || cc > hi) break;
        ++k;
      }
      if (k == static_cast<size_t>(len)) {
        out.append(in, i, k);
        i += k;
        continue;
      }
    }
    out += "\xEF\xBF\xBD";
    i += k;
  }
  return out;
}

// java.util.regex rejects a '{' that does not open a {n}, {n,} or {n,m}
// quantifier; RE2 takes it literally. True when the pattern has such a '{'.
bool JavaRejectsBrace(const std::string& re) {
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      continue;
    }
    if (c != '{') continue;
    size_t j = i + 1;
    size_t digits = j;
    while (j < re.size() && re[j] >= '0' && re[j] <= '9') ++j;
    if (j == digits) return true;
    if (j < re.size() && re[j] == ',') {
      ++j;
      while (j < re.size() && re[j] >= '0' && re[j] <= '9') ++j;
    }
    if (j >= re.size() || re[j] != '}') return true;
    i = j;
  }
  return false;
}

bool ValuesEqual(const Value& a, const Value& b, int depth = 0);

// Java's Object.equals, as List.contains/indexOf/remove and Map.containsValue
// use it: an Integer never equals a Double (2 vs 2.0), unlike Velocity's ==.
bool JavaEquals(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;  // different classes are never equal
  return ValuesEqual(a, b);
}

bool ValuesEqual(const Value& a, const Value& b, int depth) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  // Containers can hold themselves: the same one is equal, and a walk past
  // Velocity's own stack depth gives up (Java would overflow its stack).
  if (a.if_list() && a.if_list() == b.if_list()) return true;
  if (a.if_map() && a.if_map() == b.if_map()) return true;
  if (depth > 200) return false;
  if (a.is_number() && b.is_number()) {
    if (a.if_int() && b.if_int()) return *a.if_int() == *b.if_int();
    return a.AsDouble() == b.AsDouble();
  }
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case Value::Kind::kBool: return *a.if_bool() == *b.if_bool();
      case Value::Kind::kString: return *a.if_string() == *b.if_string();
      case Value::Kind::kList: {
        const auto& x = a.if_list()->items;
        const auto& y = b.if_list()->items;
        if (x.size() != y.size()) return false;
        for (size_t i = 0; i < x.size(); ++i) {
          if (!ValuesEqual(x[i], y[i], depth + 1)) return false;
        }
        return true;
      }
      case Value::Kind::kMap: {
        const Map& x = *a.if_map();
        const Map& y = *b.if_map();
        if (x.size() != y.size()) return false;
        for (const auto& [k, v] : x.entries()) {
          const Value* w = y.Find(k);
          if (!w || !ValuesEqual(v, *w, depth + 1)) return false;
        }
        return true;
      }
      case Value::Kind::kBuiltin: return *a.if_builtin() == *b.if_builtin();
      default: return false;
    }
  }
  // Velocity 1.7: different classes compare by toString().
  return a.ToString() == b.ToString();
}

std::optional<int64_t> AsIndex(const Value& v) {
  if (const int64_t* i = v.if_int()) return *i;
  return std::nullopt;
}

class Renderer {
 public:
  Renderer(const Template::Impl& t, RenderContext& ctx, const RenderLimits& limits)
      : t_(t), ctx_(ctx), limits_(limits), slots_(t.slot_names.size()) {}

  Result<std::string> Run() {
    PrepareContext();
    if (t_.input_slot >= 0) slots_[static_cast<size_t>(t_.input_slot)] = Value(Builtin::kInput);
    if (t_.util_slot >= 0) slots_[static_cast<size_t>(t_.util_slot)] = Value(Builtin::kUtil);
    if (t_.context_slot >= 0) slots_[static_cast<size_t>(t_.context_slot)] = ctx_.context;
    if (t_.stage_slot >= 0) slots_[static_cast<size_t>(t_.stage_slot)] = ctx_.stage_variables;
    std::string out;
    out.reserve(t_.source_size + t_.source_size / 2 + 64);
    RenderBlock(t_.root, out);
    if (containers_mutated_) {
      for (Value& v : slots_) BreakCycles(v);
      BreakCycles(ctx_.context);
      BreakCycles(ctx_.stage_variables);
      BreakCycles(params_);
    }
    if (!error_.ok()) return error_;
    return out;
  }

 private:
  // $context always offers the override maps templates write into.
  void PrepareContext() {
    if (!ctx_.context.if_map()) ctx_.context = Value::NewMap();
    Map& c = *ctx_.context.if_map();
    auto ensure_map = [](Map& parent, const char* key) -> Map& {
      Value* v = parent.Find(key);
      if (!v || !v->if_map()) {
        parent.Put(key, Value::NewMap(std::string_view(key) == "header"));
        v = parent.Find(key);
      }
      return *v->if_map();
    };
    Map& resp = ensure_map(c, "responseOverride");
    ensure_map(resp, "header");
    Map& req = ensure_map(c, "requestOverride");
    ensure_map(req, "header");
    ensure_map(req, "path");
    ensure_map(req, "querystring");
  }

  void Fail(Status s) {
    if (error_.ok()) error_ = std::move(s);
  }
  // The innermost node that failed names its line and column in a template
  // error (500: for the log); a 400's message goes to the client as AWS words it.
  void NamePosition(const Node& n) {
    if (error_positioned_ || n.offset < 0) return;
    error_positioned_ = true;
    if (error_.http_status() == 400) return;
    const auto& starts = t_.line_starts;
    auto it = std::upper_bound(starts.begin(), starts.end(), static_cast<uint32_t>(n.offset));
    const size_t line = static_cast<size_t>(it - starts.begin());
    const size_t column = static_cast<size_t>(n.offset) - (line ? starts[line - 1] : 0) + 1;
    error_ = error_.WithMessage(error_.message() + " (at line " + std::to_string(line) + ", column " +
                                std::to_string(column) + ")");
  }
  bool failed() const { return !error_.ok(); }

  // A Java method that throws fails the render, as Velocity's
  // MethodInvocationException does (API Gateway answers 500).
  Value JavaThrows(const std::string& method, const char* exception) {
    Fail(Status::Internal("Invocation of method '" + method + "' threw " + exception));
    return Value();
  }

  bool CheckSize(size_t size) {
    if (size > limits_.max_output_bytes) {
      Fail(Status::Internal("Template output exceeds " + std::to_string(limits_.max_output_bytes) +
                            " bytes"));
      return false;
    }
    return true;
  }

  // ---- blocks ----
  Flow RenderBlock(const Block& block, std::string& out) {
    for (const Node& n : block) {
      Flow f = RenderNode(n, out);
      if (failed()) NamePosition(n);
      if (f != Flow::kNormal) return f;
      if (stop_requested_) return Flow::kStop;
      if (failed() || !CheckSize(out.size())) return Flow::kStop;
    }
    return Flow::kNormal;
  }

  Flow RenderNode(const Node& n, std::string& out) {
    switch (n.kind) {
      case Node::kText:
        out += n.text;
        return Flow::kNormal;
      case Node::kRef: {
        Value v = EvalRef(*n.ref);
        if (failed()) return Flow::kStop;
        if (n.backslashes > 0) {
          RenderEscapedRef(n, v, out);
          return Flow::kNormal;
        }
        if (int d = DefinedBlock(v); d >= 0 && RenderDefined(d, out)) {
          return failed() ? Flow::kStop : Flow::kNormal;
        }
        if (DefinedBlock(v) >= 0) {  // past its depth: Velocity writes the reference as written
          if (!n.ref->quiet) out += n.ref->source;
          return Flow::kNormal;
        }
        if (!v.is_null()) {
          v.AppendTo(out);
        } else if (ctx_.velocity_literal_nulls && !n.ref->quiet) {
          const std::string* lit = n.ref->segments.empty() ? ParamLiteral(n.ref->slot) : nullptr;
          out += lit ? *lit : n.ref->source;
        }
        return Flow::kNormal;
      }
      case Node::kSet:
        if (n.expr->kind == Expr::kRef && n.expr->ref->segments.empty() &&
            DefinedBlock(slots_[static_cast<size_t>(n.expr->ref->slot)]) >= 0) {
          Assign(*n.ref, slots_[static_cast<size_t>(n.expr->ref->slot)]);  // the block, not its text
          return failed() ? Flow::kStop : Flow::kNormal;
        }
        Assign(*n.ref, Eval(*n.expr));
        return failed() ? Flow::kStop : Flow::kNormal;
      case Node::kIf:
        for (size_t i = 0; i < n.branches.size(); ++i) {
          const ExprPtr& cond = n.conditions[i];
          if (!cond || Cond(*cond)) {
            if (failed()) return Flow::kStop;
            return RenderBlock(n.branches[i], out);
          }
          if (failed()) return Flow::kStop;
        }
        return Flow::kNormal;
      case Node::kForeach:
        return RenderForeach(n, out);
      case Node::kBreak:
        return Flow::kBreak;
      case Node::kStop:
        return Flow::kStop;
      case Node::kMacroCall:
        return RenderMacroCall(n, out);
      case Node::kDefine:
        slots_[static_cast<size_t>(n.var_slot)] =
            Value(static_cast<Builtin>(static_cast<int>(Builtin::kDefinedBlock) + n.define));
        return Flow::kNormal;
    }
    return Flow::kNormal;
  }

  // Macro calls and #define renders share the #foreach iteration budget: a
  // chain of macros calling each other several times would otherwise grow
  // exponentially within the depth limit.
  bool CountWork() {
    if (++iterations_ > limits_.max_iterations) {
      Fail(Status::Internal("Template exceeded " + std::to_string(limits_.max_iterations) +
                            " #foreach iterations and macro calls"));
      return false;
    }
    return true;
  }

  // Backslashes before a reference, as Velocity 1.7 writes them: half of
  // them stay; an odd one out escapes the reference, which then prints as
  // written ("\\$x" gives "$x") - keeping that backslash too when the
  // reference is null ("\\$undefined" stays "\\$undefined").
  void RenderEscapedRef(const Node& n, const Value& v, std::string& out) {
    const size_t half = static_cast<size_t>(n.backslashes) / 2;
    out.append(half, '\\');
    if (n.backslashes % 2 == 1) {
      if (v.is_null()) out += '\\';
      out += n.ref->source;
      return;
    }
    if (!v.is_null() && DefinedBlock(v) < 0) {
      v.AppendTo(out);
    } else if (ctx_.velocity_literal_nulls && !n.ref->quiet) {
      out.append(half, '\\');  // a null keeps every backslash
      out += n.ref->source;
    }
  }

  // A macro parameter bound to a reference argument renders, when null in
  // literal-null mode, as that argument was written ("$n", not "$p"):
  // Velocity 1.7 passes arguments by name.
  const std::string* ParamLiteral(int slot) const {
    return slot >= 0 && static_cast<size_t>(slot) < param_literal_.size() ? param_literal_[static_cast<size_t>(slot)]
                                                                          : nullptr;
  }

  // The #define index a value stands for, or -1.
  int DefinedBlock(const Value& v) const {
    const Builtin* b = v.if_builtin();
    if (!b) return -1;
    int d = static_cast<int>(*b) - static_cast<int>(Builtin::kDefinedBlock);
    return d >= 0 && static_cast<size_t>(d) < t_.defines.size() ? d : -1;
  }
  // Renders a #define block where it is used. False when the block is already
  // rendering twice (Velocity's directive.define.max.depth = 2): then the
  // reference is a null, as in Velocity.
  bool RenderDefined(int d, std::string& out) {
    if (defines_active_.size() < t_.defines.size()) defines_active_.resize(t_.defines.size(), 0);
    if (defines_active_[static_cast<size_t>(d)] >= 2) return false;
    if (!CountWork()) return true;
    if (macro_depth_ >= limits_.max_macro_depth) {
      Fail(Status::Internal("Template #define blocks nested deeper than " +
                            std::to_string(limits_.max_macro_depth)));
      return true;
    }
    ++defines_active_[static_cast<size_t>(d)];
    ++macro_depth_;
    // #break ends only the block; #stop ends the template, even from inside an expression.
    if (RenderBlock(t_.defines[static_cast<size_t>(d)], out) == Flow::kStop) stop_requested_ = true;
    --macro_depth_;
    --defines_active_[static_cast<size_t>(d)];
    return true;
  }

  // Arguments are evaluated once, at the call (Velocity passes them by name:
  // see docs/COMPATIBILITY.md). Parameters are restored after the body unless
  // the body #set one: Velocity 1.7 (no local macro scope) writes that through.
  Flow RenderMacroCall(const Node& n, std::string& out) {
    const ast::Macro& m = t_.macros[static_cast<size_t>(n.macro)];
    if (!m.defined) {
      out += n.text;
      return Flow::kNormal;
    }
    if (!CountWork()) return Flow::kStop;
    if (macro_depth_ >= limits_.max_macro_depth) {
      Fail(Status::Internal("Template macro #" + m.name + " exceeded the call depth of " +
                            std::to_string(limits_.max_macro_depth)));
      return Flow::kStop;
    }
    const size_t np = m.param_slots.size();
    std::vector<Value> args(np);
    for (size_t i = 0; i < n.args.size() && i < np; ++i) {
      args[i] = Eval(*n.args[i]);
      if (failed()) return Flow::kStop;
    }
    if (set_in_macro_.size() < slots_.size()) set_in_macro_.resize(slots_.size(), false);
    if (param_literal_.size() < slots_.size()) param_literal_.resize(slots_.size(), nullptr);
    std::vector<Value> saved(np);
    std::vector<char> saved_marks(np);
    std::vector<const std::string*> saved_literals(np);
    std::vector<const std::string*> literals(np, nullptr);
    for (size_t i = 0; i < n.args.size() && i < np; ++i) {
      const Expr& a = *n.args[i];
      if (a.kind != Expr::kRef) continue;
      const std::string* outer = a.ref->segments.empty() ? ParamLiteral(a.ref->slot) : nullptr;
      literals[i] = outer ? outer : &a.ref->source;
    }
    for (size_t i = 0; i < np; ++i) {
      size_t s = static_cast<size_t>(m.param_slots[i]);
      saved_literals[i] = param_literal_[s];
      param_literal_[s] = literals[i];
      saved[i] = std::move(slots_[s]);
      saved_marks[i] = set_in_macro_[s];
      set_in_macro_[s] = false;
      slots_[s] = std::move(args[i]);
    }
    ++macro_depth_;
    Flow f = RenderBlock(m.body, out);
    if (f == Flow::kBreak) f = Flow::kNormal;  // a macro is a #break scope of its own (1.7)
    --macro_depth_;
    for (size_t i = np; i-- > 0;) {
      size_t s = static_cast<size_t>(m.param_slots[i]);
      param_literal_[s] = saved_literals[i];
      if (set_in_macro_[s]) continue;  // written through
      slots_[s] = std::move(saved[i]);
      set_in_macro_[s] = saved_marks[i];
    }
    return f;
  }

  Flow RenderForeach(const Node& n, std::string& out) {
    // Items: a range iterates without building a list.
    std::vector<Value> items;
    int64_t range_from = 0, range_to = 0;
    bool is_range = n.expr->kind == Expr::kRange;
    if (is_range) {
      if (!RangeBounds(*n.expr, range_from, range_to)) return failed() ? Flow::kStop : Flow::kNormal;
    } else {
      Value src = Eval(*n.expr);
      if (failed()) return Flow::kStop;
      if (List* l = src.if_list()) {
        items = l->items;  // a copy: the body may modify the list
      } else if (Map* m = src.if_map()) {
        for (const auto& kv : m->entries()) items.push_back(kv.second);  // Velocity iterates values
      } else {
        return Flow::kNormal;  // null or not iterable: no iterations
      }
    }
    const int64_t total =
        is_range ? (std::abs(range_to - range_from) + 1) : static_cast<int64_t>(items.size());
    if (total == 0) return Flow::kNormal;

    auto slot = [&](int s) -> Value* { return s >= 0 ? &slots_[static_cast<size_t>(s)] : nullptr; };
    Value* var = slot(n.var_slot);
    Value* fe = slot(t_.foreach_slot);
    Value* vc = slot(t_.velocity_count_slot);
    Value saved_var = *var;
    Value saved_fe = fe ? *fe : Value();
    Value saved_vc = vc ? *vc : Value();
    std::shared_ptr<Map> info;
    if (fe) {
      info = std::make_shared<Map>();
      if (saved_fe.if_map()) info->Put("parent", saved_fe);
      *fe = Value(info);
    }
    Flow result = Flow::kNormal;
    const int64_t runs = std::min(total, std::max<int64_t>(limits_.max_loops_per_foreach, 0));
    for (int64_t i = 0; i < runs; ++i) {
      if (++iterations_ > limits_.max_iterations) {
        Fail(Status::Internal("Template #foreach exceeded " + std::to_string(limits_.max_iterations) +
                              " iterations"));
        result = Flow::kStop;
        break;
      }
      *var = is_range ? Value(range_from + (range_to >= range_from ? i : -i))
                      : items[static_cast<size_t>(i)];
      if (info) {
        info->Put("index", Value(i));
        info->Put("count", Value(i + 1));
        info->Put("hasNext", Value(i + 1 < total));
        info->Put("first", Value(i == 0));
        info->Put("last", Value(i + 1 == total));
      }
      if (vc) *vc = Value(i + 1);
      Flow f = RenderBlock(n.body, out);
      if (f == Flow::kBreak) break;
      if (f == Flow::kStop) {
        result = Flow::kStop;
        break;
      }
    }
    *var = std::move(saved_var);
    if (fe) *fe = std::move(saved_fe);
    if (vc) *vc = std::move(saved_vc);
    return result;
  }

  bool RangeBounds(const Expr& e, int64_t& from, int64_t& to) {
    Value a = Eval(*e.items[0]);
    Value b = Eval(*e.items[1]);
    auto as_int = [](const Value& v) -> std::optional<int64_t> {
      if (const int64_t* i = v.if_int()) return *i;
      if (const double* d = v.if_double()) {
        if (std::isfinite(*d) && std::fabs(*d) < 9e18) return static_cast<int64_t>(*d);
      }
      if (const std::string* s = v.if_string()) {  // Velocity accepts "3"
        try {
          size_t used = 0;
          long long x = std::stoll(*s, &used);
          if (used == s->size()) return x;
        } catch (...) {
        }
      }
      return std::nullopt;
    };
    auto x = as_int(a), y = as_int(b);
    if (!x || !y) return false;
    // Bounded: |y - x| computed without overflow.
    long double span = std::fabs(static_cast<long double>(*y) - static_cast<long double>(*x)) + 1;
    if (span > static_cast<long double>(limits_.max_range)) {
      Fail(Status::Internal("Template range [" + std::to_string(*x) + ".." + std::to_string(*y) +
                            "] exceeds " + std::to_string(limits_.max_range) + " elements"));
      return false;
    }
    from = *x;
    to = *y;
    return true;
  }

  // ---- expressions ----
  Value Eval(const Expr& e) {
    if (failed()) return Value();
    switch (e.kind) {
      case Expr::kLiteral:
        return e.literal;
      case Expr::kInterpolated: {
        std::string s;
        Flow f = RenderBlock(*e.interp, s);
        (void)f;
        if (failed()) return Value();
        return Value(std::move(s));
      }
      case Expr::kRef: {
        Value v = EvalRef(*e.ref);
        int d = DefinedBlock(v);
        if (d < 0) return v;
        std::string text;
        if (!RenderDefined(d, text)) return Value();
        return Value(std::move(text));
      }
      case Expr::kList: {
        auto list = std::make_shared<List>();
        list->items.reserve(e.items.size());
        for (const ExprPtr& item : e.items) list->items.push_back(Eval(*item));
        return Value(std::move(list));
      }
      case Expr::kMap: {
        auto map = std::make_shared<Map>();
        for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
          Value k = Eval(*e.items[i]);
          map->Put(k.ToString(), Eval(*e.items[i + 1]));
        }
        return Value(std::move(map));
      }
      case Expr::kRange: {
        int64_t from, to;
        if (!RangeBounds(e, from, to)) return Value();
        auto list = std::make_shared<List>();
        int64_t step = to >= from ? 1 : -1;
        for (int64_t v = from;; v += step) {
          list->items.push_back(Value(v));
          if (v == to) break;
        }
        return Value(std::move(list));
      }
      case Expr::kUnary: {
        if (e.op == Op::kNot) return Value(!Cond(*e.items[0]));
        Value v = Eval(*e.items[0]);
        if (const int64_t* i = v.if_int()) {
          if (*i == INT64_MIN) return Value(-static_cast<double>(*i));
          return Value(-*i);
        }
        if (const double* d = v.if_double()) return Value(-*d);
        return Value();
      }
      case Expr::kBinary:
        return EvalBinary(e);
    }
    return Value();
  }

  // An expression as a condition (#if, !, &&, ||), as Velocity 1.7 evaluates
  // it: a reference is false when null (a Boolean is its value), true and
  // false are themselves, comparisons and logic their result; every other
  // node (string, number, list, map and range literals, arithmetic) is false,
  // whatever its value ("#if('x')" and "#if(1 + 1)" take the else branch).
  bool Cond(const Expr& e) {
    switch (e.kind) {
      case Expr::kRef: return Eval(e).Truthy();
      case Expr::kLiteral: return e.literal.if_bool() && *e.literal.if_bool();
      case Expr::kUnary: return e.op == Op::kNot && !Cond(*e.items[0]);
      case Expr::kBinary:
        switch (e.op) {
          case Op::kAnd: return Cond(*e.items[0]) && Cond(*e.items[1]);
          case Op::kOr: return Cond(*e.items[0]) || Cond(*e.items[1]);
          case Op::kEq: case Op::kNe: case Op::kLt: case Op::kGt: case Op::kLe: case Op::kGe:
            return Eval(e).Truthy();
          default:
            return false;  // not even evaluated (Velocity's SimpleNode.evaluate)
        }
      default:
        return false;
    }
  }

  Value EvalBinary(const Expr& e) {
    if (e.op == Op::kAnd) return Value(Cond(*e.items[0]) && Cond(*e.items[1]));
    if (e.op == Op::kOr) return Value(Cond(*e.items[0]) || Cond(*e.items[1]));
    Value a = Eval(*e.items[0]);
    Value b = Eval(*e.items[1]);
    if (e.op == Op::kAdd) {
      // Velocity 1.7 joins a string with a null reference's text as written
      // ('USER#' + $missing is "USER#$missing"), in API Gateway's mode too.
      if (a.is_null() && b.if_string() && e.items[0]->kind == Expr::kRef) a = Value(e.items[0]->ref->source);
      if (b.is_null() && a.if_string() && e.items[1]->kind == Expr::kRef) b = Value(e.items[1]->ref->source);
    }
    switch (e.op) {
      case Op::kEq: return Value(ValuesEqual(a, b));
      case Op::kNe: return Value(!ValuesEqual(a, b));
      case Op::kLt:
      case Op::kGt:
      case Op::kLe:
      case Op::kGe: {
        int cmp;
        if (a.is_number() && b.is_number()) {
          if (a.if_int() && b.if_int()) {
            cmp = *a.if_int() < *b.if_int() ? -1 : *a.if_int() > *b.if_int() ? 1 : 0;
          } else {
            double x = a.AsDouble(), y = b.AsDouble();
            if (std::isnan(x) || std::isnan(y)) return Value(false);
            cmp = x < y ? -1 : x > y ? 1 : 0;
          }
        } else {
          // Velocity 1.7 orders numbers only (strings too is Velocity 2):
          // it logs an error and yields false.
          return Value(false);
        }
        switch (e.op) {
          case Op::kLt: return Value(cmp < 0);
          case Op::kGt: return Value(cmp > 0);
          case Op::kLe: return Value(cmp <= 0);
          default: return Value(cmp >= 0);
        }
      }
      default:
        return Arithmetic(e.op, a, b);
    }
  }

  Value Arithmetic(Op op, const Value& a, const Value& b) {
    if (op == Op::kAdd && (a.if_string() || b.if_string())) {
      if (a.is_null() || b.is_null()) return Value();
      std::string s = a.ToString();
      b.AppendTo(s);
      if (!CheckSize(s.size())) return Value();
      return Value(std::move(s));
    }
    if (!a.is_number() || !b.is_number()) return Value();
    if (a.if_int() && b.if_int()) {
      int64_t x = *a.if_int(), y = *b.if_int(), r = 0;
      switch (op) {
        case Op::kAdd:
          if (__builtin_add_overflow(x, y, &r)) return Value(static_cast<double>(x) + static_cast<double>(y));
          return Value(r);
        case Op::kSub:
          if (__builtin_sub_overflow(x, y, &r)) return Value(static_cast<double>(x) - static_cast<double>(y));
          return Value(r);
        case Op::kMul:
          if (__builtin_mul_overflow(x, y, &r)) return Value(static_cast<double>(x) * static_cast<double>(y));
          return Value(r);
        case Op::kDiv:
          if (y == 0) return Value();  // Velocity: division by zero yields null
          if (x == INT64_MIN && y == -1) return Value(-static_cast<double>(x));
          return Value(x / y);
        case Op::kMod:
          if (y == 0) return Value();
          if (y == -1) return Value(int64_t{0});
          return Value(x % y);
        default:
          return Value();
      }
    }
    double x = a.AsDouble(), y = b.AsDouble();
    switch (op) {
      case Op::kAdd: return Value(x + y);
      case Op::kSub: return Value(x - y);
      case Op::kMul: return Value(x * y);
      case Op::kDiv:
        if (y == 0) return Value();
        return Value(x / y);
      case Op::kMod:
        if (y == 0) return Value();
        return Value(std::fmod(x, y));
      default: return Value();
    }
  }

  // ---- references ----
  Value EvalRef(const Ref& r) {
    Value cur = slots_[static_cast<size_t>(r.slot)];
    if (!r.segments.empty() && DefinedBlock(cur) >= 0) return Value();  // a block has no members
    for (const Segment& seg : r.segments) {
      if (cur.is_null() || failed()) return Value();
      switch (seg.kind) {
        case Segment::kProperty:
          cur = GetProperty(cur, seg.name);
          break;
        case Segment::kIndex:
          cur = GetIndex(cur, Eval(*seg.args[0]));
          break;
        case Segment::kMethod: {
          std::vector<Value> args;
          args.reserve(seg.args.size());
          for (const ExprPtr& a : seg.args) args.push_back(Eval(*a));
          if (failed()) return Value();
          cur = CallMethod(cur, seg, args);
          break;
        }
      }
    }
    return cur;
  }

  void Assign(const Ref& r, Value v) {
    if (failed() || v.is_null()) return;  // Velocity 1.7: a null right side leaves the target alone
    if (r.segments.empty()) {
      slots_[static_cast<size_t>(r.slot)] = std::move(v);
      if (macro_depth_ > 0 && static_cast<size_t>(r.slot) < set_in_macro_.size()) {
        set_in_macro_[static_cast<size_t>(r.slot)] = true;
      }
      return;
    }
    containers_mutated_ = true;
    Value target = slots_[static_cast<size_t>(r.slot)];
    for (size_t i = 0; i + 1 < r.segments.size(); ++i) {
      const Segment& seg = r.segments[i];
      if (target.is_null()) return;
      target = seg.kind == Segment::kProperty ? GetProperty(target, seg.name)
                                              : GetIndex(target, Eval(*seg.args[0]));
    }
    const Segment& last = r.segments.back();
    if (last.kind == Segment::kProperty) {
      if (Map* m = target.if_map()) m->Put(last.name, std::move(v));
      return;
    }
    Value key = Eval(*last.args[0]);
    if (Map* m = target.if_map()) {
      if (!key.is_null()) m->Put(key.ToString(), std::move(v));
    } else if (List* l = target.if_list()) {
      auto idx = AsIndex(key);
      if (idx && *idx >= 0 && *idx < static_cast<int64_t>(l->items.size())) {
        l->items[static_cast<size_t>(*idx)] = std::move(v);
      }
    }
  }

  Value GetProperty(const Value& obj, const std::string& name) {
    if (Map* m = obj.if_map()) {
      const Value* v = m->Find(name);
      // Velocity looks a Map's property up with get(name) only: $m.empty is
      // the "empty" key, not isEmpty().
      return v ? *v : Value();
    }
    if (const Builtin* b = obj.if_builtin()) {
      if (*b == Builtin::kInput && name == "body") return Value(ctx_.input.body);
      return Value();
    }
    if (name == "empty") {
      if (List* l = obj.if_list()) return Value(l->items.empty());
      if (const std::string* s = obj.if_string()) return Value(s->empty());
    }
    return Value();
  }

  Value GetIndex(const Value& obj, const Value& key) {
    if (List* l = obj.if_list()) {
      auto idx = AsIndex(key);
      if (!idx) return Value();
      if (*idx < 0) *idx += static_cast<int64_t>(l->items.size());
      if (*idx >= 0 && *idx < static_cast<int64_t>(l->items.size())) return l->items[static_cast<size_t>(*idx)];
      return JavaThrows("get", "java.lang.IndexOutOfBoundsException");  // $list[i] is get(i)
    }
    // A negative index asks the object for size(): an error where it has none.
    if (!obj.is_null() && !obj.if_map()) {
      if (auto idx = AsIndex(key); idx && *idx < 0) return JavaThrows("size", "a VelocityException (no size())");
    }
    if (Map* m = obj.if_map()) {
      if (key.is_null()) return Value();
      const Value* v = m->Find(key.ToString());
      return v ? *v : Value();
    }
    return Value();
  }

  // ---- $input ----
  const json::value* Body() {
    if (!body_tried_) {
      body_tried_ = true;
      std::string_view text = ctx_.input.body;
      size_t first = text.find_first_not_of(" \t\r\n");
      if (first == std::string_view::npos) {
        body_ = json::object();  // API Gateway treats an empty body as {}
      } else {
        boost::system::error_code ec;
        json::value v = json::parse(text, ec);
        if (ec) {
          Fail(Status::Of(Code::kBadRequest, "Could not parse request body into json: " + ec.message()));
        } else {
          body_ = std::move(v);
        }
      }
    }
    return body_ ? &*body_ : nullptr;
  }

  Value PathValue(const JsonPath& jp) {
    const json::value* root = Body();
    if (!root) return Value();
    std::vector<const json::value*> matches = jp.Select(*root);
    if (jp.length_function()) return FromJson(jp.Evaluate(*root));
    if (jp.definite()) return matches.empty() ? Value() : FromJson(*matches.front());
    auto list = std::make_shared<List>();
    list->from_json = true;
    for (const json::value* m : matches) list->items.push_back(FromJson(*m));
    return Value(std::move(list));
  }

  std::string JsonText(const JsonPath& jp) {
    const json::value* root = Body();
    if (!root) return {};
    if (jp.definite() && !jp.length_function()) {
      std::vector<const json::value*> matches = jp.Select(*root);
      return matches.empty() ? "null" : SerializeJson(*matches.front());
    }
    return SerializeJson(jp.Evaluate(*root));
  }

  const Value& Params() {
    if (params_.is_null()) {
      params_ = Value::NewMap();
      auto to_map = [](const std::map<std::string, std::string>& src, bool ci) {
        Value m = Value::NewMap(ci);
        for (const auto& [k, v] : src) m.if_map()->Put(k, Value(v));
        return m;
      };
      params_.if_map()->Put("path", to_map(ctx_.input.path, false));
      params_.if_map()->Put("querystring", to_map(ctx_.input.querystring, false));
      params_.if_map()->Put("header", to_map(ctx_.input.header, true));
    }
    return params_;
  }

  Value CallInput(const Segment& seg, const std::vector<Value>& args) {
    const std::string& m = seg.name;
    if ((m == "path" || m == "json") && args.size() == 1) {
      std::shared_ptr<const JsonPath> jp = seg.jsonpath;
      if (!jp) {
        const std::string* text = args[0].if_string();
        if (!text) return Value();
        Result<JsonPath> parsed = JsonPath::Parse(*text);
        if (!parsed.ok()) return Value();
        jp = std::make_shared<const JsonPath>(std::move(*parsed));
      }
      if (m == "path") return PathValue(*jp);
      std::string s = JsonText(*jp);
      if (failed()) return Value();
      return Value(std::move(s));
    }
    if (m == "params") {
      if (args.empty()) return Params();
      if (args.size() == 1 && args[0].if_string()) {
        const std::string& name = *args[0].if_string();
        const Map& all = *Params().if_map();
        for (const char* where : {"path", "querystring", "header"}) {
          const Value* group = all.Find(where);
          if (group && group->if_map()) {
            if (const Value* v = group->if_map()->Find(name)) return *v;
          }
        }
      }
      return Value();
    }
    if (m == "getBody" && args.empty()) return Value(ctx_.input.body);
    return Value();
  }

  // ---- $util ----
  Value CallUtil(const std::string& m, const std::vector<Value>& args) {
    if (args.size() != 1 || args[0].is_null()) return Value();
    std::string s = args[0].ToString();
    if (m == "escapeJavaScript") return Value(EscapeJavaScript(s));
    if (m == "urlEncode") return Value(UrlEncode(s));
    if (m == "urlDecode") {
      auto d = UrlDecode(s);
      return d ? Value(JavaUtf8(*d)) : Value();
    }
    if (m == "base64Encode") return Value(Base64Encode(s));
    if (m == "base64Decode") {
      auto d = Base64Decode(s);
      return d ? Value(JavaUtf8(*d)) : Value();
    }
    if (m == "parseJson") {
      boost::system::error_code ec;
      json::value v = json::parse(s, ec);
      if (ec) return Value();
      return FromJson(v);
    }
    return Value();
  }

  // ---- Java methods ----
  Value CallMethod(const Value& obj, const Segment& seg, std::vector<Value>& args) {
    const std::string& m = seg.name;
    if (const Builtin* b = obj.if_builtin()) {
      return *b == Builtin::kInput ? CallInput(seg, args) : CallUtil(m, args);
    }
    // A container method may store a list or map in another (or in itself).
    if (!args.empty() && (obj.if_map() || obj.if_list())) containers_mutated_ = true;
    // Methods every object has.
    if (m == "toString" && args.empty()) return Value(obj.ToString());
    if (m == "equals" && args.size() == 1) return Value(JavaEquals(obj, args[0]));
    if (m == "hashCode" && args.empty()) return Value(static_cast<int64_t>(std::hash<std::string>{}(obj.ToString()) & 0x7fffffff));
    if (const std::string* s = obj.if_string()) return StringMethod(*s, m, args);
    if (List* l = obj.if_list()) return ListMethod(*l, m, args);
    if (Map* mp = obj.if_map()) return MapMethod(*mp, m, args);
    if (obj.is_number()) {
      if (args.empty()) {
        if (m == "intValue" || m == "longValue") {
          if (obj.if_int()) return obj;
          double d = *obj.if_double();
          if (!std::isfinite(d) || std::fabs(d) > 9e18) return Value();
          return Value(static_cast<int64_t>(d));
        }
        if (m == "doubleValue" || m == "floatValue") return Value(obj.AsDouble());
      }
      return Value();
    }
    if (const bool* b = obj.if_bool()) {
      if (m == "booleanValue" && args.empty()) return Value(*b);
    }
    return Value();
  }

  Value MapMethod(Map& map, const std::string& m, std::vector<Value>& args) {
    const size_t n = args.size();
    if (m == "get" && n == 1) {
      if (args[0].is_null()) return Value();
      const Value* v = map.Find(args[0].ToString());
      return v ? *v : Value();
    }
    if (m == "containsKey" && n == 1) return Value(!args[0].is_null() && map.Find(args[0].ToString()) != nullptr);
    if (m == "containsValue" && n == 1) {
      for (const auto& kv : map.entries()) {
        if (JavaEquals(kv.second, args[0])) return Value(true);
      }
      return Value(false);
    }
    if (m == "put" && n == 2) {
      if (args[0].is_null()) return Value();
      return map.Put(args[0].ToString(), std::move(args[1]));
    }
    if (m == "putAll" && n == 1) {
      if (args[0].is_null()) return JavaThrows(m, "java.lang.NullPointerException");
      if (Map* other = args[0].if_map()) {
        if (other != &map) {
          for (const auto& kv : other->entries()) map.Put(kv.first, kv.second);
        }
      }
      return Value(std::string());  // a void method: Velocity 1.7 renders ""
    }
    if (m == "remove" && n == 1) return args[0].is_null() ? Value() : map.Remove(args[0].ToString());
    if (m == "size" && n == 0) return Value(static_cast<int64_t>(map.size()));
    if (m == "isEmpty" && n == 0) return Value(map.empty());
    if (m == "clear" && n == 0) {
      map.Clear();
      return Value(std::string());  // void
    }
    if (m == "keySet" && n == 0) {
      auto list = std::make_shared<List>();
      for (const auto& kv : map.entries()) list->items.push_back(Value(kv.first));
      return Value(std::move(list));
    }
    if (m == "values" && n == 0) {
      auto list = std::make_shared<List>();
      for (const auto& kv : map.entries()) list->items.push_back(kv.second);
      return Value(std::move(list));
    }
    if (m == "entrySet" && n == 0) {
      auto list = std::make_shared<List>();
      for (const auto& kv : map.entries()) {
        Value entry = Value::NewMap();
        entry.if_map()->map_entry = true;
        entry.if_map()->Put("key", Value(kv.first));
        entry.if_map()->Put("value", kv.second);
        list->items.push_back(std::move(entry));
      }
      return Value(std::move(list));
    }
    // Bean getters, so Map.Entry's getKey()/getValue() work on entrySet items.
    if (n == 0 && m.size() > 3 && m.compare(0, 3, "get") == 0) {
      std::string prop = m.substr(3);
      prop[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(prop[0])));
      const Value* v = map.Find(prop);
      return v ? *v : Value();
    }
    return Value();
  }

  Value ListMethod(List& list, const std::string& m, std::vector<Value>& args) {
    auto& items = list.items;
    const size_t n = args.size();
    const int64_t size = static_cast<int64_t>(items.size());
    if (m == "size" && n == 0) return Value(size);
    if (m == "isEmpty" && n == 0) return Value(items.empty());
    if (m == "get" && n == 1) {
      auto i = AsIndex(args[0]);
      if (!i) return Value();
      if (*i < 0 || *i >= size) return JavaThrows(m, "java.lang.IndexOutOfBoundsException");
      return items[static_cast<size_t>(*i)];
    }
    if (m == "add" && n == 1) {
      if (!CheckSize(items.size())) return Value();
      items.push_back(std::move(args[0]));
      return Value(true);
    }
    if (m == "add" && n == 2) {
      auto i = AsIndex(args[0]);
      if (!i) return Value();
      if (*i < 0 || *i > size) return JavaThrows(m, "java.lang.IndexOutOfBoundsException");
      items.insert(items.begin() + *i, std::move(args[1]));
      return Value(std::string());  // void
    }
    if (m == "addAll" && n == 1) {
      if (args[0].is_null()) return JavaThrows(m, "java.lang.NullPointerException");
      if (List* other = args[0].if_list()) {
        std::vector<Value> copy = other->items;
        items.insert(items.end(), copy.begin(), copy.end());
        return Value(true);
      }
      return Value(false);
    }
    if (m == "set" && n == 2) {
      auto i = AsIndex(args[0]);
      if (!i) return Value();
      if (*i < 0 || *i >= size) return JavaThrows(m, "java.lang.IndexOutOfBoundsException");
      std::swap(items[static_cast<size_t>(*i)], args[1]);
      return args[1];
    }
    if (m == "contains" && n == 1) {
      for (const Value& v : items) {
        if (JavaEquals(v, args[0])) return Value(true);
      }
      return Value(false);
    }
    if (m == "indexOf" && n == 1) {
      for (size_t i = 0; i < items.size(); ++i) {
        if (JavaEquals(items[i], args[0])) return Value(static_cast<int64_t>(i));
      }
      return Value(int64_t{-1});
    }
    if (m == "remove" && n == 1) {
      if (auto i = AsIndex(args[0])) {  // remove(int index), as Java picks for an Integer
        if (*i < 0 || *i >= size) return JavaThrows(m, "java.lang.IndexOutOfBoundsException");
        Value old = std::move(items[static_cast<size_t>(*i)]);
        items.erase(items.begin() + *i);
        return old;
      }
      for (size_t i = 0; i < items.size(); ++i) {
        if (JavaEquals(items[i], args[0])) {
          items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
          return Value(true);
        }
      }
      return Value(false);
    }
    if (m == "clear" && n == 0) {
      items.clear();
      return Value(std::string());  // void
    }
    if (m == "subList" && n == 2) {
      auto a = AsIndex(args[0]), b = AsIndex(args[1]);
      if (!a || !b) return Value();
      if (*a < 0 || *b > size || *a > *b) return JavaThrows(m, "java.lang.IndexOutOfBoundsException");
      auto sub = std::make_shared<List>();
      sub->items.assign(items.begin() + *a, items.begin() + *b);
      return Value(std::move(sub));
    }
    return Value();
  }

  Value StringMethod(const std::string& s, const std::string& m, std::vector<Value>& args) {
    const size_t n = args.size();
    auto str_arg = [&](size_t i) -> const std::string* { return i < n ? args[i].if_string() : nullptr; };
    if (m == "length" && n == 0) return Value(Utf16Length(s));
    if (m == "isEmpty" && n == 0) return Value(s.empty());
    if (m == "trim" && n == 0) {
      size_t b = 0, e = s.size();
      while (b < e && static_cast<unsigned char>(s[b]) <= ' ') ++b;
      while (e > b && static_cast<unsigned char>(s[e - 1]) <= ' ') --e;
      return Value(s.substr(b, e - b));
    }
    if ((m == "toLowerCase" || m == "toUpperCase") && n == 0) {
      return Value(JavaCase(s, m == "toUpperCase"));
    }
    if (m == "substring" && (n == 1 || n == 2)) {
      auto a = AsIndex(args[0]);
      std::optional<int64_t> b = n == 2 ? AsIndex(args[1]) : std::optional<int64_t>(Utf16Length(s));
      int64_t len = Utf16Length(s);
      if (!a || !b) return Value();
      if (*a < 0 || *b > len || *a > *b) return JavaThrows(m, "java.lang.StringIndexOutOfBoundsException");
      size_t from = ByteOffset(s, *a), to = ByteOffset(s, *b);
      return Value(s.substr(from, to - from));
    }
    if (m == "charAt" && n == 1) {
      auto i = AsIndex(args[0]);
      if (!i) return Value();
      if (*i < 0 || *i >= Utf16Length(s)) return JavaThrows(m, "java.lang.StringIndexOutOfBoundsException");
      size_t from = ByteOffset(s, *i), to = ByteOffset(s, *i + 1);
      return Value(s.substr(from, to - from));
    }
    if ((m == "indexOf" || m == "lastIndexOf") && (n == 1 || n == 2) && args[0].if_int()) {
      // indexOf(int ch): the character with that code
      int64_t ch = *args[0].if_int();
      if (ch < 0 || ch > 0x10FFFF) return Value(int64_t{-1});
      std::string needle;
      AppendUtf8(needle, static_cast<uint32_t>(ch));
      args[0] = Value(std::move(needle));
    }
    if ((m == "indexOf" || m == "lastIndexOf") && (n == 1 || n == 2) && str_arg(0)) {
      const std::string& needle = *str_arg(0);
      size_t found;
      if (m == "indexOf") {
        size_t from = 0;
        if (n == 2) {
          auto f = AsIndex(args[1]);
          if (!f) return Value();
          from = ByteOffset(s, std::max<int64_t>(0, *f));
        }
        found = s.find(needle, from);
      } else {
        size_t from = std::string::npos;
        if (n == 2) {
          auto f = AsIndex(args[1]);
          if (!f) return Value();
          if (*f < 0) return Value(int64_t{-1});
          from = ByteOffset(s, *f);
        }
        found = s.rfind(needle, from);
      }
      return Value(found == std::string::npos ? int64_t{-1} : UnitIndex(s, found));
    }
    if (m == "startsWith" && n == 2 && str_arg(0) && args[1].if_int()) {  // startsWith(prefix, offset)
      int64_t off = *args[1].if_int();
      if (off < 0 || off > Utf16Length(s)) return Value(false);
      size_t at = ByteOffset(s, off);
      const std::string& x = *str_arg(0);
      return Value(s.size() - at >= x.size() && s.compare(at, x.size(), x) == 0);
    }
    if ((m == "startsWith" || m == "endsWith" || m == "contains") && n == 1 && str_arg(0)) {
      const std::string& x = *str_arg(0);
      if (m == "startsWith") return Value(s.compare(0, x.size(), x) == 0 && s.size() >= x.size());
      if (m == "endsWith") return Value(s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0);
      return Value(s.find(x) != std::string::npos);
    }
    if (m == "concat" && n == 1 && str_arg(0)) return Value(s + *str_arg(0));
    if (m == "equalsIgnoreCase" && n == 1) {
      const std::string* x = str_arg(0);
      if (!x || x->size() != s.size()) return Value(false);
      for (size_t i = 0; i < s.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>((*x)[i])))
          return Value(false);
      }
      return Value(true);
    }
    if (m == "replace" && n == 2) {
      if (args[0].is_null() || args[1].is_null()) return Value();
      std::string from = args[0].ToString(), to = args[1].ToString();
      std::string out;
      if (from.empty()) {  // Java inserts the replacement between every char
        out += to;
        for (char c : s) {
          out += c;
          out += to;
        }
      } else {
        size_t pos = 0;
        for (;;) {
          size_t hit = s.find(from, pos);
          if (hit == std::string::npos) break;
          out.append(s, pos, hit - pos);
          out += to;
          pos = hit + from.size();
          if (!CheckSize(out.size())) return Value();
        }
        out.append(s, pos, std::string::npos);
      }
      if (!CheckSize(out.size())) return Value();
      return Value(std::move(out));
    }
    if ((m == "replaceAll" || m == "replaceFirst") && n == 2 && str_arg(0) && str_arg(1)) {
      RE2 re(*str_arg(0), RE2::Quiet);
      if (!re.ok() || JavaRejectsBrace(*str_arg(0))) return JavaThrows(m, "java.util.regex.PatternSyntaxException");
      std::string out = s;
      std::optional<std::string> rewrite = JavaReplacementToRe2(*str_arg(1), re.NumberOfCapturingGroups());
      if (!rewrite) {  // Java reads the replacement only when the pattern matches
        if (!RE2::PartialMatch(s, re)) return Value(s);
        return JavaThrows(m, "java.lang.IllegalArgumentException");
      }
      const std::string& repl = *rewrite;
      if (m == "replaceAll") {
        RE2::GlobalReplace(&out, re, repl);
      } else {
        RE2::Replace(&out, re, repl);
      }
      if (!CheckSize(out.size())) return Value();
      return Value(std::move(out));
    }
    if (m == "matches" && n == 1 && str_arg(0)) {
      RE2 re(*str_arg(0), RE2::Quiet);
      if (!re.ok() || JavaRejectsBrace(*str_arg(0))) return JavaThrows(m, "java.util.regex.PatternSyntaxException");
      return Value(RE2::FullMatch(s, re));
    }
    if (m == "split" && (n == 1 || n == 2) && str_arg(0)) {
      RE2 re(*str_arg(0), RE2::Quiet);
      if (!re.ok() || JavaRejectsBrace(*str_arg(0))) return JavaThrows(m, "java.util.regex.PatternSyntaxException");
      int64_t limit = 0;
      if (n == 2) {
        auto l = AsIndex(args[1]);
        if (!l) return Value();
        limit = *l;
      }
      auto list = std::make_shared<List>();
      size_t consumed = 0;
      re2::StringPiece match;
      size_t start = 0;
      while (limit <= 0 || static_cast<int64_t>(list->items.size()) + 1 < limit) {
        re2::StringPiece input(s);
        if (!re.Match(input, consumed, s.size(), RE2::UNANCHORED, &match, 1)) break;
        size_t mbeg = static_cast<size_t>(match.data() - s.data());
        size_t mend = mbeg + match.size();
        if (match.empty()) {  // Java: a zero-width match splits between chars
          if (mbeg >= s.size()) break;
          if (mbeg == 0) {
            consumed = 1;
            continue;
          }
        }
        list->items.push_back(Value(s.substr(start, mbeg - start)));
        start = mend;
        consumed = match.empty() ? mend + 1 : mend;
        if (consumed > s.size()) break;
        if (!CheckSize(list->items.size())) return Value();
      }
      list->items.push_back(Value(s.substr(std::min(start, s.size()))));
      if (limit == 0) {  // Java drops trailing empty strings
        while (list->items.size() > 1 && list->items.back().if_string()->empty()) list->items.pop_back();
        if (list->items.size() == 1 && list->items[0].if_string()->empty() && !s.empty()) list->items.clear();
      }
      return Value(std::move(list));
    }
    if (m == "compareTo" && n == 1 && str_arg(0)) {
      int c = s.compare(*str_arg(0));
      return Value(int64_t{c < 0 ? -1 : c > 0 ? 1 : 0});
    }
    return Value();
  }

  const Template::Impl& t_;
  RenderContext& ctx_;
  const RenderLimits& limits_;
  int macro_depth_ = 0;
  std::vector<bool> set_in_macro_;
  std::vector<const std::string*> param_literal_;  // per slot: see ParamLiteral
  bool stop_requested_ = false;  // a #stop inside a #define block
  std::vector<int> defines_active_;  // per #define: renders of it under way  // per slot: #set inside the current macro call
  std::vector<Value> slots_;
  Status error_;
  bool error_positioned_ = false;
  bool containers_mutated_ = false;  // a #set into a container or a method with arguments on one ran
  int64_t iterations_ = 0;
  bool body_tried_ = false;
  std::optional<json::value> body_;
  Value params_;
};

}  // namespace

Template::Template(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Template::~Template() = default;

Result<std::shared_ptr<const Template>> Template::Parse(std::string_view text) {
  auto impl = std::make_unique<Impl>();
  Status s = ParseTemplate(text, *impl);
  if (!s.ok()) return s;
  return std::shared_ptr<const Template>(new Template(std::move(impl)));
}

Result<std::string> Template::Render(RenderContext& ctx) const { return Render(ctx, RenderLimits{}); }

Result<std::string> Template::Render(RenderContext& ctx, const RenderLimits& limits) const {
  Renderer r(*impl_, ctx, limits);
  return r.Run();
}

}  // namespace streamer::vtl
