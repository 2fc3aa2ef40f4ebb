// Random identifiers: request ids (UUID v4 form) and short hex tokens.
#pragma once

#include <string>

namespace streamer {

std::string NewUuid();
std::string RandomHex(size_t bytes);

}  // namespace streamer
