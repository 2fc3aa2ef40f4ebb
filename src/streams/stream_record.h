// Stream records: how a change is written next to its item (same WriteBatch)
// and read back by the Streams API and by event source mappings.
//
// A record is stored as the JSON the Streams API returns for it
// (GetRecords' `Records[i]`); Lambda's event record is the same object plus
// `eventSourceARN`, added on the way out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"

namespace streamer::streams {

// What a stream record carries besides the keys (StreamViewType).
enum class StreamViewType { kNone, kKeysOnly, kNewImage, kOldImage, kNewAndOldImages };
// AWS's name ("NEW_IMAGE", ...); "" for kNone.
std::string_view StreamViewName(StreamViewType view);
// kNone for a name that is not one.
StreamViewType ParseStreamView(std::string_view name);
inline bool KeepsNewImage(StreamViewType v) {
  return v == StreamViewType::kNewImage || v == StreamViewType::kNewAndOldImages;
}
inline bool KeepsOldImage(StreamViewType v) {
  return v == StreamViewType::kOldImage || v == StreamViewType::kNewAndOldImages;
}

// Storage key: [table id u32][shard u16][sequence u64], all big-endian, so a
// shard's records are one ordered range.
std::string RecordKey(uint32_t table_id, int shard, uint64_t sequence);
std::string ShardPrefix(uint32_t table_id, int shard);
uint64_t SequenceOfKey(std::string_view key);
// Whether a key of the stream family is a record's (and not a shard's trim
// horizon, which is stored under the bare ShardPrefix).
inline bool IsRecordKey(std::string_view key) { return key.size() == 14; }
// The epoch seconds of a stored record's ApproximateCreationDateTime, or -1.
int64_t RecordCreationSeconds(std::string_view record);

// Sequence numbers travel as fixed-width decimal strings, like AWS's.
std::string FormatSequenceNumber(uint64_t sequence);
Result<uint64_t> ParseSequenceNumber(std::string_view text);

// "shardId-<20 digit stream creation ms>-<8 hex shard index>".
std::string ShardId(int64_t stream_creation_millis, int shard);
// The shard index of a shard id of this stream, or -1.
int ShardIndex(std::string_view shard_id, int64_t stream_creation_millis, int shard_count);

// A change, with its key and images as JSON text: the write path has them
// serialized already (the stored item bytes), so the record is spliced
// together rather than built and serialized again.
struct Change {
  std::string_view event_name;      // INSERT | MODIFY | REMOVE
  std::string_view keys_json;       // {"pk":{"S":"a"}}
  std::string_view old_image_json;  // "" when none
  std::string_view new_image_json;  // "" when none
  size_t size_bytes;                // keys + images as DynamoDB counts them
  bool by_ttl = false;              // a TTL delete: userIdentity is the DynamoDB service
};

// Builds the record for `change` as `view_type` shows it.
std::string BuildRecord(const Change& change, StreamViewType view_type, uint64_t sequence,
                        std::string_view region, int64_t now_millis);

// Lambda's event record: the stored record with eventSourceARN appended.
void AppendLambdaRecord(std::string* out, std::string_view stored_record,
                        std::string_view stream_arn);

}  // namespace streamer::streams
