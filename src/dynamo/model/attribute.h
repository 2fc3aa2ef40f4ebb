// Attribute values in DynamoDB's wire form ({"S":"x"}, {"N":"1"}, {"M":{...}}, ...)
// and items (json::object name -> attribute value): validation with AWS's
// messages, canonical form, equality / ordering, item size.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"

namespace streamer::dynamo {

constexpr int kMaxNestingDepth = 32;
constexpr size_t kMaxItemSize = 400 * 1024;

// The type key of a well-formed attribute value ("S", "N", "B", "BOOL", "NULL",
// "M", "L", "SS", "NS", "BS"), or "" when `av` is not one.
std::string_view TypeOf(const json::value& av);
// The payload under the type key (nullptr when `av` is not an attribute value).
const json::value* PayloadOf(const json::value& av);
// A member of SS/NS/BS as text; "" for anything that is not a string (only a
// corrupt stored value can hold one: validation refuses them).
std::string_view SetMember(const json::value& member);
// A set member as a key for equality within a set of `set_type`: NS members
// as canonical numbers, SS/BS members as they are (B is canonical base64).
std::string SetMemberKey(const json::value& member, std::string_view set_type);

// Checks one attribute value, recursively. Wrong JSON shapes are
// SerializationException (as AWS's deserializer reports them); bad content is
// ValidationException with AWS's message (e.g. "One or more parameter values
// were invalid: Input collection [a, a] contains duplicates.").
Status ValidateAttributeValue(const json::value& av);
// An attribute name: 1 byte to 64 KB ("Empty attribute name", "Attribute name
// is too large, must be less than 65536 bytes").
Status CheckAttributeName(std::string_view name);
// Every attribute of an item (names included), plus the nesting limit.
Status ValidateItem(const json::object& item);

// An item read from the store, before an update rewrites it: every value of
// canonical structure (one type member of the right JSON type, set members
// strings), or InternalServerError ("The stored item is corrupt: ..."), for
// data an older build may have written. Linear and cheap: no number parsing.
Status CheckStoredItem(const json::object& item);

// Numbers in canonical form (recursively, also in NS); exactly one member,
// the type's (null and unknown members dropped); everything else as is.
// Input must be valid.
json::value CanonicalizeValue(const json::value& av);
json::object CanonicalizeItem(const json::object& item);

// DynamoDB equality: same type; N numerically; sets regardless of order;
// L element-wise; M by key.
bool AttributeValuesEqual(const json::value& a, const json::value& b);
// Order for the comparison operators: defined only when both are N, both S
// (UTF-8 bytes) or both B (raw bytes); nullopt otherwise.
std::optional<std::strong_ordering> CompareScalars(const json::value& a, const json::value& b);

// DynamoDB's size rules: names (UTF-8 bytes) plus values; N ~ 1 byte per two
// digits plus 1; B raw bytes; BOOL/NULL 1; L/M 3 + 1 per element.
size_t AttributeValueSize(const json::value& av);
size_t ItemSize(const json::object& item);

// Helpers to build values.
json::value MakeS(std::string_view s);
json::value MakeN(std::string_view canonical_number);

}  // namespace streamer::dynamo
