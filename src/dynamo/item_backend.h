// The item backend: what the DynamoDB API needs from storage, and nothing
// more. One of the three storage seams (with the stream source and the
// checkpoint store). The embedded store implements it with the shard writers
// (group commit, items and stream records in one batch); a remote backend
// (AWS DynamoDB, ScyllaDB Alternator) can implement the same calls later by
// sending each decided write as a conditional write.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "dynamo/table_catalog.h"
#include "dynamo/write_path.h"

namespace streamer::storage {
class Store;
class ShardWriters;
}  // namespace streamer::storage

namespace streamer::dynamo {

// An ordered, consistent (snapshot) cursor over stored items, keyed by
// storage key ([table id][partition][sort]); values are item encodings.
class ItemCursor {
 public:
  virtual ~ItemCursor() = default;
  virtual void Seek(std::string_view key) = 0;         // first key >= key
  virtual void SeekForPrev(std::string_view key) = 0;  // last key <= key
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

class ItemBackend {
 public:
  virtual ~ItemBackend() = default;
  // One item: decided against its current state and committed with its
  // stream record; `done` runs after the commit.
  virtual void Write(TablePtr table, ItemAddress address, Decide decide, WriteDone done,
                     bool wants_old_item = true) = 0;
  // Several items, each on its own (batches): `done` runs once all have
  // committed, with their results in order.
  virtual void WriteEach(std::vector<ItemWrite> writes, EachDone done) = 0;
  // Several items, all or nothing (transactions).
  virtual void WriteAtomic(std::vector<AtomicWrite> writes, AtomicDone done) = 0;
  // Index builds (see SubmitIndexRefresh / SubmitBarrier in write_path.h).
  virtual void RefreshIndexEntries(TablePtr table, uint32_t index_id, std::vector<ItemAddress> items,
                                   std::function<void(Status)> done) = 0;
  virtual void AfterQueuedWrites(std::function<void(Status)> done) = 0;
  // The stored encoding of one item; NotFound when there is none.
  virtual Status Get(const ItemAddress& address, std::string* encoded) const = 0;
  virtual std::unique_ptr<ItemCursor> OpenCursor() const = 0;
};

// Counts the stored items under `prefix` (a table's, one partition of it, or
// an index's) and adds up their sizes as AWS counts item sizes, from one
// snapshot cursor.
Status MeasureItems(const ItemBackend& items, const TableInfo& table, const std::string& prefix, int64_t* count,
                    int64_t* bytes);

std::unique_ptr<ItemBackend> NewEmbeddedItemBackend(storage::Store* store, storage::ShardWriters* writers);

}  // namespace streamer::dynamo
