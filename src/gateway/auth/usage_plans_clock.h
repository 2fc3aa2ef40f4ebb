// For tests: the clock UsagePlans reads (epoch milliseconds). nullptr =
// the wall clock. Not thread-safe to change while plans are in use.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace streamer::gateway {

void SetUsagePlansClockForTesting(std::function<int64_t()> now_ms);
// The start (epoch ms, UTC) of the DAY / WEEK (Monday) / MONTH holding `ms`.
int64_t QuotaPeriodStart(const std::string& period, int64_t ms);

}  // namespace streamer::gateway
