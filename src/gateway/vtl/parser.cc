// Template text -> ast::Block. A hand-written recursive-descent parser: text
// mode scans for $references and #directives; expression mode (inside
// directive parentheses, method arguments and [index]) reads VTL expressions.
#include <charconv>
#include <unordered_map>

#include "gateway/vtl/ast.h"

namespace streamer::vtl {
namespace {

using namespace ast;

constexpr int kMaxDepth = 200;  // nesting of blocks and expressions

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Why a block stopped.
enum class Terminator { kEof, kEnd, kElse, kElseIf };

class Parser {
 public:
  Parser(std::string_view src, Template::Impl& impl) : src_(src), impl_(impl) {}

  Status Run() {
    Terminator term;
    ExprPtr cond;
    size_t at = 0;
    FindMacroNames();
    if (!ParseBlock(impl_.root, term, cond, at)) return error_;
    if (term != Terminator::kEof) {
      Fail(at, term == Terminator::kEnd ? "#end without a matching #if or #foreach"
                                        : "#else/#elseif without a matching #if");
      return error_;
    }
    impl_.source_size = src_.size();
    return Status::Ok();
  }

 private:
  // ---- errors and positions ----
  // Records the first error (the parse then unwinds; error_ is the result).
  void Fail(size_t at, std::string_view what) {
    if (error_.ok()) {
      int line = 1, col = 1;
      for (size_t i = 0; i < at && i < src_.size(); ++i) {
        if (src_[i] == '\n') {
          ++line;
          col = 1;
        } else {
          ++col;
        }
      }
      error_ = Status::Validation("Template syntax error at line " + std::to_string(line) +
                                  ", column " + std::to_string(col) + ": " + std::string(what));
    }
  }
  bool Failed() const { return !error_.ok(); }

  char Peek(size_t off = 0) const { return pos_ + off < src_.size() ? src_[pos_ + off] : '\0'; }
  bool AtEnd() const { return pos_ >= src_.size(); }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(src_[pos_])) ++pos_;
  }

  std::unordered_map<std::string, size_t> macro_index_;

  // Velocity resolves a macro call when it renders, so a call may come before
  // the #macro. Names of every "#macro(name" in the text are known up front.
  void FindMacroNames() {
    for (std::string_view key : {std::string_view("#macro"), std::string_view("#{macro}")}) {
      for (size_t at = src_.find(key); at != std::string_view::npos; at = src_.find(key, at + 1)) {
        size_t i = at + key.size();
        while (i < src_.size() && (src_[i] == ' ' || src_[i] == '\t')) ++i;
        if (i >= src_.size() || src_[i] != '(') continue;
        ++i;
        while (i < src_.size() && IsSpace(src_[i])) ++i;
        size_t b = i;
        while (i < src_.size() && IsIdentChar(src_[i])) ++i;
        if (i > b && IsIdentStart(src_[b])) MacroIndex(std::string(src_.substr(b, i - b)));
      }
    }
  }
  size_t MacroIndex(const std::string& name) {
    auto [it, added] = macro_index_.try_emplace(name, impl_.macros.size());
    if (added) impl_.macros.push_back(Macro{name, {}, {}, false});
    return it->second;
  }

  int Slot(const std::string& name) {
    auto it = slots_.find(name);
    if (it != slots_.end()) return it->second;
    int slot = static_cast<int>(impl_.slot_names.size());
    impl_.slot_names.push_back(name);
    slots_.emplace(name, slot);
    if (name == "input") impl_.input_slot = slot;
    if (name == "util") impl_.util_slot = slot;
    if (name == "context") impl_.context_slot = slot;
    if (name == "stageVariables") impl_.stage_slot = slot;
    if (name == "foreach") impl_.foreach_slot = slot;
    if (name == "velocityCount") impl_.velocity_count_slot = slot;
    return slot;
  }

  // Identifier at pos_: a letter or '_', then letters, digits, '_' and '-'
  // (Velocity 1.7: $first-name is one name, and so is "$a-1").
  std::string ReadIdent() {
    size_t start = pos_;
    if (!IsIdentStart(Peek())) return {};
    ++pos_;
    while (!AtEnd()) {
      char c = src_[pos_];
      if (IsIdentChar(c) || c == '-') {
        ++pos_;
      } else {
        break;
      }
    }
    return std::string(src_.substr(start, pos_ - start));
  }

