#include "dynamo/partiql/translate.h"

#include <algorithm>
#include <map>

#include "dynamo/model/attribute.h"

namespace streamer::dynamo::partiql {

namespace {

Status Unsupported(const std::string& what) { return Status::Validation("Unsupported operation: " + what); }

bool IsValue(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kLiteral:
    case Expr::Kind::kParam:
    case Expr::Kind::kTuple:
    case Expr::Kind::kList:
    case Expr::Kind::kBag:
      return true;
    default:
      return false;
  }
}

bool IsMissing(const Expr& e) { return e.kind == Expr::Kind::kLiteral && e.literal.is_null(); }

// The top-level attribute `name` alone (not a.b, not a[0]).
bool IsAttribute(const Expr& e, const std::string& name) {
  return e.kind == Expr::Kind::kPath && e.path.size() == 1 && !e.path[0].is_index && e.path[0].name == name;
}

// Does the expression read top-level attribute `name` anywhere?
bool Mentions(const Expr& e, const std::string& name) {
  if (e.kind == Expr::Kind::kPath && !e.path.empty() && !e.path[0].is_index && e.path[0].name == name) return true;
  for (const Expr& c : e.children) {
    if (Mentions(c, name)) return true;
  }
  return false;
}

void Conjuncts(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == Expr::Kind::kAnd) {
    for (const Expr& c : e.children) Conjuncts(c, out);
  } else {
    out->push_back(&e);
  }
}

// Builds expressions with placeholders, and the maps they use.
class Builder {
 public:
  explicit Builder(const json::array& params) : params_(params) {}
  const json::array& params() const { return params_; }

  std::string Name(const std::string& name) {
    auto [it, added] = name_of_.emplace(name, "");
    if (added) {
      it->second = "#n" + std::to_string(name_of_.size() - 1);
      names_[it->second] = name;
    }
    return it->second;
  }

  std::string PathText(const Path& p) {
    std::string out;
    for (const PathStep& s : p) {
      if (s.is_index) {
        out += "[" + std::to_string(s.index) + "]";
      } else {
        if (!out.empty()) out += ".";
        out += Name(s.name);
      }
    }
    return out;
  }

