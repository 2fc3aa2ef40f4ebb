#include "core/clock.h"

#include <chrono>
#include <ctime>

namespace streamer {

int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t NowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

static std::tm UtcTm(int64_t epoch_millis) {
  std::time_t secs = static_cast<std::time_t>(epoch_millis / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::string IsoMillis(int64_t epoch_millis) {
  std::tm tm = UtcTm(epoch_millis);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03d", static_cast<int>(epoch_millis % 1000));
  return buf;
}

std::string ClfTime(int64_t epoch_millis) {
  std::tm tm = UtcTm(epoch_millis);
  char buf[64];
  std::strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return buf;
}

}  // namespace streamer
