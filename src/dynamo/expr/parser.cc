#include "dynamo/expr/parser.h"

#include <algorithm>
#include <cctype>

#include "dynamo/expr/reserved_words.h"
#include "dynamo/model/attribute.h"

namespace streamer::dynamo::expr::internal {

std::string ErrorSet::Pick(std::initializer_list<ErrorKind> order) const {
  for (ErrorKind k : order) {
    auto it = errors_.find(k);
    if (it != errors_.end()) return it->second;
  }
  return "";
}

namespace {

enum class Tok {
  kIdent, kName, kValue, kNumber, kLParen, kRParen, kLBracket, kRBracket, kDot, kComma,
  kEq, kNe, kLt, kLe, kGt, kGe, kPlus, kMinus, kEof, kInvalid,
};

struct Token {
  Tok kind;
  std::string_view text;
  size_t begin, end;
};

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::vector<Token> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    size_t start = i;
    Tok kind = Tok::kInvalid;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i < s.size() && IsWordChar(s[i])) ++i;
      kind = Tok::kIdent;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      kind = Tok::kNumber;
    } else if (c == '#' || c == ':') {
      ++i;
      while (i < s.size() && IsWordChar(s[i])) ++i;
      kind = i - start > 1 ? (c == '#' ? Tok::kName : Tok::kValue) : Tok::kInvalid;
    } else {
      ++i;
      switch (c) {
        case '(': kind = Tok::kLParen; break;
        case ')': kind = Tok::kRParen; break;
        case '[': kind = Tok::kLBracket; break;
        case ']': kind = Tok::kRBracket; break;
        case '.': kind = Tok::kDot; break;
        case ',': kind = Tok::kComma; break;
        case '+': kind = Tok::kPlus; break;
        case '-': kind = Tok::kMinus; break;
        case '=': kind = Tok::kEq; break;
        case '<':
          kind = Tok::kLt;
          if (i < s.size() && s[i] == '=') ++i, kind = Tok::kLe;
          else if (i < s.size() && s[i] == '>') ++i, kind = Tok::kNe;
          break;
        case '>':
          kind = Tok::kGt;
          if (i < s.size() && s[i] == '=') ++i, kind = Tok::kGe;
          break;
        default:
          // One whole UTF-8 character as the offending token.
          while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
          break;
      }
    }
    out.push_back({kind, s.substr(start, i - start), start, i});
  }
  out.push_back({Tok::kEof, "<EOF>", s.size(), s.size()});
  return out;
}

bool KeywordIs(const Token& t, std::string_view word) {
  if (t.kind != Tok::kIdent || t.text.size() != word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.text[i])) != word[i]) return false;
  }
  return true;
}

bool IsConditionKeyword(const Token& t) {
  return KeywordIs(t, "AND") || KeywordIs(t, "OR") || KeywordIs(t, "NOT") || KeywordIs(t, "BETWEEN") ||
         KeywordIs(t, "IN");
}

std::string UpdateSection(const Token& t) {
  for (const char* s : {"SET", "REMOVE", "ADD", "DELETE"}) {
    if (KeywordIs(t, s)) return s;
  }
  return "";
}

const char* ComparatorText(Tok k) {
  switch (k) {
    case Tok::kEq: return "=";
    case Tok::kNe: return "<>";
    case Tok::kLt: return "<";
    case Tok::kLe: return "<=";
    case Tok::kGt: return ">";
    case Tok::kGe: return ">=";
    default: return nullptr;
  }
}

}  // namespace

struct Parser::Impl {
  std::string_view text;
  AttributeMaps maps;
  ErrorSet* errors;
  UsedPlaceholders* used;
  std::vector<Token> tokens;
  size_t pos = 0;
  size_t furthest_failure = 0;
  int operators = 0;      // comparators, AND/OR/NOT, BETWEEN, IN, functions, + and -
  int nesting = 0;        // current depth of parentheses, NOT and function calls
  std::string stopped{};  // set when a limit ends parsing early; then every rule fails
  bool nesting_stop = false;
  size_t most_in_operands = 0;  // the longest IN list

  // Holds one level of nesting while a rule recurses; fails past kMaxNesting.
  class Nest {
   public:
    explicit Nest(Impl* p) : p_(p) {
      if (++p_->nesting > kMaxNesting && p_->stopped.empty()) {
        p_->nesting_stop = true;
        p_->stopped = "The expression is nested too deeply; nesting levels exceed " + std::to_string(kMaxNesting);
      }
    }
    ~Nest() { --p_->nesting; }
    bool ok() const { return p_->stopped.empty(); }

