// The built-in "log" handler: the seed's Lambda, which does
//   print("request: {}".format(json.dumps(event)))
#pragma once

#include <string>

#include "core/json.h"
#include "functions/handlers/handler.h"

namespace streamer::functions {

class LogHandler : public FunctionHandler {
 public:
  LogHandler(std::string function_name, LogSink sink);
  // Logs "request: <event as Python's json.dumps prints it>"; returns the
  // payload "null" (the Python function returns None).
  InvokeResult Invoke(const InvokeRequest& request) override;

 private:
  std::string name_;
  LogSink sink_;
};

// JSON text the way Python's json.dumps(v) writes it: ", " and ": "
// separators, non-ASCII as \uXXXX escapes, floats like repr().
std::string PythonJsonDumps(const json::value& v);

}  // namespace streamer::functions
