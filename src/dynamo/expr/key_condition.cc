#include "dynamo/expr/key_condition.h"

#include <map>

#include "dynamo/expr/condition_internal.h"
#include "dynamo/model/attribute.h"

namespace streamer::dynamo::expr {
namespace {

constexpr char kPrefix[] = "Invalid KeyConditionExpression: ";

struct KeyTerm {
  Condition::Op op;
  std::vector<json::value> values;
};

Status Invalid(const std::string& message) { return Status::Validation(kPrefix + message); }

// The range condition on a sort key attribute of `type` ("S", "N", "B").
Result<SortKeyCondition> SortConditionOf(const KeyTerm& term, const std::string& type) {
  SortKeyCondition sc;
  switch (term.op) {
    case Condition::Op::kEq: sc.op = SortKeyCondition::Op::kEq; break;
    case Condition::Op::kLt: sc.op = SortKeyCondition::Op::kLt; break;
    case Condition::Op::kLe: sc.op = SortKeyCondition::Op::kLe; break;
    case Condition::Op::kGt: sc.op = SortKeyCondition::Op::kGt; break;
    case Condition::Op::kGe: sc.op = SortKeyCondition::Op::kGe; break;
    case Condition::Op::kBetween: sc.op = SortKeyCondition::Op::kBetween; break;
    case Condition::Op::kBeginsWith:
      if (type == "N") return Status::Validation("Query key condition not supported");
      sc.op = SortKeyCondition::Op::kBeginsWith;
      break;
    default: return Status::Validation("Query key condition not supported");
  }
  sc.value = CanonicalizeValue(term.values[0]);
  if (term.values.size() > 1) sc.value2 = CanonicalizeValue(term.values[1]);
  return sc;
}

const char* OpName(Condition::Op op) {
  switch (op) {
    case Condition::Op::kOr: return "OR";
    case Condition::Op::kNot: return "NOT";
    case Condition::Op::kIn: return "IN";
    case Condition::Op::kNe: return "<>";
    case Condition::Op::kAttributeExists: return "attribute_exists";
    case Condition::Op::kAttributeNotExists: return "attribute_not_exists";
    case Condition::Op::kAttributeType: return "attribute_type";
    case Condition::Op::kContains: return "contains";
    default: return nullptr;
  }
}

// Flattens the AND tree into one term per key attribute.
Status Collect(const Condition& c, std::map<std::string, KeyTerm>* terms, std::vector<std::string>* order) {
  if (const char* bad = OpName(c.op)) return Invalid(std::string("Invalid operator used in KeyConditionExpression: ") + bad);
  if (c.op == Condition::Op::kAnd) {
    for (const auto& child : c.children) {
      Status s = Collect(child, terms, order);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  for (const auto& o : c.operands) {
    if (o.kind == Operand::Kind::kSize) return Invalid("KeyConditionExpressions cannot contain nested operations");
  }
  if ((c.op == Condition::Op::kBetween || c.op == Condition::Op::kBeginsWith) &&
      c.operands[0].kind != Operand::Kind::kPath) {
    return Invalid(std::string("Invalid condition in KeyConditionExpression: ") +
                   (c.op == Condition::Op::kBetween ? "BETWEEN" : "begins_with") +
                   " operator must have the key attribute as its first operand");
  }
  const Operand* key = nullptr;
  size_t key_index = 0;
  for (size_t i = 0; i < c.operands.size(); ++i) {
    if (c.operands[i].kind != Operand::Kind::kPath) continue;
    if (key) return Invalid("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
    if (c.operands[i].path.size() > 1) return Invalid("KeyConditionExpressions cannot have conditions on nested attributes");
    key = &c.operands[i];
    key_index = i;
  }
  if (!key) return Invalid("Invalid condition in KeyConditionExpression: No key attribute specified");
  const std::string& name = key->path[0].name;
  if (terms->count(name)) return Invalid("KeyConditionExpressions must only contain one condition per key");
  KeyTerm term{c.op, {}};
  if (key_index != 0) {  // ":v < k" is "k > :v"
    switch (c.op) {
      case Condition::Op::kLt: term.op = Condition::Op::kGt; break;
      case Condition::Op::kLe: term.op = Condition::Op::kGe; break;
      case Condition::Op::kGt: term.op = Condition::Op::kLt; break;
      case Condition::Op::kGe: term.op = Condition::Op::kLe; break;
      default: break;
    }
  }
  for (size_t i = 0; i < c.operands.size(); ++i) {
    if (i != key_index) term.values.push_back(c.operands[i].value);
  }
  (*terms)[name] = std::move(term);
  order->push_back(name);
  return Status::Ok();
}

}  // namespace

Result<KeyCondition> ParseKeyCondition(std::string_view text, const AttributeMaps& maps, const KeySchema& schema) {
  KeyCondition out;
  auto c = internal::BuildCondition(text, maps, "KeyConditionExpression", &out.used);
  if (!c.ok()) return c.status();
  std::map<std::string, KeyTerm> terms;
  std::vector<std::string> order;
  Status s = Collect(*c, &terms, &order);
  if (!s.ok()) return s;

  const std::string& pk = schema.partition.name;
  if (!schema.sort && terms.size() > 1) return Status::Validation("Query key condition not supported");
  for (const auto& name : order) {
    if (!schema.IsKeyAttribute(name)) {
      if (!terms.count(pk)) return Status::Validation("Query condition missed key schema element: " + pk);
      return Status::Validation("Query condition missed key schema element: " + schema.sort->name);
    }
  }
  if (!terms.count(pk)) return Status::Validation("Query condition missed key schema element: " + pk);

  auto check_types = [](const KeyTerm& term, const std::string& type) {
    for (const auto& v : term.values) {
      if (TypeOf(v) != type) {
        return Status::Validation(
            "One or more parameter values were invalid: Condition parameter type does not match schema type");
      }
    }
    return Status::Ok();
  };
  const KeyTerm& pterm = terms.at(pk);
  s = check_types(pterm, schema.partition.type);
  if (!s.ok()) return s;
  if (pterm.op != Condition::Op::kEq) return Status::Validation("Query key condition not supported");
  out.partition_value = pterm.values[0];

  if (schema.sort && terms.count(schema.sort->name)) {
    const KeyTerm& sterm = terms.at(schema.sort->name);
    s = check_types(sterm, schema.sort->type);
    if (!s.ok()) return s;
    auto sc = SortConditionOf(sterm, schema.sort->type);
    if (!sc) return sc.status();
    out.sort = std::move(*sc);
  }
  out.partition_value = CanonicalizeValue(out.partition_value);
  return out;
}

Result<MultiKeyCondition> ParseMultiKeyCondition(std::string_view text, const AttributeMaps& maps,
                                                 const std::vector<KeyAttribute>& partition,
                                                 const std::vector<KeyAttribute>& sort) {
  MultiKeyCondition out;
  auto c = internal::BuildCondition(text, maps, "KeyConditionExpression", &out.used);
  if (!c.ok()) return c.status();
  std::map<std::string, KeyTerm> terms;
  std::vector<std::string> order;
  Status s = Collect(*c, &terms, &order);
  if (!s.ok()) return s;
  auto type_error = [] {
    return Status::Validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
  };
  for (const auto& name : order) {
    bool known = false;
    for (const auto& k : partition) known |= k.name == name;
    for (const auto& k : sort) known |= k.name == name;
    if (!known) {
      for (const auto& k : partition) {
        if (!terms.count(k.name)) return Status::Validation("Query condition missed key schema element: " + k.name);
      }
      return Status::Validation("Query key condition not supported");
    }
  }
  for (const auto& k : partition) {
    auto t = terms.find(k.name);
    if (t == terms.end()) return Status::Validation("Query condition missed key schema element: " + k.name);
    for (const auto& v : t->second.values) {
      if (TypeOf(v) != k.type) return type_error();
    }
    if (t->second.op != Condition::Op::kEq) return Status::Validation("Query key condition not supported");
    out.partition_values.push_back(CanonicalizeValue(t->second.values[0]));
  }
  // Sort attributes: a prefix of the key's, equality on all but the last.
  size_t given = 0;
  while (given < sort.size() && terms.count(sort[given].name)) ++given;
  for (size_t i = given; i < sort.size(); ++i) {
    if (terms.count(sort[i].name)) {
      return Status::Validation("Query condition missed key schema element: " + sort[given].name);
    }
  }
  for (size_t i = 0; i < given; ++i) {
    const KeyTerm& term = terms.at(sort[i].name);
    for (const auto& v : term.values) {
      if (TypeOf(v) != sort[i].type) return type_error();
    }
    const bool last = i + 1 == given;
    if (!last) {
      if (term.op != Condition::Op::kEq) return Status::Validation("Query key condition not supported");
      out.sort_equal.push_back(CanonicalizeValue(term.values[0]));
      continue;
    }
    auto sc = SortConditionOf(term, sort[i].type);
    if (!sc) return sc.status();
    out.last = std::move(*sc);
  }
  return out;
}

}  // namespace streamer::dynamo::expr
