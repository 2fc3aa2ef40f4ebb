// The embedded stream source's retention and lookups by time, on a real
// store and real shard writers; and shard iterators' encoding.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <random>

#include "storage/shard_writer.h"
#include "storage/store.h"
#include "streams/shard_iterator.h"
#include "streams/stream_record.h"
#include "streams/stream_source.h"

namespace streamer::streams {
namespace {

class StreamSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("stream_source_test_" + std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}())))
               .string();
    Open();
    table_.name = "t";
    table_.id = 7;
    table_.stream_records_id = 7;
    table_.stream_shards = 2;
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    auto s = storage::Store::Open({dir_, storage::Durability::kFsync});
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    storage::ShardWritersOptions options;
    options.writers = 1;
    writers_ = std::make_unique<storage::ShardWriters>(store_.get(), std::move(options));
    ASSERT_TRUE(writers_->Start().ok());
    source_ = NewEmbeddedStreamSource(store_.get(), writers_.get());
  }
  void Close() {
    source_.reset();
    if (writers_) writers_->Stop();
    writers_.reset();
    store_.reset();
  }
  // Writes a record to `shard` created at `seconds`; returns its sequence.
  uint64_t Write(int shard, int64_t seconds, size_t padding = 0) {
    std::promise<uint64_t> done;
    auto seq = std::make_shared<uint64_t>(0);
    storage::WriteTask t;
    const std::string image = "{\"pk\":{\"S\":\"" + std::string(padding, 'x') + "\"}}";
    t.apply = [this, seq, shard, seconds, image](storage::DrainView& v) {
      *seq = v.NextSequence(0);
      Change c{"INSERT", image, "", image, image.size()};
      v.Put(storage::Family::kStream, RecordKey(table_.stream_records_id, shard, *seq),
            BuildRecord(c, StreamViewType::kNewImage, *seq, "us-east-1", seconds * 1000 + 500));
    };
    t.done = [&done, seq](const Status& s) { done.set_value(s.ok() ? *seq : 0); };
    writers_->Submit(0, std::move(t));
    return done.get_future().get();
  }
  // `count` records to `shard`, `per_second` of them created in each second from 1000 on.
  void WriteMany(int shard, int count, int per_second) {
    std::vector<std::future<void>> done;
    for (int i = 0; i < count; ++i) {
      auto p = std::make_shared<std::promise<void>>();
      done.push_back(p->get_future());
      storage::WriteTask t;
      const int64_t seconds = 1000 + i / per_second;
      t.apply = [this, shard, seconds](storage::DrainView& v) {
        const uint64_t seq = v.NextSequence(0);
        Change c{"INSERT", "{}", "", "{}", 2};
        v.Put(storage::Family::kStream, RecordKey(table_.stream_records_id, shard, seq),
              BuildRecord(c, StreamViewType::kNewImage, seq, "us-east-1", seconds * 1000));
      };
      t.done = [p](const Status&) { p->set_value(); };
      writers_->Submit(0, std::move(t));
    }
    for (auto& f : done) f.get();
  }
  std::vector<uint64_t> Sequences(int shard, uint64_t from = 0) {
    std::vector<uint64_t> out;
    for (const auto& r : source_->Read(table_, shard, from, 1000)) out.push_back(r.sequence);
    return out;
  }

  std::string dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::ShardWriters> writers_;
  std::unique_ptr<StreamSource> source_;
  dynamo::TableInfo table_;
};

