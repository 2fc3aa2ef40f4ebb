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
  for (size_t j = 1; j < paths.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const Path& a = paths[i];
      const Path& b = paths[j];
      size_t n = std::min(a.size(), b.size());
      size_t k = 0;
      bool differ = false;
      for (; k < n; ++k) {
        if (a[k].is_index != b[k].is_index) {
          *is_conflict = true;
          return "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " +
                 PathToString(a) + ", path two: " + PathToString(b);
        }
        if (!(a[k] == b[k])) {
          differ = true;
          break;
        }
      }
      if (!differ) {
        *is_conflict = false;
        return "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: " +
               PathToString(a) + ", path two: " + PathToString(b);
      }
    }
  }
  return "";
}

}  // namespace streamer::dynamo::expr
