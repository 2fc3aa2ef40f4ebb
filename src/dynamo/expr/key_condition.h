// KeyConditionExpression (Query): exactly one equality on the partition key and
// at most one condition on the sort key, combined with AND.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

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

// Multi-attribute keys (a GSI's key may have 1-4 partition and 0-4 sort
// attributes): every partition attribute by equality, then sort attributes
// left to right without gaps, each by equality except the last one given,
// which may take any sort-key condition.
struct MultiKeyCondition {
  std::vector<json::value> partition_values;  // one per partition attribute, in key order
  std::vector<json::value> sort_equal;        // the leading sort attributes compared by equality
  std::optional<SortKeyCondition> last;       // the next sort attribute's condition, if any
  UsedPlaceholders used;
};
Result<MultiKeyCondition> ParseMultiKeyCondition(std::string_view text, const AttributeMaps& maps,
                                                 const std::vector<KeyAttribute>& partition,
                                                 const std::vector<KeyAttribute>& sort);

}  // namespace streamer::dynamo::expr
