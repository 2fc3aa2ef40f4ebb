// Index entries: which items an index holds (sparse), the order of entry
// keys (index key values, then the table key), projections, start keys, and
// the write units an index costs.
#include <gtest/gtest.h>

#include <algorithm>

#include "dynamo/indexes.h"

namespace streamer::dynamo {
namespace {

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }

TableInfo Table() {
  TableInfo t;
  t.name = "T";
  t.id = 7;
  t.key_schema.partition = {"pk", "S"};
  t.key_schema.sort = KeyAttribute{"sk", "S"};
  return t;
}

IndexInfo Gsi(std::vector<KeyAttribute> partition, std::vector<KeyAttribute> sort,
              ProjectionType projection = ProjectionType::kAll, std::vector<std::string> include = {}) {
  IndexInfo i;
  i.name = "idx";
  i.id = 9;
  i.partition = std::move(partition);
  i.sort = std::move(sort);
  i.projection = projection;
  i.non_key_attributes = std::move(include);
  return i;
}

TEST(IndexEntry, SparseWhenAKeyAttributeIsMissingOrOfAnotherType) {
  const TableInfo t = Table();
  const IndexInfo i = Gsi({{"g", "S"}, {"h", "N"}}, {{"s", "N"}});
  EXPECT_TRUE(EntryOf(t, i, Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"h":{"N":"1"},"s":{"N":"2"}})")));
  EXPECT_FALSE(EntryOf(t, i, Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"s":{"N":"2"}})")));
  EXPECT_FALSE(EntryOf(t, i, Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"h":{"N":"1"}})")));
  EXPECT_FALSE(EntryOf(t, i, Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"h":{"S":"1"},"s":{"N":"2"}})")));
}

TEST(IndexEntry, KeyStartsWithTheIndexPrefixAndEndsWithTheTableKey) {
  const TableInfo t = Table();
  const IndexInfo i = Gsi({{"g", "S"}}, {});
  auto e = EntryOf(t, i, Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"}})"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key.substr(0, 4), i.KeyPrefix());
  auto other = EntryOf(t, i, Obj(R"({"pk":{"S":"b"},"sk":{"S":"1"},"g":{"S":"x"}})"));
  ASSERT_TRUE(other);
  EXPECT_NE(e->key, other->key);  // same index key, different items: distinct entries
  auto prefix = IndexPartitionPrefix(i, {json::parse(R"({"S":"x"})")});
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(e->key.substr(0, prefix->size()), *prefix);
  EXPECT_EQ(other->key.substr(0, prefix->size()), *prefix);
}

TEST(IndexEntry, EntriesSortByIndexSortValuesThenTableKey) {
  const TableInfo t = Table();
  const IndexInfo i = Gsi({{"g", "S"}}, {{"n", "N"}, {"s", "S"}});
  std::vector<std::pair<std::string, std::string>> keyed;  // entry key, expected rank
  const char* items[] = {
      R"({"pk":{"S":"e"},"sk":{"S":"1"},"g":{"S":"x"},"n":{"N":"10"},"s":{"S":"a"}})",
      R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"n":{"N":"-5"},"s":{"S":"z"}})",
      R"({"pk":{"S":"c"},"sk":{"S":"1"},"g":{"S":"x"},"n":{"N":"2"},"s":{"S":"b"}})",
      R"({"pk":{"S":"b"},"sk":{"S":"1"},"g":{"S":"x"},"n":{"N":"2"},"s":{"S":"a"}})",
      R"({"pk":{"S":"d"},"sk":{"S":"1"},"g":{"S":"x"},"n":{"N":"2"},"s":{"S":"b"}})",
  };
  for (const char* text : items) {
    auto e = EntryOf(t, i, Obj(text));
    ASSERT_TRUE(e);
    keyed.emplace_back(e->key, e->item.at("pk").at("S").as_string().c_str());
  }
  std::sort(keyed.begin(), keyed.end());
  std::string order;
  for (const auto& [_, pk] : keyed) order += pk;
  EXPECT_EQ(order, "abcde");  // -5 < 2 (a < b, then c < d by table key) < 10
}

