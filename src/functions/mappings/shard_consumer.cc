#include "functions/mappings/shard_consumer.h"

#include <cstdio>

#include "core/clock.h"
#include "core/ids.h"
#include "core/worker_pool.h"
#include "storage/store.h"
#include "streams/stream_record.h"

namespace streamer::functions {

namespace {
constexpr int64_t kMaxBackoffMs = 5000;
// Lambda's synchronous invocation payload limit: a batch is cut short so its
// event stays under it (a single larger record still goes alone).
constexpr size_t kMaxEventBytes = 6 * 1024 * 1024;
// A tumbling window closes this long after its end when no record of a
// later window arrived (a record is timed before its commit is durable).
constexpr int64_t kWindowGraceMs = 1000;
// One read from the stream holds at most this much record JSON.
constexpr size_t kMaxReadBytes = 8 * 1024 * 1024;

int64_t Backoff(int failures) { return std::min<int64_t>(kMaxBackoffMs, 100LL << std::min(failures, 6)); }

std::string Quoted(std::string_view s) { return json::serialize(json::string(s)); }

std::string ProblemOf(const InvokeResult& r) {
  if (r.throttled) return "PROBLEM: Lambda function throttled";
  if (r.error_type == "Sandbox.Timedout") return "PROBLEM: Function timeout";
  return "PROBLEM: Function call failed";
}
}  // namespace

ShardConsumer::ShardConsumer(MappingShared* shared, int shard, std::string shard_id, std::string checkpoint_key,
                             uint64_t checkpoint)
    : shared_(shared),
      shard_(shard),
      shard_id_(std::move(shard_id)),
      checkpoint_key_(std::move(checkpoint_key)),
      lanes_count_(std::max(1, shared->spec.parallelization_factor)),
      max_buffered_(std::max<size_t>(2000, 2 * static_cast<size_t>(shared->spec.batch_size) *
                                               static_cast<size_t>(std::max(1, shared->spec.parallelization_factor)))),
      tracker_(checkpoint),
      next_read_(checkpoint + 1),
      saved_(checkpoint) {
  for (int i = 0; i < lanes_count_; ++i) lanes_.push_back(std::make_unique<Lane>());
}

ShardConsumer::~ShardConsumer() { Join(); }

void ShardConsumer::Start() {
  for (int i = 0; i < lanes_count_; ++i) {
    lanes_[i]->thread = std::thread([this, i] { RunLane(i); });
  }
  saver_ = std::thread([this] { RunSaver(); });
}

void ShardConsumer::Join() {
  {
    std::lock_guard lock(mu_);  // a lane between its check and its wait sees the flag
  }
  cv_.notify_all();
  for (auto& lane : lanes_) {
    if (lane->thread.joinable()) lane->thread.join();
  }
  if (saver_.joinable()) {
    {
      std::lock_guard lock(mu_);
      saver_stop_ = true;
    }
    save_cv_.notify_all();
    saver_.join();
    SaveCheckpoint();  // what the lanes resolved last
  }
}

void ShardConsumer::CheckpointLater() {
  {
    std::lock_guard lock(mu_);
    save_pending_ = true;
  }
  save_cv_.notify_one();
}

void ShardConsumer::RunSaver() {
  SetThreadName("esm-ckpt-" + std::to_string(shard_));
  std::unique_lock lock(mu_);
  for (;;) {
    save_cv_.wait(lock, [this] { return save_pending_ || saver_stop_; });
    if (saver_stop_) return;
    save_pending_ = false;
    lock.unlock();
    SaveCheckpoint();
    lock.lock();
  }
}

void ShardConsumer::Log(const std::string& message) const {
  std::fprintf(stderr, "[%s] event source mapping %s shard %s: %s\n", shared_->spec.function.c_str(),
               shared_->uuid.c_str(), shard_id_.c_str(), message.c_str());
}

bool ShardConsumer::Poll(const dynamo::TableInfo& stream_table) {
  const MappingContext& ctx = shared_->ctx;
  size_t room;
  {
    std::lock_guard lock(mu_);
    if (tracker_.outstanding() >= max_buffered_) {
      reader_blocked_ = true;  // the next resolve wakes us
      return false;
    }
    room = max_buffered_ - tracker_.outstanding();
  }
  CheckpointLater();  // one that could not be written before
  // Commits of other tables wake us too; skip the read when this shard has
  // committed nothing past our position.
  if (ctx.source->DurableSequence(stream_table, shard_) < next_read_) return false;
  // Delivered now, a batch could not be checkpointed and would come again.
  if (!ctx.checkpoints->Writable()) return false;
  auto stored = ctx.source->Read(stream_table, shard_, next_read_, std::min<size_t>(room, 1000), kMaxReadBytes);
  if (stored.empty()) return false;
  struct Read {
    MappedRecord record;
    bool deliver;
  };
  std::vector<Read> read;
  read.reserve(stored.size());
  for (auto& s : stored) {
    json::value parsed;
    auto r = ParseMappedRecord(s.sequence, std::move(s.json), lanes_count_,
                               shared_->filters.empty() ? nullptr : &parsed);
    if (!r) {
      Log("skipping record " + std::to_string(s.sequence) + ": " + r.status().message());
      read.push_back({MappedRecord{s.sequence, 0, {}, 0}, false});
      continue;
    }
    bool deliver = true;
    if (!shared_->filters.empty()) {
      // Filters see the record as Lambda delivers it.
      parsed.as_object()["eventSourceARN"] = shared_->stream_arn;
      deliver = shared_->filters.Matches(parsed);
    }
    read.push_back({std::move(*r), deliver});
  }
  const int64_t now = NowMillis();
  {
    std::lock_guard lock(mu_);
    for (Read& r : read) {
      tracker_.Add(r.record.sequence);
      if (!r.deliver) {
        tracker_.Done(r.record.sequence);  // filtered out: checkpointed, not delivered
        continue;
      }
      Lane& lane = *lanes_[r.record.lane];
      if (lane.queue.empty()) lane.first_queued_ms = now;
      lane.queue.push_back(std::move(r.record));
    }
  }
  next_read_ = stored.back().sequence + 1;
  cv_.notify_all();
  CheckpointLater();  // past filtered-out records
  return true;
}

void ShardConsumer::RunLane(int l) {
  SetThreadName("esm-" + std::to_string(shard_) + "-" + std::to_string(l));
  Lane& lane = *lanes_[l];
  for (;;) {
    Attempt batch;
    Next next;
    {
      std::unique_lock lock(mu_);
      for (;;) {
        if (Stopping()) return;
        int64_t wait_ms = 1000;
        next = NextWork(lane, NowMillis(), &batch, &wait_ms);
        if (next != Next::kWait) break;
        cv_.wait_for(lock, std::chrono::milliseconds(std::clamp<int64_t>(wait_ms, 1, 1000)));
      }
    }
    if (next == Next::kFinal) {
      ProcessFinal(lane);
    } else {
      ProcessBatch(lane, std::move(batch));
    }
  }
}

ShardConsumer::Next ShardConsumer::NextWork(Lane& lane, int64_t now, Attempt* batch, int64_t* wait_ms) {
  const auto& spec = shared_->spec;
  // A failed batch (or a bisected half) goes first: one key's records keep
  // their order.
  if (!lane.retries.empty()) {
    Attempt& a = lane.retries.front();
    if (now < a.not_before_ms) {
      *wait_ms = a.not_before_ms - now;
      return Next::kWait;
    }
    *batch = std::move(a);
    lane.retries.pop_front();
    return Next::kBatch;
  }
  if (Windowed() && lane.window_start) {
    const int64_t end_ms = (*lane.window_start + spec.tumbling_window_seconds) * 1000;
    const bool later_record =
        !lane.queue.empty() &&
        WindowStart(lane.queue.front().created_seconds, spec.tumbling_window_seconds) > *lane.window_start;
    if (lane.terminate_early || later_record || (lane.queue.empty() && now >= end_ms + kWindowGraceMs)) {
      if (now < lane.final_not_before_ms) {
        *wait_ms = lane.final_not_before_ms - now;
        return Next::kWait;
      }
      return Next::kFinal;
    }
    if (lane.queue.empty()) {
      *wait_ms = std::min(*wait_ms, end_ms + kWindowGraceMs - now);
      return Next::kWait;
    }
  }
  if (lane.queue.empty()) return Next::kWait;
  if (spec.maximum_batching_window_seconds > 0 && lane.queue.size() < static_cast<size_t>(spec.batch_size)) {
    const int64_t due = lane.first_queued_ms + spec.maximum_batching_window_seconds * 1000LL;
    if (now < due) {
      *wait_ms = due - now;
      return Next::kWait;
    }
  }
  batch->records = TakeBatch(lane);
  return Next::kBatch;
}

std::vector<MappedRecord> ShardConsumer::TakeBatch(Lane& lane) {
  const auto& spec = shared_->spec;
  std::vector<MappedRecord> out;
  size_t bytes = 64 + (Windowed() ? lane.state.size() + 512 : 0);
  const size_t per_record = 32 + shared_->stream_arn.size();
  while (!lane.queue.empty() && out.size() < static_cast<size_t>(spec.batch_size)) {
    const MappedRecord& r = lane.queue.front();
    if (Windowed()) {
      const int64_t ws = WindowStart(r.created_seconds, spec.tumbling_window_seconds);
      if (!lane.window_start) lane.window_start = ws;
      if (ws > *lane.window_start) break;  // the next window's records wait for this one's end
    }
    const size_t size = r.json.size() + per_record;
    if (!out.empty() && bytes + size > kMaxEventBytes) break;
    bytes += size;
    out.push_back(std::move(lane.queue.front()));
    lane.queue.pop_front();
  }
  lane.first_queued_ms = lane.queue.empty() ? 0 : NowMillis();
  return out;
}

std::string ShardConsumer::BuildEvent(const Lane& lane, const std::vector<MappedRecord>& records,
                                      bool final_invoke) const {
  std::string e = "{\"Records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) e.push_back(',');
    streams::AppendLambdaRecord(&e, records[i].json, shared_->stream_arn);
  }
  e += "]";
  if (Windowed()) {
    const int64_t start = lane.window_start.value_or(0);
    e += ",\"window\":{\"start\":\"" + IsoSeconds(start) + "\",\"end\":\"" +
         IsoSeconds(start + shared_->spec.tumbling_window_seconds) + "\"}";
    e += ",\"state\":" + lane.state;
    e += ",\"shardId\":" + Quoted(shard_id_);
    e += ",\"eventSourceARN\":" + Quoted(shared_->stream_arn);
    e += std::string(",\"isFinalInvokeForWindow\":") + (final_invoke ? "true" : "false");
    e += std::string(",\"isWindowTerminatedEarly\":") + (final_invoke && lane.terminate_early ? "true" : "false");
  }
  e += "}";
  return e;
}

