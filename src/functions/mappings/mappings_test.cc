// The pure parts of event source mappings: lanes, checkpoint advancement with
// out-of-order completions, bisect planning, partial batch responses,
// tumbling windows, destinations and Lambda's on-failure record.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "functions/mappings/batch_policy.h"
#include "functions/mappings/destinations.h"
#include "functions/mappings/event_source_mapping.h"

namespace streamer::functions {
namespace {

TEST(Lanes, OneKeyAlwaysOneLaneAndKeysSpread) {
  std::set<int> used;
  for (int i = 0; i < 200; ++i) {
    std::string keys = "{\"pk\":{\"S\":\"key-" + std::to_string(i) + "\"}}";
    int lane = LaneOf(keys, 10);
    EXPECT_GE(lane, 0);
    EXPECT_LT(lane, 10);
    EXPECT_EQ(lane, LaneOf(keys, 10));
    used.insert(lane);
  }
  EXPECT_EQ(used.size(), 10u);
  EXPECT_EQ(LaneOf("{\"pk\":{\"S\":\"x\"}}", 1), 0);
}

TEST(Lanes, ParsedRecordCarriesItsKeyLaneAndTime) {
  std::string rec = R"({"awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1700000000,)"
                    R"("Keys":{"pk":{"S":"a"}},"SequenceNumber":"000000000000000000042","SizeBytes":5,)"
                    R"("StreamViewType":"KEYS_ONLY"},"eventID":"x","eventName":"INSERT"})";
  auto r = ParseMappedRecord(42, rec, 7);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->created_seconds, 1700000000);
  EXPECT_EQ(r->lane, LaneOf(R"({"pk":{"S":"a"}})", 7));
  EXPECT_FALSE(ParseMappedRecord(1, "{\"dynamodb\":{}}", 2).ok());
  EXPECT_FALSE(ParseMappedRecord(1, "not json", 2).ok());
}

TEST(CompletionTracker, AdvancesOnlyPastAContiguousResolvedPrefix) {
  CompletionTracker t(10);
  EXPECT_EQ(t.checkpoint(), 10u);
  for (uint64_t s : {12, 15, 20, 21, 30}) t.Add(s);
  EXPECT_EQ(t.checkpoint(), 11u);  // 12 unresolved: everything below it is
  t.Done(20);                      // a later lane finished first
  t.Done(30);
  EXPECT_EQ(t.checkpoint(), 11u);
  t.Done(12);
  EXPECT_EQ(t.checkpoint(), 14u);
  t.Done(21);
  EXPECT_EQ(t.checkpoint(), 14u);
  t.Done(15);
  EXPECT_EQ(t.checkpoint(), 30u);  // all resolved: the last read
  EXPECT_EQ(t.outstanding(), 0u);
  t.Add(31);
  EXPECT_EQ(t.checkpoint(), 30u);
}

TEST(CompletionTracker, NeverGoesBelowItsStart) {
  CompletionTracker t(100);
  t.Add(101);
  EXPECT_EQ(t.checkpoint(), 100u);
  t.Done(101);
  EXPECT_EQ(t.checkpoint(), 101u);
}

TEST(CompletionTracker, RandomCompletionOrderMatchesABruteForceModel) {
  uint64_t seed = 7;
  auto next = [&] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull; };
  for (int round = 0; round < 50; ++round) {
    CompletionTracker t(0);
    std::vector<uint64_t> seqs;
    uint64_t s = 0;
    for (int i = 0; i < 40; ++i) seqs.push_back(s += 1 + next() % 5);
    for (uint64_t q : seqs) t.Add(q);
    std::vector<uint64_t> order = seqs;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[next() % i]);
    std::set<uint64_t> done;
    for (uint64_t q : order) {
      t.Done(q);
      done.insert(q);
      uint64_t expect = 0;
      for (uint64_t x : seqs) {
        if (!done.count(x)) {
          expect = x - 1;
          break;
        }
        expect = x;
      }
      ASSERT_EQ(t.checkpoint(), expect);
    }
  }
}

TEST(Bisect, HalvesWithTheLargerFirstAndIsolatesOneRecord) {
  EXPECT_EQ(BisectSizes(8), (std::pair<size_t, size_t>{4, 4}));
  EXPECT_EQ(BisectSizes(7), (std::pair<size_t, size_t>{4, 3}));
  EXPECT_EQ(BisectSizes(2), (std::pair<size_t, size_t>{1, 1}));
  // Planning: a poison record among n is alone after ceil(log2 n) splits.
  for (size_t n : {2, 3, 10, 100, 10000}) {
    for (size_t poison : {size_t(0), n / 2, n - 1}) {
      size_t lo = 0, size = n;
      int splits = 0;
      while (size > 1) {
        auto [a, b] = BisectSizes(size);
        if (poison < lo + a) {
          size = a;
        } else {
          lo += a;
          size = b;
        }
        ++splits;
      }
      EXPECT_EQ(lo, poison);
      EXPECT_LE(splits, 14);
    }
  }
}

