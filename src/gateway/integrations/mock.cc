// MOCK: no backend; the request template's {"statusCode": N} picks the
// integration response (200 when absent).
#include "gateway/integrations/integration.h"

namespace streamer::gateway {

namespace {

class MockIntegration : public Integration {
 public:
  bool may_stall() const override { return false; }
  void Start(IntegrationRequest request, IntegrationDone done) const override {
    IntegrationReply reply;
    if (auto parsed = ParseJson(request.body)) {
      if (const json::value* sc = Find(*parsed, "statusCode"); sc && sc->is_number()) {
        reply.status = static_cast<int>(sc->to_number<double>());
      }
    }
    done(std::move(reply));
  }
};

}  // namespace

Result<std::unique_ptr<Integration>> MakeMockIntegration() {
  return std::unique_ptr<Integration>(new MockIntegration());
}

}  // namespace streamer::gateway
