#include "gateway/vtl/jsonpath.h"

#include <charconv>

namespace streamer::vtl {
namespace {

Status PathError(std::string_view text, size_t pos, std::string_view what) {
  return Status::Validation("Invalid JSONPath '" + std::string(text) + "' at position " +
                            std::to_string(pos) + ": " + std::string(what));
}

bool ParseInt(std::string_view s, int64_t& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Java String.length(): UTF-16 code units of UTF-8 text.
int64_t Utf16Length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n += (c >= 0xF0) ? 2 : 1;
  }
  return n;
}

}  // namespace

Result<JsonPath> JsonPath::Parse(std::string_view original) {
  std::string text(original);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
  size_t lead = text.find_first_not_of(" \t");
  text.erase(0, lead == std::string::npos ? text.size() : lead);
  if (text.empty()) return PathError(original, 0, "empty path");
  if (text[0] != '$') text = (text[0] == '[' ? "$" : "$.") + text;

  JsonPath path;
  size_t i = 1;
  const size_t n = text.size();
  while (i < n) {
    char c = text[i];
    if (c == '.') {
      ++i;
      bool descend = false;
      if (i < n && text[i] == '.') {
        descend = true;
        ++i;
        path.steps_.push_back(Step{Step::kDescend, {}, {}});
        path.definite_ = false;
      }
      if (i >= n) return PathError(original, i, "path ends after '.'");
      if (text[i] == '[') {
        if (!descend) return PathError(original, i, "unexpected '[' after '.'");
        continue;  // "..[" : the bracket is the selector
      }
      if (text[i] == '*') {
        path.steps_.push_back(Step{Step::kWildcard, {}, {}});
        path.definite_ = false;
        ++i;
        continue;
      }
      size_t start = i;
      while (i < n && text[i] != '.' && text[i] != '[') ++i;
      std::string name = text.substr(start, i - start);
      if (name.empty() || name.find_first_of(" '\"()") != std::string::npos) {
        if (name == "length()" && i == n && !descend) {
          path.length_function_ = true;
          break;
        }
        return PathError(original, start, "bad property name '" + name + "'");
      }
      path.steps_.push_back(Step{Step::kName, {std::move(name)}, {}});
      continue;
    }
    if (c == '[') {
      size_t close = i + 1;
      // Find the matching ']' outside quotes.
      char quote = 0;
      for (; close < n; ++close) {
        char d = text[close];
        if (quote) {
          if (d == '\\' && close + 1 < n) {
            ++close;
          } else if (d == quote) {
            quote = 0;
          }
        } else if (d == '\'' || d == '"') {
          quote = d;
        } else if (d == ']') {
          break;
        }
      }
      if (close >= n) return PathError(original, i, "unclosed '['");
      std::string_view inner(text.data() + i + 1, close - i - 1);
      while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
      while (!inner.empty() && inner.back() == ' ') inner.remove_suffix(1);
      if (inner.empty()) return PathError(original, i, "empty brackets");
      if (inner[0] == '?' || inner[0] == '(') {
        return PathError(original, i, "filter and script expressions are not supported");
      }
      if (inner == "*") {
        path.steps_.push_back(Step{Step::kWildcard, {}, {}});
        path.definite_ = false;
      } else if (inner[0] == '\'' || inner[0] == '"') {
        Step step{Step::kNames, {}, {}};
        size_t k = 0;
        while (k < inner.size()) {
          char q = inner[k];
          if (q != '\'' && q != '"') return PathError(original, i + 1 + k, "expected a quoted name");
          std::string name;
          ++k;
          while (k < inner.size() && inner[k] != q) {
            if (inner[k] == '\\' && k + 1 < inner.size()) ++k;
            name += inner[k++];
          }
          if (k >= inner.size()) return PathError(original, i, "unclosed quote");
          ++k;
          step.names.push_back(std::move(name));
          while (k < inner.size() && inner[k] == ' ') ++k;
          if (k < inner.size()) {
            if (inner[k] != ',') return PathError(original, i + 1 + k, "expected ',' or ']'");
            ++k;
            while (k < inner.size() && inner[k] == ' ') ++k;
            if (k >= inner.size()) return PathError(original, i + 1 + k, "expected a name after ','");
          }
        }
        if (step.names.size() == 1) {
          step.kind = Step::kName;
        } else {
          path.definite_ = false;
        }
        path.steps_.push_back(std::move(step));
      } else if (inner.find(':') != std::string_view::npos) {
        Step step{Step::kSlice, {}, {}};
        std::vector<std::string_view> parts;
        size_t from = 0;
        for (;;) {
          size_t colon = inner.find(':', from);
          parts.push_back(inner.substr(from, colon == std::string_view::npos ? std::string_view::npos
                                                                               : colon - from));
          if (colon == std::string_view::npos) break;
          from = colon + 1;
        }
        if (parts.size() > 3) return PathError(original, i, "bad slice");
        auto blank = [](std::string_view s) { return s.find_first_not_of(' ') == std::string_view::npos; };
        if (!blank(parts[0])) {
          if (!ParseInt(parts[0], step.start)) return PathError(original, i, "bad slice start");
          step.has_start = true;
        }
        if (!blank(parts[1])) {
          if (!ParseInt(parts[1], step.end)) return PathError(original, i, "bad slice end");
          step.has_end = true;
        }
        if (parts.size() == 3 && !blank(parts[2])) {
          if (!ParseInt(parts[2], step.step) || step.step <= 0) {
            return PathError(original, i, "bad slice step");
          }
        }
        path.steps_.push_back(std::move(step));
        path.definite_ = false;
      } else {
        Step step{Step::kIndexes, {}, {}};
        size_t from = 0;
        for (;;) {
          size_t comma = inner.find(',', from);
          std::string_view part = inner.substr(
              from, comma == std::string_view::npos ? std::string_view::npos : comma - from);
          int64_t idx;
          if (!ParseInt(part, idx)) return PathError(original, i, "bad index '" + std::string(part) + "'");
          step.indexes.push_back(idx);
          if (comma == std::string_view::npos) break;
          from = comma + 1;
        }
        if (step.indexes.size() == 1) {
          step.kind = Step::kIndex;
        } else {
          path.definite_ = false;
        }
        path.steps_.push_back(std::move(step));
      }
      i = close + 1;
      continue;
    }
    return PathError(original, i, std::string("unexpected '") + c + "'");
  }
  if (!path.steps_.empty() && path.steps_.back().kind == Step::kDescend) {
    return PathError(original, n, "'..' needs a name or selector after it");
  }
  return path;
}

