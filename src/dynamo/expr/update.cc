#include "dynamo/expr/update.h"

#include <algorithm>
#include <unordered_set>

#include "dynamo/expr/parser.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/decimal.h"

namespace streamer::dynamo::expr {

using internal::ErrorKind;
using internal::ErrorSet;
using internal::RawOperand;

namespace {

constexpr char kInvalidPath[] = "The document path provided in the update expression is invalid for update";
constexpr char kWrongType[] = "An operand in the update expression has an incorrect data type";
constexpr char kMissing[] = "The provided expression refers to an attribute that does not exist in the item";

std::string TypeWord(std::string_view t) {
  if (t == "S") return "STRING";
  if (t == "N") return "NUMBER";
  if (t == "B") return "BINARY";
  if (t == "BOOL") return "BOOLEAN";
  if (t == "L") return "LIST";
  if (t == "M") return "MAP";
  return std::string(t);  // NULL
}

bool IsSetType(std::string_view t) { return t == "SS" || t == "NS" || t == "BS"; }

class Converter {
 public:
  explicit Converter(ErrorSet* errors) : errors_(errors) {}

  UpdateValue Convert(const RawOperand& raw) {
    UpdateValue v;
    switch (raw.kind) {
      case RawOperand::Kind::kPath:
        v.kind = UpdateValue::Kind::kPath;
        v.path = raw.path;
        return v;
      case RawOperand::Kind::kValue:
        v.kind = UpdateValue::Kind::kValue;
        v.value = raw.value;
        return v;
      case RawOperand::Kind::kArithmetic:
        v.kind = raw.function == "+" ? UpdateValue::Kind::kPlus : UpdateValue::Kind::kMinus;
        CheckOperandTypes(raw, "N");
        break;
      case RawOperand::Kind::kFunction:
        if (raw.function == "if_not_exists") {
          v.kind = UpdateValue::Kind::kIfNotExists;
        } else if (raw.function == "list_append") {
          v.kind = UpdateValue::Kind::kListAppend;
        } else if (IsConditionFunction(raw.function)) {
          // A condition function is known, just not allowed here.
          errors_->Add(ErrorKind::kMisusedFunction,
                       "The function is not allowed in an update expression; function: " + raw.function);
          return v;
        } else {
          errors_->Add(ErrorKind::kUnknownFunction, "Invalid function name; function: " + raw.function);
          return v;
        }
        if (raw.args.size() != 2) {
          errors_->Add(ErrorKind::kFunctionType,
                       "Incorrect number of operands for operator or function; operator or function: " + raw.function +
                           ", number of operands: " + std::to_string(raw.args.size()));
          return v;
        }
        if (v.kind == UpdateValue::Kind::kIfNotExists && raw.args[0].kind != RawOperand::Kind::kPath) {
          errors_->Add(ErrorKind::kFunctionType,
                       "Operator or function requires a document path; operator or function: if_not_exists");
        }
        if (v.kind == UpdateValue::Kind::kListAppend) CheckOperandTypes(raw, "L");
        break;
    }
    for (const auto& a : raw.args) v.args.push_back(Convert(a));
    return v;
  }

 private:
  static bool IsConditionFunction(std::string_view f) {
    for (std::string_view c : {"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains",
                               "size"}) {
      if (f == c) return true;
    }
    return false;
  }

  void CheckOperandTypes(const RawOperand& raw, std::string_view wanted) {
    for (const auto& a : raw.args) {
      if (a.kind != RawOperand::Kind::kValue || a.value.is_null()) continue;
      std::string_view t = TypeOf(a.value);
      if (t != wanted) {
        errors_->Add(ErrorKind::kFunctionType, "Incorrect operand type for operator or function; operator or function: " +
                                                   raw.function + ", operand type: " + std::string(t));
        return;
      }
    }
  }

