// The DynamoDB Streams API (X-Amz-Target: DynamoDBStreams_20120810.<Op>):
// ListStreams, DescribeStream, GetShardIterator, GetRecords, as AWS's API
// reference describes them, over a StreamSource. A table's stream has the
// shards its saved layout says; they stay open while the stream is enabled
// and are closed at their last record once it is disabled.
#pragma once

#include <chrono>
#include <string_view>

#include "dynamo/api.h"
#include "dynamo/table_catalog.h"
#include "streams/stream_source.h"

namespace streamer::streams {

struct StreamsApiOptions {
  // How long a shard iterator can be used (AWS: 15 minutes).
  std::chrono::milliseconds iterator_lifetime = std::chrono::minutes(15);
};

class StreamsApi {
 public:
  StreamsApi(dynamo::TableCatalog* catalog, const StreamSource* source, StreamsApiOptions options = {});
  void Handle(std::string_view operation, std::string_view body, const dynamo::ReplyFn& reply);

 private:
  Result<std::string> ListStreams(const json::object& r);
  Result<std::string> DescribeStream(const json::object& r);
  Result<std::string> GetShardIterator(const json::object& r);
  Result<std::string> GetRecords(const json::object& r);
  Result<dynamo::TablePtr> TableOfStream(std::string_view arn) const;

  dynamo::TableCatalog* catalog_;
  const StreamSource* source_;
  StreamsApiOptions options_;
};

}  // namespace streamer::streams
