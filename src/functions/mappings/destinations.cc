#include "functions/mappings/destinations.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "core/base64.h"
#include "core/clock.h"
#include "core/json.h"
#include "functions/mappings/batch_policy.h"

namespace streamer::functions {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// "arn:aws:<service>:<region>:<account>:<resource>": the resource part, or
// nothing when the ARN does not have six parts with a non-empty resource.
std::optional<std::string_view> ArnResource(std::string_view arn, std::string_view service) {
  std::string_view rest = arn;
  for (std::string_view part : {std::string_view("arn"), std::string_view("aws"), service}) {
    if (!StartsWith(rest, part) || rest.size() <= part.size() || rest[part.size()] != ':') return std::nullopt;
    rest.remove_prefix(part.size() + 1);
  }
  for (int i = 0; i < 2; ++i) {  // region, account
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
  if (rest.empty()) return std::nullopt;
  return rest;
}

Status Invalid(std::string_view destination) {
  return Status::Validation("The provided destination config DestinationConfig(onSuccess=null, onFailure="
                            "OnFailure(destination=" + std::string(destination) +
                            ")) is invalid: a DynamoDB stream's on-failure destination is an SQS queue, "
                            "SNS topic, Lambda function or DynamoDB table ARN, or file://<path>.");
}

// One lock for every destination file: lines from several lanes never mix.
std::mutex& FileMutex() {
  static std::mutex mu;
  return mu;
}

Status AppendLine(const std::string& path, const std::string& line) {
  namespace fs = std::filesystem;
  std::lock_guard lock(FileMutex());
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  std::string data = line + "\n";
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::IOError(path + ": " + std::strerror(errno));
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  // The batch is checkpointed past once this returns: the line must stay.
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IOError(path + ": fsync: " + std::strerror(errno));
  return Status::Ok();
}

// A JSON value as a DynamoDB attribute value.
json::value ToAttribute(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return json::object{{"S", v.as_string()}};
    case json::kind::bool_: return json::object{{"BOOL", v.as_bool()}};
    case json::kind::null: return json::object{{"NULL", true}};
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return json::object{{"N", json::serialize(v)}};
    case json::kind::array: {
      json::array l;
      for (const auto& e : v.as_array()) l.push_back(ToAttribute(e));
      return json::object{{"L", std::move(l)}};
    }
    case json::kind::object: {
      json::object m;
      for (const auto& [k, e] : v.as_object()) m[k] = ToAttribute(e);
      return json::object{{"M", std::move(m)}};
    }
  }
  return json::object{{"NULL", true}};
}

}  // namespace

Result<Destination> Destination::Parse(std::string_view destination) {
  Destination d;
  d.arn_ = std::string(destination);
  if (destination.empty()) return d;
  if (StartsWith(destination, "file://")) {
    d.kind_ = Kind::kFile;
    d.target_ = std::string(destination.substr(7));
    if (d.target_.empty()) return Invalid(destination);
    return d;
  }
  if (auto r = ArnResource(destination, "lambda")) {
    // function:<name>[:qualifier]
    if (!StartsWith(*r, "function:") || r->size() == 9) return Invalid(destination);
    std::string_view name = r->substr(9);
    name = name.substr(0, name.find(':'));
    if (name.empty()) return Invalid(destination);
    d.kind_ = Kind::kFunction;
    d.target_ = std::string(name);
    return d;
  }
  if (auto r = ArnResource(destination, "dynamodb")) {
    if (!StartsWith(*r, "table/") || r->size() == 6) return Invalid(destination);
    std::string_view name = r->substr(6);
    if (name.find('/') != std::string_view::npos) return Invalid(destination);  // a stream ARN
    d.kind_ = Kind::kTable;
    d.target_ = std::string(name);
    return d;
  }
  if (ArnResource(destination, "sqs") || ArnResource(destination, "sns")) {
    d.kind_ = Kind::kFile;
    d.target_.clear();  // resolved against the data directory when sending
    return d;
  }
  return Invalid(destination);
}