   private:
    Impl* p_;
  };

  struct Snapshot {
    size_t pos;
    ErrorSet errors;
    UsedPlaceholders used;
    int operators;
  };
  Snapshot Save() const { return {pos, *errors, *used, operators}; }
  void Restore(const Snapshot& s) {
    pos = s.pos;
    *errors = s.errors;
    *used = s.used;
    operators = s.operators;
  }

  const Token& Peek(size_t ahead = 0) const { return tokens[std::min(pos + ahead, tokens.size() - 1)]; }
  bool Fail() {
    furthest_failure = std::max(furthest_failure, pos);
    return false;
  }
  bool Accept(Tok k) {
    if (Peek().kind != k) return false;
    ++pos;
    return true;
  }
  bool Expect(Tok k) { return Accept(k) || Fail(); }

  // --- paths and operands ---

  bool ParsePathElementName(PathElement* e) {
    const Token& t = Peek();
    if (t.kind == Tok::kIdent) {
      if (IsConditionKeyword(t)) return Fail();
      if (IsReservedWord(t.text)) {
        errors->Add(ErrorKind::kReserved,
                    "Attribute name is a reserved keyword; reserved keyword: " + std::string(t.text));
      }
      e->name = std::string(t.text);
    } else if (t.kind == Tok::kName) {
      const json::value* v = maps.names ? maps.names->if_contains(t.text) : nullptr;
      if (!v || !v->is_string()) {
        std::string msg =
            "An expression attribute name used in the document path is not defined; attribute name: " + std::string(t.text);
        errors->Add(ErrorKind::kUndefinedName, msg);
        errors->Add(ErrorKind::kUndefined, msg);
      } else {
        used->names.insert(std::string(t.text));
        e->name = std::string(v->get_string());
      }
    } else {
      return Fail();
    }
    ++pos;
    return true;
  }

  bool ParsePath(Path* path) {
    if (!stopped.empty()) return false;
    PathElement first;
    if (!ParsePathElementName(&first)) return false;
    path->push_back(std::move(first));
    for (;;) {
      if (path->size() > kMaxPathDepth) {
        stopped = "The document path has too many nesting levels; nesting levels: " + std::to_string(path->size());
        return false;
      }
      if (Accept(Tok::kDot)) {
        PathElement e;
        if (!ParsePathElementName(&e)) return false;
        path->push_back(std::move(e));
      } else if (Accept(Tok::kLBracket)) {
        const Token& t = Peek();
        if (t.kind != Tok::kNumber) return Fail();
        PathElement e;
        e.is_index = true;
        e.index = t.text.size() > 9 ? 999999999 : std::stoul(std::string(t.text));
        ++pos;
        if (!Expect(Tok::kRBracket)) return false;
        path->push_back(std::move(e));
      } else {
        return true;
      }
    }
  }

  void ResolveValue(const Token& t, RawOperand* out) {
    out->kind = RawOperand::Kind::kValue;
    out->placeholder = std::string(t.text);
    const json::value* v = maps.values ? maps.values->if_contains(t.text) : nullptr;
    if (!v) {
      std::string msg =
          "An expression attribute value used in expression is not defined; attribute value: " + std::string(t.text);
      errors->Add(ErrorKind::kUndefinedValue, msg);
      errors->Add(ErrorKind::kUndefined, msg);
    } else {
      used->values.insert(std::string(t.text));
      out->value = CanonicalizeValue(*v);  // the type member only: no unknown members
    }
  }

  // operand := '(' operand ')' | :value | name '(' args ')' | path
  // In update expressions (`update`), parentheses may hold a whole SET value.
  bool ParseOperand(RawOperand* out, bool update) {
    Nest nest(this);
    if (!nest.ok()) return false;
    if (Accept(Tok::kLParen)) {
      if (!(update ? ParseSetValue(out) : ParseOperand(out, false))) return false;
      if (!Expect(Tok::kRParen)) return false;
      if (++out->parens >= 2) errors->Add(ErrorKind::kParens, "The expression has redundant parentheses;");
      return true;
    }
    const Token& t = Peek();
    if (t.kind == Tok::kValue) {
      ResolveValue(t, out);
      ++pos;
      return true;
    }
    if (t.kind == Tok::kIdent && Peek(1).kind == Tok::kLParen && !IsConditionKeyword(t)) {
      out->kind = RawOperand::Kind::kFunction;
      out->function = std::string(t.text);
      ++operators;
      pos += 2;
      do {
        RawOperand arg;
        if (!ParseOperand(&arg, update)) return false;
        out->args.push_back(std::move(arg));
      } while (Accept(Tok::kComma));
      return Expect(Tok::kRParen);
    }
    out->kind = RawOperand::Kind::kPath;
    return ParsePath(&out->path);
  }