  // ---- whitespace (Velocity 1.7's rules) ----
  // A directive's closing parenthesis, #else and #end take the rest of their
  // line when only spaces/tabs follow them up to a newline (\n, \r\n or \r);
  // indentation before a directive stays, except before #set. Velocity 2's
  // "lines" gobbling (which also drops the indentation) is not 1.7's.
  bool GobbleLineEnd() {
    size_t i = pos_;
    while (i < src_.size() && (src_[i] == ' ' || src_[i] == '\t')) ++i;
    if (i >= src_.size()) return false;
    if (src_[i] == '\r') {
      pos_ = (i + 1 < src_.size() && src_[i + 1] == '\n') ? i + 2 : i + 1;
      return true;
    }
    if (src_[i] != '\n') return false;
    pos_ = i + 1;
    return true;
  }
  // Velocity 1.7's #set token starts with the spaces/tabs before it, so they
  // vanish when nothing else separates them from the previous reference or
  // directive (or the template start); after any other text they stay.
  static void TrimBlanksBeforeSet(std::string& pending) {
    if (pending.find_first_not_of(" \t") == std::string::npos) pending.clear();
  }
  void GobbleDirectiveLine(size_t /*start*/, std::string& /*pending*/) { GobbleLineEnd(); }

  // Directive and reference nodes just added (at the block's end) start at
  // `start`: render errors name that line and column.
  static void MarkNewNodes(Block& out, size_t start) {
    for (auto it = out.rbegin(); it != out.rend() && it->kind != Node::kText && it->offset < 0; ++it) {
      it->offset = static_cast<int32_t>(start);
    }
  }

  static void Flush(Block& out, std::string& pending) {
    if (pending.empty()) return;
    if (!out.empty() && out.back().kind == Node::kText) {
      out.back().text += pending;
    } else {
      Node n;
      n.kind = Node::kText;
      n.text = std::move(pending);
      out.push_back(std::move(n));
    }
    pending.clear();
  }

  // ---- text mode ----
  // Parses until EOF or a block terminator (#end, #else, #elseif). For
  // kElseIf, cond receives the condition. term_at: where the terminator began.
  bool ParseBlock(Block& out, Terminator& term, ExprPtr& cond, size_t& term_at) {
    if (++depth_ > kMaxDepth) {
      Fail(pos_, "templates nested too deeply");
      return false;
    }
    std::string pending;
    term = Terminator::kEof;
    while (!AtEnd()) {
      char c = src_[pos_];
      if (c == '\\') {
        const size_t start = pos_;
        if (!ParseEscape(out, pending)) return false;
        MarkNewNodes(out, start);
        continue;
      }
      if (c == '$') {
        size_t start = pos_;
        std::unique_ptr<Ref> ref;
        if (!ParseRef(/*text_mode=*/true, ref)) return false;
        if (!ref) {
          pos_ = start + 1;
          pending += '$';
          continue;
        }
        Flush(out, pending);
        Node n;
        n.kind = Node::kRef;
        n.ref = std::move(ref);
        n.offset = static_cast<int32_t>(start);
        out.push_back(std::move(n));
        continue;
      }
      if (c == '#') {
        size_t start = pos_;
        bool handled = false;
        if (!ParseHash(out, pending, handled, term, cond)) return false;
        MarkNewNodes(out, start);
        if (term != Terminator::kEof) {
          term_at = start;
          Flush(out, pending);
          --depth_;
          return true;
        }
        if (!handled) {
          pos_ = start + 1;
          pending += '#';
        }
        continue;
      }
      size_t next = src_.find_first_of("\\$#", pos_);
      if (next == std::string_view::npos) next = src_.size();
      pending.append(src_.substr(pos_, next - pos_));
      pos_ = next;
    }
    Flush(out, pending);
    --depth_;
    return true;
  }

  // Backslashes before $ref or #directive: pairs render as one backslash; an
  // odd one out makes the $ or # literal. Elsewhere backslashes are plain text.
  bool ParseEscape(Block& out, std::string& pending) {
    size_t start = pos_;
    while (!AtEnd() && src_[pos_] == '\\') ++pos_;
    size_t count = pos_ - start;
    if (start > 0 && (src_[start - 1] == '$' || src_[start - 1] == '#') && !pending.empty() &&
        pending.back() == src_[start - 1]) {
      pending.append(count, '\\');  // after a lone '$' or '#', backslashes are text (Velocity 1.7's lexer)
      return true;
    }
    char next = Peek();
    bool special = false;
    if (next == '$') {
      char a = Peek(1);
      special = IsIdentStart(a) || a == '{' || (a == '!' && (IsIdentStart(Peek(2)) || Peek(2) == '{'));
      if (special) {
        // Velocity decides at render time: the reference (method calls and
        // all) is evaluated, and what is written depends on its value.
        size_t dollar = pos_;
        std::unique_ptr<Ref> ref;
        if (!ParseRef(/*text_mode=*/true, ref)) return false;
        if (ref) {
          Flush(out, pending);
          Node n;
          n.kind = Node::kRef;
          n.ref = std::move(ref);
          n.backslashes = static_cast<int>(count);
          out.push_back(std::move(n));
          return true;
        }
        pos_ = dollar;
      }
    } else if (next == '#') {
      // Not before a comment: a backslash before "#*" or "##" stays, and the
      // comment still comments out (Velocity 1.7).
      special = IsIdentStart(Peek(1)) || Peek(1) == '{';
    }
    if (!special) {
      pending.append(count, '\\');
      return true;
    }
    pending.append(count / 2, '\\');
    if (count % 2 == 1) {
      pending += next;  // the escaped $ or #, then the name as plain text
      ++pos_;
      if (next == '$' && Peek() == '!') {
        pending += '!';
        ++pos_;
      }
      if (Peek() == '{') {
        pending += '{';
        ++pos_;
      }
      pending += ReadIdent();
    }
    return true;
  }

