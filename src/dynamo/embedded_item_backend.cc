#include "dynamo/item_backend.h"
#include "storage/shard_writer.h"
#include "storage/store.h"

namespace streamer::dynamo {

namespace {

class EmbeddedCursor : public ItemCursor {
 public:
  explicit EmbeddedCursor(const storage::Store* store)
      : snapshot_(store->NewSnapshot()), it_(store->NewIterator(storage::Family::kItems, snapshot_.get())) {}
  void Seek(std::string_view key) override { it_->Seek(key); }
  void SeekForPrev(std::string_view key) override { it_->SeekForPrev(key); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return it_->key(); }
  std::string_view value() const override { return it_->value(); }
  Status status() const override { return it_->status(); }

 private:
  std::unique_ptr<storage::Snapshot> snapshot_;  // declared first: outlives the iterator
  std::unique_ptr<storage::Iterator> it_;
};

class EmbeddedItemBackend : public ItemBackend {
 public:
  EmbeddedItemBackend(storage::Store* store, storage::ShardWriters* writers) : store_(store), writers_(writers) {}

  void Write(TablePtr table, ItemAddress address, Decide decide, WriteDone done, bool wants_old_item) override {
    SubmitWrite(writers_, std::move(table), std::move(address), std::move(decide), std::move(done), wants_old_item);
  }
  void WriteEach(std::vector<ItemWrite> writes, EachDone done) override {
    SubmitEach(writers_, std::move(writes), std::move(done));
  }
  void WriteAtomic(std::vector<AtomicWrite> writes, AtomicDone done) override {
    SubmitAtomic(writers_, std::move(writes), std::move(done));
  }
  void RefreshIndexEntries(TablePtr table, uint32_t index_id, std::vector<ItemAddress> items,
                           std::function<void(Status)> done) override {
    SubmitIndexRefresh(writers_, std::move(table), index_id, std::move(items), std::move(done));
  }
  void AfterQueuedWrites(std::function<void(Status)> done) override { SubmitBarrier(writers_, std::move(done)); }
  Status Get(const ItemAddress& address, std::string* encoded) const override {
    return store_->Get(storage::Family::kItems, address.storage_key, encoded);
  }
  std::unique_ptr<ItemCursor> OpenCursor() const override { return std::make_unique<EmbeddedCursor>(store_); }

 private:
  storage::Store* store_;
  storage::ShardWriters* writers_;
};

}  // namespace

std::unique_ptr<ItemBackend> NewEmbeddedItemBackend(storage::Store* store, storage::ShardWriters* writers) {
  return std::make_unique<EmbeddedItemBackend>(store, writers);
}

}  // namespace streamer::dynamo
