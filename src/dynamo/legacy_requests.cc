#include "dynamo/legacy_requests.h"

#include <functional>

#include "dynamo/expr/legacy.h"

namespace streamer::dynamo {

namespace {

const json::value* Member(const json::object& r, std::string_view name) {
  const json::value* v = r.if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

// Entries of a condition map (0 when absent or not a map: its own parse reports that).
size_t Entries(const json::value* map) { return map && map->is_object() ? map->get_object().size() : 0; }

Result<std::shared_ptr<const expr::ParsedCondition>> Translate(
    const json::value* map, const json::value* conditional_operator,
    const std::function<Result<std::optional<expr::Condition>>(const json::value&, expr::LegacyJoin)>& parse) {
  auto join = expr::ParseConditionalOperator(conditional_operator, Entries(map));
  if (!join) return join.status();
  if (!map) return std::shared_ptr<const expr::ParsedCondition>();
  auto condition = parse(*map, *join);
  if (!condition) return condition.status();
  if (!*condition) return std::shared_ptr<const expr::ParsedCondition>();
  auto parsed = std::make_shared<expr::ParsedCondition>();
  parsed->root = std::move(**condition);
  return std::shared_ptr<const expr::ParsedCondition>(std::move(parsed));
}

}  // namespace

Status CheckNotMixed(const json::object& r, std::initializer_list<std::string_view> legacy,
                     std::initializer_list<std::string_view> expressions) {
  auto present = [&](std::initializer_list<std::string_view> names) {
    std::string out;
    for (std::string_view n : names) {
      if (!Member(r, n)) continue;
      if (!out.empty()) out += ", ";
      out += std::string(n);
    }
    return out;
  };
  const std::string e = present(expressions);
  if (e.empty()) return Status::Ok();
  const std::string l = present(legacy);
  if (l.empty()) return Status::Ok();
  return Status::Validation("Can not use both expression and non-expression parameters in the same request: "
                            "Non-expression parameters: {" + l + "} Expression parameters: {" + e + "}");
}

Result<std::shared_ptr<const expr::ParsedCondition>> LegacyCondition(const json::object& r) {
  Status mixed = CheckNotMixed(r, {"Expected", "ConditionalOperator"}, {"ConditionExpression"});
  if (!mixed.ok()) return mixed;
  return Translate(Member(r, "Expected"), Member(r, "ConditionalOperator"), expr::ParseExpected);
}

Result<std::shared_ptr<const expr::ParsedCondition>> LegacyFilter(const json::object& r, std::string_view member) {
  return Translate(Member(r, member), Member(r, "ConditionalOperator"),
                   [member](const json::value& map, expr::LegacyJoin join) {
                     return expr::ParseLegacyFilter(map, member, join);
                   });
}

Result<std::shared_ptr<const expr::ParsedUpdate>> LegacyUpdate(const json::object& r) {
  const json::value* updates = Member(r, "AttributeUpdates");
  if (!updates) return std::shared_ptr<const expr::ParsedUpdate>();
  auto parsed = expr::ParseAttributeUpdates(*updates);
  if (!parsed) return parsed.status();
  return std::shared_ptr<const expr::ParsedUpdate>(std::make_shared<expr::ParsedUpdate>(std::move(*parsed)));
}

Result<std::optional<std::vector<expr::Path>>> LegacyProjection(const json::object& r) {
  const json::value* names = Member(r, "AttributesToGet");
  if (!names) return std::optional<std::vector<expr::Path>>();
  auto paths = expr::ParseAttributesToGet(*names);
  if (!paths) return paths.status();
  return std::optional<std::vector<expr::Path>>(std::move(*paths));
}

Result<std::optional<expr::KeyCondition>> LegacyKeyConditions(const json::object& r, const KeySchema& schema) {
  const json::value* conditions = Member(r, "KeyConditions");
  if (!conditions) return std::optional<expr::KeyCondition>();
  auto kc = expr::ParseKeyConditions(*conditions, schema);
  if (!kc) return kc.status();
  return std::optional<expr::KeyCondition>(std::move(*kc));
}

}  // namespace streamer::dynamo
