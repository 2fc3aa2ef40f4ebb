// The "lambda" handler: a Lambda function (runtime + handler + code) run in
// warm worker processes over the Lambda Runtime API (functions/runtime/).
//
// Runtimes: "python3.x" (any minor) runs the bundled python bootstrap with
// the python3 on PATH; "nodejs*" the bundled node bootstrap with node;
// "provided*" the code directory's own executable `bootstrap`. The worker's
// cwd is the code directory; its environment is this process's, then
// Lambda's variables (AWS_LAMBDA_*, LAMBDA_TASK_ROOT, _HANDLER, AWS_REGION,
// TZ, AWS_ENDPOINT_URL = our endpoint, dummy credentials when we have none),
// then the function's own (which wins). A python or node cold start may take
// a spare process started before (functions/runtime/spare_workers.h).
#pragma once

#include <memory>

#include "functions/handlers/handler.h"

namespace streamer::functions {

std::unique_ptr<FunctionHandler> MakeRuntimeHandler(const stack::FunctionSpec& spec, const HandlerContext& context,
                                                    LogSink sink);

}  // namespace streamer::functions
