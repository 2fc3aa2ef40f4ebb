// The DynamoDB JSON 1.0 API (X-Amz-Target: DynamoDB_20120810.<Operation>).
// One entry point; the operations are split by concern into api_tables.cc,
// api_items.cc and api_query.cc. Writes answer asynchronously, after their
// group commit; reads answer on the calling thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/worker_pool.h"
#include "dynamo/table_catalog.h"
#include "dynamo/item_backend.h"
#include "dynamo/partiql/translate.h"

namespace streamer::dynamo {

struct ApiReply {
  int status = 200;
  std::string body;
};
using ReplyFn = std::function<void(ApiReply)>;

// The error body AWS sends: {"__type":"<namespace>#<type>","message":"..."}.
ApiReply ErrorReply(const Status& status);

// Where operations that may block run (null: on the calling thread).
struct BlockingPools {
  WorkerPool* reads = nullptr;  // Query, Scan
  WorkerPool* ddl = nullptr;    // CreateTable, DeleteTable: one thread, in order
};

class TransactionTokens;
class IndexBuilder;

class DynamoApi {
 public:
  // Resumes index builds a previous run left unfinished.
  DynamoApi(TableCatalog* catalog, ItemBackend* items, BlockingPools pools = {});
  ~DynamoApi();
  // Stops background work (index builds); call before the writers stop.
  void Stop();

  // `operation` is the part of the target after "DynamoDB_20120810.".
  void Handle(std::string_view operation, std::string_view body, ReplyFn reply);

  // Used by the stack loader: creates a table from a request body shaped like
  // CreateTable's, unless one of that name exists.
  Status EnsureTable(const json::object& create_request);

  TableCatalog* catalog() const { return catalog_; }

 private:
  using Request = json::object;
  // Operations. Each validates fully before changing anything.
  Result<json::value> CreateTable(const Request& r);
  Result<json::value> DescribeTable(const Request& r);
  Result<json::value> ListTables(const Request& r);
  Result<json::value> DeleteTable(const Request& r);
  Result<json::value> UpdateTable(const Request& r);
  Result<json::value> UpdateTimeToLive(const Request& r);
  Result<json::value> DescribeTimeToLive(const Request& r);
  Result<json::value> TagResource(const Request& r);
  Result<json::value> UntagResource(const Request& r);
  Result<json::value> ListTagsOfResource(const Request& r);
  Result<json::value> DescribeLimits(const Request& r);
  Result<json::value> DescribeEndpoints(const Request& r);
  Result<json::value> DescribeContinuousBackups(const Request& r);
  Result<json::value> UpdateContinuousBackups(const Request& r);
  // The response body: the item's JSON is written from its stored bytes.
  Result<std::string> GetItem(const Request& r);
  Result<std::string> Query(const Request& r);  // bodies written straight from stored items
  Result<std::string> Scan(const Request& r);
  void PutItem(const Request& r, ReplyFn reply);
  void DeleteItem(const Request& r, ReplyFn reply);
  void UpdateItem(const Request& r, ReplyFn reply);
  // Batches and transactions (api_batch.cc, api_transact.cc).
  Result<std::string> BatchGetItem(const Request& r);
  void BatchWriteItem(const Request& r, ReplyFn reply);
  void TransactWriteItems(const Request& r, ReplyFn reply);
  void TransactGetItems(const Request& r, ReplyFn reply);  // reads on the read pool
  // PartiQL (api_partiql.cc): statements translated into the operations above.
  void ExecuteStatement(const Request& r, ReplyFn reply);
  void BatchExecuteStatement(const Request& r, ReplyFn reply);
  void ExecuteTransaction(const Request& r, ReplyFn reply);
  partiql::SchemaLookup PartiqlSchemas() const;
  partiql::IndexLookup PartiqlIndexes() const;

  Result<TablePtr> RequireTable(const Request& r) const;

  TableCatalog* catalog_;
  ItemBackend* items_;
  BlockingPools pools_;
  std::unique_ptr<TransactionTokens> tokens_;  // ClientRequestToken idempotency
  std::unique_ptr<IndexBuilder> index_builder_;
};

// DescribeTable's TableDescription for a table.
// ItemCount and TableSizeBytes are given (computed by the caller).
json::object DescribeTableJson(const TableInfo& t, std::string_view status, int64_t item_count = 0,
                               int64_t size_bytes = 0);


}  // namespace streamer::dynamo