void ShardConsumer::ProcessBatch(Lane& lane, Attempt attempt) {
  const auto& spec = shared_->spec;
  std::vector<MappedRecord>& records = attempt.records;
  // Records older than MaximumRecordAgeInSeconds are not delivered: they go
  // to the on-failure destination (checked again before every retry).
  if (spec.maximum_record_age_seconds >= 0) {
    const int64_t now_s = NowMillis() / 1000;
    std::vector<MappedRecord> expired, fresh;
    for (auto& r : records) {
      (now_s - r.created_seconds > spec.maximum_record_age_seconds ? expired : fresh).push_back(std::move(r));
    }
    if (!expired.empty() && !Discard(expired, "RecordAgeExceeded", attempt.invokes, nullptr)) return;
    records = std::move(fresh);
    if (records.empty()) return;
  }

  InvokeRequest request;
  request.payload = BuildEvent(lane, records, false);
  InvokeResult result = shared_->handler->Invoke(request);
  ++attempt.invokes;
  // Shutdown: the batch is not checkpointed; it comes again after a restart.
  if (Stopping() && shared_->cancel_in_flight) return;

  size_t ok_count = 0;
  std::string why;
  std::optional<std::string> state;
  if (!result.ok) {
    why = (result.error_type.empty() ? std::string("Error") : result.error_type) + ": " + result.error_message;
  } else {
    ok_count = records.size();
    if (Windowed()) {
      state = WindowState(result.payload);
      if (!state) {
        ok_count = 0;
        why = "the function's result has no \"state\" object (a tumbling window needs one)";
      }
    }
    if (ok_count > 0 && spec.report_batch_item_failures) {
      std::vector<std::string> sequences;
      sequences.reserve(records.size());
      for (const auto& r : records) sequences.push_back(streams::FormatSequenceNumber(r.sequence));
      PartialResponse partial = ParsePartialResponse(result.payload, sequences);
      if (partial.all_failed) {
        ok_count = 0;
        why = "the batchItemFailures response is malformed or names a record not in the batch";
      } else if (partial.first_failed) {
        ok_count = *partial.first_failed;
        why = "the function reported record " + sequences[ok_count] + " failed";
      }
    }
  }

  std::vector<uint64_t> succeeded;
  for (size_t i = 0; i < ok_count; ++i) succeeded.push_back(records[i].sequence);
  if (Windowed()) {
    std::lock_guard lock(mu_);
    if (state) {
      lane.state = std::move(*state);
      if (lane.state.size() > kMaxWindowStateBytes) lane.terminate_early = true;
    }
    lane.window_done.insert(lane.window_done.end(), succeeded.begin(), succeeded.end());
  } else if (!succeeded.empty()) {
    Resolve(succeeded);
  }
  if (ok_count == records.size()) {
    shared_->SetResult("OK");
    return;
  }

  std::vector<MappedRecord> failed(std::make_move_iterator(records.begin() + static_cast<ptrdiff_t>(ok_count)),
                                   std::make_move_iterator(records.end()));
  shared_->SetResult(result.ok ? "PROBLEM: Function call failed" : ProblemOf(result));
  const std::string range = std::to_string(failed.size()) + " records";
  const std::string seqs = "sequence " + streams::FormatSequenceNumber(failed.front().sequence) + ".." +
                           streams::FormatSequenceNumber(failed.back().sequence);
  const bool partial = result.ok && ok_count > 0;
  if (spec.bisect_batch_on_function_error && (partial || failed.size() > 1)) {
    // Bisect: the halves (or, after a partial success, the records from the
    // failed one on) are retried at once; this does not use a retry.
    std::lock_guard lock(mu_);
    if (partial) {
      lane.retries.push_front(Attempt{std::move(failed), attempt.retries, attempt.invokes, 0});
    } else {
      auto [first, second] = BisectSizes(failed.size());
      std::vector<MappedRecord> b(std::make_move_iterator(failed.begin() + static_cast<ptrdiff_t>(first)),
                                  std::make_move_iterator(failed.end()));
      failed.resize(first);
      lane.retries.push_front(Attempt{std::move(b), attempt.retries, attempt.invokes, 0});
      lane.retries.push_front(Attempt{std::move(failed), attempt.retries, attempt.invokes, 0});
      (void)second;
    }
    Log("batch of " + range + " failed (" + why + "), " + seqs + "; bisected");
    return;
  }
  if (spec.maximum_retry_attempts >= 0 && attempt.retries >= spec.maximum_retry_attempts) {
    Log("batch of " + range + " failed (" + why + "), " + seqs + "; retries exhausted after " +
        std::to_string(attempt.retries) + " retries");
    Discard(failed, "RetryAttemptsExhausted", attempt.invokes, &result);
    return;
  }
  ++attempt.retries;
  const int64_t backoff = Backoff(attempt.retries);
  Log("batch of " + range + " failed (" + why + "), " + seqs + "; retry " + std::to_string(attempt.retries) + " in " +
      std::to_string(backoff) + " ms");
  std::lock_guard lock(mu_);
  lane.retries.push_front(Attempt{std::move(failed), attempt.retries, attempt.invokes, NowMillis() + backoff});
}