  // A value expression as an AttributeValue; nullopt for MISSING.
  Result<std::optional<json::value>> Value(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        if (e.literal.is_null()) return std::optional<json::value>();
        return std::optional<json::value>(e.literal);
      case Expr::Kind::kParam:
        return std::optional<json::value>(params_[e.param]);
      case Expr::Kind::kTuple: {
        json::object m;
        for (size_t i = 0; i < e.keys.size(); ++i) {
          auto v = Value(e.children[i]);
          if (!v) return v.status();
          if (*v) m[e.keys[i]] = std::move(**v);  // a MISSING member is no member
        }
        return std::optional<json::value>(json::object{{"M", std::move(m)}});
      }
      case Expr::Kind::kList: {
        json::array l;
        for (const Expr& c : e.children) {
          auto v = Value(c);
          if (!v) return v.status();
          if (!*v) return Unsupported("MISSING is not a value a list can hold");
          l.push_back(std::move(**v));
        }
        return std::optional<json::value>(json::object{{"L", std::move(l)}});
      }
      case Expr::Kind::kBag: {
        // A bag is a set: every member a string, or every member a number, or
        // every member a binary (binaries come from parameters).
        std::string type;
        json::array members;
        for (const Expr& c : e.children) {
          auto v = Value(c);
          if (!v) return v.status();
          const json::object* o = *v && (*v)->is_object() ? &(*v)->as_object() : nullptr;
          std::string t = o && o->size() == 1 ? std::string(o->begin()->key()) : "";
          if (t != "S" && t != "N" && t != "B") {
            return Unsupported("a set (<<...>>) may hold only strings, numbers or binaries");
          }
          if (!type.empty() && t != type) return Unsupported("the members of a set (<<...>>) must all be of one type");
          type = t;
          members.push_back(o->begin()->value());
        }
        if (type.empty()) type = "S";  // an empty set: the operation refuses it with AWS's message
        return std::optional<json::value>(json::object{{type + "S", std::move(members)}});
      }
      default:
        return Status::Validation(std::string(kSyntaxPrefix) + "expected a value");
    }
  }

  Result<std::string> ValueText(const Expr& e) {
    auto v = Value(e);
    if (!v) return v.status();
    if (!*v) return Unsupported("MISSING can only be tested with IS [NOT] MISSING");
    std::string ph = ":v" + std::to_string(values_.size());
    values_[ph] = std::move(**v);
    return ph;
  }

  // An operand of a comparison or function: a path, size(path) or a value.
  Result<std::string> Operand(const Expr& e) {
    if (e.kind == Expr::Kind::kPath) return PathText(e.path);
    if (e.kind == Expr::Kind::kCall && e.op == "size") {
      if (e.children[0].kind != Expr::Kind::kPath) return Unsupported("size takes a document path");
      return "size(" + PathText(e.children[0].path) + ")";
    }
    if (IsValue(e)) return ValueText(e);
    if (e.kind == Expr::Kind::kArith) return Unsupported("arithmetic is supported only in UPDATE's SET");
    if (e.kind == Expr::Kind::kCall) return Unsupported("function " + e.op + " is not supported here");
    return Unsupported("a condition is not an operand");
  }

  Result<std::string> Condition(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr: {
        auto l = Condition(e.children[0]);
        if (!l) return l;
        auto r = Condition(e.children[1]);
        if (!r) return r;
        const bool is_and = e.kind == Expr::Kind::kAnd;
        // AND binds tighter than OR: an OR under an AND keeps its parentheses.
        auto wrap = [&](const Expr& c, const std::string& t) {
          return is_and && c.kind == Expr::Kind::kOr ? "(" + t + ")" : t;
        };
        return wrap(e.children[0], *l) + (is_and ? " AND " : " OR ") + wrap(e.children[1], *r);
      }
      case Expr::Kind::kNot: {
        auto c = Condition(e.children[0]);
        if (!c) return c;
        return "NOT (" + *c + ")";
      }
      case Expr::Kind::kCompare: {
        if (IsMissing(e.children[0]) || IsMissing(e.children[1])) {
          return Unsupported("MISSING can only be tested with IS [NOT] MISSING");
        }
        auto l = Operand(e.children[0]);
        if (!l) return l;
        auto r = Operand(e.children[1]);
        if (!r) return r;
        return *l + " " + e.op + " " + *r;
      }
      case Expr::Kind::kBetween: {
        auto x = Operand(e.children[0]);
        if (!x) return x;
        auto lo = Operand(e.children[1]);
        if (!lo) return lo;
        auto hi = Operand(e.children[2]);
        if (!hi) return hi;
        return *x + " BETWEEN " + *lo + " AND " + *hi;
      }
      case Expr::Kind::kIn: {
        auto x = Operand(e.children[0]);
        if (!x) return x;
        std::string out = *x + " IN (";
        for (size_t i = 1; i < e.children.size(); ++i) {
          auto v = Operand(e.children[i]);
          if (!v) return v;
          out += (i > 1 ? ", " : "") + *v;
        }
        return out + ")";
      }
      case Expr::Kind::kIs: {
        if (e.children[0].kind != Expr::Kind::kPath) return Unsupported("IS tests a document path");
        const std::string p = PathText(e.children[0].path);
        if (e.op == "MISSING") return (e.negated ? "attribute_exists(" : "attribute_not_exists(") + p + ")";
        const std::string v = ValueTextOf(json::object{{"S", "NULL"}});
        return (e.negated ? "NOT attribute_type(" : "attribute_type(") + p + ", " + v + ")";
      }
      case Expr::Kind::kCall: {
        if (e.op != "begins_with" && e.op != "contains" && e.op != "attribute_type") {
          return Unsupported("function " + e.op + " is not a condition");
        }
        if (e.children[0].kind != Expr::Kind::kPath) return Unsupported(e.op + " takes a document path first");
        auto p = Operand(e.children[0]);
        if (!p) return p;
        auto v = Operand(e.children[1]);
        if (!v) return v;
        return e.op + "(" + *p + ", " + *v + ")";
      }
      default:
        return Unsupported("a WHERE clause must be a condition");
    }
  }

  std::string ValueTextOf(json::value av) {
    std::string ph = ":v" + std::to_string(values_.size());
    values_[ph] = std::move(av);
    return ph;
  }

  // Adds the maps to a request, only when used (AWS refuses empty ones).
  void AddMaps(json::object* r) const {
    if (!names_.empty()) (*r)["ExpressionAttributeNames"] = names_;
    if (!values_.empty()) (*r)["ExpressionAttributeValues"] = values_;
  }

 private:
  const json::array& params_;
  std::map<std::string, std::string> name_of_;
  json::object names_;
  json::object values_;
};

