#include "streams/stream_record.h"

#include <cstdio>

#include "core/ids.h"
#include "storage/store.h"

namespace streamer::streams {

std::string ShardPrefix(uint32_t table_id, int shard) {
  std::string key;
  key.reserve(14);
  storage::AppendU32(&key, table_id);
  storage::AppendU16(&key, static_cast<uint16_t>(shard));
  return key;
}

std::string RecordKey(uint32_t table_id, int shard, uint64_t sequence) {
  std::string key = ShardPrefix(table_id, shard);
  storage::AppendU64(&key, sequence);
  return key;
}

uint64_t SequenceOfKey(std::string_view key) { return storage::ReadU64(key.substr(6)); }

int64_t RecordCreationSeconds(std::string_view record) {
  // BuildRecord writes it near the front, as a plain integer.
  static constexpr std::string_view kMember = "\"ApproximateCreationDateTime\":";
  const size_t at = record.find(kMember);
  if (at == std::string_view::npos) return -1;
  int64_t v = 0;
  size_t i = at + kMember.size();
  const size_t start = i;
  for (; i < record.size() && record[i] >= '0' && record[i] <= '9' && i - start < 18; ++i) v = v * 10 + (record[i] - '0');
  return i == start ? -1 : v;
}

std::string FormatSequenceNumber(uint64_t sequence) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%021llu", static_cast<unsigned long long>(sequence));
  return buf;
}

Result<uint64_t> ParseSequenceNumber(std::string_view text) {
  if (text.empty() || text.size() > 40) return Status::Validation("Invalid SequenceNumber: " + std::string(text));
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::Validation("Invalid SequenceNumber: " + std::string(text));
    if (v > (UINT64_MAX - 9) / 10) return Status::Validation("Invalid SequenceNumber: " + std::string(text));
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::string ShardId(int64_t stream_creation_millis, int shard) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "shardId-%020lld-%08x", static_cast<long long>(stream_creation_millis),
                static_cast<unsigned>(shard));
  return buf;
}

int ShardIndex(std::string_view shard_id, int64_t stream_creation_millis, int shard_count) {
  for (int i = 0; i < shard_count; ++i) {
    if (ShardId(stream_creation_millis, i) == shard_id) return i;
  }
  return -1;
}

std::string_view StreamViewName(StreamViewType view) {
  switch (view) {
    case StreamViewType::kKeysOnly: return "KEYS_ONLY";
    case StreamViewType::kNewImage: return "NEW_IMAGE";
    case StreamViewType::kOldImage: return "OLD_IMAGE";
    case StreamViewType::kNewAndOldImages: return "NEW_AND_OLD_IMAGES";
    case StreamViewType::kNone: break;
  }
  return "";
}

StreamViewType ParseStreamView(std::string_view name) {
  for (auto v : {StreamViewType::kKeysOnly, StreamViewType::kNewImage, StreamViewType::kOldImage,
                 StreamViewType::kNewAndOldImages}) {
    if (StreamViewName(v) == name) return v;
  }
  return StreamViewType::kNone;
}

namespace {
// Who made a TTL delete: the Streams API's Identity shape, and Lambda's.
constexpr std::string_view kStreamsTtlIdentity =
    ",\"userIdentity\":{\"PrincipalId\":\"dynamodb.amazonaws.com\",\"Type\":\"Service\"}";
constexpr std::string_view kLambdaTtlIdentity =
    ",\"userIdentity\":{\"type\":\"Service\",\"principalId\":\"dynamodb.amazonaws.com\"}";
}  // namespace

std::string BuildRecord(const Change& change, StreamViewType view_type, uint64_t sequence,
                        std::string_view region, int64_t now_millis) {
  const bool want_new = KeepsNewImage(view_type);
  const bool want_old = KeepsOldImage(view_type);
  std::string r;
  r.reserve(256 + change.keys_json.size() + change.old_image_json.size() + change.new_image_json.size());
  r += "{\"awsRegion\":";
  r += json::serialize(json::string(region));
  r += ",\"dynamodb\":{\"ApproximateCreationDateTime\":";
  r += std::to_string(now_millis / 1000);
  r += ",\"Keys\":";
  r += change.keys_json;
  if (want_new && !change.new_image_json.empty()) {
    r += ",\"NewImage\":";
    r += change.new_image_json;
  }
  if (want_old && !change.old_image_json.empty()) {
    r += ",\"OldImage\":";
    r += change.old_image_json;
  }
  r += ",\"SequenceNumber\":\"";
  r += FormatSequenceNumber(sequence);
  r += "\",\"SizeBytes\":";
  r += std::to_string(change.size_bytes);
  r += ",\"StreamViewType\":\"";
  r += StreamViewName(view_type);
  r += "\"},\"eventID\":\"";
  r += RandomHex(16);
  r += "\",\"eventName\":\"";
  r += change.event_name;
  r += "\",\"eventSource\":\"aws:dynamodb\",\"eventVersion\":\"1.1\"";
  if (change.by_ttl) r += kStreamsTtlIdentity;
  r += "}";
  return r;
}

void AppendLambdaRecord(std::string* out, std::string_view stored_record,
                        std::string_view stream_arn) {
  // The stored record is a JSON object: splice the ARN in before its '}'.
  std::string_view body = stored_record.substr(0, stored_record.size() - 1);
  // Lambda spells the TTL identity's members in lower camel case.
  if (body.size() >= kStreamsTtlIdentity.size() &&
      body.substr(body.size() - kStreamsTtlIdentity.size()) == kStreamsTtlIdentity) {
    out->append(body.substr(0, body.size() - kStreamsTtlIdentity.size()));
    out->append(kLambdaTtlIdentity);
  } else {
    out->append(body);
  }
  out->append(",\"eventSourceARN\":");
  out->append(json::serialize(json::string(stream_arn)));
  out->push_back('}');
}

}  // namespace streamer::streams