void ShardConsumer::ProcessFinal(Lane& lane) {
  InvokeRequest request;
  request.payload = BuildEvent(lane, {}, true);
  InvokeResult result = shared_->handler->Invoke(request);
  if (Stopping() && shared_->cancel_in_flight) return;
  if (!result.ok) {
    // Lambda suspends the shard until the final invocation succeeds.
    std::lock_guard lock(mu_);
    ++lane.final_failures;
    const int64_t backoff = Backoff(lane.final_failures);
    lane.final_not_before_ms = NowMillis() + backoff;
    shared_->SetResult(ProblemOf(result));
    Log("final invocation of the window " + IsoSeconds(lane.window_start.value_or(0)) + " failed (" +
        result.error_type + ": " + result.error_message + "); retry in " + std::to_string(backoff) + " ms");
    return;
  }
  std::vector<uint64_t> done;
  {
    std::lock_guard lock(mu_);
    done = std::move(lane.window_done);
    lane.window_done.clear();
    lane.state = "{}";
    lane.final_failures = 0;
    lane.final_not_before_ms = 0;
    // Ended early (state too large): the same window goes on, fresh state.
    if (!lane.terminate_early) lane.window_start.reset();
    lane.terminate_early = false;
  }
  shared_->SetResult("OK");
  Resolve(done);
}

