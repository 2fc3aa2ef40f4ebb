#include "dynamo/expr/condition.h"

#include "dynamo/expr/condition_internal.h"
#include "dynamo/expr/parser.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/base64.h"
#include "dynamo/model/decimal.h"

namespace streamer::dynamo::expr {

using internal::ErrorKind;
using internal::ErrorSet;
using internal::RawCondition;
using internal::RawOperand;

namespace {

constexpr size_t kMaxInOperands = 100;

int FunctionArity(std::string_view name) {
  if (name == "attribute_exists" || name == "attribute_not_exists" || name == "size") return 1;
  if (name == "attribute_type" || name == "begins_with" || name == "contains") return 2;
  return -1;
}

std::string OperandCountError(std::string_view name, size_t n) {
  return "Incorrect number of operands for operator or function; operator or function: " + std::string(name) +
         ", number of operands: " + std::to_string(n);
}

std::string OperandTypeError(std::string_view name, std::string_view type) {
  return "Incorrect operand type for operator or function; operator or function: " + std::string(name) +
         ", operand type: " + std::string(type);
}

// "{N:1}" as AWS prints a constant in BETWEEN errors.
std::string ShortValue(const json::value& v) {
  std::string_view t = TypeOf(v);
  const json::value* p = PayloadOf(v);
  std::string body = p && p->is_string() ? std::string(p->get_string()) : (p ? json::serialize(*p) : "");
  return "{" + std::string(t) + ":" + body + "}";
}

// size() of a string is its length in characters, not bytes (AWS: "the
// length of the string"; "abÿ" has size 3), counted as Java counts them:
// UTF-16 code units, so a character outside the BMP counts 2.
size_t StringLength(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++n;  // a leading byte starts a character
    if (c >= 0xF0) ++n;           // a 4-byte sequence is a surrogate pair
  }
  return n;
}

// size() of a constant is computed once; nullopt when it has no size.
std::optional<size_t> SizeOf(const json::value& v) {
  std::string_view t = TypeOf(v);
  const json::value* p = PayloadOf(v);
  if (!p) return std::nullopt;
  if (t == "S") return StringLength(p->get_string());
  if (t == "B") {
    auto bytes = Base64Decode(p->get_string());
    return bytes ? bytes->size() : 0;
  }
  if (t == "SS" || t == "NS" || t == "BS" || t == "L") return p->get_array().size();
  if (t == "M") return p->get_object().size();
  return std::nullopt;
}

json::value NumberValue(size_t n) { return MakeN(std::to_string(n)); }

class Converter {
 public:
  explicit Converter(ErrorSet* errors) : errors_(errors) {}

  Operand ConvertOperand(const RawOperand& raw) {
    Operand out;
    switch (raw.kind) {
      case RawOperand::Kind::kPath:
        out.kind = Operand::Kind::kPath;
        out.path = raw.path;
        break;
      case RawOperand::Kind::kValue:
        out.kind = Operand::Kind::kValue;
        out.value = raw.value;
        break;
      case RawOperand::Kind::kArithmetic:  // not produced by the condition parser
      case RawOperand::Kind::kFunction:
        ConvertFunctionOperand(raw, &out);
        break;
    }
    return out;
  }

  // Type of an operand known at parse time ("" when it depends on the item).
  static std::string StaticType(const RawOperand& raw) {
    if (raw.kind == RawOperand::Kind::kValue) return std::string(TypeOf(raw.value));
    if (raw.kind == RawOperand::Kind::kFunction && raw.function == "size") return "N";
    return "";
  }

  void ConvertFunctionOperand(const RawOperand& raw, Operand* out) {
    if (FunctionArity(raw.function) < 0) {
      errors_->Add(ErrorKind::kUnknownFunction, "Invalid function name; function: " + raw.function);
      return;
    }
    if (raw.function != "size") {
      errors_->Add(ErrorKind::kMisusedFunction,
                   "The function is not allowed to be used this way in an expression; function: " + raw.function);
      return;
    }
    CheckArgs(raw);
    if (raw.args.size() != 1) return;
    const RawOperand& arg = raw.args[0];
    if (arg.kind == RawOperand::Kind::kValue) {
      std::string type = StaticType(arg);
      if (type == "N" || type == "BOOL" || type == "NULL") {
        errors_->Add(ErrorKind::kFunctionType, OperandTypeError("size", type));
        return;
      }
      out->kind = Operand::Kind::kValue;
      if (auto n = SizeOf(arg.value)) out->value = NumberValue(*n);
      return;
    }
    if (arg.kind != RawOperand::Kind::kPath) {
      errors_->Add(ErrorKind::kFunctionType, OperandTypeError("size", StaticType(arg)));
      return;
    }
    out->kind = Operand::Kind::kSize;
    out->path = arg.path;
  }

