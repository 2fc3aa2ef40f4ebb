#include "dynamo/model/item_codec.h"

#include <cstdint>
#include <cstring>

#include "dynamo/model/attribute.h"
#include "dynamo/model/base64.h"
#include "dynamo/model/decimal.h"

namespace streamer::dynamo {

namespace {

// Tag bytes. Never renumber: they are on disk.
enum Tag : unsigned char {
  kS = 1,
  kN = 2,
  kB = 3,
  kFalse = 4,
  kTrue = 5,
  kNull = 6,
  kM = 7,
  kL = 8,
  kSS = 9,
  kNS = 10,
  kBS = 11,
};

// Number sign bytes.
constexpr unsigned char kZero = 0, kPositive = 1, kNegative = 2;

// ---- encoding ---------------------------------------------------------------

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutBytes(std::string* out, std::string_view bytes) {
  PutVarint(out, bytes.size());
  out->append(bytes);
}

void PutNumber(std::string* out, std::string_view text) {
  auto d = Decimal::Parse(text);
  if (!d || d->is_zero()) {  // !d: not a valid item (a caller's bug); stored as 0
    out->push_back(static_cast<char>(kZero));
    return;
  }
  const std::string& digits = d->digits();
  out->push_back(static_cast<char>(d->is_negative() ? kNegative : kPositive));
  out->push_back(static_cast<char>(d->scientific_exponent() - Decimal::kMinExponent));  // 0..255
  out->push_back(static_cast<char>(digits.size()));                                     // 1..38
  for (size_t i = 0; i < digits.size(); i += 2) {
    const int hi = digits[i] - '0';
    const int lo = i + 1 < digits.size() ? digits[i + 1] - '0' : 0;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
}

void PutBinary(std::string* out, const json::value& text) {
  auto raw = text.is_string() ? Base64Decode(text.get_string()) : std::nullopt;
  PutBytes(out, raw ? std::string_view(*raw) : std::string_view());
}

void PutValue(std::string* out, const json::value& av);

void PutMap(std::string* out, const json::object& m) {
  PutVarint(out, m.size());
  for (const auto& [name, v] : m) {
    PutBytes(out, name);
    PutValue(out, v);
  }
}

// `av` must be a valid attribute value; anything else (a caller's bug) is
// written as NULL rather than guessed at.
void PutValue(std::string* out, const json::value& av) {
  const std::string_view type = TypeOf(av);
  const json::value* p = PayloadOf(av);
  auto tag = [&](Tag t) { out->push_back(static_cast<char>(t)); };
  auto strings = [&](Tag t, bool binary) {
    tag(t);
    const json::array& a = p->get_array();
    PutVarint(out, a.size());
    for (const auto& e : a) {
      if (binary) {
        PutBinary(out, e);
      } else {
        PutBytes(out, e.is_string() ? std::string_view(e.get_string()) : std::string_view());
      }
    }
  };
  if (type == "S" && p->is_string()) {
    tag(kS);
    PutBytes(out, p->get_string());
  } else if (type == "N" && p->is_string()) {
    tag(kN);
    PutNumber(out, p->get_string());
  } else if (type == "B") {
    tag(kB);
    PutBinary(out, *p);
  } else if (type == "BOOL" && p->is_bool()) {
    tag(p->get_bool() ? kTrue : kFalse);
  } else if (type == "M" && p->is_object()) {
    tag(kM);
    PutMap(out, p->get_object());
  } else if (type == "L" && p->is_array()) {
    tag(kL);
    PutVarint(out, p->get_array().size());
    for (const auto& e : p->get_array()) PutValue(out, e);
  } else if (type == "SS" && p->is_array()) {
    strings(kSS, false);
  } else if (type == "BS" && p->is_array()) {
    strings(kBS, true);
  } else if (type == "NS" && p->is_array()) {
    tag(kNS);
    PutVarint(out, p->get_array().size());
    for (const auto& e : p->get_array()) PutNumber(out, e.is_string() ? std::string_view(e.get_string()) : "x");
  } else {
    tag(kNull);
  }
}

// ---- decoding ---------------------------------------------------------------

// Eight bytes at a time for the common case of long plain-ASCII text (the
// readers' hot loops): a word is loaded unaligned, and the tests below are
// exact for "some byte of the word is ...".
constexpr uint64_t kEveryByte = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;
uint64_t Word(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
bool HasZeroByte(uint64_t w) { return ((w - kEveryByte) & ~w & kHighBits) != 0; }
// Some byte is a control character (< 0x20), '"' or '\\': JSON escapes it.
bool NeedsJsonEscape(uint64_t w) {
  return (((w - kEveryByte * 0x20) & ~w & kHighBits) != 0) || HasZeroByte(w ^ (kEveryByte * '"')) ||
         HasZeroByte(w ^ (kEveryByte * '\\'));
}

Status Corrupt(std::string_view what) {
  return Status::Internal("corrupt item in store: " + std::string(what));
}

// Valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF): a stored S or
// name that is not would be sent to clients as broken JSON.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (s.size() - i >= 8 && (Word(s.data() + i) & kHighBits) == 0) {  // eight ASCII bytes
      i += 8;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int n;
    unsigned min;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) n = 1, min = 0x80, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 2, min = 0x800, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 3, min = 0x10000, cp = c & 0x07;
    else return false;
    if (s.size() - i <= static_cast<size_t>(n)) return false;
    for (int k = 1; k <= n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// Bounds-checked reading from the front of the encoding. Failures are plain
// bools (this is the writer's hot path); the first one's reason is kept.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool done() const { return in_.empty(); }
  const char* error() const { return error_; }
  bool Fail(const char* why) {
    if (!error_) error_ = why;
    return false;
  }

  bool Byte(unsigned char* b) {
    if (in_.empty()) return Fail("truncated");
    *b = static_cast<unsigned char>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      unsigned char b;
      if (!Byte(&b)) return false;
      *v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return Fail("bad varint");
  }
  // A count of elements that each take at least one byte.
  bool Count(uint64_t* n) {
    if (!Varint(n)) return false;
    return *n <= in_.size() || Fail("bad count");
  }
  bool Bytes(std::string_view* out) {
    uint64_t n;
    if (!Varint(&n)) return false;
    if (n > in_.size()) return Fail("bad length");
    *out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool Text(std::string_view* out) { return Bytes(out) && (IsUtf8(*out) || Fail("bad UTF-8")); }
  // A number, as its canonical string (what Decimal::ToString gives). When
  // `size` is given, adds the bytes AWS counts for it (NumberSize in
  // model/attribute.cc: base-100 digits aligned on the decimal point, one
  // exponent byte, a terminator byte for negatives; 1 for zero).
  bool Number(std::string* out, size_t* size = nullptr) {
    unsigned char sign;
    if (!Byte(&sign)) return false;
    if (sign == kZero) {
      *out = "0";
      if (size) *size += 1;
      return true;
    }
    if (sign != kPositive && sign != kNegative) return Fail("bad number sign");
    unsigned char biased, count;
    if (!Byte(&biased) || !Byte(&count)) return false;
    // Every biased exponent (0..255) is in range; the digits must be canonical.
    if (count == 0 || count > Decimal::kMaxDigits) return Fail("bad number length");
    const size_t packed = (count + 1u) / 2;
    if (packed > in_.size()) return Fail("truncated");
    char digits[Decimal::kMaxDigits];
    for (size_t i = 0; i < count; ++i) {
      const unsigned char b = static_cast<unsigned char>(in_[i / 2]);
      const int d = i % 2 ? (b & 0x0F) : (b >> 4);
      if (d > 9) return Fail("bad number digit");
      digits[i] = static_cast<char>('0' + d);
    }
    if ((count % 2 && (in_[packed - 1] & 0x0F)) || digits[0] == '0' || digits[count - 1] == '0') {
      return Fail("non-canonical number");
    }
    in_.remove_prefix(packed);
    if (size) {
      const int scientific = static_cast<int>(biased) + Decimal::kMinExponent;
      const size_t pad = ((scientific + 1) % 2 != 0) ? 1 : 0;
      *size += 1 + (count + pad + 1) / 2 + (sign == kNegative ? 1 : 0);
    }
    // Plain notation, as Decimal::ToString: value = digits * 10^exp.
    const int exp = static_cast<int>(biased) + Decimal::kMinExponent - count + 1;
    std::string_view ds(digits, count);
    out->clear();
    if (sign == kNegative) out->push_back('-');
    if (exp >= 0) {
      out->append(ds);
      out->append(static_cast<size_t>(exp), '0');
    } else if (static_cast<size_t>(-exp) < ds.size()) {
      const size_t whole = ds.size() - static_cast<size_t>(-exp);
      out->append(ds.substr(0, whole));
      out->push_back('.');
      out->append(ds.substr(whole));
    } else {
      out->append("0.");
      out->append(static_cast<size_t>(-exp) - ds.size(), '0');
      out->append(ds);
    }
    return true;
  }

 private:
  std::string_view in_;
  const char* error_ = nullptr;
};

// Containers below the item; one more than a valid item can have is refused.
constexpr int kMaxContainers = kMaxNestingDepth;

// -- to json::value --

bool ReadValue(Reader& r, int depth, json::value* out);

bool ReadMap(Reader& r, int depth, json::object* out) {
  uint64_t n;
  if (!r.Count(&n)) return false;
  out->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view name;
    if (!r.Text(&name)) return false;
    // In place; a repeated name (only in corrupt data) overwrites.
    if (!ReadValue(r, depth, &out->emplace(name, nullptr).first->value())) return false;
  }
  return true;
}

bool ReadStrings(Reader& r, bool binary, json::array* a) {
  uint64_t n;
  if (!r.Count(&n)) return false;
  a->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view s;
    if (binary) {
      if (!r.Bytes(&s)) return false;
      a->emplace_back(Base64Encode(s));
    } else {
      if (!r.Text(&s)) return false;
      a->emplace_back(s);
    }
  }
  return true;
}

bool ReadValue(Reader& r, int depth, json::value* out) {
  unsigned char tag;
  if (!r.Byte(&tag)) return false;
  json::object& av = out->emplace_object();
  av.reserve(1);
  switch (tag) {
    case kS: {
      std::string_view s;
      if (!r.Text(&s)) return false;
      av.emplace("S", s);
      return true;
    }
    case kN: {
      std::string n;
      if (!r.Number(&n)) return false;
      av.emplace("N", n);
      return true;
    }
    case kB: {
      std::string_view b;
      if (!r.Bytes(&b)) return false;
      av.emplace("B", Base64Encode(b));
      return true;
    }
    case kFalse: av.emplace("BOOL", false); return true;
    case kTrue: av.emplace("BOOL", true); return true;
    case kNull: av.emplace("NULL", true); return true;
    case kM:
      if (depth >= kMaxContainers) return r.Fail("nested too deep");
      return ReadMap(r, depth + 1, &av.emplace("M", json::object()).first->value().get_object());
    case kL: {
      if (depth >= kMaxContainers) return r.Fail("nested too deep");
      uint64_t n;
      if (!r.Count(&n)) return false;
      json::array& a = av.emplace("L", json::array()).first->value().get_array();
      a.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        if (!ReadValue(r, depth + 1, &a.emplace_back(nullptr))) return false;
      }
      return true;
    }
    case kSS: return ReadStrings(r, false, &av.emplace("SS", json::array()).first->value().get_array());
    case kBS: return ReadStrings(r, true, &av.emplace("BS", json::array()).first->value().get_array());
    case kNS: {
      uint64_t n;
      if (!r.Count(&n)) return false;
      json::array& a = av.emplace("NS", json::array()).first->value().get_array();
      a.reserve(n);
      std::string num;
      for (uint64_t i = 0; i < n; ++i) {
        if (!r.Number(&num)) return false;
        a.emplace_back(num);
      }
      return true;
    }
    default: return r.Fail("bad type tag");
  }
}

// -- to JSON text --

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    while (s.size() - i >= 8 && !NeedsJsonEscape(Word(s.data() + i))) i += 8;
    if (i >= s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.substr(run, i - run));
    run = i + 1;
    out->push_back('\\');
    switch (c) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '\b': out->push_back('b'); break;
      case '\f': out->push_back('f'); break;
      case '\n': out->push_back('n'); break;
      case '\r': out->push_back('r'); break;
      case '\t': out->push_back('t'); break;
      default:
        out->append("u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
    }
  }
  out->append(s.substr(run));
  out->push_back('"');
}

