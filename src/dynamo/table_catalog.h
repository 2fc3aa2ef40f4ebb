// The table catalog: which tables exist, their key schema and stream
// settings. Persisted in the store's meta family; read on every request from
// an in-memory copy (shared_ptr snapshots, so a request keeps a consistent
// view even if the table is deleted meanwhile).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/json.h"
#include "dynamo/model/key_schema.h"
#include "storage/store.h"
#include "streams/stream_record.h"

namespace streamer::dynamo {

// Where we pretend to be: ARNs and event records carry these.
struct AwsIdentity {
  std::string region = "us-east-1";
  std::string account = "000000000000";
};

// A stream never has more shards than this (shard ids are 16-bit in keys).
constexpr int kMaxStreamShards = 1024;

// A stream the table had before its current one (disabled by UpdateTable):
// still readable through its ARN, as DISABLED, until the table is deleted.
struct PastStream {
  std::string arn;
  std::string label;
  streams::StreamViewType view = streams::StreamViewType::kNone;
  uint32_t records_id = 0;     // the key prefix of its records
  int64_t created_millis = 0;  // names its shards
};

// A secondary index of a table (the index logic is in dynamo/indexes.h).
enum class IndexKind { kGlobal, kLocal };
enum class ProjectionType { kKeysOnly, kInclude, kAll };
enum class IndexStatus { kCreating, kActive, kDeleting };
std::string_view ProjectionTypeName(ProjectionType p);
std::string_view IndexStatusName(IndexStatus s);

struct IndexInfo {
  std::string name;
  IndexKind kind = IndexKind::kGlobal;
  // Key attributes in key order: a GSI has 1-4 partition and 0-4 sort
  // attributes (multi-attribute keys); an LSI the table's partition key and
  // one sort attribute.
  std::vector<KeyAttribute> partition;
  std::vector<KeyAttribute> sort;
  ProjectionType projection = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // INCLUDE
  json::object provisioned_throughput;          // GSI: as DescribeTable shows it
  IndexStatus status = IndexStatus::kActive;
  bool backfilling = false;  // CREATING on a live table: the backfill has not finished
  uint32_t id = 0;           // storage prefix of its entries, from the table id space

  bool is_global() const { return kind == IndexKind::kGlobal; }
  bool is_local() const { return kind == IndexKind::kLocal; }
  // Whether writes keep its entries (every state but DELETING).
  bool maintained() const { return status != IndexStatus::kDeleting; }
  std::string KeyPrefix() const;  // 4 bytes
  json::value ToJson() const;
  static Result<IndexInfo> FromJson(const json::value& v);
};
using IndexList = std::vector<IndexInfo>;
using IndexListPtr = std::shared_ptr<const IndexList>;

// The indexes writers maintain, shared by every version of one table's
// TableInfo: a write queued with an older TableInfo still keeps an index
// created after it was queued (an index build relies on that).
class LiveIndexes {
 public:
  explicit LiveIndexes(IndexList list) : list_(std::make_shared<const IndexList>(std::move(list))) {}
  IndexListPtr Load() const { return list_.load(std::memory_order_acquire); }
  void Store(IndexList list) { list_.store(std::make_shared<const IndexList>(std::move(list)), std::memory_order_release); }

 private:
  std::atomic<IndexListPtr> list_;
};

struct TableInfo {
  std::string name;
  uint32_t id = 0;  // storage prefix; a re-created table gets a new id
  KeySchema key_schema;
  json::array attribute_definitions;
  std::string billing_mode = "PROVISIONED";
  json::object provisioned_throughput;  // as DescribeTable shows it
  streams::StreamViewType stream_view = streams::StreamViewType::kNone;  // kNone = no stream
  std::string stream_label;             // set when the stream was enabled
  int64_t creation_millis = 0;
  std::string table_arn;
  std::string stream_arn;  // the latest stream ("" = never had one); enabled iff has_stream()
  // The current stream's records are keyed under this id (the table id for
  // the stream a table was created with; a new id for each re-enabled
  // stream, so a new stream never shows an old one's records).
  uint32_t stream_records_id = 0;
  int64_t stream_created_millis = 0;  // names the current stream's shards
  std::vector<PastStream> past_streams;
  // Set only on the copy StreamOf returns for a past stream.
  bool stream_disabled = false;

