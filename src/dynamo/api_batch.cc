// DynamoApi: the batch operations (BatchGetItem, BatchWriteItem). Each item of
// a batch is read or written as its single-item form would be; the batch is
// validated as a whole first, so a bad input anywhere writes nothing.
#include <map>
#include <memory>
#include <set>

#include "dynamo/api.h"
#include "dynamo/capacity.h"
#include "dynamo/decisions.h"
#include "dynamo/expr/projection.h"
#include "dynamo/item_requests.h"
#include "dynamo/item_storage.h"
#include "dynamo/legacy_requests.h"
#include "dynamo/model/attribute.h"
#include "dynamo/request.h"
#include "dynamo/write_path.h"

namespace streamer::dynamo {

namespace {

constexpr size_t kMaxBatchGetKeys = 100;
constexpr size_t kMaxBatchWrites = 25;
constexpr size_t kMaxBatchGetResponseBytes = 16 * 1024 * 1024;

Status Duplicates() { return Status::Validation("Provided list of item keys contains duplicates"); }

// RequestItems: a required, non-empty map of table name -> requests. AWS
// words the empty map differently per operation (BatchGetItem has moved to
// its validation framework's wording, BatchWriteItem not yet).
Result<const json::object*> RequestItemsOf(const json::object& r, std::string_view empty_message) {
  auto items = OptionalObject(r, "RequestItems");
  if (!items) return items.status();
  if (!*items) {
    return Status::Validation(
        "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null");
  }
  if ((*items)->empty()) return Status::Validation(std::string(empty_message));
  return *items;
}

// A table name as a key of RequestItems (AWS checks map keys together);
// `shown` is how AWS prints the map in the message.
bool IsBatchTableName(std::string_view name) {
  bool pattern = !name.empty();
  for (char c : name) {
    pattern &= std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  }
  return name.size() >= 3 && name.size() <= 255 && pattern;
}
Status CheckBatchTableName(std::string_view name, std::string_view shown) {
  if (IsBatchTableName(name)) return Status::Ok();
  return ConstraintError(shown, "requestItems",
                         "Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
                         "Member must have length greater than or equal to 3, Member must satisfy regular "
                         "expression pattern: [a-zA-Z0-9_.-]+]");
}

json::array CapacityList(const std::map<std::string, ConsumedCapacity>& by_table, CapacityReport report) {
  json::array out;
  for (const auto& [_, c] : by_table) out.push_back(c.ToJson(report));
  return out;
}

// One table's part of a BatchGetItem, validated.
struct TableGets {
  TablePtr table;
  const json::object* request = nullptr;  // the KeysAndAttributes, echoed in UnprocessedKeys
  std::optional<expr::Projection> projection;
  bool consistent = false;
  std::vector<json::object> keys;  // canonical
  std::vector<ItemAddress> addresses;
};

}  // namespace

Result<std::string> DynamoApi::BatchGetItem(const Request& r) {
  if (Status members = CheckAcceptedMembers(r, RequestKind::kRead); !members.ok()) return members;
  auto request_items = RequestItemsOf(r, "1 validation error detected: Value at 'RequestItems' failed to satisfy "
                                         "constraint: Member must have length greater than or equal to 1");
  if (!request_items) return request_items.status();
  const json::object& items = **request_items;
  if (items.size() > kMaxBatchGetKeys) {
    return ConstraintError("{...}", "requestItems", "Member must have length less than or equal to 100");
  }
  // The shape of every table's request first (as AWS's framework checks it),
  // then the key count, then tables and keys.
  size_t total = 0;
  for (const auto& [name, v] : items) {
    // BatchGetItem shows the map as JSON (written only for the error).
    if (!IsBatchTableName(name)) return CheckBatchTableName(name, json::serialize(items));
    if (!v.is_object()) return Status::Of(Code::kSerialization, "Unexpected value type for member RequestItems");
    const json::value* keys = v.as_object().if_contains("Keys");
    if (!keys || keys->is_null()) {
      return Status::Validation("1 validation error detected: Value null at 'requestItems." + std::string(name) +
                                ".member.keys' failed to satisfy constraint: Member must not be null");
    }
    if (!keys->is_array()) return Status::Of(Code::kSerialization, "Unexpected value type for member Keys");
    if (keys->as_array().empty() || keys->as_array().size() > kMaxBatchGetKeys) {
      return Status::Validation("1 validation error detected: Value at 'RequestItems." + std::string(name) +
                                ".member.Keys' failed to satisfy constraint: Member must have length " +
                                (keys->as_array().empty() ? "greater than or equal to 1" : "less than or equal to 100"));
    }
    total += keys->as_array().size();
  }
  if (total > kMaxBatchGetKeys) return Status::Validation("Too many items requested for the BatchGetItem call");
  // Attribute values are checked before any table is looked up (as AWS does).
  for (const auto& [name, v] : items) {
    for (const json::value& k : v.as_object().at("Keys").as_array()) {
      if (!k.is_object()) return Status::Of(Code::kSerialization, "Unexpected value type for member Keys");
      for (const auto& [_, av] : k.as_object()) {
        if (Status valid = ValidateAttributeValue(av); !valid.ok()) return valid;
      }
    }
  }

  std::vector<TableGets> gets;
  for (const auto& [name, v] : items) {
    const json::object& kaa = v.as_object();
    TableGets g;
    g.request = &kaa;
    g.table = catalog_->Find(name);
    if (!g.table) return Status::Of(Code::kResourceNotFound, "Requested resource not found");
    if (Status mixed = CheckNotMixed(kaa, {"AttributesToGet"}, {"ProjectionExpression"}); !mixed.ok()) return mixed;
    auto consistent = OptionalBool(kaa, "ConsistentRead");
    if (!consistent) return consistent.status();
    g.consistent = consistent->value_or(false);
    auto maps = ExpressionMaps(kaa);
    if (!maps) return maps.status();
    auto projection_text = OptionalString(kaa, "ProjectionExpression");
    if (!projection_text) return projection_text.status();
    if (*projection_text) {
      auto parsed = expr::ParseProjection(**projection_text, *maps);
      if (!parsed) return parsed.status();
      g.projection = std::move(*parsed);
    }
    auto to_get = LegacyProjection(kaa);  // AttributesToGet
    if (!to_get) return to_get.status();
    if (*to_get) g.projection = expr::Projection{std::move(**to_get), {}};
    Status unused = expr::CheckUnusedPlaceholders(*maps, g.projection ? g.projection->used : expr::UsedPlaceholders{});
    if (!unused.ok()) return unused;
    std::set<std::string> seen;
    for (const json::value& k : kaa.at("Keys").as_array()) {
      if (!k.is_object()) return Status::Of(Code::kSerialization, "Unexpected value type for member Keys");
      auto key = KeyOf(*g.table, json::object{{"Key", k}});
      if (!key) return key.status();
      auto address = AddressOf(*g.table, *key);
      if (!address) return address.status();
      if (!seen.insert(address->storage_key).second) return Duplicates();
      g.keys.push_back(std::move(*key));
      g.addresses.push_back(std::move(*address));
    }
    gets.push_back(std::move(g));
  }

  // Reads, up to 16 MB of items; the keys after that are UnprocessedKeys
  // (at least one item is always returned, so a client always progresses).
  // Without a projection an item's JSON and size come straight from its
  // stored bytes; the body is written as text.
  const CapacityReport report = CapacityReportOf(r);
  std::string body = "{\"Responses\":{";
  json::object unprocessed;
  std::map<std::string, ConsumedCapacity> capacity;
  size_t bytes = 0;
  bool full = false;
  std::string stored;
  for (size_t t = 0; t < gets.size(); ++t) {
    const TableGets& g = gets[t];
    if (t) body.push_back(',');
    body += json::serialize(json::value(g.table->name));
    body += ":[";
    bool first = true;
    ConsumedCapacity& used = capacity[g.table->name];
    used.table = g.table->name;
    json::array left;
    for (size_t i = 0; i < g.addresses.size(); ++i) {
      if (full) {
        left.push_back(g.keys[i]);
        continue;
      }
      Status s = items_->Get(g.addresses[i], &stored);
      if (s.Is(Code::kNotFound)) {
        used.table_units += ReadUnits(0, g.consistent);
        continue;
      }
      if (!s.ok()) return s;
      const size_t mark = body.size();
      if (!first) body.push_back(',');
      size_t size = 0;
      if (g.projection) {
        auto item = DecodeStoredItem(*g.table, g.addresses[i].storage_key, stored);
        if (!item) return item.status();
        size = ItemSize(*item);
        body += json::serialize(expr::Project(*item, g.projection->paths));
      } else {
        Status written = AppendStoredItemJson(*g.table, g.addresses[i].storage_key, stored, &body, &size);
        if (!written.ok()) return written;
      }
      if (bytes > 0 && bytes + size > kMaxBatchGetResponseBytes) {
        body.resize(mark);  // not this one: it and the rest are left for the next call
        full = true;
        left.push_back(g.keys[i]);
        continue;
      }
      first = false;
      bytes += size;
      used.table_units += ReadUnits(size, g.consistent);
    }
    body.push_back(']');
    if (!left.empty()) {
      json::object again = *g.request;  // the same projection and consistency, only the keys left
      again["Keys"] = std::move(left);
      unprocessed[g.table->name] = std::move(again);
    }
  }
  body += "},\"UnprocessedKeys\":";
  body += json::serialize(unprocessed);
  if (report != CapacityReport::kNone) {
    body += ",\"ConsumedCapacity\":";
    body += json::serialize(CapacityList(capacity, report));
  }
  body.push_back('}');
  return body;
}

void DynamoApi::BatchWriteItem(const Request& r, ReplyFn reply) {
  auto fail = [&reply](const Status& s) { reply(ErrorReply(s)); };
  if (Status members = CheckAcceptedMembers(r, RequestKind::kWrite); !members.ok()) return fail(members);
  auto request_items = RequestItemsOf(r, "The requestItems parameter is required for BatchWriteItem");
  if (!request_items) return fail(request_items.status());
  const json::object& items = **request_items;
  size_t total = 0;
  for (const auto& [name, v] : items) {
    // AWS prints the map with Java's toString; we cannot reproduce its
    // rendering of the requests, only of the names.
    if (Status s = CheckBatchTableName(name, "{" + std::string(name) + "=[...]}"); !s.ok()) return fail(s);
    if (!v.is_array()) return fail(Status::Of(Code::kSerialization, "Unexpected value type for member RequestItems"));
    const size_t n = v.as_array().size();
    if (n < 1) {
      return fail(ConstraintError("{" + std::string(name) + "=[]}", "requestItems",
                                  "Map value must satisfy constraint: [Member must have length less than or equal "
                                  "to 25, Member must have length greater than or equal to 1]"));
    }
    if (n > kMaxBatchWrites) {
      // AWS's newer wording (the older one echoes every request).
      return fail(Status::Validation("1 validation error detected: Value at 'RequestItems." + std::string(name) +
                                     ".member' failed to satisfy constraint: Member must have length less than or "
                                     "equal to 25"));
    }
    total += n;
  }
  if (total > kMaxBatchWrites) return fail(Status::Validation("Too many items requested for the BatchWriteItem call"));

  // In AWS's order: the shape of every request and its attribute values
  // (whatever the table), then the tables, then each item against its
  // table's key schema, then duplicates.
  struct Parsed {
    TablePtr table;
    const json::object* put = nullptr;  // the item, or
    const json::object* key = nullptr;  // the key to delete
    const json::value* request = nullptr;
  };
  std::vector<Parsed> parsed;
  for (const auto& [name, v] : items) {
    size_t index = 0;
    for (const json::value& wr : v.as_array()) {
      ++index;
      if (!wr.is_object()) return fail(Status::Of(Code::kSerialization, "Unexpected value type for member RequestItems"));
      auto put = OptionalObject(wr.as_object(), "PutRequest");
      if (!put) return fail(put.status());
      auto del = OptionalObject(wr.as_object(), "DeleteRequest");
      if (!del) return fail(del.status());
      // A WriteRequest is a union: AWS answers both or neither as it answers
      // an AttributeValue with the wrong number of members.
      if ((*put != nullptr) == (*del != nullptr)) {
        return fail(Status::Validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"));
      }
      const std::string field = "requestItems." + std::string(name) + ".member." + std::to_string(index) + ".member";
      Parsed p;
      p.request = &wr;
      if (*put) {
        auto item = OptionalObject(**put, "Item");
        if (!item) return fail(item.status());
        if (!*item) {
          return fail(Status::Validation("1 validation error detected: Value null at '" + field +
                                         ".putRequest.item' failed to satisfy constraint: Member must not be null"));
        }
        p.put = *item;
      } else {
        auto key = OptionalObject(**del, "Key");
        if (!key) return fail(key.status());
        if (!*key) {
          return fail(Status::Validation("1 validation error detected: Value null at '" + field +
                                         ".deleteRequest.key' failed to satisfy constraint: Member must not be null"));
        }
        p.key = *key;
      }
      parsed.push_back(p);
    }
  }
  for (const Parsed& p : parsed) {
    if (p.put) {
      if (Status valid = ValidateItem(*p.put); !valid.ok()) return fail(valid);
      if (ItemSize(*p.put) > kMaxItemSize) {
        return fail(Status::Validation("Item size has exceeded the maximum allowed size"));
      }
    } else {
      for (const auto& [_, av] : *p.key) {
        if (Status valid = ValidateAttributeValue(av); !valid.ok()) return fail(valid);
      }
    }
  }
  {
    size_t i = 0;
    for (const auto& [name, v] : items) {
      TablePtr table = catalog_->Find(name);
      if (!table) return fail(Status::Of(Code::kResourceNotFound, "Requested resource not found"));
      for (size_t n = 0; n < v.as_array().size(); ++n) parsed[i++].table = table;
    }
  }

  struct Write {
    TablePtr table;
    ItemAddress address;
    Decide decide;
    json::value request;  // the WriteRequest, for UnprocessedItems
  };
  std::vector<Write> writes;
  writes.reserve(parsed.size());
  std::set<std::string> seen;  // storage keys include the table prefix
  for (const Parsed& p : parsed) {
    const TableInfo& t = *p.table;
    json::object key_or_item;
    if (p.put) {
      key_or_item = CanonicalizeItem(*p.put);
      // A batch names an item by its key: a missing or mistyped key
      // attribute is a key that does not match the schema (not PutItem's
      // "Missing the key" messages).
      for (const KeyAttribute* k : {&t.key_schema.partition, t.key_schema.sort ? &*t.key_schema.sort : nullptr}) {
        if (!k) continue;
        const json::value* av = key_or_item.if_contains(k->name);
        if (!av || TypeOf(*av) != k->type) {
          return fail(Status::Validation("The provided key element does not match the schema"));
        }
      }
      if (Status valid = ValidateItemForTable(t, key_or_item); !valid.ok()) return fail(valid);
    } else {
      auto key = KeyOf(t, json::object{{"Key", *p.key}});
      if (!key) return fail(key.status());
      key_or_item = std::move(*key);
    }
    auto address = AddressOf(t, key_or_item);
    if (!address) return fail(address.status());
    if (!seen.insert(address->storage_key).second) return fail(Duplicates());
    Decide decide = p.put ? DecidePut(nullptr, MakeStoredItem(std::move(key_or_item))) : DecideDelete(nullptr);
    writes.push_back(Write{p.table, std::move(*address), std::move(decide), *p.request});
  }

  // Every write through the normal write path, grouped per writer (each
  // item still its own write); the answer when all are committed. A write
  // the store could not commit is returned in UnprocessedItems, as AWS
  // returns one it could not process.
  // Old items are needed only to count capacity (the larger of old and new).
  const CapacityReport report = CapacityReportOf(r);
  const bool wants_old = report != CapacityReport::kNone;
  std::vector<ItemWrite> item_writes;
  item_writes.reserve(writes.size());
  for (Write& w : writes) item_writes.push_back(ItemWrite{w.table, std::move(w.address), std::move(w.decide), wants_old});
  const json::value* metrics_member = r.if_contains("ReturnItemCollectionMetrics");
  const bool metrics = metrics_member && metrics_member->is_string() && metrics_member->as_string() == "SIZE";
  items_->WriteEach(std::move(item_writes), [writes = std::move(writes), report, metrics,
                                             reply = std::move(reply)](std::vector<WriteResult> results) {
    json::object unprocessed;
    std::map<std::string, ConsumedCapacity> capacity;
    for (size_t j = 0; j < writes.size(); ++j) {
      const Write& done = writes[j];
      const WriteResult& res = results[j];
      if (!res.status.ok()) {
        if (!unprocessed.contains(done.table->name)) unprocessed[done.table->name] = json::array();
        unprocessed[done.table->name].as_array().push_back(done.request);
        continue;
      }
      ConsumedCapacity& used = capacity[done.table->name];
      used.table = done.table->name;
      used.is_write = true;
      size_t size = res.old_item ? ItemSize(*res.old_item) : 0;
      if (res.new_item) size = std::max(size, res.new_item->size ? res.new_item->size : ItemSize(res.new_item->item));
      used.table_units += WriteUnits(size);
    }
    json::object out{{"UnprocessedItems", std::move(unprocessed)}};
    if (report != CapacityReport::kNone) out["ConsumedCapacity"] = CapacityList(capacity, report);
    // Item collections exist only for tables with local secondary indexes.
    if (metrics) out["ItemCollectionMetrics"] = json::object{};
    reply(ApiReply{200, json::serialize(out)});
  });
}

}  // namespace streamer::dynamo
