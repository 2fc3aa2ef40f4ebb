#include "storage/store.h"

#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

#include <rocksdb/db.h>

namespace streamer::storage {

namespace {
const char* kFamilyNames[kFamilyCount] = {"default", "items", "stream", "checkpoints"};

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// The engine's status as ours: the kind decides the code, the text says why.
Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  const std::string why = "storage: " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(why);
  if (s.IsCorruption()) return Status::Corruption(why);
  if (s.IsNoSpace() || s.subcode() == rocksdb::Status::kNoSpace) return Status::Of(Code::kNoSpace, why);
  if (s.IsIOError()) return Status::IOError(why);
  return Status::Internal(why);
}
}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::Internal("cannot create data directory " + options.dir + ": " + ec.message());

  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // Several writer threads commit at once; let RocksDB merge their WAL writes.
  db_options.enable_pipelined_write = true;
  db_options.recycle_log_file_num = 4;
  db_options.max_open_files = 512;

  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.OptimizeLevelStyleCompaction(64 << 20);
  rocksdb::BlockBasedTableOptions table_options;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int i = 0; i < kFamilyCount; ++i) families.emplace_back(kFamilyNames[i], cf_options);

  std::unique_ptr<Store> store(new Store());
  store->durability_ = options.durability;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.dir, families, &store->handles_, &raw);
  if (!s.ok()) return Status::Internal("cannot open store in " + options.dir + ": " + s.ToString());
  store->db_.reset(raw);
  return store;
}

Store::~Store() {
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }
}

Status Store::Get(Family f, std::string_view key, std::string* value) const {
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(f), ToSlice(key), value);
  if (s.IsNotFound()) return Status::NotFound();
  return FromRocks(s);
}

Status Store::Write(WriteBatch* batch) {
  rocksdb::WriteOptions wo;
  wo.sync = durability_ == Durability::kFsync;
  return FromRocks(db_->Write(wo, batch->batch_.get()));
}

Status Store::WriteUnsynced(WriteBatch* batch) {
  return FromRocks(db_->Write(rocksdb::WriteOptions(), batch->batch_.get()));
}

Status Store::SyncWal() { return FromRocks(db_->SyncWAL()); }

std::unique_ptr<Snapshot> Store::NewSnapshot() const {
  return std::unique_ptr<Snapshot>(new Snapshot(this, db_->GetSnapshot()));
}

Snapshot::~Snapshot() { store_->db_->ReleaseSnapshot(snapshot_); }

std::unique_ptr<Iterator> Store::NewIterator(Family f, const Snapshot* snapshot) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot ? snapshot->snapshot_ : nullptr;
  return std::unique_ptr<Iterator>(new Iterator(db_->NewIterator(ro, handle(f))));
}

Iterator::Iterator(rocksdb::Iterator* it) : it_(it) {}
Iterator::~Iterator() = default;
void Iterator::Seek(std::string_view key) { it_->Seek(ToSlice(key)); }
void Iterator::SeekForPrev(std::string_view key) { it_->SeekForPrev(ToSlice(key)); }
void Iterator::SeekToFirst() { it_->SeekToFirst(); }
void Iterator::SeekToLast() { it_->SeekToLast(); }
bool Iterator::Valid() const { return it_->Valid(); }
void Iterator::Next() { it_->Next(); }
void Iterator::Prev() { it_->Prev(); }
std::string_view Iterator::key() const {
  rocksdb::Slice k = it_->key();
  return std::string_view(k.data(), k.size());
}
std::string_view Iterator::value() const {
  rocksdb::Slice v = it_->value();
  return std::string_view(v.data(), v.size());
}
Status Iterator::status() const { return FromRocks(it_->status()); }

WriteBatch::WriteBatch(const Store* store) : store_(store), batch_(std::make_unique<rocksdb::WriteBatch>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;
void WriteBatch::Put(Family f, std::string_view key, std::string_view value) {
  batch_->Put(store_->handle(f), ToSlice(key), ToSlice(value));
}
void WriteBatch::Delete(Family f, std::string_view key) { batch_->Delete(store_->handle(f), ToSlice(key)); }
size_t WriteBatch::Count() const { return batch_->Count(); }
size_t WriteBatch::ByteSize() const { return batch_->GetDataSize(); }
void WriteBatch::Clear() { batch_->Clear(); }

Status Store::DeleteRange(Family f, std::string_view begin, std::string_view end) {
  rocksdb::WriteOptions wo;
  wo.sync = durability_ == Durability::kFsync;
  return FromRocks(db_->DeleteRange(wo, handle(f), rocksdb::Slice(begin.data(), begin.size()),
                                    rocksdb::Slice(end.data(), end.size())));
}

Status Store::Flush() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  for (auto* h : handles_) {
    rocksdb::Status s = db_->Flush(fo, h);
    if (!s.ok()) return FromRocks(s);
  }
  return FromRocks(db_->FlushWAL(true));
}

void AppendU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}
void AppendU32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (i * 8)));
}
void AppendU64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(v >> (i * 8)));
}
uint16_t ReadU16(std::string_view in) {
  return static_cast<uint16_t>((static_cast<uint8_t>(in[0]) << 8) | static_cast<uint8_t>(in[1]));
}
uint32_t ReadU32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
uint64_t ReadU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<uint8_t>(end.back()) != 0xff) {
      end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(64, '\xff');  // prefix was all 0xff: nothing sorts after it in practice
}

}  // namespace streamer::storage
