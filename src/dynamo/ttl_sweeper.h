// Time to live: a background thread that deletes expired items. An item is
// expired when its table has TTL enabled on an attribute, and that attribute
// is a number of epoch seconds in the past (but not more than five years in
// the past: AWS ignores those). Each delete goes through the normal write
// path with the condition that the item is still expired, and its stream
// record names the DynamoDB service as the user, as AWS's TTL deletes do.
// Reads see an expired item until the sweeper has deleted it (as AWS).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <thread>

#include "core/json.h"
#include "dynamo/item_backend.h"
#include "dynamo/table_catalog.h"

namespace streamer::dynamo {

// Whether `item` is expired under TTL attribute `attribute` at `now_seconds`.
bool IsExpired(const json::object& item, std::string_view attribute, int64_t now_seconds);

class TtlSweeper {
 public:
  TtlSweeper(TableCatalog* catalog, ItemBackend* items, std::chrono::milliseconds interval);
  ~TtlSweeper();  // Stop()
  void Start();
  // Finishes the pass in progress (its deletes are committed) and joins.
  void Stop();

 private:
  void Run();
  // One pass over every table with TTL enabled; waits for its deletes.
  void SweepOnce();

  TableCatalog* catalog_;
  ItemBackend* items_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace streamer::dynamo