// `size` sums the bytes AWS counts for what is written (ItemSize in
// model/attribute.cc), so a reader need not decode the item to size it.
bool WriteValue(Reader& r, int depth, std::string* out, size_t* size);

// `nested`: a map value (M) rather than the item; AWS counts 1 byte per
// member of a map value.
bool WriteMap(Reader& r, int depth, std::string* out, size_t* size, bool nested) {
  uint64_t n;
  if (!r.Count(&n)) return false;
  out->push_back('{');
  for (uint64_t i = 0; i < n; ++i) {
    if (i) out->push_back(',');
    std::string_view name;
    if (!r.Text(&name)) return false;
    *size += name.size() + (nested ? 1 : 0);
    AppendJsonString(out, name);
    out->push_back(':');
    if (!WriteValue(r, depth, out, size)) return false;
  }
  out->push_back('}');
  return true;
}

bool WriteStrings(Reader& r, bool binary, std::string* out, size_t* size) {
  uint64_t n;
  if (!r.Count(&n)) return false;
  out->push_back('[');
  for (uint64_t i = 0; i < n; ++i) {
    if (i) out->push_back(',');
    std::string_view s;
    if (binary) {
      if (!r.Bytes(&s)) return false;
      *size += s.size();
      out->push_back('"');
      out->append(Base64Encode(s));  // the base64 alphabet needs no escapes
      out->push_back('"');
    } else {
      if (!r.Text(&s)) return false;
      *size += s.size();
      AppendJsonString(out, s);
    }
  }
  out->push_back(']');
  return true;
}

