#include "dynamo/write_path.h"

#include "core/clock.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/key_codec.h"
#include "dynamo/request.h"
#include "streams/stream_record.h"

namespace streamer::dynamo {

Result<ItemAddress> AddressOf(const TableInfo& table, const json::object& key_or_item) {
  ItemAddress a;
  const KeySchema& ks = table.key_schema;
  auto partition = EncodePartition(ks, key_or_item);
  if (!partition) return partition.status();
  a.partition = std::move(*partition);
  // Item key = partition bytes + sort bytes: encode the partition once.
  a.storage_key = table.KeyPrefix() + a.partition;
  if (ks.sort) {
    const json::value* sk = key_or_item.if_contains(ks.sort->name);
    if (!sk) return Status::Validation("The provided key element does not match the schema");
    Status s = AppendKeyValue(*sk, ks.sort->type, &a.storage_key);
    if (!s.ok()) return s;
  }
  a.key[ks.partition.name] = key_or_item.at(ks.partition.name);
  if (ks.sort) a.key[ks.sort->name] = key_or_item.at(ks.sort->name);
  return a;
}

namespace {

// Stream record size as DynamoDB counts it: keys plus the images the view keeps.
// `new_image_size` is ItemSize(*new_image) when known (0 = compute it).
size_t RecordSize(const json::object& keys, const json::object* old_image,
                  const json::object* new_image, size_t new_image_size, std::string_view view) {
  size_t size = ItemSize(keys);
  if (old_image && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES")) size += ItemSize(*old_image);
  if (new_image && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES")) {
    size += new_image_size ? new_image_size : ItemSize(*new_image);
  }
  return size;
}

bool SameItem(const json::object& a, const json::object& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, value] : a) {
    const json::value* other = b.if_contains(name);
    if (!other || !AttributeValuesEqual(value, *other)) return false;
  }
  return true;
}

}  // namespace

void SubmitWrite(storage::ShardWriters* writers, TablePtr table, ItemAddress address,
                 Decide decide, WriteDone done) {
  // A key's stream shard is fixed by the table's saved layout; the writer
  // owning that shard in this run applies the write.
  const int stream_shard = table->StreamShardOf(address.partition);
  const int writer = table->WriterOf(stream_shard, writers->writer_count());
  auto result = std::make_shared<WriteResult>();
  storage::WriteTask task;
  task.apply = [table, address = std::move(address), decide = std::move(decide), result, stream_shard,
                writer](storage::DrainView& view) {
    std::string old_json;  // the stored item: also the stream's OldImage, as is
    Status read_error;
    std::optional<json::object> current;
    if (view.GetItem(address.storage_key, &old_json, &read_error)) {
      auto parsed = ParseJson(old_json);
      if (!parsed || !parsed->is_object()) {
        result->status = Status::Internal("corrupt item in store");
        return;
      }
      current = std::move(parsed->as_object());
    } else if (!read_error.ok()) {
      result->status = read_error;
      return;
    } else {
      old_json.clear();
    }
    Result<Mutation> m = decide(current ? &*current : nullptr);
    if (!m) {
      result->status = m.status();
      result->old_item = std::move(current);
      return;
    }
    std::string new_json;
    const size_t new_item_size = m->new_item_size;
    std::string_view event_name;
    switch (m->kind) {
      case Mutation::Kind::kNone:
        result->old_item = current;
        result->new_item = std::move(current);
        return;
      case Mutation::Kind::kDelete:
        if (!current) return;  // deleting nothing changes nothing, and streams nothing
        view.DeleteItem(address.storage_key);
        event_name = "REMOVE";
        break;
      case Mutation::Kind::kPut: {
        // A write that changes nothing leaves no stream record (as DynamoDB).
        const bool unchanged = current && SameItem(*current, m->new_item);
        new_json = json::serialize(m->new_item);
        view.PutItem(address.storage_key, new_json);
        result->new_item = std::move(m->new_item);
        if (unchanged) {
          result->old_item = std::move(current);
          return;
        }
        event_name = current ? "MODIFY" : "INSERT";
        break;
      }
    }
    result->old_item = std::move(current);
    if (table->has_stream()) {
      const json::object* old_image = result->old_item ? &*result->old_item : nullptr;
      const json::object* new_image = result->new_item ? &*result->new_item : nullptr;
      const std::string keys_json = json::serialize(address.key);
      streams::Change change{event_name, keys_json, old_json, new_json,
                             RecordSize(address.key, old_image, new_image, new_item_size, table->stream_view_type)};
      const uint64_t seq = view.NextSequence(writer);
      view.Put(storage::Family::kStream, streams::RecordKey(table->id, stream_shard, seq),
               streams::BuildRecord(change, table->stream_view_type, seq, table->region, NowMillis()));
    }
  };
  task.done = [result, done = std::move(done)](const Status& commit) {
    if (!commit.ok() && result->status.ok()) result->status = commit;
    done(std::move(*result));
  };
  writers->Submit(writer, std::move(task));
}

}  // namespace streamer::dynamo
