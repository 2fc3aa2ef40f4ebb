// Internal: the lexer and recursive-descent parser shared by all expression
// kinds. It produces raw trees (placeholders already resolved) and collects
// errors; condition.cc, update.cc, ... apply each kind's rules on top.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/expr/path.h"
#include "dynamo/expr/placeholders.h"

namespace streamer::dynamo::expr::internal {

// Kinds of semantic error. AWS reports one error; which one depends on an order
// that differs per expression kind, so the parser keeps the first of each.
enum class ErrorKind {
  kParens,
  kUnknownFunction,
  kMisusedFunction,
  kReserved,
  kUndefined,        // first undefined name or value (condition order)
  kUndefinedName,
  kUndefinedValue,
  kOperandCount,
  kDistinct,
  kFunctionType,
  kSection,
  kOverlap,
  kConflict,
  kOperandType,
};

class ErrorSet {
 public:
  void Add(ErrorKind kind, std::string message) { errors_.emplace(kind, std::move(message)); }
  // The first present in `order`, or "" if none.
  std::string Pick(std::initializer_list<ErrorKind> order) const;
  bool empty() const { return errors_.empty(); }

 private:
  std::map<ErrorKind, std::string> errors_;
};

struct RawOperand {
  enum class Kind { kPath, kValue, kFunction, kArithmetic };
  Kind kind = Kind::kPath;
  Path path;                            // kPath
  std::string placeholder;              // kValue: ":v"
  json::value value;                    // kValue: resolved (null when undefined)
  std::string function;                 // kFunction: name; kArithmetic: "+" or "-"
  std::vector<RawOperand> args;         // kFunction, kArithmetic
  int parens = 0;                       // parentheses directly around it
};

struct RawCondition {
  enum class Kind { kCompare, kBetween, kIn, kFunction, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  std::string op;                       // kCompare: "=", "<>", "<", "<=", ">", ">="
  std::vector<RawOperand> operands;     // compare: 2; between: 3; in: 1 + list; function: the call
  std::vector<RawCondition> children;   // and/or: 2; not: 1
  bool parenthesized = false;
};

struct RawUpdateAction {
  std::string section;                  // "SET", "REMOVE", "ADD", "DELETE"
  Path path;
  RawOperand value;                     // SET: value expression; ADD/DELETE: the :value
};

// AWS's documented limits on every expression parameter: at most 4 KB of text,
// 300 operators or functions, 100 operands for IN. Nesting (parentheses, NOT, function calls)
// is bounded too, so no input can exhaust the parser's stack; the bound is
// above what 300 operators without redundant parentheses can reach.
constexpr size_t kMaxExpressionBytes = 4096;
constexpr int kMaxOperators = 300;
constexpr size_t kMaxInOperands = 100;
constexpr int kMaxNesting = 640;
constexpr size_t kMaxPathDepth = 32;

// "Expression size has exceeded ..." when `text` is too long, else "". Checked
// before anything else looks at the text.
std::string ExpressionSizeError(std::string_view text);

class Parser {
 public:
  Parser(std::string_view text, const AttributeMaps& maps, ErrorSet* errors, UsedPlaceholders* used);
  ~Parser();

  // Each parses the whole text; false on a syntax error (see SyntaxError()).
  bool ParseCondition(RawCondition* out);
  bool ParseProjection(std::vector<Path>* out);
  bool ParseUpdate(std::vector<RawUpdateAction>* out);

  // "Syntax error; token: \"x\", near: \"a x b\"" (or why parsing stopped
  // early: nesting or document path depth).
  std::string SyntaxError() const;
  // After a successful parse: "The expression contains too many operators;
  // ..." over kMaxOperators, "The IN operator is provided with too many
  // operands; ..." over kMaxInOperands, else "".
  std::string OperatorError() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamer::dynamo::expr::internal
