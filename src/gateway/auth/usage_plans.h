// API keys and usage plans: which keys may call which API stage, with
// rate/burst throttling (a token bucket per key and stage) and quotas per
// DAY/WEEK/MONTH, answered as API Gateway answers (403, 429).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "gateway/method_request.h"
#include "stack/stack.h"

namespace streamer::gateway {

class UsagePlans {
 public:
  // Errors name the plan and the unknown key or API.
  static Result<std::unique_ptr<UsagePlans>> Build(const std::vector<stack::ApiKeySpec>& keys,
                                                   const std::vector<stack::UsagePlanSpec>& plans);
  ~UsagePlans();
  // For a route with apiKeyRequired. `key` = the x-api-key header (or the
  // authorizer's usageIdentifierKey), nullptr = none sent. nullopt = admitted
  // (and counted). Else 403 FORBIDDEN-type "Forbidden" (missing, unknown,
  // disabled, or not in a plan of this stage), 429 THROTTLED "Too Many
  // Requests", 429 QUOTA_EXCEEDED "Limit Exceeded". Thread-safe.
  std::optional<GatewayError> Admit(const std::string& api, const std::string& stage,
                                    const std::string* key) const;

  struct Impl;

 private:
  explicit UsagePlans(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamer::gateway
