#include "streams/stream_reader.h"

#include "streams/stream_record.h"

namespace streamer::streams {

std::vector<StoredRecord> ReadShard(const storage::Store& store, const dynamo::TableInfo& table,
                                    int shard, uint64_t from_sequence, size_t limit) {
  std::vector<StoredRecord> out;
  const std::string prefix = ShardPrefix(table.id, shard);
  const std::string end = storage::PrefixEnd(prefix);
  auto it = store.NewIterator(storage::Family::kStream);
  for (it->Seek(RecordKey(table.id, shard, from_sequence)); it->Valid() && out.size() < limit;
       it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key >= end) break;
    out.push_back(StoredRecord{SequenceOfKey(key), it->value().ToString()});
  }
  return out;
}

uint64_t LastSequence(const storage::Store& store, const dynamo::TableInfo& table, int shard) {
  const std::string prefix = ShardPrefix(table.id, shard);
  auto it = store.NewIterator(storage::Family::kStream);
  it->SeekForPrev(storage::PrefixEnd(prefix));
  if (it->Valid() && it->key().starts_with(prefix) && it->key().size() == prefix.size() + 8) {
    return SequenceOfKey(std::string_view(it->key().data(), it->key().size()));
  }
  return 0;
}

uint64_t FirstSequence(const storage::Store& store, const dynamo::TableInfo& table, int shard) {
  auto records = ReadShard(store, table, shard, 0, 1);
  return records.empty() ? 0 : records[0].sequence;
}

void CommitNotifier::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

uint64_t CommitNotifier::Wait(uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return closed_ || generation_ != seen; });
  return generation_;
}

uint64_t CommitNotifier::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

void CommitNotifier::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool CommitNotifier::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

}  // namespace streamer::streams