std::string Destination::FileForArn(const std::string& data_dir, std::string_view arn) {
  std::string name;
  for (char c : arn) {
    name.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ? c : '_');
  }
  return (std::filesystem::path(data_dir) / "destinations" / (name + ".jsonl")).string();
}

Status Destination::Send(const std::string& record, const MappingContext& ctx) const {
  switch (kind_) {
    case Kind::kNone:
      return Status::Ok();
    case Kind::kFile: {
      std::string path = target_;
      if (path.empty()) {
        path = FileForArn(ctx.data_dir, arn_);
      } else if (std::filesystem::path(path).is_relative() && !ctx.base_dir.empty()) {
        path = (std::filesystem::path(ctx.base_dir) / path).string();
      }
      return AppendLine(path, record);
    }
    case Kind::kFunction:
      if (!ctx.invoke_function) return Status::Internal("no way to invoke a destination function");
      return ctx.invoke_function(target_, record);
    case Kind::kTable: {
      if (!ctx.dynamo || !ctx.catalog) return Status::Internal("no way to write a destination table");
      dynamo::TablePtr table = ctx.catalog->Find(target_);
      if (!table) return Status::NotFound("destination table " + target_ + " does not exist");
      auto request = OnFailureItemRequest(*table, record);
      if (!request) return request.status();
      return ctx.dynamo("PutItem", *request);
    }
  }
  return Status::Ok();
}

std::string OnFailureRecord(const FailedBatch& b, int64_t now_millis) {
  json::object request{{"requestId", b.request_id},
                       {"functionArn", b.function_arn},
                       {"condition", b.condition},
                       {"approximateInvokeCount", b.invoke_count}};
  json::object response{{"statusCode", b.status_code}, {"executedVersion", "$LATEST"}};
  if (!b.function_error.empty()) response["functionError"] = b.function_error;
  json::object info{{"shardId", b.shard_id},
                    {"startSequenceNumber", b.first_sequence},
                    {"endSequenceNumber", b.last_sequence},
                    {"approximateArrivalOfFirstRecord", IsoSeconds(b.first_created_seconds)},
                    {"approximateArrivalOfLastRecord", IsoSeconds(b.last_created_seconds)},
                    {"batchSize", b.batch_size},
                    {"streamArn", b.stream_arn}};
  json::object out{{"requestContext", std::move(request)},
                   {"responseContext", std::move(response)},
                   {"version", "1.0"},
                   {"timestamp", IsoMillis(now_millis) + "Z"},
                   {"DDBStreamBatchInfo", std::move(info)}};
  return json::serialize(out);
}

Result<std::string> OnFailureItemRequest(const dynamo::TableInfo& table, const std::string& record) {
  auto v = ParseJson(record);
  if (!v || !v->is_object()) return Status::Internal("on-failure record is not JSON");
  const json::object& r = v->as_object();
  std::string request_id, timestamp;
  if (const json::value* rc = Find(r, "requestContext")) {
    if (const json::value* id = Find(*rc, "requestId"); id && id->is_string()) request_id = id->as_string();
  }
  if (const json::string* ts = FindString(r, "timestamp")) timestamp = std::string(*ts);
  json::object item;
  for (const auto& [k, e] : r) item[k] = ToAttribute(e);
  // The key attributes: the request id (unique per record) for strings and
  // binaries, the record's time in epoch milliseconds for numbers.
  auto key_value = [&](const dynamo::KeyAttribute& a, bool sort) -> json::value {
    if (a.type == "N") return json::object{{"N", std::to_string(NowMillis())}};
    std::string text = sort ? timestamp : request_id;
    if (a.type == "B") return json::object{{"B", Base64Encode(text)}};
    return json::object{{"S", text}};
  };
  item[table.key_schema.partition.name] = key_value(table.key_schema.partition, false);
  if (table.key_schema.sort) item[table.key_schema.sort->name] = key_value(*table.key_schema.sort, true);
  return json::serialize(json::object{{"TableName", table.name}, {"Item", std::move(item)}});
}

}  // namespace streamer::functions
