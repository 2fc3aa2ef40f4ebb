#include "storage/store.h"

#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

namespace streamer::storage {

namespace {
const char* kFamilyNames[] = {"default", "items", "stream", "checkpoints"};
constexpr int kFamilyCount = 4;

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  return Status::Internal("storage: " + s.ToString());
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
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(f),
                               rocksdb::Slice(key.data(), key.size()), value);
  if (s.IsNotFound()) return Status::Error("NotFound", "");
  return FromRocks(s);
}

Status Store::Write(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions wo;
  wo.sync = durability_ == Durability::kFsync;
  return FromRocks(db_->Write(wo, batch));
}

Status Store::WriteUnsynced(rocksdb::WriteBatch* batch) {
  return FromRocks(db_->Write(rocksdb::WriteOptions(), batch));
}

Status Store::SyncWal() { return FromRocks(db_->SyncWAL()); }

std::unique_ptr<rocksdb::Iterator> Store::NewIterator(Family f,
                                                      const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ro, handle(f)));
}

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