  ErrorSet* errors_;
};

// --- application ---

Result<json::value> Eval(const UpdateValue& v, const json::object& item);

// The operands of nested list_append calls, left to right.
void CollectAppended(const UpdateValue& v, std::vector<const UpdateValue*>* leaves) {
  if (v.kind == UpdateValue::Kind::kListAppend) {
    CollectAppended(v.args[0], leaves);
    CollectAppended(v.args[1], leaves);
  } else {
    leaves->push_back(&v);
  }
}

// list_append, nested or not, in one pass: evaluating each call on its own
// would copy the growing list at every level (quadratic, on the serial
// writer). Operands are read in place where they can be; the result stops
// growing once it could not fit in an item.
Result<json::value> ListAppend(const UpdateValue& v, const json::object& item) {
  std::vector<const UpdateValue*> leaves;
  CollectAppended(v, &leaves);
  std::vector<json::value> computed(leaves.size());
  std::vector<const json::value*> parts(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    const UpdateValue& leaf = *leaves[i];
    if (leaf.kind == UpdateValue::Kind::kValue) {
      parts[i] = &leaf.value;  // canonical since parsing
    } else if (leaf.kind == UpdateValue::Kind::kPath) {
      parts[i] = ResolvePath(item, leaf.path);
      if (!parts[i]) return Status::Validation(kMissing);
    } else {
      auto r = Eval(leaf, item);
      if (!r.ok()) return r;
      computed[i] = std::move(*r);
      parts[i] = &computed[i];
    }
  }
  for (const json::value* part : parts) {
    if (TypeOf(*part) != "L") return Status::Validation(kWrongType);
  }
  json::array joined;
  size_t size = 3;
  for (const json::value* part : parts) {
    for (const auto& e : PayloadOf(*part)->get_array()) {
      size += 1 + AttributeValueSize(e);
      if (size > kMaxItemSize) return Status::Validation("Item size to update has exceeded the maximum allowed size");
      joined.push_back(e);
    }
  }
  json::object out;
  out["L"] = std::move(joined);
  return json::value(std::move(out));
}

Result<json::value> Eval(const UpdateValue& v, const json::object& item) {
  switch (v.kind) {
    case UpdateValue::Kind::kValue:
      return v.value;  // canonical since parsing
    case UpdateValue::Kind::kPath: {
      const json::value* found = ResolvePath(item, v.path);
      if (!found) return Status::Validation(kMissing);
      return *found;
    }
    case UpdateValue::Kind::kIfNotExists: {
      if (const json::value* found = ResolvePath(item, v.args[0].path)) return *found;
      return Eval(v.args[1], item);
    }
    case UpdateValue::Kind::kListAppend: return ListAppend(v, item);
    case UpdateValue::Kind::kPlus:
    case UpdateValue::Kind::kMinus: {
      auto a = Eval(v.args[0], item);
      if (!a.ok()) return a;
      auto b = Eval(v.args[1], item);
      if (!b.ok()) return b;
      if (TypeOf(*a) != "N" || TypeOf(*b) != "N") return Status::Validation(kWrongType);
      auto da = Decimal::Parse(PayloadOf(*a)->get_string());
      auto db = Decimal::Parse(PayloadOf(*b)->get_string());
      if (!da.ok()) return da.status();
      if (!db.ok()) return db.status();
      auto r = v.kind == UpdateValue::Kind::kPlus ? da->Add(*db) : da->Subtract(*db);
      if (!r.ok()) return r.status();
      return MakeN(r->ToString());
    }
  }
  return Status::Internal("unknown update value");
}

// Where the last element of `path` lives: a map (object of attribute values)
// or a list. Fails when an intermediate attribute is missing or of the wrong type.
struct Slot {
  json::object* map = nullptr;
  json::array* list = nullptr;
};

Result<Slot> Locate(json::object* item, const Path& path) {
  Slot slot{item, nullptr};
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    json::value* cur = nullptr;
    if (slot.map) {
      cur = slot.map->if_contains(path[i].name);
    } else if (path[i].index < slot.list->size()) {
      cur = &(*slot.list)[path[i].index];
    }
    if (!cur || !cur->is_object() || cur->get_object().size() != 1) return Status::Validation(kInvalidPath);
    json::object& av = cur->get_object();
    const PathElement& next = path[i + 1];
    if (!next.is_index && av.contains("M") && av["M"].is_object()) {
      slot = {&av["M"].get_object(), nullptr};
    } else if (next.is_index && av.contains("L") && av["L"].is_array()) {
      slot = {nullptr, &av["L"].get_array()};
    } else {
      return Status::Validation(kInvalidPath);
    }
  }
  if (slot.map && path.back().is_index) return Status::Validation(kInvalidPath);
  if (slot.list && !path.back().is_index) return Status::Validation(kInvalidPath);
  return slot;
}

json::value* Existing(const Slot& slot, const PathElement& last) {
  if (slot.map) return slot.map->if_contains(last.name);
  return last.index < slot.list->size() ? &(*slot.list)[last.index] : nullptr;
}

void Store(const Slot& slot, const PathElement& last, json::value v) {
  if (slot.map) {
    (*slot.map)[last.name] = std::move(v);
  } else if (last.index < slot.list->size()) {
    (*slot.list)[last.index] = std::move(v);
  } else {
    slot.list->push_back(std::move(v));  // beyond the end: appended
  }
}

void Erase(const Slot& slot, const PathElement& last) {
  if (slot.map) {
    slot.map->erase(last.name);
  } else if (last.index < slot.list->size()) {
    slot.list->erase(slot.list->begin() + static_cast<std::ptrdiff_t>(last.index));
  }
}

// The members of a set as comparable keys, hashed: ADD and DELETE stay linear
// in the sizes of both sets (a member-by-member search would be quadratic on
// the serial writer).
std::unordered_set<std::string> SetKeys(const json::array& set, std::string_view type) {
  std::unordered_set<std::string> keys;
  keys.reserve(set.size());
  for (const auto& e : set) keys.insert(SetMemberKey(e, type));
  return keys;
}

constexpr char kLegacyMismatch[] = "Type mismatch for attribute to update";

Status ApplyAdd(const Slot& slot, const PathElement& last, const json::value& operand, const char* mismatch) {
  json::value* existing = Existing(slot, last);
  json::value add = CanonicalizeValue(operand);
  if (!existing) {
    Store(slot, last, std::move(add));
    return Status::Ok();
  }
  std::string_view t = TypeOf(add);
  if (TypeOf(*existing) != t) return Status::Validation(mismatch);
  if (t == "N") {
    auto a = Decimal::Parse(PayloadOf(*existing)->get_string());
    auto b = Decimal::Parse(PayloadOf(add)->get_string());
    if (!a.ok()) return a.status();
    if (!b.ok()) return b.status();
    auto sum = a->Add(*b);
    if (!sum.ok()) return sum.status();
    *existing = MakeN(sum->ToString());
    return Status::Ok();
  }
  json::array& set = existing->get_object()[t].get_array();
  std::unordered_set<std::string> present = SetKeys(set, t);
  for (const auto& m : PayloadOf(add)->get_array()) {
    if (present.insert(SetMemberKey(m, t)).second) set.push_back(m);
  }
  return Status::Ok();
}

Status ApplyDelete(const Slot& slot, const PathElement& last, const json::value& operand, const char* mismatch) {
  json::value* existing = Existing(slot, last);
  if (!existing) return Status::Ok();
  std::string_view t = TypeOf(operand);
  if (TypeOf(*existing) != t) return Status::Validation(mismatch);
  json::array& set = existing->get_object()[t].get_array();
  json::array kept;
  const std::unordered_set<std::string> removed = SetKeys(PayloadOf(operand)->get_array(), t);
  for (const auto& m : set) {
    if (!removed.count(SetMemberKey(m, t))) kept.push_back(m);
  }
  if (kept.empty()) {
    Erase(slot, last);
  } else {
    set = std::move(kept);
  }
  return Status::Ok();
}

bool PathGreater(const Path& a, const Path& b) {
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i].is_index != b[i].is_index) return a[i].is_index;
    if (a[i].is_index ? a[i].index != b[i].index : a[i].name != b[i].name) {
      return a[i].is_index ? a[i].index > b[i].index : a[i].name > b[i].name;
    }
  }
  return a.size() > b.size();
}

}  // namespace

