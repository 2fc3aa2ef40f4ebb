#include "dynamo/model/item_codec.h"

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

Status Corrupt(std::string_view what) {
  return Status::Internal("corrupt item in store: " + std::string(what));
}

// Valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF): a stored S or
// name that is not would be sent to clients as broken JSON.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
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

// Bounds-checked reading from the front of the encoding.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool done() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }

  Status Byte(unsigned char* b) {
    if (in_.empty()) return Corrupt("truncated");
    *b = static_cast<unsigned char>(in_[0]);
    in_.remove_prefix(1);
    return Status::Ok();
  }
  Status Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      unsigned char b;
      Status s = Byte(&b);
      if (!s.ok()) return s;
      *v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return Status::Ok();
    }
    return Corrupt("bad varint");
  }
  // A count of elements that each take at least one byte.
  Status Count(uint64_t* n) {
    Status s = Varint(n);
    if (s.ok() && *n > in_.size()) return Corrupt("bad count");
    return s;
  }
  Status Bytes(std::string_view* out) {
    uint64_t n;
    Status s = Varint(&n);
    if (!s.ok()) return s;
    if (n > in_.size()) return Corrupt("bad length");
    *out = in_.substr(0, n);
    in_.remove_prefix(n);
    return Status::Ok();
  }
  Status Text(std::string_view* out) {
    Status s = Bytes(out);
    if (s.ok() && !IsUtf8(*out)) return Corrupt("bad UTF-8");
    return s;
  }
  // A number, as its canonical string (what Decimal::ToString gives).
  Status Number(std::string* out) {
    unsigned char sign;
    Status s = Byte(&sign);
    if (!s.ok()) return s;
    if (sign == kZero) {
      *out = "0";
      return Status::Ok();
    }
    if (sign != kPositive && sign != kNegative) return Corrupt("bad number sign");
    unsigned char biased, count;
    if (!(s = Byte(&biased)).ok() || !(s = Byte(&count)).ok()) return s;
    // Every biased exponent (0..255) is in range; the digits must be canonical.
    if (count == 0 || count > Decimal::kMaxDigits) return Corrupt("bad number length");
    const size_t packed = (count + 1u) / 2;
    if (packed > in_.size()) return Corrupt("truncated");
    char digits[Decimal::kMaxDigits];
    for (size_t i = 0; i < count; ++i) {
      const unsigned char b = static_cast<unsigned char>(in_[i / 2]);
      const int d = i % 2 ? (b & 0x0F) : (b >> 4);
      if (d > 9) return Corrupt("bad number digit");
      digits[i] = static_cast<char>('0' + d);
    }
    if ((count % 2 && (in_[packed - 1] & 0x0F)) || digits[0] == '0' || digits[count - 1] == '0') {
      return Corrupt("non-canonical number");
    }
    in_.remove_prefix(packed);
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
    return Status::Ok();
  }

 private:
  std::string_view in_;
};

#define CODEC_TRY(expr)            \
  do {                             \
    Status codec_s_ = (expr);      \
    if (!codec_s_.ok()) return codec_s_; \
  } while (0)

// Containers below the item; one more than a valid item can have is refused.
constexpr int kMaxContainers = kMaxNestingDepth;

// -- to json::value --

Status ReadValue(Reader& r, int depth, json::value* out);

Status ReadMap(Reader& r, int depth, json::object* out) {
  uint64_t n;
  CODEC_TRY(r.Count(&n));
  out->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view name;
    CODEC_TRY(r.Text(&name));
    json::value v;
    CODEC_TRY(ReadValue(r, depth, &v));
    (*out)[name] = std::move(v);
  }
  return Status::Ok();
}

Status ReadValue(Reader& r, int depth, json::value* out) {
  unsigned char tag;
  CODEC_TRY(r.Byte(&tag));
  json::object av;
  auto strings = [&](const char* type, bool binary) -> Status {
    uint64_t n;
    CODEC_TRY(r.Count(&n));
    json::array a;
    a.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view s;
      if (binary) {
        CODEC_TRY(r.Bytes(&s));
        a.emplace_back(Base64Encode(s));
      } else {
        CODEC_TRY(r.Text(&s));
        a.emplace_back(s);
      }
    }
    av[type] = std::move(a);
    return Status::Ok();
  };
  switch (tag) {
    case kS: {
      std::string_view s;
      CODEC_TRY(r.Text(&s));
      av["S"] = s;
      break;
    }
    case kN: {
      std::string n;
      CODEC_TRY(r.Number(&n));
      av["N"] = n;
      break;
    }
    case kB: {
      std::string_view b;
      CODEC_TRY(r.Bytes(&b));
      av["B"] = Base64Encode(b);
      break;
    }
    case kFalse: av["BOOL"] = false; break;
    case kTrue: av["BOOL"] = true; break;
    case kNull: av["NULL"] = true; break;
    case kM: {
      if (depth >= kMaxContainers) return Corrupt("nested too deep");
      json::object m;
      CODEC_TRY(ReadMap(r, depth + 1, &m));
      av["M"] = std::move(m);
      break;
    }
    case kL: {
      if (depth >= kMaxContainers) return Corrupt("nested too deep");
      uint64_t n;
      CODEC_TRY(r.Count(&n));
      json::array a;
      a.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        json::value v;
        CODEC_TRY(ReadValue(r, depth + 1, &v));
        a.push_back(std::move(v));
      }
      av["L"] = std::move(a);
      break;
    }
    case kSS: CODEC_TRY(strings("SS", false)); break;
    case kBS: CODEC_TRY(strings("BS", true)); break;
    case kNS: {
      uint64_t n;
      CODEC_TRY(r.Count(&n));
      json::array a;
      a.reserve(n);
      std::string num;
      for (uint64_t i = 0; i < n; ++i) {
        CODEC_TRY(r.Number(&num));
        a.emplace_back(num);
      }
      av["NS"] = std::move(a);
      break;
    }
    default: return Corrupt("bad type tag " + std::to_string(tag));
  }
  *out = std::move(av);
  return Status::Ok();
}

