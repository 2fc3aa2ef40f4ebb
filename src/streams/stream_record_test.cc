// Stream record encoding: keys order by sequence, ids round-trip, the Lambda
// record is the stored record plus eventSourceARN.
#include <gtest/gtest.h>

#include "streams/stream_record.h"

namespace streamer::streams {
namespace {

TEST(StreamRecord, KeysOrderBySequenceWithinShard) {
  EXPECT_LT(RecordKey(1, 0, 9), RecordKey(1, 0, 10));
  EXPECT_LT(RecordKey(1, 0, UINT64_MAX), RecordKey(1, 1, 0));
  EXPECT_LT(RecordKey(1, 3, 5), RecordKey(2, 0, 0));
  EXPECT_EQ(SequenceOfKey(RecordKey(7, 2, 123456789)), 123456789u);
  EXPECT_EQ(RecordKey(7, 2, 1).substr(0, 6), ShardPrefix(7, 2));
}

TEST(StreamRecord, SequenceNumbers) {
  EXPECT_EQ(FormatSequenceNumber(42), "000000000000000000042");
  EXPECT_LT(FormatSequenceNumber(99), FormatSequenceNumber(100));  // fixed width sorts as text too
  EXPECT_EQ(*ParseSequenceNumber("000000000000000000042"), 42u);
  EXPECT_FALSE(ParseSequenceNumber("").ok());
  EXPECT_FALSE(ParseSequenceNumber("12a").ok());
  EXPECT_FALSE(ParseSequenceNumber("-1").ok());
  EXPECT_FALSE(ParseSequenceNumber("99999999999999999999999").ok());  // > uint64
}

TEST(StreamRecord, ShardIds) {
  const int64_t created = 1795555315123;
  EXPECT_EQ(ShardId(created, 3), "shardId-00000001795555315123-00000003");
  EXPECT_EQ(ShardIndex(ShardId(created, 3), created, 4), 3);
  EXPECT_EQ(ShardIndex(ShardId(created, 5), created, 4), -1);       // beyond shard count
  EXPECT_EQ(ShardIndex(ShardId(created + 1, 1), created, 4), -1);   // another stream's shard
  EXPECT_EQ(ShardIndex("shardId-garbage", created, 4), -1);
}

TEST(StreamRecord, ViewTypesAndLambdaRecord) {
  json::object keys{{"k", json::object{{"S", "a"}}}};
  json::object old_image{{"k", json::object{{"S", "a"}}}, {"v", json::object{{"N", "1"}}}};
  json::object new_image{{"k", json::object{{"S", "a"}}}, {"v", json::object{{"N", "2"}}}};
  const std::string keys_json = json::serialize(keys), old_json = json::serialize(old_image),
                    new_json = json::serialize(new_image);
  Change change{"MODIFY", keys_json, old_json, new_json, 10};
  struct Case { const char* view; bool has_old, has_new; };
  for (Case c : {Case{"KEYS_ONLY", false, false}, Case{"NEW_IMAGE", false, true},
                 Case{"OLD_IMAGE", true, false}, Case{"NEW_AND_OLD_IMAGES", true, true}}) {
    json::value r = json::parse(BuildRecord(change, ParseStreamView(c.view), 5, "eu-west-1", 1795555315123));
    const json::object& d = r.at("dynamodb").as_object();
    EXPECT_EQ(d.contains("OldImage"), c.has_old) << c.view;
    EXPECT_EQ(d.contains("NewImage"), c.has_new) << c.view;
    EXPECT_EQ(d.at("StreamViewType"), c.view);
    EXPECT_EQ(d.at("SequenceNumber"), "000000000000000000005");
    EXPECT_EQ(d.at("ApproximateCreationDateTime").as_int64(), 1795555315);
    EXPECT_EQ(r.at("eventName"), "MODIFY");
    EXPECT_EQ(r.at("awsRegion"), "eu-west-1");
    EXPECT_EQ(r.at("eventSource"), "aws:dynamodb");
    EXPECT_EQ(d.at("Keys"), json::value(keys));
    if (c.has_new) {
      EXPECT_EQ(d.at("NewImage"), json::value(new_image));
    }
    if (c.has_old) {
      EXPECT_EQ(d.at("OldImage"), json::value(old_image));
    }
  }
  // No image to show: the member is absent, not null.
  Change insert{"INSERT", keys_json, "", new_json, 5};
  json::value r = json::parse(BuildRecord(insert, StreamViewType::kNewAndOldImages, 6, "us-east-1", 0));
  EXPECT_FALSE(r.at("dynamodb").as_object().contains("OldImage"));
  EXPECT_TRUE(r.at("dynamodb").as_object().contains("NewImage"));
  std::string stored = BuildRecord(change, StreamViewType::kKeysOnly, 5, "us-east-1", 0);
  std::string lambda;
  AppendLambdaRecord(&lambda, stored, "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/x\"y");
  json::value l = json::parse(lambda);
  EXPECT_EQ(l.at("eventSourceARN"), "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/x\"y");
  EXPECT_EQ(l.at("eventID"), json::parse(stored).at("eventID"));
  EXPECT_FALSE(l.as_object().contains("userIdentity"));
}

// A TTL delete names the service: the Streams API's Identity (PrincipalId,
// Type) and Lambda's event (principalId, type) spell its members differently.
TEST(StreamRecord, TtlDeleteIdentity) {
  const std::string keys_json = R"({"k":{"S":"a"}})";
  Change remove{"REMOVE", keys_json, R"({"k":{"S":"a"},"exp":{"N":"1"}})", "", 10, /*by_ttl=*/true};
  const std::string stored = BuildRecord(remove, StreamViewType::kOldImage, 7, "us-east-1", 0);
  json::value r = json::parse(stored);
  EXPECT_EQ(r.at("userIdentity"), json::parse(R"({"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"})"));
  std::string lambda;
  AppendLambdaRecord(&lambda, stored, "arn");
  json::value l = json::parse(lambda);
  EXPECT_EQ(l.at("userIdentity"), json::parse(R"({"type":"Service","principalId":"dynamodb.amazonaws.com"})"));
  EXPECT_EQ(l.at("eventSourceARN"), "arn");
  EXPECT_EQ(l.at("dynamodb"), r.at("dynamodb"));
}

}  // namespace
}  // namespace streamer::streams