  // At '#': comments, unparsed blocks and directives. handled=false means the
  // '#' is plain text.
  bool ParseHash(Block& out, std::string& pending, bool& handled, Terminator& term, ExprPtr& cond) {
    size_t start = pos_;
    char c1 = Peek(1);
    if (c1 == '#') {  // ## line comment, through its newline
      size_t eol = src_.find_first_of("\r\n", pos_);
      pos_ = eol == std::string_view::npos ? src_.size() : eol + 1;
      if (eol != std::string_view::npos && src_[eol] == '\r' && Peek() == '\n') ++pos_;
      Flush(out, pending);  // text before a comment is not blanks before a later #set
      handled = true;
      return true;
    }
    if (c1 == '*') {  // #* block comment *#
      size_t close = src_.find("*#", pos_ + 2);
      // Unclosed, it runs to the end of the template (Velocity 1.7).
      pos_ = close == std::string_view::npos ? src_.size() : close + 2;  // the newline after a block comment stays (Velocity 1.7)
      Flush(out, pending);
      handled = true;
      return true;
    }
    if (c1 == '[' && Peek(2) == '[') {  // #[[ unparsed ]]#
      size_t close = src_.find("]]#", pos_ + 3);
      if (close == std::string_view::npos) {
        Fail(start, "unclosed #[[ block");
        return false;
      }
      pending.append(src_.substr(pos_ + 3, close - pos_ - 3));
      pos_ = close + 3;
      handled = true;
      return true;
    }
    ++pos_;
    bool braced = false;
    if (Peek() == '{') {
      braced = true;
      ++pos_;
    }
    size_t name_start = pos_;
    while (!AtEnd() && IsIdentChar(src_[pos_])) ++pos_;
    std::string_view name = src_.substr(name_start, pos_ - name_start);
    if (braced) {
      if (Peek() != '}') return true;  // not a directive: "#{" stays text
      ++pos_;
    }
    if (name == "set") {
      handled = true;
      return ParseSet(out, pending, start);
    }
    if (name == "if") {
      handled = true;
      return ParseIf(out, pending, start);
    }
    if (name == "foreach") {
      handled = true;
      return ParseForeach(out, pending, start);
    }
    if (name == "else" || name == "end") {
      handled = true;
      term = name == "else" ? Terminator::kElse : Terminator::kEnd;
      GobbleDirectiveLine(start, pending);
      return true;
    }
    if (name == "elseif") {
      handled = true;
      term = Terminator::kElseIf;
      if (!ParseParenExpr(cond, "#elseif")) return false;
      GobbleDirectiveLine(start, pending);
      return true;
    }
    if (name == "define") {
      handled = true;
      return ParseDefine(out, pending, start);
    }
    if (name == "macro") {
      handled = true;
      return ParseMacro(pending, start);
    }
    if (auto m = macro_index_.find(std::string(name)); m != macro_index_.end()) {
      handled = true;
      return ParseMacroCall(out, pending, start, m->second);
    }
    if (name == "break" || name == "stop") {
      handled = true;
      GobbleDirectiveLine(start, pending);
      Flush(out, pending);
      Node n;
      n.kind = name == "break" ? Node::kBreak : Node::kStop;
      out.push_back(std::move(n));
      return true;
    }
    // Unknown name: literal text. With arguments, Velocity 1.7 parses it as
    // a call of a macro it cannot find and writes the whole call as written,
    // references in it unrendered.
    if (Peek() == '(' && !name.empty()) {
      size_t close = MatchingParen(pos_);
      if (close != std::string_view::npos) {
        pending.append(src_.substr(start, close + 1 - start));
        pos_ = close + 1;
        handled = true;
      }
    }
    return true;
  }

  // The ')' that closes the '(' at open (quotes respected), or npos.
  size_t MatchingParen(size_t open) const {
    int depth = 0;
    char quote = 0;
    for (size_t i = open; i < src_.size(); ++i) {
      char c = src_[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return i;
      }
    }
    return std::string_view::npos;
  }