TEST_F(StreamSourceTest, FirstSequenceAtOrAfterATime) {
  // Shard 0: records at seconds 100, 100, 101, 105; shard 1 interleaved.
  const uint64_t a = Write(0, 100), b = Write(0, 100);
  Write(1, 100);
  const uint64_t c = Write(0, 101);
  Write(1, 103);
  const uint64_t d = Write(0, 105);
  const uint64_t end = source_->DurableSequence(table_, 0) + 1;
  EXPECT_EQ(source_->FirstSequenceAtOrAfter(table_, 0, 0), a);
  EXPECT_EQ(source_->FirstSequenceAtOrAfter(table_, 0, 100'000), a);
  EXPECT_EQ(source_->FirstSequenceAtOrAfter(table_, 0, 100'999), a);  // same second counts
  EXPECT_EQ(source_->FirstSequenceAtOrAfter(table_, 0, 101'000), c);
  EXPECT_EQ(source_->FirstSequenceAtOrAfter(table_, 0, 102'000), d);
  EXPECT_EQ(source_->FirstSequenceAtOrAfter(table_, 0, 105'500), d);
  EXPECT_EQ(source_->FirstSequenceAtOrAfter(table_, 0, 106'000), end);  // none yet: what comes next
  EXPECT_EQ(source_->FirstSequenceAtOrAfter(table_, 0, -5), a);
  EXPECT_LT(a, b);
}

TEST_F(StreamSourceTest, TrimDeletesOldRecordsAndKeepsTheHorizonAcrossARestart) {
  std::vector<uint64_t> old0, new0;
  for (int i = 0; i < 5; ++i) old0.push_back(Write(0, 1000 + i));
  const uint64_t other = Write(1, 1000);  // shard 1: also old
  for (int i = 0; i < 3; ++i) new0.push_back(Write(0, 2000 + i));
  EXPECT_EQ(source_->TrimHorizon(table_, 0), 0u);
  EXPECT_EQ(source_->FirstSequence(table_, 0), old0[0]);

  // Cut inside a second: the record of that second stays.
  auto moved = source_->TrimBefore(table_, 0, 1002'500);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(source_->TrimHorizon(table_, 0), old0[1] + 1);
  EXPECT_EQ(*moved, old0[1] + 1);
  EXPECT_EQ(Sequences(0).front(), old0[2]);
  EXPECT_FALSE(source_->HasRecord(table_, 0, old0[1]));
  EXPECT_TRUE(source_->HasRecord(table_, 0, old0[2]));
  // Nothing more to trim at the same cut; shard 1 untouched until trimmed itself.
  EXPECT_EQ(*source_->TrimBefore(table_, 0, 1002'500), 0u);
  EXPECT_EQ(Sequences(1), std::vector<uint64_t>{other});

  ASSERT_TRUE(source_->TrimBefore(table_, 0, 2000'000).ok());
  EXPECT_EQ(source_->TrimHorizon(table_, 0), old0.back() + 1);  // just past the last one trimmed
  EXPECT_EQ(Sequences(0), new0);
  EXPECT_EQ(source_->FirstSequence(table_, 0), new0[0]);
  EXPECT_EQ(source_->LastSequence(table_, 0), new0.back());

  Close();
  Open();
  EXPECT_EQ(source_->TrimHorizon(table_, 0), old0.back() + 1);
  EXPECT_EQ(Sequences(0), new0);
  EXPECT_EQ(source_->TrimHorizon(table_, 1), 0u);

  // Everything old: the horizon passes the last record, the shard is empty.
  ASSERT_TRUE(source_->TrimBefore(table_, 0, 9999'000).ok());
  ASSERT_TRUE(source_->TrimBefore(table_, 1, 9999'000).ok());
  EXPECT_EQ(source_->TrimHorizon(table_, 0), new0.back() + 1);
  EXPECT_EQ(source_->TrimHorizon(table_, 1), other + 1);
  EXPECT_TRUE(Sequences(0).empty());
  EXPECT_EQ(source_->FirstSequence(table_, 0), 0u);
  EXPECT_EQ(source_->LastSequence(table_, 0), 0u);  // the horizon key is not a record
  const uint64_t next = Write(0, 10000);
  EXPECT_EQ(Sequences(0), std::vector<uint64_t>{next});
  EXPECT_EQ(source_->LastSequence(table_, 0), next);
}

TEST_F(StreamSourceTest, ReadStopsAtTheByteBudgetButReturnsOneRecord) {
  for (int i = 0; i < 4; ++i) Write(0, 100, 1000);
  const size_t one = source_->Read(table_, 0, 0, 1)[0].json.size();
  EXPECT_EQ(source_->Read(table_, 0, 0, 100, one * 5 / 2).size(), 2u);
  EXPECT_EQ(source_->Read(table_, 0, 0, 100, one * 2).size(), 2u);
  EXPECT_EQ(source_->Read(table_, 0, 0, 100, 10).size(), 1u);
  EXPECT_EQ(source_->Read(table_, 0, 0, 3).size(), 3u);
}

TEST(ShardIterators, RoundTripAndRefuseAnythingElse) {
  ShardIterator it{"arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-01-01T00:00:00.000", 3, 42,
                   1795555315123};
  const std::string text = EncodeShardIterator(it);
  auto back = DecodeShardIterator(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->stream_arn, it.stream_arn);
  EXPECT_EQ(back->shard, 3);
  EXPECT_EQ(back->next_sequence, 42u);
  EXPECT_EQ(back->issued_millis, 1795555315123);
  EXPECT_FALSE(DecodeShardIterator(""));
  EXPECT_FALSE(DecodeShardIterator("garbage"));
  EXPECT_FALSE(DecodeShardIterator(std::string(3000, 'A')));
  // Any changed character is caught.
  for (size_t i = 0; i < text.size(); ++i) {
    std::string changed = text;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    auto d = DecodeShardIterator(changed);
    EXPECT_FALSE(d && (d->stream_arn != it.stream_arn || d->shard != it.shard ||
                       d->next_sequence != it.next_sequence || d->issued_millis != it.issued_millis))
        << i;
  }
  // A '|' in the ARN does not confuse the fields.
  it.stream_arn = "a|b|c";
  back = DecodeShardIterator(EncodeShardIterator(it));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->stream_arn, "a|b|c");
}

TEST(StreamRecords, CreationSeconds) {
  Change c{"INSERT", "{}", "", "", 2};
  EXPECT_EQ(RecordCreationSeconds(BuildRecord(c, StreamViewType::kKeysOnly, 1, "us-east-1", 1795555315123)),
            1795555315);
  EXPECT_EQ(RecordCreationSeconds("{}"), -1);
  EXPECT_EQ(RecordCreationSeconds("{\"dynamodb\":{\"ApproximateCreationDateTime\":x}}"), -1);
}

}  // namespace
}  // namespace streamer::streams

namespace streamer::streams {
namespace {
// Many records over many seconds: the cut found by search lands exactly; a
// shard trimmed empty (a range tombstone over all of it) still answers.
TEST_F(StreamSourceTest, ManyRecords) {
  WriteMany(0, 50000, 1000);  // seconds 1000 .. 1049, sequences 1 .. 50000
  EXPECT_EQ(source_->FirstSequenceAtOrAfter(table_, 0, 1017'000), 17001u);
  ASSERT_TRUE(source_->TrimBefore(table_, 0, 1049'000).ok());
  EXPECT_EQ(source_->TrimHorizon(table_, 0), 49001u);
  EXPECT_EQ(source_->FirstSequence(table_, 0), 49001u);
  EXPECT_EQ(source_->LastSequence(table_, 0), 50000u);
  EXPECT_EQ(source_->Read(table_, 0, 5, 10).front().sequence, 49001u);
  ASSERT_TRUE(source_->TrimBefore(table_, 0, 1050'000).ok());
  EXPECT_EQ(source_->TrimHorizon(table_, 0), 50001u);
  EXPECT_EQ(source_->LastSequence(table_, 0), 0u);
  EXPECT_EQ(source_->FirstSequence(table_, 0), 0u);
  EXPECT_TRUE(Sequences(0).empty());
  EXPECT_EQ(source_->FirstSequenceAtOrAfter(table_, 0, 0), 50001u);
}
}  // namespace
}  // namespace streamer::streams
