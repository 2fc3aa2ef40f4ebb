#include "dynamo/model/decimal.h"

#include <algorithm>

namespace streamer::dynamo {
namespace {

constexpr char kNotNumeric[] = "The parameter cannot be converted to a numeric value";
constexpr char kOverflow[] =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr char kUnderflow[] =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";
constexpr char kTooPrecise[] = "Attempting to store more than 38 significant digits in a Number";

// Class bytes of the ordered encoding: negative < zero < positive.
constexpr unsigned char kNegativeClass = 0x40;
constexpr unsigned char kZeroClass = 0x80;
constexpr unsigned char kPositiveClass = 0xC0;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Magnitude helpers on plain digit strings (most significant first, same length
// not required). Both are non-negative integers.
int CompareMagnitude(const std::string& a, const std::string& b) {
  size_t ia = a.find_first_not_of('0'), ib = b.find_first_not_of('0');
  std::string_view va = ia == std::string::npos ? std::string_view() : std::string_view(a).substr(ia);
  std::string_view vb = ib == std::string::npos ? std::string_view() : std::string_view(b).substr(ib);
  if (va.size() != vb.size()) return va.size() < vb.size() ? -1 : 1;
  int c = va.compare(vb);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string AddMagnitude(const std::string& a, const std::string& b) {
  std::string r;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int da = i < a.size() ? a[a.size() - 1 - i] - '0' : 0;
    int db = i < b.size() ? b[b.size() - 1 - i] - '0' : 0;
    int s = da + db + carry;
    r.push_back(char('0' + s % 10));
    carry = s / 10;
  }
  std::reverse(r.begin(), r.end());
  return r;
}

// a - b with a >= b.
std::string SubtractMagnitude(const std::string& a, const std::string& b) {
  std::string r;
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int da = a[a.size() - 1 - i] - '0';
    int db = i < b.size() ? b[b.size() - 1 - i] - '0' : 0;
    int s = da - db - borrow;
    borrow = s < 0;
    if (s < 0) s += 10;
    r.push_back(char('0' + s));
  }
  std::reverse(r.begin(), r.end());
  return r;
}

}  // namespace

int Decimal::scientific_exponent() const {
  return digits_.empty() ? 0 : exponent_ + static_cast<int>(digits_.size()) - 1;
}

Result<Decimal> Decimal::Checked(bool negative, std::string coefficient, long long exponent) {
  size_t first = coefficient.find_first_not_of('0');
  if (first == std::string::npos) return Decimal();
  coefficient.erase(0, first);
  size_t last = coefficient.find_last_not_of('0');
  exponent += static_cast<long long>(coefficient.size() - 1 - last);
  coefficient.resize(last + 1);
  long long sci = exponent + static_cast<long long>(coefficient.size()) - 1;
  if (sci > kMaxExponent) return Status::Validation(kOverflow);
  if (sci < kMinExponent) return Status::Validation(kUnderflow);
  if (coefficient.size() > static_cast<size_t>(kMaxDigits)) return Status::Validation(kTooPrecise);
  Decimal d;
  d.negative_ = negative;
  d.digits_ = std::move(coefficient);
  d.exponent_ = static_cast<int>(exponent);
  return d;
}

Result<Decimal> Decimal::Parse(std::string_view text) {
  if (text.empty()) return Status::Validation(kNotNumeric);
  auto bad = [&] { return Status::Validation(std::string(kNotNumeric) + ": " + std::string(text)); };
  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') negative = text[i++] == '-';
  std::string coefficient;
  long long exponent = 0;
  size_t digit_count = 0;
  while (i < text.size() && IsDigit(text[i])) coefficient.push_back(text[i++]), ++digit_count;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) coefficient.push_back(text[i++]), --exponent, ++digit_count;
  }
  if (digit_count == 0) return bad();
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i >= text.size() || !IsDigit(text[i])) return bad();
    long long e = 0;
    while (i < text.size() && IsDigit(text[i])) {
      e = std::min<long long>(e * 10 + (text[i++] - '0'), 1'000'000'000LL);  // clamp: far out of range anyway
    }
    exponent += exp_negative ? -e : e;
  }
  if (i != text.size()) return bad();
  if (coefficient.find_first_not_of('0') == std::string::npos) {
    // Zero: DynamoDB still rejects an absurd written exponent such as "0e1000".
    if (exponent > kMaxExponent) return Status::Validation(kOverflow);
    return Decimal();
  }
  return Checked(negative, std::move(coefficient), exponent);
}

Decimal Decimal::FromInt(long long v) {
  unsigned long long mag = v < 0 ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
  return *Checked(v < 0, std::to_string(mag), 0);
}

