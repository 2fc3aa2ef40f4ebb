#include "gateway/integrations/integration.h"

namespace streamer::gateway {

namespace {

// arn:aws:apigateway:{region}:{service}:{action/X | path/...}
struct AwsUri {
  std::string service, kind, rest;
};

std::optional<AwsUri> ParseAwsUri(const std::string& uri) {
  const std::string prefix = "arn:aws:apigateway:";
  if (uri.rfind(prefix, 0) != 0) return std::nullopt;
  const size_t region_end = uri.find(':', prefix.size());
  if (region_end == std::string::npos) return std::nullopt;
  const size_t service_end = uri.find(':', region_end + 1);
  if (service_end == std::string::npos) return std::nullopt;
  AwsUri out;
  out.service = uri.substr(region_end + 1, service_end - region_end - 1);
  const std::string tail = uri.substr(service_end + 1);
  const size_t slash = tail.find('/');
  if (slash == std::string::npos) return std::nullopt;
  out.kind = tail.substr(0, slash);
  out.rest = tail.substr(slash + 1);
  return out;
}

}  // namespace

std::string FunctionNameFromArn(const std::string& arn) {
  const std::string marker = ":function:";
  const size_t at = arn.find(marker);
  if (arn.rfind("arn:", 0) != 0 || at == std::string::npos) return arn;
  std::string name = arn.substr(at + marker.size());
  return name.substr(0, name.find(':'));  // drop a version or alias qualifier
}

std::string SubstituteStageVariables(const std::string& text, const MethodRequest& request) {
  const std::string open = "${stageVariables.";
  std::string out;
  size_t i = 0;
  while (true) {
    const size_t at = text.find(open, i);
    if (at == std::string::npos) break;
    const size_t end = text.find('}', at);
    if (end == std::string::npos) break;
    out.append(text, i, at - i);
    const std::string name = text.substr(at + open.size(), end - at - open.size());
    if (request.stage_variables) {
      if (auto it = request.stage_variables->find(name); it != request.stage_variables->end()) out += it->second;
    }
    i = end + 1;
  }
  out.append(text, i, std::string::npos);
  return out;
}

Result<std::unique_ptr<Integration>> MakeIntegration(const stack::IntegrationSpec& spec, const IntegrationEnv& env) {
  const std::string& type = spec.type;
  if (type == "MOCK") return MakeMockIntegration();
  if (type == "HTTP" || type == "HTTP_PROXY") return MakeHttpIntegration(spec, type == "HTTP_PROXY", env);
  if (type != "AWS" && type != "AWS_PROXY") {
    return Status::Validation("unknown integration type '" + type + "' (AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK)");
  }
  std::string service = spec.service, action = spec.action, function = spec.function;
  if (!spec.uri.empty()) {
    auto uri = ParseAwsUri(spec.uri);
    if (!uri) {
      return Status::Validation("integration uri '" + spec.uri +
                                "' is not arn:aws:apigateway:{region}:{service}:{action|path}/...");
    }
    service = uri->service;
    if (service == "dynamodb") {
      if (uri->kind != "action" || uri->rest.empty()) {
        return Status::Validation("integration uri '" + spec.uri + "': DynamoDB is called as dynamodb:action/{Action}");
      }
      action = uri->rest;
    } else if (service == "lambda") {
      // path/2015-03-31/functions/{functionArn}/invocations
      const std::string head = "2015-03-31/functions/", tail = "/invocations";
      const std::string& r = uri->rest;
      if (uri->kind != "path" || r.rfind(head, 0) != 0 || r.size() <= head.size() + tail.size() ||
          r.compare(r.size() - tail.size(), tail.size(), tail) != 0) {
        return Status::Validation("integration uri '" + spec.uri +
                                  "': Lambda is called as lambda:path/2015-03-31/functions/{functionArn}/invocations");
      }
      function = FunctionNameFromArn(r.substr(head.size(), r.size() - head.size() - tail.size()));
    } else {
      return Status::Validation("integration uri '" + spec.uri + "': service '" + service +
                                "' is not supported (dynamodb, lambda)");
    }
  }
  if (type == "AWS_PROXY") {
    if (service == "dynamodb") return Status::Validation("AWS_PROXY integrates a Lambda function, not dynamodb");
    if (function.empty()) return Status::Validation("AWS_PROXY integration names no function");
    return MakeLambdaProxyIntegration(function, env);
  }
  if (service == "lambda") {
    if (function.empty()) return Status::Validation("AWS integration to lambda names no function");
    return MakeAwsLambdaIntegration(function, env);
  }
  if (service.empty() || service == "dynamodb") {
    if (action.empty()) return Status::Validation("AWS integration names no DynamoDB action");
    return MakeAwsServiceIntegration(action, env);
  }
  return Status::Validation("AWS integration to service '" + service + "' is not supported (dynamodb, lambda)");
}

}  // namespace streamer::gateway