bool ShardConsumer::Discard(const std::vector<MappedRecord>& records, const std::string& condition, int invokes,
                            const InvokeResult* last) {
  std::vector<uint64_t> sequences;
  for (const auto& r : records) sequences.push_back(r.sequence);
  const std::string range = std::to_string(records.size()) + " records (" +
                            streams::FormatSequenceNumber(records.front().sequence) + ".." +
                            streams::FormatSequenceNumber(records.back().sequence) + ")";
  if (shared_->destination.empty()) {
    Log(range + " discarded (" + condition + "; no on-failure destination)");
    Resolve(sequences);
    return true;
  }
  FailedBatch b;
  b.condition = condition;
  b.request_id = last && !last->request_id.empty() ? last->request_id : NewUuid();
  b.function_arn = shared_->function_arn;
  b.invoke_count = invokes;
  if (last) {
    // The function ran and failed (exec handlers before the Lambda runtime
    // say so only through the error type).
    const bool ran = last->ok || last->function_error || last->error_type == "Unhandled" ||
                     last->error_type.rfind("Sandbox.", 0) == 0;
    b.status_code = last->throttled ? 429 : (ran ? 200 : 500);
    if (ran && !last->ok) b.function_error = "Unhandled";
  }
  b.shard_id = shard_id_;
  b.stream_arn = shared_->stream_arn;
  b.first_sequence = streams::FormatSequenceNumber(records.front().sequence);
  b.last_sequence = streams::FormatSequenceNumber(records.back().sequence);
  b.first_created_seconds = records.front().created_seconds;
  b.last_created_seconds = records.back().created_seconds;
  b.batch_size = records.size();
  const std::string record = OnFailureRecord(b, NowMillis());
  for (int failures = 0;; ++failures) {
    Status s = shared_->destination.Send(record, shared_->ctx);
    if (s.ok()) break;
    const int64_t backoff = Backoff(failures + 1);
    Log("on-failure destination refused " + range + " (" + s.message() + "); retry in " +
        std::to_string(backoff) + " ms");
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(backoff), [this] { return Stopping(); });
    if (Stopping()) return false;
  }
  Log(range + " sent to the on-failure destination (" + condition + ")");
  Resolve(sequences);
  return true;
}

void ShardConsumer::Resolve(const std::vector<uint64_t>& sequences) {
  bool wake_reader = false;
  {
    std::lock_guard lock(mu_);
    for (uint64_t s : sequences) tracker_.Done(s);
    if (reader_blocked_ && tracker_.outstanding() < max_buffered_) {
      reader_blocked_ = false;
      wake_reader = true;
    }
  }
  CheckpointLater();
  if (wake_reader && shared_->ctx.notifier) shared_->ctx.notifier->Notify();
}

void ShardConsumer::SaveCheckpoint() {
  uint64_t checkpoint;
  {
    std::lock_guard lock(mu_);
    checkpoint = tracker_.checkpoint();
  }
  std::lock_guard lock(save_mu_);
  if (checkpoint <= saved_) return;
  Status s = shared_->ctx.checkpoints->Save(checkpoint_key_, checkpoint);
  if (!s.ok()) {
    // Not lost: those records are delivered again (at least once), never
    // skipped; the next completion or poll tries again.
    Log("checkpoint write failed: " + s.message());
    return;
  }
  saved_ = checkpoint;
}

}  // namespace streamer::functions
