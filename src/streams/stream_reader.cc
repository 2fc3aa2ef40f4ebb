#include "streams/stream_reader.h"

#include "streams/stream_record.h"

namespace streamer::streams {

std::vector<StoredRecord> ReadShard(const storage::Store& store, const dynamo::TableInfo& table,
                                    int shard, uint64_t from_sequence, size_t limit,
                                    uint64_t up_to_sequence) {
  std::vector<StoredRecord> out;
  if (from_sequence > up_to_sequence) return out;
  const std::string end = up_to_sequence == UINT64_MAX
                              ? storage::PrefixEnd(ShardPrefix(table.id, shard))
                              : RecordKey(table.id, shard, up_to_sequence + 1);
  auto it = store.NewIterator(storage::Family::kStream);
  for (it->Seek(RecordKey(table.id, shard, from_sequence)); it->Valid() && out.size() < limit;
       it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key >= end) break;
    out.push_back(StoredRecord{SequenceOfKey(key), it->value().ToString()});
  }
  return out;
}

uint64_t FirstSequence(const storage::Store& store, const dynamo::TableInfo& table, int shard) {
  auto records = ReadShard(store, table, shard, 0, 1, UINT64_MAX);
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