  // Arity and nested-function checks shared by every function call.
  bool CheckArgs(const RawOperand& call) {
    for (const auto& a : call.args) {
      if (a.kind == RawOperand::Kind::kFunction && a.function != "size") {
        if (FunctionArity(a.function) < 0) {
          errors_->Add(ErrorKind::kUnknownFunction, "Invalid function name; function: " + a.function);
        } else {
          errors_->Add(ErrorKind::kMisusedFunction,
                       "The function is not allowed to be used this way in an expression; function: " + a.function);
        }
      }
    }
    if (static_cast<int>(call.args.size()) != FunctionArity(call.function)) {
      errors_->Add(ErrorKind::kOperandCount, OperandCountError(call.function, call.args.size()));
      return false;
    }
    return true;
  }

  void CheckDistinct(std::string_view op, const RawOperand& a, const RawOperand& b) {
    if (a.kind == RawOperand::Kind::kPath && b.kind == RawOperand::Kind::kPath && a.path == b.path) {
      errors_->Add(ErrorKind::kDistinct,
                   "The first operand must be distinct from the remaining operands for this operator or function; "
                   "operator: " + std::string(op) + ", first operand: " + PathToString(a.path));
    }
  }

  Condition ConvertFunctionCondition(const RawOperand& call) {
    Condition c;
    const std::string& name = call.function;
    if (FunctionArity(name) < 0) {
      errors_->Add(ErrorKind::kUnknownFunction, "Invalid function name; function: " + name);
      return c;
    }
    if (name == "size") {
      errors_->Add(ErrorKind::kMisusedFunction,
                   "The function is not allowed to be used this way in an expression; function: size");
      return c;
    }
    if (!CheckArgs(call)) return c;
    for (const auto& a : call.args) c.operands.push_back(ConvertOperand(a));
    if (call.args.size() == 2) CheckDistinct(name, call.args[0], call.args[1]);
    if (name == "attribute_exists" || name == "attribute_not_exists") {
      c.op = name == "attribute_exists" ? Condition::Op::kAttributeExists : Condition::Op::kAttributeNotExists;
      if (call.args[0].kind != RawOperand::Kind::kPath) {
        errors_->Add(ErrorKind::kFunctionType,
                     "Operator or function requires a document path; operator or function: " + name);
      }
    } else if (name == "attribute_type") {
      c.op = Condition::Op::kAttributeType;
      std::string type = StaticType(call.args[1]);
      if (type != "S") {
        errors_->Add(ErrorKind::kFunctionType,
                     OperandTypeError(name, type.empty() ? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}" : type));
      } else {
        std::string_view wanted = call.args[1].value.get_object().at("S").get_string();
        static const std::set<std::string_view> kValid = {"S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"};
        if (!kValid.count(wanted)) {
          errors_->Add(ErrorKind::kFunctionType, "Invalid attribute type name found; type: " + std::string(wanted) +
                                                     ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
        }
      }
    } else if (name == "begins_with") {
      c.op = Condition::Op::kBeginsWith;
      for (const auto& a : call.args) {
        std::string type = StaticType(a);
        if (!type.empty() && type != "S" && type != "B") {
          errors_->Add(ErrorKind::kFunctionType, OperandTypeError(name, type));
          break;
        }
      }
    } else {
      c.op = Condition::Op::kContains;
    }
    return c;
  }

  Condition Convert(const RawCondition& raw) {
    Condition c;
    switch (raw.kind) {
      case RawCondition::Kind::kAnd:
      case RawCondition::Kind::kOr:
      case RawCondition::Kind::kNot:
        c.op = raw.kind == RawCondition::Kind::kAnd  ? Condition::Op::kAnd
               : raw.kind == RawCondition::Kind::kOr ? Condition::Op::kOr
                                                     : Condition::Op::kNot;
        for (const auto& child : raw.children) c.children.push_back(Convert(child));
        return c;
      case RawCondition::Kind::kFunction:
        return ConvertFunctionCondition(raw.operands[0]);
      case RawCondition::Kind::kCompare: {
        static const std::map<std::string, Condition::Op> kOps = {
            {"=", Condition::Op::kEq}, {"<>", Condition::Op::kNe}, {"<", Condition::Op::kLt},
            {"<=", Condition::Op::kLe}, {">", Condition::Op::kGt}, {">=", Condition::Op::kGe}};
        c.op = kOps.at(raw.op);
        for (const auto& o : raw.operands) c.operands.push_back(ConvertOperand(o));
        CheckDistinct(raw.op, raw.operands[0], raw.operands[1]);
        return c;
      }
      case RawCondition::Kind::kBetween: {
        c.op = Condition::Op::kBetween;
        for (const auto& o : raw.operands) c.operands.push_back(ConvertOperand(o));
        const RawOperand& lo = raw.operands[1];
        const RawOperand& hi = raw.operands[2];
        if (lo.kind == RawOperand::Kind::kValue && hi.kind == RawOperand::Kind::kValue && !lo.value.is_null() &&
            !hi.value.is_null()) {
          std::string bounds = "lower bound operand: AttributeValue: " + ShortValue(lo.value) +
                               ", upper bound operand: AttributeValue: " + ShortValue(hi.value);
          if (TypeOf(lo.value) != TypeOf(hi.value)) {
            errors_->Add(ErrorKind::kFunctionType,
                         "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds);
          } else if (auto order = CompareScalars(lo.value, hi.value); order && *order > 0) {
            errors_->Add(ErrorKind::kFunctionType,
                         "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " + bounds);
          }
        }
        return c;
      }
      case RawCondition::Kind::kIn:
        c.op = Condition::Op::kIn;
        for (const auto& o : raw.operands) c.operands.push_back(ConvertOperand(o));
        if (raw.operands.size() - 1 > kMaxInOperands) {
          errors_->Add(ErrorKind::kOperandCount, "The IN operator is provided with too many operands; number of operands: " +
                                                     std::to_string(raw.operands.size() - 1));
        }
        return c;
    }
    return c;
  }

 private:
  ErrorSet* errors_;
};

// An operand's value for one item: a pointer into the item or the constant,
// or `scratch` for size(); nullptr when it has none.
const json::value* Resolve(const Operand& op, const json::object* item, json::value* scratch) {
  switch (op.kind) {
    case Operand::Kind::kValue:
      return op.value.is_null() ? nullptr : &op.value;
    case Operand::Kind::kPath:
      return item ? ResolvePath(*item, op.path) : nullptr;
    case Operand::Kind::kSize: {
      const json::value* v = item ? ResolvePath(*item, op.path) : nullptr;
      if (!v) return nullptr;
      auto n = SizeOf(*v);
      if (!n) return nullptr;
      *scratch = NumberValue(*n);
      return scratch;
    }
  }
  return nullptr;
}

bool Equal(const json::value* a, const json::value* b) { return a && b && AttributeValuesEqual(*a, *b); }

bool Ordered(const json::value* a, const json::value* b, bool (*accept)(std::strong_ordering)) {
  if (!a || !b) return false;
  auto order = CompareScalars(*a, *b);
  return order && accept(*order);
}

bool BeginsWith(const json::value* target, const json::value* prefix) {
  if (!target || !prefix) return false;
  std::string_view t = TypeOf(*target);
  if (t != TypeOf(*prefix) || (t != "S" && t != "B")) return false;
  std::string a(PayloadOf(*target)->get_string()), b(PayloadOf(*prefix)->get_string());
  if (t == "B") {
    a = Base64Decode(a).value_or("");
    b = Base64Decode(b).value_or("");
  }
  return a.compare(0, b.size(), b) == 0 && a.size() >= b.size();
}

// Substring search in O(|text| + |word|) (Knuth-Morris-Pratt): both come
// from clients, and std::string_view::find can take |text| * |word| steps,
// which a condition would spend on the serial writer.
bool HasSubstring(std::string_view text, std::string_view word) {
  if (word.empty()) return true;
  std::vector<size_t> border(word.size(), 0);
  for (size_t i = 1, k = 0; i < word.size(); ++i) {
    while (k > 0 && word[i] != word[k]) k = border[k - 1];
    if (word[i] == word[k]) ++k;
    border[i] = k;
  }
  for (size_t i = 0, k = 0; i < text.size(); ++i) {
    while (k > 0 && text[i] != word[k]) k = border[k - 1];
    if (text[i] == word[k]) ++k;
    if (k == word.size()) return true;
  }
  return false;
}

bool Contains(const json::value* target, const json::value* needle) {
  if (!target || !needle) return false;
  std::string_view t = TypeOf(*target), n = TypeOf(*needle);
  if (t.empty() || n.empty()) return false;  // not an attribute value (corrupt)
  const json::value& tp = *PayloadOf(*target);
  if (t == "S" && n == "S") return HasSubstring(tp.get_string(), PayloadOf(*needle)->get_string());
  if ((t == "SS" && n == "S") || (t == "NS" && n == "N") || (t == "BS" && n == "B")) {
    for (const auto& e : tp.get_array()) {
      json::object member;
      member[n] = e;
      if (AttributeValuesEqual(json::value(std::move(member)), *needle)) return true;
    }
    return false;
  }
  if (t == "L") {
    for (const auto& e : tp.get_array()) {
      if (AttributeValuesEqual(e, *needle)) return true;
    }
  }
  return false;
}

}  // namespace

namespace internal {

Result<Condition> BuildCondition(std::string_view text, const AttributeMaps& maps, std::string_view label,
                                 UsedPlaceholders* used) {
  std::string prefix = "Invalid " + std::string(label) + ": ";
  if (text.empty()) return Status::Validation(prefix + "The expression can not be empty;");
  if (std::string size = internal::ExpressionSizeError(text); !size.empty()) return Status::Validation(prefix + size);
  ErrorSet errors;
  Parser parser(text, maps, &errors, used);
  RawCondition raw;
  if (!parser.ParseCondition(&raw)) return Status::Validation(prefix + parser.SyntaxError());
  if (std::string ops = parser.OperatorError(); !ops.empty()) return Status::Validation(prefix + ops);
  Converter converter(&errors);
  Condition c = converter.Convert(raw);
  std::string err = errors.Pick({ErrorKind::kParens, ErrorKind::kUnknownFunction, ErrorKind::kMisusedFunction,
                                 ErrorKind::kReserved, ErrorKind::kUndefined, ErrorKind::kOperandCount,
                                 ErrorKind::kDistinct, ErrorKind::kFunctionType});
  if (!err.empty()) return Status::Validation(prefix + err);
  return c;
}

}  // namespace internal

Result<ParsedCondition> ParseCondition(std::string_view text, const AttributeMaps& maps, std::string_view label) {
  ParsedCondition out;
  auto c = internal::BuildCondition(text, maps, label, &out.used);
  if (!c.ok()) return c.status();
  out.root = std::move(*c);
  return out;
}

bool Evaluate(const Condition& c, const json::object* item) {
  using Op = Condition::Op;
  switch (c.op) {
    case Op::kAnd: return Evaluate(c.children[0], item) && Evaluate(c.children[1], item);
    case Op::kOr: return Evaluate(c.children[0], item) || Evaluate(c.children[1], item);
    case Op::kNot: return !Evaluate(c.children[0], item);
    default: break;
  }
  std::vector<json::value> scratch(c.operands.size());
  std::vector<const json::value*> v(c.operands.size());
  for (size_t i = 0; i < c.operands.size(); ++i) v[i] = Resolve(c.operands[i], item, &scratch[i]);
  switch (c.op) {
    case Op::kEq: return Equal(v[0], v[1]);
    case Op::kNe: return !Equal(v[0], v[1]);
    case Op::kLt: return Ordered(v[0], v[1], [](std::strong_ordering o) { return o < 0; });
    case Op::kLe: return Ordered(v[0], v[1], [](std::strong_ordering o) { return o <= 0; });
    case Op::kGt: return Ordered(v[0], v[1], [](std::strong_ordering o) { return o > 0; });
    case Op::kGe: return Ordered(v[0], v[1], [](std::strong_ordering o) { return o >= 0; });
    case Op::kBetween:
      return Ordered(v[0], v[1], [](std::strong_ordering o) { return o >= 0; }) &&
             Ordered(v[0], v[2], [](std::strong_ordering o) { return o <= 0; });
    case Op::kIn:
      for (size_t i = 1; i < v.size(); ++i) {
        if (Equal(v[0], v[i])) return true;
      }
      return false;
    case Op::kAttributeExists: return v[0] != nullptr;
    case Op::kAttributeNotExists: return v[0] == nullptr;
    case Op::kAttributeType:
      return v[0] && v[1] && TypeOf(*v[0]) == std::string_view(PayloadOf(*v[1])->get_string());
    case Op::kBeginsWith: return BeginsWith(v[0], v[1]);
    case Op::kContains: return Contains(v[0], v[1]);
    default: return false;
  }
}

}  // namespace streamer::dynamo::expr
