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
// ExpressionAttributeNames / ExpressionAttributeValues of a request, validated.
Result<expr::AttributeMaps> ExpressionMaps(const json::object& r);
// "1 validation error detected: Value '<v>' at '<field>' failed to satisfy constraint: <c>".
Status ConstraintError(std::string_view value, std::string_view field, std::string_view constraint);

}  // namespace streamer::dynamo
