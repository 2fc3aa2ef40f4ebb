// Lambda's event filtering for event source mappings (FilterCriteria).
//
// A filter is a JSON pattern matched against the record as Lambda delivers it
// (for a DynamoDB stream: {"eventName":..,"dynamodb":{"Keys":..,"NewImage":..},..}).
// Keys of the pattern name fields (nested objects nest); leaves are arrays of
// matchers, OR-ed: literals (string, number, null, true/false), and the
// operator objects prefix, suffix, equals-ignore-case, anything-but (value,
// list, or {"prefix"}/{"suffix"}), numeric (ranges), exists. Fields of one
// pattern are AND-ed; the filters of one mapping are OR-ed. A record that
// matches no filter is not delivered (and is checkpointed like a delivered one).
//
// Parsed once when the mapping is created or updated; matched per record.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace streamer::functions {

class FilterPattern {
 public:
  // One Filters[].Pattern. An invalid pattern is a Validation status whose
  // message is Lambda's InvalidParameterValueException message.
  static Result<FilterPattern> Parse(std::string_view pattern_json);
  bool Matches(const json::value& record) const;

  struct Node;  // the parsed pattern tree (filter_pattern.cc)

 private:
  std::shared_ptr<const Node> root_;
};

class FilterCriteria {
 public:
  // FilterCriteria.Filters[].Pattern, in order; at most 5 (Lambda's default).
  static Result<FilterCriteria> Parse(const std::vector<std::string>& patterns);
  bool empty() const { return filters_.empty(); }
  // True if no filters, or any filter matches.
  bool Matches(const json::value& record) const;

 private:
  std::vector<FilterPattern> filters_;
};

}  // namespace streamer::functions
