// Stands in for filter_pattern.cc until the filter pattern language lands
// (branch wt-filters): no filters match everything; any filter is refused,
// so a mapping never silently ignores one. Removed when filter_pattern.cc
// exists (see ../CMakeLists.txt).
#include "functions/mappings/filter_pattern.h"

namespace streamer::functions {

Result<FilterPattern> FilterPattern::Parse(std::string_view) {
  return Status::Validation("FilterCriteria is not supported by this build");
}

bool FilterPattern::Matches(const json::value&) const { return true; }

Result<FilterCriteria> FilterCriteria::Parse(const std::vector<std::string>& patterns) {
  if (!patterns.empty()) return Status::Validation("FilterCriteria is not supported by this build");
  return FilterCriteria();
}

bool FilterCriteria::Matches(const json::value&) const { return true; }

}  // namespace streamer::functions