  // Control-plane settings, as DescribeTable shows them.
  std::string table_uuid;  // TableId: stable for the table's life
  bool deletion_protection = false;
  std::string table_class;  // "" = never set (STANDARD, not shown)
  bool sse_enabled = false;  // AWS-owned key when false
  std::string sse_type;      // KMS (AES256 is only ever shown for legacy tables)
  std::string sse_kms_key;   // the KMS key id/ARN given, if any
  int64_t billing_changed_millis = 0;  // last switch of billing mode (0: never)
  int64_t last_increase_millis = 0;    // of provisioned throughput
  int64_t last_decrease_millis = 0;
  int64_t decreases_day = 0;           // the UTC day decreases_today counts
  int decreases_today = 0;
  json::object on_demand_throughput;   // as given (accepted, not enforced)
  json::object warm_throughput;        // as given (accepted, not enforced)
  std::map<std::string, std::string> tags;
  // Time to live.
  std::string ttl_attribute;  // "" = TTL disabled
  // Point-in-time recovery (accepted and remembered; nothing is backed up).
  bool pitr_enabled = false;
  int64_t pitr_recovery_days = 35;
  // The table's layout, saved with it: how many stream shards its keys are
  // spread over (hash of the partition key). Writers own whole shards, so a
  // different writer count on a later run moves shards between writers and
  // never changes which shard a key's records are in.
  int stream_shards = 1;
  std::string region;      // not persisted: the serving identity
  IndexList indexes;       // as of this version of the table
  // Not persisted: the indexes writers maintain now (see LiveIndexes).
  std::shared_ptr<LiveIndexes> live_indexes;

  const IndexInfo* FindIndex(std::string_view index_name) const;
  // What writers maintain now (never null).
  IndexListPtr MaintainedIndexes() const;

  bool has_stream() const { return stream_view != streams::StreamViewType::kNone; }
  // The table as a stream reader sees the stream `arn`: itself for the
  // current stream, a copy with the stream fields of a past one (and
  // stream_disabled set), or nothing.
  std::shared_ptr<const TableInfo> StreamOf(std::string_view arn) const;
  // The storage prefix of this table's keys (4 bytes).
  std::string KeyPrefix() const;
  // The stream shard of an encoded partition key.
  int StreamShardOf(std::string_view encoded_partition) const;
  // The writer that owns a stream shard of this table in a run with
  // `writer_count` writers (offset by the table id, so one-shard tables
  // spread over the writers).
  int WriterOf(int stream_shard, int writer_count) const {
    return static_cast<int>((static_cast<uint64_t>(stream_shard) + id) % static_cast<uint64_t>(writer_count));
  }
  json::value ToJson() const;
  static Result<TableInfo> FromJson(const json::value& v);
};

using TablePtr = std::shared_ptr<const TableInfo>;

class TableCatalog {
 public:
  // New tables get `default_stream_shards` stream shards.
  TableCatalog(storage::Store* store, AwsIdentity identity, int default_stream_shards = 1);
  Status Load();

  TablePtr Find(std::string_view name) const;
  std::vector<TablePtr> List() const;  // sorted by name
  // Creates a table: assigns id, label and ARNs; fails with
  // ResourceInUseException if the name exists.
  Result<TablePtr> Create(TableInfo info);
  // Changes a table's settings: `change` edits a copy (returning an error
  // changes nothing), which is saved and then replaces the table. When the
  // change enables a stream on a table without one, the new stream gets its
  // own label, ARN and records id; when it disables one, the stream is kept
  // as a past stream.
  Result<TablePtr> Update(std::string_view name, const std::function<Status(TableInfo&)>& change);
  // Removes the table from the catalog and deletes its data.
  Result<TablePtr> Delete(std::string_view name);
  // Changes a table's indexes (UpdateTable, index builds): `change` edits a
  // copy (new_id() allocates a storage id); the result is saved, then
  // published to readers and to the writers (LiveIndexes). A non-ok status
  // from `change` changes nothing.
  using IndexChange = std::function<Status(TableInfo& table, const std::function<uint32_t()>& new_id)>;
  Result<TablePtr> UpdateIndexes(std::string_view name, const IndexChange& change);
  // Deletes every key under a storage prefix (a removed index's entries).
  Status DeletePrefix(const std::string& prefix);
  const AwsIdentity& identity() const { return identity_; }

 private:
  int LegacyShardCount() const;

  storage::Store* store_;
  AwsIdentity identity_;
  int default_stream_shards_;
  mutable std::shared_mutex mu_;
  std::map<std::string, TablePtr, std::less<>> tables_;
  uint32_t next_id_ = 1;
};

}  // namespace streamer::dynamo
