// Route matching for the gateway: method + path template ("/items/{id}",
// "/files/{proxy+}"), literal segments winning over variables, as API
// Gateway's resource tree does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace streamer::gateway {

struct RouteMatch {
  size_t route_index;
  std::map<std::string, std::string> path_params;
};

class Router {
 public:
  // Returns false if the template is malformed.
  bool Add(std::string method, const std::string& path_template, size_t route_index);
  // `path` is the decoded request path. nullopt = no resource at that path
  // or no method on it (API Gateway answers both alike).
  std::optional<RouteMatch> Match(std::string_view method, std::string_view path) const;

 private:
  struct Segment {
    enum class Kind { kLiteral, kVariable, kGreedy } kind;
    std::string text;  // literal text or variable name
  };
  struct Route {
    std::string method;  // "ANY" matches every method
    std::vector<Segment> segments;
    size_t index;
  };
  std::vector<Route> routes_;
};

std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace streamer::gateway
