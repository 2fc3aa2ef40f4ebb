// ProjectionExpression: which attributes (or nested parts) a read returns.
#pragma once

#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/expr/path.h"
#include "dynamo/expr/placeholders.h"

namespace streamer::dynamo::expr {

struct Projection {
  std::vector<Path> paths;
  UsedPlaceholders used;
};

Result<Projection> ParseProjection(std::string_view text, const AttributeMaps& maps);

// The parts of `item` named by `paths`, keeping their nesting: maps keep the
// selected keys, lists keep the selected elements in index order (compacted).
json::object Project(const json::object& item, const std::vector<Path>& paths);

}  // namespace streamer::dynamo::expr
