#include "core/json.h"

namespace streamer {

Result<json::value> ParseJson(std::string_view text) {
  // DynamoDB items nest 32 maps/lists deep, two JSON levels each, inside
  // request and event envelopes: Boost's default limit of 32 is too low.
  json::parse_options options;
  options.max_depth = 256;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, options);
  if (ec) return Status::Of(Code::kSerialization, "Could not parse request body as JSON");
  return v;
}

const json::value* Find(const json::object& o, std::string_view key) {
  return o.if_contains(key);
}

const json::value* Find(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  return o ? o->if_contains(key) : nullptr;
}

const json::string* FindString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

std::string ToJson(const json::value& v) { return json::serialize(v); }

}  // namespace streamer
