// The Lambda REST API on the AWS port: what `aws lambda ...` and the SDKs'
// Lambda clients call. Requests whose path starts with /2015-03-31/ (functions,
// invocations, event source mappings), /2017-10-31/ or /2019-09-30/
// (concurrency) come here instead of the DynamoDB dispatch.
//
// Answers are Lambda's REST-JSON shapes; errors carry the HTTP status, the
// x-amzn-ErrorType header and {"Type":"User","message":...}. Nothing runs on
// the I/O thread: control calls (which fsync, unpack zips, stop mapping
// threads) run one at a time on a control thread, invocations on a pool.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/worker_pool.h"
#include "dynamo/table_catalog.h"
#include "functions/registry.h"
#include "http/server.h"

namespace streamer::functions {

class LambdaApi {
 public:
  LambdaApi(FunctionRegistry* registry, dynamo::TableCatalog* catalog);
  ~LambdaApi();
  // Whether a request target (path and query) is the Lambda API's.
  static bool Owns(std::string_view target);
  void Handle(http::Request&& request, http::Respond respond);
  // Finishes queued control calls and invocations (cancel the functions
  // first, or this waits for them).
  void Stop();

 private:
  FunctionRegistry* registry_;
  dynamo::TableCatalog* catalog_;
  WorkerPool control_{"lambda-ctl", 1};
  WorkerPool invocations_{"lambda-inv", 16};
  // Event invocations, after their 202: apart, so a burst of them never
  // holds up synchronous ones.
  WorkerPool async_{"lambda-evt", 4};
};

}  // namespace streamer::functions
