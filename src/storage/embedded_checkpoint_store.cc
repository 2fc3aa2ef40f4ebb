#include "storage/checkpoint_store.h"
#include "storage/store.h"

namespace streamer::storage {

namespace {

class EmbeddedCheckpointStore : public CheckpointStore {
 public:
  explicit EmbeddedCheckpointStore(Store* store) : store_(store) {}

  Result<std::optional<uint64_t>> Load(std::string_view key) const override {
    std::string value;
    Status s = store_->Get(Family::kCheckpoints, key, &value);
    if (s.Is(Code::kNotFound)) return std::optional<uint64_t>();
    if (!s.ok()) return s;
    if (value.size() != 8) return Status::Corruption("checkpoint of " + std::to_string(value.size()) + " bytes");
    return std::optional<uint64_t>(ReadU64(value));
  }

  Status Save(std::string_view key, uint64_t sequence) override {
    WriteBatch batch(store_);
    std::string value;
    AppendU64(&value, sequence);
    batch.Put(Family::kCheckpoints, key, value);
    return store_->Write(&batch);
  }

  bool Writable() const override { return store_->Health().writable; }

 private:
  Store* store_;
};

}  // namespace

std::unique_ptr<CheckpointStore> NewEmbeddedCheckpointStore(Store* store) {
  return std::make_unique<EmbeddedCheckpointStore>(store);
}

}  // namespace streamer::storage
