// An event source mapping: a DynamoDB stream feeding a function, with every
// option Lambda has for stream mappings (stack::EventMappingSpec). It owns a
// shard consumer per shard of its stream (shard_consumer.h: lanes, batches,
// the batch policy, checkpoints) and one thread that reads new records on
// every commit. Several mappings on one stream each get every record: their
// checkpoints are keyed by the mapping's uuid.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "functions/handlers/handler.h"
#include "functions/mappings/mapping_context.h"
#include "stack/stack.h"

namespace streamer::functions {

struct MappingShared;
class ShardConsumer;

class EventSourceMapping {
 public:
  EventSourceMapping(stack::EventMappingSpec spec, FunctionHandler* handler, MappingContext ctx);
  ~EventSourceMapping();

  // spec.uuid, or one derived from function + table (stack mappings keep
  // their checkpoints across restarts).
  const std::string& uuid() const { return uuid_; }
  const stack::EventMappingSpec& spec() const { return spec_; }
  // Lambda's limits on a DynamoDB stream mapping's options (ranges, the
  // filter patterns, the destination, AT_TIMESTAMP's timestamp): a
  // Validation status with the message Lambda gives, or ok. Start() checks
  // it too, so a mapping never runs with options Lambda would refuse.
  static Status Validate(const stack::EventMappingSpec& spec);
  // The uuid a mapping without one gets.
  static std::string DerivedUuid(const std::string& function, const std::string& table);

  // Checks the options (filters, destination, the stream), sets first-start
  // positions (LATEST / TRIM_HORIZON / AT_TIMESTAMP, saved so a restart
  // agrees) and starts reading. A disabled mapping does nothing.
  Status Start();
  enum class StopMode {
    kCancelInFlight,  // shutdown: cancels the function's invocations in flight (not checkpointed)
    kFinishInFlight,  // disable/delete: lets them finish and checkpoints their outcome
  };
  void Stop(StopMode mode = StopMode::kCancelInFlight);

  // Lambda's State: "Enabled" while it runs, "Disabled" otherwise.
  std::string State() const;
  // Lambda's LastProcessingResult: "No records processed", "OK", "PROBLEM: ...".
  std::string LastProcessingResult() const;

 private:
  void Run();

  stack::EventMappingSpec spec_;
  FunctionHandler* handler_;
  MappingContext ctx_;
  std::string uuid_;
  std::string table_name_;
  uint32_t table_id_ = 0;
  std::unique_ptr<MappingShared> shared_;
  std::vector<std::unique_ptr<ShardConsumer>> consumers_;
  std::thread thread_;
  std::atomic<bool> running_{false};
};

}  // namespace streamer::functions
