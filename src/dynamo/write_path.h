// The one write primitive every item write reduces to: read the current item
// on its shard's writer, decide the new state, stage it with its stream
// record, and answer after the group commit.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/json.h"
#include "dynamo/table_catalog.h"
#include "storage/shard_writer.h"

namespace streamer::dynamo {

// An item as a write stores it: the object, its stored encoding and its size,
// built once (for PutItem on the I/O thread) and shared, never changed.
struct StoredItem {
  json::object item;
  std::string encoded;  // EncodeItem(item)
  size_t size = 0;      // ItemSize(item)
};
using StoredItemPtr = std::shared_ptr<const StoredItem>;
StoredItemPtr MakeStoredItem(json::object item);                   // computes size
StoredItemPtr MakeStoredItem(json::object item, size_t item_size);  // size known

// What a write decided, given the current item.
struct Mutation {
  enum class Kind { kPut, kDelete, kNone };
  Kind kind = Kind::kNone;
  StoredItemPtr new_item;  // kPut
  // A delete by the TTL sweeper: its stream record names the service as the
  // user ("userIdentity"), as DynamoDB's do.
  bool by_ttl = false;
};

// The decision step: runs on the writer thread; `current` is nullptr when the
// item does not exist. A non-ok Result (e.g. ConditionalCheckFailedException)
// writes nothing. It must be a pure function of `current`, so it may run again
// (retries, transactions): the callable is held immutable and called const; a
// `mutable` lambda does not compile. One built with reads_current = false
// (e.g. an unconditional put) is given nullptr and spares the writer decoding
// the stored item.
class Decide {
 public:
  Decide() = default;
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Decide>>>
  Decide(F f, bool reads_current = true) : reads_current_(reads_current) {  // NOLINT: implicit
    static_assert(std::is_invocable_r_v<Result<Mutation>, const std::decay_t<F>&, const json::object*>,
                  "a Decide must be callable as const (no mutable lambdas)");
    auto held = std::make_shared<const std::decay_t<F>>(std::move(f));
    fn_ = [held](const json::object* current) { return (*held)(current); };
  }
  Result<Mutation> operator()(const json::object* current) const { return fn_(current); }
  bool reads_current() const { return reads_current_; }

 private:
  std::function<Result<Mutation>(const json::object*)> fn_;
  bool reads_current_ = true;
};

struct WriteResult {
  Status status;
  // The item before the write: set when the write asked for it
  // (SubmitWrite's wants_old_item) or the writer decoded it anyway.
  std::optional<json::object> old_item;
  StoredItemPtr new_item;                // the item after it (null: none)
};
using WriteDone = std::function<void(WriteResult)>;

struct ItemAddress {
  std::string storage_key;  // table prefix + encoded primary key
  std::string partition;    // encoded partition key
  int stream_shard = 0;     // the table's stream shard of `partition`: picks the writer
  json::object key;         // the key attributes, for stream records
};

// Builds the address of the item named by `key_or_item` (validated).
Result<ItemAddress> AddressOf(const TableInfo& table, const json::object& key_or_item);

// `wants_old_item`: the answer needs WriteResult::old_item (ReturnValues).
void SubmitWrite(storage::ShardWriters* writers, TablePtr table, ItemAddress address,
                 Decide decide, WriteDone done, bool wants_old_item = true);

// Index builds: re-derives index `index_id`'s entries of these items from
// their current state, each on the writer that owns the item (so it races
// safely with writes: whichever runs last sees the latest item). `done` runs
// once all have committed.
void SubmitIndexRefresh(storage::ShardWriters* writers, TablePtr table, uint32_t index_id,
                        std::vector<ItemAddress> items, std::function<void(Status)> done);
// `done` runs once every task queued on any writer before this call has
// committed (the writers process their queues in order).
void SubmitBarrier(storage::ShardWriters* writers, std::function<void(Status)> done);

// One item write of a group (distinct items, any tables and shards).
struct ItemWrite {
  TablePtr table;
  ItemAddress address;
  Decide decide;
  bool wants_old_item = false;
};
using AtomicWrite = ItemWrite;

// Independent writes (BatchWriteItem): each is decided, staged and answered
// exactly as SubmitWrite would do it alone (one refusing does not stop the
// others; no atomicity), but the writes of one writer go as ONE task: a batch
// costs a queue entry and a completion per writer, not per item. `done` runs
// once every write has committed, with the results in the writes' order.
using EachDone = std::function<void(std::vector<WriteResult> results)>;
void SubmitEach(storage::ShardWriters* writers, std::vector<ItemWrite> writes, EachDone done);
// `applied`: every write happened, in one commit with all their stream
// records; otherwise none did, and each result's status says why its own
// decision refused (ok for the ones that would have gone ahead).
using AtomicDone = std::function<void(bool applied, std::vector<WriteResult> results)>;

// Decides every write against one consistent view of all the writers that
// own the items (parked in a fixed order, see ShardWriters::SubmitMulti) and
// commits all or nothing: the primitive under TransactWriteItems.
void SubmitAtomic(storage::ShardWriters* writers, std::vector<AtomicWrite> writes, AtomicDone done);

}  // namespace streamer::dynamo
