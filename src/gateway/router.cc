#include "gateway/router.h"

namespace streamer::gateway {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

bool Router::Add(std::string method, const std::string& path_template, size_t route_index) {
  Route r{std::move(method), {}, route_index};
  auto parts = SplitPath(path_template);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
      std::string name(p.substr(1, p.size() - 2));
      if (name.size() > 1 && name.back() == '+') {
        if (i + 1 != parts.size()) return false;  // greedy only last
        name.pop_back();
        r.segments.push_back({Segment::Kind::kGreedy, name});
      } else {
        if (name.empty()) return false;
        r.segments.push_back({Segment::Kind::kVariable, name});
      }
    } else {
      r.segments.push_back({Segment::Kind::kLiteral, std::string(p)});
    }
  }
  routes_.push_back(std::move(r));
  return true;
}

std::optional<RouteMatch> Router::Match(std::string_view method, std::string_view path) const {
  auto parts = SplitPath(path);
  std::optional<RouteMatch> best;
  int best_score = -1;
  for (const Route& r : routes_) {
    if (r.method != "ANY" && r.method != method) continue;
    RouteMatch m{r.index, {}};
    // Score: literal segments count most, then variables; an exact method
    // beats ANY. Greedy variables match one or more remaining segments.
    int score = r.method == "ANY" ? 0 : 1;
    size_t i = 0;
    bool ok = true;
    for (const Segment& s : r.segments) {
      if (s.kind == Segment::Kind::kGreedy) {
        if (i >= parts.size()) {
          ok = false;
          break;
        }
        std::string rest;
        for (size_t j = i; j < parts.size(); ++j) {
          if (j > i) rest.push_back('/');
          rest.append(parts[j]);
        }
        m.path_params[s.text] = rest;
        i = parts.size();
        score += 2;
        break;
      }
      if (i >= parts.size()) {
        ok = false;
        break;
      }
      if (s.kind == Segment::Kind::kLiteral) {
        if (s.text != parts[i]) {
          ok = false;
          break;
        }
        score += 1000;
      } else {
        m.path_params[s.text] = std::string(parts[i]);
        score += 10;
      }
      ++i;
    }
    if (!ok || i != parts.size()) continue;
    if (score > best_score) {
      best_score = score;
      best = std::move(m);
    }
  }
  return best;
}

}  // namespace streamer::gateway
