#include "dynamo/model/base64.h"

namespace streamer::dynamo {

Status ValidateBase64(std::string_view text) {
  if (text.size() % 4 != 0) {
    return Status::Of(Code::kSerialization,
                         "Base64 encoded length is expected a multiple of 4 bytes but found: " +
                             std::to_string(text.size()));
  }
  if (!Base64Decode(text)) {
    // AWS's message, spelling included.
    return Status::Of(Code::kSerialization, "Invalid last non-pad Base64 character dectected");
  }
  return Status::Ok();
}

}  // namespace streamer::dynamo
