#include "functions/mappings/batch_policy.h"

#include <ctime>

#include "core/hash.h"

namespace streamer::functions {

Result<MappedRecord> ParseMappedRecord(uint64_t sequence, std::string text, int lanes, json::value* parsed) {
  auto v = ParseJson(text);
  if (!v || !v->is_object()) return Status::Corruption("stream record " + std::to_string(sequence) + " is not JSON");
  const json::value* d = Find(*v, "dynamodb");
  const json::value* keys = d ? Find(*d, "Keys") : nullptr;
  const json::value* created = d ? Find(*d, "ApproximateCreationDateTime") : nullptr;
  if (!keys || !created || !created->is_number()) {
    return Status::Corruption("stream record " + std::to_string(sequence) + " has no Keys or creation time");
  }
  MappedRecord r;
  r.sequence = sequence;
  r.created_seconds = static_cast<int64_t>(created->to_number<double>());
  r.lane = LaneOf(json::serialize(*keys), lanes);
  r.json = std::move(text);
  if (parsed) *parsed = std::move(*v);
  return r;
}

int LaneOf(std::string_view keys_json, int lanes) {
  if (lanes <= 1) return 0;
  return static_cast<int>(Fnv1a(keys_json) % static_cast<uint64_t>(lanes));
}

void CompletionTracker::Add(uint64_t sequence) {
  outstanding_.insert(sequence);
  if (sequence > last_added_) last_added_ = sequence;
}

void CompletionTracker::Done(uint64_t sequence) {
  outstanding_.erase(sequence);
}

uint64_t CompletionTracker::checkpoint() const {
  // Sequences have gaps (a writer's counter is shared by many shards), so
  // "everything below the lowest unresolved one" is the position.
  if (outstanding_.empty()) return last_added_;
  return std::max(checkpoint_, *outstanding_.begin() - 1);
}

std::pair<size_t, size_t> BisectSizes(size_t n) {
  const size_t first = (n + 1) / 2;
  return {first, n - first};
}

PartialResponse ParsePartialResponse(std::string_view payload, const std::vector<std::string>& sequences) {
  PartialResponse out;
  auto v = ParseJson(payload);
  if (!v || !v->is_object()) return out;  // null / empty EventResponse: success
  const json::value* failures = Find(*v, "batchItemFailures");
  if (!failures || failures->is_null()) return out;
  if (!failures->is_array()) {
    out.all_failed = true;
    return out;
  }
  for (const json::value& f : failures->as_array()) {
    const json::value* id = Find(f, "itemIdentifier");
    if (!id || !id->is_string() || id->as_string().empty()) {
      out.all_failed = true;
      return out;
    }
    std::string_view want(id->as_string().data(), id->as_string().size());
    size_t i = 0;
    while (i < sequences.size() && sequences[i] != want) ++i;
    if (i == sequences.size()) {
      out.all_failed = true;  // an identifier not in the batch
      return out;
    }
    if (!out.first_failed || i < *out.first_failed) out.first_failed = i;
  }
  return out;
}

std::string IsoSeconds(int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<std::string> WindowState(std::string_view payload) {
  auto v = ParseJson(payload);
  if (!v || !v->is_object()) return std::nullopt;
  const json::value* state = Find(*v, "state");
  if (!state || !state->is_object()) return std::nullopt;
  return json::serialize(*state);
}

}  // namespace streamer::functions