// `key = value` (either way round) for a key attribute: the value expression.
const Expr* KeyEquality(const Expr& c, const std::string& key) {
  if (c.kind != Expr::Kind::kCompare || c.op != "=") return nullptr;
  const Expr& l = c.children[0];
  const Expr& r = c.children[1];
  if (IsAttribute(l, key) && IsValue(r) && !IsMissing(r)) return &r;
  if (IsAttribute(r, key) && IsValue(l) && !IsMissing(l)) return &l;
  return nullptr;
}

// Can this conjunct be Query's sort key condition?
bool IsSortKeyCondition(const Expr& c, const std::string& sk) {
  if (c.kind == Expr::Kind::kCompare && c.op != "<>") {
    const Expr& l = c.children[0];
    const Expr& r = c.children[1];
    return (IsAttribute(l, sk) && IsValue(r) && !IsMissing(r)) || (IsAttribute(r, sk) && IsValue(l) && !IsMissing(l));
  }
  if (c.kind == Expr::Kind::kBetween) {
    return IsAttribute(c.children[0], sk) && IsValue(c.children[1]) && IsValue(c.children[2]);
  }
  if (c.kind == Expr::Kind::kCall && c.op == "begins_with") {
    return IsAttribute(c.children[0], sk) && IsValue(c.children[1]);
  }
  return false;
}

// The WHERE of a statement that names one item: its key, and the conjuncts
// left over (conditions on that item).
struct KeyedWhere {
  json::object key;
  std::vector<const Expr*> rest;
};

Result<KeyedWhere> SplitKey(const Statement& s, const KeySchema& ks, Builder* b) {
  if (!s.where) return Status::Validation(std::string(kNeedsFullKey));
  std::vector<const Expr*> conj;
  Conjuncts(*s.where, &conj);
  KeyedWhere out;
  std::vector<const KeyAttribute*> keys{&ks.partition};
  if (ks.sort) keys.push_back(&*ks.sort);
  std::vector<bool> used(conj.size(), false);
  for (const KeyAttribute* k : keys) {
    bool found = false;
    for (size_t i = 0; i < conj.size() && !found; ++i) {
      if (used[i]) continue;
      if (const Expr* v = KeyEquality(*conj[i], k->name)) {
        auto av = b->Value(*v);
        if (!av) return av.status();
        out.key[k->name] = std::move(**av);
        used[i] = found = true;
      }
    }
    if (!found) return Status::Validation(std::string(kNeedsFullKey));
  }
  for (size_t i = 0; i < conj.size(); ++i) {
    if (!used[i]) out.rest.push_back(conj[i]);
  }
  return out;
}

// attribute_exists(pk) AND each leftover conjunct.
Result<std::string> ItemCondition(const std::vector<const Expr*>& rest, const KeySchema& ks, Builder* b,
                                  bool must_exist) {
  std::string out = must_exist ? "attribute_exists(" + b->Name(ks.partition.name) + ")" : "";
  for (const Expr* c : rest) {
    auto t = b->Condition(*c);
    if (!t) return t;
    const std::string part = c->kind == Expr::Kind::kOr ? "(" + *t + ")" : *t;
    out += (out.empty() ? "" : " AND ") + part;
  }
  return out;
}

