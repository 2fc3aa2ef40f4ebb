// DynamoApi: the table operations (the control plane).
#include "dynamo/api.h"

#include <map>
#include <set>

#include "core/ids.h"
#include "core/clock.h"
#include "dynamo/index_builder.h"
#include "dynamo/index_requests.h"
#include "dynamo/item_storage.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"

namespace streamer::dynamo {

namespace {
// Key attribute names: 1..255 characters (AWS's constraint on AttributeName).
Status AttributeNameLength(std::string_view name, const std::string& field) {
  if (name.empty()) return ConstraintError(name, field, "Member must have length greater than or equal to 1");
  if (name.size() > 255) return ConstraintError(name, field, "Member must have length less than or equal to 255");
  return Status::Ok();
}

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

Status Null(std::string_view field) {
  return Status::Validation("1 validation error detected: Value null at '" + std::string(field) +
                            "' failed to satisfy constraint: Member must not be null");
}

double Seconds(int64_t millis) { return static_cast<double>(millis) / 1000.0; }

// TableClass: AWS answers an unknown one with its own message, not the enum one.
Result<std::optional<std::string>> TableClassOf(const json::object& r) {
  auto table_class = OptionalString(r, "TableClass");
  if (!table_class) return table_class.status();
  if (*table_class && **table_class != "STANDARD" && **table_class != "STANDARD_INFREQUENT_ACCESS") {
    return Status::Validation(
        "Invalid table-class parameter provided. Please try again with a valid table-class value: "
        "[STANDARD, STANDARD_INFREQUENT_ACCESS].");
  }
  return table_class;
}

// SSESpecification {Enabled, SSEType, KMSMasterKeyId}.
struct SseRequest {
  bool present = false;
  bool enabled = false;
  std::optional<std::string> kms_key;
};
Result<SseRequest> SseOf(const json::object& r) {
  SseRequest out;
  auto spec = OptionalObject(r, "SSESpecification");
  if (!spec) return spec.status();
  if (!*spec) return out;
  out.present = true;
  auto enabled = OptionalBool(**spec, "Enabled");
  if (!enabled) return enabled.status();
  auto type = OptionalString(**spec, "SSEType");
  if (!type) return type.status();
  auto key = OptionalString(**spec, "KMSMasterKeyId");
  if (!key) return key.status();
  if (*type && **type != "AES256" && **type != "KMS") {
    return ConstraintError(**type, "sSESpecification.sSEType", "Member must satisfy enum value set: [AES256, KMS]");
  }
  out.enabled = enabled->value_or(false);
  if (!out.enabled) {
    if (*type) return Status::Validation(std::string(kInvalid) + "SSEType can not be specified if Enabled is false");
    if (*key) return Status::Validation(std::string(kInvalid) + "KMSMasterKeyId can not be specified if Enabled is false");
    return out;
  }
  if (*type && **type == "AES256") return Status::Validation(std::string(kInvalid) + "SSEType AES256 is not supported");
  if (*key && !*type) return Status::Validation(std::string(kInvalid) + "SSEType KMS is required if KMSMasterKeyId is specified");
  out.kms_key = *key;
  return out;
}

// The key ARN DescribeTable shows: the one given (an ARN, or a key id made
// into one), or a stable stand-in for the AWS managed key.
std::string KmsKeyArn(const TableInfo& t, const std::optional<std::string>& given) {
  // The table's region and account, from its ARN (arn:aws:dynamodb:<region>:<account>:table/...).
  const std::string_view arn = t.table_arn;
  const size_t region_at = arn.find(':', arn.find(':', 4) + 1) + 1;
  const std::string_view region_account = arn.substr(region_at, arn.find(":table/") - region_at);
  const std::string prefix = "arn:aws:kms:" + std::string(region_account) + ":";
  if (!given) return prefix + "key/" + t.table_uuid;
  if (given->rfind("arn:", 0) == 0) return *given;
  if (given->rfind("alias/", 0) == 0) return prefix + *given;
  return prefix + "key/" + *given;
}

// Tags: [{Key, Value}], checked as AWS checks them. `field` is the list's
// name in shape messages ("tags").
Result<std::vector<std::pair<std::string, std::string>>> TagsOf(const json::value* v, std::string_view field) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return Status::Of(Code::kSerialization, "Unexpected value type for member Tags");
  size_t i = 0;
  for (const json::value& tag : v->as_array()) {
    ++i;
    if (!tag.is_object()) return Status::Of(Code::kSerialization, "Unexpected value type for member Tags");
    auto key = OptionalString(tag.as_object(), "Key");
    if (!key) return key.status();
    auto value = OptionalString(tag.as_object(), "Value");
    if (!value) return value.status();
    const std::string member = std::string(field) + "." + std::to_string(i) + ".member.";
    if (!*key) return Null(member + "key");
    if (!*value) return Null(member + "value");
    if (Status s = CheckLength(*key, member + "key", 1, 128); !s.ok()) return s;
    if (Status s = CheckLength(*value, member + "value", 0, 256); !s.ok()) return s;
    if (key->value().rfind("aws:", 0) == 0) {
      return Status::Validation("Tag Key cannot be prefixed with aws:, Key: " + **key);
    }
    for (const auto& [k, _] : out) {
      if (k == **key) return Status::Validation("Duplicate Tag Keys provided as input: Duplicate Tag Key found " + k);
    }
    out.emplace_back(**key, **value);
  }
  return out;
}

constexpr size_t kMaxTags = 50;
const char* kTooManyTags = "Number of Tags exceed the current limit for the provided ResourceArn";

// A table's item count and size, computed now from a snapshot (AWS refreshes
// its figures about every six hours; ours are always current).
struct TableStats {
  int64_t items = 0;
  int64_t bytes = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> indexes;  // name -> (entries, bytes)
};
Result<TableStats> StatsOf(const ItemBackend& items, const TableInfo& t) {
  TableStats stats;
  if (Status s = MeasureItems(items, t, t.KeyPrefix(), &stats.items, &stats.bytes); !s.ok()) return s;
  for (const IndexInfo& index : t.indexes) {
    auto& [count, bytes] = stats.indexes[index.name];
    if (Status s = MeasureItems(items, t, index.KeyPrefix(), &count, &bytes); !s.ok()) return s;
  }
  return stats;
}

// DescribeTable's index entries with their live counts.
void AddIndexStats(const TableStats& stats, json::object* d) {
  for (const char* member : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    json::value* list = d->if_contains(member);
    if (!list || !list->is_array()) continue;
    for (json::value& entry : list->as_array()) {
      auto it = stats.indexes.find(std::string(entry.as_object().at("IndexName").as_string()));
      if (it == stats.indexes.end()) continue;
      entry.as_object()["ItemCount"] = it->second.first;
      entry.as_object()["IndexSizeBytes"] = it->second.second;
    }
  }
}

// A table ARN a tagging call names: the table, or AWS's error for the ARN.
Result<TablePtr> TableOfArn(const TableCatalog& catalog, const std::optional<std::string>& arn) {
  if (!arn) return Null("resourceArn");
  if (Status s = CheckLength(*arn, "resourceArn", 1, 1283); !s.ok()) return s;
  const std::string& a = *arn;
  if (a.rfind("arn:", 0) != 0) return Status::Validation(std::string(kInvalid) + "ARNs must start with 'arn:': " + a);
  // arn:partition:service:region:account:resource
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = a.find(':', start);
    if (colon == std::string::npos) return Status::Validation(std::string(kInvalid) + "Provided Arn is not a DynamoDB resource arn: " + a);
    parts.push_back(a.substr(start, colon - start));
    start = colon + 1;
  }
  const std::string resource = a.substr(start);
  if (parts[2] != "dynamodb") {
    return Status::Of(Code::kAccessDenied, "User is not authorized to perform this operation on resource " + a);
  }
  if (resource.rfind("table/", 0) != 0) {
    return Status::Validation(std::string(kInvalid) + "Provided Arn is not a DynamoDB resource arn: " + a);
  }
  const std::string name = resource.substr(6);
  if (name.find('/') != std::string::npos) {
    return Status::Validation(std::string(kInvalid) +
                              "Invalid resource arn provided, only table or stream is accepted. Provided resource arn: " + a);
  }
  if (parts[3] != catalog.identity().region) {
    return Status::Validation("Invalid TableArn: Invalid ResourceArn provided as input " + a);
  }
  TablePtr t = catalog.Find(name);
  if (!t || t->table_arn != a) {
    return Status::Of(Code::kResourceNotFound, "Requested resource not found: ResourcArn: " + a + " not found");
  }
  return t;
}

