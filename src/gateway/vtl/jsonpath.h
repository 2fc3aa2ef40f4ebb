// JSONPath as API Gateway's $input.path / $input.json understand it (the
// Jayway dialect): $, .name, ['name'], [n] (negative from the end), [*], .*,
// ..name (recursive descent), unions ['a','b'] / [0,2], slices [a:b:s], and a
// trailing .length(). Filter expressions [?(...)] are not supported (parse
// error).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace streamer::vtl {

class JsonPath {
 public:
  // A path not starting with '$' gets "$." prepended, as Jayway does.
  static Result<JsonPath> Parse(std::string_view text);

  // Every match, in document order (the .length() function is not applied).
  std::vector<const json::value*> Select(const json::value& root) const;

  // A definite path (only names and single indexes) names at most one node;
  // Jayway returns that node itself rather than a list of matches.
  bool definite() const { return definite_; }
  // The path ends with .length(): the caller wants the size of the result.
  bool length_function() const { return length_function_; }

  // Jayway-style result as one JSON value: a definite path gives its match
  // (null when absent), an indefinite one an array of all matches; with
  // .length() the size of that (array/object size or string length; null if
  // none applies).
  json::value Evaluate(const json::value& root) const;

 private:
  struct Step {
    enum Kind { kName, kIndex, kWildcard, kDescend, kNames, kIndexes, kSlice } kind;
    std::vector<std::string> names;  // kName (one), kNames
    std::vector<int64_t> indexes;    // kIndex (one), kIndexes
    bool has_start = false, has_end = false;
    int64_t start = 0, end = 0, step = 1;  // kSlice
  };
  void Apply(const Step& step, const json::value& node, std::vector<const json::value*>& out) const;

  std::vector<Step> steps_;
  bool definite_ = true;
  bool length_function_ = false;
};

// Convenience: parse and select in one go.
Result<std::vector<const json::value*>> JsonPathSelect(const json::value& root,
                                                       std::string_view path);

}  // namespace streamer::vtl