  // --- conditions ---

  bool ParseOr(RawCondition* out) {
    if (!ParseAnd(out)) return false;
    while (KeywordIs(Peek(), "OR")) {
      ++pos;
      ++operators;
      RawCondition rhs;
      if (!ParseAnd(&rhs)) return false;
      RawCondition node;
      node.kind = RawCondition::Kind::kOr;
      node.children.push_back(std::move(*out));
      node.children.push_back(std::move(rhs));
      *out = std::move(node);
    }
    return true;
  }

  bool ParseAnd(RawCondition* out) {
    if (!ParseUnary(out)) return false;
    while (KeywordIs(Peek(), "AND")) {
      ++pos;
      ++operators;
      RawCondition rhs;
      if (!ParseUnary(&rhs)) return false;
      RawCondition node;
      node.kind = RawCondition::Kind::kAnd;
      node.children.push_back(std::move(*out));
      node.children.push_back(std::move(rhs));
      *out = std::move(node);
    }
    return true;
  }

  bool ParseUnary(RawCondition* out) {
    Nest nest(this);
    if (!nest.ok()) return false;
    if (KeywordIs(Peek(), "NOT")) {
      ++pos;
      ++operators;
      RawCondition child;
      if (!ParseUnary(&child)) return false;
      out->kind = RawCondition::Kind::kNot;
      out->children.push_back(std::move(child));
      return true;
    }
    return ParsePrimary(out);
  }

  bool NextStartsComparison() const {
    return ComparatorText(Peek().kind) || KeywordIs(Peek(), "BETWEEN") || KeywordIs(Peek(), "IN");
  }

  bool ParsePrimary(RawCondition* out) {
    if (Peek().kind == Tok::kLParen) {
      // Either a parenthesized condition or a parenthesized operand such as
      // "(a) = :v": try the condition first, fall back to the operand.
      Snapshot snap = Save();
      ++pos;
      RawCondition inner;
      if (ParseOr(&inner) && Expect(Tok::kRParen) && !NextStartsComparison()) {
        if (inner.parenthesized) errors->Add(ErrorKind::kParens, "The expression has redundant parentheses;");
        inner.parenthesized = true;
        *out = std::move(inner);
        return true;
      }
      if (!stopped.empty()) return false;
      size_t keep_failure = furthest_failure;
      Restore(snap);
      furthest_failure = keep_failure;
    }
    return ParseComparison(out);
  }

  bool ParseComparison(RawCondition* out) {
    RawOperand lhs;
    if (!ParseOperand(&lhs, false)) return false;
    if (const char* op = ComparatorText(Peek().kind)) {
      ++pos;
      ++operators;
      RawOperand rhs;
      if (!ParseOperand(&rhs, false)) return false;
      out->kind = RawCondition::Kind::kCompare;
      out->op = op;
      out->operands.push_back(std::move(lhs));
      out->operands.push_back(std::move(rhs));
      return true;
    }
    if (KeywordIs(Peek(), "BETWEEN")) {
      ++pos;
      ++operators;
      RawOperand lo, hi;
      if (!ParseOperand(&lo, false)) return false;
      if (!KeywordIs(Peek(), "AND")) return Fail();
      ++pos;
      if (!ParseOperand(&hi, false)) return false;
      out->kind = RawCondition::Kind::kBetween;
      out->operands.push_back(std::move(lhs));
      out->operands.push_back(std::move(lo));
      out->operands.push_back(std::move(hi));
      return true;
    }
    if (KeywordIs(Peek(), "IN")) {
      ++pos;
      ++operators;
      if (!Expect(Tok::kLParen)) return false;
      out->kind = RawCondition::Kind::kIn;
      out->operands.push_back(std::move(lhs));
      do {
        RawOperand e;
        if (!ParseOperand(&e, false)) return false;
        out->operands.push_back(std::move(e));
      } while (Accept(Tok::kComma));
      most_in_operands = std::max(most_in_operands, out->operands.size() - 1);
      return Expect(Tok::kRParen);
    }
    if (lhs.kind == RawOperand::Kind::kFunction && lhs.parens == 0) {
      out->kind = RawCondition::Kind::kFunction;
      out->operands.push_back(std::move(lhs));
      return true;
    }
    return Fail();
  }

