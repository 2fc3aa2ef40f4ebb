#include "storage/shard_writer.h"
#include "storage/store.h"
#include "streams/stream_record.h"
#include "streams/stream_source.h"

namespace streamer::streams {

namespace {

class EmbeddedStreamSource : public StreamSource {
 public:
  EmbeddedStreamSource(const storage::Store* store, const storage::ShardWriters* writers)
      : store_(store), writers_(writers) {}

  int ShardCount(const dynamo::TableInfo& table) const override { return table.stream_shards; }

  uint64_t DurableSequence(const dynamo::TableInfo& table, int shard) const override {
    // A shard is written by one writer only; its records from earlier runs
    // are all below every writer's starting sequence, so the owner's
    // committed sequence bounds what is durable in it.
    return writers_->CommittedSequence(table.WriterOf(shard, writers_->writer_count()));
  }

  std::vector<StoredRecord> Read(const dynamo::TableInfo& table, int shard, uint64_t from,
                                 size_t limit) const override {
    return ReadRange(table, shard, from, limit, DurableSequence(table, shard));
  }

  uint64_t FirstSequence(const dynamo::TableInfo& table, int shard) const override {
    auto records = ReadRange(table, shard, 0, 1, UINT64_MAX);
    return records.empty() ? 0 : records[0].sequence;
  }

  uint64_t LastSequence(const dynamo::TableInfo& table, int shard) const override {
    const uint64_t durable = DurableSequence(table, shard);
    const std::string prefix = ShardPrefix(table.stream_records_id, shard);
    auto it = store_->NewIterator(storage::Family::kStream);
    it->SeekForPrev(RecordKey(table.stream_records_id, shard, durable));
    if (!it->Valid() || it->key().substr(0, prefix.size()) != prefix) return 0;
    return SequenceOfKey(it->key());
  }

 private:
  std::vector<StoredRecord> ReadRange(const dynamo::TableInfo& table, int shard, uint64_t from,
                                      size_t limit, uint64_t up_to) const {
    std::vector<StoredRecord> out;
    if (from > up_to) return out;
    const std::string end = up_to == UINT64_MAX ? storage::PrefixEnd(ShardPrefix(table.stream_records_id, shard))
                                                : RecordKey(table.stream_records_id, shard, up_to + 1);
    auto it = store_->NewIterator(storage::Family::kStream);
    for (it->Seek(RecordKey(table.stream_records_id, shard, from)); it->Valid() && out.size() < limit; it->Next()) {
      std::string_view key = it->key();
      if (key >= end) break;
      out.push_back(StoredRecord{SequenceOfKey(key), std::string(it->value())});
    }
    return out;
  }

  const storage::Store* store_;
  const storage::ShardWriters* writers_;
};

}  // namespace

std::unique_ptr<StreamSource> NewEmbeddedStreamSource(const storage::Store* store,
                                                      const storage::ShardWriters* writers) {
  return std::make_unique<EmbeddedStreamSource>(store, writers);
}

}  // namespace streamer::streams
