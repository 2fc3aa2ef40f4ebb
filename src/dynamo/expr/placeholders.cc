#include "dynamo/expr/placeholders.h"

#include "dynamo/model/attribute.h"

namespace streamer::dynamo::expr {
namespace {

bool WellFormedKey(std::string_view key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  for (char c : key.substr(1)) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

Status ValidateAttributeMaps(const AttributeMaps& maps) {
  if (maps.names) {
    if (maps.names->empty()) return Status::Validation("ExpressionAttributeNames must not be empty");
    for (const auto& [key, value] : *maps.names) {
      if (!WellFormedKey(key, '#')) {
        return Status::Validation("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" +
                                  std::string(key) + "\"");
      }
    }
    for (const auto& [key, value] : *maps.names) {
      if (value.is_null()) continue;  // absent: "not defined" where it is used
      if (!value.is_string()) {
        return Status::Of(Code::kSerialization, "Unexpected value type for member ExpressionAttributeNames");
      }
      if (Status name = CheckAttributeName(value.get_string()); !name.ok()) {
        return Status::Validation("ExpressionAttributeNames contains invalid value: " + name.message() + " for key " +
                                  std::string(key));
      }
    }
  }
  if (maps.values) {
    if (maps.values->empty()) return Status::Validation("ExpressionAttributeValues must not be empty");
    for (const auto& [key, value] : *maps.values) {
      if (!WellFormedKey(key, ':')) {
        return Status::Validation("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" +
                                  std::string(key) + "\"");
      }
    }
    for (const auto& [key, value] : *maps.values) {
      Status s = ValidateAttributeValue(value);
      if (!s.ok()) {
        if (!s.Is(Code::kValidation)) return s;
        return Status::Validation("ExpressionAttributeValues contains invalid value: " + s.message() + " for key " +
                                  std::string(key));
      }
    }
  }
  return Status::Ok();
}

Status CheckUnusedPlaceholders(const AttributeMaps& maps, const UsedPlaceholders& used) {
  auto check = [](const json::object* map, const std::set<std::string>& used_keys, const char* what) {
    if (!map) return Status::Ok();
    std::string unused;
    for (const auto& [key, value] : *map) {
      if (used_keys.count(std::string(key))) continue;
      if (!unused.empty()) unused += ", ";
      unused += std::string(key);
    }
    if (unused.empty()) return Status::Ok();
    return Status::Validation(std::string("Value provided in ") + what + " unused in expressions: keys: {" + unused + "}");
  };
  Status s = check(maps.names, used.names, "ExpressionAttributeNames");
  if (!s.ok()) return s;
  return check(maps.values, used.values, "ExpressionAttributeValues");
}

}  // namespace streamer::dynamo::expr
