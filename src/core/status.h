// Status and Result: how every module reports an error without exceptions.
//
// An error carries a Code (what went wrong, for code to branch on) and a
// message. The AWS error type (the short name after '#' in `__type`, e.g.
// "ValidationException") and the HTTP status are derived from the code in one
// table (status.cc), so the API edge maps errors in one place and no code
// compares error names as strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace streamer {

enum class Code {
  kOk = 0,
  // Internal kinds: never meant to reach a client as they are; the API edge
  // answers them as 500 InternalServerError (or 503 where retrying helps).
  kNotFound,     // a storage key that does not exist
  kCorruption,   // stored bytes that do not decode
  kIOError,      // the disk or the OS failed
  kNoSpace,      // the disk is full
  kInternal,     // InternalServerError
  kUnavailable,  // ServiceUnavailable (shutting down, overloaded)
  kTimeout,
  kConnectionError,
  kListenError,
  kAddressInUse,
  // DynamoDB / Streams API errors (4xx unless said otherwise).
  kValidation,               // ValidationException
  kSerialization,            // SerializationException
  kUnknownOperation,         // UnknownOperationException
  kResourceNotFound,         // ResourceNotFoundException
  kResourceInUse,            // ResourceInUseException
  kConditionalCheckFailed,   // ConditionalCheckFailedException
  kDuplicateItem,            // DuplicateItemException (PartiQL INSERT of an existing key)
  kExpiredIterator,          // ExpiredIteratorException
  kTrimmedDataAccess,        // TrimmedDataAccessException
  kLimitExceeded,            // LimitExceededException
  kTransactionCanceled,      // TransactionCanceledException
  kTransactionConflict,      // TransactionConflictException
  kTransactionInProgress,    // TransactionInProgressException
  kIdempotentParameterMismatch,  // IdempotentParameterMismatchException
  kProvisionedThroughputExceeded,
  kRequestLimitExceeded,
  kItemCollectionSizeLimitExceeded,
  kAccessDenied,             // AccessDeniedException
  kMissingAuthenticationToken,
  kBadRequest,               // BadRequestException (gateway)
  kTableNotFound,            // TableNotFoundException (backups)
};

// The AWS type name and default HTTP status of a code.
std::string_view CodeTypeName(Code code);
int CodeHttpStatus(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status Ok() { return Status(); }
  // An error of `code`, with AWS's type and HTTP status for that code.
  static Status Of(Code code, std::string message);
  // Shorthands for the errors every API uses.
  static Status Validation(std::string message) { return Of(Code::kValidation, std::move(message)); }
  static Status Internal(std::string message) { return Of(Code::kInternal, std::move(message)); }
  static Status NotFound(std::string message = {}) { return Of(Code::kNotFound, std::move(message)); }
  static Status Corruption(std::string message) { return Of(Code::kCorruption, std::move(message)); }
  static Status IOError(std::string message) { return Of(Code::kIOError, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return ok(); }
  Code code() const { return code_; }
  bool Is(Code c) const { return code_ == c; }
  // The AWS error type name ("ValidationException"); "" when ok.
  std::string_view type() const { return CodeTypeName(code_); }
  const std::string& message() const { return message_; }
  int http_status() const { return CodeHttpStatus(code_); }
  // The same error with another message (e.g. prefixed with context).
  Status WithMessage(std::string message) const {
    Status s = *this;
    s.message_ = std::move(message);
    return s;
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}             // NOLINT: implicit on purpose
  // Anything T can be built from (e.g. json::object for Result<json::value>).
  template <class U, class = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                              !std::is_same_v<std::decay_t<U>, T> &&
                                              !std::is_same_v<std::decay_t<U>, Status>>>
  Result(U&& value) : value_(T(std::forward<U>(value))) {}  // NOLINT
  Result(Status status) : status_(std::move(status)) {}      // NOLINT
  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace streamer
