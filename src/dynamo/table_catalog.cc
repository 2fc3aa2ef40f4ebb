#include "dynamo/table_catalog.h"

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "core/clock.h"
#include "core/ids.h"
#include "storage/shard_writer.h"
#include "dynamo/item_storage.h"

namespace streamer::dynamo {

namespace {
constexpr std::string_view kTablePrefix = "table/";
constexpr std::string_view kNextIdKey = "next_table_id";

json::object KeyDefJson(const KeyAttribute& k) { return {{"name", k.name}, {"type", k.type}}; }

KeyAttribute KeyDefFrom(const json::value& v) {
  KeyAttribute k;
  if (const auto* s = Find(v, "name")) k.name = std::string(s->as_string());
  if (const auto* s = Find(v, "type")) k.type = std::string(s->as_string());
  return k;
}
json::array KeyDefsJson(const std::vector<KeyAttribute>& ks) {
  json::array a;
  for (const auto& k : ks) a.push_back(KeyDefJson(k));
  return a;
}

std::vector<KeyAttribute> KeyDefsFrom(const json::value& v) {
  std::vector<KeyAttribute> out;
  for (const auto& k : v.as_array()) out.push_back(KeyDefFrom(k));
  return out;
}

// Saves `t` and the id counter in one batch.
Status SaveTable(storage::Store* store, const TableInfo& t, uint32_t next_id) {
  storage::WriteBatch batch(store);
  std::string next;
  storage::AppendU32(&next, next_id);
  batch.Put(storage::Family::kMeta, kNextIdKey, next);
  batch.Put(storage::Family::kMeta, std::string(kTablePrefix) + t.name, streamer::ToJson(t.ToJson()));
  return store->Write(&batch);
}
}  // namespace

std::string_view ProjectionTypeName(ProjectionType p) {
  switch (p) {
    case ProjectionType::kKeysOnly: return "KEYS_ONLY";
    case ProjectionType::kInclude: return "INCLUDE";
    case ProjectionType::kAll: return "ALL";
  }
  return "ALL";
}

std::string_view IndexStatusName(IndexStatus s) {
  switch (s) {
    case IndexStatus::kCreating: return "CREATING";
    case IndexStatus::kActive: return "ACTIVE";
    case IndexStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

std::string IndexInfo::KeyPrefix() const {
  std::string p;
  storage::AppendU32(&p, id);
  return p;
}

json::value IndexInfo::ToJson() const {
  json::object o;
  o["name"] = name;
  o["kind"] = is_global() ? "GSI" : "LSI";
  o["partition"] = KeyDefsJson(partition);
  o["sort"] = KeyDefsJson(sort);
  o["projection"] = ProjectionTypeName(projection);
  json::array nk;
  for (const auto& a : non_key_attributes) nk.emplace_back(a);
  o["non_key_attributes"] = std::move(nk);
  o["provisioned_throughput"] = provisioned_throughput;
  o["status"] = IndexStatusName(status);
  o["backfilling"] = backfilling;
  o["id"] = id;
  return o;
}

Result<IndexInfo> IndexInfo::FromJson(const json::value& v) {
  IndexInfo x;
  try {
    const json::object& o = v.as_object();
    x.name = std::string(o.at("name").as_string());
    x.kind = o.at("kind").as_string() == "LSI" ? IndexKind::kLocal : IndexKind::kGlobal;
    x.partition = KeyDefsFrom(o.at("partition"));
    x.sort = KeyDefsFrom(o.at("sort"));
    const std::string_view p = o.at("projection").as_string();
    x.projection = p == "KEYS_ONLY" ? ProjectionType::kKeysOnly : p == "INCLUDE" ? ProjectionType::kInclude : ProjectionType::kAll;
    for (const auto& a : o.at("non_key_attributes").as_array()) x.non_key_attributes.emplace_back(a.as_string());
    x.provisioned_throughput = o.at("provisioned_throughput").as_object();
    const std::string_view st = o.at("status").as_string();
    x.status = st == "CREATING" ? IndexStatus::kCreating : st == "DELETING" ? IndexStatus::kDeleting : IndexStatus::kActive;
    x.backfilling = o.at("backfilling").as_bool();
    x.id = static_cast<uint32_t>(o.at("id").to_number<uint64_t>());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("corrupt catalog entry (index): ") + e.what());
  }
  if (x.partition.empty()) return Status::Corruption("corrupt catalog entry: index " + x.name + " has no partition key");
  return x;
}

const IndexInfo* TableInfo::FindIndex(std::string_view index_name) const {
  for (const auto& i : indexes) {
    if (i.name == index_name) return &i;
  }
  return nullptr;
}

IndexListPtr TableInfo::MaintainedIndexes() const {
  static const IndexListPtr kNone = std::make_shared<const IndexList>();
  return live_indexes ? live_indexes->Load() : kNone;
}

std::string TableInfo::KeyPrefix() const {
  std::string p;
  storage::AppendU32(&p, id);
  return p;
}

json::value TableInfo::ToJson() const {
  json::object o;
  o["name"] = name;
  o["id"] = id;
  o["partition_key"] = KeyDefJson(key_schema.partition);
  if (key_schema.sort) o["sort_key"] = KeyDefJson(*key_schema.sort);
  o["attribute_definitions"] = attribute_definitions;
  o["billing_mode"] = billing_mode;
  o["provisioned_throughput"] = provisioned_throughput;
  o["stream_view_type"] = streams::StreamViewName(stream_view);
  o["stream_label"] = stream_label;
  o["creation_millis"] = creation_millis;
  o["table_arn"] = table_arn;
  o["stream_arn"] = stream_arn;
  o["stream_shards"] = stream_shards;
  o["stream_records_id"] = stream_records_id;
  o["stream_created_millis"] = stream_created_millis;
  json::array past;
  for (const PastStream& p : past_streams) {
    past.push_back(json::object{{"arn", p.arn}, {"label", p.label}, {"view", streams::StreamViewName(p.view)},
                                {"records_id", p.records_id}, {"created_millis", p.created_millis}});
  }
  o["past_streams"] = std::move(past);
  o["table_uuid"] = table_uuid;
  o["deletion_protection"] = deletion_protection;
  o["table_class"] = table_class;
  o["sse_enabled"] = sse_enabled;
  o["sse_type"] = sse_type;
  o["sse_kms_key"] = sse_kms_key;
  o["billing_changed_millis"] = billing_changed_millis;
  o["last_increase_millis"] = last_increase_millis;
  o["last_decrease_millis"] = last_decrease_millis;
  o["decreases_day"] = decreases_day;
  o["decreases_today"] = decreases_today;
  o["on_demand_throughput"] = on_demand_throughput;
  o["warm_throughput"] = warm_throughput;
  json::object tag_map;
  for (const auto& [k, v] : tags) tag_map[k] = v;
  o["tags"] = std::move(tag_map);
  o["ttl_attribute"] = ttl_attribute;
  o["pitr_enabled"] = pitr_enabled;
  o["pitr_recovery_days"] = pitr_recovery_days;
  if (!indexes.empty()) {
    json::array ix;
    for (const auto& i : indexes) ix.push_back(i.ToJson());
    o["indexes"] = std::move(ix);
  }
  return o;
}

Result<TableInfo> TableInfo::FromJson(const json::value& v) {
  if (!v.is_object()) return Status::Internal("catalog entry is not an object");
  const json::object& o = v.as_object();
  TableInfo t;
  try {
    t.name = std::string(o.at("name").as_string());
    t.id = static_cast<uint32_t>(o.at("id").to_number<uint64_t>());
    t.key_schema.partition = KeyDefFrom(o.at("partition_key"));
    if (const auto* s = o.if_contains("sort_key")) t.key_schema.sort = KeyDefFrom(*s);
    t.attribute_definitions = o.at("attribute_definitions").as_array();
    t.billing_mode = std::string(o.at("billing_mode").as_string());
    t.provisioned_throughput = o.at("provisioned_throughput").as_object();
    t.stream_view = streams::ParseStreamView(o.at("stream_view_type").as_string());
    t.stream_label = std::string(o.at("stream_label").as_string());
    t.creation_millis = o.at("creation_millis").to_number<int64_t>();
    t.table_arn = std::string(o.at("table_arn").as_string());
    t.stream_arn = std::string(o.at("stream_arn").as_string());
    // Absent in catalogs written before the layout was saved (Load fills it).
    if (const auto* n = o.if_contains("stream_shards")) t.stream_shards = static_cast<int>(n->to_number<int64_t>());
    // Members added later: absent in older catalogs, which get the defaults.
    auto str = [&o](std::string_view k, std::string* out) {
      if (const auto* v = o.if_contains(k)) *out = std::string(v->as_string());
    };
    auto num = [&o](std::string_view k, auto* out) {
      if (const auto* v = o.if_contains(k)) *out = v->to_number<std::remove_pointer_t<decltype(out)>>();
    };
    auto flag = [&o](std::string_view k, bool* out) {
      if (const auto* v = o.if_contains(k)) *out = v->as_bool();
    };
    t.stream_records_id = t.id;
    t.stream_created_millis = t.creation_millis;
    num("stream_records_id", &t.stream_records_id);
    num("stream_created_millis", &t.stream_created_millis);
    if (const auto* past = o.if_contains("past_streams")) {
      for (const auto& p : past->as_array()) {
        PastStream ps;
        ps.arn = std::string(p.at("arn").as_string());
        ps.label = std::string(p.at("label").as_string());
        ps.view = streams::ParseStreamView(p.at("view").as_string());
        ps.records_id = p.at("records_id").to_number<uint32_t>();
        ps.created_millis = p.at("created_millis").to_number<int64_t>();
        t.past_streams.push_back(std::move(ps));
      }
    }
    str("table_uuid", &t.table_uuid);
    if (t.table_uuid.empty()) {  // older catalogs: one derived from what never changes
      char buf[40];
      std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012llx", t.id,
                    static_cast<unsigned long long>(t.creation_millis) & 0xffffffffffffULL);
      t.table_uuid = buf;
    }
    flag("deletion_protection", &t.deletion_protection);
    str("table_class", &t.table_class);
    flag("sse_enabled", &t.sse_enabled);
    str("sse_type", &t.sse_type);
    str("sse_kms_key", &t.sse_kms_key);
    num("billing_changed_millis", &t.billing_changed_millis);
    num("last_increase_millis", &t.last_increase_millis);
    num("last_decrease_millis", &t.last_decrease_millis);
    num("decreases_day", &t.decreases_day);
    num("decreases_today", &t.decreases_today);
    if (const auto* v = o.if_contains("on_demand_throughput")) t.on_demand_throughput = v->as_object();
    if (const auto* v = o.if_contains("warm_throughput")) t.warm_throughput = v->as_object();
    if (const auto* v = o.if_contains("tags")) {
      for (const auto& [k, val] : v->as_object()) t.tags[std::string(k)] = std::string(val.as_string());
    }
    str("ttl_attribute", &t.ttl_attribute);
    flag("pitr_enabled", &t.pitr_enabled);
    num("pitr_recovery_days", &t.pitr_recovery_days);
    if (t.stream_shards < 1 || t.stream_shards > kMaxStreamShards) {
      return Status::Corruption("corrupt catalog entry: stream_shards " + std::to_string(t.stream_shards));
    }
    // Absent in catalogs written before secondary indexes.
    if (const auto* ix = o.if_contains("indexes")) {
      for (const auto& i : ix->as_array()) {
        auto index = IndexInfo::FromJson(i);
        if (!index) return index.status();
        t.indexes.push_back(std::move(*index));
      }
    }
  } catch (const std::exception& e) {
    return Status::Internal(std::string("corrupt catalog entry: ") + e.what());
  }
  return t;
}

std::shared_ptr<const TableInfo> TableInfo::StreamOf(std::string_view arn) const {
  if (has_stream() && stream_arn == arn) return std::make_shared<const TableInfo>(*this);
  for (const PastStream& p : past_streams) {
    if (p.arn != arn) continue;
    auto copy = std::make_shared<TableInfo>(*this);
    copy->stream_arn = p.arn;
    copy->stream_label = p.label;
    copy->stream_view = p.view;
    copy->stream_records_id = p.records_id;
    copy->stream_created_millis = p.created_millis;
    copy->stream_disabled = true;
    return copy;
  }
  return nullptr;
}

int TableInfo::StreamShardOf(std::string_view encoded_partition) const {
  return static_cast<int>(storage::PartitionHash(encoded_partition) % static_cast<uint64_t>(stream_shards));
}

TableCatalog::TableCatalog(storage::Store* store, AwsIdentity identity, int default_stream_shards)
    : store_(store),
      identity_(std::move(identity)),
      default_stream_shards_(std::clamp(default_stream_shards, 1, kMaxStreamShards)) {}

// Catalogs written before the shard layout was saved routed keys by
// hash % (writer count of that run); the writers that ever wrote left their
// counters ("seq/<writer>"), so the highest one tells that count.
int TableCatalog::LegacyShardCount() const {
  int count = 0;
  auto it = store_->NewIterator(storage::Family::kMeta);
  const std::string prefix = "seq/";
  for (it->Seek(prefix); it->Valid() && it->key().substr(0, prefix.size()) == prefix; it->Next()) {
    if (it->key().size() == prefix.size() + 2) {
      count = std::max(count, storage::ReadU16(it->key().substr(prefix.size())) + 1);
    }
  }
  return count > 0 ? std::min(count, kMaxStreamShards) : default_stream_shards_;
}

Status TableCatalog::Load() {
  std::unique_lock lock(mu_);
  // Before anything reads an item: know (or bring) the data to this format.
  Status format = CheckStorageFormat(store_);
  if (!format.ok()) return format;
  std::string value;
  Status s = store_->Get(storage::Family::kMeta, kNextIdKey, &value);
  if (s.ok() && value.size() == 4) next_id_ = storage::ReadU32(value);
  auto it = store_->NewIterator(storage::Family::kMeta);
  std::vector<std::shared_ptr<TableInfo>> unsaved_layout;
  for (it->Seek(kTablePrefix); it->Valid(); it->Next()) {
    std::string_view key = it->key();
    if (key.substr(0, kTablePrefix.size()) != kTablePrefix) break;
    auto parsed = ParseJson(it->value());
    if (!parsed) return Status::Corruption("corrupt catalog entry for " + std::string(key));
    auto info = TableInfo::FromJson(*parsed);
    if (!info) return info.status();
    info->region = identity_.region;
    info->live_indexes = std::make_shared<LiveIndexes>(info->indexes);
    if (!parsed->as_object().contains("stream_shards")) {
      info->stream_shards = LegacyShardCount();
      auto copy = std::make_shared<TableInfo>(*info);
      unsaved_layout.push_back(copy);
    }
    const std::string name = info->name;  // not info->name in the same expression as the move
    tables_[name] = std::make_shared<const TableInfo>(std::move(*info));
  }
  Status scanned = it->status();
  if (!scanned.ok()) return scanned;
  // Save the layout found for older entries, so it never changes again.
  for (const auto& t : unsaved_layout) {
    storage::WriteBatch batch(store_);
    batch.Put(storage::Family::kMeta, std::string(kTablePrefix) + t->name, streamer::ToJson(t->ToJson()));
    Status s = store_->Write(&batch);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

TablePtr TableCatalog::Find(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

std::vector<TablePtr> TableCatalog::List() const {
  std::shared_lock lock(mu_);
  std::vector<TablePtr> out;
  out.reserve(tables_.size());
  for (auto& [name, t] : tables_) out.push_back(t);
  return out;
}

Result<TablePtr> TableCatalog::Create(TableInfo info) {
  std::unique_lock lock(mu_);
  if (tables_.count(info.name)) {
    return Status::Of(Code::kResourceInUse, "Table already exists: " + info.name);
  }
  info.id = next_id_;
  uint32_t next_id = next_id_ + 1;
  for (auto& index : info.indexes) index.id = next_id++;
  info.live_indexes = std::make_shared<LiveIndexes>(info.indexes);
  info.stream_shards = default_stream_shards_;
  info.region = identity_.region;
  info.creation_millis = NowMillis();
  info.table_arn = "arn:aws:dynamodb:" + identity_.region + ":" + identity_.account + ":table/" + info.name;
  info.table_uuid = NewUuid();
  info.stream_records_id = info.id;
  info.stream_created_millis = info.creation_millis;
  if (info.has_stream()) {
    info.stream_label = IsoMillis(info.creation_millis);
    info.stream_arn = info.table_arn + "/stream/" + info.stream_label;
  }
  Status s = SaveTable(store_, info, next_id);
  if (!s.ok()) return s;
  next_id_ = next_id;
  auto ptr = std::make_shared<const TableInfo>(std::move(info));
  tables_[ptr->name] = ptr;
  return TablePtr(ptr);
}

Result<TablePtr> TableCatalog::Update(std::string_view name, const std::function<Status(TableInfo&)>& change) {
  std::unique_lock lock(mu_);
  auto it = tables_.find(name);
  if (it == tables_.end()) {
    return Status::Of(Code::kResourceNotFound,
                      "Requested resource not found: Table: " + std::string(name) + " not found");
  }
  const TableInfo& old = *it->second;
  TableInfo next = old;
  Status s = change(next);
  if (!s.ok()) return s;
  uint32_t next_id = next_id_;
  if (old.has_stream() && !next.has_stream()) {
    next.past_streams.push_back(
        PastStream{old.stream_arn, old.stream_label, old.stream_view, old.stream_records_id, old.stream_created_millis});
  } else if (!old.has_stream() && next.has_stream()) {
    // A new stream: its own records range, and a label (time) no earlier
    // stream of this table had.
    int64_t now = NowMillis();
    if (now <= old.stream_created_millis) now = old.stream_created_millis + 1;
    next.stream_records_id = next_id++;
    next.stream_created_millis = now;
    next.stream_label = IsoMillis(now);
    next.stream_arn = next.table_arn + "/stream/" + next.stream_label;
  }
  storage::WriteBatch batch(store_);
  if (next_id != next_id_) {
    std::string counter;
    storage::AppendU32(&counter, next_id);
    batch.Put(storage::Family::kMeta, kNextIdKey, counter);
  }
  batch.Put(storage::Family::kMeta, std::string(kTablePrefix) + next.name, streamer::ToJson(next.ToJson()));
  s = store_->Write(&batch);
  if (!s.ok()) return s;
  next_id_ = next_id;
  auto ptr = std::make_shared<const TableInfo>(std::move(next));
  it->second = ptr;
  return TablePtr(ptr);
}

Result<TablePtr> TableCatalog::Delete(std::string_view name) {
  TablePtr table;
  {
    std::unique_lock lock(mu_);
    auto it = tables_.find(name);
    if (it == tables_.end()) {
      return Status::Of(Code::kResourceNotFound,
                           "Requested resource not found: Table: " + std::string(name) + " not found");
    }
    table = it->second;
    storage::WriteBatch batch(store_);
    batch.Delete(storage::Family::kMeta, std::string(kTablePrefix) + table->name);
    Status s = store_->Write(&batch);
    if (!s.ok()) return s;
    tables_.erase(it);
  }
  // Writes still queued for the table stop maintaining its indexes.
  if (table->live_indexes) table->live_indexes->Store({});
  // The data goes after the catalog entry: a crash in between leaves only
  // unreachable keys under an id that is never reused.
  std::vector<uint32_t> ids{table->id};
  if (table->stream_records_id != table->id) ids.push_back(table->stream_records_id);
  for (const PastStream& p : table->past_streams) {
    if (p.records_id != table->id) ids.push_back(p.records_id);
  }
  for (uint32_t id : ids) {
    std::string begin;
    storage::AppendU32(&begin, id);
    const std::string end = storage::PrefixEnd(begin);
    for (auto f : {storage::Family::kItems, storage::Family::kStream}) {
      if (f == storage::Family::kItems && id != table->id) continue;
      Status s = store_->DeleteRange(f, begin, end);
      if (!s.ok()) return s;
    }
  }
  for (const auto& index : table->indexes) {  // index entries: their own prefixes
    Status s = DeletePrefix(index.KeyPrefix());
    if (!s.ok()) return s;
  }
  return table;
}

Result<TablePtr> TableCatalog::UpdateIndexes(std::string_view name, const IndexChange& change) {
  std::unique_lock lock(mu_);
  auto it = tables_.find(name);
  if (it == tables_.end()) {
    return Status::Of(Code::kResourceNotFound,
                      "Requested resource not found: Table: " + std::string(name) + " not found");
  }
  TableInfo copy = *it->second;  // shares live_indexes with every version
  uint32_t next_id = next_id_;
  Status s = change(copy, [&next_id] { return next_id++; });
  if (!s.ok()) return s;
  s = SaveTable(store_, copy, next_id);
  if (!s.ok()) return s;
  next_id_ = next_id;
  if (!copy.live_indexes) copy.live_indexes = std::make_shared<LiveIndexes>(IndexList{});
  copy.live_indexes->Store(copy.indexes);
  auto ptr = std::make_shared<const TableInfo>(std::move(copy));
  it->second = ptr;
  return TablePtr(ptr);
}

Status TableCatalog::DeletePrefix(const std::string& prefix) {
  return store_->DeleteRange(storage::Family::kItems, prefix, storage::PrefixEnd(prefix));
}

}  // namespace streamer::dynamo