TEST(PartialResponse, LambdasRulesForSuccessAndFailure) {
  std::vector<std::string> seqs = {"100", "200", "300"};
  for (const char* success : {"", "null", "{}", R"({"batchItemFailures":[]})", R"({"batchItemFailures":null})",
                              "\"text\"", "not json"}) {
    PartialResponse p = ParsePartialResponse(success, seqs);
    EXPECT_FALSE(p.all_failed) << success;
    EXPECT_FALSE(p.first_failed) << success;
  }
  PartialResponse p = ParsePartialResponse(
      R"({"batchItemFailures":[{"itemIdentifier":"300"},{"itemIdentifier":"200"}]})", seqs);
  EXPECT_FALSE(p.all_failed);
  ASSERT_TRUE(p.first_failed);
  EXPECT_EQ(*p.first_failed, 1u);  // the lowest failed sequence
  for (const char* whole : {R"({"batchItemFailures":[{"itemIdentifier":""}]})",
                            R"({"batchItemFailures":[{"itemIdentifier":null}]})",
                            R"({"batchItemFailures":[{"id":"100"}]})",
                            R"({"batchItemFailures":[{"itemIdentifier":"999"}]})",
                            R"({"batchItemFailures":[{"itemIdentifier":100}]})",
                            R"({"batchItemFailures":"100"})", R"({"batchItemFailures":["100"]})"}) {
    EXPECT_TRUE(ParsePartialResponse(whole, seqs).all_failed) << whole;
  }
}

TEST(TumblingWindow, BoundsAndState) {
  EXPECT_EQ(WindowStart(1700000012, 10), 1700000010);
  EXPECT_EQ(WindowStart(1700000010, 10), 1700000010);
  EXPECT_EQ(WindowStart(1700000019, 10), 1700000010);
  EXPECT_EQ(IsoSeconds(1596128400), "2020-07-30T17:00:00Z");
  EXPECT_EQ(WindowState(R"({"state":{"a":1}})").value_or("-"), R"({"a":1})");
  EXPECT_FALSE(WindowState(R"({"batchItemFailures":[]})"));
  EXPECT_FALSE(WindowState(R"({"state":5})"));
  EXPECT_FALSE(WindowState("null"));
}

TEST(Destinations, ParsesEveryKindAndRefusesOthers) {
  auto f = Destination::Parse("arn:aws:lambda:us-east-1:000000000000:function:Failures");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->kind(), Destination::Kind::kFunction);
  EXPECT_EQ(f->target(), "Failures");
  auto t = Destination::Parse("arn:aws:dynamodb:us-east-1:000000000000:table/Dead");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->kind(), Destination::Kind::kTable);
  EXPECT_EQ(t->target(), "Dead");
  auto q = Destination::Parse("arn:aws:sqs:us-east-1:000000000000:dlq");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->kind(), Destination::Kind::kFile);
  EXPECT_EQ(Destination::FileForArn("/d", "arn:aws:sqs:us-east-1:000000000000:dlq"),
            "/d/destinations/arn_aws_sqs_us-east-1_000000000000_dlq.jsonl");
  EXPECT_TRUE(Destination::Parse("arn:aws:sns:us-east-1:000000000000:topic").ok());
  auto file = Destination::Parse("file:///tmp/x.jsonl");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->target(), "/tmp/x.jsonl");
  EXPECT_TRUE(Destination::Parse("").ok());
  EXPECT_TRUE(Destination::Parse("")->empty());
  for (const char* bad : {"arn:aws:s3:::bucket", "arn:aws:lambda:us-east-1:000000000000:layer:x",
                          "arn:aws:lambda:us-east-1:000000000000:function:",
                          "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2020",
                          "arn:aws:sqs", "file://", "queue", "https://example.com"}) {
    EXPECT_FALSE(Destination::Parse(bad).ok()) << bad;
  }
}

