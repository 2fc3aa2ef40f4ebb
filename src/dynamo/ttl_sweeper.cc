#include "dynamo/ttl_sweeper.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "core/clock.h"
#include "dynamo/item_storage.h"

namespace streamer::dynamo {

namespace {
constexpr int64_t kFiveYearsSeconds = 5LL * 365 * 86400;
// Deletes per table per pass: a pass stays short, the rest waits for the next.
constexpr size_t kMaxDeletesPerPass = 10000;

// Deletes the item if it is (still) expired at `now_seconds`: a write that
// renewed the item since the sweeper read it wins.
Decide DecideTtlDelete(std::string attribute, int64_t now_seconds) {
  return Decide([attribute = std::move(attribute), now_seconds](const json::object* current) -> Result<Mutation> {
    Mutation m;
    if (current && IsExpired(*current, attribute, now_seconds)) {
      m.kind = Mutation::Kind::kDelete;
      m.by_ttl = true;
    }
    return m;
  });
}
}  // namespace

bool IsExpired(const json::object& item, std::string_view attribute, int64_t now_seconds) {
  const json::value* v = item.if_contains(attribute);
  if (!v || !v->is_object()) return false;
  const json::value* n = v->as_object().if_contains("N");
  if (!n || !n->is_string()) return false;  // only a number is a TTL (AWS ignores other types)
  const std::string text(n->as_string());
  char* end = nullptr;
  const double expires = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return false;
  return expires <= static_cast<double>(now_seconds) &&
         expires >= static_cast<double>(now_seconds - kFiveYearsSeconds);
}

TtlSweeper::TtlSweeper(TableCatalog* catalog, ItemBackend* items, std::chrono::milliseconds interval)
    : catalog_(catalog), items_(items), interval_(interval) {}

TtlSweeper::~TtlSweeper() { Stop(); }

void TtlSweeper::Start() { thread_ = std::thread([this] { Run(); }); }

void TtlSweeper::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TtlSweeper::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    SweepOnce();
    lock.lock();
  }
}

void TtlSweeper::SweepOnce() {
  // The deletes of a pass are all committed before the next pass reads.
  struct Pending {
    std::mutex mu;
    std::condition_variable done;
    size_t outstanding = 0;
  };
  auto pending = std::make_shared<Pending>();
  for (const TablePtr& table : catalog_->List()) {
    if (table->ttl_attribute.empty()) continue;
    const int64_t now_seconds = NowMillis() / 1000;
    const std::string prefix = table->KeyPrefix();
    size_t submitted = 0;
    auto cursor = items_->OpenCursor();
    for (cursor->Seek(prefix); cursor->Valid() && cursor->key().substr(0, prefix.size()) == prefix; cursor->Next()) {
      {
        std::lock_guard lock(mu_);
        if (stopping_) break;
      }
      TablePtr still = catalog_->Find(table->name);  // not deleted (or re-created) meanwhile
      if (!still || still->id != table->id) break;
      auto item = DecodeStoredItem(*table, cursor->key(), cursor->value());
      if (!item || !IsExpired(*item, table->ttl_attribute, now_seconds)) continue;
      auto address = AddressOf(*table, *item);
      if (!address) continue;
      {
        std::lock_guard lock(pending->mu);
        ++pending->outstanding;
      }
      items_->Write(table, std::move(*address), DecideTtlDelete(table->ttl_attribute, now_seconds),
                    [pending](WriteResult result) {
                      if (!result.status.ok()) {
                        std::fprintf(stderr, "streamer: TTL delete failed: %s\n", result.status.message().c_str());
                      }
                      std::lock_guard lock(pending->mu);
                      if (--pending->outstanding == 0) pending->done.notify_all();
                    },
                    /*wants_old_item=*/false);
      if (++submitted == kMaxDeletesPerPass) break;
    }
  }
  std::unique_lock lock(pending->mu);
  pending->done.wait(lock, [&] { return pending->outstanding == 0; });
}

}  // namespace streamer::dynamo
