// Capacity units as DynamoDB counts them, and the ConsumedCapacity member of
// a response (ReturnConsumedCapacity TOTAL or INDEXES). We never throttle;
// we count so that code which logs or budgets capacity sees AWS's numbers.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "core/json.h"

namespace streamer::dynamo {

enum class CapacityReport { kNone, kTotal, kIndexes };
// ReturnConsumedCapacity of a request (already checked by CheckAcceptedMembers).
CapacityReport CapacityReportOf(const json::object& r);

// One read of `bytes` (items read, summed before rounding for Query/Scan):
// 4 KB units, halved when eventually consistent, doubled in a transaction;
// at least one unit's worth even when nothing is read.
double ReadUnits(size_t bytes, bool consistent, bool transactional = false);
// One write of `bytes` (the larger of the old and new item): 1 KB units,
// doubled in a transaction; at least 1.
double WriteUnits(size_t bytes, bool transactional = false);

// What one table and its indexes consumed.
struct ConsumedCapacity {
  std::string table;
  double table_units = 0;
  std::map<std::string, double> global_indexes;  // index name -> units
  std::map<std::string, double> local_indexes;
  bool is_write = false;  // which of Read/WriteCapacityUnits the total also shows
  // AWS shows ReadCapacityUnits/WriteCapacityUnits beside CapacityUnits only
  // for transactions; the single-item, Query and Scan answers have
  // CapacityUnits alone (and Table/index maps of {CapacityUnits} for INDEXES).
  bool show_read_write = false;

  double Total() const;
  void Add(const ConsumedCapacity& other);  // same table
  // {"TableName", "CapacityUnits", ...}; with kIndexes also "Table" and the
  // index maps.
  json::object ToJson(CapacityReport report) const;
};

// Adds "ConsumedCapacity" to a successful answer's JSON object text
// (`{...}`), unless `report` is kNone.
void AppendConsumedCapacity(std::string* body, const ConsumedCapacity& c, CapacityReport report);

}  // namespace streamer::dynamo
