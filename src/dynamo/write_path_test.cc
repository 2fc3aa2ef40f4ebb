// The write path: decisions are re-runnable (same current item -> same
// Mutation), and SubmitWrite stores the binary encoding that reads back.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <random>
#include <set>

#include "dynamo/decisions.h"
#include "dynamo/item_storage.h"
#include "dynamo/model/item_codec.h"
#include "storage/shard_writer.h"

namespace streamer::dynamo {
namespace {

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }

ConditionPtr Condition(std::string_view text, const json::object& values) {
  auto parsed = expr::ParseCondition(text, expr::AttributeMaps{nullptr, &values});
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return std::make_shared<const expr::ParsedCondition>(std::move(*parsed));
}

TablePtr Table() {
  auto t = std::make_shared<TableInfo>();
  t->name = "T";
  t->id = 7;
  t->key_schema.partition = {"pk", "S"};
  t->stream_view = streams::StreamViewType::kNewAndOldImages;
  return t;
}

// Runs `decide` twice on the same current item: same outcome, same bytes.
void ExpectSameTwice(const Decide& decide, const json::object* current) {
  Result<Mutation> a = decide(current);
  Result<Mutation> b = decide(current);
  ASSERT_EQ(a.ok(), b.ok());
  if (!a.ok()) {
    EXPECT_EQ(a.status().type(), b.status().type());
    EXPECT_EQ(a.status().message(), b.status().message());
    return;
  }
  EXPECT_EQ(a->kind, b->kind);
  ASSERT_EQ(a->new_item == nullptr, b->new_item == nullptr);
  if (a->new_item) {
    EXPECT_FALSE(a->new_item->encoded.empty());
    EXPECT_EQ(a->new_item->encoded, b->new_item->encoded);
    EXPECT_EQ(json::serialize(a->new_item->item), json::serialize(b->new_item->item));
    EXPECT_EQ(a->new_item->size, b->new_item->size);
  }
}

TEST(Decisions, RunTwiceGiveTheSameMutation) {
  const json::object values = Obj(R"({":v":{"N":"1"},":one":{"N":"1"}})");
  const json::object current = Obj(R"({"pk":{"S":"a"},"n":{"N":"1"},"l":{"L":[{"S":"x"}]}})");
  auto item = MakeStoredItem(Obj(R"({"pk":{"S":"a"},"n":{"N":"2"}})"));

  // Only a decision that reads the current item makes the writer decode it.
  EXPECT_FALSE(DecidePut(nullptr, item).reads_current());
  EXPECT_TRUE(DecidePut(Condition("n = :one", values), item).reads_current());
  EXPECT_FALSE(DecideDelete(nullptr).reads_current());
  ExpectSameTwice(DecidePut(nullptr, item), nullptr);
  ExpectSameTwice(DecidePut(nullptr, item), &current);
  ExpectSameTwice(DecidePut(Condition("attribute_not_exists(pk)", values), item), &current);  // fails twice
  ExpectSameTwice(DecidePut(Condition("n = :one", values), item), &current);
  ExpectSameTwice(DecideDelete(Condition("n = :one", values)), &current);

  auto update = expr::ParseUpdate("SET n = n + :v, l = list_append(l, l)", expr::AttributeMaps{nullptr, &values});
  ASSERT_TRUE(update.ok()) << update.status().message();
  auto shared_update = std::make_shared<const expr::ParsedUpdate>(std::move(*update));
  Decide upd = DecideUpdate(nullptr, shared_update, Table(), Obj(R"({"pk":{"S":"a"}})"));
  ExpectSameTwice(upd, &current);
  auto m = upd(&current);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(json::serialize(m->new_item->item),
            R"({"pk":{"S":"a"},"n":{"N":"2"},"l":{"L":[{"S":"x"},{"S":"x"}]}})");
  // The current item is untouched by either run.
  EXPECT_EQ(json::serialize(current), R"({"pk":{"S":"a"},"n":{"N":"1"},"l":{"L":[{"S":"x"}]}})");
  // Upsert from the key when there is no item; an update that fails fails the same way twice.
  ExpectSameTwice(DecideUpdate(nullptr, nullptr, Table(), Obj(R"({"pk":{"S":"a"}})")), nullptr);
  ExpectSameTwice(upd, nullptr);  // n + :v on a missing n: a ValidationException, twice
}

TEST(WritePath, StoresTheEncodingAndReadsItBack) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("write_path_test_" + std::to_string(std::random_device{}()))).string();
  {
    auto store = storage::Store::Open({dir, storage::Durability::kWal});
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE(CheckStorageFormat(store->get()).ok());
    storage::ShardWriters writers(store->get(), {.writers = 1});
    ASSERT_TRUE(writers.Start().ok());
    TablePtr table = Table();
    const json::object item = Obj(R"({"pk":{"S":"k"},"b":{"B":"AAE="},"ns":{"NS":["1","2.5"]}})");

    auto write = [&](Decide decide) {
      auto address = AddressOf(*table, item);
      EXPECT_TRUE(address.ok());
      std::promise<WriteResult> p;
      SubmitWrite(&writers, table, *address, std::move(decide), [&p](WriteResult w) { p.set_value(std::move(w)); });
      return p.get_future().get();
    };
    WriteResult first = write(DecidePut(nullptr, MakeStoredItem(item)));
    ASSERT_TRUE(first.status.ok()) << first.status.message();
    EXPECT_FALSE(first.old_item);
    WriteResult second = write(DecidePut(nullptr, MakeStoredItem(item)));
    ASSERT_TRUE(second.status.ok());
    ASSERT_TRUE(second.old_item);  // the stored bytes, decoded
    EXPECT_EQ(json::serialize(*second.old_item), json::serialize(item));

    std::string bytes;
    ASSERT_TRUE((*store)->Get(storage::Family::kItems, AddressOf(*table, item)->storage_key, &bytes).ok());
    EXPECT_EQ(static_cast<unsigned char>(bytes[0]), kItemFormatVersion);
    auto back = DecodeItem(bytes);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(json::serialize(*back), json::serialize(item));

    // One INSERT record (the second write changed nothing), its image written from the bytes.
    auto it = (*store)->NewIterator(storage::Family::kStream);
    int records = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++records;
      auto record = json::parse(it->value());
      EXPECT_EQ(record.at("eventName"), "INSERT");
      EXPECT_EQ(record.at("dynamodb").at("NewImage"), json::value(item));
    }
    EXPECT_EQ(records, 1);
    writers.Stop();
  }
  std::filesystem::remove_all(dir);
}

