// Online index builds and removals (UpdateTable's GlobalSecondaryIndexUpdates),
// on one background thread:
//  - build: once every write queued before the index appeared has committed
//    (from then on writes maintain it), walk a snapshot of the table and have
//    each item's own writer re-derive its entry from the item's current state
//    (idempotent, so a racing write is never lost or duplicated); then ACTIVE.
//  - removal: writes stopped maintaining it (DELETING); once the writes queued
//    before that have committed, delete its entries; then it is gone.
// The catalog keeps the state, so a restart resumes what was unfinished.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "dynamo/item_backend.h"
#include "dynamo/table_catalog.h"

namespace streamer::dynamo {

class IndexBuilder {
 public:
  IndexBuilder(TableCatalog* catalog, ItemBackend* items);
  ~IndexBuilder();

  // Schedules every index of the catalog that is CREATING or DELETING.
  void ResumeUnfinished();
  // Schedules the build or removal of one index (by the table's id, so a
  // re-created table of the same name is never touched).
  void Schedule(const std::string& table, uint32_t table_id, uint32_t index_id);
  // Finishes the current batch and stops; unfinished work resumes at the next start.
  void Stop();

 private:
  struct Job {
    std::string table;
    uint32_t table_id = 0;
    uint32_t index_id = 0;
  };
  void Run();
  Status RunJob(const Job& job);
  Status Build(const TablePtr& table, const IndexInfo& index);
  Status Remove(const TablePtr& table, const IndexInfo& index);
  Status WaitForQueuedWrites();
  bool Stopping();

  TableCatalog* catalog_;
  ItemBackend* items_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace streamer::dynamo