// The partition key values a conjunct allows, when it is `pk IN [v, ...]` or
// `pk = v OR pk = w ...`; empty otherwise.
std::vector<const Expr*> PartitionValues(const Expr& c, const std::string& pk) {
  std::vector<const Expr*> out;
  if (c.kind == Expr::Kind::kIn && IsAttribute(c.children[0], pk)) {
    for (size_t i = 1; i < c.children.size(); ++i) {
      if (!IsValue(c.children[i]) || IsMissing(c.children[i])) return {};
      out.push_back(&c.children[i]);
    }
    return out;
  }
  if (c.kind == Expr::Kind::kOr) {
    for (const Expr& side : c.children) {
      std::vector<const Expr*> more = PartitionValues(side, pk);
      if (more.empty()) return {};
      out.insert(out.end(), more.begin(), more.end());
    }
    return out;
  }
  if (const Expr* v = KeyEquality(c, pk)) out.push_back(v);
  return out;
}

// `ks` is the key schema of what the SELECT reads: the table's, or its
// index's when `on_index` (then a full key is still a Query: no GetItem on an index).
Result<Translation> TranslateSelect(const Statement& s, const KeySchema& ks, Builder* b, bool on_index);

// A SELECT whose WHERE allows a few partition key values: one GetItem or
// Query per value (the conjunct replaced by pk = value), ordered by the value
// (descending when ORDER BY the partition key DESC). nullopt when a part would
// need a Scan anyway.
Result<std::optional<Translation>> TranslatePartitions(const Statement& s, const KeySchema& ks,
                                                       const std::vector<const Expr*>& conj, size_t at,
                                                       const std::vector<const Expr*>& values,
                                                       const json::array& params, bool on_index) {
  struct Part {
    json::value key;
    Translation t;
  };
  std::vector<Part> parts;
  for (const Expr* v : values) {
    Builder values_only(params);
    auto key = values_only.Value(*v);
    if (!key) return key.status();
    if (std::any_of(parts.begin(), parts.end(),
                    [&](const Part& p) { return AttributeValuesEqual(p.key, **key); })) {
      continue;  // pk IN ['a', 'a'] reads 'a' once
    }
    Expr eq;
    eq.kind = Expr::Kind::kCompare;
    eq.op = "=";
    Expr path;
    path.kind = Expr::Kind::kPath;
    path.path = {{ks.partition.name, false, 0}};
    eq.children = {std::move(path), *v};
    Expr where = std::move(eq);
    for (size_t i = 0; i < conj.size(); ++i) {
      if (i == at) continue;
      Expr both;
      both.kind = Expr::Kind::kAnd;
      both.children = {std::move(where), *conj[i]};
      where = std::move(both);
    }
    Statement one = s;
    one.where = std::move(where);
    Builder fresh(params);
    auto t = TranslateSelect(one, ks, &fresh, on_index);
    if (!t) return t.status();
    if (t->operation != "GetItem" && t->operation != "Query") return std::optional<Translation>();
    parts.push_back({std::move(**key), std::move(*t)});
  }
  bool descending = false;
  if (!s.order_by.empty() && s.order_by[0].key.size() == 1 && s.order_by[0].key[0].name == ks.partition.name) {
    descending = s.order_by[0].descending;
  }
  // By type first, so values of a wrong type (which their part refuses) still
  // sort in a strict weak order.
  auto type_of = [](const json::value& v) {
    return v.is_object() && !v.as_object().empty() ? std::string(v.as_object().begin()->key()) : std::string();
  };
  std::stable_sort(parts.begin(), parts.end(), [&](const Part& x, const Part& y) {
    if (type_of(x.key) != type_of(y.key)) return type_of(x.key) < type_of(y.key);
    auto c = CompareScalars(x.key, y.key);
    if (!c) return false;
    return descending ? *c > 0 : *c < 0;
  });
  Translation out;
  out.operation = "Partitions";
  for (Part& p : parts) out.parts.push_back(std::move(p.t));
  return std::optional<Translation>(std::move(out));
}

