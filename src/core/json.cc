#include "core/json.h"

namespace streamer {

Result<json::value> ParseJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Status::Error("SerializationException", "Could not parse request body as JSON");
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
