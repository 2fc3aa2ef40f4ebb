// Base64 as DynamoDB's B / BS carry it: the codec is core's (strict form);
// this adds AWS's error for a bad value.
#pragma once

#include <string_view>

#include "core/base64.h"
#include "core/status.h"

namespace streamer::dynamo {

using streamer::Base64Decode;
using streamer::Base64Encode;
// Why `text` is not acceptable, as AWS's SerializationException says it; ok if fine.
Status ValidateBase64(std::string_view text);

}  // namespace streamer::dynamo
