#include "dynamo/write_path.h"

#include <atomic>
#include <map>
#include <mutex>

#include "core/clock.h"
#include "dynamo/indexes.h"
#include "dynamo/item_storage.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/item_codec.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"
#include "streams/stream_record.h"

namespace streamer::dynamo {

Result<ItemAddress> AddressOf(const TableInfo& table, const json::object& key_or_item) {
  ItemAddress a;
  const KeySchema& ks = table.key_schema;
  auto partition = EncodePartition(ks, key_or_item);
  if (!partition) return partition.status();
  a.partition = std::move(*partition);
  // Item key = partition bytes + sort bytes: encode the partition once.
  a.storage_key = table.KeyPrefix() + a.partition;
  if (ks.sort) {
    const json::value* sk = key_or_item.if_contains(ks.sort->name);
    if (!sk) return Status::Validation("The provided key element does not match the schema");
    Status s = AppendKeyValue(*sk, ks.sort->type, &a.storage_key);
    if (!s.ok()) return s;
  }
  // Fixed by the table's saved layout, whatever the writer count of a run.
  a.stream_shard = table.StreamShardOf(a.partition);
  a.key[ks.partition.name] = key_or_item.at(ks.partition.name);
  if (ks.sort) a.key[ks.sort->name] = key_or_item.at(ks.sort->name);
  return a;
}

namespace {

// Stream record size as DynamoDB counts it: keys plus the images the view keeps.
size_t RecordSize(const json::object& keys, const json::object* old_image, const StoredItem* new_image,
                  streams::StreamViewType view) {
  size_t size = ItemSize(keys);
  if (old_image && streams::KeepsOldImage(view)) size += ItemSize(*old_image);
  if (new_image && streams::KeepsNewImage(view)) {
    size += new_image->size ? new_image->size : ItemSize(new_image->item);
  }
  return size;
}

bool SameItem(const json::object& a, const json::object& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, value] : a) {
    const json::value* other = b.if_contains(name);
    if (!other || !AttributeValuesEqual(value, *other)) return false;
  }
  return true;
}

}  // namespace

StoredItemPtr MakeStoredItem(json::object item, size_t item_size) {
  auto stored = std::make_shared<StoredItem>();
  stored->encoded = EncodeItem(item);
  stored->size = item_size;
  stored->item = std::move(item);
  return stored;
}

StoredItemPtr MakeStoredItem(json::object item) {
  const size_t size = ItemSize(item);
  return MakeStoredItem(std::move(item), size);
}