TEST(StorageFormat, NewerVersionRefusedOldJsonMigrated) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("storage_format_test_" + std::to_string(std::random_device{}()))).string();
  {
    auto store = storage::Store::Open({dir, storage::Durability::kWal});
    ASSERT_TRUE(store.ok());
    // Format 0: JSON rows, no version key (as streamer 1ca1816 wrote them).
    storage::WriteBatch batch(store->get());
    batch.Put(storage::Family::kItems, "k1", R"({"a":{"S":"x"},"n":{"N":"1.50"}})");
    batch.Put(storage::Family::kItems, "k2", R"({"b":{"BS":["AAE="]}})");
    ASSERT_TRUE((*store)->Write(&batch).ok());
    ASSERT_TRUE(CheckStorageFormat(store->get()).ok());
    std::string bytes;
    ASSERT_TRUE((*store)->Get(storage::Family::kItems, "k1", &bytes).ok());
    auto k1 = DecodeItem(bytes);
    ASSERT_TRUE(k1.ok()) << k1.status().message();
    EXPECT_EQ(json::serialize(*k1), R"({"a":{"S":"x"},"n":{"N":"1.5"}})");
    ASSERT_TRUE((*store)->Get(storage::Family::kItems, "k2", &bytes).ok());
    EXPECT_EQ(json::serialize(*DecodeItem(bytes)), R"({"b":{"BS":["AAE="]}})");
    ASSERT_TRUE(CheckStorageFormat(store->get()).ok());  // already format 1: nothing to do

    storage::WriteBatch newer(store->get());
    std::string v;
    storage::AppendU32(&v, kStorageFormatVersion + 1);
    newer.Put(storage::Family::kMeta, kFormatVersionKey, v);
    ASSERT_TRUE((*store)->Write(&newer).ok());
    Status refused = CheckStorageFormat(store->get());
    EXPECT_FALSE(refused.ok());
    EXPECT_NE(refused.message().find("storage format 2, newer than this streamer reads"), std::string::npos)
        << refused.message();
  }
  std::filesystem::remove_all(dir);
}

