// The parts of a single-item request that every write (PutItem, DeleteItem,
// UpdateItem) shares with the batch, transaction and PartiQL forms of the
// same write: key and item checks with AWS's messages, the condition and
// ReturnValues members, and the answer built from a finished write.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/api.h"
#include "dynamo/expr/condition.h"
#include "dynamo/expr/placeholders.h"
#include "dynamo/table_catalog.h"
#include "dynamo/write_path.h"

namespace streamer::dynamo {

// ReturnValues, as an enum once parsed.
enum class ReturnValues { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };
std::optional<ReturnValues> ParseReturnValues(std::string_view name);

// The expression members every conditional write shares.
struct ConditionRequest {
  std::shared_ptr<const expr::ParsedCondition> condition;  // null: unconditional
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_failure = false;
};

// Refuses the legacy (pre-expression) parameters.
Status RejectLegacy(const json::object& r);

// ConditionExpression (or the legacy Expected, ConditionalOperator), ReturnValues (one of `allowed_returns`) and
// ReturnValuesOnConditionCheckFailure; checks the request's placeholder maps
// against what its expressions used (`also_used`: other expressions').
Result<ConditionRequest> ParseConditionRequest(const json::object& r,
                                               std::initializer_list<ReturnValues> allowed_returns,
                                               const expr::UsedPlaceholders& also_used = {});

// PutItem's item checks, with the messages AWS gives for items (which differ
// from those for Key parameters). `item` is validated (ValidateItem) and
// canonical, so each value has exactly its type member.
Status ValidateItemForTable(const TableInfo& t, const json::object& item);

// A Key parameter (GetItem/DeleteItem/UpdateItem): exactly the key
// attributes, validated and canonical.
Result<json::object> KeyOf(const TableInfo& t, const json::object& r);

// Document paths that look inside a key attribute (pk.x, pk[0]) in a
// projection, filter or update expression: AWS's "Key attributes must be
// scalars; ..." error naming the key (the partition key first).
Status CheckKeyPathsScalar(const KeySchema& ks, const std::vector<const expr::Path*>& paths);

// Answers a finished write the way AWS does for its ReturnValues (ALL_OLD,
// ALL_NEW; ConditionalCheckFailedException with Item when asked).
void AnswerWrite(const WriteResult& w, const ConditionRequest& c, const ReplyFn& reply);

}  // namespace streamer::dynamo
