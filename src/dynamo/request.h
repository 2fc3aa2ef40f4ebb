// Small helpers for reading DynamoDB request members with AWS's
// validation messages ("1 validation error detected: ...").
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/expr/placeholders.h"

namespace streamer::dynamo {

// A member that must be a string when present; Serialization error otherwise.
Result<std::optional<std::string>> OptionalString(const json::object& r, std::string_view member);
// TableName: required, 3..255 chars of [a-zA-Z0-9_.-].
Result<std::string> TableNameOf(const json::object& r, std::string_view member = "TableName");
// A member that must be an object when present.
Result<const json::object*> OptionalObject(const json::object& r, std::string_view member);
// An integer member in [min, max] when present. `parent` names the enclosing
// structure in error messages ("provisionedThroughput.readCapacityUnits").
Result<std::optional<int64_t>> OptionalInt(const json::object& r, std::string_view member,
                                           int64_t min, int64_t max, std::string_view parent = "");
// A member that must be a boolean when present (ConsistentRead, ...).
Result<std::optional<bool>> OptionalBool(const json::object& r, std::string_view member);
// Members we accept without acting on them, checked as AWS checks them (JSON
// type, then enum): ReturnConsumedCapacity always; ConsistentRead for reads,
// ReturnItemCollectionMetrics for writes.
enum class RequestKind { kRead, kWrite };
Status CheckAcceptedMembers(const json::object& r, RequestKind kind);
// ExpressionAttributeNames / ExpressionAttributeValues of a request, validated.
Result<expr::AttributeMaps> ExpressionMaps(const json::object& r);
// ExpressionAttributeNames/Values given to a request that has none of the
// expressions that could use them: AWS's "ExpressionAttributeNames can only
// be specified when using expressions" and "ExpressionAttributeValues can
// only be specified when using expressions: ConditionExpression is null".
// `value_expressions`: the request's members that take values, in AWS's
// order; `name_only_expressions`: those that take only names (projections).
Status CheckMapsHaveExpressions(const json::object& r, std::initializer_list<std::string_view> value_expressions,
                                std::initializer_list<std::string_view> name_only_expressions = {});
// A present string member's length constraint (AWS's "Member must have length
// greater than or equal to <min>" / "less than or equal to <max>"); `field` is
// the member's name in the message (lower camel case).
Status CheckLength(const std::optional<std::string>& value, std::string_view field, size_t min, size_t max);
// "1 validation error detected: Value '<v>' at '<field>' failed to satisfy constraint: <c>".
Status ConstraintError(std::string_view value, std::string_view field, std::string_view constraint);

}  // namespace streamer::dynamo