// SubmitAtomic: writes on items owned by different writers commit all or
// nothing; a refused decision applies none of them and reports which refused.
TEST(WritePath, AtomicWritesAcrossWritersAreAllOrNothing) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("atomic_test_" + std::to_string(std::random_device{}()))).string();
  {
    auto store = storage::Store::Open({dir, storage::Durability::kFsync});
    ASSERT_TRUE(store.ok());
    storage::ShardWriters writers(store->get(), {.writers = 4});
    ASSERT_TRUE(writers.Start().ok());
    auto t = std::make_shared<TableInfo>(*Table());
    t->stream_shards = 4;
    TablePtr table = t;
    // Keys until two land on different writers.
    std::vector<json::object> items;
    std::set<int> owners;
    for (int i = 0; owners.size() < 3 && i < 100; ++i) {
      json::object item = Obj("{\"pk\":{\"S\":\"k" + std::to_string(i) + "\"}}");
      auto address = AddressOf(*table, item);
      const int owner = table->WriterOf(table->StreamShardOf(address->partition), 4);
      if (owners.insert(owner).second) items.push_back(item);
    }
    ASSERT_EQ(items.size(), 3u);
    auto run = [&](std::vector<Decide> decides) {
      std::vector<AtomicWrite> writes;
      for (size_t i = 0; i < items.size(); ++i) {
        writes.push_back(AtomicWrite{table, *AddressOf(*table, items[i]), decides[i], true});
      }
      std::promise<std::pair<bool, std::vector<WriteResult>>> p;
      SubmitAtomic(&writers, std::move(writes), [&p](bool applied, std::vector<WriteResult> results) {
        p.set_value({applied, std::move(results)});
      });
      return p.get_future().get();
    };
    const json::object values = Obj(R"({":v":{"S":"x"}})");
    auto must_exist = Condition("attribute_exists(pk)", values);
    // The third requires the item to exist: it does not, so nothing is written.
    auto refused = run({DecidePut(nullptr, MakeStoredItem(items[0])), DecidePut(nullptr, MakeStoredItem(items[1])),
                        DecidePut(must_exist, MakeStoredItem(items[2]))});
    EXPECT_FALSE(refused.first);
    EXPECT_TRUE(refused.second[0].status.ok());
    EXPECT_TRUE(refused.second[2].status.Is(Code::kConditionalCheckFailed));
    std::string bytes;
    for (const auto& item : items) {
      EXPECT_TRUE((*store)->Get(storage::Family::kItems, AddressOf(*table, item)->storage_key, &bytes).Is(Code::kNotFound));
    }
    auto applied = run({DecidePut(nullptr, MakeStoredItem(items[0])), DecidePut(nullptr, MakeStoredItem(items[1])),
                        DecidePut(nullptr, MakeStoredItem(items[2]))});
    EXPECT_TRUE(applied.first);
    for (const auto& item : items) {
      EXPECT_TRUE((*store)->Get(storage::Family::kItems, AddressOf(*table, item)->storage_key, &bytes).ok());
    }
    // One stream record per item, each in its own shard, all durable.
    auto it = (*store)->NewIterator(storage::Family::kStream);
    int records = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++records;
    EXPECT_EQ(records, 3);
    writers.Stop();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace streamer::dynamo
