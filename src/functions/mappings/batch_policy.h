// The batch policy of an event source mapping: the pure rules that decide
// what goes into a batch and what a batch's outcome means, kept apart from
// threads and I/O so they can be tested alone (mappings_test.cc).
//   - lanes: ParallelizationFactor; one item key always maps to one lane
//   - the completion tracker: how far a shard's checkpoint may advance when
//     batches of several lanes finish out of order
//   - bisect: the halves of a failed batch
//   - partial batch responses (ReportBatchItemFailures)
//   - tumbling windows: window bounds and the function's returned state
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace streamer::functions {

// One stream record as a mapping carries it.
struct MappedRecord {
  uint64_t sequence = 0;
  int64_t created_seconds = 0;  // dynamodb.ApproximateCreationDateTime
  std::string json;             // the stored Streams API record
  int lane = 0;
};

// The fields a mapping needs from a stored record, and the lane of its item
// key among `lanes`. Fails for a record that is not a stream record.
Result<MappedRecord> ParseMappedRecord(uint64_t sequence, std::string json, int lanes,
                                       json::value* parsed = nullptr);

// The lane of an item: FNV-1a of its Keys JSON (the writer spells one key's
// Keys the same way every time), so one key's records stay in one lane and
// keep their order.
int LaneOf(std::string_view keys_json, int lanes);

// Sequences handed to lanes, in stream order, and which are resolved
// (succeeded, filtered out, sent to the on-failure destination, or skipped
// after their retries). The checkpoint is the highest sequence below which
// everything is resolved, so a restart there loses nothing.
class CompletionTracker {
 public:
  explicit CompletionTracker(uint64_t checkpoint = 0) : checkpoint_(checkpoint), last_added_(checkpoint) {}
  // A record read from the shard; sequences increase.
  void Add(uint64_t sequence);
  void Done(uint64_t sequence);
  uint64_t checkpoint() const;
  size_t outstanding() const { return outstanding_.size(); }

 private:
  uint64_t checkpoint_;
  uint64_t last_added_;
  std::set<uint64_t> outstanding_;
};

// BisectBatchOnFunctionError: a failed batch of n > 1 records is retried as
// two halves, the first ceil(n/2) records first. Returns the halves' sizes.
std::pair<size_t, size_t> BisectSizes(size_t n);

// What a function's result says about its batch (ReportBatchItemFailures).
struct PartialResponse {
  bool all_failed = false;          // malformed response or unknown identifier
  std::optional<size_t> first_failed;  // index of the lowest failed record
};
// `sequences` are the batch's SequenceNumbers in order. An empty, null or
// absent list (or no JSON object at all) means every record succeeded.
PartialResponse ParsePartialResponse(std::string_view payload, const std::vector<std::string>& sequences);

// Tumbling windows: records belong to the window their creation time falls in.
inline int64_t WindowStart(int64_t created_seconds, int window_seconds) {
  const int64_t w = window_seconds;
  return (created_seconds >= 0 ? created_seconds : created_seconds - (w - 1)) / w * w;
}
// "2020-07-30T17:00:00Z"
std::string IsoSeconds(int64_t epoch_seconds);
// The function's returned {"state":{...}} as JSON text; nothing when the
// result has no object "state" (Lambda counts that as a failed invocation).
std::optional<std::string> WindowState(std::string_view payload);

// The largest tumbling-window state Lambda keeps per shard; a larger one
// ends the window early.
constexpr size_t kMaxWindowStateBytes = 1024 * 1024;

}  // namespace streamer::functions
