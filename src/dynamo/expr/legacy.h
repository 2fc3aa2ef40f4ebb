// The legacy (pre-expression) parameters: Expected, QueryFilter / ScanFilter
// (with ConditionalOperator), AttributeUpdates, AttributesToGet and
// KeyConditions, translated into the same trees the expressions produce, so
// evaluation, update application and projection are shared. Messages are
// AWS's for the legacy forms ("One or more parameter values were invalid:
// Invalid number of argument(s) for the EQ ComparisonOperator", ...).
#pragma once

#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/expr/condition.h"
#include "dynamo/expr/key_condition.h"
#include "dynamo/expr/path.h"
#include "dynamo/expr/update.h"
#include "dynamo/model/key_schema.h"

namespace streamer::dynamo::expr {

// ConditionalOperator: how the conditions of one map combine.
enum class LegacyJoin { kAnd, kOr };

// The request's ConditionalOperator, checked against the number of
// conditions it would join (`conditions`: entries of Expected / QueryFilter /
// ScanFilter; 0 when none is given). `value` null: absent (AND).
Result<LegacyJoin> ParseConditionalOperator(const json::value* value, size_t conditions);

// Expected: {attr: {Value, Exists} | {ComparisonOperator, AttributeValueList | Value}}.
// An empty map is no condition (nullopt).
Result<std::optional<Condition>> ParseExpected(const json::value& expected, LegacyJoin join);

// QueryFilter / ScanFilter (`member` as sent, e.g. "ScanFilter"): {attr: {ComparisonOperator,
// AttributeValueList}}. An empty map is no condition (nullopt).
Result<std::optional<Condition>> ParseLegacyFilter(const json::value& filter, std::string_view member,
                                                   LegacyJoin join);

// AttributeUpdates: {attr: {Action: PUT | ADD | DELETE, Value}} as update
// actions on top-level attributes (PUT = SET, DELETE without Value = REMOVE).
Result<ParsedUpdate> ParseAttributeUpdates(const json::value& updates);

// AttributesToGet: top-level attribute names, 1 to 255 of them, no duplicates.
Result<std::vector<Path>> ParseAttributesToGet(const json::value& names);

// KeyConditions for the key schema being queried: EQ on the partition key
// and at most one of EQ, LE, LT, GE, GT, BEGINS_WITH, BETWEEN on the sort key.
Result<KeyCondition> ParseKeyConditions(const json::value& conditions, const KeySchema& schema);

}  // namespace streamer::dynamo::expr
