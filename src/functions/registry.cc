#include "functions/registry.h"

#include <cstdio>
#include <set>

#include "core/clock.h"
#include "core/ids.h"
#include "storage/write_batch.h"

namespace streamer::functions {

namespace {

constexpr std::string_view kFunctionPrefix = "lambda/function/";
constexpr std::string_view kMappingPrefix = "lambda/mapping/";

// A mapping's own handle on its function's slot: stopping one mapping must
// not cancel the function for everybody else, so Cancel only makes this
// mapping's later invocations fail (the batch in flight finishes).
class MappingHandler : public FunctionHandler {
 public:
  explicit MappingHandler(std::shared_ptr<FunctionSlot> slot) : slot_(std::move(slot)) {}
  InvokeResult Invoke(const InvokeRequest& request) override {
    if (cancelled_) {
      InvokeResult r;
      r.error_type = "Cancelled";
      r.error_message = "the event source mapping is stopping";
      return r;
    }
    return slot_->Invoke(request);
  }
  void Cancel() override { cancelled_ = true; }

 private:
  std::shared_ptr<FunctionSlot> slot_;
  std::atomic<bool> cancelled_{false};
};

json::object StringMapJson(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

std::string Str(const json::object& o, std::string_view key) {
  const json::string* s = FindString(o, key);
  return s ? std::string(*s) : std::string();
}
int64_t Int(const json::object& o, std::string_view key, int64_t fallback) {
  const json::value* v = Find(o, key);
  return v && v->is_int64() ? v->as_int64() : fallback;
}
bool Bool(const json::object& o, std::string_view key, bool fallback) {
  const json::value* v = Find(o, key);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

}  // namespace

std::string LambdaTimestamp(int64_t epoch_millis) {
  return IsoMillis(epoch_millis) + "+0000";
}

// --- persisted forms ---------------------------------------------------------

json::object FunctionInfo::ToJson() const {
  json::object o;
  o["name"] = spec.name;
  o["kind"] = spec.kind;
  o["runtime"] = spec.runtime;
  o["handler"] = spec.handler;
  o["memory_size_mb"] = spec.memory_size_mb;
  if (spec.reserved_concurrency) o["reserved_concurrency"] = *spec.reserved_concurrency;
  o["description"] = spec.description;
  o["timeout_seconds"] = spec.timeout_seconds;
  o["environment"] = StringMapJson(spec.environment);
  o["role"] = role;
  json::array arch;
  for (const auto& a : architectures) arch.push_back(json::string(a));
  o["architectures"] = arch;
  o["code_sha256"] = code_sha256;
  o["code_hex"] = code_hex;
  o["code_size"] = code_size;
  o["last_modified"] = last_modified;
  o["revision_id"] = revision_id;
  return o;
}

Result<FunctionInfo> FunctionInfo::FromJson(const json::value& v) {
  if (!v.is_object()) return Status::Corruption("function entry is not an object");
  const json::object& o = v.as_object();
  FunctionInfo f;
  f.spec.name = Str(o, "name");
  f.spec.kind = Str(o, "kind");
  f.spec.runtime = Str(o, "runtime");
  f.spec.handler = Str(o, "handler");
  f.spec.memory_size_mb = static_cast<int>(Int(o, "memory_size_mb", 128));
  if (const json::value* r = Find(o, "reserved_concurrency"); r && r->is_int64()) {
    f.spec.reserved_concurrency = static_cast<int>(r->as_int64());
  }
  f.spec.description = Str(o, "description");
  f.spec.timeout_seconds = static_cast<int>(Int(o, "timeout_seconds", 3));
  if (const json::value* env = Find(o, "environment"); env && env->is_object()) {
    for (const auto& [k, val] : env->as_object()) {
      if (val.is_string()) f.spec.environment[std::string(k)] = std::string(val.as_string());
    }
  }
  f.role = Str(o, "role");
  f.architectures.clear();
  if (const json::value* a = Find(o, "architectures"); a && a->is_array()) {
    for (const auto& x : a->as_array()) {
      if (x.is_string()) f.architectures.emplace_back(x.as_string());
    }
  }
  if (f.architectures.empty()) f.architectures = {"x86_64"};
  f.code_sha256 = Str(o, "code_sha256");
  f.code_hex = Str(o, "code_hex");
  f.code_size = Int(o, "code_size", 0);
  f.last_modified = Str(o, "last_modified");
  f.revision_id = Str(o, "revision_id");
  if (f.spec.name.empty()) return Status::Corruption("function entry without a name");
  return f;
}

json::object MappingInfo::ToJson() const {
  const stack::EventMappingSpec& s = spec;
  json::object o;
  o["uuid"] = s.uuid;
  o["function"] = s.function;
  o["table"] = s.table;
  o["event_source_arn"] = s.event_source_arn;
  o["batch_size"] = s.batch_size;
  o["starting_position"] = s.starting_position;
  if (s.starting_position_timestamp) o["starting_position_timestamp"] = *s.starting_position_timestamp;
  o["maximum_batching_window_seconds"] = s.maximum_batching_window_seconds;
  o["maximum_retry_attempts"] = s.maximum_retry_attempts;
  o["maximum_record_age_seconds"] = s.maximum_record_age_seconds;
  o["bisect_batch_on_function_error"] = s.bisect_batch_on_function_error;
  o["parallelization_factor"] = s.parallelization_factor;
  o["report_batch_item_failures"] = s.report_batch_item_failures;
  json::array filters;
  for (const auto& p : s.filter_patterns) filters.push_back(json::string(p));
  o["filter_patterns"] = filters;
  o["tumbling_window_seconds"] = s.tumbling_window_seconds;
  o["on_failure_destination"] = s.on_failure_destination;
  o["enabled"] = s.enabled;
  o["last_modified"] = last_modified;
  o["state_transition_reason"] = state_transition_reason;
  return o;
}

Result<MappingInfo> MappingInfo::FromJson(const json::value& v) {
  if (!v.is_object()) return Status::Corruption("mapping entry is not an object");
  const json::object& o = v.as_object();
  MappingInfo m;
  stack::EventMappingSpec& s = m.spec;
  s.uuid = Str(o, "uuid");
  s.function = Str(o, "function");
  s.table = Str(o, "table");
  s.event_source_arn = Str(o, "event_source_arn");
  s.batch_size = static_cast<int>(Int(o, "batch_size", 100));
  s.starting_position = Str(o, "starting_position");
  if (const json::value* t = Find(o, "starting_position_timestamp"); t && t->is_number()) {
    s.starting_position_timestamp = t->to_number<double>();
  }
  s.maximum_batching_window_seconds = static_cast<int>(Int(o, "maximum_batching_window_seconds", 0));
  s.maximum_retry_attempts = static_cast<int>(Int(o, "maximum_retry_attempts", -1));
  s.maximum_record_age_seconds = static_cast<int>(Int(o, "maximum_record_age_seconds", -1));
  s.bisect_batch_on_function_error = Bool(o, "bisect_batch_on_function_error", false);
  s.parallelization_factor = static_cast<int>(Int(o, "parallelization_factor", 1));
  s.report_batch_item_failures = Bool(o, "report_batch_item_failures", false);
  if (const json::value* f = Find(o, "filter_patterns"); f && f->is_array()) {
    for (const auto& p : f->as_array()) {
      if (p.is_string()) s.filter_patterns.emplace_back(p.as_string());
    }
  }
  s.tumbling_window_seconds = static_cast<int>(Int(o, "tumbling_window_seconds", 0));
  s.on_failure_destination = Str(o, "on_failure_destination");
  s.enabled = Bool(o, "enabled", true);
  if (const json::value* t = Find(o, "last_modified"); t && t->is_number()) m.last_modified = t->to_number<double>();
  m.state_transition_reason = Str(o, "state_transition_reason");
  if (s.uuid.empty()) return Status::Corruption("mapping entry without a uuid");
  return m;
}

// --- FunctionLog ----------------------------------------------------------------

namespace {
constexpr size_t kKeptLogBytes = 64 * 1024;
}

void FunctionLog::Append(std::string_view line) {
  std::lock_guard lock(mu_);
  lines_.emplace_back(next_++, std::string(line));
  bytes_ += line.size() + 1;
  while (bytes_ > kKeptLogBytes && lines_.size() > 1) {
    bytes_ -= lines_.front().second.size() + 1;
    lines_.pop_front();
  }
}

uint64_t FunctionLog::Mark() const {
  std::lock_guard lock(mu_);
  return next_;
}

std::string FunctionLog::Since(uint64_t mark, size_t max_bytes) const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [seq, line] : lines_) {
    if (seq < mark) continue;
    out += line;
    out.push_back('\n');
  }
  if (out.size() > max_bytes) out.erase(0, out.size() - max_bytes);
  return out;
}

// --- FunctionSlot --------------------------------------------------------------

FunctionSlot::FunctionSlot(std::string name) : name_(std::move(name)) {}

InvokeResult FunctionSlot::Invoke(const InvokeRequest& request) {
  const uint64_t mark = request.tail_log ? log_->Mark() : 0;
  InvokeResult result = InvokeImpl(request);
  // Handlers that keep no tail of their own: the function's lines since the
  // call began (with concurrent invocations of one function, theirs too).
  if (request.tail_log && result.log_tail.empty()) result.log_tail = log_->Since(mark, 4096);
  return result;
}

InvokeResult FunctionSlot::InvokeImpl(const InvokeRequest& request) {
  std::shared_ptr<FunctionHandler> impl;
  {
    std::lock_guard lock(mu_);
    InvokeResult refused;
    refused.request_id = request.request_id;
    if (cancelled_) {
      refused.error_type = "Cancelled";
      refused.error_message = "the server is shutting down";
      return refused;
    }
    if (!impl_) {
      refused.error_type = "ResourceNotFoundException";
      refused.error_message = "Function not found: " + name_;
      return refused;
    }
    if (reserved_ && in_flight_ >= *reserved_) {
      refused.throttled = true;
      refused.error_type = "TooManyRequestsException";
      refused.error_message = "Rate Exceeded.";
      return refused;
    }
    impl = impl_;
    ++in_flight_;
  }
  InvokeResult result = impl->Invoke(request);
  std::lock_guard lock(mu_);
  --in_flight_;
  return result;
}

void FunctionSlot::Cancel() {
  std::shared_ptr<FunctionHandler> impl;
  {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    impl = impl_;
  }
  if (impl) impl->Cancel();
}

void FunctionSlot::Swap(std::shared_ptr<FunctionHandler> impl, std::optional<int> reserved_concurrency) {
  std::lock_guard lock(mu_);
  impl_ = std::move(impl);
  reserved_ = reserved_concurrency;
}

// --- FunctionRegistry ------------------------------------------------------------

FunctionRegistry::FunctionRegistry(RegistryContext ctx) : ctx_(std::move(ctx)), code_(ctx_.code_root) {}

FunctionRegistry::~FunctionRegistry() {
  StopMappings();
  StopFunctions();
}

std::string FunctionRegistry::FunctionArn(const std::string& name) const {
  return "arn:aws:lambda:" + ctx_.region + ":" + ctx_.account + ":function:" + name;
}

std::string FunctionRegistry::MappingArn(const std::string& uuid) const {
  return "arn:aws:lambda:" + ctx_.region + ":" + ctx_.account + ":event-source-mapping:" + uuid;
}

std::shared_ptr<FunctionSlot> FunctionRegistry::SlotLocked(const std::string& name) {
  auto& slot = slots_[name];
  if (!slot) slot = std::make_shared<FunctionSlot>(name);
  return slot;
}

std::shared_ptr<FunctionHandler> FunctionRegistry::BuildHandler(const FunctionInfo& info,
                                                                const std::shared_ptr<FunctionLog>& log) const {
  HandlerContext context = ctx_.handlers;
  LogSink console = context.sink ? context.sink : LogSink(WriteToStdout);
  context.sink = [console, log](const std::string& function_name, std::string_view line) {
    log->Append(line);
    console(function_name, line);
  };
  return std::shared_ptr<FunctionHandler>(MakeHandler(info.spec, context));
}

void FunctionRegistry::Install(FunctionInfo& info) {
  if (!info.code_hex.empty()) info.spec.code_dir = code_.DirOf(info.spec.name, info.code_hex);
  std::shared_ptr<FunctionSlot> slot = SlotLocked(info.spec.name);
  slot->Swap(BuildHandler(info, slot->shared_log()), info.spec.reserved_concurrency);
  functions_[info.spec.name] = Function{info};
}

Status FunctionRegistry::SaveFunction(const FunctionInfo& info) {
  storage::WriteBatch batch(ctx_.store);
  batch.Put(storage::Family::kMeta, std::string(kFunctionPrefix) + info.spec.name, ToJson(info.ToJson()));
  return ctx_.store->Write(&batch);
}

Status FunctionRegistry::SaveMapping(const MappingInfo& info) {
  storage::WriteBatch batch(ctx_.store);
  batch.Put(storage::Family::kMeta, std::string(kMappingPrefix) + info.spec.uuid, ToJson(info.ToJson()));
  return ctx_.store->Write(&batch);
}

Status FunctionRegistry::EraseKey(const std::string& key) {
  storage::WriteBatch batch(ctx_.store);
  batch.Delete(storage::Family::kMeta, key);
  return ctx_.store->Write(&batch);
}

void FunctionRegistry::DeleteCheckpoints(const std::string& uuid) {
  const std::string prefix = "esm/" + uuid + "/";
  Status s = ctx_.store->DeleteRange(storage::Family::kCheckpoints, prefix, storage::PrefixEnd(prefix));
  if (!s.ok()) std::fprintf(stderr, "event source mapping %s: checkpoints not deleted: %s\n", uuid.c_str(), s.message().c_str());
}

Status FunctionRegistry::StartMapping(Mapping& m) {
  m.handler = std::make_shared<MappingHandler>(SlotLocked(m.info.spec.function));
  m.esm = std::make_unique<EventSourceMapping>(m.info.spec, m.handler.get(), ctx_.mapping);
  return m.esm->Start();
}

Status FunctionRegistry::Load(const stack::Stack& stack) {
  std::lock_guard one_change(change_mu_);
  std::unique_lock lock(mu_);
  for (const auto& f : stack.functions) {
    FunctionInfo info;
    info.spec = f;
    info.from_stack = true;
    info.role = "arn:aws:iam::" + ctx_.account + ":role/" + stack.name;
    info.last_modified = LambdaTimestamp(NowMillis());
    info.revision_id = NewUuid();
    Install(info);
  }
  for (const auto& spec : stack.event_mappings) {
    if (!functions_.count(spec.function)) {
      return Status::Validation("event mapping names unknown function " + spec.function);
    }
    Mapping m;
    m.info.spec = spec;
    m.info.from_stack = true;
    m.info.last_modified = static_cast<double>(NowMillis()) / 1000.0;
    if (dynamo::TablePtr t = ctx_.catalog->Find(spec.table); t && m.info.spec.event_source_arn.empty()) {
      m.info.spec.event_source_arn = t->stream_arn;
    }
    Status st = StartMapping(m);
    if (!st.ok()) return st;
    m.info.spec.uuid = m.esm->uuid();
    const std::string uuid = m.info.spec.uuid;
    mappings_[uuid] = std::move(m);
  }
  // What the API created in earlier runs.
  auto it = ctx_.store->NewIterator(storage::Family::kMeta);
  std::vector<FunctionInfo> api_functions;
  std::vector<MappingInfo> api_mappings;
  for (it->Seek("lambda/"); it->Valid() && it->key().substr(0, 7) == "lambda/"; it->Next()) {
    const std::string_view key = it->key();
    auto parsed = ParseJson(it->value());
    if (!parsed) return Status::Corruption("corrupt entry " + std::string(key));
    if (key.substr(0, kFunctionPrefix.size()) == kFunctionPrefix) {
      auto f = FunctionInfo::FromJson(*parsed);
      if (!f) return f.status();
      api_functions.push_back(std::move(*f));
    } else if (key.substr(0, kMappingPrefix.size()) == kMappingPrefix) {
      auto m = MappingInfo::FromJson(*parsed);
      if (!m) return m.status();
      api_mappings.push_back(std::move(*m));
    }
  }
  Status scanned = it->status();
  if (!scanned.ok()) return scanned;
  std::set<std::string> api_names;
  for (const auto& f : api_functions) api_names.insert(f.spec.name);
  code_.RemoveFunctionsExcept(api_names);
  for (auto& f : api_functions) {
    if (functions_.count(f.spec.name)) {
      std::fprintf(stderr, "function %s: declared by the stack; the one created through the Lambda API is "
                   "hidden while the stack declares it\n", f.spec.name.c_str());
      continue;
    }
    code_.RemoveExcept(f.spec.name, f.code_hex);  // an update interrupted by a crash
    Install(f);
  }
  for (auto& info : api_mappings) {
    Mapping m;
    m.info = std::move(info);
    const std::string uuid = m.info.spec.uuid;
    Status st = StartMapping(m);
    if (!st.ok()) {
      std::fprintf(stderr, "event source mapping %s: not started: %s\n", uuid.c_str(), st.message().c_str());
      m.info.state_transition_reason = "PROBLEM: " + st.message();
    }
    mappings_[uuid] = std::move(m);
  }
  return Status::Ok();
}

Result<FunctionInfo> FunctionRegistry::CreateFunction(FunctionInfo info, std::string_view zip) {
  std::lock_guard one_change(change_mu_);
  std::unique_lock lock(mu_);
  const std::string name = info.spec.name;
  if (auto it = functions_.find(name); it != functions_.end()) {
    return Status::Of(Code::kResourceInUse, it->second.info.from_stack
                                                ? "Function already exist: " + name + " (declared by the stack)"
                                                : "Function already exist: " + name);
  }
  lock.unlock();  // unpacking takes a while: Invoke's lookups go on meanwhile
  auto code = code_.Unpack(name, zip);
  lock.lock();
  if (!code) return code.status();
  info.code_sha256 = code->sha256_base64;
  info.code_hex = code->sha256_hex;
  info.code_size = code->size;
  info.last_modified = LambdaTimestamp(NowMillis());
  info.revision_id = NewUuid();
  info.from_stack = false;
  Status st = SaveFunction(info);
  if (!st.ok()) {
    code_.RemoveExcept(name, "");
    return st;
  }
  code_.RemoveExcept(name, info.code_hex);  // leftovers of a function deleted earlier
  Install(info);
  return info;
}

Result<FunctionInfo> FunctionRegistry::GetFunction(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = functions_.find(name);
  if (it == functions_.end()) return Status::Of(Code::kResourceNotFound, "Function not found: " + FunctionArn(name));
  return it->second.info;
}

std::vector<FunctionInfo> FunctionRegistry::ListFunctions() const {
  std::lock_guard lock(mu_);
  std::vector<FunctionInfo> out;
  for (const auto& [name, f] : functions_) out.push_back(f.info);
  return out;
}

std::shared_ptr<FunctionSlot> FunctionRegistry::Slot(const std::string& name) const {
  std::lock_guard lock(mu_);
  if (!functions_.count(name)) return nullptr;
  auto it = slots_.find(name);
  return it == slots_.end() ? nullptr : it->second;
}

namespace {
Status StackOwned(const std::string& name) {
  return Status::Of(Code::kResourceInUse,
                    "Function " + name + " is declared by the stack; change it in the stack file");
}
Status RevisionMismatch() {
  return Status::Of(Code::kConditionalCheckFailed,
                    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/"
                    "GetAlias API to retrieve the latest Revision Id");
}
}  // namespace

Status FunctionRegistry::DeleteFunction(const std::string& name) {
  std::lock_guard one_change(change_mu_);
  std::unique_lock lock(mu_);
  auto it = functions_.find(name);
  if (it == functions_.end()) return Status::Of(Code::kResourceNotFound, "Function not found: " + FunctionArn(name));
  if (it->second.info.from_stack) return StackOwned(name);
  Status st = EraseKey(std::string(kFunctionPrefix) + name);
  if (!st.ok()) return st;
  functions_.erase(it);
  // Mappings stay (as on AWS) and fail until a function of that name exists again.
  std::shared_ptr<FunctionSlot> slot = SlotLocked(name);
  slot->Swap(nullptr, std::nullopt);
  code_.RemoveExcept(name, "");
  return Status::Ok();
}

Result<FunctionInfo> FunctionRegistry::UpdateFunctionCode(const std::string& name, std::string_view zip,
                                                          const std::string& revision_id) {
  std::lock_guard one_change(change_mu_);
  std::unique_lock lock(mu_);
  auto it = functions_.find(name);
  if (it == functions_.end()) return Status::Of(Code::kResourceNotFound, "Function not found: " + FunctionArn(name));
  if (it->second.info.from_stack) return StackOwned(name);
  if (!revision_id.empty() && revision_id != it->second.info.revision_id) return RevisionMismatch();
  lock.unlock();
  auto code = code_.Unpack(name, zip);
  lock.lock();
  if (!code) return code.status();
  FunctionInfo info = it->second.info;
  const std::string old_hex = info.code_hex;
  info.code_sha256 = code->sha256_base64;
  info.code_hex = code->sha256_hex;
  info.code_size = code->size;
  info.last_modified = LambdaTimestamp(NowMillis());
  info.revision_id = NewUuid();
  Status st = SaveFunction(info);
  if (!st.ok()) {
    if (old_hex != info.code_hex) code_.RemoveExcept(name, old_hex);
    return st;
  }
  Install(info);
  // The old folder goes now: invocations starting from here use the new code
  // (a warm worker of the old code keeps its open files).
  code_.RemoveExcept(name, info.code_hex);
  return info;
}

Result<FunctionInfo> FunctionRegistry::UpdateFunction(const std::string& name, const std::string& revision_id,
                                                      const std::function<Status(FunctionInfo&)>& change) {
  std::lock_guard one_change(change_mu_);
  std::unique_lock lock(mu_);
  auto it = functions_.find(name);
  if (it == functions_.end()) return Status::Of(Code::kResourceNotFound, "Function not found: " + FunctionArn(name));
  if (it->second.info.from_stack) return StackOwned(name);
  if (!revision_id.empty() && revision_id != it->second.info.revision_id) return RevisionMismatch();
  FunctionInfo info = it->second.info;
  Status st = change(info);
  if (!st.ok()) return st;
  info.last_modified = LambdaTimestamp(NowMillis());
  info.revision_id = NewUuid();
  st = SaveFunction(info);
  if (!st.ok()) return st;
  Install(info);
  return info;
}

Result<MappingInfo> FunctionRegistry::CreateMapping(stack::EventMappingSpec spec) {
  std::lock_guard one_change(change_mu_);
  std::unique_lock lock(mu_);
  if (!functions_.count(spec.function)) {
    return Status::Of(Code::kResourceNotFound, "Function not found: " + FunctionArn(spec.function));
  }
  for (const auto& [uuid, m] : mappings_) {
    if (m.info.spec.function == spec.function && m.info.spec.event_source_arn == spec.event_source_arn) {
      return Status::Of(Code::kResourceInUse,
                        "The event source arn (\" " + spec.event_source_arn + " \") and function (\" " +
                            spec.function + " \") provided mapping already exists. Please update or delete "
                            "the existing mapping with UUID " + uuid);
    }
  }
  if (spec.uuid.empty()) spec.uuid = NewUuid();
  Mapping m;
  m.info.spec = std::move(spec);
  m.info.last_modified = static_cast<double>(NowMillis()) / 1000.0;
  m.info.state_transition_reason = "USER_INITIATED";
  const std::string uuid = m.info.spec.uuid;
  // Saved first: a crash right after still knows the mapping (and its
  // starting checkpoints, which Start writes, belong to it).
  Status st = SaveMapping(m.info);
  if (!st.ok()) return st;
  st = StartMapping(m);
  if (!st.ok()) {
    m.esm.reset();
    DeleteCheckpoints(uuid);
    (void)EraseKey(std::string(kMappingPrefix) + uuid);
    return Status::Of(Code::kValidation, st.message());
  }
  MappingInfo out = m.info;
  mappings_[uuid] = std::move(m);
  return out;
}

MappingInfo FunctionRegistry::Describe(const Mapping& m) {
  MappingInfo info = m.info;
  // TODO(integrator, wt-esm): the rewritten EventSourceMapping tells its
  // LastProcessingResult(): info.last_processing_result = m.esm->LastProcessingResult().
  if (info.state_transition_reason.rfind("PROBLEM: ", 0) == 0) {  // it could not start
    info.last_processing_result = info.state_transition_reason;
  }
  return info;
}

Result<MappingInfo> FunctionRegistry::GetMapping(const std::string& uuid) const {
  std::lock_guard lock(mu_);
  auto it = mappings_.find(uuid);
  if (it == mappings_.end()) return Status::Of(Code::kResourceNotFound, "The resource you requested does not exist.");
  return Describe(it->second);
}

std::vector<MappingInfo> FunctionRegistry::ListMappings() const {
  std::lock_guard lock(mu_);
  std::vector<MappingInfo> out;
  for (const auto& [uuid, m] : mappings_) out.push_back(Describe(m));
  return out;
}

Result<MappingInfo> FunctionRegistry::UpdateMapping(const std::string& uuid, const std::string& function,
                                                    const std::function<Status(stack::EventMappingSpec&)>& change) {
  std::lock_guard one_change(change_mu_);
  std::unique_lock lock(mu_);
  auto it = mappings_.find(uuid);
  if (it == mappings_.end()) return Status::Of(Code::kResourceNotFound, "The resource you requested does not exist.");
  if (it->second.info.from_stack) {
    return Status::Of(Code::kResourceInUse, "The event source mapping " + uuid +
                                                " is declared by the stack; change it in the stack file");
  }
  if (!function.empty() && !functions_.count(function)) {
    return Status::Of(Code::kResourceNotFound, "Function not found: " + FunctionArn(function));
  }
  MappingInfo info = it->second.info;
  if (!function.empty() && function != info.spec.function) {
    for (const auto& [other_uuid, other] : mappings_) {
      if (other.info.spec.function == function && other.info.spec.event_source_arn == info.spec.event_source_arn) {
        return Status::Of(Code::kResourceInUse,
                          "The event source arn (\" " + info.spec.event_source_arn + " \") and function (\" " +
                              function + " \") provided mapping already exists. Please update or delete the "
                              "existing mapping with UUID " + other_uuid);
      }
    }
  }
  if (!function.empty()) info.spec.function = function;
  Status st = change(info.spec);
  if (!st.ok()) return st;
  info.spec.uuid = uuid;  // same uuid: the checkpoints carry over
  info.last_modified = static_cast<double>(NowMillis()) / 1000.0;
  info.state_transition_reason = "USER_INITIATED";
  st = SaveMapping(info);
  if (!st.ok()) return st;
  Mapping& m = it->second;
  // The batch in flight may take the function's whole timeout: stopped
  // without the lock, so Get/List/Invoke go on meanwhile.
  std::unique_ptr<EventSourceMapping> old_esm = std::move(m.esm);
  std::shared_ptr<FunctionHandler> old_handler = m.handler;  // the old mapping's, outlives it
  lock.unlock();
  if (old_esm) old_esm->Stop();
  old_esm.reset();
  lock.lock();
  m.info = info;
  st = StartMapping(m);
  if (!st.ok()) {
    m.info.state_transition_reason = "PROBLEM: " + st.message();
    std::fprintf(stderr, "event source mapping %s: not started: %s\n", uuid.c_str(), st.message().c_str());
  }
  return m.info;
}

Result<MappingInfo> FunctionRegistry::DeleteMapping(const std::string& uuid) {
  std::lock_guard one_change(change_mu_);
  std::unique_lock lock(mu_);
  auto it = mappings_.find(uuid);
  if (it == mappings_.end()) return Status::Of(Code::kResourceNotFound, "The resource you requested does not exist.");
  if (it->second.info.from_stack) {
    return Status::Of(Code::kResourceInUse, "The event source mapping " + uuid +
                                                " is declared by the stack; change it in the stack file");
  }
  Status st = EraseKey(std::string(kMappingPrefix) + uuid);
  if (!st.ok()) return st;
  MappingInfo info = it->second.info;
  std::unique_ptr<EventSourceMapping> esm = std::move(it->second.esm);
  std::shared_ptr<FunctionHandler> handler = it->second.handler;
  mappings_.erase(it);
  lock.unlock();
  if (esm) esm->Stop();
  esm.reset();
  DeleteCheckpoints(uuid);
  return info;
}

void FunctionRegistry::StopMappings() {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  // Invocations in flight end now (their batches were not checkpointed and
  // come again after a restart); then every mapping thread is joined.
  for (auto& [name, slot] : slots_) slot->Cancel();
  for (auto& [uuid, m] : mappings_) {
    if (m.esm) m.esm->Stop();
  }
}

void FunctionRegistry::StopFunctions() {
  std::lock_guard lock(mu_);
  for (auto& [uuid, m] : mappings_) m.esm.reset();
  for (auto& [name, slot] : slots_) {
    slot->Cancel();
    slot->Swap(nullptr, std::nullopt);  // the workers end with their last holder
  }
}

}  // namespace streamer::functions
