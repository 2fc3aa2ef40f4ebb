#include "dynamo/index_requests.h"

#include <cctype>

#include "dynamo/indexes.h"
#include "dynamo/request.h"

namespace streamer::dynamo {

namespace {

constexpr size_t kMaxGlobalIndexes = 20;
constexpr size_t kMaxLocalIndexes = 5;
constexpr size_t kMaxProjectedAttributes = 100;  // NonKeyAttributes over all indexes
constexpr size_t kMaxKeyAttributesEach = 4;      // multi-attribute GSI keys: per HASH and per RANGE

Status Invalid(const std::string& message) {
  return Status::Validation("One or more parameter values were invalid: " + message);
}
Status NotNull(const std::string& field) {
  return Status::Validation("1 validation error detected: Value null at '" + field +
                            "' failed to satisfy constraint: Member must not be null");
}
Status WrongShape(std::string_view member) {
  return Status::Of(Code::kSerialization, "Unexpected value type for member " + std::string(member));
}

std::string DefinitionNames(const AttributeTypes& defs) {
  std::string have;
  for (const auto& [n, _] : defs) have += (have.empty() ? "" : ", ") + n;
  return have;
}

// The key schema of one index: HASH elements, then RANGE elements.
Status ParseIndexKeySchema(const json::object& o, const std::string& field, const AttributeTypes& defs, IndexInfo* index) {
  const json::value* v = o.if_contains("KeySchema");
  if (!v || v->is_null()) return NotNull(field + ".keySchema");
  if (!v->is_array()) return WrongShape("KeySchema");
  const json::array& keys = v->as_array();
  if (keys.empty()) return ConstraintError("[]", field + ".keySchema", "Member must have length greater than or equal to 1");
  if (keys.size() > 2 * kMaxKeyAttributesEach) {
    return ConstraintError(json::serialize(keys), field + ".keySchema", "Member must have length less than or equal to 8");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < keys.size(); ++i) {
    const json::value& k = keys[i];
    const std::string kf = field + ".keySchema." + std::to_string(i + 1) + ".member";
    if (!k.is_object()) return WrongShape("KeySchema");
    auto name = OptionalString(k.as_object(), "AttributeName");
    if (!name) return name.status();
    auto type = OptionalString(k.as_object(), "KeyType");
    if (!type) return type.status();
    if (!*name) return NotNull(kf + ".attributeName");
    if (!*type) return NotNull(kf + ".keyType");
    if ((*name)->empty()) return ConstraintError(**name, kf + ".attributeName", "Member must have length greater than or equal to 1");
    if ((*name)->size() > 255) return ConstraintError(**name, kf + ".attributeName", "Member must have length less than or equal to 255");
    if (**type != "HASH" && **type != "RANGE") {
      return ConstraintError(**type, kf + ".keyType", "Member must satisfy enum value set: [HASH, RANGE]");
    }
    if (i == 0 && **type != "HASH") return Status::Validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (**type == "HASH" && !index->sort.empty()) {
      return Invalid("Index KeySchema: HASH key attributes must precede RANGE key attributes for index: " + index->name);
    }
    if (!seen.insert(**name).second) {
      return keys.size() == 2 ? Status::Validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
                              : Invalid("Duplicate attribute in KeySchema for index: " + index->name + ": " + **name);
    }
    auto def = defs.find(**name);
    if (def == defs.end()) {
      return Invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [" + **name +
                     "], AttributeDefinitions: [" + DefinitionNames(defs) + "]");
    }
    (**type == "HASH" ? index->partition : index->sort).push_back(KeyAttribute{**name, def->second});
  }
  if (index->partition.size() > kMaxKeyAttributesEach) {
    return Invalid("Index KeySchema has more than 4 HASH key attributes for index: " + index->name);
  }
  if (index->sort.size() > kMaxKeyAttributesEach) {
    return Invalid("Index KeySchema has more than 4 RANGE key attributes for index: " + index->name);
  }
  return Status::Ok();
}

Status ParseProjection(const json::object& o, const std::string& field, IndexInfo* index) {
  auto p = OptionalObject(o, "Projection");
  if (!p) return p.status();
  if (!*p) return NotNull(field + ".projection");
  auto type = OptionalString(**p, "ProjectionType");
  if (!type) return type.status();
  const json::value* nk = (*p)->if_contains("NonKeyAttributes");
  if (nk && !nk->is_null() && !nk->is_array()) return WrongShape("NonKeyAttributes");
  const bool has_non_key = nk && nk->is_array() && !nk->as_array().empty();
  if (!*type) return NotNull(field + ".projection.projectionType");
  if (**type == "ALL") {
    index->projection = ProjectionType::kAll;
  } else if (**type == "KEYS_ONLY") {
    index->projection = ProjectionType::kKeysOnly;
  } else if (**type == "INCLUDE") {
    index->projection = ProjectionType::kInclude;
  } else {
    return ConstraintError(**type, field + ".projection.projectionType", "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]");
  }
  if (index->projection == ProjectionType::kInclude && !has_non_key) {
    return Invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
  }
  if (index->projection != ProjectionType::kInclude && has_non_key) {
    return Invalid("ProjectionType is " + **type + ", but NonKeyAttributes is specified");
  }
  if (has_non_key) {
    std::set<std::string> seen;
    for (const auto& a : nk->as_array()) {
      if (!a.is_string()) return WrongShape("NonKeyAttributes");
      const std::string name(a.as_string());
      if (name.empty() || name.size() > 255) {
        return ConstraintError(name, field + ".projection.nonKeyAttributes",
                               name.empty() ? "Member must have length greater than or equal to 1"
                                            : "Member must have length less than or equal to 255");
      }
      if (!seen.insert(name).second) return Invalid("Duplicate attribute in NonKeyAttributes for index: " + index->name + ": " + name);
      index->non_key_attributes.push_back(name);
    }
  }
  return Status::Ok();
}

Status ParseIndexThroughput(const json::object& o, const std::string& field, bool pay_per_request, IndexInfo* index) {
  auto pt = OptionalObject(o, "ProvisionedThroughput");
  if (!pt) return pt.status();
  if (pay_per_request) {
    if (*pt) {
      return Invalid("ProvisionedThroughput should not be specified for index: " + index->name +
                     " when BillingMode is PAY_PER_REQUEST");
    }
    index->provisioned_throughput = {{"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}};
    return Status::Ok();
  }
  if (!*pt) return Invalid("ProvisionedThroughput must be specified for index: " + index->name);
  auto rcu = OptionalInt(**pt, "ReadCapacityUnits", 1, INT64_MAX, field + ".provisionedThroughput");
  if (!rcu) return rcu.status();
  auto wcu = OptionalInt(**pt, "WriteCapacityUnits", 1, INT64_MAX, field + ".provisionedThroughput");
  if (!wcu) return wcu.status();
  if (!*rcu) return NotNull(field + ".provisionedThroughput.readCapacityUnits");
  if (!*wcu) return NotNull(field + ".provisionedThroughput.writeCapacityUnits");
  index->provisioned_throughput = {{"ReadCapacityUnits", **rcu}, {"WriteCapacityUnits", **wcu}};
  return Status::Ok();
}

// One GlobalSecondaryIndex (CreateTable) or GlobalSecondaryIndexUpdate.Create.
Result<IndexInfo> ParseGlobalIndex(const json::value& v, const std::string& field, const AttributeTypes& defs,
                                   bool pay_per_request) {
  if (!v.is_object()) return WrongShape("GlobalSecondaryIndexes");
  const json::object& o = v.as_object();
  IndexInfo index;
  index.kind = IndexKind::kGlobal;
  auto name = OptionalString(o, "IndexName");
  if (!name) return name.status();
  if (!*name) return NotNull(field + ".indexName");
  if (Status s = CheckIndexName(**name, field + ".indexName"); !s.ok()) return s;
  index.name = **name;
  for (const char* member : {"OnDemandThroughput", "WarmThroughput"}) {  // accepted without effect
    if (auto x = OptionalObject(o, member); !x) return x.status();
  }
  if (Status s = ParseIndexKeySchema(o, field, defs, &index); !s.ok()) return s;
  if (Status s = ParseProjection(o, field, &index); !s.ok()) return s;
  if (Status s = ParseIndexThroughput(o, field, pay_per_request, &index); !s.ok()) return s;
  return index;
}

Result<IndexInfo> ParseLocalIndex(const json::value& v, const std::string& field, const KeySchema& table_keys,
                                  const AttributeTypes& defs) {
  if (!v.is_object()) return WrongShape("LocalSecondaryIndexes");
  const json::object& o = v.as_object();
  IndexInfo index;
  index.kind = IndexKind::kLocal;
  auto name = OptionalString(o, "IndexName");
  if (!name) return name.status();
  if (!*name) return NotNull(field + ".indexName");
  if (Status s = CheckIndexName(**name, field + ".indexName"); !s.ok()) return s;
  index.name = **name;
  if (Status s = ParseIndexKeySchema(o, field, defs, &index); !s.ok()) return s;
  if (!table_keys.sort) {
    return Invalid("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
  }
  if (index.partition.size() != 1 || index.partition[0].name != table_keys.partition.name) {
    return Invalid("Index KeySchema does not have the same leading hash key as table KeySchema for index: " + index.name +
                   ". index hash key: " + index.partition[0].name + ", table hash key: " + table_keys.partition.name);
  }
  if (index.sort.size() != 1) {
    return index.sort.empty() ? Invalid("Index KeySchema does not have a range key for index: " + index.name)
                              : Invalid("Too many KeySchema attributes for index: " + index.name);
  }
  if (Status s = ParseProjection(o, field, &index); !s.ok()) return s;
  return index;
}

size_t NonKeyCount(const IndexList& indexes) {
  size_t n = 0;
  for (const auto& i : indexes) n += i.non_key_attributes.size();
  return n;
}

json::object ProjectionJson(const IndexInfo& i) {
  json::object p{{"ProjectionType", ProjectionTypeName(i.projection)}};
  if (i.projection == ProjectionType::kInclude) {
    json::array nk;
    for (const auto& a : i.non_key_attributes) nk.emplace_back(a);
    p["NonKeyAttributes"] = std::move(nk);
  }
  return p;
}

}  // namespace

Status CheckIndexName(const std::string& n, const std::string& field) {
  if (n.size() < 3) return ConstraintError(n, field, "Member must have length greater than or equal to 3");
  if (n.size() > 255) return ConstraintError(n, field, "Member must have length less than or equal to 255");
  for (char c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
      return ConstraintError(n, field, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
  }
  return Status::Ok();
}

Result<IndexList> ParseCreateIndexes(const json::object& r, const KeySchema& table_keys, const AttributeTypes& defs,
                                     bool pay_per_request, std::set<std::string>* key_attributes) {
  IndexList out;
  std::set<std::string> names;
  for (const char* member : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    const bool global = std::string_view(member) == "GlobalSecondaryIndexes";
    const json::value* v = r.if_contains(member);
    if (!v || v->is_null()) continue;
    if (!v->is_array()) return WrongShape(member);
    const json::array& list = v->as_array();
    if (list.empty()) return Invalid(std::string("List of ") + member + " is empty");
    if (global && list.size() > kMaxGlobalIndexes) {
      return Invalid("Number of GlobalSecondaryIndexes exceeds per-table limit of " + std::to_string(kMaxGlobalIndexes));
    }
    if (!global && list.size() > kMaxLocalIndexes) {
      return Invalid("Number of LocalSecondaryIndexes exceeds per-table limit of " + std::to_string(kMaxLocalIndexes));
    }
    const std::string prefix = global ? "globalSecondaryIndexes." : "localSecondaryIndexes.";
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string field = prefix + std::to_string(i + 1) + ".member";
      auto index = global ? ParseGlobalIndex(list[i], field, defs, pay_per_request)
                          : ParseLocalIndex(list[i], field, table_keys, defs);
      if (!index) return index.status();
      if (!names.insert(index->name).second) return Invalid("Duplicate index name: " + index->name);
      for (const auto& k : IndexKeyAttributes(*index)) key_attributes->insert(k.name);
      out.push_back(std::move(*index));
    }
  }
  if (NonKeyCount(out) > kMaxProjectedAttributes) {
    return Invalid("Number of projected attributes in all indexes exceeds limit of " + std::to_string(kMaxProjectedAttributes));
  }
  return out;
}

void AddIndexDescriptions(const TableInfo& t, json::object* d) {
  json::array global, local;
  for (const IndexInfo& i : t.indexes) {
    json::object o;
    o["IndexName"] = i.name;
    o["KeySchema"] = IndexKeySchemaJson(i);
    o["Projection"] = ProjectionJson(i);
    if (i.is_global()) {
      o["IndexStatus"] = IndexStatusName(i.status);
      if (i.status == IndexStatus::kCreating) o["Backfilling"] = i.backfilling;
      json::object pt = i.provisioned_throughput;
      pt["NumberOfDecreasesToday"] = 0;
      o["ProvisionedThroughput"] = std::move(pt);
    }
    // Sizes and counts are approximate in DynamoDB too; not tracked (COMPATIBILITY.md).
    o["IndexSizeBytes"] = 0;
    o["ItemCount"] = 0;
    o["IndexArn"] = t.table_arn + "/index/" + i.name;
    (i.is_global() ? global : local).push_back(std::move(o));
  }
  if (!global.empty()) (*d)["GlobalSecondaryIndexes"] = std::move(global);
  if (!local.empty()) (*d)["LocalSecondaryIndexes"] = std::move(local);
}

Result<IndexUpdates> ParseIndexUpdates(const json::object& r, const TableInfo& table) {
  IndexUpdates u;
  // AttributeDefinitions: the table's, plus (or restating) the request's.
  AttributeTypes defs;
  for (const auto& d : table.attribute_definitions) {
    defs[std::string(d.at("AttributeName").as_string())] = std::string(d.at("AttributeType").as_string());
  }
  if (const json::value* v = r.if_contains("AttributeDefinitions"); v && !v->is_null()) {
    if (!v->is_array()) return WrongShape("AttributeDefinitions");
    size_t n = 0;
    for (const auto& d : v->as_array()) {
      ++n;
      const std::string field = "attributeDefinitions." + std::to_string(n) + ".member";
      if (!d.is_object()) return WrongShape("AttributeDefinitions");
      auto name = OptionalString(d.as_object(), "AttributeName");
      if (!name) return name.status();
      auto type = OptionalString(d.as_object(), "AttributeType");
      if (!type) return type.status();
      if (!*name) return NotNull(field + ".attributeName");
      if (!*type) return NotNull(field + ".attributeType");
      if (**type != "S" && **type != "N" && **type != "B") {
        return ConstraintError(**type, field + ".attributeType", "Member must satisfy enum value set: [B, N, S]");
      }
      if (u.new_definitions.count(**name)) return Status::Validation("Cannot have two attributes with the same name");
      auto existing = defs.find(**name);
      if (existing != defs.end() && existing->second != **type) {
        return Invalid("Cannot change the type of attribute " + **name + " (defined as " + existing->second + ")");
      }
      u.new_definitions[**name] = **type;
      defs[**name] = **type;
    }
  }
  const json::value* v = r.if_contains("GlobalSecondaryIndexUpdates");
  if (!v || v->is_null()) return u;
  if (!v->is_array()) return WrongShape("GlobalSecondaryIndexUpdates");
  const json::array& list = v->as_array();
  if (list.empty()) return Invalid("GlobalSecondaryIndexUpdates is empty");
  const bool pay_per_request = table.billing_mode == "PAY_PER_REQUEST";
  size_t create_or_delete = 0;
  std::set<std::string> touched;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string field = "globalSecondaryIndexUpdates." + std::to_string(i + 1) + ".member";
    if (!list[i].is_object()) return WrongShape("GlobalSecondaryIndexUpdates");
    const json::object& o = list[i].as_object();
    int actions = 0;
    for (const char* a : {"Create", "Update", "Delete"}) {
      const json::value* x = o.if_contains(a);
      if (x && !x->is_null()) {
        if (!x->is_object()) return WrongShape(a);
        ++actions;
      }
    }
    if (actions != 1) {
      return Invalid("One of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or "
                     "GlobalSecondaryIndexUpdate.Delete must be specified");
    }
    if (const json::value* c = o.if_contains("Create"); c && !c->is_null()) {
      auto index = ParseGlobalIndex(*c, field + ".create", defs, pay_per_request);
      if (!index) return index.status();
      if (table.FindIndex(index->name)) return Invalid("Index already exists: " + index->name);
      u.create = std::move(*index);
      ++create_or_delete;
      if (!touched.insert(u.create->name).second) return Invalid("Index " + u.create->name + " is updated more than once");
      continue;
    }
    const bool is_update = o.contains("Update") && !o.at("Update").is_null();
    const json::object& x = o.at(is_update ? "Update" : "Delete").as_object();
    auto name = OptionalString(x, "IndexName");
    if (!name) return name.status();
    if (!*name) return NotNull(field + (is_update ? ".update" : ".delete") + ".indexName");
    if (Status s = CheckIndexName(**name, field + (is_update ? ".update" : ".delete") + ".indexName"); !s.ok()) return s;
    const IndexInfo* existing = table.FindIndex(**name);
    if (!existing || !existing->is_global()) {
      return Status::Of(Code::kResourceNotFound,
                        "Requested resource not found: Global Secondary Index: " + **name + " not found");
    }
    if (!touched.insert(**name).second) return Invalid("Index " + **name + " is updated more than once");
    if (is_update) {
      IndexInfo scratch;
      scratch.name = **name;
      auto pt = OptionalObject(x, "ProvisionedThroughput");
      if (!pt) return pt.status();
      if (!*pt) {
        if (x.contains("OnDemandThroughput") || x.contains("WarmThroughput")) continue;  // accepted without effect
        return NotNull(field + ".update.provisionedThroughput");
      }
      if (pay_per_request) {
        return Invalid("ProvisionedThroughput cannot be specified for index: " + **name +
                       " when BillingMode is PAY_PER_REQUEST");
      }
      if (Status s = ParseIndexThroughput(x, field + ".update", false, &scratch); !s.ok()) return s;
      u.throughput[**name] = scratch.provisioned_throughput;
    } else {
      u.remove = **name;
      ++create_or_delete;
    }
  }
  if (create_or_delete > 1) {
    return Status::Of(Code::kLimitExceeded,
                      "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
  }
  if (u.create) {
    size_t globals = 0;
    for (const auto& i : table.indexes) globals += i.is_global() ? 1 : 0;
    if (globals + 1 > kMaxGlobalIndexes) {
      return Status::Of(Code::kLimitExceeded, "Subscriber limit exceeded: The number of global secondary indexes for table " +
                                                  table.name + " exceeds the limit of " + std::to_string(kMaxGlobalIndexes));
    }
    IndexList all = table.indexes;
    all.push_back(*u.create);
    if (NonKeyCount(all) > kMaxProjectedAttributes) {
      return Invalid("Number of projected attributes in all indexes exceeds limit of " + std::to_string(kMaxProjectedAttributes));
    }
  }
  // Every new definition must be a key attribute of the created index.
  for (const auto& [name, _] : u.new_definitions) {
    bool used = table.key_schema.IsKeyAttribute(name);
    for (const auto& i : table.indexes) {
      for (const auto& k : IndexKeyAttributes(i)) used |= k.name == name;
    }
    if (u.create) {
      for (const auto& k : IndexKeyAttributes(*u.create)) used |= k.name == name;
    }
    if (!used) {
      return Invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
    }
  }
  return u;
}

Status ApplyIndexUpdates(const IndexUpdates& updates, TableInfo& table, const std::function<uint32_t()>& new_id) {
  // Checked again here, under the catalog lock: one index build or removal at a time.
  const bool busy = std::any_of(table.indexes.begin(), table.indexes.end(),
                                [](const IndexInfo& i) { return i.status != IndexStatus::kActive; });
  if ((updates.create || updates.remove) && busy) {
    return Status::Of(Code::kLimitExceeded,
                      "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
  }
  if (updates.create && table.FindIndex(updates.create->name)) {
    return Invalid("Index already exists: " + updates.create->name);
  }
  for (const auto& [name, pt] : updates.throughput) {
    for (auto& i : table.indexes) {
      if (i.name == name) i.provisioned_throughput = pt;
    }
  }
  if (updates.remove) {
    for (auto& i : table.indexes) {
      if (i.name == *updates.remove) i.status = IndexStatus::kDeleting;
    }
  }
  if (updates.create) {
    IndexInfo index = *updates.create;
    index.id = new_id();
    index.status = IndexStatus::kCreating;
    index.backfilling = true;
    table.indexes.push_back(std::move(index));
    for (const auto& [name, type] : updates.new_definitions) {
      bool known = false;
      for (const auto& d : table.attribute_definitions) known |= d.at("AttributeName").as_string() == name;
      if (!known) table.attribute_definitions.push_back(json::object{{"AttributeName", name}, {"AttributeType", type}});
    }
  }
  return Status::Ok();
}

}  // namespace streamer::dynamo
