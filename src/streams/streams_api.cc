#include "streams/streams_api.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <tuple>

#include "core/clock.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"
#include "streams/shard_iterator.h"
#include "streams/stream_record.h"

namespace streamer::streams {

namespace {

constexpr int64_t kMaxRecordsPerCall = 1000;
// As AWS: GetRecords returns at most 1 MB of records (always at least one).
constexpr size_t kMaxBytesPerCall = 1024 * 1024;
// AWS's description of TrimmedDataAccessException (its API reference).
constexpr std::string_view kTrimmedMessage = "The operation attempted to read past the oldest stream record in a shard.";

std::string Quote(std::string_view s) { return json::serialize(json::string(s)); }

// "arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>" -> name, label.
std::optional<std::pair<std::string_view, std::string_view>> ParseStreamArn(std::string_view arn) {
  const size_t t = arn.find(":table/");
  const size_t s = arn.find("/stream/");
  if (arn.substr(0, 4) != "arn:" || t == std::string_view::npos || s == std::string_view::npos || s < t + 7) {
    return std::nullopt;
  }
  std::string_view name = arn.substr(t + 7, s - t - 7);
  std::string_view label = arn.substr(s + 8);
  if (name.empty() || label.empty()) return std::nullopt;
  return std::make_pair(name, label);
}

Status NullMember(std::string_view member) {
  return Status::Validation("1 validation error detected: Value null at '" + std::string(member) +
                            "' failed to satisfy constraint: Member must not be null");
}

// As Kinesis-style services word it: "Thu Jul 02 12:57:57 UTC 2015".
std::string UtcTime(int64_t millis) {
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

}  // namespace

StreamsApi::StreamsApi(dynamo::TableCatalog* catalog, const StreamSource* source, StreamsApiOptions options)
    : catalog_(catalog), source_(source), options_(options) {}

void StreamsApi::Handle(std::string_view operation, std::string_view body,
                        const dynamo::ReplyFn& reply) {
  auto parsed = ParseJson(body);
  if (!parsed || !parsed->is_object()) {
    reply(dynamo::ErrorReply(Status::Of(Code::kSerialization,
                                           "Start of structure or map found where not expected")));
    return;
  }
  using Op = Result<std::string> (StreamsApi::*)(const json::object&);
  static const std::map<std::string_view, Op, std::less<>> kOps = {
      {"ListStreams", &StreamsApi::ListStreams},
      {"DescribeStream", &StreamsApi::DescribeStream},
      {"GetShardIterator", &StreamsApi::GetShardIterator},
      {"GetRecords", &StreamsApi::GetRecords},
  };
  auto it = kOps.find(operation);
  if (it == kOps.end()) {
    reply(dynamo::ErrorReply(Status::Of(Code::kUnknownOperation, "")));
    return;
  }
  Result<std::string> out = (this->*(it->second))(parsed->as_object());
  reply(out ? dynamo::ApiReply{200, std::move(*out)} : dynamo::ErrorReply(out.status()));
}

Result<dynamo::TablePtr> StreamsApi::TableOfStream(std::string_view arn) const {
  const Status missing = Status::Of(Code::kResourceNotFound, "Requested resource not found: Stream: " + std::string(arn) + " not found");
  auto parts = ParseStreamArn(arn);
  if (!parts) return missing;
  dynamo::TablePtr table = catalog_->Find(parts->first);
  dynamo::TablePtr stream = table ? table->StreamOf(arn) : nullptr;  // current or disabled
  if (!stream) return missing;
  return stream;
}

Result<std::string> StreamsApi::ListStreams(const json::object& r) {
  auto limit = dynamo::OptionalInt(r, "Limit", 1, 100);
  if (!limit) return limit.status();
  auto table_name = dynamo::OptionalString(r, "TableName");
  if (!table_name) return table_name.status();
  auto start = dynamo::OptionalString(r, "ExclusiveStartStreamArn");
  if (!start) return start.status();
  if (*table_name) {
    auto valid = dynamo::TableNameOf(r);  // length and pattern
    if (!valid) return valid.status();
  }
  if (Status s = dynamo::CheckLength(*start, "exclusiveStartStreamArn", 37, 1024); !s.ok()) return s;
  // The list is ordered by table name, then stream label (its creation
  // time), so a page can start after a stream that no longer exists.
  std::optional<std::pair<std::string_view, std::string_view>> after;
  if (*start) {
    after = ParseStreamArn(**start);
    if (!after) return Status::Validation("Invalid ExclusiveStartStreamArn: " + **start);
  }
  if (*table_name && !catalog_->Find(**table_name)) {
    return Status::Of(Code::kResourceNotFound,
                         "Requested resource not found: Table: " + **table_name + " not found");
  }
  // Every stream of every table: disabled ones too (readable until deleted).
  struct Listed {
    std::string arn, table, label;
  };
  std::vector<Listed> all;
  for (const dynamo::TablePtr& t : catalog_->List()) {
    if (*table_name && t->name != **table_name) continue;
    for (const dynamo::PastStream& p : t->past_streams) all.push_back({p.arn, t->name, p.label});
    if (t->has_stream()) all.push_back({t->stream_arn, t->name, t->stream_label});
  }
  std::stable_sort(all.begin(), all.end(), [](const Listed& a, const Listed& b) {
    return std::tie(a.table, a.label) < std::tie(b.table, b.label);
  });
  json::array streams;
  std::string last;
  bool more = false;
  const size_t page = static_cast<size_t>(limit->value_or(100));
  for (const Listed& l : all) {
    if (after && std::make_pair(std::string_view(l.table), std::string_view(l.label)) <= *after) continue;
    if (streams.size() == page) {
      more = true;
      break;
    }
    streams.push_back(json::object{{"StreamArn", l.arn}, {"TableName", l.table}, {"StreamLabel", l.label}});
    last = l.arn;
  }
  json::object out{{"Streams", std::move(streams)}};
  if (more) out["LastEvaluatedStreamArn"] = last;
  return json::serialize(out);
}

Result<std::string> StreamsApi::DescribeStream(const json::object& r) {
  auto arn = dynamo::OptionalString(r, "StreamArn");
  if (!arn) return arn.status();
  if (!*arn) return NullMember("streamArn");
  auto limit = dynamo::OptionalInt(r, "Limit", 1, 100);
  if (!limit) return limit.status();
  auto start = dynamo::OptionalString(r, "ExclusiveStartShardId");
  if (!start) return start.status();
  auto filter = dynamo::OptionalObject(r, "ShardFilter");
  if (!filter) return filter.status();
  std::optional<std::string> filter_type, filter_shard;
  if (*filter) {
    auto type = dynamo::OptionalString(**filter, "Type");
    if (!type) return type.status();
    auto shard = dynamo::OptionalString(**filter, "ShardId");
    if (!shard) return shard.status();
    filter_type = *type;
    filter_shard = *shard;
  }
  if (Status s = dynamo::CheckLength(*arn, "streamArn", 37, 1024); !s.ok()) return s;
  if (Status s = dynamo::CheckLength(*start, "exclusiveStartShardId", 28, 65); !s.ok()) return s;
  if (*filter) {
    if (filter_type && *filter_type != "CHILD_SHARDS") {
      return dynamo::ConstraintError(*filter_type, "shardFilter.type", "Member must satisfy enum value set: [CHILD_SHARDS]");
    }
    if (Status s = dynamo::CheckLength(filter_shard, "shardFilter.shardId", 28, 65); !s.ok()) return s;
    if (!filter_type || !filter_shard) {
      return Status::Validation("ShardFilter needs both Type (CHILD_SHARDS) and ShardId");
    }
  }
  auto table = TableOfStream(**arn);
  if (!table) return table.status();
  const dynamo::TableInfo& t = **table;
  const int shard_count = source_->ShardCount(t);
  if (filter_shard && ShardIndex(*filter_shard, t.stream_created_millis, shard_count) < 0) {
    return Status::Of(Code::kResourceNotFound, "Requested resource not found: Shard: " + *filter_shard + " not found");
  }

  json::array shards;
  std::string last;
  bool more = false;
  const size_t page = static_cast<size_t>(limit->value_or(100));
  // A shard's children are the shards naming it as their parent; ours have
  // no lineage yet (no rollover), so a CHILD_SHARDS filter finds none.
  for (int i = 0; i < shard_count && !filter_shard; ++i) {
    const std::string id = ShardId(t.stream_created_millis, i);
    if (*start && id <= **start) continue;  // shard ids of a stream sort by index
    if (shards.size() == page) {
      more = true;
      break;
    }
    const uint64_t first = source_->FirstSequence(t, i);
    json::object range;
    if (t.stream_disabled) {
      // A disabled stream's shards are closed: they end at their last record
      // (or, when none is left, at the last one trimmed).
      const uint64_t end = source_->LastSequence(t, i);
      const uint64_t horizon = source_->TrimHorizon(t, i);
      const uint64_t closed_at = end ? end : (horizon ? horizon - 1 : 0);
      range["StartingSequenceNumber"] = FormatSequenceNumber(first ? first : closed_at);
      range["EndingSequenceNumber"] = FormatSequenceNumber(closed_at);
    } else {
      range["StartingSequenceNumber"] = FormatSequenceNumber(first ? first : source_->DurableSequence(t, i) + 1);
    }
    shards.push_back(json::object{{"ShardId", id}, {"SequenceNumberRange", std::move(range)}});
    last = id;
  }
  json::object d{{"StreamArn", t.stream_arn},
                 {"StreamLabel", t.stream_label},
                 {"StreamStatus", t.stream_disabled ? "DISABLED" : "ENABLED"},
                 {"StreamViewType", StreamViewName(t.stream_view)},
                 {"CreationRequestDateTime", static_cast<double>(t.stream_created_millis) / 1000.0},
                 {"TableName", t.name},
                 {"KeySchema", dynamo::KeySchemaJson(t.key_schema)},
                 {"Shards", std::move(shards)}};
  if (more) d["LastEvaluatedShardId"] = last;
  return json::serialize(json::object{{"StreamDescription", std::move(d)}});
}

Result<std::string> StreamsApi::GetShardIterator(const json::object& r) {
  auto arn = dynamo::OptionalString(r, "StreamArn");
  if (!arn) return arn.status();
  auto shard_id = dynamo::OptionalString(r, "ShardId");
  if (!shard_id) return shard_id.status();
  auto type = dynamo::OptionalString(r, "ShardIteratorType");
  if (!type) return type.status();
  auto seq_text = dynamo::OptionalString(r, "SequenceNumber");
  if (!seq_text) return seq_text.status();
  for (auto [member, value] : {std::pair{"streamArn", &*arn}, {"shardId", &*shard_id},
                               {"shardIteratorType", &*type}}) {
    if (!*value) return NullMember(member);
  }
  if (Status s = dynamo::CheckLength(*arn, "streamArn", 37, 1024); !s.ok()) return s;
  if (Status s = dynamo::CheckLength(*shard_id, "shardId", 28, 65); !s.ok()) return s;
  if (Status s = dynamo::CheckLength(*seq_text, "sequenceNumber", 21, 40); !s.ok()) return s;
  const std::string& kind = **type;
  if (kind != "TRIM_HORIZON" && kind != "LATEST" && kind != "AT_SEQUENCE_NUMBER" &&
      kind != "AFTER_SEQUENCE_NUMBER") {
    return dynamo::ConstraintError(kind, "shardIteratorType",
                                   "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
  }
  const bool by_sequence = kind == "AT_SEQUENCE_NUMBER" || kind == "AFTER_SEQUENCE_NUMBER";
  if (by_sequence && !*seq_text) {
    return Status::Validation("A sequence number is required for the iterator type " + kind);
  }
  if (!by_sequence && *seq_text) {
    return Status::Validation("A sequence number may only be given for AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER iterators");
  }
  std::optional<uint64_t> seq;
  if (by_sequence) {
    auto parsed = ParseSequenceNumber(**seq_text);
    if (!parsed) return parsed.status();
    seq = *parsed;
  }
  auto table = TableOfStream(**arn);
  if (!table) return table.status();
  const dynamo::TableInfo& t = **table;
  const int shard = ShardIndex(**shard_id, t.stream_created_millis, source_->ShardCount(t));
  if (shard < 0) {
    return Status::Of(Code::kResourceNotFound, "Requested resource not found: Shard does not exist");
  }
  ShardIterator it{**arn, shard, 0, NowMillis()};
  const uint64_t horizon = source_->TrimHorizon(t, shard);
  if (kind == "TRIM_HORIZON") {
    it.next_sequence = horizon;
  } else if (kind == "LATEST") {
    it.next_sequence = source_->DurableSequence(t, shard) + 1;
  } else {
    if (*seq > source_->DurableSequence(t, shard)) {
      return Status::Validation("Invalid SequenceNumber: " + **seq_text + " is beyond the end of shard " + **shard_id);
    }
    it.next_sequence = kind == "AFTER_SEQUENCE_NUMBER" ? *seq + 1 : *seq;
    // Before the horizon: the record was trimmed (AFTER the last record
    // trimmed is fine: nothing after it is gone, and it need not exist).
    if (it.next_sequence < horizon) return Status::Of(Code::kTrimmedDataAccess, std::string(kTrimmedMessage));
    if (*seq >= horizon && !source_->HasRecord(t, shard, *seq)) {
      return Status::Validation("Invalid SequenceNumber: " + **seq_text + " is not a sequence number of shard " +
                                **shard_id);
    }
  }
  return "{\"ShardIterator\":" + Quote(EncodeShardIterator(it)) + "}";
}

Result<std::string> StreamsApi::GetRecords(const json::object& r) {
  auto text = dynamo::OptionalString(r, "ShardIterator");
  if (!text) return text.status();
  if (!*text) return NullMember("shardIterator");
  auto limit = dynamo::OptionalInt(r, "Limit", 1, kMaxRecordsPerCall);
  if (!limit) return limit.status();
  if (Status s = dynamo::CheckLength(*text, "shardIterator", 1, 2048); !s.ok()) return s;
  auto it = DecodeShardIterator(**text);
  if (!it) return Status::Validation("Invalid ShardIterator");
  const int64_t now = NowMillis();
  const int64_t lifetime = options_.iterator_lifetime.count();
  if (now - it->issued_millis > lifetime) {
    return Status::Of(Code::kExpiredIterator,
                      "Iterator expired. The iterator was created at time " + UtcTime(it->issued_millis) +
                          " while right now it is " + UtcTime(now) +
                          " which is further in the future than the tolerated delay of " + std::to_string(lifetime) +
                          " milliseconds.");
  }
  auto table = TableOfStream(it->stream_arn);
  if (!table) return table.status();
  const dynamo::TableInfo& t = **table;
  if (it->shard >= source_->ShardCount(t)) return Status::Validation("Invalid ShardIterator");

  auto records = source_->Read(t, it->shard, it->next_sequence,
                               static_cast<size_t>(limit->value_or(kMaxRecordsPerCall)), kMaxBytesPerCall);
  // Checked after the read: a trim that landed before it moved the horizon
  // in the same write that deleted the records, so it is seen here.
  if (it->next_sequence < source_->TrimHorizon(t, it->shard)) {
    return Status::Of(Code::kTrimmedDataAccess, std::string(kTrimmedMessage));
  }
  std::string out = "{\"Records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) out.push_back(',');
    out += records[i].json;
  }
  out += "]";
  ShardIterator next = *it;
  if (!records.empty()) next.next_sequence = records.back().sequence + 1;
  next.issued_millis = now;
  // A closed shard read past its end has no next iterator (AWS: null, "the
  // shard has been closed and the requested iterator will not return any
  // more data"); the page with its last record still has one.
  if (records.empty() && t.stream_disabled && next.next_sequence > source_->LastSequence(t, it->shard)) {
    return out + "}";
  }
  out += ",\"NextShardIterator\":" + Quote(EncodeShardIterator(next)) + "}";
  return out;
}

}  // namespace streamer::streams
