// YAML nodes as JSON text, for the parts of a stack or an OpenAPI document that
// are JSON to whoever uses them (models, filter patterns). A plain (unquoted)
// scalar that reads as a number, boolean or null is one; a quoted one is
// always a string, so a JSON document read by yaml-cpp keeps its types.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace streamer::stack {

// Appends `n` as JSON to `out`. Returns false (leaving `*too_deep` pointing at
// the node) when it nests deeper than `max_depth` (or an alias loops).
bool AppendYamlAsJson(const YAML::Node& n, int max_depth, std::string* out, YAML::Node* too_deep);

// Appends `s` as a JSON string literal.
void AppendJsonString(const std::string& s, std::string* out);

}  // namespace streamer::stack
