#include <algorithm>
#include <optional>
#include <utility>

#include "storage/shard_writer.h"
#include "storage/store.h"
#include "storage/write_batch.h"
#include "streams/stream_record.h"
#include "streams/stream_source.h"

namespace streamer::streams {

namespace {

// A shard's records are the keys [records id][shard][sequence] of the stream
// family. Its trim horizon is stored beside them under the bare shard prefix
// (which sorts before every record of the shard), so DeleteTable's range
// delete of a records id takes the horizons with the records.
class EmbeddedStreamSource : public StreamSource {
 public:
  EmbeddedStreamSource(storage::Store* store, const storage::ShardWriters* writers)
      : store_(store), writers_(writers) {}

  int ShardCount(const dynamo::TableInfo& table) const override { return table.stream_shards; }

  uint64_t DurableSequence(const dynamo::TableInfo& table, int shard) const override {
    // A shard is written by one writer only; its records from earlier runs
    // are all below every writer's starting sequence, so the owner's
    // committed sequence bounds what is durable in it.
    return writers_->CommittedSequence(table.WriterOf(shard, writers_->writer_count()));
  }

  // Reads start at the trim horizon at the earliest: below it is one range
  // tombstone, not worth seeking into.
  std::vector<StoredRecord> Read(const dynamo::TableInfo& table, int shard, uint64_t from, size_t limit,
                                 size_t max_bytes) const override {
    return ReadRange(table, shard, std::max(from, TrimHorizon(table, shard)), limit, DurableSequence(table, shard),
                     max_bytes);
  }

  uint64_t FirstSequence(const dynamo::TableInfo& table, int shard) const override {
    auto records = ReadRange(table, shard, TrimHorizon(table, shard), 1, UINT64_MAX, SIZE_MAX);
    return records.empty() ? 0 : records[0].sequence;
  }

  uint64_t LastSequence(const dynamo::TableInfo& table, int shard) const override {
    const uint64_t durable = DurableSequence(table, shard);
    const std::string prefix = ShardPrefix(table.stream_records_id, shard);
    auto it = store_->NewIterator(storage::Family::kStream);
    // Forward from the horizon first: seeking backwards into a shard whose
    // records were all trimmed would step over every deleted key still in
    // the memtable.
    if (!RecordAtOrAfter(*it, table, shard, TrimHorizon(table, shard), durable)) return 0;
    it->SeekForPrev(RecordKey(table.stream_records_id, shard, durable));
    if (!it->Valid() || !IsRecordKey(it->key()) || it->key().substr(0, prefix.size()) != prefix) return 0;
    return SequenceOfKey(it->key());
  }

  bool HasRecord(const dynamo::TableInfo& table, int shard, uint64_t sequence) const override {
    if (sequence > DurableSequence(table, shard)) return false;
    std::string value;
    return store_->Get(storage::Family::kStream, RecordKey(table.stream_records_id, shard, sequence), &value).ok();
  }

  uint64_t TrimHorizon(const dynamo::TableInfo& table, int shard) const override {
    std::string value;
    if (!store_->Get(storage::Family::kStream, ShardPrefix(table.stream_records_id, shard), &value).ok() ||
        value.size() != 8) {
      return 0;
    }
    return storage::ReadU64(value);
  }

  uint64_t FirstSequenceAtOrAfter(const dynamo::TableInfo& table, int shard, int64_t epoch_ms) const override {
    const uint64_t durable = DurableSequence(table, shard);
    const int64_t second = epoch_ms >= 0 ? epoch_ms / 1000 : -1 - (-1 - epoch_ms) / 1000;  // floor
    // Creation times grow with sequence numbers within a shard, so this is a
    // lower-bound search over sequence numbers, one seek per probe, instead
    // of a walk over up to a day of records.
    auto it = store_->NewIterator(storage::Family::kStream);
    uint64_t lo = TrimHorizon(table, shard), hi = durable + 1;  // the answer position is in [lo, hi]
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      auto probe = RecordAtOrAfter(*it, table, shard, mid, durable);
      if (!probe || probe->second >= second) {
        hi = mid;
      } else {
        lo = probe->first + 1;
      }
    }
    auto found = RecordAtOrAfter(*it, table, shard, lo, durable);
    return found ? found->first : durable + 1;
  }