Result<Translation> TranslateSelect(const Statement& s, const KeySchema& ks, Builder* b, bool on_index) {
  Translation t;
  json::object& r = t.request;
  r["TableName"] = s.table;
  if (on_index) r["IndexName"] = *s.index;
  std::string projection;
  for (const Path& p : s.projection) projection += (projection.empty() ? "" : ", ") + b->PathText(p);

  auto finish = [&](std::string operation) -> Result<Translation> {
    if (!projection.empty()) r["ProjectionExpression"] = projection;
    b->AddMaps(&r);
    t.operation = std::move(operation);
    return std::move(t);
  };
  auto order_error = [&]() -> Status {
    return Status::Validation("Must have WHERE clause in the statement when using ORDER BY clause.");
  };

  if (s.index && !on_index) {
    // An index whose key schema the lookup does not know: a Scan of that
    // index with the whole WHERE as the filter.
    if (!s.order_by.empty()) return Unsupported("ORDER BY on an index is not supported");
    r["IndexName"] = *s.index;
    if (s.where) {
      auto f = b->Condition(*s.where);
      if (!f) return f.status();
      r["FilterExpression"] = *f;
    }
    return finish("Scan");
  }

  std::vector<const Expr*> conj;
  if (s.where) Conjuncts(*s.where, &conj);
  std::optional<size_t> pk_at;
  for (size_t i = 0; i < conj.size() && !pk_at; ++i) {
    if (KeyEquality(*conj[i], ks.partition.name)) pk_at = i;
  }
  // ORDER BY names key attributes only; DESC on the sort key reads backwards.
  bool descending = false;
  for (const OrderBy& o : s.order_by) {
    if (o.key.size() != 1 || o.key[0].is_index || !ks.IsKeyAttribute(o.key[0].name)) {
      return Unsupported("ORDER BY is supported only on the table's key attributes");
    }
    if ((ks.sort && o.key[0].name == ks.sort->name) || (!ks.sort)) descending = o.descending;
  }

  if (pk_at) {
    std::vector<const Expr*> rest;
    for (size_t i = 0; i < conj.size(); ++i) {
      if (i != *pk_at) rest.push_back(conj[i]);
    }
    // Exactly the full key: one GetItem.
    const bool full_key =
        !on_index && (ks.sort ? (rest.size() == 1 && KeyEquality(*rest[0], ks.sort->name)) : rest.empty());
    if (full_key) {
      auto keyed = SplitKey(s, ks, b);
      if (!keyed) return keyed.status();
      r["Key"] = std::move(keyed->key);
      return finish("GetItem");
    }
    // A Query: the partition key, at most one sort key condition, the rest filtered.
    std::optional<size_t> sk_at;
    if (ks.sort) {
      for (size_t i = 0; i < rest.size() && !sk_at; ++i) {
        if (KeyEquality(*rest[i], ks.sort->name)) sk_at = i;
      }
      for (size_t i = 0; i < rest.size() && !sk_at; ++i) {
        if (IsSortKeyCondition(*rest[i], ks.sort->name)) sk_at = i;
      }
    }
    std::vector<const Expr*> filter;
    for (size_t i = 0; i < rest.size(); ++i) {
      if (!sk_at || i != *sk_at) filter.push_back(rest[i]);
    }
    bool filter_on_key = false;
    for (const Expr* f : filter) {
      filter_on_key = filter_on_key || Mentions(*f, ks.partition.name) || (ks.sort && Mentions(*f, ks.sort->name));
    }
    if (!filter_on_key) {
      auto kc = b->Condition(*conj[*pk_at]);
      if (!kc) return kc.status();
      std::string key_condition = *kc;
      if (sk_at) {
        auto skc = b->Condition(*rest[*sk_at]);
        if (!skc) return skc.status();
        key_condition += " AND " + *skc;
      }
      r["KeyConditionExpression"] = key_condition;
      if (!filter.empty()) {
        auto f = ItemCondition(filter, ks, b, false);
        if (!f) return f.status();
        r["FilterExpression"] = *f;
      }
      if (descending) r["ScanIndexForward"] = false;
      return finish("Query");
    }
    // Conditions on a key attribute a Query cannot express: scan instead.
  } else {
    for (size_t i = 0; i < conj.size(); ++i) {
      std::vector<const Expr*> values = PartitionValues(*conj[i], ks.partition.name);
      if (values.empty()) continue;
      auto parts = TranslatePartitions(s, ks, conj, i, values, b->params(), on_index);
      if (!parts) return parts.status();
      if (*parts) return std::move(**parts);
      break;
    }
  }
  if (!s.order_by.empty()) return order_error();
  if (s.where) {
    auto f = b->Condition(*s.where);
    if (!f) return f.status();
    r["FilterExpression"] = *f;
  }
  return finish("Scan");
}

