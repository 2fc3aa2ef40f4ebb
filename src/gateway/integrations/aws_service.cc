// AWS integration to a DynamoDB action, in process: the rendered template is
// the action's request; its status code is what selection patterns match.
#include "gateway/integrations/integration.h"

namespace streamer::gateway {

namespace {

class AwsServiceIntegration : public Integration {
 public:
  bool may_stall() const override { return false; }
  AwsServiceIntegration(std::string action, AwsServiceCall call) : action_(std::move(action)), call_(std::move(call)) {}
  void Start(IntegrationRequest request, IntegrationDone done) const override {
    // Integration request headers would be signed into the call on AWS; the
    // in-process call has no use for them.
    call_("dynamodb", action_, std::move(request.body),
          [done = std::move(done), request_id = request.method->request_id](ServiceResult r) {
            IntegrationReply reply;
            reply.status = r.status;
            reply.body = std::move(r.body);
            reply.headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"x-amzn-RequestId", request_id}};
            done(std::move(reply));
          });
  }

 private:
  std::string action_;
  AwsServiceCall call_;
};

}  // namespace

Result<std::unique_ptr<Integration>> MakeAwsServiceIntegration(const std::string& action, const IntegrationEnv& env) {
  return std::unique_ptr<Integration>(new AwsServiceIntegration(action, env.call));
}

}  // namespace streamer::gateway
