#include "gateway/auth/usage_plans.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>
#include <unordered_map>

#include "core/clock.h"
#include "gateway/auth/usage_plans_clock.h"

namespace streamer::gateway {

namespace {

std::function<int64_t()>& ClockOverride() {
  static std::function<int64_t()> clock;
  return clock;
}
int64_t Now() { return ClockOverride() ? ClockOverride()() : NowMillis(); }

// A key's requests in one plan's current quota period.
struct Quota {
  std::mutex mu;
  int64_t period_start = -1;
  int64_t used = 0;
};

// A key's token bucket on one API stage.
struct Bucket {
  std::mutex mu;
  double tokens = 0;
  int64_t last_ms = -1;
};

struct Admission {
  const stack::UsagePlanSpec* plan = nullptr;
  std::unique_ptr<Bucket> bucket;
  std::shared_ptr<Quota> quota;
};

struct KeyEntry {
  bool enabled = true;
  std::map<std::pair<std::string, std::string>, Admission> stages;  // (api, stage)
};

GatewayError Forbidden() { return GatewayError{"INVALID_API_KEY", 403, "Forbidden"}; }

}  // namespace

void SetUsagePlansClockForTesting(std::function<int64_t()> now_ms) { ClockOverride() = std::move(now_ms); }

int64_t QuotaPeriodStart(const std::string& period, int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  int64_t day_start = static_cast<int64_t>(timegm(&tm));
  if (period == "WEEK") {
    int since_monday = (tm.tm_wday + 6) % 7;
    return (day_start - int64_t{since_monday} * 86400) * 1000;
  }
  if (period == "MONTH") {
    tm.tm_mday = 1;
    return static_cast<int64_t>(timegm(&tm)) * 1000;
  }
  return day_start * 1000;
}

struct UsagePlans::Impl {
  std::unordered_map<std::string, KeyEntry> keys;  // by value; read-only after Build
  std::vector<stack::UsagePlanSpec> plans;
};

UsagePlans::UsagePlans(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UsagePlans::~UsagePlans() = default;

Result<std::unique_ptr<UsagePlans>> UsagePlans::Build(const std::vector<stack::ApiKeySpec>& keys,
                                                      const std::vector<stack::UsagePlanSpec>& plans) {
  auto impl = std::make_unique<Impl>();
  impl->plans = plans;  // Admissions point into this copy
  std::map<std::string, const stack::ApiKeySpec*> by_name;
  for (const auto& key : keys) {
    if (key.value.size() < 20) {
      return Status::Validation("API key " + key.name + ": its value must be at least 20 characters (as API Gateway)");
    }
    if (!by_name.emplace(key.name, &key).second) return Status::Validation("API key " + key.name + " is defined twice");
    if (impl->keys.count(key.value)) return Status::Validation("API key " + key.name + " reuses another key's value");
    impl->keys[key.value].enabled = key.enabled;
  }
  for (const auto& plan : impl->plans) {
    const std::string where = "usage plan " + plan.name + ": ";
    if (plan.rate_limit && *plan.rate_limit < 0) return Status::Validation(where + "rateLimit must not be negative");
    if (plan.burst_limit && *plan.burst_limit < 0) return Status::Validation(where + "burstLimit must not be negative");
    if (plan.quota_limit && *plan.quota_limit < 0) return Status::Validation(where + "quota limit must not be negative");
    if (plan.quota_period != "DAY" && plan.quota_period != "WEEK" && plan.quota_period != "MONTH") {
      return Status::Validation(where + "quota period must be DAY, WEEK or MONTH, not '" + plan.quota_period + "'");
    }
    for (const auto& key_name : plan.api_keys) {
      auto it = by_name.find(key_name);
      if (it == by_name.end()) return Status::Validation(where + "unknown API key " + key_name);
      KeyEntry& entry = impl->keys[it->second->value];
      auto quota = std::make_shared<Quota>();  // one per key and plan, across its stages
      for (const auto& stage : plan.stages) {
        Admission& a = entry.stages[stage];
        if (a.plan) {
          return Status::Validation(where + "API key " + key_name + " is already in usage plan " + a.plan->name +
                                    " for " + stage.first + "/" + stage.second);
        }
        a.plan = &plan;
        a.bucket = std::make_unique<Bucket>();
        a.quota = quota;
      }
    }
  }
  return std::unique_ptr<UsagePlans>(new UsagePlans(std::move(impl)));
}

std::optional<GatewayError> UsagePlans::Admit(const std::string& api, const std::string& stage,
                                              const std::string* key) const {
  if (!key) return Forbidden();
  auto it = impl_->keys.find(*key);
  if (it == impl_->keys.end() || !it->second.enabled) return Forbidden();
  auto st = it->second.stages.find({api, stage});
  if (st == it->second.stages.end()) return Forbidden();
  const Admission& a = st->second;
  const stack::UsagePlanSpec& plan = *a.plan;
  int64_t now = Now();
  // Quota lock before bucket lock, always: no deadlock.
  std::unique_lock<std::mutex> quota_lock(a.quota->mu, std::defer_lock);
  if (plan.quota_limit) {
    quota_lock.lock();
    int64_t start = QuotaPeriodStart(plan.quota_period, now);
    if (start != a.quota->period_start) {
      a.quota->period_start = start;
      a.quota->used = 0;
    }
    if (a.quota->used >= *plan.quota_limit) return GatewayError{"QUOTA_EXCEEDED", 429, "Limit Exceeded"};
  }
  if (plan.rate_limit || plan.burst_limit) {
    std::lock_guard<std::mutex> lock(a.bucket->mu);
    double rate = plan.rate_limit.value_or(0);
    // No burst set: a bucket of one second's rate (at least one request).
    double burst = plan.burst_limit ? *plan.burst_limit : std::max(1.0, rate);
    Bucket& b = *a.bucket;
    if (b.last_ms < 0) {
      b.tokens = burst;
    } else if (now > b.last_ms) {
      b.tokens = std::min(burst, b.tokens + rate * static_cast<double>(now - b.last_ms) / 1000.0);
    }
    b.last_ms = std::max(b.last_ms, now);
    if (b.tokens < 1.0) return GatewayError{"THROTTLED", 429, "Too Many Requests"};
    b.tokens -= 1.0;
  }
  if (plan.quota_limit) ++a.quota->used;
  return std::nullopt;
}

}  // namespace streamer::gateway
