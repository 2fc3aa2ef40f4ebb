// ExpressionAttributeNames (#n -> name) and ExpressionAttributeValues (:v -> value).
// Each parsed expression reports the placeholders it used; a request checks its
// maps against the union over all of its expressions (AWS rejects unused ones).
#pragma once

#include <set>
#include <string>

#include "core/json.h"
#include "core/status.h"

namespace streamer::dynamo::expr {

struct AttributeMaps {
  const json::object* names = nullptr;   // may be null: none given
  const json::object* values = nullptr;  // may be null: none given
};

struct UsedPlaceholders {
  std::set<std::string> names;   // "#n"
  std::set<std::string> values;  // ":v"
  void Merge(const UsedPlaceholders& other) {
    names.insert(other.names.begin(), other.names.end());
    values.insert(other.values.begin(), other.values.end());
  }
};

// The maps themselves: not empty, keys well-formed, values valid attribute
// values ("ExpressionAttributeValues contains invalid value: <why> for key :v").
Status ValidateAttributeMaps(const AttributeMaps& maps);

// After parsing every expression of a request: names first, then values, e.g.
// "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}".
Status CheckUnusedPlaceholders(const AttributeMaps& maps, const UsedPlaceholders& used);

}  // namespace streamer::dynamo::expr
