// KeyConditionExpression (Query): exactly one equality on the partition key and
// at most one condition on the sort key, combined with AND.
#pragma once

#include <optional>
#include <string_view>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/expr/placeholders.h"
#include "dynamo/model/key_schema.h"

namespace streamer::dynamo::expr {

struct SortKeyCondition {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  Op op = Op::kEq;
  json::value value;   // the bound (lower bound for BETWEEN, prefix for begins_with)
  json::value value2;  // upper bound for BETWEEN
};

struct KeyCondition {
  json::value partition_value;
  std::optional<SortKeyCondition> sort;
  UsedPlaceholders used;
};

// `schema` is the key schema of the table or index being queried. Errors are
// AWS's: "Query condition missed key schema element: id", "Query key
// condition not supported", "Invalid KeyConditionExpression: ...".
Result<KeyCondition> ParseKeyCondition(std::string_view text, const AttributeMaps& maps, const KeySchema& schema);

}  // namespace streamer::dynamo::expr
