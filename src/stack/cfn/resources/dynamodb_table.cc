// AWS::DynamoDB::Table, AWS::DynamoDB::GlobalTable -> TableSpec (SAM's
// SimpleTable is in sam.cc).
#include "stack/cfn/template.h"

namespace streamer::stack::cfn {
namespace {

std::string S(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

struct KeyReader {
  Template& t;
  const Resource& r;
  std::map<std::string, std::string> types;  // AttributeDefinitions

  KeyAttribute Attr(const std::string& name, const std::string& where) {
    auto it = types.find(name);
    if (it == types.end())
      t.Fail(r.properties, "Resources." + r.logical_id + ".Properties." + where + ": key attribute '" + name +
                               "' is not in AttributeDefinitions");
    return {name, it->second};
  }
  // KeySchema -> partition key, optional sort key.
  std::pair<KeyAttribute, std::optional<KeyAttribute>> Keys(const YAML::Node& schema, const std::string& where) {
    if (!schema || !schema.IsSequence() || schema.size() == 0 || schema.size() > 2)
      t.Fail(r.properties, "Resources." + r.logical_id + ".Properties." + where + ": missing or not a list of 1 or 2 keys");
    std::optional<KeyAttribute> hash, range;
    for (const auto& k : schema) {
      const std::string kt = S(k["KeyType"]);
      KeyAttribute a = Attr(S(k["AttributeName"]), where);
      if (kt == "HASH") hash = a;
      else if (kt == "RANGE") range = a;
      else t.Fail(r.properties, "Resources." + r.logical_id + ".Properties." + where + ": KeyType must be HASH or RANGE, not '" + kt + "'");
    }
    if (!hash) t.Fail(r.properties, "Resources." + r.logical_id + ".Properties." + where + ": no HASH key");
    return {*hash, range};
  }
  IndexSpec Index(const YAML::Node& n, const std::string& where) {
    IndexSpec ix;
    ix.name = S(n["IndexName"]);
    if (ix.name.empty()) t.Fail(r.properties, "Resources." + r.logical_id + ".Properties." + where + ".IndexName: missing");
    auto [pk, sk] = Keys(n["KeySchema"], where + ".KeySchema");
    ix.partition_key = pk;
    ix.sort_key = sk;
    if (auto p = n["Projection"]) {
      if (p["ProjectionType"]) ix.projection_type = S(p["ProjectionType"]);
      if (p["NonKeyAttributes"])
        for (const auto& a : p["NonKeyAttributes"]) ix.non_key_attributes.push_back(S(a));
    }
    if (ix.projection_type != "ALL" && ix.projection_type != "KEYS_ONLY" && ix.projection_type != "INCLUDE")
      t.Fail(r.properties, "Resources." + r.logical_id + ".Properties." + where + ".Projection.ProjectionType: ALL, KEYS_ONLY or INCLUDE");
    return ix;
  }
};

}  // namespace

void AddDynamoDbTable(Template& t, const Resource& r, Stack* stack) {
  const std::string where = "Resources." + r.logical_id + ".Properties";
  if (!r.properties) t.Fail(r.node, where + ": missing (KeySchema and AttributeDefinitions are required)");
  KeyReader keys{t, r, {}};
  YAML::Node defs = t.Prop(r, "AttributeDefinitions");
  if (!defs || !defs.IsSequence())
    t.Fail(r.properties, where + ".AttributeDefinitions: missing or not a list");
  for (const auto& d : defs) {
    const std::string type = S(d["AttributeType"]);
    if (type != "S" && type != "N" && type != "B")
      t.Fail(r.properties["AttributeDefinitions"], where + ".AttributeDefinitions: AttributeType of '" +
                                                       S(d["AttributeName"]) + "' must be S, N or B, not '" + type + "'");
    keys.types[S(d["AttributeName"])] = type;
  }
  TableSpec table;
  table.name = t.PhysicalName(r);
  auto [pk, sk] = keys.Keys(t.Prop(r, "KeySchema"), "KeySchema");
  table.partition_key = pk;
  table.sort_key = sk;
  if (auto gsis = t.Prop(r, "GlobalSecondaryIndexes")) {
    if (!gsis.IsSequence()) t.Fail(r.properties["GlobalSecondaryIndexes"], where + ".GlobalSecondaryIndexes: must be a list");
    for (size_t i = 0; i < gsis.size(); ++i)
      table.global_indexes.push_back(keys.Index(gsis[i], "GlobalSecondaryIndexes[" + std::to_string(i) + "]"));
  }
  if (auto lsis = t.Prop(r, "LocalSecondaryIndexes")) {
    if (!lsis.IsSequence()) t.Fail(r.properties["LocalSecondaryIndexes"], where + ".LocalSecondaryIndexes: must be a list");
    for (size_t i = 0; i < lsis.size(); ++i) {
      IndexSpec ix = keys.Index(lsis[i], "LocalSecondaryIndexes[" + std::to_string(i) + "]");
      if (ix.partition_key.name != table.partition_key.name || !ix.sort_key)
        t.Fail(r.properties["LocalSecondaryIndexes"], where + ".LocalSecondaryIndexes[" + std::to_string(i) +
                                                          "]: a local index has the table's HASH key and a RANGE key");
      table.local_indexes.push_back(ix);
    }
  }
  if (auto stream = t.Prop(r, "StreamSpecification")) {
    table.stream_view_type = S(stream["StreamViewType"]);
    if (table.stream_view_type != "KEYS_ONLY" && table.stream_view_type != "NEW_IMAGE" &&
        table.stream_view_type != "OLD_IMAGE" && table.stream_view_type != "NEW_AND_OLD_IMAGES")
      t.Fail(r.properties["StreamSpecification"], where + ".StreamSpecification.StreamViewType: KEYS_ONLY, NEW_IMAGE, "
                                                          "OLD_IMAGE or NEW_AND_OLD_IMAGES, not '" + table.stream_view_type + "'");
  }
  if (auto ttl = t.Prop(r, "TimeToLiveSpecification")) {
    if (S(ttl["Enabled"]) == "true") table.ttl_attribute = S(ttl["AttributeName"]);
  }
  if (auto billing = t.PropString(r, "BillingMode"); !billing.empty() && billing != "PROVISIONED" && billing != "PAY_PER_REQUEST")
    t.Fail(r.properties["BillingMode"], where + ".BillingMode: PROVISIONED or PAY_PER_REQUEST, not '" + billing + "'");
  for (const auto& existing : stack->tables)
    if (existing.name == table.name) t.Fail(r.node, "Resources." + r.logical_id + ": table name '" + table.name + "' is used twice");
  stack->tables.push_back(std::move(table));
}

}  // namespace streamer::stack::cfn
