// Internal: the condition tree builder shared by ParseCondition and the
// KeyConditionExpression parser.
#pragma once

#include "dynamo/expr/condition.h"

namespace streamer::dynamo::expr::internal {

Result<Condition> BuildCondition(std::string_view text, const AttributeMaps& maps, std::string_view label,
                                 UsedPlaceholders* used);

}  // namespace streamer::dynamo::expr::internal
