// The legacy (pre-expression) members of a request, read and translated into
// expression trees (expr/legacy.h), and AWS's rule that one request may not
// mix them with expression members. Shared by the single-item actions, Query
// and Scan, and the batch forms (BatchGetItem's AttributesToGet).
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/expr/condition.h"
#include "dynamo/expr/key_condition.h"
#include "dynamo/expr/path.h"
#include "dynamo/expr/update.h"
#include "dynamo/model/key_schema.h"

namespace streamer::dynamo {

// "Can not use both expression and non-expression parameters in the same
// request: Non-expression parameters: {Expected} Expression parameters:
// {ConditionExpression}" when `r` has members of both lists (each listed in
// the order given, which is AWS's order for the action).
Status CheckNotMixed(const json::object& r, std::initializer_list<std::string_view> legacy,
                     std::initializer_list<std::string_view> expressions);

// Expected with ConditionalOperator (PutItem, DeleteItem, UpdateItem); null
// when the request has no legacy condition.
Result<std::shared_ptr<const expr::ParsedCondition>> LegacyCondition(const json::object& r);

// QueryFilter / ScanFilter (`member`) with ConditionalOperator; null when absent.
Result<std::shared_ptr<const expr::ParsedCondition>> LegacyFilter(const json::object& r, std::string_view member);

// AttributeUpdates (UpdateItem); null when absent.
Result<std::shared_ptr<const expr::ParsedUpdate>> LegacyUpdate(const json::object& r);

// AttributesToGet as projection paths; nullopt when absent.
Result<std::optional<std::vector<expr::Path>>> LegacyProjection(const json::object& r);

// KeyConditions (Query) for `schema`; nullopt when absent.
Result<std::optional<expr::KeyCondition>> LegacyKeyConditions(const json::object& r, const KeySchema& schema);

}  // namespace streamer::dynamo
