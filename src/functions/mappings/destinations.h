// On-failure destinations of a stream mapping (DestinationConfig.OnFailure):
// Lambda's invocation record for a batch that was discarded (retries
// exhausted, records too old), and where it goes.
//   arn:aws:lambda:<region>:<account>:function:<name>  invoked asynchronously
//   arn:aws:dynamodb:<region>:<account>:table/<name>   stored as an item
//   arn:aws:sqs:... / arn:aws:sns:...                  a JSON-lines file under
//                                                      <data dir>/destinations/
//   file://<path>                                      a JSON-lines file
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "functions/mappings/mapping_context.h"

namespace streamer::functions {

class Destination {
 public:
  enum class Kind { kNone, kFunction, kTable, kFile };
  // "" = none. An ARN of another kind, or a malformed one, is a Validation
  // status with Lambda's message.
  static Result<Destination> Parse(std::string_view destination);

  Kind kind() const { return kind_; }
  bool empty() const { return kind_ == Kind::kNone; }
  // The function or table name, or the file path (as given).
  const std::string& target() const { return target_; }
  // Delivers one record (JSON text); ok only when it is stored / invoked.
  Status Send(const std::string& record, const MappingContext& ctx) const;

  // The file an SQS/SNS ARN is written to: <data_dir>/destinations/<arn with
  // every character but [A-Za-z0-9._-] turned into '_'>.jsonl
  static std::string FileForArn(const std::string& data_dir, std::string_view arn);

 private:
  Kind kind_ = Kind::kNone;
  std::string target_;
  std::string arn_;
};

// What Lambda's on-failure record says about a discarded batch.
struct FailedBatch {
  std::string condition = "RetryAttemptsExhausted";  // | RecordAgeExceeded
  std::string request_id;
  std::string function_arn;
  int invoke_count = 0;       // approximateInvokeCount
  // The last invocation's outcome (nothing when none ran).
  int status_code = 200;
  std::string function_error;  // "Unhandled", ... ; "" = none
  std::string shard_id;
  std::string stream_arn;
  std::string first_sequence, last_sequence;  // formatted SequenceNumbers
  int64_t first_created_seconds = 0, last_created_seconds = 0;
  size_t batch_size = 0;
};

// {"requestContext":{...},"responseContext":{...},"version":"1.0",
//  "timestamp":"...Z","DDBStreamBatchInfo":{...}}
std::string OnFailureRecord(const FailedBatch& batch, int64_t now_millis);

// The PutItem request that stores `record` in `table` (key attributes made
// from the record's request id and time, the record's fields as attributes).
Result<std::string> OnFailureItemRequest(const dynamo::TableInfo& table, const std::string& record);

}  // namespace streamer::functions
