// The API Gateway emulation: REST API routes with AWS-service and MOCK
// integrations, Velocity request/response mapping templates, integration
// responses chosen by selection pattern, passthrough behaviour.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/server.h"
#include "stack/stack.h"

namespace streamer::gateway {

// Calls an AWS service in-process (today: "dynamodb"); answers with the
// service's HTTP status and body, possibly from another thread.
using ServiceReply = std::function<void(int status, std::string body)>;
using AwsServiceCall =
    std::function<void(const std::string& service, const std::string& action, std::string body,
                       ServiceReply reply)>;

struct GatewayOptions {
  std::string region = "us-east-1";
  std::string account = "000000000000";
};

class Gateway {
 public:
  // Parses every template and selection pattern once; errors name the route.
  static Result<std::unique_ptr<Gateway>> Build(const std::vector<stack::ApiSpec>& apis,
                                                AwsServiceCall call, GatewayOptions options = {});
  ~Gateway();
  void Handle(http::Request&& request, const http::RequestInfo& info, http::Respond respond) const;
  // Ends the integration-timeout timer (dropping what it waits for); call
  // before the I/O pool stops, since pending answers hold connections.
  void Stop();

  struct CompiledRoute;  // internal

 private:
  Gateway();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamer::gateway
