// DynamoDB's PartiQL, parsed: a small statement tree (SELECT, INSERT, UPDATE,
// DELETE, and EXISTS(SELECT ...) as a transaction's condition check).
// Parsing knows nothing of tables; translate.h turns a statement into the
// JSON API request that runs it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace streamer::dynamo::partiql {

// One step of a document path: a.b[1] is {a}, {b}, {[1]}.
struct PathStep {
  std::string name;
  bool is_index = false;
  size_t index = 0;
};
using Path = std::vector<PathStep>;

// An expression: a value, a path, or an operator over children.
struct Expr {
  enum class Kind {
    kLiteral,  // `literal` is an AttributeValue ({"S": "x"}), or null for MISSING
    kParam,    // `?`, the `param`-th of the statement (0-based)
    kPath,
    kTuple,    // {'k': v, ...}: `keys` and `children` in order
    kList,     // [v, ...]
    kBag,      // <<v, ...>>: a set
    kCall,     // `op` is the function name in lower case
    kCompare,  // `op`: = <> < <= > >= ; children lhs, rhs
    kArith,    // `op`: + -
    kBetween,  // children x, low, high
    kIn,       // children x, then the candidates
    kIs,       // `op`: MISSING | NULL; `negated` for IS NOT
    kAnd,
    kOr,
    kNot,
  };
  Kind kind = Kind::kLiteral;
  std::string op;
  bool negated = false;
  json::value literal;
  size_t param = 0;
  Path path;
  std::vector<std::string> keys;
  std::vector<Expr> children;
};

struct OrderBy {
  Path key;
  bool descending = false;
};

// UPDATE's SET a = v and REMOVE a actions, in statement order.
struct UpdateAction {
  bool remove = false;
  Path path;
  Expr value;  // SET only
};

enum class Returning { kNone, kAllOld, kModifiedOld, kAllNew, kModifiedNew };

struct Statement {
  enum class Kind { kSelect, kInsert, kUpdate, kDelete, kExists };
  Kind kind = Kind::kSelect;
  std::string table;
  std::optional<std::string> index;  // SELECT ... FROM "table"."index"
  // SELECT: `*` or the projected paths.
  bool select_all = false;
  std::vector<Path> projection;
  std::vector<OrderBy> order_by;
  std::optional<Expr> where;     // SELECT, UPDATE, DELETE, EXISTS
  std::optional<Expr> value;     // INSERT's VALUE
  std::vector<UpdateAction> actions;
  Returning returning = Returning::kNone;
  size_t parameter_count = 0;    // how many `?` the statement has

  bool IsRead() const { return kind == Kind::kSelect; }
};

// The message prefix AWS gives every syntax error.
inline constexpr std::string_view kSyntaxPrefix = "Statement wasn't well formed, can't be processed: ";

// Parses one statement. Syntax errors are ValidationException
// "Statement wasn't well formed, can't be processed: ..."; constructs PartiQL
// has but DynamoDB does not run are "Unsupported operation: ...".
Result<Statement> Parse(std::string_view text);

}  // namespace streamer::dynamo::partiql
