// Base64 (RFC 4648 standard alphabet): one implementation for DynamoDB's B/BS
// values, stream iterators and the templates' $util.base64*.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace streamer {

std::string Base64Encode(std::string_view bytes);
// Strict: length a multiple of 4, padding where due, unused bits zero
// (what DynamoDB accepts).
std::optional<std::string> Base64Decode(std::string_view text);
// Lenient: padding optional (what API Gateway's $util.base64Decode accepts).
std::optional<std::string> Base64DecodeLenient(std::string_view text);

}  // namespace streamer
