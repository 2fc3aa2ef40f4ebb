// Base64 (RFC 4648, standard alphabet, padded) as DynamoDB's B / BS carry it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace streamer::dynamo {

std::string Base64Encode(std::string_view bytes);
// Strict: length a multiple of 4, valid alphabet, canonical padding.
std::optional<std::string> Base64Decode(std::string_view text);
// Why `text` is not acceptable, as AWS's SerializationException says it; ok if fine.
Status ValidateBase64(std::string_view text);

}  // namespace streamer::dynamo