Result<Translation> TranslateInsert(const Statement& s, const KeySchema& ks, Builder* b) {
  auto v = b->Value(*s.value);
  if (!v) return v.status();
  if (!*v || !(*v)->is_object() || !(*v)->as_object().contains("M") || !(*v)->as_object().at("M").is_object()) {
    return Unsupported("INSERT's VALUE must be a tuple");
  }
  Translation t;
  t.operation = "PutItem";
  t.is_insert = true;
  t.request["TableName"] = s.table;
  t.request["Item"] = (*v)->as_object().at("M");
  t.request["ConditionExpression"] = "attribute_not_exists(" + b->Name(ks.partition.name) + ")";
  b->AddMaps(&t.request);
  return t;
}

// One SET action's value: a value, a path, a + b, a - b, list_append(a, b).
Result<std::string> SetValue(const Expr& e, Builder* b) {
  auto simple = [&](const Expr& x) -> Result<std::string> {
    if (x.kind == Expr::Kind::kPath) return b->PathText(x.path);
    if (IsValue(x)) return b->ValueText(x);
    return Unsupported("SET takes a value, a path, a + b, a - b or list_append(a, b)");
  };
  if (e.kind == Expr::Kind::kArith) {
    auto l = simple(e.children[0]);
    if (!l) return l;
    auto r = simple(e.children[1]);
    if (!r) return r;
    return *l + " " + e.op + " " + *r;
  }
  if (e.kind == Expr::Kind::kCall && e.op == "list_append") {
    auto l = simple(e.children[0]);
    if (!l) return l;
    auto r = simple(e.children[1]);
    if (!r) return r;
    return "list_append(" + *l + ", " + *r + ")";
  }
  if (IsMissing(e)) return Unsupported("SET a = MISSING: use REMOVE a");
  return simple(e);
}

bool SamePath(const Path& a, const Path& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_index != b[i].is_index || a[i].name != b[i].name || a[i].index != b[i].index) return false;
  }
  return true;
}

