// DynamoApi: dispatch and error shapes. The operations live in api_tables.cc,
// api_items.cc and api_query.cc.
#include "dynamo/api.h"

#include <map>
#include <set>

#include "core/ids.h"
#include "dynamo/index_builder.h"
#include "dynamo/index_requests.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"
#include "dynamo/transaction_tokens.h"

namespace streamer::dynamo {

namespace {
// Errors raised by the service framework rather than by DynamoDB itself
// carry the coral namespace, as AWS's do.
bool IsFrameworkError(const Status& s) {
  return s.Is(Code::kSerialization) || s.Is(Code::kUnknownOperation);
}

ApiReply Ok(const json::value& v) { return ApiReply{200, json::serialize(v)}; }

}  // namespace

ApiReply ErrorReply(const Status& status) {
  json::object o;
  const std::string ns = IsFrameworkError(status) ? "com.amazon.coral.service#"
                                                         : "com.amazonaws.dynamodb.v20120810#";
  o["__type"] = ns + std::string(status.type());
  if (!status.message().empty()) o["message"] = status.message();
  return ApiReply{status.http_status(), json::serialize(o)};
}

DynamoApi::DynamoApi(TableCatalog* catalog, ItemBackend* items, BlockingPools pools)
    : catalog_(catalog), items_(items), pools_(pools), tokens_(std::make_unique<TransactionTokens>()),
      index_builder_(std::make_unique<IndexBuilder>(catalog, items)) {
  index_builder_->ResumeUnfinished();
}

DynamoApi::~DynamoApi() { Stop(); }

void DynamoApi::Stop() { index_builder_->Stop(); }

void DynamoApi::Handle(std::string_view operation, std::string_view body, ReplyFn reply) {
  auto parsed = ParseJson(body);
  if (!parsed || !parsed->is_object()) {
    // A body that is not JSON at all gets AWS's bare SerializationException.
    reply(ErrorReply(Status::Of(Code::kSerialization,
                                   parsed ? "Start of structure or map found where not expected" : "")));
    return;
  }
  // Each operation: how it answers, and where it runs. Range reads and table
  // DDL (which fsyncs and holds the catalog lock) may block: they run on
  // their own threads, never on an I/O thread. Writes answer after commit.
  enum class RunsOn { kCaller, kReads, kDdl };
  struct Operation {
    Result<json::value> (DynamoApi::*json)(const Request&) = nullptr;
    Result<std::string> (DynamoApi::*text)(const Request&) = nullptr;  // body already serialized
    void (DynamoApi::*write)(const Request&, ReplyFn) = nullptr;
    RunsOn runs_on = RunsOn::kCaller;
  };
  static const std::map<std::string_view, Operation, std::less<>> kOperations = {
      {"CreateTable", {.json = &DynamoApi::CreateTable, .runs_on = RunsOn::kDdl}},
      {"DeleteTable", {.json = &DynamoApi::DeleteTable, .runs_on = RunsOn::kDdl}},
      {"DescribeTable", {.json = &DynamoApi::DescribeTable, .runs_on = RunsOn::kReads}},  // counts items
      {"ListTables", {.json = &DynamoApi::ListTables}},
      {"UpdateTable", {.json = &DynamoApi::UpdateTable, .runs_on = RunsOn::kDdl}},
      {"UpdateTimeToLive", {.json = &DynamoApi::UpdateTimeToLive, .runs_on = RunsOn::kDdl}},
      {"DescribeTimeToLive", {.json = &DynamoApi::DescribeTimeToLive}},
      {"TagResource", {.json = &DynamoApi::TagResource, .runs_on = RunsOn::kDdl}},
      {"UntagResource", {.json = &DynamoApi::UntagResource, .runs_on = RunsOn::kDdl}},
      {"ListTagsOfResource", {.json = &DynamoApi::ListTagsOfResource}},
      {"DescribeLimits", {.json = &DynamoApi::DescribeLimits}},
      {"DescribeEndpoints", {.json = &DynamoApi::DescribeEndpoints}},
      {"DescribeContinuousBackups", {.json = &DynamoApi::DescribeContinuousBackups}},
      {"UpdateContinuousBackups", {.json = &DynamoApi::UpdateContinuousBackups, .runs_on = RunsOn::kDdl}},
      {"GetItem", {.text = &DynamoApi::GetItem}},
      {"Query", {.text = &DynamoApi::Query, .runs_on = RunsOn::kReads}},
      {"Scan", {.text = &DynamoApi::Scan, .runs_on = RunsOn::kReads}},
      {"PutItem", {.write = &DynamoApi::PutItem}},
      {"DeleteItem", {.write = &DynamoApi::DeleteItem}},
      {"UpdateItem", {.write = &DynamoApi::UpdateItem}},
      {"BatchGetItem", {.text = &DynamoApi::BatchGetItem, .runs_on = RunsOn::kReads}},
      {"BatchWriteItem", {.write = &DynamoApi::BatchWriteItem}},
      {"TransactWriteItems", {.write = &DynamoApi::TransactWriteItems}},
      // Answers asynchronously too: validates here, reads on the read pool.
      {"TransactGetItems", {.write = &DynamoApi::TransactGetItems}},
      {"ExecuteStatement", {.write = &DynamoApi::ExecuteStatement}},
      {"BatchExecuteStatement", {.write = &DynamoApi::BatchExecuteStatement}},
      {"ExecuteTransaction", {.write = &DynamoApi::ExecuteTransaction}},
  };
  auto it = kOperations.find(operation);
  if (it == kOperations.end()) {
    reply(ErrorReply(Status::Of(Code::kUnknownOperation, "")));
    return;
  }
  const Operation& op = it->second;
  if (op.write) {
    (this->*op.write)(parsed->as_object(), std::move(reply));
    return;
  }
  auto answer = [this, &op](const Request& r) -> ApiReply {
    if (op.text) {
      Result<std::string> body = (this->*op.text)(r);
      return body ? ApiReply{200, std::move(*body)} : ErrorReply(body.status());
    }
    Result<json::value> result = (this->*op.json)(r);
    return result ? Ok(*result) : ErrorReply(result.status());
  };
  WorkerPool* pool = op.runs_on == RunsOn::kReads ? pools_.reads : op.runs_on == RunsOn::kDdl ? pools_.ddl : nullptr;
  if (!pool) {
    reply(answer(parsed->as_object()));
    return;
  }
  pool->Post([answer, request = std::move(*parsed), reply = std::move(reply)] { reply(answer(request.as_object())); });
}

Result<TablePtr> DynamoApi::RequireTable(const Request& r) const {
  auto name = TableNameOf(r);
  if (!name) return name.status();
  TablePtr t = catalog_->Find(*name);
  if (!t) return Status::Of(Code::kResourceNotFound, "Requested resource not found");
  return t;
}

}  // namespace streamer::dynamo
