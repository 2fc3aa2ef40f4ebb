// Status and Result: how every module reports an error without exceptions.
// An error carries the AWS error type (the short name after '#', e.g.
// "ValidationException"), a message and the HTTP status AWS answers with.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace streamer {

class Status {
 public:
  Status() = default;  // ok
  static Status Ok() { return Status(); }
  static Status Error(std::string type, std::string message, int http_status = 400) {
    Status s;
    s.type_ = std::move(type);
    s.message_ = std::move(message);
    s.http_status_ = http_status;
    return s;
  }
  // Shorthands for the errors every API uses.
  static Status Validation(std::string message) {
    return Error("ValidationException", std::move(message));
  }
  static Status Internal(std::string message) {
    return Error("InternalServerError", std::move(message), 500);
  }

  bool ok() const { return type_.empty(); }
  explicit operator bool() const { return ok(); }
  const std::string& type() const { return type_; }
  const std::string& message() const { return message_; }
  int http_status() const { return http_status_; }

 private:
  std::string type_;
  std::string message_;
  int http_status_ = 200;
};

// A value or the Status that explains why there is none.
template <class T>
class Result {
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