Status TableNotFound(const std::string& name) {
  return Status::Of(Code::kResourceNotFound, "Requested resource not found: Table: " + name + " not found");
}

// StreamSpecification of CreateTable / UpdateTable, shape-checked.
struct StreamRequest {
  bool present = false;
  bool enabled = false;
  bool has_view = false;
  streams::StreamViewType view = streams::StreamViewType::kNone;
};

Result<StreamRequest> ParseStreamSpecification(const json::object& r) {
  StreamRequest out;
  auto spec = OptionalObject(r, "StreamSpecification");
  if (!spec) return spec.status();
  if (!*spec) return out;
  out.present = true;
  auto enabled = OptionalBool(**spec, "StreamEnabled");
  if (!enabled) return enabled.status();
  auto view = OptionalString(**spec, "StreamViewType");
  if (!view) return view.status();
  if (!*enabled) return Null("streamSpecification.streamEnabled");
  if (*view) {
    out.view = streams::ParseStreamView(**view);
    if (out.view == streams::StreamViewType::kNone) {
      return ConstraintError(**view, "streamSpecification.streamViewType",
                             "Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]");
    }
  }
  out.enabled = **enabled;
  out.has_view = view->has_value();
  return out;
}

// CreateTable's tags, encryption, protection, class and throughput modes.
Status ParseCreateSettings(const json::object& r, TableInfo* t) {
  auto sse = SseOf(r);
  if (!sse) return sse.status();
  auto protection = OptionalBool(r, "DeletionProtectionEnabled");
  if (!protection) return protection.status();
  if (auto v = OptionalString(r, "ResourcePolicy"); !v) return v.status();
  auto table_class = TableClassOf(r);
  if (!table_class) return table_class.status();
  auto on_demand = OptionalObject(r, "OnDemandThroughput");
  if (!on_demand) return on_demand.status();
  auto warm = OptionalObject(r, "WarmThroughput");
  if (!warm) return warm.status();
  auto tags = TagsOf(r.if_contains("Tags"), "tags");
  if (!tags) return tags.status();
  if (tags->size() > kMaxTags) return Status::Validation(kTooManyTags);

  t->deletion_protection = protection->value_or(false);
  if (*table_class) t->table_class = **table_class;
  if (*on_demand) t->on_demand_throughput = **on_demand;
  if (*warm) t->warm_throughput = **warm;
  for (auto& [k, v] : *tags) t->tags[k] = v;
  if (sse->enabled) {
    t->sse_enabled = true;
    t->sse_type = "KMS";
    t->sse_kms_key = sse->kms_key.value_or("");  // made an ARN when described (needs the table id)
  }
  return Status::Ok();
}

}  // namespace

