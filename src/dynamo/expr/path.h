// Document paths (a.b[2].#c after placeholder resolution) and their lookup.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"

namespace streamer::dynamo::expr {

struct PathElement {
  bool is_index = false;
  std::string name;   // map key / attribute name (when !is_index)
  size_t index = 0;   // list index (when is_index)
  bool operator==(const PathElement&) const = default;
};
using Path = std::vector<PathElement>;

// AWS's rendering in error messages: "[a, b, [2]]".
std::string PathToString(const Path& path);

// The attribute value at `path` in `item`, or nullptr when absent (or when the
// path goes through something that is not a map / list).
const json::value* ResolvePath(const json::object& item, const Path& path);

// AWS rejects two paths in one expression when one is a prefix of (or equal
// to) the other ("Two document paths overlap with each other; ...") or when
// they use a list index and a map key at the same place ("... conflict ...").
// Returns the message ("" when the paths are fine); `is_conflict` tells which.
std::string CheckPathsDisjoint(const std::vector<Path>& paths, bool* is_conflict);

}  // namespace streamer::dynamo::expr
