#include "dynamo/expr/legacy.h"

#include <set>

#include "dynamo/model/attribute.h"

namespace streamer::dynamo::expr {

namespace {

constexpr char kInvalid[] = "One or more parameter values were invalid: ";

Status WrongType(std::string_view member) {
  return Status::Of(Code::kSerialization, "Unexpected value type for member " + std::string(member));
}

// "expected.a.member.comparisonOperator": how AWS names a member of a map entry.
std::string MemberField(std::string_view map, std::string_view key, std::string_view member) {
  std::string field(map);
  if (!field.empty()) field[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(field[0])));
  return field + "." + std::string(key) + ".member." + std::string(member);
}

Status EnumError(std::string_view value, const std::string& field, std::string_view values) {
  return Status::Validation("1 validation error detected: Value '" + std::string(value) + "' at '" + field +
                            "' failed to satisfy constraint: Member must satisfy enum value set: [" +
                            std::string(values) + "]");
}

Status NullError(const std::string& field) {
  return Status::Validation("1 validation error detected: Value null at '" + field +
                            "' failed to satisfy constraint: Member must not be null");
}

// The comparison operators, in the order AWS lists them in its enum message.
constexpr char kOperatorNames[] = "IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS";

struct OperatorRule {
  std::string_view name;
  int min_values, max_values;            // AttributeValueList arity
  std::initializer_list<std::string_view> types;  // allowed value types; empty: any
};

const OperatorRule* FindOperator(std::string_view name) {
  static const OperatorRule kRules[] = {
      {"EQ", 1, 1, {}},
      {"NE", 1, 1, {}},
      {"LE", 1, 1, {"S", "N", "B"}},
      {"LT", 1, 1, {"S", "N", "B"}},
      {"GE", 1, 1, {"S", "N", "B"}},
      {"GT", 1, 1, {"S", "N", "B"}},
      {"NOT_NULL", 0, 0, {}},
      {"NULL", 0, 0, {}},
      {"CONTAINS", 1, 1, {"S", "N", "B"}},
      {"NOT_CONTAINS", 1, 1, {"S", "N", "B"}},
      {"BEGINS_WITH", 1, 1, {"S", "B"}},
      {"IN", 1, INT32_MAX, {"S", "N", "B"}},
      {"BETWEEN", 2, 2, {"S", "N", "B"}},
  };
  for (const auto& r : kRules) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// One entry of a condition map, its JSON shape checked.
struct LegacyEntry {
  std::string name;
  std::optional<std::string> op;          // ComparisonOperator
  const json::array* list = nullptr;      // AttributeValueList
  const json::value* value = nullptr;     // Value (Expected only)
  std::optional<bool> exists;             // Exists (Expected only)
};

// First pass over a condition map: JSON types and the operator enum, for
// every entry before any entry's content (AWS validates the shape of the
// whole request first).
Result<std::vector<LegacyEntry>> ReadEntries(const json::value& map, std::string_view member, bool expected) {
  if (!map.is_object()) return WrongType(member);
  std::vector<LegacyEntry> out;
  for (const auto& [key, v] : map.get_object()) {
    if (!v.is_object()) return WrongType(member);
    LegacyEntry e;
    e.name = std::string(key);
    const json::object& o = v.get_object();
    if (const json::value* op = o.if_contains("ComparisonOperator"); op && !op->is_null()) {
      if (!op->is_string()) return WrongType("ComparisonOperator");
      e.op = std::string(op->get_string());
      if (!FindOperator(*e.op)) {
        return EnumError(*e.op, MemberField(member, e.name, "comparisonOperator"), kOperatorNames);
      }
    } else if (!expected) {
      return NullError(MemberField(member, e.name, "comparisonOperator"));
    }
    if (const json::value* list = o.if_contains("AttributeValueList"); list && !list->is_null()) {
      if (!list->is_array()) return WrongType("AttributeValueList");
      e.list = &list->get_array();
      for (const auto& av : *e.list) {
        Status s = ValidateAttributeValue(av);
        if (!s.ok()) return s;
      }
    }
    if (expected) {
      if (const json::value* value = o.if_contains("Value"); value && !value->is_null()) {
        Status s = ValidateAttributeValue(*value);
        if (!s.ok()) return s;
        e.value = value;
      }
      if (const json::value* exists = o.if_contains("Exists"); exists && !exists->is_null()) {
        if (!exists->is_bool()) return WrongType("Exists");
        e.exists = exists->get_bool();
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

Operand PathOperand(const std::string& name) {
  Operand o;
  o.kind = Operand::Kind::kPath;
  o.path = Path{PathElement{false, name, 0}};
  return o;
}

Operand ValueOperand(const json::value& v) {
  Operand o;
  o.kind = Operand::Kind::kValue;
  o.value = CanonicalizeValue(v);
  return o;
}

// Checks `values` against the operator's arity and type rules, with AWS's
// messages and in AWS's order: count, one type, allowed type, BETWEEN bounds.
Status CheckComparison(const OperatorRule& rule, const std::vector<const json::value*>& values) {
  const int n = static_cast<int>(values.size());
  if (n < rule.min_values || n > rule.max_values) {
    return Status::Validation(std::string(kInvalid) + "Invalid number of argument(s) for the " +
                              std::string(rule.name) + " ComparisonOperator");
  }
  for (const json::value* v : values) {
    if (TypeOf(*v) != TypeOf(*values[0])) {
      return Status::Validation(std::string(kInvalid) + "AttributeValues inside AttributeValueList must be of same type");
    }
  }
  if (rule.types.size() > 0) {
    for (const json::value* v : values) {
      bool ok = false;
      for (std::string_view t : rule.types) ok |= TypeOf(*v) == t;
      if (!ok) {
        return Status::Validation(std::string(kInvalid) + "ComparisonOperator " + std::string(rule.name) +
                                  " is not valid for " + std::string(TypeOf(*v)) + " AttributeValue type");
      }
    }
  }
  if (rule.name == "BETWEEN") {
    auto order = CompareScalars(CanonicalizeValue(*values[0]), CanonicalizeValue(*values[1]));
    if (order && *order > 0) {
      return Status::Validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
    }
  }
  return Status::Ok();
}

// The condition tree of one checked comparison on attribute `name`.
Condition BuildComparison(const std::string& name, std::string_view op, const std::vector<const json::value*>& values) {
  Condition c;
  c.operands.push_back(PathOperand(name));
  for (const json::value* v : values) c.operands.push_back(ValueOperand(*v));
  static const std::pair<std::string_view, Condition::Op> kSimple[] = {
      {"EQ", Condition::Op::kEq}, {"NE", Condition::Op::kNe},   {"LE", Condition::Op::kLe},
      {"LT", Condition::Op::kLt}, {"GE", Condition::Op::kGe},   {"GT", Condition::Op::kGt},
      {"IN", Condition::Op::kIn}, {"BETWEEN", Condition::Op::kBetween},
      {"CONTAINS", Condition::Op::kContains}, {"BEGINS_WITH", Condition::Op::kBeginsWith},
      {"NOT_NULL", Condition::Op::kAttributeExists}, {"NULL", Condition::Op::kAttributeNotExists},
  };
  for (const auto& [n, o] : kSimple) {
    if (n == op) {
      c.op = o;
      return c;
    }
  }
  // NOT_CONTAINS: false on a missing attribute (unlike NOT contains(...) in
  // an expression), so: attribute_exists(a) AND NOT contains(a, v).
  Condition exists;
  exists.op = Condition::Op::kAttributeExists;
  exists.operands.push_back(PathOperand(name));
  c.op = Condition::Op::kContains;
  Condition negated;
  negated.op = Condition::Op::kNot;
  negated.children.push_back(std::move(c));
  Condition both;
  both.op = Condition::Op::kAnd;
  both.children.push_back(std::move(exists));
  both.children.push_back(std::move(negated));
  return both;
}

// Joins parts [begin, end) as a balanced tree: a map may have any number of
// entries, and evaluation recurses once per level.
Condition JoinRange(std::vector<Condition>& parts, size_t begin, size_t end, Condition::Op op) {
  if (end - begin == 1) return std::move(parts[begin]);
  const size_t mid = begin + (end - begin) / 2;
  Condition both;
  both.op = op;
  both.children.push_back(JoinRange(parts, begin, mid, op));
  both.children.push_back(JoinRange(parts, mid, end, op));
  return both;
}

std::optional<Condition> Join(std::vector<Condition> parts, LegacyJoin join) {
  if (parts.empty()) return std::nullopt;
  return JoinRange(parts, 0, parts.size(), join == LegacyJoin::kAnd ? Condition::Op::kAnd : Condition::Op::kOr);
}

std::vector<const json::value*> ListValues(const LegacyEntry& e) {
  std::vector<const json::value*> values;
  if (e.list) {
    for (const auto& v : *e.list) values.push_back(&v);
  } else if (e.value) {
    values.push_back(e.value);
  }
  return values;
}

Result<Condition> ExpectedEntry(const LegacyEntry& e) {
  const std::string& key = e.name;
  if (e.list && e.value) {
    return Status::Validation(std::string(kInvalid) + "Value and AttributeValueList cannot be used together for Attribute: " + key);
  }
  if (e.op) {
    if (e.exists) {
      return Status::Validation(std::string(kInvalid) + "Exists and ComparisonOperator cannot be used together for Attribute: " + key);
    }
    if (*e.op != "NULL" && *e.op != "NOT_NULL" && !e.list && !e.value) {
      return Status::Validation(std::string(kInvalid) + "Value or AttributeValueList must be used with ComparisonOperator: " +
                                *e.op + " for Attribute: " + key);
    }
    std::vector<const json::value*> values = ListValues(e);
    Status s = CheckComparison(*FindOperator(*e.op), values);
    if (!s.ok()) return s;
    return BuildComparison(key, *e.op, values);
  }
  if (e.list) {
    return Status::Validation(std::string(kInvalid) + "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + key);
  }
  const bool exists = e.exists.value_or(true);
  if (exists && !e.value) {
    return Status::Validation(std::string(kInvalid) + "Value must be provided when Exists is " +
                              (e.exists ? "true" : "null") + " for Attribute: " + key);
  }
  if (!exists && e.value) {
    return Status::Validation(std::string(kInvalid) + "Value cannot be used when Exists is false for Attribute: " + key);
  }
  if (!exists) return BuildComparison(key, "NULL", {});
  return BuildComparison(key, "EQ", {e.value});
}

// QueryFilter / ScanFilter / KeyConditions entries: the operator's rules.
Result<Condition> FilterEntry(const LegacyEntry& e) {
  std::vector<const json::value*> values = ListValues(e);
  Status s = CheckComparison(*FindOperator(*e.op), values);
  if (!s.ok()) return s;
  return BuildComparison(e.name, *e.op, values);
}

}  // namespace

Result<LegacyJoin> ParseConditionalOperator(const json::value* value, size_t conditions) {
  if (!value || value->is_null()) return LegacyJoin::kAnd;
  if (!value->is_string()) return WrongType("ConditionalOperator");
  std::string_view op = value->get_string();
  if (op != "AND" && op != "OR") return EnumError(op, "conditionalOperator", "AND, OR");
  if (conditions == 0) return Status::Validation("ConditionalOperator cannot be used without Filter or Expected");
  if (conditions == 1) {
    return Status::Validation("ConditionalOperator can only be used when Filter or Expected has two or more elements");
  }
  return op == "AND" ? LegacyJoin::kAnd : LegacyJoin::kOr;
}

Result<std::optional<Condition>> ParseExpected(const json::value& expected, LegacyJoin join) {
  auto entries = ReadEntries(expected, "Expected", true);
  if (!entries) return entries.status();
  std::vector<Condition> parts;
  for (const auto& e : *entries) {
    auto c = ExpectedEntry(e);
    if (!c) return c.status();
    parts.push_back(std::move(*c));
  }
  return Join(std::move(parts), join);
}

Result<std::optional<Condition>> ParseLegacyFilter(const json::value& filter, std::string_view member,
                                                   LegacyJoin join) {
  auto entries = ReadEntries(filter, member, false);
  if (!entries) return entries.status();
  std::vector<Condition> parts;
  for (const auto& e : *entries) {
    auto c = FilterEntry(e);
    if (!c) return c.status();
    parts.push_back(std::move(*c));
  }
  return Join(std::move(parts), join);
}

Result<ParsedUpdate> ParseAttributeUpdates(const json::value& updates) {
  if (!updates.is_object()) return WrongType("AttributeUpdates");
  ParsedUpdate out;
  out.legacy_messages = true;
  // Shape and Action enum first, for every entry.
  struct Raw {
    std::string name, action;
    const json::value* value;
  };
  std::vector<Raw> raws;
  for (const auto& [key, v] : updates.get_object()) {
    if (!v.is_object()) return WrongType("AttributeUpdates");
    Raw raw{std::string(key), "PUT", nullptr};
    const json::object& o = v.get_object();
    if (const json::value* action = o.if_contains("Action"); action && !action->is_null()) {
      if (!action->is_string()) return WrongType("Action");
      raw.action = std::string(action->get_string());
      if (raw.action != "PUT" && raw.action != "ADD" && raw.action != "DELETE") {
        return EnumError(raw.action, MemberField("AttributeUpdates", raw.name, "action"), "ADD, PUT, DELETE");
      }
    }
    if (const json::value* value = o.if_contains("Value"); value && !value->is_null()) raw.value = value;
    raws.push_back(std::move(raw));
  }
  for (const Raw& raw : raws) {
    if (raw.value) {
      Status s = ValidateAttributeValue(*raw.value);
      if (!s.ok()) return s;
    }
    Status s = CheckAttributeName(raw.name);
    if (!s.ok()) return s;
    UpdateAction a;
    a.path = Path{PathElement{false, raw.name, 0}};
    if (!raw.value) {
      if (raw.action != "DELETE") {
        return Status::Validation(std::string(kInvalid) + "Only DELETE action is allowed when no attribute value is specified");
      }
      a.kind = UpdateAction::Kind::kRemove;
      out.actions.push_back(std::move(a));
      continue;
    }
    json::value v = CanonicalizeValue(*raw.value);
    const std::string_view t = TypeOf(v);
    const bool is_set = t == "SS" || t == "NS" || t == "BS";
    if (raw.action == "PUT") {
      a.kind = UpdateAction::Kind::kSet;
      a.value.kind = UpdateValue::Kind::kValue;
      a.value.value = std::move(v);
    } else if (raw.action == "ADD") {
      if (!is_set && t != "N") {
        return Status::Validation(std::string(kInvalid) + "Action ADD is not supported for the type " + std::string(t));
      }
      a.kind = UpdateAction::Kind::kAdd;
      a.operand = std::move(v);
    } else {
      if (!is_set) {
        return Status::Validation(std::string(kInvalid) + "Action DELETE is not supported for the type " + std::string(t));
      }
      a.kind = UpdateAction::Kind::kDelete;
      a.operand = std::move(v);
    }
    out.actions.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<Path>> ParseAttributesToGet(const json::value& names) {
  if (!names.is_array()) return WrongType("AttributesToGet");
  const json::array& list = names.get_array();
  std::string shown = "[";
  for (const auto& n : list) {
    if (!n.is_string()) return WrongType("AttributesToGet");
    if (shown.size() > 1) shown += ", ";
    shown += std::string(n.get_string());
  }
  shown += "]";
  if (list.empty() || list.size() > 255) {
    return Status::Validation("1 validation error detected: Value '" + shown +
                              "' at 'attributesToGet' failed to satisfy constraint: Member must have length " +
                              (list.empty() ? "greater than or equal to 1" : "less than or equal to 255"));
  }
  std::vector<Path> paths;
  std::set<std::string_view> seen;
  for (const auto& n : list) {
    std::string_view name = n.get_string();
    if (!seen.insert(name).second) {
      return Status::Validation(std::string(kInvalid) + "Duplicate value in attribute name: " + std::string(name));
    }
    paths.push_back(Path{PathElement{false, std::string(name), 0}});
  }
  return paths;
}

Result<KeyCondition> ParseKeyConditions(const json::value& conditions, const KeySchema& schema) {
  auto entries = ReadEntries(conditions, "KeyConditions", false);
  if (!entries) return entries.status();
  for (const auto& e : *entries) {
    Status s = CheckComparison(*FindOperator(*e.op), ListValues(e));
    if (!s.ok()) return s;
  }
  if (entries->size() != 1 && entries->size() != 2) {
    return Status::Validation("Conditions can be of length 1 or 2 only");
  }
  auto find = [&](const std::string& name) -> const LegacyEntry* {
    for (const auto& e : *entries) {
      if (e.name == name) return &e;
    }
    return nullptr;
  };
  KeyCondition out;
  std::vector<const KeyAttribute*> keys{&schema.partition};
  if (schema.sort) keys.push_back(&*schema.sort);
  for (const KeyAttribute* key : keys) {
    const bool is_partition = key == &schema.partition;
    if (is_partition && !schema.sort && entries->size() > 1) {
      return Status::Validation("Query key condition not supported");
    }
    const LegacyEntry* e = find(key->name);
    if (!e) {
      if (is_partition || entries->size() > 1) {
        return Status::Validation("Query condition missed key schema element: " + key->name);
      }
      continue;
    }
    const std::string& op = *e->op;
    if (op == "NULL" || op == "NOT_NULL" || op == "NE" || op == "CONTAINS" || op == "NOT_CONTAINS" || op == "IN") {
      return Status::Validation("Attempted conditional constraint is not an indexable operation");
    }
    std::vector<const json::value*> values = ListValues(*e);
    for (const json::value* v : values) {
      if (TypeOf(*v) != key->type) {
        return Status::Validation(std::string(kInvalid) + "Condition parameter type does not match schema type");
      }
    }
    if (is_partition) {
      if (op != "EQ") return Status::Validation("Query key condition not supported");
      out.partition_value = CanonicalizeValue(*values[0]);
      continue;
    }
    static const std::pair<std::string_view, SortKeyCondition::Op> kOps[] = {
        {"EQ", SortKeyCondition::Op::kEq}, {"LT", SortKeyCondition::Op::kLt},
        {"LE", SortKeyCondition::Op::kLe}, {"GT", SortKeyCondition::Op::kGt},
        {"GE", SortKeyCondition::Op::kGe}, {"BETWEEN", SortKeyCondition::Op::kBetween},
        {"BEGINS_WITH", SortKeyCondition::Op::kBeginsWith}};
    SortKeyCondition sort;
    for (const auto& [n, o] : kOps) {
      if (n == op) sort.op = o;
    }
    sort.value = CanonicalizeValue(*values[0]);
    if (values.size() > 1) sort.value2 = CanonicalizeValue(*values[1]);
    out.sort = std::move(sort);
  }
  return out;
}

}  // namespace streamer::dynamo::expr
