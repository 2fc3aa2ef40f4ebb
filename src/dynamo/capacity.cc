#include "dynamo/capacity.h"

#include <algorithm>
#include <cmath>

namespace streamer::dynamo {

CapacityReport CapacityReportOf(const json::object& r) {
  const json::value* v = r.if_contains("ReturnConsumedCapacity");
  if (!v || !v->is_string()) return CapacityReport::kNone;
  if (v->as_string() == "TOTAL") return CapacityReport::kTotal;
  if (v->as_string() == "INDEXES") return CapacityReport::kIndexes;
  return CapacityReport::kNone;
}

double ReadUnits(size_t bytes, bool consistent, bool transactional) {
  double units = std::max<double>(1, std::ceil(static_cast<double>(bytes) / 4096.0));
  if (transactional) return units * 2;
  return consistent ? units : units / 2;
}

double WriteUnits(size_t bytes, bool transactional) {
  double units = std::max<double>(1, std::ceil(static_cast<double>(bytes) / 1024.0));
  return transactional ? units * 2 : units;
}

double ConsumedCapacity::Total() const {
  double total = table_units;
  for (const auto& [_, u] : global_indexes) total += u;
  for (const auto& [_, u] : local_indexes) total += u;
  return total;
}

void ConsumedCapacity::Add(const ConsumedCapacity& other) {
  table_units += other.table_units;
  for (const auto& [name, u] : other.global_indexes) global_indexes[name] += u;
  for (const auto& [name, u] : other.local_indexes) local_indexes[name] += u;
}

json::object ConsumedCapacity::ToJson(CapacityReport report) const {
  json::object out{{"TableName", table}, {"CapacityUnits", Total()}};
  if (show_read_write) out[is_write ? "WriteCapacityUnits" : "ReadCapacityUnits"] = Total();
  if (report != CapacityReport::kIndexes) return out;
  auto units = [&](double u) {
    json::object o{{"CapacityUnits", u}};
    if (show_read_write) o[is_write ? "WriteCapacityUnits" : "ReadCapacityUnits"] = u;
    return o;
  };
  out["Table"] = units(table_units);
  auto index_map = [&](const std::map<std::string, double>& m) {
    json::object o;
    for (const auto& [name, u] : m) o[name] = units(u);
    return o;
  };
  if (!global_indexes.empty()) out["GlobalSecondaryIndexes"] = index_map(global_indexes);
  if (!local_indexes.empty()) out["LocalSecondaryIndexes"] = index_map(local_indexes);
  return out;
}

void AppendConsumedCapacity(std::string* body, const ConsumedCapacity& c, CapacityReport report) {
  if (report == CapacityReport::kNone || body->empty() || body->back() != '}') return;
  std::string member = "\"ConsumedCapacity\":" + json::serialize(c.ToJson(report)) + "}";
  body->pop_back();
  if (body->size() > 1) body->push_back(',');  // not "{" alone
  body->append(member);
}

}  // namespace streamer::dynamo
