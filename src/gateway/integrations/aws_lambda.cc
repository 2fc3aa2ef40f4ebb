// AWS integration to a Lambda function without proxy: the rendered template
// is the event, the function's result the integration response body. A
// function error's errorMessage is what selection patterns match (AWS:
// "Handle Lambda errors in API Gateway"); its error document is the body.
#include "gateway/integrations/integration.h"

#include <cstdio>

namespace streamer::gateway {

namespace {

class AwsLambdaIntegration : public Integration {
 public:
  AwsLambdaIntegration(std::string function, AwsServiceCall call)
      : function_(std::move(function)), call_(std::move(call)) {}
  void Start(IntegrationRequest request, IntegrationDone done) const override {
    const std::string name = SubstituteStageVariables(function_, *request.method);
    call_("lambda", FunctionNameFromArn(name), std::move(request.body),
          [done = std::move(done), name](ServiceResult r) {
            IntegrationReply reply;
            if (r.status != 200) {
              // Lambda refused the invocation (throttled, no such function): 500.
              std::fprintf(stderr, "gateway: Lambda invocation of %s refused (%d): %.200s\n", name.c_str(),
                           r.status, r.body.c_str());
              reply.error = GatewayError{"API_CONFIGURATION_ERROR", 500, "Internal server error"};
              done(std::move(reply));
              return;
            }
            reply.headers = {{"Content-Type", "application/json"}};
            if (r.function_error) {
              std::string message;
              if (auto doc = ParseJson(r.body)) {
                if (const json::value* m = Find(*doc, "errorMessage"); m && m->is_string()) {
                  message = std::string(m->as_string());
                }
              }
              reply.error_message = std::move(message);
            }
            reply.body = std::move(r.body);
            done(std::move(reply));
          });
  }

 private:
  std::string function_;
  AwsServiceCall call_;
};

}  // namespace

Result<std::unique_ptr<Integration>> MakeAwsLambdaIntegration(const std::string& function, const IntegrationEnv& env) {
  return std::unique_ptr<Integration>(new AwsLambdaIntegration(function, env.call));
}

}  // namespace streamer::gateway
