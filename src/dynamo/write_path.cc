#include "dynamo/write_path.h"

#include "core/clock.h"
#include "dynamo/item_storage.h"
#include "dynamo/model/attribute.h"
#include "dynamo/model/item_codec.h"
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
size_t RecordSize(const json::object& keys, const json::object* old_image, const StoredItem* new_image,
                  std::string_view view) {
  size_t size = ItemSize(keys);
  if (old_image && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES")) size += ItemSize(*old_image);
  if (new_image && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES")) {
    size += new_image->size ? new_image->size : ItemSize(new_image->item);
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

StoredItemPtr MakeStoredItem(json::object item, size_t item_size) {
  auto stored = std::make_shared<StoredItem>();
  stored->encoded = EncodeItem(item);
  stored->size = item_size;
  stored->item = std::move(item);
  return stored;
}

StoredItemPtr MakeStoredItem(json::object item) {
  const size_t size = ItemSize(item);
  return MakeStoredItem(std::move(item), size);
}

void SubmitWrite(storage::ShardWriters* writers, TablePtr table, ItemAddress address,
                 Decide decide, WriteDone done, bool wants_old_item) {
  // A key's stream shard is fixed by the table's saved layout; the writer
  // owning that shard in this run applies the write.
  const int stream_shard = table->StreamShardOf(address.partition);
  const int writer = table->WriterOf(stream_shard, writers->writer_count());
  auto result = std::make_shared<WriteResult>();
  storage::WriteTask task;
  task.apply = [table, address = std::move(address), decide = std::move(decide), wants_old_item, result,
                stream_shard, writer](storage::DrainView& view) {
    std::string old_bytes;  // the stored item: the stream's OldImage, decoded only if needed
    Status read_error;
    const bool exists = view.GetItem(address.storage_key, &old_bytes, &read_error);
    if (!exists && !read_error.ok()) {
      result->status = read_error;
      return;
    }
    std::optional<json::object> current;
    auto decode = [&]() -> bool {  // at most once
      if (!exists || current) return true;
      auto decoded = DecodeStoredItem(*table, address.storage_key, old_bytes);
      if (!decoded) {
        result->status = decoded.status();
        return false;
      }
      current = std::move(*decoded);
      return true;
    };
    const std::string& view_type = table->stream_view_type;
    const bool stream_old = table->has_stream() && (view_type == "OLD_IMAGE" || view_type == "NEW_AND_OLD_IMAGES");
    const bool stream_new = table->has_stream() && (view_type == "NEW_IMAGE" || view_type == "NEW_AND_OLD_IMAGES");
    if ((decide.reads_current() || wants_old_item || stream_old) && !decode()) return;
    Result<Mutation> m = decide(current ? &*current : nullptr);
    if (!m) {
      result->status = m.status();
      result->old_item = std::move(current);
      return;
    }
    std::string_view event_name;
    switch (m->kind) {
      case Mutation::Kind::kNone:
        if (!decode()) return;
        if (current) {
          auto same = std::make_shared<StoredItem>();
          same->item = *current;
          same->encoded = std::move(old_bytes);
          result->new_item = std::move(same);
        }
        result->old_item = std::move(current);
        return;
      case Mutation::Kind::kDelete:
        if (!exists) return;  // deleting nothing changes nothing, and streams nothing
        view.DeleteItem(address.storage_key);
        event_name = "REMOVE";
        break;
      case Mutation::Kind::kPut: {
        const StoredItem& next = *m->new_item;
        // A write that changes nothing leaves no stream record (as DynamoDB).
        // Equal items have encodings of equal size (only attribute and set
        // order may differ), so only then is the stored item decoded to compare.
        bool unchanged = false;
        if (exists) {
          if (old_bytes == next.encoded) {
            unchanged = true;
          } else if (old_bytes.size() == next.encoded.size()) {
            if (!decode()) return;
            unchanged = SameItem(*current, next.item);
          }
        }
        view.PutItem(address.storage_key, next.encoded);
        result->new_item = std::move(m->new_item);
        if (unchanged) {
          result->old_item = std::move(current);
          return;
        }
        event_name = exists ? "MODIFY" : "INSERT";
        break;
      }
    }
    result->old_item = std::move(current);
    if (table->has_stream()) {
      // Images straight from the stored bytes, and only those the view keeps.
      std::string old_json, new_json;
      if (exists && stream_old) {
        (void)AppendItemJson(old_bytes, &old_json);  // decoded above: cannot fail
      }
      if (result->new_item && stream_new) {
        (void)AppendItemJson(result->new_item->encoded, &new_json);  // our own encoding
      }
      const json::object* old_image = stream_old && result->old_item ? &*result->old_item : nullptr;
      const std::string keys_json = json::serialize(address.key);
      streams::Change change{event_name, keys_json, old_json, new_json,
                             RecordSize(address.key, old_image, stream_new ? result->new_item.get() : nullptr,
                                         view_type)};
      const uint64_t seq = view.NextSequence(writer);
      view.Put(storage::Family::kStream, streams::RecordKey(table->id, stream_shard, seq),
               streams::BuildRecord(change, view_type, seq, table->region, NowMillis()));
    }
  };
  task.done = [result, done = std::move(done)](const Status& commit) {
    if (!commit.ok() && result->status.ok()) result->status = commit;
    done(std::move(*result));
  };
  writers->Submit(writer, std::move(task));
}

}  // namespace streamer::dynamo
