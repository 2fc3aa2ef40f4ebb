#include "dynamo/model/attribute.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "dynamo/model/base64.h"
#include "dynamo/model/decimal.h"

namespace streamer::dynamo {
namespace {

constexpr std::string_view kTypes[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};
constexpr char kInvalid[] = "One or more parameter values were invalid: ";

Status Serialization(std::string message) { return Status::Of(Code::kSerialization, std::move(message)); }

// Whether `payload` has the JSON kind type `t` needs (set members are checked
// where they are read: a stored value written by an older build may hold
// anything, and must read as corrupt, never as undefined behaviour).
bool PayloadFits(std::string_view t, const json::value& payload) {
  if (t == "S" || t == "N" || t == "B") return payload.is_string();
  if (t == "BOOL") return payload.is_bool();
  if (t == "NULL") return payload.is_bool();
  if (t == "M") return payload.is_object();
  return payload.is_array();  // L, SS, NS, BS
}

// The one non-null type member of a validated (not yet canonical) value, or
// nullptr. Unknown members are ignored, as AWS's deserializer does.
const json::key_value_pair* TypeMember(const json::object& o) {
  const json::key_value_pair* found = nullptr;
  for (const auto& kv : o) {
    if (kv.value().is_null()) continue;
    for (std::string_view t : kTypes) {
      if (t == kv.key()) {
        if (found) return nullptr;
        found = &kv;
        break;
      }
    }
  }
  return found;
}

// --- Shape (what AWS's JSON deserializer rejects, as SerializationException) ---

Status CheckString(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return Status::Ok();
    case json::kind::bool_:
      return Serialization(std::string(v.get_bool() ? "TRUE_VALUE" : "FALSE_VALUE") + " cannot be converted to String");
    case json::kind::int64:
    case json::kind::uint64: return Serialization("NUMBER_VALUE cannot be converted to String");
    case json::kind::double_: return Serialization("DECIMAL_VALUE cannot be converted to String");
    case json::kind::array: return Serialization("Unrecognized collection type class java.lang.String");
    case json::kind::object: return Serialization("Start of structure or map found where not expected");
    default: return Status::Ok();  // null: treated as absent by the caller
  }
}

Status CheckBlob(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return ValidateBase64(v.get_string());
    case json::kind::bool_:
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return Serialization("only base-64-encoded strings are convertible to bytes");
    case json::kind::array: return Serialization("Unrecognized collection type class java.nio.ByteBuffer");
    case json::kind::object: return Serialization("Start of structure or map found where not expected");
    default: return Status::Ok();
  }
}

Status CheckBoolean(const json::value& v) {
  switch (v.kind()) {
    case json::kind::bool_: return Status::Ok();
    case json::kind::string: return Serialization("Unexpected token received from parser");
    case json::kind::int64:
    case json::kind::uint64: return Serialization("NUMBER_VALUE cannot be converted to Boolean");
    case json::kind::double_: return Serialization("DECIMAL_VALUE cannot be converted to Boolean");
    case json::kind::array: return Serialization("Unrecognized collection type class java.lang.Boolean");
    case json::kind::object: return Serialization("Start of structure or map found where not expected");
    default: return Status::Ok();
  }
}

Status CheckList(const json::value& v) {
  if (v.is_array() || v.is_null()) return Status::Ok();
  if (v.is_object()) return Serialization("Start of structure or map found where not expected");
  return Serialization("Unexpected field type");
}

Status CheckShape(const json::value& av);