json::object DescribeTableJson(const TableInfo& t, std::string_view status, int64_t item_count,
                               int64_t size_bytes) {
  json::object d;
  d["AttributeDefinitions"] = t.attribute_definitions;
  d["TableName"] = t.name;
  d["KeySchema"] = KeySchemaJson(t.key_schema);
  d["TableStatus"] = status;
  d["CreationDateTime"] = Seconds(t.creation_millis);
  json::object pt;
  if (t.last_increase_millis) pt["LastIncreaseDateTime"] = Seconds(t.last_increase_millis);
  if (t.last_decrease_millis) pt["LastDecreaseDateTime"] = Seconds(t.last_decrease_millis);
  // Decreases are counted per UTC day.
  pt["NumberOfDecreasesToday"] = t.decreases_day == NowMillis() / 86400000 ? t.decreases_today : 0;
  for (const auto& [k, v] : t.provisioned_throughput) pt[k] = v;
  d["ProvisionedThroughput"] = std::move(pt);
  d["TableSizeBytes"] = size_bytes;
  d["ItemCount"] = item_count;
  d["TableArn"] = t.table_arn;
  d["TableId"] = t.table_uuid;
  if (t.billing_mode == "PAY_PER_REQUEST") {
    d["BillingModeSummary"] = json::object{
        {"BillingMode", "PAY_PER_REQUEST"},
        {"LastUpdateToPayPerRequestDateTime", Seconds(t.billing_changed_millis ? t.billing_changed_millis : t.creation_millis)}};
  } else if (t.billing_changed_millis) {
    d["BillingModeSummary"] = json::object{{"BillingMode", "PROVISIONED"}};
  }
  if (t.has_stream()) {
    d["StreamSpecification"] =
        json::object{{"StreamEnabled", true}, {"StreamViewType", streams::StreamViewName(t.stream_view)}};
  }
  if (!t.stream_arn.empty()) {  // the latest stream, also after it was disabled (as AWS)
    d["LatestStreamLabel"] = t.stream_label;
    d["LatestStreamArn"] = t.stream_arn;
  }
  if (t.sse_enabled) {
    d["SSEDescription"] = json::object{
        {"Status", "ENABLED"},
        {"SSEType", "KMS"},
        {"KMSMasterKeyArn", KmsKeyArn(t, t.sse_kms_key.empty() ? std::nullopt : std::optional(t.sse_kms_key))}};
  }
  if (!t.table_class.empty()) d["TableClassSummary"] = json::object{{"TableClass", t.table_class}};
  AddIndexDescriptions(t, &d);
  d["DeletionProtectionEnabled"] = t.deletion_protection;
  if (!t.on_demand_throughput.empty()) d["OnDemandThroughput"] = t.on_demand_throughput;
  if (!t.warm_throughput.empty()) {
    json::object warm = t.warm_throughput;
    warm["Status"] = "ACTIVE";
    d["WarmThroughput"] = std::move(warm);
  }
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
  auto stream = ParseStreamSpecification(r);
  if (!stream) return stream.status();
  if (stream->present && stream->enabled && !stream->has_view) {
    return Status::Validation(std::string(kInvalid) + "Table is being created with a stream enabled, UpdateViewType is required");
  }
  if (stream->present && !stream->enabled && stream->has_view) {
    return Status::Validation(std::string(kInvalid) + "Table is being created with a stream disabled, UpdateViewType should not be specified");
  }
  if (stream->present && stream->enabled) t.stream_view = stream->view;
  for (const char* member : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    const json::value* v = r.if_contains(member);
    if (v && !v->is_null() && !v->is_array()) {
      return Status::Of(Code::kSerialization, std::string("Unexpected value type for member ") + member);
    }
  }
  // Tags, SSE, deletion protection, table class, on-demand/warm throughput.
  if (Status s = ParseCreateSettings(r, &t); !s.ok()) return s;
  // Secondary indexes; then every attribute definition must be a key attribute.
  std::set<std::string> key_attributes(key_names.begin(), key_names.end());
  auto indexes = ParseCreateIndexes(r, t.key_schema, defs, t.billing_mode == "PAY_PER_REQUEST", &key_attributes);
  if (!indexes) return indexes.status();
  t.indexes = std::move(*indexes);
  if (defs.size() != key_attributes.size()) {
    return Status::Validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
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
  auto stats = StatsOf(*items_, *t);
  if (!stats) return stats.status();
  json::object d = DescribeTableJson(*t, "ACTIVE", stats->items, stats->bytes);
  AddIndexStats(*stats, &d);
  return json::object{{"Table", std::move(d)}};
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
  TablePtr t = catalog_->Find(*name);
  if (!t) return TableNotFound(*name);
  // DDL runs on one thread: nothing can turn protection on in between.
  if (t->deletion_protection) {
    return Status::Validation(
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
  }
  auto stats = StatsOf(*items_, *t);
  if (!stats) return stats.status();
  auto deleted = catalog_->Delete(*name);
  if (!deleted) return deleted.status();
  return json::object{{"TableDescription", DescribeTableJson(**deleted, "DELETING", stats->items, stats->bytes)}};
}

Result<json::value> DynamoApi::UpdateTable(const Request& r) {
  auto name = TableNameOf(r);
  if (!name) return name.status();
  // Shapes first (as AWS: before the table is looked up).
  auto billing = OptionalString(r, "BillingMode");
  if (!billing) return billing.status();
  if (*billing && **billing != "PROVISIONED" && **billing != "PAY_PER_REQUEST") {
    return ConstraintError(**billing, "billingMode", "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
  }
  auto pt = OptionalObject(r, "ProvisionedThroughput");
  if (!pt) return pt.status();
  std::optional<int64_t> rcu, wcu;
  if (*pt) {
    auto read = OptionalInt(**pt, "ReadCapacityUnits", 1, INT64_MAX, "provisionedThroughput");
    if (!read) return read.status();
    auto write = OptionalInt(**pt, "WriteCapacityUnits", 1, INT64_MAX, "provisionedThroughput");
    if (!write) return write.status();
    if (!*read) return Null("provisionedThroughput.readCapacityUnits");
    if (!*write) return Null("provisionedThroughput.writeCapacityUnits");
    rcu = *read;
    wcu = *write;
  }
  auto stream = ParseStreamSpecification(r);
  if (!stream) return stream.status();
  auto sse = SseOf(r);
  if (!sse) return sse.status();
  auto protection = OptionalBool(r, "DeletionProtectionEnabled");
  if (!protection) return protection.status();
  auto table_class = TableClassOf(r);
  if (!table_class) return table_class.status();
  auto on_demand = OptionalObject(r, "OnDemandThroughput");
  if (!on_demand) return on_demand.status();
  auto warm = OptionalObject(r, "WarmThroughput");
  if (!warm) return warm.status();
  for (const char* member : {"AttributeDefinitions", "GlobalSecondaryIndexUpdates", "ReplicaUpdates"}) {
    const json::value* v = r.if_contains(member);
    if (v && !v->is_null() && !v->is_array()) {
      return Status::Of(Code::kSerialization, std::string("Unexpected value type for member ") + member);
    }
  }
  const bool gsi_updates = r.contains("GlobalSecondaryIndexUpdates") && !r.at("GlobalSecondaryIndexUpdates").is_null();
  const bool replica_updates = r.contains("ReplicaUpdates") && !r.at("ReplicaUpdates").is_null();
  if (!*billing && !*pt && !stream->present && !sse->present && !*protection && !*table_class && !*on_demand &&
      !*warm && !gsi_updates && !replica_updates) {
    return Status::Validation(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
        "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, "
        "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required");
  }
  // Changes AWS takes only alone.
  const int others = (*billing ? 1 : 0) + (*pt ? 1 : 0) + (stream->present ? 1 : 0) + (*on_demand ? 1 : 0) +
                     (gsi_updates ? 1 : 0);
  const int alone = (sse->present ? 1 : 0) + (*table_class ? 1 : 0) + (*protection ? 1 : 0) + (*warm ? 1 : 0);
  if (alone && (others || alone > 1)) {
    const char* what = sse->present      ? "Server-Side Encryption modification"
                       : *table_class    ? "TableClass modification"
                       : *protection     ? "DeletionProtection modification"
                                         : "WarmThroughput";
    return Status::Validation(std::string(kInvalid) + what + " must be the only operation in the request");
  }
  if (replica_updates) return Status::Validation("ReplicaUpdates (global tables) are not supported by this server");
  TablePtr current = catalog_->Find(*name);
  if (!current) return TableNotFound(*name);
  // Index changes are checked before anything changes, applied after the
  // table's own settings.
  std::optional<IndexUpdates> index_updates;
  if (gsi_updates) {
    auto parsed = ParseIndexUpdates(r, *current);
    if (!parsed) return parsed.status();
    index_updates = std::move(*parsed);
  }

  const int64_t now = NowMillis();
  const bool table_changes =
      *billing || *pt || stream->present || sse->present || *protection || *table_class || *on_demand || *warm;
  Result<TablePtr> updated = current;
  if (table_changes) updated = catalog_->Update(*name, [&](TableInfo& t) -> Status {
    const std::string mode = billing->value_or(t.billing_mode);
    if (mode == "PAY_PER_REQUEST" && *pt) {
      return Status::Validation(std::string(kInvalid) +
                                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    }
    if (mode == "PROVISIONED" && t.billing_mode == "PAY_PER_REQUEST" && !*pt) {
      return Status::Validation(std::string(kInvalid) + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
    }
    if (*pt) {
      const int64_t old_r = t.provisioned_throughput.contains("ReadCapacityUnits")
                                ? t.provisioned_throughput.at("ReadCapacityUnits").to_number<int64_t>() : 0;
      const int64_t old_w = t.provisioned_throughput.contains("WriteCapacityUnits")
                                ? t.provisioned_throughput.at("WriteCapacityUnits").to_number<int64_t>() : 0;
      if (mode == t.billing_mode && *rcu == old_r && *wcu == old_w) {
        return Status::Validation(
            "The provisioned throughput for the table will not change. The requested value equals the current value. "
            "Current ReadCapacityUnits provisioned for the table: " + std::to_string(old_r) +
            ". Requested ReadCapacityUnits: " + std::to_string(*rcu) +
            ". Current WriteCapacityUnits provisioned for the table: " + std::to_string(old_w) +
            ". Requested WriteCapacityUnits: " + std::to_string(*wcu) +
            ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.");
      }
      if (mode == t.billing_mode) {
        if (*rcu > old_r || *wcu > old_w) t.last_increase_millis = now;
        if (*rcu < old_r || *wcu < old_w) {
          const int64_t day = now / 86400000;
          t.decreases_today = t.decreases_day == day ? t.decreases_today + 1 : 1;
          t.decreases_day = day;
          t.last_decrease_millis = now;
        }
      }
    }
    if (stream->present) {
      if (stream->enabled) {
        if (t.has_stream()) return Status::Validation("Table already has an enabled stream: TableName: " + t.name);
        if (!stream->has_view) {
          return Status::Validation(std::string(kInvalid) + "If stream is being enabled then UpdateViewType is required");
        }
      } else {
        if (stream->has_view) {
          return Status::Validation(std::string(kInvalid) + "If stream is being disabled, then UpdateViewType must not be specified");
        }
        if (!t.has_stream()) return Status::Validation("Table has no stream to disable: TableName: " + t.name);
      }
    }
    if (sse->present) {
      if (!sse->enabled && !t.sse_enabled) {
        return Status::Validation(std::string(kInvalid) + "Table is already encrypted by default");
      }
      if (sse->enabled && t.sse_enabled && sse->kms_key.value_or("") == t.sse_kms_key) {
        return Status::Validation(std::string(kInvalid) +
                                  "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key");
      }
    }
    // Every check passed: apply.
    if (mode != t.billing_mode) {
      t.billing_mode = mode;
      t.billing_changed_millis = now;
    }
    if (mode == "PAY_PER_REQUEST") {
      t.provisioned_throughput = {{"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}};
    } else if (*pt) {
      t.provisioned_throughput = {{"ReadCapacityUnits", *rcu}, {"WriteCapacityUnits", *wcu}};
    }
    if (stream->present) t.stream_view = stream->enabled ? stream->view : streams::StreamViewType::kNone;
    if (sse->present) {
      t.sse_enabled = sse->enabled;
      t.sse_type = sse->enabled ? "KMS" : "";
      t.sse_kms_key = sse->enabled ? sse->kms_key.value_or("") : "";
    }
    if (*protection) t.deletion_protection = **protection;
    if (*table_class) t.table_class = **table_class;
    if (*on_demand) t.on_demand_throughput = **on_demand;
    if (*warm) t.warm_throughput = **warm;
    return Status::Ok();
  });
  if (!updated) return updated.status();
  bool indexes_changing = false;
  if (index_updates) {
    const uint32_t id = (*updated)->id;
    updated = catalog_->UpdateIndexes(*name, [&](TableInfo& t, const std::function<uint32_t()>& new_id) {
      if (t.id != id) return Status::Of(Code::kResourceNotFound, "Requested resource not found");
      return ApplyIndexUpdates(*index_updates, t, new_id);
    });
    if (!updated) return updated.status();
    for (const auto& i : (*updated)->indexes) {
      if (i.status != IndexStatus::kActive) index_builder_->Schedule((*updated)->name, (*updated)->id, i.id);
    }
    indexes_changing = index_updates->create || index_updates->remove;
  }
  auto stats = StatsOf(*items_, **updated);
  if (!stats) return stats.status();
  return json::object{{"TableDescription", DescribeTableJson(**updated, indexes_changing ? "UPDATING" : "ACTIVE",
                                                             stats->items, stats->bytes)}};
}

// ---- Time to live -------------------------------------------------------------

Result<json::value> DynamoApi::UpdateTimeToLive(const Request& r) {
  auto name = TableNameOf(r);
  if (!name) return name.status();
  auto spec = OptionalObject(r, "TimeToLiveSpecification");
  if (!spec) return spec.status();
  if (!*spec) return Null("timeToLiveSpecification");
  auto enabled = OptionalBool(**spec, "Enabled");
  if (!enabled) return enabled.status();
  auto attribute = OptionalString(**spec, "AttributeName");
  if (!attribute) return attribute.status();
  if (!*attribute) return Null("timeToLiveSpecification.attributeName");
  if (!*enabled) return Null("timeToLiveSpecification.enabled");
  if (Status s = CheckLength(*attribute, "timeToLiveSpecification.attributeName", 1, 255); !s.ok()) return s;
  auto updated = catalog_->Update(*name, [&](TableInfo& t) -> Status {
    if (**enabled) {
      if (t.ttl_attribute == **attribute) return Status::Validation("TimeToLive is already enabled");
      if (!t.ttl_attribute.empty()) {
        return Status::Validation("TimeToLive is active on a different AttributeName: current AttributeName is " + t.ttl_attribute);
      }
      t.ttl_attribute = **attribute;
    } else {
      if (t.ttl_attribute.empty()) return Status::Validation("TimeToLive is already disabled");
      if (t.ttl_attribute != **attribute) {
        return Status::Validation("TimeToLive is active on a different AttributeName: current AttributeName is " + t.ttl_attribute);
      }
      t.ttl_attribute.clear();
    }
    return Status::Ok();
  });
  if (!updated) return updated.status();
  return json::object{{"TimeToLiveSpecification", json::object{{"Enabled", **enabled}, {"AttributeName", **attribute}}}};
}

Result<json::value> DynamoApi::DescribeTimeToLive(const Request& r) {
  auto name = TableNameOf(r);
  if (!name) return name.status();
  TablePtr t = catalog_->Find(*name);
  if (!t) return TableNotFound(*name);
  // Changes take effect at once: never ENABLING / DISABLING.
  json::object d;
  if (t->ttl_attribute.empty()) {
    d["TimeToLiveStatus"] = "DISABLED";
  } else {
    d["TimeToLiveStatus"] = "ENABLED";
    d["AttributeName"] = t->ttl_attribute;
  }
  return json::object{{"TimeToLiveDescription", std::move(d)}};
}

// ---- Tags ---------------------------------------------------------------------

Result<json::value> DynamoApi::TagResource(const Request& r) {
  auto arn = OptionalString(r, "ResourceArn");
  if (!arn) return arn.status();
  const json::value* tags_v = r.if_contains("Tags");
  if (!*arn) return Null("resourceArn");
  if (!tags_v || tags_v->is_null()) return Null("tags");
  auto tags = TagsOf(tags_v, "tags");
  if (!tags) return tags.status();
  auto table = TableOfArn(*catalog_, *arn);
  if (!table) return table.status();
  if (tags->empty()) return Status::Validation("Atleast one Tag needs to be provided as Input.");
  auto updated = catalog_->Update((*table)->name, [&](TableInfo& t) -> Status {
    std::map<std::string, std::string> next = t.tags;
    for (const auto& [k, v] : *tags) next[k] = v;
    if (next.size() > kMaxTags) return Status::Validation(kTooManyTags);
    t.tags = std::move(next);
    return Status::Ok();
  });
  if (!updated) return updated.status();
  return json::object{};
}

Result<json::value> DynamoApi::UntagResource(const Request& r) {
  auto arn = OptionalString(r, "ResourceArn");
  if (!arn) return arn.status();
  const json::value* keys_v = r.if_contains("TagKeys");
  if (!*arn) return Null("resourceArn");
  if (!keys_v || keys_v->is_null()) return Null("tagKeys");
  if (!keys_v->is_array()) return Status::Of(Code::kSerialization, "Unexpected value type for member TagKeys");
  std::vector<std::string> keys;
  size_t i = 0;
  for (const json::value& k : keys_v->as_array()) {
    ++i;
    if (!k.is_string()) return Status::Of(Code::kSerialization, "Unexpected value type for member TagKeys");
    if (Status s = CheckLength(std::string(k.as_string()), "tagKeys." + std::to_string(i) + ".member", 1, 128); !s.ok()) {
      return s;
    }
    keys.emplace_back(k.as_string());
  }
  auto table = TableOfArn(*catalog_, *arn);
  if (!table) return table.status();
  if (keys.empty()) return Status::Validation("Atleast one Tag Key needs to be provided as Input.");
  auto updated = catalog_->Update((*table)->name, [&](TableInfo& t) -> Status {
    for (const auto& k : keys) t.tags.erase(k);  // an absent key is not an error (as AWS)
    return Status::Ok();
  });
  if (!updated) return updated.status();
  return json::object{};
}

Result<json::value> DynamoApi::ListTagsOfResource(const Request& r) {
  auto arn = OptionalString(r, "ResourceArn");
  if (!arn) return arn.status();
  auto next = OptionalString(r, "NextToken");
  if (!next) return next.status();
  auto table = TableOfArn(*catalog_, *arn);
  if (!table) return table.status();
  // At most 50 tags: one page, so NextToken is never needed (and ignored).
  json::array tags;
  for (const auto& [k, v] : (*table)->tags) tags.push_back(json::object{{"Key", k}, {"Value", v}});
  return json::object{{"Tags", std::move(tags)}};
}

// ---- Account and endpoint information -------------------------------------------

Result<json::value> DynamoApi::DescribeLimits(const Request&) {
  // AWS's default quotas for a new account (throughput is not enforced here).
  return json::object{{"AccountMaxReadCapacityUnits", 80000},
                      {"AccountMaxWriteCapacityUnits", 80000},
                      {"TableMaxReadCapacityUnits", 40000},
                      {"TableMaxWriteCapacityUnits", 40000}};
}

Result<json::value> DynamoApi::DescribeEndpoints(const Request&) {
  return json::object{
      {"Endpoints", json::array{json::object{{"Address", "dynamodb." + catalog_->identity().region + ".amazonaws.com"},
                                             {"CachePeriodInMinutes", 1440}}}}};
}

// ---- Continuous backups (remembered and described; nothing is backed up) ---------

namespace {
json::object ContinuousBackupsJson(const TableInfo& t) {
  json::object pitr;
  if (t.pitr_enabled) {
    const int64_t now = NowMillis();
    const int64_t earliest = std::max(t.creation_millis, now - t.pitr_recovery_days * 86400000);
    pitr = json::object{{"PointInTimeRecoveryStatus", "ENABLED"},
                        {"RecoveryPeriodInDays", t.pitr_recovery_days},
                        {"EarliestRestorableDateTime", Seconds(earliest)},
                        {"LatestRestorableDateTime", Seconds(now)}};
  } else {
    pitr = json::object{{"PointInTimeRecoveryStatus", "DISABLED"}};
  }
  return json::object{{"ContinuousBackupsStatus", "ENABLED"}, {"PointInTimeRecoveryDescription", std::move(pitr)}};
}
}  // namespace

Result<json::value> DynamoApi::DescribeContinuousBackups(const Request& r) {
  auto name = TableNameOf(r);
  if (!name) return name.status();
  TablePtr t = catalog_->Find(*name);
  if (!t) return Status::Of(Code::kTableNotFound, "Table not found: " + *name);
  return json::object{{"ContinuousBackupsDescription", ContinuousBackupsJson(*t)}};
}

Result<json::value> DynamoApi::UpdateContinuousBackups(const Request& r) {
  auto name = TableNameOf(r);
  if (!name) return name.status();
  auto spec = OptionalObject(r, "PointInTimeRecoverySpecification");
  if (!spec) return spec.status();
  if (!*spec) return Null("pointInTimeRecoverySpecification");
  auto enabled = OptionalBool(**spec, "PointInTimeRecoveryEnabled");
  if (!enabled) return enabled.status();
  if (!*enabled) return Null("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled");
  auto days = OptionalInt(**spec, "RecoveryPeriodInDays", 1, 35, "pointInTimeRecoverySpecification");
  if (!days) return days.status();
  if (!**enabled && *days) {
    return Status::Validation("Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.");
  }
  if (!catalog_->Find(*name)) return Status::Of(Code::kTableNotFound, "Table not found: " + *name);
  auto updated = catalog_->Update(*name, [&](TableInfo& t) -> Status {
    t.pitr_enabled = **enabled;
    t.pitr_recovery_days = days->value_or(35);
    return Status::Ok();
  });
  if (!updated) return updated.status();
  return json::object{{"ContinuousBackupsDescription", ContinuousBackupsJson(**updated)}};
}

}  // namespace streamer::dynamo