Result<ParsedUpdate> ParseUpdate(std::string_view text, const AttributeMaps& maps) {
  const std::string prefix = "Invalid UpdateExpression: ";
  if (text.empty()) return Status::Validation(prefix + "The expression can not be empty;");
  if (std::string size = internal::ExpressionSizeError(text); !size.empty()) return Status::Validation(prefix + size);
  ParsedUpdate out;
  ErrorSet errors;
  internal::Parser parser(text, maps, &errors, &out.used);
  std::vector<internal::RawUpdateAction> raw;
  if (!parser.ParseUpdate(&raw)) return Status::Validation(prefix + parser.SyntaxError());
  if (std::string ops = parser.OperatorError(); !ops.empty()) return Status::Validation(prefix + ops);

  Converter converter(&errors);
  std::vector<Path> paths;
  for (const auto& r : raw) {
    UpdateAction a;
    a.path = r.path;
    paths.push_back(r.path);
    if (r.section == "SET") {
      a.kind = UpdateAction::Kind::kSet;
      a.value = converter.Convert(r.value);
    } else if (r.section == "REMOVE") {
      a.kind = UpdateAction::Kind::kRemove;
    } else {
      a.kind = r.section == "ADD" ? UpdateAction::Kind::kAdd : UpdateAction::Kind::kDelete;
      a.operand = r.value.value;
      std::string_view t = TypeOf(a.operand);
      bool ok = a.operand.is_null() || IsSetType(t) || (t == "N" && a.kind == UpdateAction::Kind::kAdd);
      if (!ok) {
        errors.Add(ErrorKind::kOperandType, "Incorrect operand type for operator or function; operator: " + r.section +
                                                ", operand type: " + TypeWord(t));
      }
    }
    out.actions.push_back(std::move(a));
  }
  bool conflict = false;
  std::string overlap = CheckPathsDisjoint(paths, &conflict);
  if (!overlap.empty()) errors.Add(conflict ? ErrorKind::kConflict : ErrorKind::kOverlap, overlap);
  std::string err = errors.Pick({ErrorKind::kReserved, ErrorKind::kUnknownFunction, ErrorKind::kMisusedFunction, ErrorKind::kSection,
                                 ErrorKind::kUndefinedName, ErrorKind::kUndefinedValue, ErrorKind::kOverlap,
                                 ErrorKind::kConflict, ErrorKind::kOperandType, ErrorKind::kFunctionType});
  if (!err.empty()) return Status::Validation(prefix + err);
  return out;
}

