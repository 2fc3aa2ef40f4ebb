#include "functions/mappings/event_source_mapping.h"

#include <cmath>
#include <cstdio>

#include "core/hash.h"
#include "core/worker_pool.h"
#include "functions/mappings/shard_consumer.h"
#include "storage/store.h"
#include "streams/stream_record.h"

namespace streamer::functions {

namespace {

// "arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>" -> name.
std::string TableOfStreamArn(const std::string& arn) {
  const size_t at = arn.find(":table/");
  if (at == std::string::npos) return "";
  const size_t start = at + 7;
  const size_t end = arn.find('/', start);
  return arn.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string CheckpointKey(const std::string& uuid, uint32_t records_id, int shard) {
  // The stream's records id is the table id for the stream a table was
  // created with, so checkpoints written before streams could be re-enabled
  // keep working.
  std::string key = "esm/" + uuid + "/";
  storage::AppendU32(&key, records_id);
  storage::AppendU16(&key, static_cast<uint16_t>(shard));
  return key;
}

}  // namespace

std::string EventSourceMapping::DerivedUuid(const std::string& function, const std::string& table) {
  // FNV-1a twice with different bases: deterministic, UUID-shaped.
  const std::string seed = function + "\n" + table;
  char buf[40];
  uint64_t a = Fnv1a(seed), b = Fnv1a(seed, 0x9e3779b97f4a7c15ull);
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(b >> 52), static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

Status EventSourceMapping::Validate(const stack::EventMappingSpec& spec) {
  // Coral's wording for a value out of its range, as Lambda answers it.
  auto range = [](const char* member, long long value, long long lo, long long hi) -> Status {
    if (value < lo) {
      return Status::Validation("1 validation error detected: Value '" + std::to_string(value) + "' at '" +
                                member + "' failed to satisfy constraint: Member must have value greater "
                                "than or equal to " + std::to_string(lo));
    }
    if (value > hi) {
      return Status::Validation("1 validation error detected: Value '" + std::to_string(value) + "' at '" +
                                member + "' failed to satisfy constraint: Member must have value less "
                                "than or equal to " + std::to_string(hi));
    }
    return Status::Ok();
  };
  for (Status s : {range("batchSize", spec.batch_size, 1, 10000),
                   range("maximumBatchingWindowInSeconds", spec.maximum_batching_window_seconds, 0, 300),
                   range("maximumRetryAttempts", spec.maximum_retry_attempts, -1, 10000),
                   range("maximumRecordAgeInSeconds", spec.maximum_record_age_seconds, -1, 604800),
                   range("parallelizationFactor", spec.parallelization_factor, 1, 10),
                   range("tumblingWindowInSeconds", spec.tumbling_window_seconds, 0, 900)}) {
    if (!s.ok()) return s;
  }
  if (spec.maximum_record_age_seconds >= 0 && spec.maximum_record_age_seconds < 60) {
    return Status::Validation("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800, got " +
                              std::to_string(spec.maximum_record_age_seconds) + ".");
  }
  if (spec.starting_position != "LATEST" && spec.starting_position != "TRIM_HORIZON" &&
      spec.starting_position != "AT_TIMESTAMP") {
    return Status::Validation("1 validation error detected: Value '" + spec.starting_position +
                              "' at 'startingPosition' failed to satisfy constraint: Member must satisfy "
                              "enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
  }
  if (spec.starting_position == "AT_TIMESTAMP" && !spec.starting_position_timestamp) {
    return Status::Validation("StartingPositionTimestamp must be provided with AT_TIMESTAMP StartingPosition.");
  }
  if (spec.starting_position != "AT_TIMESTAMP" && spec.starting_position_timestamp) {
    return Status::Validation("StartingPositionTimestamp is only valid with AT_TIMESTAMP StartingPosition.");
  }
  auto filters = FilterCriteria::Parse(spec.filter_patterns);
  if (!filters) return filters.status();
  auto destination = Destination::Parse(spec.on_failure_destination);
  if (!destination) return destination.status();
  return Status::Ok();
}

EventSourceMapping::EventSourceMapping(stack::EventMappingSpec spec, FunctionHandler* handler, MappingContext ctx)
    : spec_(std::move(spec)), handler_(handler), ctx_(std::move(ctx)) {
  table_name_ = spec_.table.empty() ? TableOfStreamArn(spec_.event_source_arn) : spec_.table;
  uuid_ = spec_.uuid.empty() ? DerivedUuid(spec_.function, table_name_) : spec_.uuid;
}

EventSourceMapping::~EventSourceMapping() { Stop(); }

Status EventSourceMapping::Start() {
  if (!spec_.enabled || running_) return Status::Ok();
  const std::string what = "event source mapping " + spec_.function + " <- " + table_name_;
  if (Status valid = Validate(spec_); !valid.ok()) return valid.WithMessage(what + ": " + valid.message());
  auto shared = std::make_unique<MappingShared>();
  shared->spec = spec_;
  shared->handler = handler_;
  shared->ctx = ctx_;
  shared->uuid = uuid_;
  auto filters = FilterCriteria::Parse(spec_.filter_patterns);
  if (!filters) return filters.status().WithMessage(what + ": " + filters.status().message());
  shared->filters = std::move(*filters);
  auto destination = Destination::Parse(spec_.on_failure_destination);
  if (!destination) return destination.status();
  shared->destination = std::move(*destination);
  const auto& id = ctx_.catalog->identity();
  shared->function_arn = "arn:aws:lambda:" + id.region + ":" + id.account + ":function:" + spec_.function;

  dynamo::TablePtr table = ctx_.catalog->Find(table_name_);
  if (!table) return Status::NotFound(what + ": the table does not exist");
  const std::string arn = spec_.event_source_arn.empty() ? table->stream_arn : spec_.event_source_arn;
  dynamo::TablePtr stream = arn.empty() ? nullptr : table->StreamOf(arn);
  if (!stream || (spec_.event_source_arn.empty() && !table->has_stream())) {
    return Status::Validation(what + ": the table has no stream" +
                              (spec_.event_source_arn.empty() ? "" : " " + spec_.event_source_arn));
  }
  shared->stream_arn = stream->stream_arn;
  table_id_ = table->id;

  // Positions: the saved checkpoint, or the starting position on a first
  // start (saved at once, so a restart agrees on where "LATEST" was).
  for (int shard = 0; shard < ctx_.source->ShardCount(*stream); ++shard) {
    const std::string key = CheckpointKey(uuid_, stream->stream_records_id, shard);
    auto saved = ctx_.checkpoints->Load(key);
    if (!saved) return saved.status();
    uint64_t checkpoint = saved->value_or(0);
    if (!*saved) {
      if (spec_.starting_position == "LATEST") {
        checkpoint = ctx_.source->DurableSequence(*stream, shard);
      } else if (spec_.starting_position == "AT_TIMESTAMP") {
        // The first record created at or after the timestamp (creation times
        // are whole seconds: a record of the same second is included).
        const int64_t at_ms =
            static_cast<int64_t>(std::floor(spec_.starting_position_timestamp.value_or(0))) * 1000;
        checkpoint = std::max<uint64_t>(1, ctx_.source->FirstSequenceAtOrAfter(*stream, shard, at_ms)) - 1;
      }
      Status s = ctx_.checkpoints->Save(key, checkpoint);
      if (!s.ok()) return s;
    }
    consumers_.push_back(std::make_unique<ShardConsumer>(
        shared.get(), shard, streams::ShardId(stream->stream_created_millis, shard), key, checkpoint));
  }
  shared_ = std::move(shared);
  for (auto& c : consumers_) c->Start();
  running_ = true;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void EventSourceMapping::Stop(StopMode mode) {
  if (!running_) return;
  shared_->cancel_in_flight = mode == StopMode::kCancelInFlight;
  shared_->stopping = true;
  // A batch in flight may run for the function's whole timeout: end it now;
  // it was not checkpointed, so it is delivered again after a restart.
  if (mode == StopMode::kCancelInFlight) handler_->Cancel();
  if (ctx_.notifier) ctx_.notifier->Notify();
  if (thread_.joinable()) thread_.join();
  for (auto& c : consumers_) c->Join();
  consumers_.clear();
  running_ = false;
}

std::string EventSourceMapping::State() const { return running_ ? "Enabled" : "Disabled"; }

std::string EventSourceMapping::LastProcessingResult() const {
  if (!shared_) return "No records processed";
  std::lock_guard lock(shared_->result_mu);
  return shared_->last_result;
}

void EventSourceMapping::Run() {
  SetThreadName("esm-poll");
  while (!shared_->stopping) {
    const uint64_t seen = ctx_.notifier->generation();
    bool worked = false;
    dynamo::TablePtr table = ctx_.catalog->Find(table_name_);
    // A deleted (or re-created) table: its stream is gone; nothing to read.
    if (table && table->id == table_id_) {
      dynamo::TablePtr stream =
          table->has_stream() && table->stream_arn == shared_->stream_arn ? table : table->StreamOf(shared_->stream_arn);
      if (stream) {
        for (auto& c : consumers_) {
          if (shared_->stopping) return;
          worked |= c->Poll(*stream);
        }
      }
    }
    if (!worked) ctx_.notifier->Wait(seen, std::chrono::milliseconds(1000));
  }
}

}  // namespace streamer::functions