void JsonPath::Apply(const Step& step, const json::value& node,
                     std::vector<const json::value*>& out) const {
  switch (step.kind) {
    case Step::kName:
    case Step::kNames:
      if (const json::object* o = node.if_object()) {
        for (const std::string& name : step.names) {
          if (const json::value* v = o->if_contains(name)) out.push_back(v);
        }
      }
      break;
    case Step::kIndex:
    case Step::kIndexes:
      if (const json::array* a = node.if_array()) {
        const int64_t size = static_cast<int64_t>(a->size());
        for (int64_t idx : step.indexes) {
          if (idx < 0) idx += size;
          if (idx >= 0 && idx < size) out.push_back(&(*a)[static_cast<size_t>(idx)]);
        }
      }
      break;
    case Step::kWildcard:
      if (const json::object* o = node.if_object()) {
        for (const auto& kv : *o) out.push_back(&kv.value());
      } else if (const json::array* a = node.if_array()) {
        for (const json::value& v : *a) out.push_back(&v);
      }
      break;
    case Step::kSlice:
      if (const json::array* a = node.if_array()) {
        const int64_t size = static_cast<int64_t>(a->size());
        int64_t from = step.has_start ? step.start : 0;
        int64_t to = step.has_end ? step.end : size;
        if (from < 0) from = std::max<int64_t>(0, from + size);
        if (to < 0) to = std::max<int64_t>(0, to + size);
        to = std::min(to, size);
        for (int64_t k = from; k < to; k += step.step) out.push_back(&(*a)[static_cast<size_t>(k)]);
      }
      break;
    case Step::kDescend: {
      // The node itself, then all descendants, pre-order; the next step is
      // applied to each of them by Select.
      std::vector<const json::value*> stack{&node};
      while (!stack.empty()) {
        const json::value* cur = stack.back();
        stack.pop_back();
        out.push_back(cur);
        if (const json::object* o = cur->if_object()) {
          for (auto it = o->end(); it != o->begin();) {
            --it;
            stack.push_back(&it->value());
          }
        } else if (const json::array* a = cur->if_array()) {
          for (auto it = a->end(); it != a->begin();) {
            --it;
            stack.push_back(&*it);
          }
        }
      }
      break;
    }
  }
}

std::vector<const json::value*> JsonPath::Select(const json::value& root) const {
  std::vector<const json::value*> current{&root};
  std::vector<const json::value*> next;
  for (const Step& step : steps_) {
    next.clear();
    for (const json::value* node : current) Apply(step, *node, next);
    current.swap(next);
    if (current.empty()) break;
  }
  return current;
}

json::value JsonPath::Evaluate(const json::value& root) const {
  std::vector<const json::value*> matches = Select(root);
  json::value result;
  if (definite_) {
    if (!matches.empty()) result = *matches.front();
  } else {
    json::array arr;
    arr.reserve(matches.size());
    for (const json::value* m : matches) arr.push_back(*m);
    result = std::move(arr);
  }
  if (!length_function_) return result;
  if (const json::array* a = result.if_array()) return static_cast<int64_t>(a->size());
  if (const json::object* o = result.if_object()) return static_cast<int64_t>(o->size());
  if (const json::string* s = result.if_string()) return Utf16Length(*s);
  return nullptr;
}

Result<std::vector<const json::value*>> JsonPathSelect(const json::value& root,
                                                       std::string_view path) {
  Result<JsonPath> parsed = JsonPath::Parse(path);
  if (!parsed.ok()) return parsed.status();
  return parsed->Select(root);
}

}  // namespace streamer::vtl
