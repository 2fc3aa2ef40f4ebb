// UpdateExpression: SET / REMOVE / ADD / DELETE clauses, each at most once,
// parsed once and applied to a copy of an item.
#pragma once

#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/expr/path.h"
#include "dynamo/expr/placeholders.h"
#include "dynamo/model/key_schema.h"

namespace streamer::dynamo::expr {

// Right-hand side of a SET action.
struct UpdateValue {
  enum class Kind { kPath, kValue, kIfNotExists, kListAppend, kPlus, kMinus };
  Kind kind = Kind::kValue;
  Path path;                       // kPath
  json::value value;               // kValue
  std::vector<UpdateValue> args;   // functions and + / -
};

struct UpdateAction {
  enum class Kind { kSet, kRemove, kAdd, kDelete };
  Kind kind = Kind::kSet;
  Path path;
  UpdateValue value;     // kSet
  json::value operand;   // kAdd / kDelete: the :value
};

struct ParsedUpdate {
  std::vector<UpdateAction> actions;
  UsedPlaceholders used;
  // From AttributeUpdates: ADD / DELETE on a value of another type fail with
  // the legacy message ("Type mismatch for attribute to update").
  bool legacy_messages = false;
};

Result<ParsedUpdate> ParseUpdate(std::string_view text, const AttributeMaps& maps);

// "One or more parameter values were invalid: Cannot update attribute pk. This
// attribute is part of the key" when an action touches a key attribute.
Status CheckUpdateKeys(const ParsedUpdate& update, const KeySchema& schema);

// Applies the update to a copy of `item` (empty object when there is none).
// SET values are computed from the item as it was before the update. Runtime
// errors are AWS's ("The document path provided in the update expression is
// invalid for update", "An operand in the update expression has an incorrect
// data type", ...). With `schema`, CheckUpdateKeys runs first.
Result<json::object> ApplyUpdate(const ParsedUpdate& update, json::object item,
                                 const KeySchema* schema = nullptr);

}  // namespace streamer::dynamo::expr
