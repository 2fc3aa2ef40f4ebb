#include "dynamo/index_builder.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <future>

#include "dynamo/indexes.h"
#include "dynamo/item_storage.h"
#include "storage/store.h"

namespace streamer::dynamo {

namespace {
constexpr size_t kRefreshBatch = 256;  // items per refresh round (bounded memory and queue share)

// Runs an asynchronous backend call and waits for its status, or until
// `stopping` says to give up (answers run on the I/O threads, which may never
// start if the server fails to start; the call's own state is shared, so
// giving up early is safe).
template <class Call>
Status Await(Call call, const std::function<bool()>& stopping) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  call([promise](Status s) { promise->set_value(std::move(s)); });
  while (future.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    if (stopping()) return Status::Of(Code::kUnavailable, "stopping");
  }
  return future.get();
}

const IndexInfo* IndexById(const TableInfo& t, uint32_t id) {
  for (const auto& i : t.indexes) {
    if (i.id == id) return &i;
  }
  return nullptr;
}
}  // namespace

IndexBuilder::IndexBuilder(TableCatalog* catalog, ItemBackend* items)
    : catalog_(catalog), items_(items), thread_([this] { Run(); }) {}

IndexBuilder::~IndexBuilder() { Stop(); }

void IndexBuilder::ResumeUnfinished() {
  for (const TablePtr& t : catalog_->List()) {
    for (const auto& i : t->indexes) {
      if (i.status == IndexStatus::kActive) continue;
      std::fprintf(stderr, "streamer: resuming the %s of index %s of table %s\n",
                   i.status == IndexStatus::kCreating ? "build" : "removal", i.name.c_str(), t->name.c_str());
      Schedule(t->name, t->id, i.id);
    }
  }
}

void IndexBuilder::Schedule(const std::string& table, uint32_t table_id, uint32_t index_id) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  jobs_.push_back(Job{table, table_id, index_id});
  cv_.notify_one();
}

void IndexBuilder::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void IndexBuilder::Run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = jobs_.front();
      jobs_.pop_front();
    }
    Status s = RunJob(job);
    if (!s.ok() && !s.Is(Code::kUnavailable)) {
      std::fprintf(stderr, "streamer: index work on table %s failed: %s (retried at the next start)\n", job.table.c_str(),
                   s.message().c_str());
    }
  }
}

Status IndexBuilder::RunJob(const Job& job) {
  TablePtr table = catalog_->Find(job.table);
  if (!table || table->id != job.table_id) return Status::Ok();  // the table is gone: so are its indexes
  const IndexInfo* index = IndexById(*table, job.index_id);
  if (!index) return Status::Ok();
  if (index->status == IndexStatus::kCreating) return Build(table, *index);
  if (index->status == IndexStatus::kDeleting) return Remove(table, *index);
  return Status::Ok();
}

bool IndexBuilder::Stopping() {
  std::lock_guard lock(mu_);
  return stopping_;
}

Status IndexBuilder::WaitForQueuedWrites() {
  return Await([this](std::function<void(Status)> done) { items_->AfterQueuedWrites(std::move(done)); },
               [this] { return Stopping(); });
}

Status IndexBuilder::Build(const TablePtr& table, const IndexInfo& index) {
  // Writes queued before the index appeared do not maintain it: let them
  // commit, so the snapshot below holds them.
  if (Status s = WaitForQueuedWrites(); !s.ok()) return s;
  auto cursor = items_->OpenCursor();
  const std::string begin = table->KeyPrefix();
  const std::string end = storage::PrefixEnd(begin);
  std::vector<ItemAddress> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    Status s = Await([&](std::function<void(Status)> done) {
      items_->RefreshIndexEntries(table, index.id, std::move(batch), std::move(done));
    }, [this] { return Stopping(); });
    batch.clear();
    return s;
  };
  for (cursor->Seek(begin); cursor->Valid() && cursor->key() < end; cursor->Next()) {
    if (Stopping()) return Status::Of(Code::kUnavailable, "stopping");
    auto item = DecodeStoredItem(*table, cursor->key(), cursor->value());
    if (!item) return item.status();
    auto address = AddressOf(*table, *item);
    if (!address) return address.status();
    batch.push_back(std::move(*address));
    if (batch.size() >= kRefreshBatch) {
      if (Status s = flush(); !s.ok()) return s;
    }
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  if (Status s = flush(); !s.ok()) return s;
  auto done = catalog_->UpdateIndexes(table->name, [&](TableInfo& t, const std::function<uint32_t()>&) {
    if (t.id != table->id) return Status::Ok();
    for (auto& i : t.indexes) {
      if (i.id == index.id && i.status == IndexStatus::kCreating) {
        i.status = IndexStatus::kActive;
        i.backfilling = false;
      }
    }
    return Status::Ok();
  });
  return done ? Status::Ok() : done.status();
}

Status IndexBuilder::Remove(const TablePtr& table, const IndexInfo& index) {
  // Writes staged before the index went DELETING may still put entries.
  if (Status s = WaitForQueuedWrites(); !s.ok()) return s;
  if (Status s = catalog_->DeletePrefix(index.KeyPrefix()); !s.ok()) return s;
  auto done = catalog_->UpdateIndexes(table->name, [&](TableInfo& t, const std::function<uint32_t()>&) {
    if (t.id != table->id) return Status::Ok();
    std::erase_if(t.indexes, [&](const IndexInfo& i) { return i.id == index.id; });
    // Attribute definitions are those of key attributes only: drop the ones
    // no key uses any more.
    json::array defs;
    for (const auto& d : t.attribute_definitions) {
      const std::string_view name = d.at("AttributeName").as_string();
      bool used = t.key_schema.IsKeyAttribute(name);
      for (const auto& i : t.indexes) {
        for (const auto& k : IndexKeyAttributes(i)) used |= k.name == name;
      }
      if (used) defs.push_back(d);
    }
    t.attribute_definitions = std::move(defs);
    return Status::Ok();
  });
  return done ? Status::Ok() : done.status();
}

}  // namespace streamer::dynamo
