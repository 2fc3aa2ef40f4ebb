// A parsed PartiQL statement as the DynamoDB JSON API request that runs it,
// so PartiQL shares the API's validation, conditions and write path:
//   SELECT  -> GetItem (WHERE is exactly the full key), Query (WHERE pins the
//              partition key with =), one of those per partition key value
//              (pk IN [...] or pk = a OR pk = b: "Partitions"), or a Scan
//              with the WHERE as its FilterExpression;
//   INSERT  -> PutItem, attribute_not_exists(partition key);
//   UPDATE  -> UpdateItem, attribute_exists(partition key) AND the rest of WHERE;
//   DELETE  -> DeleteItem, likewise;
//   EXISTS  -> a transaction's ConditionCheck.
// Attribute names and values are always placeholders (#n0, :v0) so no
// reserved word or value needs escaping.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/model/key_schema.h"
#include "dynamo/partiql/statement.h"

namespace streamer::dynamo::partiql {

struct Translation {
  // GetItem | Query | Scan | PutItem | UpdateItem | DeleteItem | ConditionCheck
  // | Partitions (then `parts` are GetItems / Queries, one per partition key
  // value, in the order their results are answered)
  std::string operation;
  json::object request;
  std::vector<Translation> parts;
  // An INSERT: its ConditionalCheckFailed means the key already exists.
  bool is_insert = false;
};

// The key schema of a table, or nullopt when there is no such table.
using SchemaLookup = std::function<std::optional<KeySchema>(std::string_view table)>;

// The key schema of a table's secondary index, when known. A SELECT on an
// index the lookup knows is translated like one on a table (Query when the
// index's partition key is pinned, never GetItem); on one it does not know
// (or with no lookup) it is a Scan of the index filtered by the WHERE.
using IndexLookup = std::function<std::optional<KeySchema>(std::string_view table, std::string_view index)>;

// `parameters` are the request's Parameters (AttributeValues, checked by the
// operation the statement becomes); their count must match the statement's `?`.
Result<Translation> Translate(const Statement& s, const json::array& parameters, const SchemaLookup& schema_of,
                              const IndexLookup& index_of = nullptr);

// Parse + Translate.
Result<Translation> TranslateText(std::string_view statement, const json::array& parameters,
                                  const SchemaLookup& schema_of, const IndexLookup& index_of = nullptr);

// The messages shared with the API handlers.
inline constexpr std::string_view kParameterCountMismatch = "Number of parameters in request and statement don't match.";
inline constexpr std::string_view kNeedsFullKey = "Where clause does not contain a mandatory equality on all key attributes";

}  // namespace streamer::dynamo::partiql
