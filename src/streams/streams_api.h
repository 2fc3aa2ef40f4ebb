// The DynamoDB Streams API (X-Amz-Target: DynamoDBStreams_20120810.<Op>):
// ListStreams, DescribeStream, GetShardIterator, GetRecords.
// A table's stream has the shards its saved layout says; shards stay open.
#pragma once

#include <string_view>

#include "dynamo/api.h"
#include "dynamo/table_catalog.h"
#include "streams/stream_source.h"

namespace streamer::streams {

class StreamsApi {
 public:
  StreamsApi(dynamo::TableCatalog* catalog, const StreamSource* source);
  void Handle(std::string_view operation, std::string_view body, const dynamo::ReplyFn& reply);

 private:
  Result<std::string> ListStreams(const json::object& r);
  Result<std::string> DescribeStream(const json::object& r);
  Result<std::string> GetShardIterator(const json::object& r);
  Result<std::string> GetRecords(const json::object& r);
  Result<dynamo::TablePtr> TableOfStream(std::string_view arn) const;

  dynamo::TableCatalog* catalog_;
  const StreamSource* source_;
};

}  // namespace streamer::streams
