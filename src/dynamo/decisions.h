// The decision steps of the item writes (PutItem, DeleteItem, UpdateItem):
// pure functions of the current item, built on the I/O thread and run on the
// shard's writer (and again, when a write is retried).
#pragma once

#include <memory>

#include "dynamo/expr/condition.h"
#include "dynamo/expr/update.h"
#include "dynamo/write_path.h"

namespace streamer::dynamo {

using ConditionPtr = std::shared_ptr<const expr::ParsedCondition>;  // null: unconditional
using UpdatePtr = std::shared_ptr<const expr::ParsedUpdate>;        // null: no UpdateExpression

// ConditionalCheckFailedException.
Status ConditionFailed();

// Puts `item` (encoded already) if the condition holds.
Decide DecidePut(ConditionPtr condition, StoredItemPtr item);
// Deletes if the condition holds.
Decide DecideDelete(ConditionPtr condition);
// Applies the update to the current item, or to `key` when there is none (an
// upsert), if the condition holds; the result must still be a valid item.
Decide DecideUpdate(ConditionPtr condition, UpdatePtr update, TablePtr table, json::object key);

}  // namespace streamer::dynamo
