#include "dynamo/model/key_codec.h"

#include "dynamo/model/attribute.h"
#include "dynamo/model/base64.h"
#include "dynamo/model/decimal.h"

namespace streamer::dynamo {
namespace {

Status Mismatch() { return Status::Validation("The provided key element does not match the schema"); }

void AppendEscaped(std::string_view bytes, std::string* out) {
  for (char c : bytes) {
    out->push_back(c);
    if (c == '\0') out->push_back(static_cast<char>(0xFF));
  }
  out->push_back('\0');
  out->push_back('\x01');
}

bool ReadEscaped(std::string_view* in, std::string* bytes) {
  for (size_t i = 0; i < in->size(); ++i) {
    char c = (*in)[i];
    if (c != '\0') {
      bytes->push_back(c);
      continue;
    }
    if (i + 1 >= in->size()) return false;
    unsigned char next = static_cast<unsigned char>((*in)[i + 1]);
    if (next == 0x01) {
      in->remove_prefix(i + 2);
      return true;
    }
    if (next != 0xFF) return false;
    bytes->push_back('\0');
    ++i;
  }
  return false;
}

}  // namespace

Status CheckKeySizes(const KeySchema& schema, const json::object& key_or_item) {
  constexpr size_t kMaxPartition = 2048, kMaxSort = 1024;
  if (const json::value* v = key_or_item.if_contains(schema.partition.name); v && AttributeValueSize(*v) > kMaxPartition) {
    return Status::Validation(
        // AWS writes "of2048", without a space.
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
  }
  if (schema.sort) {
    if (const json::value* v = key_or_item.if_contains(schema.sort->name); v && AttributeValueSize(*v) > kMaxSort) {
      return Status::Validation(
          "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    }
  }
  return Status::Ok();
}

Status AppendKeyValue(const json::value& av, std::string_view expected_type, std::string* out) {
  if (TypeOf(av) != expected_type) return Mismatch();
  const json::value& p = *PayloadOf(av);
  if (!p.is_string()) return Mismatch();
  if (expected_type == "N") {
    auto d = Decimal::Parse(p.get_string());
    if (!d.ok()) return d.status();
    d->AppendOrderedBytes(out);
  } else if (expected_type == "S") {
    AppendEscaped(p.get_string(), out);
  } else if (expected_type == "B") {
    auto bytes = Base64Decode(p.get_string());
    if (!bytes) return Mismatch();
    AppendEscaped(*bytes, out);
  } else {
    return Mismatch();
  }
  return Status::Ok();
}

Result<std::string> EncodeKeyValue(const json::value& av, std::string_view expected_type) {
  std::string out;
  Status s = AppendKeyValue(av, expected_type, &out);
  if (!s.ok()) return s;
  return out;
}

Result<json::value> DecodeKeyValue(std::string_view* in, std::string_view type) {
  json::object o;
  if (type == "N") {
    auto d = Decimal::DecodeOrderedBytes(in);
    if (!d.ok()) return d.status();
    o["N"] = d->ToString();
    return json::value(std::move(o));
  }
  std::string bytes;
  if ((type != "S" && type != "B") || !ReadEscaped(in, &bytes)) {
    return Status::Internal("corrupt key encoding");
  }
  o[std::string(type)] = type == "S" ? bytes : Base64Encode(bytes);
  return json::value(std::move(o));
}

Result<std::string> EncodePartition(const KeySchema& schema, const json::object& key_or_item) {
  const json::value* pk = key_or_item.if_contains(schema.partition.name);
  if (!pk) return Mismatch();
  return EncodeKeyValue(*pk, schema.partition.type);
}

Result<std::string> EncodeItemKey(const KeySchema& schema, const json::object& key_or_item) {
  auto out = EncodePartition(schema, key_or_item);
  if (!out.ok() || !schema.sort) return out;
  const json::value* sk = key_or_item.if_contains(schema.sort->name);
  if (!sk) return Mismatch();
  Status s = AppendKeyValue(*sk, schema.sort->type, &*out);
  if (!s.ok()) return s;
  return out;
}

Result<json::object> DecodeItemKey(const KeySchema& schema, std::string_view bytes) {
  json::object key;
  auto pk = DecodeKeyValue(&bytes, schema.partition.type);
  if (!pk.ok()) return pk.status();
  key[schema.partition.name] = std::move(*pk);
  if (schema.sort) {
    auto sk = DecodeKeyValue(&bytes, schema.sort->type);
    if (!sk.ok()) return sk.status();
    key[schema.sort->name] = std::move(*sk);
  }
  if (!bytes.empty()) return Status::Internal("corrupt key encoding: trailing bytes");
  return key;
}

Status CheckKeyValueNotEmpty(const json::value& av, std::string_view key_name) {
  const std::string_view type = TypeOf(av);
  if ((type == "S" || type == "B") && PayloadOf(av)->as_string().empty()) {
    return Status::Validation(
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
        "empty " +
        std::string(type == "S" ? "string" : "binary") + " value. Key: " + std::string(key_name));
  }
  return Status::Ok();
}

json::array KeySchemaJson(const KeySchema& schema) {
  json::array ks;
  ks.push_back(json::object{{"AttributeName", schema.partition.name}, {"KeyType", "HASH"}});
  if (schema.sort) ks.push_back(json::object{{"AttributeName", schema.sort->name}, {"KeyType", "RANGE"}});
  return ks;
}

}  // namespace streamer::dynamo
