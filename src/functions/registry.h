// The function registry: the one place functions and event source mappings
// live, whether the stack declared them or the Lambda API created them. Both
// paths build the same objects: a function is its FunctionSpec plus Lambda's
// metadata and a handler slot; a mapping is an EventSourceMapping reading a
// stream into a function's slot.
//
// A function's slot (FunctionSlot) is a FunctionHandler that stays the same
// object for the life of the registry while its implementation is swapped
// (UpdateFunctionCode/Configuration, delete, re-create), so mappings hold it
// and never see a dangling handler. A deleted function's slot fails every
// invocation with "function not found" (a mapping retries, as on AWS).
//
// API-created functions and mappings are persisted in the store's meta family
// (`lambda/function/<name>`, `lambda/mapping/<uuid>`, JSON) and reloaded at
// start beside the stack's. Stack functions and mappings are not persisted
// (the stack declares them again) and cannot be changed through the API.
//
// Thread-safety: every method may be called from any thread. Changes run one
// at a time and may block (they fsync, unpack zips and stop mapping threads:
// call them off the I/O threads); lookups (Get, List, Slot) never wait for a
// mapping to stop or a zip to unpack.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/table_catalog.h"
#include "functions/code_store.h"
#include "functions/event_source_mapping.h"
#include "functions/handlers/handler.h"
#include "stack/stack.h"
#include "storage/checkpoint_store.h"
#include "storage/store.h"
#include "streams/stream_reader.h"
#include "streams/stream_source.h"

namespace streamer::functions {

// A function as Lambda describes it.
struct FunctionInfo {
  stack::FunctionSpec spec;
  bool from_stack = false;
  std::string role;
  std::vector<std::string> architectures{"x86_64"};
  std::string code_sha256;  // base64 (Lambda's CodeSha256)
  std::string code_hex;     // the code folder's name ("" = stack code)
  int64_t code_size = 0;
  std::string last_modified;  // "2026-12-07T10:00:00.000+0000"
  std::string revision_id;

  json::object ToJson() const;  // persisted form
  static Result<FunctionInfo> FromJson(const json::value& v);
};

// A mapping as Lambda describes it.
struct MappingInfo {
  stack::EventMappingSpec spec;  // spec.uuid always set; spec.event_source_arn the stream
  bool from_stack = false;
  double last_modified = 0;  // epoch seconds
  std::string state_transition_reason = "USER_INITIATED";
  // Lambda's LastProcessingResult (not persisted): "No records processed",
  // "OK", "PROBLEM: ...", from the running mapping when it can tell.
  std::string last_processing_result = "No records processed";

  json::object ToJson() const;
  static Result<MappingInfo> FromJson(const json::value& v);
};

// The recent log lines of one function (its handlers' sink writes here too),
// for Invoke's LogType Tail when a handler does not give its own tail.
class FunctionLog {
 public:
  void Append(std::string_view line);
  uint64_t Mark() const;
  // The lines appended since `mark`, at most the last `max_bytes`.
  std::string Since(uint64_t mark, size_t max_bytes) const;

 private:
  mutable std::mutex mu_;
  std::deque<std::pair<uint64_t, std::string>> lines_;
  uint64_t next_ = 0;
  size_t bytes_ = 0;
};

// Throttling per function (reserved concurrency) and swapping of the
// implementation; what mappings and Invoke call.
class FunctionSlot : public FunctionHandler {
 public:
  explicit FunctionSlot(std::string name);
  FunctionLog& log() { return *log_; }
  std::shared_ptr<FunctionLog> shared_log() const { return log_; }
  InvokeResult Invoke(const InvokeRequest& request) override;
  // Ends invocations in flight of the current implementation and makes every
  // later invocation fail (shutdown).
  void Cancel() override;
  // Installs a new implementation (nullptr: the function does not exist) and
  // its concurrency limit; invocations already running finish on the old one.
  void Swap(std::shared_ptr<FunctionHandler> impl, std::optional<int> reserved_concurrency);

