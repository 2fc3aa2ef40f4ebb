// Decimal: a DynamoDB Number. Exact (never double): at most 38 significant
// digits, magnitude 1e-130 .. 9.99..9e+125 (or zero).
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "core/status.h"

namespace streamer::dynamo {

class Decimal {
 public:
  static constexpr int kMaxDigits = 38;
  static constexpr int kMaxExponent = 125;   // scientific exponent of the largest magnitude
  static constexpr int kMinExponent = -130;  // scientific exponent of the smallest magnitude

  Decimal() = default;  // zero

  // Accepts what DynamoDB accepts ("+1", "-0.50", "001", ".5", "5.", "1E-3").
  // Errors are ValidationExceptions with DynamoDB's messages.
  static Result<Decimal> Parse(std::string_view text);
  // Builds from an integer (handy for size() results and counters).
  static Decimal FromInt(long long v);

  // DynamoDB's canonical read form: plain notation, no exponent, no leading or
  // trailing zeros, "0" for zero ("1.50" -> "1.5", "1e2" -> "100", "-0" -> "0").
  std::string ToString() const;

  bool is_zero() const { return digits_.empty(); }
  bool is_negative() const { return negative_; }
  // Significant digits without leading/trailing zeros ("" for zero).
  const std::string& digits() const { return digits_; }
  // Scientific exponent: value = d.ddd * 10^exponent (0 for zero).
  int scientific_exponent() const;

  std::strong_ordering operator<=>(const Decimal& other) const;
  bool operator==(const Decimal& other) const = default;

  // Exact; a result that does not fit DynamoDB's range or precision is a
  // ValidationException (as AWS answers an ADD / SET a = a + :v that overflows).
  Result<Decimal> Add(const Decimal& other) const;
  Result<Decimal> Subtract(const Decimal& other) const;
  Decimal Negated() const;

  // Appends bytes whose memcmp order is the numeric order. The encoding is
  // self-delimiting (no encoding is a proper prefix of another), so it may be
  // followed by more key bytes.
  void AppendOrderedBytes(std::string* out) const;
  // Reads what AppendOrderedBytes wrote from the front of `in`, advancing it.
  static Result<Decimal> DecodeOrderedBytes(std::string_view* in);

 private:
  // Checks range and precision (used after parsing and arithmetic).
  static Result<Decimal> Checked(bool negative, std::string coefficient, long long exponent);

  bool negative_ = false;
  std::string digits_;  // coefficient digits, no leading or trailing zeros
  int exponent_ = 0;    // value = digits_ (as an integer) * 10^exponent_
};

}  // namespace streamer::dynamo