  // --- update ---

  // set_value := operand [('+' | '-') operand]
  bool ParseSetValue(RawOperand* out) {
    RawOperand lhs;
    if (!ParseOperand(&lhs, true)) return false;
    Tok k = Peek().kind;
    if (k != Tok::kPlus && k != Tok::kMinus) {
      *out = std::move(lhs);
      return true;
    }
    ++pos;
    ++operators;
    RawOperand rhs;
    if (!ParseOperand(&rhs, true)) return false;
    out->kind = RawOperand::Kind::kArithmetic;
    out->function = k == Tok::kPlus ? "+" : "-";
    out->args.push_back(std::move(lhs));
    out->args.push_back(std::move(rhs));
    return true;
  }

  bool ParseUpdateAction(const std::string& section, std::vector<RawUpdateAction>* out) {
    RawUpdateAction action;
    action.section = section;
    if (!ParsePath(&action.path)) return false;
    if (section == "SET") {
      if (!Expect(Tok::kEq)) return false;
      if (!ParseSetValue(&action.value)) return false;
    } else if (section == "ADD" || section == "DELETE") {
      if (Peek().kind != Tok::kValue) return Fail();
      ResolveValue(Peek(), &action.value);
      ++pos;
    }
    out->push_back(std::move(action));
    return true;
  }
};

Parser::Parser(std::string_view text, const AttributeMaps& maps, ErrorSet* errors, UsedPlaceholders* used)
    : impl_(new Impl{text, maps, errors, used, Lex(text)}) {}

Parser::~Parser() = default;

bool Parser::ParseCondition(RawCondition* out) {
  return impl_->ParseOr(out) && (impl_->Peek().kind == Tok::kEof || impl_->Fail());
}

bool Parser::ParseProjection(std::vector<Path>* out) {
  do {
    Path p;
    if (!impl_->ParsePath(&p)) return false;
    out->push_back(std::move(p));
  } while (impl_->Accept(Tok::kComma));
  return impl_->Peek().kind == Tok::kEof || impl_->Fail();
}

bool Parser::ParseUpdate(std::vector<RawUpdateAction>* out) {
  Impl& p = *impl_;
  std::set<std::string> seen;
  do {
    std::string section = UpdateSection(p.Peek());
    if (section.empty()) return p.Fail();
    ++p.pos;
    if (!seen.insert(section).second) {
      p.errors->Add(ErrorKind::kSection,
                    "The \"" + section + "\" section can only be used once in an update expression;");
    }
    do {
      if (!p.ParseUpdateAction(section, out)) return false;
    } while (p.Accept(Tok::kComma));
  } while (p.Peek().kind != Tok::kEof);
  return true;
}

std::string ExpressionSizeError(std::string_view text) {
  if (text.size() <= kMaxExpressionBytes) return "";
  return "Expression size has exceeded the maximum allowed size; expression size: " + std::to_string(text.size());
}

std::string Parser::OperatorError() const {
  if (impl_->operators > kMaxOperators) {
    return "The expression contains too many operators; operator count: " + std::to_string(impl_->operators);
  }
  if (impl_->most_in_operands > kMaxInOperands) {
    return "The IN operator is provided with too many operands; number of operands: " +
           std::to_string(impl_->most_in_operands);
  }
  return "";
}

std::string Parser::SyntaxError() const {
  const Impl& p = *impl_;
  if (!p.stopped.empty()) {
    // Deep nesting is mostly NOT or function chains: past the operator limit,
    // that is the error AWS reports for them.
    if (p.nesting_stop && p.operators > kMaxOperators) return OperatorError();
    return p.stopped;
  }
  size_t at = std::min(p.furthest_failure, p.tokens.size() - 1);
  const Token& bad = p.tokens[at];
  const Token& before = p.tokens[at == 0 ? 0 : at - 1];
  const Token& after = p.tokens[std::min(at + 1, p.tokens.size() - 1)];
  std::string_view near = p.text.substr(before.begin, after.end - before.begin);
  return "Syntax error; token: \"" + std::string(bad.text) + "\", near: \"" + std::string(near) + "\"";
}

}  // namespace streamer::dynamo::expr::internal
