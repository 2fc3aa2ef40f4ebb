// Recursive descent over the tokens, with an explicit depth limit so no
// statement can exhaust the stack. Precedence, loosest first:
// OR, AND, NOT, comparison / BETWEEN / IN / IS, + -, primary.
#include <algorithm>
#include <array>
#include <cctype>

#include "dynamo/partiql/lexer.h"
#include "dynamo/partiql/statement.h"

namespace streamer::dynamo::partiql {

namespace {

constexpr int kMaxDepth = 64;

// Words that are never a bare attribute name (quote them: "value").
bool IsReserved(const Token& t) {
  static constexpr std::array<std::string_view, 28> kReserved = {
      "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "BETWEEN", "IS", "MISSING",
      "NULL", "TRUE", "FALSE", "INSERT", "INTO", "VALUE", "VALUES", "UPDATE", "SET", "REMOVE",
      "DELETE", "RETURNING", "ORDER", "BY", "EXISTS", "JOIN", "GROUP", "LIMIT"};
  return std::any_of(kReserved.begin(), kReserved.end(), [&](std::string_view k) { return t.IsKeyword(k); });
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<Statement> Run() {
    Statement s;
    const Token& first = Peek();
    Status st;
    if (first.IsKeyword("SELECT")) {
      st = ParseSelect(&s);
    } else if (first.IsKeyword("INSERT")) {
      st = ParseInsert(&s);
    } else if (first.IsKeyword("UPDATE")) {
      st = ParseUpdate(&s);
    } else if (first.IsKeyword("DELETE")) {
      st = ParseDelete(&s);
    } else if (first.IsKeyword("EXISTS")) {
      st = ParseExists(&s);
    } else if (first.kind == Token::Kind::kWord &&
               (first.IsKeyword("CREATE") || first.IsKeyword("DROP") || first.IsKeyword("UPSERT") ||
                first.IsKeyword("REPLACE") || first.IsKeyword("WITH") || first.IsKeyword("ALTER"))) {
      return Unsupported(Upper(first.text) + " statements are not supported");
    } else {
      return Syntax("expected SELECT, INSERT, UPDATE or DELETE" + Near(first));
    }
    if (!st.ok()) return st;
    if (Peek().Is(Token::Kind::kSymbol, ";")) Next();
    if (Peek().kind != Token::Kind::kEnd) return Syntax("unexpected " + Describe(Peek()));
    s.parameter_count = params_;
    return s;
  }

 private:
  // ----- tokens ---------------------------------------------------------------
  const Token& Peek(size_t ahead = 0) const { return t_[std::min(pos_ + ahead, t_.size() - 1)]; }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ < t_.size() - 1) ++pos_;
    return t;
  }
  bool AcceptKeyword(std::string_view k) {
    if (!Peek().IsKeyword(k)) return false;
    Next();
    return true;
  }
  bool AcceptSymbol(std::string_view s) {
    if (!Peek().Is(Token::Kind::kSymbol, s)) return false;
    Next();
    return true;
  }
  Status ExpectKeyword(std::string_view k) {
    if (AcceptKeyword(k)) return Status::Ok();
    return Syntax("expected " + std::string(k) + Near(Peek()));
  }
  Status ExpectSymbol(std::string_view s) {
    if (AcceptSymbol(s)) return Status::Ok();
    return Syntax("expected '" + std::string(s) + "'" + Near(Peek()));
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Token::Kind::kEnd: return "end of statement";
      case Token::Kind::kString: return "'" + t.text + "' at position " + std::to_string(t.offset + 1);
      case Token::Kind::kQuoted: return "\"" + t.text + "\" at position " + std::to_string(t.offset + 1);
      default: return "'" + t.text + "' at position " + std::to_string(t.offset + 1);
    }
  }
  static std::string Near(const Token& t) { return ", found " + Describe(t); }
  static Status Syntax(const std::string& what) { return Status::Validation(std::string(kSyntaxPrefix) + what); }
  static Status Unsupported(const std::string& what) { return Status::Validation("Unsupported operation: " + what); }

  // ----- statements -------------------------------------------------------------
  // "table" or table, optionally ."index".
  Status ParseTable(Statement* s, bool allow_index) {
    auto name = Identifier("a table name");
    if (!name) return name.status();
    s->table = *name;
    if (Peek().Is(Token::Kind::kSymbol, ".")) {
      Next();
      if (!allow_index) return Syntax("an index can only be read with SELECT" + Near(Peek()));
      auto index = Identifier("an index name");
      if (!index) return index.status();
      s->index = *index;
    }
    if (Peek().Is(Token::Kind::kSymbol, ",") || Peek().IsKeyword("JOIN") || Peek().IsKeyword("INNER") ||
        Peek().IsKeyword("LEFT") || Peek().IsKeyword("CROSS")) {
      return Unsupported("a statement may read or write only one table (joins are not supported)");
    }
    if (Peek().IsKeyword("AS") || (Peek().kind == Token::Kind::kWord && !IsReserved(Peek()) &&
                                   !Peek().IsKeyword("AT"))) {
      return Unsupported("table aliases are not supported");
    }
    return Status::Ok();
  }

  Result<std::string> Identifier(std::string_view what) {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kQuoted) {
      if (t.text.empty()) return Syntax("empty quoted identifier at position " + std::to_string(t.offset + 1));
      return Next().text;
    }
    if (t.kind == Token::Kind::kWord && !IsReserved(t)) return Next().text;
    return Syntax("expected " + std::string(what) + Near(t));
  }

  Status ParseSelect(Statement* s) {
    Next();  // SELECT
    s->kind = Statement::Kind::kSelect;
    if (Peek().IsKeyword("DISTINCT") || Peek().IsKeyword("VALUE")) {
      return Unsupported("SELECT " + Upper(Peek().text) + " is not supported");
    }
    if (AcceptSymbol("*")) {
      s->select_all = true;
    } else {
      while (true) {
        if (Peek().kind == Token::Kind::kWord && Peek(1).Is(Token::Kind::kSymbol, "(")) {
          return Unsupported("functions in the projection list (" + Peek().text + ") are not supported");
        }
        auto p = ParsePath();
        if (!p) return p.status();
        if (Peek().IsKeyword("AS")) return Unsupported("aliases in the projection list are not supported");
        s->projection.push_back(std::move(*p));
        if (!AcceptSymbol(",")) break;
      }
    }
    if (Status st = ExpectKeyword("FROM"); !st.ok()) return st;
    if (Peek().Is(Token::Kind::kSymbol, "(")) return Unsupported("subqueries are not supported");
    if (Status st = ParseTable(s, true); !st.ok()) return st;
    if (AcceptKeyword("WHERE")) {
      auto w = ParseExpr(0);
      if (!w) return w.status();
      s->where = std::move(*w);
    }
    if (Peek().IsKeyword("GROUP") || Peek().IsKeyword("HAVING") || Peek().IsKeyword("LIMIT") ||
        Peek().IsKeyword("OFFSET")) {
      return Unsupported(Upper(Peek().text) + " is not supported");
    }
    if (AcceptKeyword("ORDER")) {
      if (Status st = ExpectKeyword("BY"); !st.ok()) return st;
      while (true) {
        OrderBy o;
        auto p = ParsePath();
        if (!p) return p.status();
        o.key = std::move(*p);
        if (AcceptKeyword("DESC")) {
          o.descending = true;
        } else {
          AcceptKeyword("ASC");
        }
        s->order_by.push_back(std::move(o));
        if (!AcceptSymbol(",")) break;
      }
    }
    return Status::Ok();
  }

  Status ParseInsert(Statement* s) {
    Next();  // INSERT
    s->kind = Statement::Kind::kInsert;
    if (Status st = ExpectKeyword("INTO"); !st.ok()) return st;
    if (Status st = ParseTable(s, false); !st.ok()) return st;
    if (Peek().IsKeyword("VALUES")) return Unsupported("INSERT takes one item: use VALUE, not VALUES");
    if (Peek().Is(Token::Kind::kSymbol, "<<")) return Unsupported("INSERT takes one item, not a bag");
    if (Status st = ExpectKeyword("VALUE"); !st.ok()) return st;
    auto v = ParseExpr(0);
    if (!v) return v.status();
    if (v->kind != Expr::Kind::kTuple && v->kind != Expr::Kind::kParam) {
      return Syntax("INSERT's VALUE must be a tuple {'attribute': value, ...}");
    }
    s->value = std::move(*v);
    return Status::Ok();
  }

  Status ParseUpdate(Statement* s) {
    Next();  // UPDATE
    s->kind = Statement::Kind::kUpdate;
    if (Status st = ParseTable(s, false); !st.ok()) return st;
    // Any number of SET a=v[, b=w] and REMOVE a[, b] clauses.
    while (true) {
      if (AcceptKeyword("SET")) {
        while (true) {
          UpdateAction a;
          auto p = ParsePath();
          if (!p) return p.status();
          a.path = std::move(*p);
          if (Status st = ExpectSymbol("="); !st.ok()) return st;
          auto v = ParseAdditive(0);
          if (!v) return v.status();
          a.value = std::move(*v);
          s->actions.push_back(std::move(a));
          if (!AcceptSymbol(",")) break;
        }
      } else if (AcceptKeyword("REMOVE")) {
        while (true) {
          UpdateAction a;
          a.remove = true;
          auto p = ParsePath();
          if (!p) return p.status();
          a.path = std::move(*p);
          s->actions.push_back(std::move(a));
          if (!AcceptSymbol(",")) break;
        }
      } else {
        break;
      }
    }
    if (s->actions.empty()) return Syntax("expected SET or REMOVE" + Near(Peek()));
    if (Status st = ParseWhere(s); !st.ok()) return st;
    return ParseReturning(s);
  }

  Status ParseDelete(Statement* s) {
    Next();  // DELETE
    s->kind = Statement::Kind::kDelete;
    if (Status st = ExpectKeyword("FROM"); !st.ok()) return st;
    if (Status st = ParseTable(s, false); !st.ok()) return st;
    if (Status st = ParseWhere(s); !st.ok()) return st;
    return ParseReturning(s);
  }

  // EXISTS(SELECT * FROM "t" WHERE ...): a transaction's condition check.
  Status ParseExists(Statement* s) {
    Next();  // EXISTS
    if (Status st = ExpectSymbol("("); !st.ok()) return st;
    if (!Peek().IsKeyword("SELECT")) return Syntax("expected SELECT" + Near(Peek()));
    if (Status st = ParseSelect(s); !st.ok()) return st;
    if (Status st = ExpectSymbol(")"); !st.ok()) return st;
    if (s->index) return Unsupported("EXISTS on an index is not supported");
    if (!s->order_by.empty()) return Unsupported("ORDER BY in EXISTS is not supported");
    s->kind = Statement::Kind::kExists;
    return Status::Ok();
  }

  // UPDATE and DELETE need a WHERE (the item's key).
  Status ParseWhere(Statement* s) {
    if (Status st = ExpectKeyword("WHERE"); !st.ok()) return st;
    auto w = ParseExpr(0);
    if (!w) return w.status();
    s->where = std::move(*w);
    return Status::Ok();
  }

  Status ParseReturning(Statement* s) {
    if (!AcceptKeyword("RETURNING")) return Status::Ok();
    bool all;
    if (AcceptKeyword("ALL")) {
      all = true;
    } else if (AcceptKeyword("MODIFIED")) {
      all = false;
    } else {
      return Syntax("expected ALL or MODIFIED after RETURNING" + Near(Peek()));
    }
    bool old;
    if (AcceptKeyword("OLD")) {
      old = true;
    } else if (AcceptKeyword("NEW")) {
      old = false;
    } else {
      return Syntax("expected OLD or NEW after RETURNING " + std::string(all ? "ALL" : "MODIFIED") + Near(Peek()));
    }
    if (Status st = ExpectSymbol("*"); !st.ok()) return st;
    s->returning = all ? (old ? Returning::kAllOld : Returning::kAllNew)
                       : (old ? Returning::kModifiedOld : Returning::kModifiedNew);
    return Status::Ok();
  }

  // ----- expressions ------------------------------------------------------------
  Status Deeper(int depth) const {
    if (depth > kMaxDepth) return Syntax("the statement is nested too deeply");
    return Status::Ok();
  }

  Result<Expr> ParseExpr(int depth) { return ParseOr(depth); }

  Result<Expr> ParseOr(int depth) {
    auto left = ParseAnd(depth);
    if (!left) return left;
    while (AcceptKeyword("OR")) {
      auto right = ParseAnd(depth);
      if (!right) return right;
      Expr e;
      e.kind = Expr::Kind::kOr;
      e.children = {std::move(*left), std::move(*right)};
      left = std::move(e);
    }
    return left;
  }

  Result<Expr> ParseAnd(int depth) {
    auto left = ParseNot(depth);
    if (!left) return left;
    while (AcceptKeyword("AND")) {
      auto right = ParseNot(depth);
      if (!right) return right;
      Expr e;
      e.kind = Expr::Kind::kAnd;
      e.children = {std::move(*left), std::move(*right)};
      left = std::move(e);
    }
    return left;
  }

  Result<Expr> ParseNot(int depth) {
    if (Status st = Deeper(depth); !st.ok()) return st;
    if (AcceptKeyword("NOT")) {
      auto inner = ParseNot(depth + 1);
      if (!inner) return inner;
      Expr e;
      e.kind = Expr::Kind::kNot;
      e.children.push_back(std::move(*inner));
      return e;
    }
    return ParsePredicate(depth);
  }

  Result<Expr> ParsePredicate(int depth) {
    auto left = ParseAdditive(depth);
    if (!left) return left;
    const Token& t = Peek();
    if (t.kind == Token::Kind::kSymbol &&
        (t.text == "=" || t.text == "<>" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" ||
         t.text == ">=")) {
      std::string op = t.text == "!=" ? "<>" : t.text;
      Next();
      auto right = ParseAdditive(depth);
      if (!right) return right;
      Expr e;
      e.kind = Expr::Kind::kCompare;
      e.op = op;
      e.children = {std::move(*left), std::move(*right)};
      return e;
    }
    bool negated = false;
    if (t.IsKeyword("NOT") && (Peek(1).IsKeyword("BETWEEN") || Peek(1).IsKeyword("IN"))) {
      Next();
      negated = true;
    }
    if (AcceptKeyword("BETWEEN")) {
      auto low = ParseAdditive(depth);
      if (!low) return low;
      if (Status st = ExpectKeyword("AND"); !st.ok()) return st;
      auto high = ParseAdditive(depth);
      if (!high) return high;
      Expr e;
      e.kind = Expr::Kind::kBetween;
      e.children = {std::move(*left), std::move(*low), std::move(*high)};
      return Negate(std::move(e), negated);
    }
    if (AcceptKeyword("IN")) {
      // IN [a, b] or IN (a, b).
      std::string close;
      if (AcceptSymbol("[")) {
        close = "]";
      } else if (AcceptSymbol("(")) {
        close = ")";
      } else {
        return Syntax("expected a list after IN" + Near(Peek()));
      }
      Expr e;
      e.kind = Expr::Kind::kIn;
      e.children.push_back(std::move(*left));
      if (Peek().IsKeyword("SELECT")) return Unsupported("subqueries are not supported");
      while (true) {
        auto v = ParseAdditive(depth + 1);
        if (!v) return v;
        e.children.push_back(std::move(*v));
        if (!AcceptSymbol(",")) break;
      }
      if (Status st = ExpectSymbol(close); !st.ok()) return st;
      return Negate(std::move(e), negated);
    }
    if (AcceptKeyword("IS")) {
      Expr e;
      e.kind = Expr::Kind::kIs;
      e.negated = AcceptKeyword("NOT");
      if (AcceptKeyword("MISSING")) {
        e.op = "MISSING";
      } else if (AcceptKeyword("NULL")) {
        e.op = "NULL";
      } else {
        return Syntax("expected MISSING or NULL after IS" + Near(Peek()));
      }
      e.children.push_back(std::move(*left));
      return e;
    }
    return left;
  }

  static Expr Negate(Expr e, bool negated) {
    if (!negated) return e;
    Expr n;
    n.kind = Expr::Kind::kNot;
    n.children.push_back(std::move(e));
    return n;
  }

  Result<Expr> ParseAdditive(int depth) {
    auto left = ParsePrimary(depth);
    if (!left) return left;
    while (Peek().Is(Token::Kind::kSymbol, "+") || Peek().Is(Token::Kind::kSymbol, "-")) {
      Expr e;
      e.kind = Expr::Kind::kArith;
      e.op = Next().text;
      auto right = ParsePrimary(depth);
      if (!right) return right;
      e.children = {std::move(*left), std::move(*right)};
      left = std::move(e);
    }
    return left;
  }

  Result<Expr> ParsePrimary(int depth) {
    if (Status st = Deeper(depth); !st.ok()) return st;
    const Token& t = Peek();
    Expr e;
    switch (t.kind) {
      case Token::Kind::kString:
        e.literal = json::object{{"S", Next().text}};
        return e;
      case Token::Kind::kNumber:
        e.literal = json::object{{"N", Next().text}};
        return e;
      case Token::Kind::kQuoted: {
        auto p = ParsePath();
        if (!p) return p.status();
        e.kind = Expr::Kind::kPath;
        e.path = std::move(*p);
        return e;
      }
      case Token::Kind::kEnd:
        return Syntax("unexpected end of statement");
      case Token::Kind::kSymbol:
        break;
      case Token::Kind::kWord:
        if (t.IsKeyword("TRUE") || t.IsKeyword("FALSE")) {
          e.literal = json::object{{"BOOL", t.IsKeyword("TRUE")}};
          Next();
          return e;
        }
        if (t.IsKeyword("NULL")) {
          Next();
          e.literal = json::object{{"NULL", true}};
          return e;
        }
        if (t.IsKeyword("MISSING")) {
          Next();
          e.literal = nullptr;
          return e;
        }
        if (t.IsKeyword("SELECT")) return Unsupported("subqueries are not supported");
        if (Peek(1).Is(Token::Kind::kSymbol, "(")) return ParseCall(depth);
        {
          auto p = ParsePath();
          if (!p) return p.status();
          e.kind = Expr::Kind::kPath;
          e.path = std::move(*p);
          return e;
        }
    }
    // Symbols.
    if (AcceptSymbol("?")) {
      e.kind = Expr::Kind::kParam;
      e.param = params_++;
      return e;
    }
    if (t.text == "-" && Peek(1).kind == Token::Kind::kNumber) {
      Next();
      e.literal = json::object{{"N", "-" + Next().text}};
      return e;
    }
    if (AcceptSymbol("(")) {
      auto inner = ParseExpr(depth + 1);
      if (!inner) return inner;
      if (Status st = ExpectSymbol(")"); !st.ok()) return st;
      return inner;
    }
    if (AcceptSymbol("{")) {
      e.kind = Expr::Kind::kTuple;
      if (AcceptSymbol("}")) return e;
      while (true) {
        const Token& k = Peek();
        if (k.kind != Token::Kind::kString && k.kind != Token::Kind::kQuoted) {
          return Syntax("expected an attribute name in quotes" + Near(k));
        }
        std::string key = Next().text;
        if (std::find(e.keys.begin(), e.keys.end(), key) != e.keys.end()) {
          return Syntax("duplicate attribute name '" + key + "' in a tuple");
        }
        if (Status st = ExpectSymbol(":"); !st.ok()) return st;
        auto v = ParseAdditive(depth + 1);
        if (!v) return v;
        e.keys.push_back(std::move(key));
        e.children.push_back(std::move(*v));
        if (!AcceptSymbol(",")) break;
      }
      if (Status st = ExpectSymbol("}"); !st.ok()) return st;
      return e;
    }
    if (t.text == "[" || t.text == "<<") {
      const std::string close = t.text == "[" ? "]" : ">>";
      e.kind = t.text == "[" ? Expr::Kind::kList : Expr::Kind::kBag;
      Next();
      if (AcceptSymbol(close)) return e;
      while (true) {
        auto v = ParseAdditive(depth + 1);
        if (!v) return v;
        e.children.push_back(std::move(*v));
        if (!AcceptSymbol(",")) break;
      }
      if (Status st = ExpectSymbol(close); !st.ok()) return st;
      return e;
    }
    return Syntax("unexpected " + Describe(t));
  }

  Result<Expr> ParseCall(int depth) {
    Expr e;
    e.kind = Expr::Kind::kCall;
    const Token& name = Next();
    e.op = Lower(name.text);
    static constexpr std::array<std::string_view, 8> kFunctions = {
        "begins_with", "contains", "size", "attribute_type", "exists", "list_append", "set_add", "set_delete"};
    if (std::find(kFunctions.begin(), kFunctions.end(), e.op) == kFunctions.end()) {
      return Unsupported("function " + name.text + " is not supported");
    }
    Next();  // (
    if (e.op == "exists") return Unsupported("EXISTS is only supported as a statement of ExecuteTransaction");
    if (!AcceptSymbol(")")) {
      while (true) {
        auto v = ParseAdditive(depth + 1);
        if (!v) return v;
        e.children.push_back(std::move(*v));
        if (!AcceptSymbol(",")) break;
      }
      if (Status st = ExpectSymbol(")"); !st.ok()) return st;
    }
    const size_t want = e.op == "size" ? 1 : 2;
    if (e.children.size() != want) {
      return Syntax("function " + e.op + " takes " + std::to_string(want) + " argument" + (want == 1 ? "" : "s") +
                    ", found " + std::to_string(e.children.size()));
    }
    return e;
  }

  // a, "a b", a.b, a[1], a."b".c[0][2]
  Result<Path> ParsePath() {
    Path p;
    auto first = Identifier("an attribute name");
    if (!first) return first.status();
    p.push_back({*first, false, 0});
    while (true) {
      if (AcceptSymbol(".")) {
        if (Peek().Is(Token::Kind::kSymbol, "*")) return Unsupported("wildcard paths are not supported");
        auto name = Identifier("an attribute name");
        if (!name) return name.status();
        p.push_back({*name, false, 0});
      } else if (AcceptSymbol("[")) {
        const Token& n = Peek();
        if (n.kind != Token::Kind::kNumber || n.text.find_first_not_of("0123456789") != std::string::npos ||
            n.text.size() > 9) {
          return Syntax("a list index must be a non-negative integer" + Near(n));
        }
        p.push_back({"", true, static_cast<size_t>(std::stoul(Next().text))});
        if (Status st = ExpectSymbol("]"); !st.ok()) return st;
      } else {
        return p;
      }
    }
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
  size_t params_ = 0;
};

}  // namespace

Result<Statement> Parse(std::string_view text) {
  auto tokens = Tokenize(text);
  if (!tokens) return tokens.status();
  if (tokens->size() == 1) return Status::Validation(std::string(kSyntaxPrefix) + "the statement is empty");
  return Parser(std::move(*tokens)).Run();
}

}  // namespace streamer::dynamo::partiql
