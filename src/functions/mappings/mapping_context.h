// What an event source mapping needs from the server besides its spec and
// its function: the stream, the checkpoint store, and the ways to reach an
// on-failure destination.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "dynamo/table_catalog.h"
#include "storage/checkpoint_store.h"
#include "streams/stream_reader.h"
#include "streams/stream_source.h"

namespace streamer::functions {

struct MappingContext {
  const streams::StreamSource* source = nullptr;
  storage::CheckpointStore* checkpoints = nullptr;
  dynamo::TableCatalog* catalog = nullptr;
  streams::CommitNotifier* notifier = nullptr;
  // On-failure destinations. A function destination: invoke `function_name`
  // asynchronously (as Lambda's Event invocation) with the record; ok once the
  // function was found and invoked. NotFound when there is no such function.
  std::function<Status(const std::string& function_name, const std::string& payload)> invoke_function;
  // A table destination: run a DynamoDB API action in process (PutItem).
  std::function<Status(const std::string& action, const std::string& request_json)> dynamo;
  // SQS/SNS destinations are files under <data_dir>/destinations/.
  std::string data_dir;
  // Relative file:// destinations resolve against it ("" = the cwd).
  std::string base_dir;
};

}  // namespace streamer::functions
