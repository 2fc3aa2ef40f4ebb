// DynamoApi: dispatch, error shapes and the table operations.
#include "dynamo/api.h"

#include <map>

#include "core/ids.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"

namespace streamer::dynamo {

namespace {
// Errors raised by the service framework rather than by DynamoDB itself
// carry the coral namespace, as AWS's do.
bool IsFrameworkError(const Status& s) {
  return s.Is(Code::kSerialization) || s.Is(Code::kUnknownOperation);
}

ApiReply Ok(const json::value& v) { return ApiReply{200, json::serialize(v)}; }

// Key attribute names: 1..255 characters (AWS's constraint on AttributeName).
Status AttributeNameLength(std::string_view name, const std::string& field) {
  if (name.empty()) return ConstraintError(name, field, "Member must have length greater than or equal to 1");
  if (name.size() > 255) return ConstraintError(name, field, "Member must have length less than or equal to 255");
  return Status::Ok();
}

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
    : catalog_(catalog), items_(items), pools_(pools) {}

void DynamoApi::Handle(std::string_view operation, std::string_view body, ReplyFn reply) {
  auto parsed = ParseJson(body);
  if (!parsed || !parsed->is_object()) {
    reply(ErrorReply(Status::Of(Code::kSerialization,
                                   parsed ? "Start of structure or map found where not expected"
                                          : parsed.status().message())));
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
      {"DescribeTable", {.json = &DynamoApi::DescribeTable}},
      {"ListTables", {.json = &DynamoApi::ListTables}},
      {"GetItem", {.text = &DynamoApi::GetItem}},
      {"Query", {.json = &DynamoApi::Query, .runs_on = RunsOn::kReads}},
      {"Scan", {.json = &DynamoApi::Scan, .runs_on = RunsOn::kReads}},
      {"PutItem", {.write = &DynamoApi::PutItem}},
      {"DeleteItem", {.write = &DynamoApi::DeleteItem}},
      {"UpdateItem", {.write = &DynamoApi::UpdateItem}},
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

json::object DescribeTableJson(const TableInfo& t, std::string_view status) {
  json::object d;
  d["AttributeDefinitions"] = t.attribute_definitions;
  d["TableName"] = t.name;
  d["KeySchema"] = KeySchemaJson(t.key_schema);
  d["TableStatus"] = status;
  d["CreationDateTime"] = static_cast<double>(t.creation_millis) / 1000.0;
  json::object pt = t.provisioned_throughput;
  pt["NumberOfDecreasesToday"] = 0;
  d["ProvisionedThroughput"] = std::move(pt);
  // Sizes and counts are approximate in DynamoDB (refreshed every ~6 hours);
  // we do not track them yet.
  d["TableSizeBytes"] = 0;
  d["ItemCount"] = 0;
  d["TableArn"] = t.table_arn;
  d["TableId"] = "00000000-0000-0000-0000-" + std::string(12 - std::min<size_t>(12, std::to_string(t.id).size()), '0') + std::to_string(t.id);
  if (t.billing_mode == "PAY_PER_REQUEST") {
    d["BillingModeSummary"] = json::object{{"BillingMode", "PAY_PER_REQUEST"},
                                           {"LastUpdateToPayPerRequestDateTime", d["CreationDateTime"]}};
  }
  if (t.has_stream()) {
    d["StreamSpecification"] =
        json::object{{"StreamEnabled", true}, {"StreamViewType", streams::StreamViewName(t.stream_view)}};
    d["LatestStreamLabel"] = t.stream_label;
    d["LatestStreamArn"] = t.stream_arn;
  }
  d["DeletionProtectionEnabled"] = false;
  return d;
}

Result<json::value> DynamoApi::CreateTable(const Request& r) {
  auto name = TableNameOf(r);
  if (!name) return name.status();
  TableInfo t;
  t.name = *name;

  // AttributeDefinitions: name -> type.
  const json::value* defs_v = r.if_contains("AttributeDefinitions");
  const json::value* keys_v = r.if_contains("KeySchema");
  if (!keys_v || keys_v->is_null()) {
    return Status::Validation("1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must not be null");
  }
  if (!defs_v || defs_v->is_null()) {
    return Status::Validation("1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null");
  }
  if (!defs_v->is_array() || !keys_v->is_array()) {
    return Status::Of(Code::kSerialization, "Unexpected value type in KeySchema or AttributeDefinitions");
  }
  std::map<std::string, std::string> defs;
  size_t def_index = 0;
  for (const auto& d : defs_v->as_array()) {
    ++def_index;  // AWS names list members 1-based: attributeDefinitions.1.member
    const json::string* an = d.is_object() ? FindString(d.as_object(), "AttributeName") : nullptr;
    const json::string* at = d.is_object() ? FindString(d.as_object(), "AttributeType") : nullptr;
    if (!an || !at) return Status::Of(Code::kSerialization, "Unexpected value in AttributeDefinitions");
    if (Status len = AttributeNameLength(*an, "attributeDefinitions." + std::to_string(def_index) + ".member.attributeName");
        !len.ok()) {
      return len;
    }
    if (*at != "S" && *at != "N" && *at != "B") {
      return ConstraintError(std::string(*at),
                             "attributeDefinitions." + std::to_string(def_index) + ".member.attributeType",
                             "Member must satisfy enum value set: [B, N, S]");
    }
    if (!defs.emplace(std::string(*an), std::string(*at)).second) {
      return Status::Validation("Cannot have two attributes with the same name");
    }
  }
  const json::array& keys = keys_v->as_array();
  if (keys.empty()) {
    return ConstraintError("[]", "keySchema", "Member must have length greater than or equal to 1");
  }
  if (keys.size() > 2) {
    return ConstraintError(json::serialize(keys), "keySchema", "Member must have length less than or equal to 2");
  }
  std::vector<std::string> key_names;
  for (size_t i = 0; i < keys.size(); ++i) {
    const json::value& k = keys[i];
    const json::string* an = k.is_object() ? FindString(k.as_object(), "AttributeName") : nullptr;
    const json::string* kt = k.is_object() ? FindString(k.as_object(), "KeyType") : nullptr;
    if (!an || !kt) return Status::Of(Code::kSerialization, "Unexpected value in KeySchema");
    if (Status len = AttributeNameLength(*an, "keySchema." + std::to_string(i + 1) + ".member.attributeName"); !len.ok()) {
      return len;
    }
    if (*kt != "HASH" && *kt != "RANGE") {
      return ConstraintError(std::string(*kt), "keySchema." + std::to_string(i + 1) + ".member.keyType",
                             "Member must satisfy enum value set: [HASH, RANGE]");
    }
    if ((i == 0) != (*kt == "HASH")) {
      return Status::Validation(i == 0 ? "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
                                       : "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key");
    }
    key_names.emplace_back(*an);
  }
  if (key_names.size() == 2 && key_names[0] == key_names[1]) {
    return Status::Validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  for (const auto& kn : key_names) {
    if (!defs.count(kn)) {
      std::string have;
      for (auto& [n, _] : defs) have += (have.empty() ? "" : ", ") + n;
      return Status::Validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
                                kn + "], AttributeDefinitions: [" + have + "]");
    }
  }
  if (defs.size() != key_names.size()) {
    return Status::Validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
  }
  t.key_schema.partition = {key_names[0], defs[key_names[0]]};
  if (key_names.size() == 2) t.key_schema.sort = KeyAttribute{key_names[1], defs[key_names[1]]};
  t.attribute_definitions = defs_v->as_array();

  // Billing.
  auto billing = OptionalString(r, "BillingMode");
  if (!billing) return billing.status();
  t.billing_mode = billing->value_or("PROVISIONED");
  if (t.billing_mode != "PROVISIONED" && t.billing_mode != "PAY_PER_REQUEST") {
    return ConstraintError(t.billing_mode, "billingMode",
                           "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
  }
  auto pt = OptionalObject(r, "ProvisionedThroughput");
  if (!pt) return pt.status();
  if (t.billing_mode == "PROVISIONED") {
    if (!*pt) {
      return Status::Validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
    }
    auto rcu = OptionalInt(**pt, "ReadCapacityUnits", 1, INT64_MAX, "provisionedThroughput");
    if (!rcu) return rcu.status();
    auto wcu = OptionalInt(**pt, "WriteCapacityUnits", 1, INT64_MAX, "provisionedThroughput");
    if (!wcu) return wcu.status();
    if (!*rcu || !*wcu) {
      return Status::Validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
    }
    t.provisioned_throughput = {{"ReadCapacityUnits", **rcu}, {"WriteCapacityUnits", **wcu}};
  } else {
    if (*pt) {
      return Status::Validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    }
    t.provisioned_throughput = {{"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}};
  }

  // Stream.
  auto spec = OptionalObject(r, "StreamSpecification");
  if (!spec) return spec.status();
  if (*spec) {
    auto enabled_flag = OptionalBool(**spec, "StreamEnabled");
    if (!enabled_flag) return enabled_flag.status();
    const json::value* enabled = (*spec)->if_contains("StreamEnabled");
    if (!*enabled_flag) {
      return Status::Validation("1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null");
    }
    auto view = OptionalString(**spec, "StreamViewType");
    if (!view) return view.status();
    if (enabled->as_bool()) {
      if (!*view) {
        return Status::Validation("One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true");
      }
      t.stream_view = streams::ParseStreamView(**view);
      if (t.stream_view == streams::StreamViewType::kNone) {
        return ConstraintError(**view, "streamSpecification.streamViewType",
                               "Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]");
      }
    } else if (*view) {
      return Status::Validation("One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false");
    }
  }
  // Members accepted without effect here: still of the JSON type AWS expects.
  for (const char* member : {"SSESpecification", "OnDemandThroughput", "WarmThroughput"}) {
    auto v = OptionalObject(r, member);
    if (!v) return v.status();
  }
  for (const char* member : {"Tags", "GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    const json::value* v = r.if_contains(member);
    if (v && !v->is_null() && !v->is_array()) {
      return Status::Of(Code::kSerialization, std::string("Unexpected value type for member ") + member);
    }
  }
  if (auto v = OptionalBool(r, "DeletionProtectionEnabled"); !v) return v.status();
  if (auto v = OptionalString(r, "ResourcePolicy"); !v) return v.status();
  auto table_class = OptionalString(r, "TableClass");
  if (!table_class) return table_class.status();
  if (*table_class && **table_class != "STANDARD" && **table_class != "STANDARD_INFREQUENT_ACCESS") {
    return ConstraintError(**table_class, "tableClass",
                           "Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]");
  }
  if (r.contains("GlobalSecondaryIndexes") || r.contains("LocalSecondaryIndexes")) {
    // Indexes arrive in a later step; refusing beats silently ignoring them.
    return Status::Validation("Secondary indexes are not supported by this server yet");
  }

  auto created = catalog_->Create(std::move(t));
  if (!created) return created.status();
  return json::object{{"TableDescription", DescribeTableJson(**created, "ACTIVE")}};
}

Status DynamoApi::EnsureTable(const json::object& create_request) {
  auto name = TableNameOf(create_request);
  if (!name) return name.status();
  if (catalog_->Find(*name)) return Status::Ok();
  auto r = CreateTable(create_request);
  return r ? Status::Ok() : r.status();
}

Result<json::value> DynamoApi::DescribeTable(const Request& r) {
  auto name = TableNameOf(r);
  if (!name) return name.status();
  TablePtr t = catalog_->Find(*name);
  if (!t) {
    return Status::Of(Code::kResourceNotFound,
                         "Requested resource not found: Table: " + *name + " not found");
  }
  return json::object{{"Table", DescribeTableJson(*t, "ACTIVE")}};
}

Result<json::value> DynamoApi::ListTables(const Request& r) {
  auto limit = OptionalInt(r, "Limit", 1, 100);
  if (!limit) return limit.status();
  auto start = OptionalString(r, "ExclusiveStartTableName");
  if (!start) return start.status();
  if (*start) {
    auto valid = TableNameOf(r, "ExclusiveStartTableName");  // the same constraints as a table name
    if (!valid) return valid.status();
  }
  const size_t max = static_cast<size_t>(limit->value_or(100));
  json::array names;
  std::string last;
  bool more = false;
  for (const TablePtr& t : catalog_->List()) {
    if (*start && t->name <= **start) continue;
    if (names.size() == max) {
      more = true;
      break;
    }
    names.emplace_back(t->name);
    last = t->name;
  }
  json::object out{{"TableNames", std::move(names)}};
  if (more) out["LastEvaluatedTableName"] = last;
  return out;
}

Result<json::value> DynamoApi::DeleteTable(const Request& r) {
  auto name = TableNameOf(r);
  if (!name) return name.status();
  auto deleted = catalog_->Delete(*name);
  if (!deleted) return deleted.status();
  return json::object{{"TableDescription", DescribeTableJson(**deleted, "DELETING")}};
}

}  // namespace streamer::dynamo