 private:
  InvokeResult InvokeImpl(const InvokeRequest& request);
  std::string name_;
  std::shared_ptr<FunctionLog> log_ = std::make_shared<FunctionLog>();
  std::mutex mu_;
  std::shared_ptr<FunctionHandler> impl_;
  std::optional<int> reserved_;
  int in_flight_ = 0;
  bool cancelled_ = false;
};

struct RegistryContext {
  storage::Store* store = nullptr;
  dynamo::TableCatalog* catalog = nullptr;
  MappingContext mapping;
  HandlerContext handlers;  // base_dir: the stack's folder
  std::string code_root;    // <data dir>/functions
  std::string region = "us-east-1";
  std::string account = "000000000000";
};

class FunctionRegistry {
 public:
  explicit FunctionRegistry(RegistryContext ctx);
  ~FunctionRegistry();

  // The stack's functions and mappings, then those the API created earlier.
  // A persisted mapping that cannot start (its table is gone) is kept and
  // logged, not fatal.
  Status Load(const stack::Stack& stack);

  std::string FunctionArn(const std::string& name) const;
  std::string MappingArn(const std::string& uuid) const;

  // Functions. Errors carry Lambda's messages; codes: kResourceNotFound,
  // kResourceInUse (ResourceConflictException), kValidation
  // (InvalidParameterValueException).
  Result<FunctionInfo> CreateFunction(FunctionInfo info, std::string_view zip);
  Result<FunctionInfo> GetFunction(const std::string& name) const;
  std::vector<FunctionInfo> ListFunctions() const;  // sorted by name
  Status DeleteFunction(const std::string& name);
  Result<FunctionInfo> UpdateFunctionCode(const std::string& name, std::string_view zip,
                                          const std::string& revision_id);
  // `change` edits a copy (it may refuse); the handler is rebuilt from it.
  Result<FunctionInfo> UpdateFunction(const std::string& name, const std::string& revision_id,
                                      const std::function<Status(FunctionInfo&)>& change);
  // The function's slot for Invoke; nullptr when there is no such function.
  std::shared_ptr<FunctionSlot> Slot(const std::string& name) const;

  // Mappings (spec.function a function name, spec.table/event_source_arn set).
  Result<MappingInfo> CreateMapping(stack::EventMappingSpec spec);
  Result<MappingInfo> GetMapping(const std::string& uuid) const;
  std::vector<MappingInfo> ListMappings() const;  // sorted by uuid
  Result<MappingInfo> UpdateMapping(const std::string& uuid, const std::string& function,
                                    const std::function<Status(stack::EventMappingSpec&)>& change);
  Result<MappingInfo> DeleteMapping(const std::string& uuid);

  // Shutdown, in this order: cancels invocations in flight and stops every
  // mapping (before the writers stop); then ends the functions' workers.
  void StopMappings();
  void StopFunctions();

 private:
  struct Function {
    FunctionInfo info;
  };
  struct Mapping {
    MappingInfo info;
    std::shared_ptr<FunctionHandler> handler;   // per mapping, forwards to the slot
    std::unique_ptr<EventSourceMapping> esm;    // destroyed before `handler`
  };

  std::shared_ptr<FunctionSlot> SlotLocked(const std::string& name);
  static MappingInfo Describe(const Mapping& m);  // with what the running mapping tells
  std::shared_ptr<FunctionHandler> BuildHandler(const FunctionInfo& info, const std::shared_ptr<FunctionLog>& log) const;
  void Install(FunctionInfo& info);  // sets info.spec.code_dir
  Status SaveFunction(const FunctionInfo& info);
  Status SaveMapping(const MappingInfo& info);
  Status EraseKey(const std::string& key);
  Status StartMapping(Mapping& m);
  void DeleteCheckpoints(const std::string& uuid);

  RegistryContext ctx_;
  CodeStore code_;
  std::mutex change_mu_;  // one change at a time (held throughout a change)
  mutable std::mutex mu_; // the maps (held briefly; readers take only this)
  std::map<std::string, Function> functions_;
  std::map<std::string, std::shared_ptr<FunctionSlot>> slots_;  // outlive deletes: mappings hold them
  std::map<std::string, Mapping> mappings_;
  bool stopped_ = false;
};

// Lambda's time format for LastModified: "2026-12-07T10:00:00.000+0000".
std::string LambdaTimestamp(int64_t epoch_millis);

}  // namespace streamer::functions
