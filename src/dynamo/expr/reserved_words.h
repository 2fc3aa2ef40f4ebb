// DynamoDB's reserved words: bare attribute names in expressions may not be one.
#pragma once

#include <string_view>

namespace streamer::dynamo::expr {

// Case-insensitive.
bool IsReservedWord(std::string_view word);

}  // namespace streamer::dynamo::expr
