// ConditionExpression / FilterExpression: parse once (placeholders resolved),
// evaluate against many items.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/expr/path.h"
#include "dynamo/expr/placeholders.h"

namespace streamer::dynamo::expr {

// An operand: a document path, a constant, or size(path).
struct Operand {
  enum class Kind { kPath, kValue, kSize };
  Kind kind = Kind::kPath;
  Path path;          // kPath, kSize
  json::value value;  // kValue
};

struct Condition {
  enum class Op {
    kEq, kNe, kLt, kLe, kGt, kGe, kBetween, kIn,
    kAnd, kOr, kNot,
    kAttributeExists, kAttributeNotExists, kAttributeType, kBeginsWith, kContains,
  };
  Op op = Op::kEq;
  std::vector<Operand> operands;     // comparisons and functions
  std::vector<Condition> children;   // and / or / not
};

struct ParsedCondition {
  Condition root;
  UsedPlaceholders used;
};

// `label` names the parameter in messages: "ConditionExpression" or
// "FilterExpression" ("Invalid FilterExpression: Syntax error; token: ...").
Result<ParsedCondition> ParseCondition(std::string_view text, const AttributeMaps& maps,
                                       std::string_view label = "ConditionExpression");

// DynamoDB semantics: a missing attribute or a type mismatch makes a
// comparison false (and "<>" true); `item` null means "no item". Evaluation
// never fails: AWS's type errors are all raised at parse time.
bool Evaluate(const Condition& condition, const json::object* item);

}  // namespace streamer::dynamo::expr