Result<Translation> TranslateUpdate(const Statement& s, const KeySchema& ks, Builder* b) {
  std::vector<std::string> set, remove, add, del;
  for (const UpdateAction& a : s.actions) {
    const std::string path = b->PathText(a.path);
    if (a.remove) {
      remove.push_back(path);
      continue;
    }
    if (a.value.kind == Expr::Kind::kCall && (a.value.op == "set_add" || a.value.op == "set_delete")) {
      // SET s = set_add(s, <<...>>) is DynamoDB's ADD s :v (DELETE for set_delete).
      if (a.value.children[0].kind != Expr::Kind::kPath || !SamePath(a.value.children[0].path, a.path)) {
        return Unsupported(a.value.op + " must name the attribute it updates: SET a = " + a.value.op + "(a, <<...>>)");
      }
      auto v = b->ValueText(a.value.children[1]);
      if (!v) return v.status();
      (a.value.op == "set_add" ? add : del).push_back(path + " " + *v);
      continue;
    }
    auto v = SetValue(a.value, b);
    if (!v) return v.status();
    set.push_back(path + " = " + *v);
  }
  std::string update;
  auto clause = [&](const char* word, const std::vector<std::string>& parts) {
    if (parts.empty()) return;
    update += (update.empty() ? "" : " ") + std::string(word) + " ";
    for (size_t i = 0; i < parts.size(); ++i) update += (i ? ", " : "") + parts[i];
  };
  clause("SET", set);
  clause("REMOVE", remove);
  clause("ADD", add);
  clause("DELETE", del);

  auto keyed = SplitKey(s, ks, b);
  if (!keyed) return keyed.status();
  auto cond = ItemCondition(keyed->rest, ks, b, true);
  if (!cond) return cond.status();
  Translation t;
  t.operation = "UpdateItem";
  json::object& r = t.request;
  r["TableName"] = s.table;
  r["Key"] = std::move(keyed->key);
  r["UpdateExpression"] = update;
  r["ConditionExpression"] = *cond;
  switch (s.returning) {
    case Returning::kNone: break;
    case Returning::kAllOld: r["ReturnValues"] = "ALL_OLD"; break;
    case Returning::kModifiedOld: r["ReturnValues"] = "UPDATED_OLD"; break;
    case Returning::kAllNew: r["ReturnValues"] = "ALL_NEW"; break;
    case Returning::kModifiedNew: r["ReturnValues"] = "UPDATED_NEW"; break;
  }
  b->AddMaps(&r);
  return t;
}

// DELETE, and EXISTS (a condition check on one item).
Result<Translation> TranslateKeyed(const Statement& s, const KeySchema& ks, Builder* b) {
  auto keyed = SplitKey(s, ks, b);
  if (!keyed) return keyed.status();
  auto cond = ItemCondition(keyed->rest, ks, b, true);
  if (!cond) return cond.status();
  Translation t;
  t.operation = s.kind == Statement::Kind::kDelete ? "DeleteItem" : "ConditionCheck";
  json::object& r = t.request;
  r["TableName"] = s.table;
  r["Key"] = std::move(keyed->key);
  r["ConditionExpression"] = *cond;
  if (s.kind == Statement::Kind::kDelete && s.returning != Returning::kNone) {
    if (s.returning != Returning::kAllOld) return Unsupported("DELETE supports only RETURNING ALL OLD *");
    r["ReturnValues"] = "ALL_OLD";
  }
  b->AddMaps(&r);
  return t;
}

}  // namespace

Result<Translation> Translate(const Statement& s, const json::array& parameters, const SchemaLookup& schema_of,
                              const IndexLookup& index_of) {
  if (s.parameter_count != parameters.size()) return Status::Validation(std::string(kParameterCountMismatch));
  std::optional<KeySchema> ks = schema_of(s.table);
  if (!ks) return Status::Of(Code::kResourceNotFound, "Requested resource not found");
  Builder b(parameters);
  switch (s.kind) {
    case Statement::Kind::kSelect:
      if (s.index && index_of) {
        std::optional<KeySchema> index_ks = index_of(s.table, *s.index);
        if (index_ks) return TranslateSelect(s, *index_ks, &b, true);
      }
      return TranslateSelect(s, *ks, &b, false);
    case Statement::Kind::kInsert: return TranslateInsert(s, *ks, &b);
    case Statement::Kind::kUpdate: return TranslateUpdate(s, *ks, &b);
    case Statement::Kind::kDelete:
    case Statement::Kind::kExists: return TranslateKeyed(s, *ks, &b);
  }
  return Status::Internal("unknown statement kind");
}

Result<Translation> TranslateText(std::string_view statement, const json::array& parameters,
                                  const SchemaLookup& schema_of, const IndexLookup& index_of) {
  auto s = Parse(statement);
  if (!s) return s.status();
  return Translate(*s, parameters, schema_of, index_of);
}

}  // namespace streamer::dynamo::partiql