bool WriteValue(Reader& r, int depth, std::string* out, size_t* size) {
  unsigned char tag;
  if (!r.Byte(&tag)) return false;
  switch (tag) {
    case kS: {
      std::string_view s;
      if (!r.Text(&s)) return false;
      *size += s.size();
      out->append("{\"S\":");
      AppendJsonString(out, s);
      break;
    }
    case kN: {
      std::string n;
      if (!r.Number(&n, size)) return false;
      out->append("{\"N\":\"");
      out->append(n);
      out->push_back('"');
      break;
    }
    case kB: {
      std::string_view b;
      if (!r.Bytes(&b)) return false;
      *size += b.size();
      out->append("{\"B\":\"");
      out->append(Base64Encode(b));
      out->push_back('"');
      break;
    }
    case kFalse: *size += 1; out->append("{\"BOOL\":false"); break;
    case kTrue: *size += 1; out->append("{\"BOOL\":true"); break;
    case kNull: *size += 1; out->append("{\"NULL\":true"); break;
    case kM:
      if (depth >= kMaxContainers) return r.Fail("nested too deep");
      *size += 3;
      out->append("{\"M\":");
      if (!WriteMap(r, depth + 1, out, size, true)) return false;
      break;
    case kL: {
      if (depth >= kMaxContainers) return r.Fail("nested too deep");
      uint64_t n;
      if (!r.Count(&n)) return false;
      *size += 3 + n;
      out->append("{\"L\":[");
      for (uint64_t i = 0; i < n; ++i) {
        if (i) out->push_back(',');
        if (!WriteValue(r, depth + 1, out, size)) return false;
      }
      out->push_back(']');
      break;
    }
    case kSS:
      out->append("{\"SS\":");
      if (!WriteStrings(r, false, out, size)) return false;
      break;
    case kBS:
      out->append("{\"BS\":");
      if (!WriteStrings(r, true, out, size)) return false;
      break;
    case kNS: {
      uint64_t n;
      if (!r.Count(&n)) return false;
      out->append("{\"NS\":[");
      std::string num;
      for (uint64_t i = 0; i < n; ++i) {
        if (i) out->push_back(',');
        if (!r.Number(&num, size)) return false;
        out->push_back('"');
        out->append(num);
        out->push_back('"');
      }
      out->push_back(']');
      break;
    }
    default: return r.Fail("bad type tag");
  }
  out->push_back('}');
  return true;
}

bool CheckVersion(Reader& r) {
  unsigned char version;
  if (!r.Byte(&version)) return false;
  return version == kItemFormatVersion || r.Fail("unknown item format version");
}

}  // namespace

std::string EncodeItem(const json::object& item) {
  std::string out;
  out.reserve(64);
  out.push_back(static_cast<char>(kItemFormatVersion));
  PutMap(&out, item);
  return out;
}

Result<json::object> DecodeItem(std::string_view encoded) {
  Reader r(encoded);
  json::object item;
  if (!CheckVersion(r) || !ReadMap(r, 0, &item)) return Corrupt(r.error());
  if (!r.done()) return Corrupt("trailing bytes");
  return item;
}

Status AppendItemJson(std::string_view encoded, std::string* out, size_t* size) {
  size_t counted = 0;
  Reader r(encoded);
  if (!CheckVersion(r) || !WriteMap(r, 0, out, &counted, false)) return Corrupt(r.error());
  if (size) *size = counted;
  if (!r.done()) return Corrupt("trailing bytes");
  return Status::Ok();
}

}  // namespace streamer::dynamo
