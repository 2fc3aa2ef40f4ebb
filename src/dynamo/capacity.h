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

  double Total() const;
  void Add(const ConsumedCapacity& other);  // same table
  // {"TableName", "CapacityUnits", ...}; with kIndexes also "Table" and the
  // index maps.
  json::object ToJson(CapacityReport report) const;
};

}  // namespace streamer::dynamo
