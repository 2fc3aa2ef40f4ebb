// How items are stored: a compact, versioned binary encoding of a (validated,
// canonical) item, so the writer and the readers never re-parse wire JSON.
//
//   item   = version byte (kItemFormatVersion), count, count x (name, value)
//   name   = varint length, UTF-8 bytes
//   value  = tag byte, then per tag:
//            S, B: varint length, raw bytes (B decoded from base64)
//            N: sign/zero byte, biased scientific exponent byte, digit count,
//               packed digits (two per byte)
//            BOOL false/true, NULL: nothing
//            M: count, count x (name, value);  L: count, count x value
//            SS/BS: count, count x (length, bytes);  NS: count, count x N
// Attribute order is kept, so an item reads back exactly as it was written
// (numbers in canonical form).
#pragma once

#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"

namespace streamer::dynamo {

// First byte of every encoded item. A stored value starting with anything
// else is not an item of this format (e.g. '{': the JSON rows of format 0).
constexpr unsigned char kItemFormatVersion = 1;

// Encodes a valid item (ValidateItem + CanonicalizeItem hold).
std::string EncodeItem(const json::object& item);

// Decodes what EncodeItem wrote. Any malformed input (truncation, bad tag,
// bad length, bad number, nesting deeper than the model allows) is an
// InternalServerError naming corruption; never undefined behaviour.
Result<json::object> DecodeItem(std::string_view encoded);

// Appends the item's wire JSON ({"a":{"S":"x"},...}) straight from the
// encoding, without building a json::object (stream images, GetItem).
// Same errors as DecodeItem; on error `out` may hold a partial append.
// `size`, when given, receives the item's size as AWS counts it (the same
// as ItemSize of the decoded item), computed on the way.
Status AppendItemJson(std::string_view encoded, std::string* out, size_t* size = nullptr);

}  // namespace streamer::dynamo
