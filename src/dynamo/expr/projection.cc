#include "dynamo/expr/projection.h"

#include <map>

#include "dynamo/expr/parser.h"
#include "dynamo/model/attribute.h"

namespace streamer::dynamo::expr {

using internal::ErrorKind;

Result<Projection> ParseProjection(std::string_view text, const AttributeMaps& maps) {
  const std::string prefix = "Invalid ProjectionExpression: ";
  if (text.empty()) return Status::Validation(prefix + "The expression can not be empty;");
  if (std::string size = internal::ExpressionSizeError(text); !size.empty()) return Status::Validation(prefix + size);
  Projection out;
  internal::ErrorSet errors;
  internal::Parser parser(text, maps, &errors, &out.used);
  if (!parser.ParseProjection(&out.paths)) return Status::Validation(prefix + parser.SyntaxError());
  bool conflict = false;
  std::string overlap = CheckPathsDisjoint(out.paths, &conflict);
  if (!overlap.empty()) errors.Add(conflict ? ErrorKind::kConflict : ErrorKind::kOverlap, overlap);
  std::string err = errors.Pick({ErrorKind::kReserved, ErrorKind::kUndefinedName, ErrorKind::kOverlap, ErrorKind::kConflict});
  if (!err.empty()) return Status::Validation(prefix + err);
  return out;
}

namespace {

// Selected parts of one attribute value.
struct Selection {
  bool whole = false;
  std::map<std::string, Selection> keys;  // for M
  std::map<size_t, Selection> elements;   // for L
  bool empty() const { return !whole && keys.empty() && elements.empty(); }
};

void Select(Selection* sel, const json::value& value, const Path& path, size_t depth) {
  if (depth == path.size()) {
    sel->whole = true;
    return;
  }
  const PathElement& e = path[depth];
  const json::value* payload = PayloadOf(value);
  if (!payload) return;
  if (e.is_index) {
    if (TypeOf(value) != "L" || e.index >= payload->get_array().size()) return;
    Selection& child = sel->elements[e.index];
    Select(&child, payload->get_array()[e.index], path, depth + 1);
    if (child.empty()) sel->elements.erase(e.index);
  } else {
    if (TypeOf(value) != "M") return;
    const json::value* child = payload->get_object().if_contains(e.name);
    if (!child) return;
    Selection& selected = sel->keys[e.name];
    Select(&selected, *child, path, depth + 1);
    if (selected.empty()) sel->keys.erase(e.name);
  }
}

json::value Materialize(const Selection& sel, const json::value& value) {
  if (sel.whole) return value;
  const json::value* payload = PayloadOf(value);
  json::object out;
  if (TypeOf(value) == "M") {
    json::object m;
    for (const auto& [k, s] : sel.keys) m[k] = Materialize(s, payload->get_object().at(k));
    out["M"] = std::move(m);
  } else {
    json::array l;
    for (const auto& [i, s] : sel.elements) l.push_back(Materialize(s, payload->get_array()[i]));
    out["L"] = std::move(l);
  }
  return out;
}

}  // namespace

json::object Project(const json::object& item, const std::vector<Path>& paths) {
  std::map<std::string, Selection> top;
  for (const auto& path : paths) {
    if (path.empty() || path[0].is_index) continue;
    const json::value* v = item.if_contains(path[0].name);
    if (!v) continue;
    Selection& sel = top[path[0].name];
    Select(&sel, *v, path, 1);
    // A nested path that found nothing selects nothing (no empty shells).
    if (sel.empty()) top.erase(path[0].name);
  }
  json::object out;
  for (const auto& [name, sel] : top) out[name] = Materialize(sel, item.at(name));
  return out;
}

}  // namespace streamer::dynamo::expr
