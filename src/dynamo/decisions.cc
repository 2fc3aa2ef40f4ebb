#include "dynamo/decisions.h"

#include "dynamo/model/attribute.h"

namespace streamer::dynamo {

Status ConditionFailed() {
  return Status::Of(Code::kConditionalCheckFailed, "The conditional request failed");
}

Decide DecidePut(ConditionPtr condition, StoredItemPtr item) {
  const bool reads_current = condition != nullptr;
  auto decide = [condition = std::move(condition), item = std::move(item)](const json::object* current) -> Result<Mutation> {
    if (condition && !expr::Evaluate(condition->root, current)) return ConditionFailed();
    return Mutation{Mutation::Kind::kPut, item};  // shared, never moved out
  };
  return Decide(std::move(decide), reads_current);
}

Decide DecideDelete(ConditionPtr condition) {
  const bool reads_current = condition != nullptr;
  auto decide = [condition = std::move(condition)](const json::object* current) -> Result<Mutation> {
    if (condition && !expr::Evaluate(condition->root, current)) return ConditionFailed();
    return Mutation{Mutation::Kind::kDelete, nullptr};
  };
  return Decide(std::move(decide), reads_current);
}

Decide DecideUpdate(ConditionPtr condition, UpdatePtr update, TablePtr table, json::object key) {
  return [condition = std::move(condition), update = std::move(update), table = std::move(table),
          key = std::move(key)](const json::object* current) -> Result<Mutation> {
    if (current) {
      // An update rewrites the stored item: one an older build stored
      // malformed is refused as corrupt rather than evaluated.
      Status stored = CheckStoredItem(*current);
      if (!stored.ok()) return stored;
    }
    if (condition && !expr::Evaluate(condition->root, current)) return ConditionFailed();
    // An update of a missing item creates it from its key (an upsert).
    json::object base = current ? *current : key;
    if (!update) return Mutation{Mutation::Kind::kPut, MakeStoredItem(std::move(base))};
    auto next = expr::ApplyUpdate(*update, std::move(base), &table->key_schema);
    if (!next) return next.status();
    Status valid = ValidateItem(*next);
    if (!valid.ok()) return valid;
    const size_t size = ItemSize(*next);
    if (size > kMaxItemSize) {
      return Status::Validation("Item size to update has exceeded the maximum allowed size");
    }
    return Mutation{Mutation::Kind::kPut, MakeStoredItem(std::move(*next), size)};
  };
}

}  // namespace streamer::dynamo
