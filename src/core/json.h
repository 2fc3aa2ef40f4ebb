// JSON helpers over Boost.JSON: the one JSON library of the project.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace streamer {

namespace json = boost::json;

// Parses text; a syntax error becomes a SerializationException-shaped Status
// (the caller may retype it).
Result<json::value> ParseJson(std::string_view text);

// Member lookup that tolerates a non-object: returns nullptr when absent.
const json::value* Find(const json::value& v, std::string_view key);
const json::value* Find(const json::object& o, std::string_view key);

// The string member `key`, or nullptr when absent or not a string.
const json::string* FindString(const json::object& o, std::string_view key);

std::string ToJson(const json::value& v);

}  // namespace streamer