TEST(IndexEntry, Projections) {
  const TableInfo t = Table();
  const json::object item = Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"v":{"S":"v"},"w":{"S":"w"}})");
  auto keys = EntryOf(t, Gsi({{"g", "S"}}, {}, ProjectionType::kKeysOnly), item);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->item, Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"}})"));
  auto include = EntryOf(t, Gsi({{"g", "S"}}, {}, ProjectionType::kInclude, {"w", "absent"}), item);
  ASSERT_TRUE(include);
  EXPECT_EQ(include->item, Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"w":{"S":"w"}})"));
  auto all = EntryOf(t, Gsi({{"g", "S"}}, {}), item);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->item, item);
}

TEST(IndexEntry, StartKeyOfAnEntryIsItsStorageKey) {
  const TableInfo t = Table();
  const IndexInfo i = Gsi({{"g", "S"}, {"h", "B"}}, {{"n", "N"}});
  auto e = EntryOf(t, i, Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"h":{"B":"AAE="},"n":{"N":"3.5"},"v":{"S":"v"}})"));
  ASSERT_TRUE(e);
  const json::object start = EntryKeyOf(t, i, e->item);
  EXPECT_EQ(start.size(), 5u);
  auto key = IndexStartKey(t, i, start);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, e->key);
  json::object missing = start;
  missing.erase("h");
  EXPECT_FALSE(IndexStartKey(t, i, missing).ok());
}

TEST(IndexEntry, KeyTypesChecked) {
  IndexList list{Gsi({{"g", "S"}}, {{"n", "N"}})};
  EXPECT_TRUE(CheckIndexKeys(list, Obj(R"({"pk":{"S":"a"}})")).ok());
  Status s = CheckIndexKeys(list, Obj(R"({"pk":{"S":"a"},"n":{"S":"1"}})"));
  EXPECT_EQ(s.message(), "One or more parameter values were invalid: Type mismatch for Index Key n Expected: N Actual: S IndexName: idx");
  EXPECT_FALSE(CheckIndexKeys(list, Obj(R"({"pk":{"S":"a"},"g":{"S":""}})")).ok());
}

TEST(IndexCapacity, WriteUnitsPerIndex) {
  TableInfo t = Table();
  t.indexes.push_back(Gsi({{"g", "S"}}, {}, ProjectionType::kKeysOnly));
  IndexInfo local = Gsi({{"pk", "S"}}, {{"l", "N"}});
  local.name = "loc";
  local.kind = IndexKind::kLocal;
  t.indexes.push_back(local);
  const json::object a = Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"v":{"S":"1"}})");
  const json::object a_v2 = Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"v":{"S":"2"}})");
  const json::object a_moved = Obj(R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"y"},"v":{"S":"1"}})");
  auto units = [&](const json::object* before, const json::object* after) {
    ConsumedCapacity c;
    AddIndexWriteUnits(t, before, after, false, &c);
    return c;
  };
  EXPECT_EQ(units(nullptr, &a).global_indexes, (std::map<std::string, double>{{"idx", 1}}));  // put
  EXPECT_TRUE(units(&a, &a_v2).global_indexes.empty());  // v is not projected: nothing to write
  EXPECT_EQ(units(&a, &a_moved).global_indexes.at("idx"), 2);  // delete + put
  EXPECT_EQ(units(&a, nullptr).global_indexes.at("idx"), 1);   // delete
  EXPECT_TRUE(units(&a, &a_moved).local_indexes.empty());      // no l: not in the LSI
  ConsumedCapacity tx;
  AddIndexWriteUnits(t, nullptr, &a, true, &tx);
  EXPECT_EQ(tx.global_indexes.at("idx"), 2);  // transactional: doubled
}

TEST(IndexCatalog, IndexInfoRoundTripsThroughJson) {
  IndexInfo i = Gsi({{"g", "S"}, {"h", "N"}}, {{"s", "B"}}, ProjectionType::kInclude, {"a", "b"});
  i.status = IndexStatus::kCreating;
  i.backfilling = true;
  i.provisioned_throughput = {{"ReadCapacityUnits", 1}, {"WriteCapacityUnits", 2}};
  auto back = IndexInfo::FromJson(i.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(json::serialize(back->ToJson()), json::serialize(i.ToJson()));
  TableInfo t = Table();
  t.indexes.push_back(i);
  auto table = TableInfo::FromJson(t.ToJson());
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->indexes.size(), 1u);
  EXPECT_EQ(table->indexes[0].name, "idx");
  EXPECT_EQ(table->indexes[0].status, IndexStatus::kCreating);
}

}  // namespace
}  // namespace streamer::dynamo
