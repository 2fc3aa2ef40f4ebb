#include "streams/streams_api.h"

#include <map>

#include "core/clock.h"
#include "core/base64.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"
#include "streams/stream_record.h"

namespace streamer::streams {

namespace {

constexpr int64_t kIteratorLifetimeMillis = 15 * 60 * 1000;  // as AWS: 15 minutes
constexpr int64_t kMaxRecordsPerCall = 1000;
// As AWS: GetRecords returns at most 1 MB of records (always at least one).
constexpr size_t kMaxBytesPerCall = 1024 * 1024;

struct Iterator {
  std::string stream_arn;
  int shard = 0;
  uint64_t next_sequence = 0;
  int64_t issued_millis = 0;
};

std::string EncodeIterator(const Iterator& it) {
  return Base64Encode("v1|" + it.stream_arn + "|" + std::to_string(it.shard) + "|" +
                              std::to_string(it.next_sequence) + "|" + std::to_string(it.issued_millis));
}

Result<Iterator> DecodeIterator(std::string_view text) {
  const Status invalid = Status::Validation("Invalid ShardIterator");
  auto raw = Base64Decode(text);
  if (!raw || raw->rfind("v1|", 0) != 0) return invalid;
  std::vector<std::string> parts;
  size_t start = 3;
  while (true) {
    size_t bar = raw->find('|', start);
    parts.push_back(raw->substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  if (parts.size() != 4) return invalid;
  Iterator it;
  it.stream_arn = parts[0];
  try {
    it.shard = std::stoi(parts[1]);
    it.next_sequence = std::stoull(parts[2]);
    it.issued_millis = std::stoll(parts[3]);
  } catch (...) {
    return invalid;
  }
  return it;
}

std::string Quote(std::string_view s) { return json::serialize(json::string(s)); }

}  // namespace

StreamsApi::StreamsApi(dynamo::TableCatalog* catalog, const StreamSource* source)
    : catalog_(catalog), source_(source) {}

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
  // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
  const Status missing = Status::Of(Code::kResourceNotFound, "Requested resource not found: Stream: " + std::string(arn) + " not found");
  size_t t = arn.find(":table/");
  size_t s = arn.find("/stream/");
  if (t == std::string_view::npos || s == std::string_view::npos || s < t) return missing;
  dynamo::TablePtr table = catalog_->Find(arn.substr(t + 7, s - t - 7));
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
  if (*table_name && !catalog_->Find(**table_name)) {
    return Status::Of(Code::kResourceNotFound,
                         "Requested resource not found: Table: " + **table_name + " not found");
  }
  json::array streams;
  std::string last;
  bool more = false;
  bool past_start = !*start;
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
  for (const Listed& l : all) {
    if (!past_start) {
      past_start = l.arn == **start;
      continue;
    }
    if (streams.size() == static_cast<size_t>(limit->value_or(100))) {
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
  if (!*arn) {
    return Status::Validation("1 validation error detected: Value null at 'streamArn' failed to satisfy constraint: Member must not be null");
  }
  auto limit = dynamo::OptionalInt(r, "Limit", 1, 100);
  if (!limit) return limit.status();
  auto start = dynamo::OptionalString(r, "ExclusiveStartShardId");
  if (!start) return start.status();
  if (Status s = dynamo::CheckLength(*arn, "streamArn", 37, 1024); !s.ok()) return s;
  if (Status s = dynamo::CheckLength(*start, "exclusiveStartShardId", 28, 65); !s.ok()) return s;
  auto table = TableOfStream(**arn);
  if (!table) return table.status();
  const dynamo::TableInfo& t = **table;

  json::array shards;
  std::string last;
  bool more = false;
  for (int i = 0; i < source_->ShardCount(t); ++i) {
    const std::string id = ShardId(t.stream_created_millis, i);
    if (*start && id <= **start) continue;
    if (shards.size() == static_cast<size_t>(limit->value_or(100))) {
      more = true;
      break;
    }
    uint64_t first = source_->FirstSequence(t, i);
    if (first == 0) first = source_->DurableSequence(t, i) + 1;
    json::object range{{"StartingSequenceNumber", FormatSequenceNumber(first)}};
    // A disabled stream's shards are closed: they end at their last record.
    if (t.stream_disabled) {
      if (uint64_t last = source_->LastSequence(t, i)) range["EndingSequenceNumber"] = FormatSequenceNumber(last);
    }
    shards.push_back(json::object{{"ShardId", id}, {"SequenceNumberRange", std::move(range)}});
    last = id;
  }
  json::array key_schema = dynamo::KeySchemaJson(t.key_schema);
  json::object d{{"StreamArn", t.stream_arn},
                 {"StreamLabel", t.stream_label},
                 {"StreamStatus", t.stream_disabled ? "DISABLED" : "ENABLED"},
                 {"StreamViewType", StreamViewName(t.stream_view)},
                 {"CreationRequestDateTime", static_cast<double>(t.stream_created_millis) / 1000.0},
                 {"TableName", t.name},
                 {"KeySchema", std::move(key_schema)},
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
    if (!*value) {
      return Status::Validation(std::string("1 validation error detected: Value null at '") + member +
                                "' failed to satisfy constraint: Member must not be null");
    }
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
  auto table = TableOfStream(**arn);
  if (!table) return table.status();
  const int shard = ShardIndex(**shard_id, (*table)->stream_created_millis, source_->ShardCount(**table));
  if (shard < 0) {
    return Status::Of(Code::kResourceNotFound,
                         "Requested resource not found: Shard does not exist");
  }
  Iterator it{**arn, shard, 0, NowMillis()};
  if (kind == "LATEST") {
    it.next_sequence = source_->DurableSequence(**table, shard) + 1;
  } else if (kind == "AT_SEQUENCE_NUMBER" || kind == "AFTER_SEQUENCE_NUMBER") {
    if (!*seq_text) {
      return Status::Validation("A sequence number is required for the iterator type " + kind);
    }
    auto seq = ParseSequenceNumber(**seq_text);
    if (!seq) return seq.status();
    if (*seq > source_->DurableSequence(**table, shard)) {
      return Status::Validation("Invalid SequenceNumber: " + **seq_text + " is beyond the end of shard " + **shard_id);
    }
    it.next_sequence = kind == "AT_SEQUENCE_NUMBER" ? *seq : *seq + 1;
  } else if (*seq_text) {
    return Status::Validation("A sequence number may only be given for AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER iterators");
  }
  return "{\"ShardIterator\":" + Quote(EncodeIterator(it)) + "}";
}

Result<std::string> StreamsApi::GetRecords(const json::object& r) {
  auto text = dynamo::OptionalString(r, "ShardIterator");
  if (!text) return text.status();
  if (!*text) {
    return Status::Validation("1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: Member must not be null");
  }
  auto limit = dynamo::OptionalInt(r, "Limit", 1, kMaxRecordsPerCall);
  if (!limit) return limit.status();
  if (Status s = dynamo::CheckLength(*text, "shardIterator", 1, 2048); !s.ok()) return s;
  auto it = DecodeIterator(**text);
  if (!it) return it.status();
  if (NowMillis() - it->issued_millis > kIteratorLifetimeMillis) {
    return Status::Of(Code::kExpiredIterator, "Iterator expired");
  }
  auto table = TableOfStream(it->stream_arn);
  if (!table) return table.status();
  if (it->shard < 0 || it->shard >= source_->ShardCount(**table)) return Status::Validation("Invalid ShardIterator");

  auto records = source_->Read(**table, it->shard, it->next_sequence,
                               static_cast<size_t>(limit->value_or(kMaxRecordsPerCall)));
  std::string out = "{\"Records\":[";
  size_t bytes = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    bytes += records[i].json.size();
    if (i > 0 && bytes > kMaxBytesPerCall) {
      records.resize(i);  // the rest comes with the next iterator
      break;
    }
    if (i) out.push_back(',');
    out += records[i].json;
  }
  Iterator next = *it;
  if (!records.empty()) next.next_sequence = records.back().sequence + 1;
  next.issued_millis = NowMillis();
  // A closed shard read to its end has no next iterator (as AWS).
  if (records.empty() && (*table)->stream_disabled && next.next_sequence > source_->LastSequence(**table, it->shard)) {
    return out + "]}";
  }
  out += "],\"NextShardIterator\":" + Quote(EncodeIterator(next)) + "}";
  return out;
}

}  // namespace streamer::streams
