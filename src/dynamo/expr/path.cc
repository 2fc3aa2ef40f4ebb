#include "dynamo/expr/path.h"

#include <algorithm>

#include "dynamo/model/attribute.h"

namespace streamer::dynamo::expr {

std::string PathToString(const Path& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += ", ";
    out += path[i].is_index ? "[" + std::to_string(path[i].index) + "]" : path[i].name;
  }
  return out + "]";
}

const json::value* ResolvePath(const json::object& item, const Path& path) {
  if (path.empty() || path[0].is_index) return nullptr;
  const json::value* cur = item.if_contains(path[0].name);
  for (size_t i = 1; cur && i < path.size(); ++i) {
    const json::value* payload = PayloadOf(*cur);
    if (!payload) return nullptr;
    std::string_view type = TypeOf(*cur);
    if (path[i].is_index) {
      if (type != "L" || path[i].index >= payload->get_array().size()) return nullptr;
      cur = &payload->get_array()[path[i].index];
    } else {
      if (type != "M") return nullptr;
      cur = payload->get_object().if_contains(path[i].name);
    }
  }
  return cur;
}

std::string CheckPathsDisjoint(const std::vector<Path>& paths, bool* is_conflict) {
  // How two paths relate: one a prefix of the other (overlap), the same
  // element read once as a list and once as a map (conflict), or neither.
  enum class Relation { kDisjoint, kOverlap, kConflict };
  auto relate = [](const Path& a, const Path& b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t k = 0; k < n; ++k) {
      if (a[k].is_index != b[k].is_index) return Relation::kConflict;
      if (!(a[k] == b[k])) return Relation::kDisjoint;
    }
    return Relation::kOverlap;
  };
  // AWS reports an overlap anywhere before a conflict (in "b[1], b.a, a.b, a"
  // the overlap of a.b and a, not the conflict of b[1] and b.a).
  for (Relation wanted : {Relation::kOverlap, Relation::kConflict}) {
    for (size_t j = 1; j < paths.size(); ++j) {
      for (size_t i = 0; i < j; ++i) {
        if (relate(paths[i], paths[j]) != wanted) continue;
        *is_conflict = wanted == Relation::kConflict;
        return std::string("Two document paths ") + (*is_conflict ? "conflict" : "overlap") +
               " with each other; must remove or rewrite one of these paths; path one: " + PathToString(paths[i]) +
               ", path two: " + PathToString(paths[j]);
      }
    }
  }
  return "";
}

}  // namespace streamer::dynamo::expr
