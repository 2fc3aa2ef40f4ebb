// Lambda authorizers (TOKEN, REQUEST): the event API Gateway sends, the
// output it expects (principalId, an IAM policy, context,
// usageIdentifierKey), the policy evaluated against the method ARN, and the
// result cached by identity for the authorizer's TTL.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/auth/authorizer.h"

namespace streamer::gateway {

struct PolicyStatement {
  bool allow = false;
  std::vector<std::string> actions;    // "execute-api:Invoke", "execute-api:*", "*"
  std::vector<std::string> resources;  // method ARNs with * and ? wildcards
};

// What a Lambda authorizer answered, as cached.
struct AuthorizerOutput {
  std::string principal_id;
  std::vector<PolicyStatement> statements;
  json::object context;  // values stringified, as $context.authorizer.<key> gives them
  std::string usage_identifier_key;
};

// The function's result; an error says what is malformed (answered as 500).
Result<AuthorizerOutput> ParseAuthorizerOutput(std::string_view payload);

enum class PolicyDecision { kAllow, kExplicitDeny, kImplicitDeny };
// An explicit Deny wins; else an Allow must match the action
// execute-api:Invoke and the method ARN.
PolicyDecision EvaluatePolicy(const std::vector<PolicyStatement>& statements, std::string_view method_arn);
// IAM's wildcards: * any run of characters, ? one character.
bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case = false);

// `now_ms` is the clock the cache uses (nullptr = the wall clock).
Result<std::unique_ptr<Authorizer>> MakeLambdaAuthorizer(const stack::AuthorizerSpec& spec, InvokeFunction invoke,
                                                         std::function<int64_t()> now_ms = nullptr);

}  // namespace streamer::gateway
