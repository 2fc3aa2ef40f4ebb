// Wall-clock helpers: epoch times and the timestamp formats AWS uses.
#pragma once

#include <cstdint>
#include <string>

namespace streamer {

int64_t NowMillis();
int64_t NowMicros();
// "2026-11-24T21:02:34.123" (UTC, millisecond precision): stream labels.
std::string IsoMillis(int64_t epoch_millis);
// "24/Nov/2026:21:02:34 +0000": API Gateway's $context.requestTime.
std::string ClfTime(int64_t epoch_millis);

}  // namespace streamer