std::string Decimal::ToString() const {
  if (digits_.empty()) return "0";
  std::string out = negative_ ? "-" : "";
  if (exponent_ >= 0) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_), '0');
  } else {
    size_t frac = static_cast<size_t>(-exponent_);
    if (digits_.size() > frac) {
      out += digits_.substr(0, digits_.size() - frac);
      out += '.';
      out += digits_.substr(digits_.size() - frac);
    } else {
      out += "0.";
      out.append(frac - digits_.size(), '0');
      out += digits_;
    }
  }
  return out;
}

std::strong_ordering Decimal::operator<=>(const Decimal& other) const {
  auto sign = [](const Decimal& d) { return d.is_zero() ? 0 : (d.negative_ ? -1 : 1); };
  int sa = sign(*this), sb = sign(other);
  if (sa != sb) return sa <=> sb;
  if (sa == 0) return std::strong_ordering::equal;
  // Same sign: compare magnitudes, then flip for negatives.
  std::strong_ordering mag = scientific_exponent() <=> other.scientific_exponent();
  if (mag == 0) {
    int c = digits_.compare(other.digits_);  // no trailing zeros, so a prefix is the smaller
    mag = c <=> 0;
  }
  if (sa < 0) return 0 <=> mag;
  return mag;
}

Decimal Decimal::Negated() const {
  Decimal d = *this;
  if (!d.is_zero()) d.negative_ = !d.negative_;
  return d;
}

Result<Decimal> Decimal::Add(const Decimal& other) const {
  if (other.is_zero()) return *this;
  if (is_zero()) return other;
  int e = std::min(exponent_, other.exponent_);
  std::string a = digits_ + std::string(static_cast<size_t>(exponent_ - e), '0');
  std::string b = other.digits_ + std::string(static_cast<size_t>(other.exponent_ - e), '0');
  if (negative_ == other.negative_) return Checked(negative_, AddMagnitude(a, b), e);
  int c = CompareMagnitude(a, b);
  if (c == 0) return Decimal();
  if (c > 0) return Checked(negative_, SubtractMagnitude(a, b), e);
  return Checked(other.negative_, SubtractMagnitude(b, a), e);
}

Result<Decimal> Decimal::Subtract(const Decimal& other) const { return Add(other.Negated()); }

void Decimal::AppendOrderedBytes(std::string* out) const {
  if (is_zero()) {
    out->push_back(static_cast<char>(kZeroClass));
    return;
  }
  // Biased scientific exponent fits one byte: -130..125 -> 0..255.
  unsigned char biased = static_cast<unsigned char>(scientific_exponent() - kMinExponent);
  if (!negative_) {
    out->push_back(static_cast<char>(kPositiveClass));
    out->push_back(static_cast<char>(biased));
    for (char c : digits_) out->push_back(static_cast<char>(c - '0' + 1));  // 1..10, above terminator
    out->push_back('\0');
  } else {
    // Negatives: everything inverted so that bigger magnitudes sort first.
    out->push_back(static_cast<char>(kNegativeClass));
    out->push_back(static_cast<char>(255 - biased));
    for (char c : digits_) out->push_back(static_cast<char>(11 - (c - '0')));  // 11..2, below terminator
    out->push_back(static_cast<char>(0xFF));
  }
}

Result<Decimal> Decimal::DecodeOrderedBytes(std::string_view* in) {
  auto corrupt = [] { return Status::Internal("corrupt ordered number encoding"); };
  if (in->empty()) return corrupt();
  unsigned char cls = static_cast<unsigned char>((*in)[0]);
  if (cls == kZeroClass) {
    in->remove_prefix(1);
    return Decimal();
  }
  if ((cls != kPositiveClass && cls != kNegativeClass) || in->size() < 3) return corrupt();
  bool negative = cls == kNegativeClass;
  unsigned char biased = static_cast<unsigned char>((*in)[1]);
  if (negative) biased = static_cast<unsigned char>(255 - biased);
  std::string digits;
  size_t i = 2;
  unsigned char terminator = negative ? 0xFF : 0x00;
  for (;; ++i) {
    if (i >= in->size()) return corrupt();
    unsigned char b = static_cast<unsigned char>((*in)[i]);
    if (b == terminator) break;
    int d = negative ? 11 - b : b - 1;
    if (d < 0 || d > 9) return corrupt();
    digits.push_back(static_cast<char>('0' + d));
  }
  if (digits.empty()) return corrupt();
  in->remove_prefix(i + 1);
  int sci = static_cast<int>(biased) + kMinExponent;
  long long exponent = sci - static_cast<long long>(digits.size()) + 1;
  return Checked(negative, std::move(digits), exponent);
}

}  // namespace streamer::dynamo