namespace {

// One write between its decision and its staging.
struct Prepared {
  IndexListPtr indexes;  // the indexes this write maintains (loaded once)
  bool exists = false;
  std::string old_bytes;  // the stored item: the stream's OldImage, decoded only if needed
  std::optional<json::object> current;
  Mutation mutation;
};

// Decodes the stored item at most once; false (with result->status) if corrupt.
bool DecodeCurrent(const TableInfo& table, const ItemAddress& address, Prepared& p, WriteResult* result) {
  if (!p.exists || p.current) return true;
  auto decoded = DecodeStoredItem(table, address.storage_key, p.old_bytes);
  if (!decoded) {
    result->status = decoded.status();
    return false;
  }
  p.current = std::move(*decoded);
  return true;
}

// Reads the item as `view` sees it and runs `decide`; stages nothing. False
// (with result->status) when the write must not happen.
bool Prepare(storage::DrainView& view, const TableInfo& table, const ItemAddress& address, const Decide& decide,
             bool wants_old_item, Prepared& p, WriteResult* result) {
  Status read_error;
  p.exists = view.GetItem(address.storage_key, &p.old_bytes, &read_error);
  if (!p.exists && !read_error.ok()) {
    result->status = read_error;
    return false;
  }
  // Indexes are read now, on the writer: an index created after this write
  // was queued is still maintained by it.
  p.indexes = table.MaintainedIndexes();
  const bool indexed = !p.indexes->empty();
  if ((decide.reads_current() || wants_old_item || indexed || streams::KeepsOldImage(table.stream_view)) &&
      !DecodeCurrent(table, address, p, result)) {
    return false;
  }
  Result<Mutation> m = decide(p.current ? &*p.current : nullptr);
  if (!m) {
    result->status = m.status();
    result->old_item = std::move(p.current);
    return false;
  }
  if (indexed && m->kind == Mutation::Kind::kPut) {
    // AWS refuses an item whose index key attributes have the wrong type.
    if (Status keys = CheckIndexKeys(*p.indexes, m->new_item->item); !keys.ok()) {
      result->status = keys;
      result->old_item = std::move(p.current);
      return false;
    }
  }
  p.mutation = std::move(*m);
  return true;
}

// Stages the index entries of one item write: the old entry goes if its key
// changed or the item left the index; the new one is put unless unchanged.
// Entry keys end with the item's key, so only this item's writer touches them.
void StageIndexEntries(storage::DrainView& view, const TableInfo& table, const IndexList& indexes,
                       const json::object* old_item, const StoredItem* new_item) {
  for (const IndexInfo& index : indexes) {
    if (!index.maintained()) continue;
    std::optional<IndexEntry> before = old_item ? EntryOf(table, index, *old_item) : std::nullopt;
    std::optional<IndexEntry> after = new_item ? EntryOf(table, index, new_item->item) : std::nullopt;
    if (before && (!after || before->key != after->key)) view.DeleteItem(before->key);
    if (!after) continue;
    if (before && before->key == after->key && SameItem(before->item, after->item)) continue;
    view.PutItem(after->key, index.projection == ProjectionType::kAll ? new_item->encoded : EncodeItem(after->item));
  }
}

// Stages a prepared write and its stream record in `view`.
void Stage(storage::DrainView& view, const TableInfo& table, const ItemAddress& address, int writer, Prepared& p,
           WriteResult* result) {
  std::string_view event_name;
  switch (p.mutation.kind) {
    case Mutation::Kind::kNone:
      if (!DecodeCurrent(table, address, p, result)) return;
      if (p.current) {
        auto same = std::make_shared<StoredItem>();
        same->item = *p.current;
        same->encoded = std::move(p.old_bytes);
        result->new_item = std::move(same);
      }
      result->old_item = std::move(p.current);
      return;
    case Mutation::Kind::kDelete:
      if (!p.exists) return;  // deleting nothing changes nothing, and streams nothing
      view.DeleteItem(address.storage_key);
      if (p.indexes && !p.indexes->empty() && p.current) StageIndexEntries(view, table, *p.indexes, &*p.current, nullptr);
      event_name = "REMOVE";
      break;
    case Mutation::Kind::kPut: {
      const StoredItem& next = *p.mutation.new_item;
      // A write that changes nothing leaves no stream record (as DynamoDB).
      // Equal items have encodings of equal size (only attribute and set
      // order may differ), so only then is the stored item decoded to compare.
      bool unchanged = false;
      if (p.exists) {
        if (p.old_bytes == next.encoded) {
          unchanged = true;
        } else if (p.old_bytes.size() == next.encoded.size()) {
          if (!DecodeCurrent(table, address, p, result)) return;
          unchanged = SameItem(*p.current, next.item);
        }
      }
      view.PutItem(address.storage_key, next.encoded);
      result->new_item = p.mutation.new_item;
      if (unchanged) {
        result->old_item = std::move(p.current);
        return;
      }
      if (p.indexes && !p.indexes->empty()) {
        StageIndexEntries(view, table, *p.indexes, p.current ? &*p.current : nullptr, &next);
      }
      event_name = p.exists ? "MODIFY" : "INSERT";
      break;
    }
  }
  result->old_item = std::move(p.current);
  if (table.has_stream()) {
    const bool stream_old = streams::KeepsOldImage(table.stream_view);
    const bool stream_new = streams::KeepsNewImage(table.stream_view);
    // Images straight from the stored bytes, and only those the view keeps.
    std::string old_json, new_json;
    if (p.exists && stream_old) {
      (void)AppendItemJson(p.old_bytes, &old_json);  // decoded in Prepare: cannot fail
    }
    if (result->new_item && stream_new) {
      (void)AppendItemJson(result->new_item->encoded, &new_json);  // our own encoding
    }
    const json::object* old_image = stream_old && result->old_item ? &*result->old_item : nullptr;
    const std::string keys_json = json::serialize(address.key);
    streams::Change change{event_name, keys_json, old_json, new_json,
                           RecordSize(address.key, old_image, stream_new ? result->new_item.get() : nullptr,
                                      table.stream_view),
                           p.mutation.by_ttl};
    const uint64_t seq = view.NextSequence(writer);
    view.Put(storage::Family::kStream, streams::RecordKey(table.stream_records_id, address.stream_shard, seq),
             streams::BuildRecord(change, table.stream_view, seq, table.region, NowMillis()));
  }
}

}  // namespace

