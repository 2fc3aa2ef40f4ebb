#include "functions/event_source_mapping.h"

#include <cstdio>

#include "core/clock.h"
#include "core/hash.h"
#include "streams/stream_record.h"

namespace streamer::functions {

namespace {
constexpr int64_t kMaxBackoffMs = 5000;
// Lambda's synchronous invocation payload limit: a batch is cut short so its
// event stays under it (a single larger record still goes alone).
constexpr size_t kMaxEventBytes = 6 * 1024 * 1024;

std::string StableUuid(const std::string& seed) {
  // FNV-1a twice with different bases: deterministic, UUID-shaped.
  char buf[40];
  uint64_t a = Fnv1a(seed), b = Fnv1a(seed, 0x9e3779b97f4a7c15ull);
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(b >> 52), static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}
}  // namespace

EventSourceMapping::EventSourceMapping(stack::EventMappingSpec spec, FunctionHandler* handler,
                                       MappingContext ctx)
    : spec_(std::move(spec)), handler_(handler), ctx_(ctx) {
  // Stack mappings: derived, so their checkpoints survive restarts; the
  // Lambda API's: the uuid it gave.
  uuid_ = spec_.uuid.empty() ? StableUuid(spec_.function + "\n" + spec_.table) : spec_.uuid;
}

EventSourceMapping::~EventSourceMapping() { Stop(); }

std::string EventSourceMapping::CheckpointKey(uint32_t table_id, int shard) const {
  std::string key = "esm/" + uuid_ + "/";
  storage::AppendU32(&key, table_id);
  storage::AppendU16(&key, static_cast<uint16_t>(shard));
  return key;
}

Result<std::optional<uint64_t>> EventSourceMapping::LoadCheckpoint(uint32_t table_id, int shard) const {
  return ctx_.checkpoints->Load(CheckpointKey(table_id, shard));
}

Status EventSourceMapping::SaveCheckpoint(uint32_t table_id, int shard, uint64_t sequence) {
  return ctx_.checkpoints->Save(CheckpointKey(table_id, shard), sequence);
}

Status EventSourceMapping::Start() {
  if (!spec_.enabled) return Status::Ok();
  dynamo::TablePtr table = ctx_.catalog->Find(spec_.table);
  if (!table || !table->has_stream()) {
    return Status::Validation("event source mapping " + spec_.function + " <- " + spec_.table +
                              ": the table has no stream");
  }
  table_id_ = table->id;
  for (int shard = 0; shard < ctx_.source->ShardCount(*table); ++shard) {
    auto saved = LoadCheckpoint(table->id, shard);
    if (!saved) return saved.status();
    uint64_t done = saved->value_or(0);
    if (!*saved) {
      // First start: LATEST begins after what is committed now; TRIM_HORIZON
      // at the oldest record. The checkpoint is saved so a restart agrees.
      done = spec_.starting_position == "LATEST" ? ctx_.source->DurableSequence(*table, shard) : 0;
      Status s = SaveCheckpoint(table->id, shard, done);
      if (!s.ok()) return s;
    }
    shards_[shard].next = done + 1;
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void EventSourceMapping::Stop() {
  stopping_ = true;
  // A batch in flight may run for the function's whole timeout: end it now;
  // it was not checkpointed, so it is delivered again after a restart.
  if (thread_.joinable()) handler_->Cancel();
  if (ctx_.notifier) ctx_.notifier->Notify();
  if (thread_.joinable()) thread_.join();
}

void EventSourceMapping::Run() {
  while (!stopping_) {
    const uint64_t seen = ctx_.notifier->generation();
    dynamo::TablePtr table = ctx_.catalog->Find(spec_.table);
    bool worked = false;
    int64_t wait_ms = 1000;
    if (table && table->id == table_id_) {
      for (auto& [shard, state] : shards_) {
        if (stopping_) return;
        const int64_t now = NowMillis();
        if (state.retry_at_ms > now) {
          wait_ms = std::min(wait_ms, state.retry_at_ms - now);
          continue;
        }
        worked |= PollShard(*table, shard);
        if (state.retry_at_ms > now) wait_ms = std::min(wait_ms, state.retry_at_ms - NowMillis());
        if (state.first_seen_ms) {
          wait_ms = std::min(wait_ms, std::max<int64_t>(
              1, state.first_seen_ms + spec_.maximum_batching_window_seconds * 1000 - NowMillis()));
        }
      }
    }
    if (!worked) ctx_.notifier->Wait(seen, std::chrono::milliseconds(std::max<int64_t>(wait_ms, 1)));
  }
}

bool EventSourceMapping::PollShard(const dynamo::TableInfo& table, int shard) {
  ShardState& state = shards_[shard];
  const size_t batch_size = static_cast<size_t>(spec_.batch_size);
  // Commits of other tables wake us too; skip the read when this shard has
  // committed nothing past our position.
  if (ctx_.source->DurableSequence(table, shard) < state.next) return false;
  if (!ctx_.checkpoints->Writable()) {
    // Delivered now, the batch could not be checkpointed and would come again.
    state.retry_at_ms = NowMillis() + 500;
    return false;
  }
  auto records = ctx_.source->Read(table, shard, state.next, batch_size);
  if (records.empty()) return false;
  // Batching window: wait for a full batch until the window since the first
  // waiting record has passed.
  if (spec_.maximum_batching_window_seconds > 0 && records.size() < batch_size) {
    const int64_t now = NowMillis();
    if (!state.first_seen_ms) state.first_seen_ms = now;
    if (now - state.first_seen_ms < spec_.maximum_batching_window_seconds * 1000) return false;
  }
  std::string event = "{\"Records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    const size_t before = event.size();
    if (i) event.push_back(',');
    streams::AppendLambdaRecord(&event, records[i].json, table.stream_arn);
    if (i > 0 && event.size() + 2 > kMaxEventBytes) {
      event.resize(before);
      records.resize(i);
      break;
    }
  }
  event += "]}";
  InvokeRequest request;
  request.payload = std::move(event);
  InvokeResult result = handler_->Invoke(request);
  if (!result.ok) {
    ++state.failures;
    const int64_t backoff = std::min<int64_t>(kMaxBackoffMs, 100LL << std::min(state.failures, 6));
    state.retry_at_ms = NowMillis() + backoff;
    std::fprintf(stderr,
                 "[%s] event source mapping %s: batch of %zu records failed (%s: %s); retry %d in %lld ms\n",
                 spec_.function.c_str(), uuid_.c_str(), records.size(), result.error_type.c_str(),
                 result.error_message.c_str(), state.failures, static_cast<long long>(backoff));
    return false;
  }
  const uint64_t last = records.back().sequence;
  Status saved = SaveCheckpoint(table.id, shard, last);
  if (!saved.ok()) {
    // The batch was delivered but the checkpoint did not stick: it will be
    // delivered again (at least once), never skipped.
    std::fprintf(stderr, "[%s] checkpoint write failed: %s\n", spec_.function.c_str(),
                 saved.message().c_str());
    state.retry_at_ms = NowMillis() + kMaxBackoffMs;
    return false;
  }
  state.next = last + 1;
  state.failures = 0;
  state.retry_at_ms = 0;
  state.first_seen_ms = 0;
  return true;
}

}  // namespace streamer::functions
