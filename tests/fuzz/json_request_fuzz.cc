// libFuzzer target: bytes as the body of a DynamoDB request, through what
// DynamoApi does before it touches a table: ParseJson, the request member
// helpers (request.h), ExpressionAttributeNames/Values, and the attribute
// value model (validate, canonicalize, size, compare) on every item-like
// member and on every value anywhere that looks like an attribute value, and
// the legacy parameters (Expected, ScanFilter, AttributeUpdates, ...),
// translated and, when they translate, evaluated / applied on the Item.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json.h"
#include "dynamo/expr/legacy.h"
#include "dynamo/expr/projection.h"
#include "dynamo/model/attribute.h"
#include "dynamo/request.h"

using namespace streamer;
using namespace streamer::dynamo;

namespace {

void CheckItem(const json::object& item) {
  if (!ValidateItem(item).ok()) return;
  json::object canonical = CanonicalizeItem(item);
  (void)ItemSize(canonical);
  for (const auto& [name, av] : canonical) (void)AttributeValuesEqual(av, item.at(name));
}

// Every object with exactly one member is tried as an attribute value.
void Walk(const json::value& v, int depth) {
  if (depth > 64) return;
  if (const json::object* o = v.if_object()) {
    if (o->size() == 1 && ValidateAttributeValue(v).ok()) {
      json::value c = CanonicalizeValue(v);
      (void)AttributeValueSize(c);
      (void)AttributeValuesEqual(c, v);
      (void)CompareScalars(c, v);
      (void)ToJson(c);
    }
    for (const auto& [key, member] : *o) Walk(member, depth + 1);
  } else if (const json::array* a = v.if_array()) {
    for (const auto& e : *a) Walk(e, depth + 1);
  }
}

// The legacy members of `r`, on `item` (valid and canonical).
void CheckLegacy(const json::object& r, const json::object& item) {
  using namespace streamer::dynamo::expr;
  const KeySchema schema{{"pk", "S"}, KeyAttribute{"sk", "N"}};
  const json::value* op = r.if_contains("ConditionalOperator");
  for (std::string_view member : {"Expected", "ScanFilter", "QueryFilter"}) {
    const json::value* map = r.if_contains(member);
    if (!map) continue;
    auto join = ParseConditionalOperator(op, map->is_object() ? map->get_object().size() : 0);
    auto c = member == "Expected" ? ParseExpected(*map, join.ok() ? *join : LegacyJoin::kOr)
                                  : ParseLegacyFilter(*map, member, join.ok() ? *join : LegacyJoin::kOr);
    if (c.ok() && *c) (void)Evaluate(**c, &item);
  }
  if (const json::value* updates = r.if_contains("AttributeUpdates")) {
    auto u = ParseAttributeUpdates(*updates);
    if (u.ok()) (void)ApplyUpdate(*u, item, &schema);
  }
  if (const json::value* names = r.if_contains("AttributesToGet")) {
    auto paths = ParseAttributesToGet(*names);
    if (paths.ok()) (void)Project(item, *paths);
  }
  if (const json::value* kc = r.if_contains("KeyConditions")) (void)ParseKeyConditions(*kc, schema);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseJson(body);
  if (!parsed) return 0;
  (void)ToJson(*parsed);
  Walk(*parsed, 0);
  const json::object* r = parsed->if_object();
  if (!r) return 0;
  (void)TableNameOf(*r);
  (void)OptionalString(*r, "ConditionExpression");
  (void)OptionalInt(*r, "Limit", 1, 1000000, "");
  for (std::string_view member : {"Item", "Key", "ExclusiveStartKey"}) {
    auto item = OptionalObject(*r, member);
    if (item && *item) CheckItem(**item);
  }
  json::object item;
  if (auto given = OptionalObject(*r, "Item"); given && *given && ValidateItem(**given).ok()) {
    item = CanonicalizeItem(**given);
  }
  CheckLegacy(*r, item);
  (void)ExpressionMaps(*r);
  return 0;
}