  Result<uint64_t> TrimBefore(const dynamo::TableInfo& table, int shard, int64_t epoch_ms) override {
    const uint64_t horizon = TrimHorizon(table, shard);
    const uint64_t durable = DurableSequence(table, shard);
    auto it = store_->NewIterator(storage::Family::kStream);
    // Cheap check first: is the oldest record kept still inside the window?
    // A record goes only when its whole second is before the cut (records
    // carry seconds): never a record younger than the retention.
    const int64_t cut_second = epoch_ms >= 0 ? epoch_ms / 1000 : -1 - (-1 - epoch_ms) / 1000;
    auto oldest = RecordAtOrAfter(*it, table, shard, horizon, durable);
    if (!oldest || oldest->second >= cut_second) return uint64_t{0};
    const uint64_t keep = FirstSequenceAtOrAfter(table, shard, epoch_ms);  // the first record kept
    // The horizon goes just past the last record deleted, not up to the
    // first record kept: an iterator between the two has missed nothing.
    const std::string prefix = ShardPrefix(table.stream_records_id, shard);
    it->SeekForPrev(RecordKey(table.stream_records_id, shard, keep - 1));
    if (!it->Valid() || !IsRecordKey(it->key()) || it->key().substr(0, prefix.size()) != prefix) return uint64_t{0};
    const uint64_t last_trimmed = SequenceOfKey(it->key());
    if (last_trimmed < horizon) return uint64_t{0};
    const uint64_t new_horizon = last_trimmed + 1;
    // One batch, written straight to the store (not through a writer): the
    // range tombstone and the new horizon land together, so a reader sees
    // either both or neither. Writers only ever add records above `durable`.
    storage::WriteBatch batch(store_);
    batch.DeleteRange(storage::Family::kStream, RecordKey(table.stream_records_id, shard, 0),
                      RecordKey(table.stream_records_id, shard, new_horizon));
    std::string value;
    storage::AppendU64(&value, new_horizon);
    batch.Put(storage::Family::kStream, prefix, value);
    Status s = store_->Write(&batch);
    if (!s.ok()) return s;
    return new_horizon - horizon;
  }

 private:
  // The first record with sequence in [from, up_to]: (sequence, creation second).
  std::optional<std::pair<uint64_t, int64_t>> RecordAtOrAfter(storage::Iterator& it, const dynamo::TableInfo& table,
                                                              int shard, uint64_t from, uint64_t up_to) const {
    if (from > up_to) return std::nullopt;
    const std::string prefix = ShardPrefix(table.stream_records_id, shard);
    it.Seek(RecordKey(table.stream_records_id, shard, from));
    if (!it.Valid() || !IsRecordKey(it.key()) || it.key().substr(0, prefix.size()) != prefix) return std::nullopt;
    const uint64_t sequence = SequenceOfKey(it.key());
    if (sequence > up_to) return std::nullopt;
    return std::make_pair(sequence, RecordCreationSeconds(it.value()));
  }

  std::vector<StoredRecord> ReadRange(const dynamo::TableInfo& table, int shard, uint64_t from, size_t limit,
                                      uint64_t up_to, size_t max_bytes) const {
    std::vector<StoredRecord> out;
    if (from > up_to) return out;
    const std::string end = up_to == UINT64_MAX ? storage::PrefixEnd(ShardPrefix(table.stream_records_id, shard))
                                                : RecordKey(table.stream_records_id, shard, up_to + 1);
    auto it = store_->NewIterator(storage::Family::kStream);
    size_t bytes = 0;
    for (it->Seek(RecordKey(table.stream_records_id, shard, from)); it->Valid() && out.size() < limit; it->Next()) {
      std::string_view key = it->key();
      if (key >= end) break;
      bytes += it->value().size();
      if (!out.empty() && bytes > max_bytes) break;  // the rest comes with the next read
      out.push_back(StoredRecord{SequenceOfKey(key), std::string(it->value())});
    }
    return out;
  }

  storage::Store* store_;
  const storage::ShardWriters* writers_;
};

}  // namespace

std::unique_ptr<StreamSource> NewEmbeddedStreamSource(storage::Store* store, const storage::ShardWriters* writers) {
  return std::make_unique<EmbeddedStreamSource>(store, writers);
}

}  // namespace streamer::streams
