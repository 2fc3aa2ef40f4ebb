// How the dynamo layer keeps items in the store: the items family holds
// EncodeItem bytes (dynamo/model/item_codec.h), and the meta key
// `format_version` says which storage format a data directory is in.
#pragma once

#include <string_view>

#include "core/json.h"
#include "core/status.h"
#include "dynamo/table_catalog.h"
#include "storage/store.h"

namespace streamer::dynamo {

// Format 0: items as wire JSON, no version key (before the binary encoding).
// Format 1: items as EncodeItem bytes.
constexpr uint32_t kStorageFormatVersion = 1;
constexpr std::string_view kFormatVersionKey = "format_version";

// Decodes a stored item of `table`. A corrupt row is logged (table, key) and
// answered as an InternalServerError naming the corruption; never skipped.
Result<json::object> DecodeStoredItem(const TableInfo& table, std::string_view storage_key,
                                      std::string_view bytes);
// The same, appending the item's wire JSON to `out`; `size`, when given,
// receives the item's size as AWS counts it (ItemSize), found on the way.
Status AppendStoredItemJson(const TableInfo& table, std::string_view storage_key,
                            std::string_view bytes, std::string* out, size_t* size = nullptr);

// At open, before anything reads items: a new data directory gets the
// current version; a format-0 directory is migrated (every item rewritten in
// batches, logged with a count); a newer or unknown version is refused with
// a message saying so.
Status CheckStorageFormat(storage::Store* store);

}  // namespace streamer::dynamo