// -- to JSON text --

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
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

Status WriteValue(Reader& r, int depth, std::string* out);

Status WriteMap(Reader& r, int depth, std::string* out) {
  uint64_t n;
  CODEC_TRY(r.Count(&n));
  out->push_back('{');
  for (uint64_t i = 0; i < n; ++i) {
    if (i) out->push_back(',');
    std::string_view name;
    CODEC_TRY(r.Text(&name));
    AppendJsonString(out, name);
    out->push_back(':');
    CODEC_TRY(WriteValue(r, depth, out));
  }
  out->push_back('}');
  return Status::Ok();
}

Status WriteValue(Reader& r, int depth, std::string* out) {
  unsigned char tag;
  CODEC_TRY(r.Byte(&tag));
  auto strings = [&](bool binary) -> Status {
    uint64_t n;
    CODEC_TRY(r.Count(&n));
    out->push_back('[');
    for (uint64_t i = 0; i < n; ++i) {
      if (i) out->push_back(',');
      std::string_view s;
      if (binary) {
        CODEC_TRY(r.Bytes(&s));
        out->push_back('"');
        out->append(Base64Encode(s));  // the base64 alphabet needs no escapes
        out->push_back('"');
      } else {
        CODEC_TRY(r.Text(&s));
        AppendJsonString(out, s);
      }
    }
    out->push_back(']');
    return Status::Ok();
  };
  switch (tag) {
    case kS: {
      std::string_view s;
      CODEC_TRY(r.Text(&s));
      out->append("{\"S\":");
      AppendJsonString(out, s);
      break;
    }
    case kN: {
      std::string n;
      CODEC_TRY(r.Number(&n));
      out->append("{\"N\":\"");
      out->append(n);
      out->push_back('"');
      break;
    }
    case kB: {
      std::string_view b;
      CODEC_TRY(r.Bytes(&b));
      out->append("{\"B\":\"");
      out->append(Base64Encode(b));
      out->push_back('"');
      break;
    }
    case kFalse: out->append("{\"BOOL\":false"); break;
    case kTrue: out->append("{\"BOOL\":true"); break;
    case kNull: out->append("{\"NULL\":true"); break;
    case kM:
      if (depth >= kMaxContainers) return Corrupt("nested too deep");
      out->append("{\"M\":");
      CODEC_TRY(WriteMap(r, depth + 1, out));
      break;
    case kL: {
      if (depth >= kMaxContainers) return Corrupt("nested too deep");
      uint64_t n;
      CODEC_TRY(r.Count(&n));
      out->append("{\"L\":[");
      for (uint64_t i = 0; i < n; ++i) {
        if (i) out->push_back(',');
        CODEC_TRY(WriteValue(r, depth + 1, out));
      }
      out->push_back(']');
      break;
    }
    case kSS:
      out->append("{\"SS\":");
      CODEC_TRY(strings(false));
      break;
    case kBS:
      out->append("{\"BS\":");
      CODEC_TRY(strings(true));
      break;
    case kNS: {
      uint64_t n;
      CODEC_TRY(r.Count(&n));
      out->append("{\"NS\":[");
      std::string num;
      for (uint64_t i = 0; i < n; ++i) {
        if (i) out->push_back(',');
        CODEC_TRY(r.Number(&num));
        out->push_back('"');
        out->append(num);
        out->push_back('"');
      }
      out->push_back(']');
      break;
    }
    default: return Corrupt("bad type tag " + std::to_string(tag));
  }
  out->push_back('}');
  return Status::Ok();
}

Status CheckVersion(Reader& r) {
  unsigned char version;
  CODEC_TRY(r.Byte(&version));
  if (version != kItemFormatVersion) return Corrupt("unknown item format " + std::to_string(version));
  return Status::Ok();
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
  CODEC_TRY(CheckVersion(r));
  json::object item;
  CODEC_TRY(ReadMap(r, 0, &item));
  if (!r.done()) return Corrupt("trailing bytes");
  return item;
}

Status AppendItemJson(std::string_view encoded, std::string* out) {
  Reader r(encoded);
  CODEC_TRY(CheckVersion(r));
  CODEC_TRY(WriteMap(r, 0, out));
  if (!r.done()) return Corrupt("trailing bytes");
  return Status::Ok();
}

}  // namespace streamer::dynamo
