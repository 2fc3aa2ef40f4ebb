// Order-preserving byte encodings of key attributes, for RocksDB keys.
//
// One value: N uses Decimal's ordered bytes; S and B are their raw bytes with
// 0x00 escaped as 00 FF and a 00 01 terminator. Every encoding is
// self-delimiting, so memcmp order of concatenations is the order of the
// first differing value.
//
// An item key is partition bytes followed by sort bytes: all items of one
// partition share the prefix EncodePartition(...) and sort by sort key.
#pragma once

#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/model/key_schema.h"

namespace streamer::dynamo {

// `av` must be a valid attribute value of `expected_type` ("S", "N" or "B");
// otherwise ValidationException "The provided key element does not match the schema".
Result<std::string> EncodeKeyValue(const json::value& av, std::string_view expected_type);
// Appends to *out; same contract as EncodeKeyValue.
Status AppendKeyValue(const json::value& av, std::string_view expected_type, std::string* out);
// Reads one value of `type` from the front of *in (advancing it).
Result<json::value> DecodeKeyValue(std::string_view* in, std::string_view type);

// Partition prefix of a key or item (the partition attribute must be present).
Result<std::string> EncodePartition(const KeySchema& schema, const json::object& key_or_item);
// Full primary key bytes of a key or item (sort attribute required when the
// schema has one).
Result<std::string> EncodeItemKey(const KeySchema& schema, const json::object& key_or_item);
// AWS's key size limits on a canonical key or item: partition key value at
// most 2048 bytes, sort key value at most 1024 (ValidationException otherwise).
Status CheckKeySizes(const KeySchema& schema, const json::object& key_or_item);
// A key attribute's S or B value may not be empty: AWS's message naming the key.
Status CheckKeyValueNotEmpty(const json::value& av, std::string_view key_name);
// The KeySchema member of DescribeTable / DescribeStream.
json::array KeySchemaJson(const KeySchema& schema);
// Back to {"pk": {...}, "sk": {...}}.
Result<json::object> DecodeItemKey(const KeySchema& schema, std::string_view bytes);

}  // namespace streamer::dynamo