void SubmitWrite(storage::ShardWriters* writers, TablePtr table, ItemAddress address,
                 Decide decide, WriteDone done, bool wants_old_item) {
  // The writer owning the item's stream shard in this run applies the write.
  const int writer = table->WriterOf(address.stream_shard, writers->writer_count());
  auto result = std::make_shared<WriteResult>();
  storage::WriteTask task;
  task.apply = [table, address = std::move(address), decide = std::move(decide), wants_old_item, result,
                writer](storage::DrainView& view) {
    Prepared p;
    if (!Prepare(view, *table, address, decide, wants_old_item, p, result.get())) return;
    Stage(view, *table, address, writer, p, result.get());
  };
  task.done = [result, done = std::move(done)](const Status& commit) {
    if (!commit.ok() && result->status.ok()) result->status = commit;
    done(std::move(*result));
  };
  writers->Submit(writer, std::move(task));
}

void SubmitEach(storage::ShardWriters* writers, std::vector<ItemWrite> writes, EachDone done) {
  struct State {
    std::vector<ItemWrite> writes;
    std::vector<WriteResult> results;
    std::atomic<size_t> pending{0};  // writers' tasks not yet committed
    EachDone done;
  };
  auto state = std::make_shared<State>();
  // Each writer's share, in the writes' order (per writer: insertion order).
  std::map<int, std::vector<size_t>> by_writer;
  for (size_t i = 0; i < writes.size(); ++i) {
    by_writer[writes[i].table->WriterOf(writes[i].address.stream_shard, writers->writer_count())].push_back(i);
  }
  if (by_writer.empty()) {
    done({});
    return;
  }
  state->results.resize(writes.size());
  state->writes = std::move(writes);
  state->done = std::move(done);
  state->pending = by_writer.size();
  for (auto& [writer, indices] : by_writer) {
    auto mine = std::make_shared<const std::vector<size_t>>(std::move(indices));
    storage::WriteTask task;
    task.apply = [state, mine, writer = writer](storage::DrainView& view) {
      for (size_t i : *mine) {
        const ItemWrite& w = state->writes[i];
        WriteResult* result = &state->results[i];
        Prepared p;
        if (!Prepare(view, *w.table, w.address, w.decide, w.wants_old_item, p, result)) continue;
        Stage(view, *w.table, w.address, writer, p, result);
      }
    };
    task.done = [state, mine](const Status& commit) {
      if (!commit.ok()) {
        for (size_t i : *mine) {
          if (state->results[i].status.ok()) state->results[i].status = commit;
        }
      }
      // The last writer's completion answers (acq_rel: it sees the others' results).
      if (state->pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      state->done(std::move(state->results));
    };
    writers->Submit(writer, std::move(task));
  }
}

void SubmitIndexRefresh(storage::ShardWriters* writers, TablePtr table, uint32_t index_id,
                        std::vector<ItemAddress> items, std::function<void(Status)> done) {
  // One task per writer, for the items it owns.
  std::map<int, std::vector<ItemAddress>> by_writer;
  for (auto& a : items) by_writer[table->WriterOf(a.stream_shard, writers->writer_count())].push_back(std::move(a));
  if (by_writer.empty()) {
    done(Status::Ok());
    return;
  }
  struct State {
    std::mutex mu;
    size_t pending = 0;
    Status status;
    std::function<void(Status)> done;
  };
  auto state = std::make_shared<State>();
  state->pending = by_writer.size();
  state->done = std::move(done);
  for (auto& [writer, addresses] : by_writer) {
    auto result = std::make_shared<Status>();
    storage::WriteTask task;
    task.apply = [table, index_id, addresses = std::move(addresses), result](storage::DrainView& view) {
      // The index as the writers see it now; gone or being deleted: nothing to do.
      IndexListPtr indexes = table->MaintainedIndexes();
      const IndexInfo* index = nullptr;
      for (const auto& i : *indexes) {
        if (i.id == index_id && i.maintained()) index = &i;
      }
      if (!index) return;
      for (const ItemAddress& a : addresses) {
        std::string bytes;
        Status read_error;
        if (!view.GetItem(a.storage_key, &bytes, &read_error)) {
          if (!read_error.ok()) *result = read_error;
          continue;  // deleted since: its writes removed any entry
        }
        auto item = DecodeStoredItem(*table, a.storage_key, bytes);
        if (!item) {
          *result = item.status();
          continue;
        }
        if (auto entry = EntryOf(*table, *index, *item)) {
          view.PutItem(entry->key, index->projection == ProjectionType::kAll ? bytes : EncodeItem(entry->item));
        }
      }
    };
    task.done = [state, result](const Status& commit) {
      std::function<void(Status)> finish;
      Status status;
      {
        std::lock_guard lock(state->mu);
        if (state->status.ok() && !result->ok()) state->status = *result;
        if (state->status.ok() && !commit.ok()) state->status = commit;
        if (--state->pending == 0) {
          finish = std::move(state->done);
          status = state->status;
        }
      }
      if (finish) finish(status);
    };
    writers->Submit(writer, std::move(task));
  }
}

void SubmitBarrier(storage::ShardWriters* writers, std::function<void(Status)> done) {
  std::vector<int> all;
  for (int w = 0; w < writers->writer_count(); ++w) all.push_back(w);
  storage::WriteTask task;
  task.apply = [](storage::DrainView&) {};
  task.done = [done = std::move(done)](const Status& commit) { done(commit); };
  if (all.size() == 1) {
    writers->Submit(0, std::move(task));
  } else {
    writers->SubmitMulti(std::move(all), std::move(task));
  }
}

void SubmitAtomic(storage::ShardWriters* writers, std::vector<AtomicWrite> writes, AtomicDone done) {
  struct State {
    std::vector<AtomicWrite> writes;
    std::vector<int> owners;
    std::vector<WriteResult> results;
    bool applied = false;
  };
  auto state = std::make_shared<State>();
  std::vector<int> involved;
  for (const auto& w : writes) {
    state->owners.push_back(w.table->WriterOf(w.address.stream_shard, writers->writer_count()));
    involved.push_back(state->owners.back());
  }
  state->results.resize(writes.size());
  state->writes = std::move(writes);
  storage::WriteTask task;
  task.apply = [state](storage::DrainView& view) {
    // Every decision against one consistent view first; only if all of them
    // allow their write is anything staged.
    std::vector<Prepared> prepared(state->writes.size());
    bool all = true;
    for (size_t i = 0; i < state->writes.size(); ++i) {
      const AtomicWrite& w = state->writes[i];
      all &= Prepare(view, *w.table, w.address, w.decide, w.wants_old_item, prepared[i], &state->results[i]);
    }
    if (!all) return;
    for (size_t i = 0; i < state->writes.size(); ++i) {
      const AtomicWrite& w = state->writes[i];
      Stage(view, *w.table, w.address, state->owners[i], prepared[i], &state->results[i]);
    }
    state->applied = true;
  };
  task.done = [state, done = std::move(done)](const Status& commit) {
    if (!commit.ok()) {
      state->applied = false;
      for (auto& r : state->results) {
        if (r.status.ok()) r.status = commit;
      }
    }
    done(state->applied, std::move(state->results));
  };
  writers->SubmitMulti(std::move(involved), std::move(task));
}

}  // namespace streamer::dynamo