  // #macro(name $a $b) ... #end: defines, renders nothing. Velocity wants a
  // macro defined before its first call, so calls resolve as they are parsed
  // (the name is known inside its own body: recursion is bounded at render).
  bool ParseMacro(std::string& pending, size_t start) {
    if (!ExpectOpenParen("#macro")) return false;
    SkipSpace();
    Macro m;
    m.name = ReadIdent();
    if (m.name.empty()) {
      Fail(pos_, "#macro needs a name");
      return false;
    }
    static const char* const kReserved[] = {"set", "if", "elseif", "else", "end", "foreach",
                                            "break", "stop", "macro", "define", "include",
                                            "parse", "evaluate"};
    for (const char* r : kReserved) {
      if (m.name == r) {
        Fail(start, "#macro cannot be named " + m.name);
        return false;
      }
    }
    for (;;) {
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == ')') break;
      std::string param;
      if (!ReadVariableName("#macro parameters must be $names", param)) return false;
      m.param_slots.push_back(Slot(param));
    }
    ++pos_;  // ')'
    GobbleDirectiveLine(start, pending);
    // Velocity 1.7 keeps the first inline definition of a name.
    size_t index = MacroIndex(m.name);
    bool first = !impl_.macros[index].defined;
    if (first) {
      impl_.macros[index].param_slots = m.param_slots;
      impl_.macros[index].defined = true;  // before the body: recursion resolves
    }
    Block body;
    Terminator term;
    ExprPtr cond;
    size_t term_at = pos_;
    if (!ParseBlock(body, term, cond, term_at)) return false;
    if (term == Terminator::kEof) {
      Fail(start, "#macro has no matching #end");
      return false;
    }
    if (term != Terminator::kEnd) {
      Fail(term_at, "#else/#elseif inside #macro without #if");
      return false;
    }
    if (first) impl_.macros[index].body = std::move(body);
    return true;
  }

  // #define($name) ... #end: $name then renders the block, when used.
  bool ParseDefine(Block& out, std::string& pending, size_t start) {
    if (!ExpectOpenParen("#define")) return false;
    SkipSpace();
    std::string var;
    if (!ReadVariableName("#define needs a $name", var)) return false;
    if (!ExpectCloseParen("#define")) return false;
    GobbleDirectiveLine(start, pending);
    Flush(out, pending);
    Node n;
    n.kind = Node::kDefine;
    n.var_slot = Slot(var);
    Block body;
    Terminator term;
    ExprPtr cond;
    size_t term_at = pos_;
    if (!ParseBlock(body, term, cond, term_at)) return false;
    if (term == Terminator::kEof) {
      Fail(start, "#define has no matching #end");
      return false;
    }
    if (term != Terminator::kEnd) {
      Fail(term_at, "#else/#elseif inside #define without #if");
      return false;
    }
    n.define = static_cast<int>(impl_.defines.size());
    impl_.defines.push_back(std::move(body));
    out.push_back(std::move(n));
    return true;
  }

  // #name(arg arg ...) or #name(arg, arg): arguments split by spaces or
  // commas; each is a reference or a literal (Velocity 1.7 allows no operators).
  // Extra arguments are ignored and missing ones are null, as Velocity does.
  bool ParseMacroCall(Block& out, std::string& pending, size_t start, size_t index) {
    size_t save = pos_;
    while (Peek() == ' ' || Peek() == '\t') ++pos_;
    Node n;
    n.kind = Node::kMacroCall;
    n.macro = static_cast<int>(index);
    if (Peek() == '(') {
      ++pos_;
      for (;;) {
        SkipSpace();
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        if (Peek() == ')') break;
        if (AtEnd()) {
          Fail(start, "expected ')' to close #" + impl_.macros[index].name);
          return false;
        }
        if (Peek() == '(') {
          Fail(pos_, "a macro argument must be a reference or a literal");
          return false;
        }
        ExprPtr e;
        if (!ParsePrimary(e)) return false;
        n.args.push_back(std::move(e));
      }
      ++pos_;
    } else {
      pos_ = save;  // #name without parentheses: a call with no arguments
    }
    n.text = std::string(src_.substr(start, pos_ - start));
    if (src_[pos_ - 1] == ')') GobbleLineEnd();  // the call's ')' takes the line end
    Flush(out, pending);
    out.push_back(std::move(n));
    return true;
  }

  bool ExpectOpenParen(std::string_view directive) {
    size_t save = pos_;
    while (Peek() == ' ' || Peek() == '\t') ++pos_;
    if (Peek() != '(') {
      Fail(save, std::string(directive) + " needs '('");
      return false;
    }
    ++pos_;
    return true;
  }
  bool ExpectCloseParen(std::string_view directive) {
    SkipSpace();
    if (Peek() != ')') {
      Fail(pos_, "expected ')' to close " + std::string(directive));
      return false;
    }
    ++pos_;
    return true;
  }
  bool ParseParenExpr(ExprPtr& out, std::string_view directive) {
    if (!ExpectOpenParen(directive)) return false;
    SkipSpace();
    if (!ParseExpr(out)) return false;
    return ExpectCloseParen(directive);
  }

  bool ParseSet(Block& out, std::string& pending, size_t start) {
    if (!ExpectOpenParen("#set")) return false;
    SkipSpace();
    if (Peek() != '$') {
      Fail(pos_, "#set needs a $reference on the left");
      return false;
    }
    std::unique_ptr<Ref> lhs;
    if (!ParseRef(/*text_mode=*/false, lhs)) return false;
    for (const Segment& s : lhs->segments) {
      if (s.kind == Segment::kMethod) {
        Fail(start, "#set cannot assign to a method call");
        return false;
      }
    }
    SkipSpace();
    if (Peek() != '=') {
      Fail(pos_, "expected '=' in #set");
      return false;
    }
    ++pos_;
    SkipSpace();
    ExprPtr rhs;
    if (!ParseExpr(rhs)) return false;
    if (!ExpectCloseParen("#set")) return false;
    // Velocity 1.7 eats the newline after #set(...) even mid-line.
    TrimBlanksBeforeSet(pending);
    GobbleLineEnd();
    Flush(out, pending);
    Node n;
    n.kind = Node::kSet;
    n.ref = std::move(lhs);
    n.expr = std::move(rhs);
    out.push_back(std::move(n));
    return true;
  }

  bool ParseIf(Block& out, std::string& pending, size_t start) {
    Node n;
    n.kind = Node::kIf;
    ExprPtr cond;
    if (!ParseParenExpr(cond, "#if")) return false;
    GobbleDirectiveLine(start, pending);
    Flush(out, pending);
    for (;;) {
      Block body;
      Terminator term;
      ExprPtr next_cond;
      size_t term_at = pos_;
      if (!ParseBlock(body, term, next_cond, term_at)) return false;
      n.conditions.push_back(std::move(cond));
      n.branches.push_back(std::move(body));
      if (term == Terminator::kEof) {
        Fail(start, "#if has no matching #end");
        return false;
      }
      if (term == Terminator::kEnd) break;
      if (!n.conditions.back()) {
        Fail(term_at, "#else must be the last branch of #if");
        return false;
      }
      cond = std::move(next_cond);  // null for #else
    }
    out.push_back(std::move(n));
    return true;
  }

  // A directive's variable: `$name` or `${name}`; on anything else, fails
  // with `error` where the name went wrong.
  bool ReadVariableName(const char* error, std::string& name) {
    if (Peek() != '$') {
      Fail(pos_, error);
      return false;
    }
    ++pos_;
    const bool braced = Peek() == '{';
    if (braced) ++pos_;
    name = ReadIdent();
    if (name.empty() || (braced && Peek() != '}')) {
      Fail(pos_, error);
      return false;
    }
    if (braced) ++pos_;
    return true;
  }

  bool ParseForeach(Block& out, std::string& pending, size_t start) {
    if (!ExpectOpenParen("#foreach")) return false;
    SkipSpace();
    std::string var;
    if (!ReadVariableName("#foreach needs a $variable", var)) return false;
    SkipSpace();
    if (!(Peek() == 'i' && Peek(1) == 'n' && !IsIdentChar(Peek(2)))) {
      Fail(pos_, "expected 'in' in #foreach");
      return false;
    }
    pos_ += 2;
    SkipSpace();
    Node n;
    n.kind = Node::kForeach;
    n.var_slot = Slot(var);
    if (!ParseExpr(n.expr)) return false;
    if (!ExpectCloseParen("#foreach")) return false;
    Slot("foreach");
    Slot("velocityCount");
    GobbleDirectiveLine(start, pending);
    Flush(out, pending);
    Terminator term;
    ExprPtr cond;
    size_t term_at = pos_;
    if (!ParseBlock(n.body, term, cond, term_at)) return false;
    if (term == Terminator::kEof) {
      Fail(start, "#foreach has no matching #end");
      return false;
    }
    if (term != Terminator::kEnd) {
      Fail(term_at, "#else/#elseif inside #foreach without #if");
      return false;
    }
    out.push_back(std::move(n));
    return true;
  }

  // ---- references ----
  // At '$'. text_mode: something that is not a reference yields ref=null
  // (the caller emits '$' as text); in expression mode it is an error.
  bool ParseRef(bool text_mode, std::unique_ptr<Ref>& out) {
    size_t start = pos_;
    ++pos_;
    auto ref = std::make_unique<Ref>();
    if (Peek() == '!') {
      ref->quiet = true;
      ++pos_;
    }
    bool braced = false;
    if (Peek() == '{') {
      braced = true;
      ++pos_;
    }
    std::string root = ReadIdent();
    if (root.empty()) {
      if (text_mode) return true;
      Fail(start, "expected a name after '$'");
      return false;
    }
    ref->slot = Slot(root);
    if (!ParseSegments(*ref, text_mode, root)) return false;
    if (braced) {
      if (Peek() != '}') {
        if (text_mode) return true;  // "${foo" is text
        Fail(pos_, "expected '}' to close ${");
        return false;
      }
      ++pos_;
    }
    ref->source = std::string(src_.substr(start, pos_ - start));
    out = std::move(ref);
    return true;
  }

  bool ParseSegments(Ref& ref, bool text_mode, const std::string& root) {
    for (;;) {
      if (Peek() == '.' && IsIdentStart(Peek(1))) {
        size_t save = pos_;
        ++pos_;
        Segment seg;
        seg.name = ReadIdent();
        if (Peek() == '(') {
          seg.kind = Segment::kMethod;
          ++pos_;
          if (!ParseArgs(seg.args, ')')) return false;
          if (root == "input" && ref.segments.empty() && (seg.name == "path" || seg.name == "json") &&
              seg.args.size() == 1 && seg.args[0]->kind == Expr::kLiteral) {
            if (const std::string* p = seg.args[0]->literal.if_string()) {
              Result<JsonPath> jp = JsonPath::Parse(*p);
              if (jp.ok()) seg.jsonpath = std::make_shared<const JsonPath>(std::move(*jp));
            }
          }
        } else {
          seg.kind = Segment::kProperty;
        }
        (void)save;
        ref.segments.push_back(std::move(seg));
        continue;
      }
      if (Peek() == '[') {
        size_t save = pos_;
        ++pos_;
        SkipSpace();
        ExprPtr index;
        Status before = error_;
        if (!ParseExpr(index) || (SkipSpace(), Peek() != ']')) {
          if (text_mode) {  // "$price[USD" and the like: the reference ends here
            error_ = before;
            pos_ = save;
            return true;
          }
          if (!Failed()) Fail(pos_, "expected ']'");
          return false;
        }
        ++pos_;
        Segment seg;
        seg.kind = Segment::kIndex;
        seg.args.push_back(std::move(index));
        ref.segments.push_back(std::move(seg));
        continue;
      }
      return true;
    }
  }

  // Comma-separated expressions up to `close` (already past the opener).
  bool ParseArgs(std::vector<ExprPtr>& args, char close) {
    SkipSpace();
    if (Peek() == close) {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipSpace();
      ExprPtr e;
      if (!ParseExpr(e)) return false;
      args.push_back(std::move(e));
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == close) {
        ++pos_;
        return true;
      }
      Fail(pos_, std::string("expected ',' or '") + close + "'");
      return false;
    }
  }

  // ---- expressions ----
  bool ParseExpr(ExprPtr& out) {
    if (++depth_ > kMaxDepth) {
      Fail(pos_, "expression nested too deeply");
      return false;
    }
    bool ok = ParseBinary(out, 0);
    --depth_;
    return ok;
  }

  // Binary operator at pos_ (after spaces) with its precedence level, or
  // false. Levels: 0 ||, 1 &&, 2 == !=, 3 < > <= >=, 4 + -, 5 * / %.
  bool PeekBinaryOp(Op& op, int& level, size_t& len) {
    size_t save = pos_;
    SkipSpace();
    size_t at = pos_;
    pos_ = save;
    auto sym = [&](std::string_view s) { return src_.substr(at, s.size()) == s; };
    auto word = [&](std::string_view s) {
      return src_.substr(at, s.size()) == s &&
             (at + s.size() >= src_.size() || !IsIdentChar(src_[at + s.size()]));
    };
    struct Entry { std::string_view text; bool is_word; Op op; int level; };
    static const Entry kOps[] = {
        {"||", false, Op::kOr, 0},  {"&&", false, Op::kAnd, 1}, {"==", false, Op::kEq, 2},
        {"!=", false, Op::kNe, 2},  {"<=", false, Op::kLe, 3},  {">=", false, Op::kGe, 3},
        {"<", false, Op::kLt, 3},   {">", false, Op::kGt, 3},   {"+", false, Op::kAdd, 4},
        {"-", false, Op::kSub, 4},  {"*", false, Op::kMul, 5},  {"/", false, Op::kDiv, 5},
        {"%", false, Op::kMod, 5},  {"or", true, Op::kOr, 0},   {"and", true, Op::kAnd, 1},
        {"eq", true, Op::kEq, 2},   {"ne", true, Op::kNe, 2},   {"le", true, Op::kLe, 3},
        {"ge", true, Op::kGe, 3},   {"lt", true, Op::kLt, 3},   {"gt", true, Op::kGt, 3},
    };
    for (const Entry& e : kOps) {
      if (e.is_word ? word(e.text) : sym(e.text)) {
        op = e.op;
        level = e.level;
        len = (at - pos_) + e.text.size();
        return true;
      }
    }
    return false;
  }

  bool ParseBinary(ExprPtr& out, int min_level) {
    if (!ParseUnary(out)) return false;
    for (;;) {
      Op op;
      int level;
      size_t len;
      if (!PeekBinaryOp(op, level, len) || level < min_level) return true;
      pos_ += len;
      SkipSpace();
      ExprPtr rhs;
      if (++depth_ > kMaxDepth) {
        Fail(pos_, "expression nested too deeply");
        return false;
      }
      bool ok = ParseBinary(rhs, level + 1);
      --depth_;
      if (!ok) return false;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::kBinary;
      e->op = op;
      e->items.push_back(std::move(out));
      e->items.push_back(std::move(rhs));
      out = std::move(e);
    }
  }

  bool ParseUnary(ExprPtr& out) {
    SkipSpace();
    Op op;
    bool unary = false;
    if (Peek() == '!' && Peek(1) != '=') {
      op = Op::kNot;
      unary = true;
      ++pos_;
    } else if (src_.substr(pos_, 3) == "not" && !IsIdentChar(Peek(3))) {
      op = Op::kNot;
      unary = true;
      pos_ += 3;
    } else if (Peek() == '-' && !(Peek(1) >= '0' && Peek(1) <= '9')) {
      // Velocity 1.7 has negative number literals but no unary minus.
      Fail(pos_, "Velocity 1.7 has no unary minus ('-' must start a number)");
      return false;
    }
    if (unary) {
      if (++depth_ > kMaxDepth) {
        Fail(pos_, "expression nested too deeply");
        return false;
      }
      ExprPtr operand;
      bool ok = ParseUnary(operand);
      --depth_;
      if (!ok) return false;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::kUnary;
      e->op = op;
      e->items.push_back(std::move(operand));
      out = std::move(e);
      return true;
    }
    return ParsePrimary(out);
  }

  static ExprPtr Literal(Value v) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::kLiteral;
    e->literal = std::move(v);
    return e;
  }

  bool ParsePrimary(ExprPtr& out) {
    SkipSpace();
    size_t start = pos_;
    char c = Peek();
    if (c == '$') {
      auto e = std::make_unique<Expr>();
      e->kind = Expr::kRef;
      if (!ParseRef(/*text_mode=*/false, e->ref)) return false;
      out = std::move(e);
      return true;
    }
    if (c == '\'' || c == '"') return ParseString(out);
    if ((c >= '0' && c <= '9') || (c == '-' && Peek(1) >= '0' && Peek(1) <= '9')) {
      return ParseNumber(out);
    }
    if (c == '(') {
      ++pos_;
      if (!ParseExpr(out)) return false;
      SkipSpace();
      if (Peek() != ')') {
        Fail(pos_, "expected ')'");
        return false;
      }
      ++pos_;
      return true;
    }
    if (c == '[') {
      ++pos_;
      SkipSpace();
      auto e = std::make_unique<Expr>();
      e->kind = Expr::kList;
      if (Peek() == ']') {
        ++pos_;
        out = std::move(e);
        return true;
      }
      ExprPtr first;
      if (!ParseExpr(first)) return false;
      SkipSpace();
      if (Peek() == '.' && Peek(1) == '.') {
        pos_ += 2;
        SkipSpace();
        ExprPtr last;
        if (!ParseExpr(last)) return false;
        SkipSpace();
        if (Peek() != ']') {
          Fail(pos_, "expected ']' to close the range");
          return false;
        }
        ++pos_;
        e->kind = Expr::kRange;
        e->items.push_back(std::move(first));
        e->items.push_back(std::move(last));
        out = std::move(e);
        return true;
      }
      e->items.push_back(std::move(first));
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        if (!ParseArgs(e->items, ']')) return false;
      } else if (Peek() == ']') {
        ++pos_;
      } else {
        Fail(pos_, "expected ',' or ']' in list");
        return false;
      }
      out = std::move(e);
      return true;
    }
    if (c == '{') {
      ++pos_;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::kMap;
      SkipSpace();
      if (Peek() == '}') {
        ++pos_;
        out = std::move(e);
        return true;
      }
      for (;;) {
        SkipSpace();
        ExprPtr key, value;
        if (!ParseExpr(key)) return false;
        SkipSpace();
        if (Peek() != ':') {
          Fail(pos_, "expected ':' in map");
          return false;
        }
        ++pos_;
        SkipSpace();
        if (!ParseExpr(value)) return false;
        e->items.push_back(std::move(key));
        e->items.push_back(std::move(value));
        SkipSpace();
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        if (Peek() == '}') {
          ++pos_;
          break;
        }
        Fail(pos_, "expected ',' or '}' in map");
        return false;
      }
      out = std::move(e);
      return true;
    }
    if (IsIdentStart(c)) {
      std::string word = ReadIdent();
      if (word == "true") {
        out = Literal(Value(true));
        return true;
      }
      if (word == "false") {
        out = Literal(Value(false));
        return true;
      }
      if (word == "null") {
        out = Literal(Value());
        return true;
      }
      Fail(start, "unexpected word '" + word + "' (references start with $)");
      return false;
    }
    if (AtEnd()) {
      Fail(start, "unexpected end of template in expression");
    } else {
      Fail(start, std::string("unexpected '") + c + "' in expression");
    }
    return false;
  }

  bool ParseNumber(ExprPtr& out) {
    size_t start = pos_;
    if (Peek() == '-') ++pos_;
    while (Peek() >= '0' && Peek() <= '9') ++pos_;
    bool is_float = false;
    if (Peek() == '.' && Peek(1) >= '0' && Peek(1) <= '9') {
      is_float = true;
      ++pos_;
      while (Peek() >= '0' && Peek() <= '9') ++pos_;
    }
    if ((Peek() == 'e' || Peek() == 'E') &&
        ((Peek(1) >= '0' && Peek(1) <= '9') ||
         ((Peek(1) == '-' || Peek(1) == '+') && Peek(2) >= '0' && Peek(2) <= '9'))) {
      is_float = true;
      pos_ += 2;
      while (Peek() >= '0' && Peek() <= '9') ++pos_;
    }
    std::string_view text = src_.substr(start, pos_ - start);
    if (is_float) {
      double d = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc()) {
        Fail(start, "bad number");
        return false;
      }
      out = Literal(Value(d));
      return true;
    }
    int64_t i = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
    if (ec == std::errc::result_out_of_range) {
      double d = 0;
      std::from_chars(text.data(), text.data() + text.size(), d);
      out = Literal(Value(d));
      return true;
    }
    if (ec != std::errc()) {
      Fail(start, "bad number");
      return false;
    }
    out = Literal(Value(i));
    return true;
  }

  // '...' is literal; "..." is a template itself when it holds $ or #.
  // A doubled quote inside stands for one quote; a backslash keeps the
  // quote after it from ending the string.
  bool ParseString(ExprPtr& out) {
    size_t start = pos_;
    char quote = src_[pos_++];
    std::string body;
    for (;;) {
      if (AtEnd()) {
        Fail(start, "unclosed string literal");
        return false;
      }
      char c = src_[pos_];
      if (c == '\\' && Peek(1) == quote) {
        body += quote;
        pos_ += 2;
        continue;
      }
      if (c == quote) {
        if (Peek(1) == quote) {
          body += quote;
          pos_ += 2;
          continue;
        }
        ++pos_;
        break;
      }
      body += c;
      ++pos_;
    }
    if (quote == '"' && body.find_first_of("$#") != std::string::npos) {
      // Parse the body as a nested template with its own parser over the
      // same slot table, so positions in errors refer to the string.
      auto block = std::make_shared<Block>();
      Parser inner(body, impl_);
      inner.slots_ = slots_;
      inner.depth_ = depth_ + 1;
      Terminator term;
      ExprPtr cond;
      size_t at = 0;
      if (!inner.ParseBlock(*block, term, cond, at) || term != Terminator::kEof) {
        std::string why = inner.error_.ok() ? "unbalanced directive" : inner.error_.message();
        Fail(start, "in string literal: " + why);
        return false;
      }
      slots_ = std::move(inner.slots_);
      // "$" or "#1" hold no reference or directive after all: a constant.
      if (block->empty() || (block->size() == 1 && (*block)[0].kind == Node::kText)) {
        out = Literal(Value(block->empty() ? std::string() : std::move((*block)[0].text)));
        return true;
      }
      auto e = std::make_unique<Expr>();
      e->kind = Expr::kInterpolated;
      e->interp = std::move(block);
      out = std::move(e);
      return true;
    }
    out = Literal(Value(std::move(body)));
    return true;
  }

  std::string_view src_;
  Template::Impl& impl_;
  size_t pos_ = 0;
  int depth_ = 0;
  Status error_;
  std::unordered_map<std::string, int> slots_;
};

}  // namespace

Status ParseTemplate(std::string_view text, Template::Impl& impl) {
  Parser parser(text, impl);
  Status st = parser.Run();
  impl.line_starts.assign(1, 0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') impl.line_starts.push_back(static_cast<uint32_t>(i + 1));
  }
  return st;
}

}  // namespace streamer::vtl