Status CheckShapeFields(const json::object& o) {
  for (const auto& [key, v] : o) {
    Status s;
    if (key == "S" || key == "N") {
      s = CheckString(v);
    } else if (key == "B") {
      s = CheckBlob(v);
    } else if (key == "BOOL" || key == "NULL") {
      s = CheckBoolean(v);
    } else if (key == "SS" || key == "NS" || key == "BS" || key == "L") {
      s = CheckList(v);
      if (s.ok() && v.is_array()) {
        for (const auto& e : v.get_array()) {
          s = key == "L" ? CheckShape(e) : key == "BS" ? CheckBlob(e) : CheckString(e);
          if (!s.ok()) break;
        }
      }
    } else if (key == "M") {
      if (v.is_array()) {
        s = Serialization(
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>");
      } else if (!v.is_object() && !v.is_null()) {
        s = Serialization("Unexpected field type");
      } else if (v.is_object()) {
        for (const auto& [name, child] : v.get_object()) {
          s = CheckShape(child);
          if (!s.ok()) break;
        }
      }
    }
    // Unknown keys are ignored, as AWS's deserializer does.
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status CheckShape(const json::value& av) {
  if (av.is_object()) return CheckShapeFields(av.get_object());
  if (av.is_array()) {
    return Serialization("Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
  }
  if (av.is_null()) return Status::Ok();
  return Serialization("Unexpected value type in payload");
}

// --- Content (ValidationException) ---

std::string ListString(const json::array& a) {
  std::string out = "[";
  for (size_t i = 0; i < a.size(); ++i) {
    if (i) out += ", ";
    if (a[i].is_string()) out += std::string(a[i].get_string());
  }
  return out + "]";
}

std::string SetWord(std::string_view type) {
  if (type == "SS") return "A string set";
  if (type == "NS") return "A number set";
  return "A binary set";
}

Status CheckContent(const json::value& av) {
  if (!av.is_object()) return Status::Validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  const json::object& o = av.get_object();
  int present = 0;
  for (std::string_view type : kTypes) {
    const json::value* v = o.if_contains(type);
    if (!v || v->is_null()) continue;
    ++present;
    if (type == "N") {
      auto d = Decimal::Parse(v->get_string());
      if (!d.ok()) return d.status();
    } else if (type == "NULL") {
      if (!v->get_bool()) return Status::Validation(std::string(kInvalid) + "Null attribute value types must have the value of true");
    } else if (type == "SS" || type == "NS" || type == "BS") {
      const json::array& a = v->get_array();
      if (a.empty()) {
        if (type == "SS") return Status::Validation(std::string(kInvalid) + "An string set  may not be empty");
        if (type == "NS") return Status::Validation(std::string(kInvalid) + "An number set  may not be empty");
        return Status::Validation(std::string(kInvalid) + "Binary sets should not be empty");
      }
      std::set<std::string> seen;
      bool duplicate = false;
      for (const auto& e : a) {
        // The shape check lets null through (absent members are null); a set
        // member cannot be absent.
        if (!e.is_string()) return Status::Validation(std::string(kInvalid) + SetWord(type) + " may not contain null");
        std::string member(e.get_string());
        if (type == "NS") {
          auto d = Decimal::Parse(member);
          if (!d.ok()) return d.status();
          member = d->ToString();
        }
        if (!seen.insert(member).second) duplicate = true;
      }
      if (duplicate) {
        if (type == "SS") return Status::Validation(std::string(kInvalid) + "Input collection " + ListString(a) + " contains duplicates.");
        if (type == "NS") return Status::Validation("Input collection contains duplicates");
        return Status::Validation(std::string(kInvalid) + "Input collection " + ListString(a) + "of type BS contains duplicates.");
      }
    } else if (type == "M") {
      for (const auto& [name, child] : v->get_object()) {
        Status s = CheckContent(child);
        if (!s.ok()) return s;
      }
    } else if (type == "L") {
      for (const auto& child : v->get_array()) {
        Status s = CheckContent(child);
        if (!s.ok()) return s;
      }
    }
  }
  if (present == 0) return Status::Validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  if (present > 1) {
    return Status::Validation(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  }
  return Status::Ok();
}

// Containers above the deepest scalar (a scalar is 0, {"M":{}} is 1).
// Works on validated values that are not canonical yet (unknown members).
int ContainerDepth(const json::value& av) {
  const json::key_value_pair* member = av.is_object() ? TypeMember(av.get_object()) : nullptr;
  if (!member) return 0;
  int deepest = 0;
  if (member->key() == "M" && member->value().is_object()) {
    for (const auto& [k, child] : member->value().get_object()) deepest = std::max(deepest, ContainerDepth(child));
    return deepest + 1;
  }
  if (member->key() == "L" && member->value().is_array()) {
    for (const auto& child : member->value().get_array()) deepest = std::max(deepest, ContainerDepth(child));
    return deepest + 1;
  }
  return 0;
}

size_t NumberSize(std::string_view text) {
  auto d = Decimal::Parse(text);
  if (!d.ok() || d->is_zero()) return 1;
  // Base-100 digits aligned on the decimal point, one exponent byte, and a
  // terminator byte for negatives.
  size_t n = d->digits().size();
  size_t pad = ((d->scientific_exponent() + 1) % 2 != 0) ? 1 : 0;
  return 1 + (n + pad + 1) / 2 + (d->is_negative() ? 1 : 0);
}

size_t BinarySize(std::string_view b64) {
  auto bytes = Base64Decode(b64);
  return bytes ? bytes->size() : b64.size();
}

}  // namespace

std::string_view TypeOf(const json::value& av) {
  if (!av.is_object()) return {};
  const json::object& o = av.get_object();
  if (o.size() != 1) return {};
  std::string_view key = o.begin()->key();
  for (std::string_view t : kTypes) {
    if (t == key) return PayloadFits(t, o.begin()->value()) ? t : std::string_view();
  }
  return {};
}

std::string_view SetMember(const json::value& e) { return e.is_string() ? std::string_view(e.get_string()) : std::string_view(); }

std::string SetMemberKey(const json::value& member, std::string_view set_type) {
  std::string_view m = SetMember(member);
  if (set_type != "NS") return std::string(m);
  auto d = Decimal::Parse(m);
  return d.ok() ? d->ToString() : std::string(m);
}

const json::value* PayloadOf(const json::value& av) {
  if (TypeOf(av).empty()) return nullptr;
  return &av.get_object().begin()->value();
}

Status ValidateAttributeValue(const json::value& av) {
  Status s = CheckShape(av);
  if (!s.ok()) return s;
  return CheckContent(av);
}

Status CheckAttributeName(std::string_view name) {
  if (name.empty()) return Status::Validation("Empty attribute name");
  if (name.size() >= 65536) return Status::Validation("Attribute name is too large, must be less than 65536 bytes");
  return Status::Ok();
}

Status ValidateItem(const json::object& item) {
  for (const auto& [name, av] : item) {
    Status s = ValidateAttributeValue(av);
    if (!s.ok()) return s;
  }
  for (const auto& [name, av] : item) {
    Status s = CheckAttributeName(name);
    if (!s.ok()) return Status::Validation(std::string(kInvalid) + s.message());
  }
  for (const auto& [name, av] : item) {
    if (ContainerDepth(av) > kMaxNestingDepth - 1) {
      return Status::Validation(
          "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
    }
  }
  return Status::Ok();
}

namespace {
// Well-formed in structure: one type member whose payload fits it, set
// members all strings, at every depth. (Cheap: no number parsing, it runs on
// the serial writer; numbers that do not parse are handled where read.)
bool IsCanonical(const json::value& av) {
  const std::string_view t = TypeOf(av);
  if (t.empty()) return false;
  const json::value& p = *PayloadOf(av);
  if (t == "SS" || t == "NS" || t == "BS") {
    for (const auto& e : p.get_array()) {
      if (!e.is_string()) return false;
    }
  } else if (t == "M") {
    for (const auto& [k, child] : p.get_object()) {
      if (!IsCanonical(child)) return false;
    }
  } else if (t == "L") {
    for (const auto& child : p.get_array()) {
      if (!IsCanonical(child)) return false;
    }
  }
  return true;
}
}  // namespace

Status CheckStoredItem(const json::object& item) {
  for (const auto& [name, av] : item) {
    if (!IsCanonical(av)) return Status::Internal("The stored item is corrupt: attribute " + std::string(name));
  }
  return Status::Ok();
}

json::value CanonicalizeValue(const json::value& av) {
  if (!av.is_object()) return av;
  // Only the type member is kept: null members and unknown members (which AWS
  // ignores) are dropped, so nothing unknown is ever stored or sized.
  const json::key_value_pair* member = TypeMember(av.get_object());
  if (!member) return av;
  const std::string_view t = member->key();
  const json::value* p = &member->value();
  json::object out;
  if (t == "N" && p->is_string()) {
    auto d = Decimal::Parse(p->get_string());
    out["N"] = d.ok() ? d->ToString() : std::string(p->get_string());
  } else if (t == "NS" && p->is_array()) {
    json::array a;
    for (const auto& e : p->get_array()) {
      auto d = Decimal::Parse(SetMember(e));
      a.emplace_back(d.ok() ? json::value(d->ToString()) : e);
    }
    out["NS"] = std::move(a);
  } else if (t == "M" && p->is_object()) {
    json::object m;
    for (const auto& [k, child] : p->get_object()) m[k] = CanonicalizeValue(child);
    out["M"] = std::move(m);
  } else if (t == "L" && p->is_array()) {
    json::array a;
    for (const auto& child : p->get_array()) a.push_back(CanonicalizeValue(child));
    out["L"] = std::move(a);
  } else {
    out[t] = *p;
  }
  return out;
}

json::object CanonicalizeItem(const json::object& item) {
  json::object out;
  for (const auto& [k, v] : item) out[k] = CanonicalizeValue(v);
  return out;
}

namespace {

bool NumbersEqual(std::string_view a, std::string_view b) {
  auto da = Decimal::Parse(a), db = Decimal::Parse(b);
  if (!da.ok() || !db.ok()) return a == b;
  return *da == *db;
}

}  // namespace

bool AttributeValuesEqual(const json::value& a, const json::value& b) {
  std::string_view ta = TypeOf(a), tb = TypeOf(b);
  if (ta.empty() || ta != tb) return false;
  const json::value& pa = *PayloadOf(a);
  const json::value& pb = *PayloadOf(b);
  if (ta == "N") return NumbersEqual(pa.get_string(), pb.get_string());
  if (ta == "SS" || ta == "NS" || ta == "BS") {
    const auto& sa = pa.get_array();
    const auto& sb = pb.get_array();
    if (sa.size() != sb.size()) return false;
    // Hashed: a member-by-member search would be quadratic in the set size.
    std::unordered_set<std::string> members;
    members.reserve(sb.size());
    for (const auto& e : sb) members.insert(SetMemberKey(e, ta));
    for (const auto& e : sa) {
      if (!members.count(SetMemberKey(e, ta))) return false;
    }
    return true;
  }
  if (ta == "L") {
    const auto& la = pa.get_array();
    const auto& lb = pb.get_array();
    if (la.size() != lb.size()) return false;
    for (size_t i = 0; i < la.size(); ++i) {
      if (!AttributeValuesEqual(la[i], lb[i])) return false;
    }
    return true;
  }
  if (ta == "M") {
    const auto& ma = pa.get_object();
    const auto& mb = pb.get_object();
    if (ma.size() != mb.size()) return false;
    for (const auto& [k, v] : ma) {
      const json::value* other = mb.if_contains(k);
      if (!other || !AttributeValuesEqual(v, *other)) return false;
    }
    return true;
  }
  return pa == pb;  // S, B (canonical base64), BOOL, NULL
}

std::optional<std::strong_ordering> CompareScalars(const json::value& a, const json::value& b) {
  std::string_view ta = TypeOf(a), tb = TypeOf(b);
  if (ta.empty() || ta != tb) return std::nullopt;
  const json::value& pa = *PayloadOf(a);
  const json::value& pb = *PayloadOf(b);
  if (ta == "N") {
    auto da = Decimal::Parse(pa.get_string()), db = Decimal::Parse(pb.get_string());
    if (!da.ok() || !db.ok()) return std::nullopt;
    return *da <=> *db;
  }
  if (ta == "S") {
    // std::string_view compares as unsigned char: UTF-8 byte order.
    int c = std::string_view(pa.get_string()).compare(std::string_view(pb.get_string()));
    return c <=> 0;
  }
  if (ta == "B") {
    auto ba = Base64Decode(pa.get_string()), bb = Base64Decode(pb.get_string());
    if (!ba || !bb) return std::nullopt;
    int c = std::string_view(*ba).compare(*bb);
    return c <=> 0;
  }
  return std::nullopt;
}

size_t AttributeValueSize(const json::value& av) {
  std::string_view t = TypeOf(av);
  const json::value* p = PayloadOf(av);
  if (!p) return 0;
  if (t == "S") return p->get_string().size();
  if (t == "N") return NumberSize(p->get_string());
  if (t == "B") return BinarySize(p->get_string());
  if (t == "BOOL" || t == "NULL") return 1;
  size_t size = 0;
  if (t == "SS") {
    for (const auto& e : p->get_array()) size += SetMember(e).size();
  } else if (t == "NS") {
    for (const auto& e : p->get_array()) size += NumberSize(SetMember(e));
  } else if (t == "BS") {
    for (const auto& e : p->get_array()) size += BinarySize(SetMember(e));
  } else if (t == "L") {
    size = 3;
    for (const auto& e : p->get_array()) size += 1 + AttributeValueSize(e);
  } else if (t == "M") {
    size = 3;
    for (const auto& [k, v] : p->get_object()) size += 1 + k.size() + AttributeValueSize(v);
  }
  return size;
}

size_t ItemSize(const json::object& item) {
  size_t size = 0;
  for (const auto& [name, av] : item) size += name.size() + AttributeValueSize(av);
  return size;
}

json::value MakeS(std::string_view s) {
  json::object o;
  o["S"] = s;
  return o;
}

json::value MakeN(std::string_view canonical_number) {
  json::object o;
  o["N"] = canonical_number;
  return o;
}

}  // namespace streamer::dynamo