TEST(Destinations, OnFailureRecordHasLambdasShape) {
  FailedBatch b;
  b.request_id = "req";
  b.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:F";
  b.invoke_count = 3;
  b.function_error = "Unhandled";
  b.shard_id = "shardId-1";
  b.stream_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/x";
  b.first_sequence = "000000000000000000001";
  b.last_sequence = "000000000000000000009";
  b.first_created_seconds = 1573690399;
  b.last_created_seconds = 1573690400;
  b.batch_size = 4;
  auto v = ParseJson(OnFailureRecord(b, 1573690429717));
  ASSERT_TRUE(v.ok());
  const auto& o = v->as_object();
  EXPECT_EQ(o.at("version").as_string(), "1.0");
  EXPECT_EQ(o.at("timestamp").as_string(), "2019-11-14T00:13:49.717Z");
  EXPECT_EQ(o.at("requestContext").at("condition").as_string(), "RetryAttemptsExhausted");
  EXPECT_EQ(o.at("requestContext").at("approximateInvokeCount").as_int64(), 3);
  EXPECT_EQ(o.at("responseContext").at("statusCode").as_int64(), 200);
  EXPECT_EQ(o.at("responseContext").at("executedVersion").as_string(), "$LATEST");
  EXPECT_EQ(o.at("responseContext").at("functionError").as_string(), "Unhandled");
  const auto& info = o.at("DDBStreamBatchInfo").as_object();
  EXPECT_EQ(info.at("approximateArrivalOfFirstRecord").as_string(), "2019-11-14T00:13:19Z");
  EXPECT_EQ(info.at("approximateArrivalOfLastRecord").as_string(), "2019-11-14T00:13:20Z");
  EXPECT_EQ(info.at("batchSize").to_number<int64_t>(), 4);
  EXPECT_EQ(info.at("startSequenceNumber").as_string(), "000000000000000000001");
  EXPECT_EQ(info.at("endSequenceNumber").as_string(), "000000000000000000009");
  EXPECT_EQ(info.at("shardId").as_string(), "shardId-1");
}

TEST(Destinations, TableItemGetsKeysFromTheRecord) {
  dynamo::TableInfo t;
  t.name = "Dead";
  t.key_schema.partition = {"id", "S"};
  t.key_schema.sort = dynamo::KeyAttribute{"at", "N"};
  auto req = OnFailureItemRequest(t, R"({"requestContext":{"requestId":"r1"},"timestamp":"ts","version":"1.0"})");
  ASSERT_TRUE(req.ok());
  auto v = ParseJson(*req);
  ASSERT_TRUE(v.ok());
  const auto& item = v->at("Item").as_object();
  EXPECT_EQ(item.at("id").at("S").as_string(), "r1");
  EXPECT_TRUE(item.at("at").as_object().contains("N"));
  EXPECT_EQ(item.at("requestContext").at("M").at("requestId").at("S").as_string(), "r1");
  EXPECT_EQ(item.at("version").at("S").as_string(), "1.0");
}

TEST(Validate, LambdasLimitsForEveryOption) {
  stack::EventMappingSpec ok;
  ok.function = "F";
  ok.table = "T";
  EXPECT_TRUE(EventSourceMapping::Validate(ok).ok());
  struct Case {
    void (*change)(stack::EventMappingSpec&);
    const char* message;
  };
  const Case cases[] = {
      {[](auto& m) { m.batch_size = 0; }, "Value '0' at 'batchSize'"},
      {[](auto& m) { m.batch_size = 10001; }, "less than or equal to 10000"},
      {[](auto& m) { m.maximum_batching_window_seconds = 301; }, "maximumBatchingWindowInSeconds"},
      {[](auto& m) { m.maximum_retry_attempts = -2; }, "maximumRetryAttempts"},
      {[](auto& m) { m.maximum_record_age_seconds = 59; }, "MaximumRecordAgeInSeconds must be -1 or between 60"},
      {[](auto& m) { m.maximum_record_age_seconds = 604801; }, "maximumRecordAgeInSeconds"},
      {[](auto& m) { m.parallelization_factor = 11; }, "parallelizationFactor"},
      {[](auto& m) { m.tumbling_window_seconds = -1; }, "tumblingWindowInSeconds"},
      {[](auto& m) { m.starting_position = "EARLIEST"; }, "enum value set"},
      {[](auto& m) { m.starting_position = "AT_TIMESTAMP"; }, "must be provided with AT_TIMESTAMP"},
      {[](auto& m) { m.starting_position_timestamp = 5; }, "only valid with AT_TIMESTAMP"},
      {[](auto& m) { m.filter_patterns = {"{\"a\": 1}"}; }, "Invalid filter pattern definition"},
      {[](auto& m) { m.on_failure_destination = "arn:aws:s3:::b"; }, "destination config"},
  };
  for (const Case& c : cases) {
    stack::EventMappingSpec m = ok;
    c.change(m);
    Status s = EventSourceMapping::Validate(m);
    EXPECT_FALSE(s.ok()) << c.message;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
  }
  stack::EventMappingSpec all = ok;
  all.maximum_record_age_seconds = 60;
  all.maximum_retry_attempts = -1;
  all.starting_position = "AT_TIMESTAMP";
  all.starting_position_timestamp = 1.5;
  all.filter_patterns = {R"({"eventName":["INSERT"]})"};
  all.on_failure_destination = "file:///tmp/x";
  EXPECT_TRUE(EventSourceMapping::Validate(all).ok()) << EventSourceMapping::Validate(all).message();
}

}  // namespace
}  // namespace streamer::functions
