#include "dynamo/item_storage.h"

#include <cstdio>

#include "dynamo/item_backend.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/item_codec.h"

namespace streamer::dynamo {

namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

Status ReportCorrupt(const TableInfo& table, std::string_view storage_key, const Status& why) {
  std::fprintf(stderr, "streamer: table %s: item at key %s: %s\n", table.name.c_str(),
               Hex(storage_key).c_str(), why.message().c_str());
  return Status::Corruption("Internal server error: " + why.message() + " (table " + table.name + ")");
}

std::string VersionBytes(uint32_t v) {
  std::string s;
  storage::AppendU32(&s, v);
  return s;
}

// Rewrites every format-0 (JSON) item as the binary encoding, a batch at a
// time. Rows already binary (an earlier migration stopped half way) are kept.
Status MigrateFromJson(storage::Store* store) {
  constexpr size_t kBatchItems = 1000;
  size_t migrated = 0, unreadable = 0;
  storage::WriteBatch batch(store);
  auto it = store->NewIterator(storage::Family::kItems);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view value = it->value();
    if (!value.empty() && static_cast<unsigned char>(value[0]) == kItemFormatVersion) continue;
    auto parsed = ParseJson(value);
    if (!parsed || !parsed->is_object()) {
      // Left as is: reading it answers an error naming the corruption.
      std::fprintf(stderr, "streamer: migration: item at key %s is not JSON; left as is\n",
                   Hex(it->key()).c_str());
      ++unreadable;
      continue;
    }
    batch.Put(storage::Family::kItems, it->key(), EncodeItem(parsed->as_object()));
    if (++migrated % kBatchItems == 0) {
      Status s = store->Write(&batch);
      if (!s.ok()) return s;
      batch.Clear();
    }
  }
  if (Status scanned = it->status(); !scanned.ok()) return scanned.WithMessage("migration: " + scanned.message());
  // The version goes with the last batch: a crash before it re-runs the rest.
  batch.Put(storage::Family::kMeta, kFormatVersionKey, VersionBytes(kStorageFormatVersion));
  Status s = store->Write(&batch);
  if (!s.ok()) return s;
  std::fprintf(stderr, "streamer: migrated %zu items from storage format 0 (JSON) to %u%s\n", migrated,
               kStorageFormatVersion,
               unreadable ? (" (" + std::to_string(unreadable) + " unreadable rows left as is)").c_str() : "");
  return Status::Ok();
}

}  // namespace

Result<json::object> DecodeStoredItem(const TableInfo& table, std::string_view storage_key,
                                      std::string_view bytes) {
  auto item = DecodeItem(bytes);
  if (!item) return ReportCorrupt(table, storage_key, item.status());
  return item;
}

Status AppendStoredItemJson(const TableInfo& table, std::string_view storage_key, std::string_view bytes,
                            std::string* out, size_t* size) {
  Status s = AppendItemJson(bytes, out, size);
  if (!s.ok()) return ReportCorrupt(table, storage_key, s);
  return s;
}

Status CheckStorageFormat(storage::Store* store) {
  std::string value;
  Status s = store->Get(storage::Family::kMeta, kFormatVersionKey, &value);
  if (s.ok()) {
    if (value.size() != 4) return Status::Internal("data directory has an unreadable format_version");
    const uint32_t version = storage::ReadU32(value);
    if (version == kStorageFormatVersion) return Status::Ok();
    return Status::Internal("data directory is in storage format " + std::to_string(version) +
                            ", newer than this streamer reads (up to " + std::to_string(kStorageFormatVersion) +
                            "); run a newer streamer or use another --data directory");
  }
  if (!s.Is(Code::kNotFound)) return s;
  // No version: a new directory, or one written before versions existed.
  auto any = [&](storage::Family f) {
    auto it = store->NewIterator(f);
    it->SeekToFirst();
    return it->Valid();
  };
  if (any(storage::Family::kMeta) || any(storage::Family::kItems)) return MigrateFromJson(store);
  storage::WriteBatch batch(store);
  batch.Put(storage::Family::kMeta, kFormatVersionKey, VersionBytes(kStorageFormatVersion));
  return store->Write(&batch);
}

Status MeasureItems(const ItemBackend& items, const TableInfo& table, const std::string& prefix, int64_t* count,
                    int64_t* bytes) {
  auto cursor = items.OpenCursor();
  for (cursor->Seek(prefix); cursor->Valid() && cursor->key().substr(0, prefix.size()) == prefix; cursor->Next()) {
    auto item = DecodeStoredItem(table, cursor->key(), cursor->value());
    if (!item) return item.status();
    ++*count;
    *bytes += static_cast<int64_t>(ItemSize(*item));
  }
  return cursor->status();
}

}  // namespace streamer::dynamo