Status CheckUpdateKeys(const ParsedUpdate& update, const KeySchema& schema) {
  std::vector<const KeyAttribute*> keys = {&schema.partition};
  if (schema.sort) keys.push_back(&*schema.sort);
  for (const KeyAttribute* key : keys) {
    for (const auto& a : update.actions) {
      if (!a.path.empty() && !a.path[0].is_index && a.path[0].name == key->name) {
        return Status::Validation("One or more parameter values were invalid: Cannot update attribute " + key->name +
                                  ". This attribute is part of the key");
      }
    }
  }
  return Status::Ok();
}

Result<json::object> ApplyUpdate(const ParsedUpdate& update, json::object item, const KeySchema* schema) {
  if (schema) {
    Status s = CheckUpdateKeys(update, *schema);
    if (!s.ok()) return s;
  }
  // SET values come from the item before any change.
  // Paths are disjoint, so every SET value ends up whole in the new item: once
  // they add up past the item limit, stop (300 SETs of one big value would
  // otherwise copy it 300 times on the serial writer).
  std::vector<json::value> set_values(update.actions.size());
  size_t set_bytes = 0;
  for (size_t i = 0; i < update.actions.size(); ++i) {
    if (update.actions[i].kind != UpdateAction::Kind::kSet) continue;
    auto v = Eval(update.actions[i].value, item);
    if (!v.ok()) return v.status();
    set_bytes += AttributeValueSize(*v);
    if (set_bytes > kMaxItemSize) return Status::Validation("Item size to update has exceeded the maximum allowed size");
    set_values[i] = std::move(*v);
  }
  // The item is ours (taken by value): changed in place, not copied again.
  json::object out = std::move(item);
  const char* mismatch = update.legacy_messages ? kLegacyMismatch : kWrongType;
  std::vector<const Path*> list_removals;
  // Actions apply in document-path order, so several list indexes past the end
  // of one list append in index order whatever order the expression names
  // them in (SET l[4] = :a, l[2] = :b on a 2-element list gives [.., b, a]).
  std::vector<size_t> order(update.actions.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return PathGreater(update.actions[y].path, update.actions[x].path);
  });
  for (size_t i : order) {
    const UpdateAction& a = update.actions[i];
    auto slot = Locate(&out, a.path);
    if (!slot.ok()) return slot.status();
    Status s;
    switch (a.kind) {
      case UpdateAction::Kind::kSet: Store(*slot, a.path.back(), std::move(set_values[i])); break;
      case UpdateAction::Kind::kRemove:
        // List elements go last, highest index first, so indexes mean what they
        // meant in the original item.
        if (a.path.back().is_index) {
          list_removals.push_back(&a.path);
        } else {
          Erase(*slot, a.path.back());
        }
        break;
      case UpdateAction::Kind::kAdd: s = ApplyAdd(*slot, a.path.back(), a.operand, mismatch); break;
      case UpdateAction::Kind::kDelete: s = ApplyDelete(*slot, a.path.back(), a.operand, mismatch); break;
    }
    if (!s.ok()) return s;
  }
  std::sort(list_removals.begin(), list_removals.end(), [](const Path* x, const Path* y) { return PathGreater(*x, *y); });
  for (const Path* p : list_removals) {
    auto slot = Locate(&out, *p);
    if (!slot.ok()) return slot.status();
    Erase(*slot, p->back());
  }
  return out;
}

}  // namespace streamer::dynamo::expr
