#include "core/status.h"

namespace streamer {

namespace {

struct CodeInfo {
  Code code;
  std::string_view type;  // AWS's error type name
  int http;
};

// The one place where an error kind becomes AWS's __type and HTTP status.
constexpr CodeInfo kCodes[] = {
    {Code::kOk, "", 200},
    {Code::kNotFound, "InternalServerError", 500},
    {Code::kCorruption, "InternalServerError", 500},
    {Code::kIOError, "InternalServerError", 500},
    {Code::kNoSpace, "InternalServerError", 500},
    {Code::kInternal, "InternalServerError", 500},
    {Code::kUnavailable, "ServiceUnavailable", 503},
    {Code::kTimeout, "RequestTimeout", 504},
    {Code::kConnectionError, "ConnectionError", 502},
    {Code::kListenError, "ListenError", 500},
    {Code::kAddressInUse, "AddressInUse", 500},
    {Code::kValidation, "ValidationException", 400},
    {Code::kSerialization, "SerializationException", 400},
    {Code::kUnknownOperation, "UnknownOperationException", 400},
    {Code::kResourceNotFound, "ResourceNotFoundException", 400},
    {Code::kResourceInUse, "ResourceInUseException", 400},
    {Code::kConditionalCheckFailed, "ConditionalCheckFailedException", 400},
    {Code::kExpiredIterator, "ExpiredIteratorException", 400},
    {Code::kTrimmedDataAccess, "TrimmedDataAccessException", 400},
    {Code::kLimitExceeded, "LimitExceededException", 400},
    {Code::kTransactionCanceled, "TransactionCanceledException", 400},
    {Code::kTransactionConflict, "TransactionConflictException", 400},
    {Code::kTransactionInProgress, "TransactionInProgressException", 400},
    {Code::kIdempotentParameterMismatch, "IdempotentParameterMismatchException", 400},
    {Code::kProvisionedThroughputExceeded, "ProvisionedThroughputExceededException", 400},
    {Code::kRequestLimitExceeded, "RequestLimitExceeded", 400},
    {Code::kItemCollectionSizeLimitExceeded, "ItemCollectionSizeLimitExceededException", 400},
    {Code::kAccessDenied, "AccessDeniedException", 400},
    {Code::kMissingAuthenticationToken, "MissingAuthenticationTokenException", 400},
    {Code::kBadRequest, "BadRequestException", 400},
    {Code::kOther, "", 400},
};

const CodeInfo& InfoOf(Code code) {
  for (const auto& info : kCodes) {
    if (info.code == code) return info;
  }
  return kCodes[0];
}

}  // namespace

std::string_view CodeTypeName(Code code) { return InfoOf(code).type; }
int CodeHttpStatus(Code code) { return InfoOf(code).http; }

Status Status::Of(Code code, std::string message) {
  Status s;
  s.code_ = code == Code::kOk ? Code::kInternal : code;  // an error is never ok
  s.message_ = std::move(message);
  s.http_status_ = CodeHttpStatus(s.code_);
  return s;
}

Status Status::Error(std::string_view type, std::string message, int http_status) {
  Code code = Code::kOther;
  if (type == "InternalServerError") {
    code = Code::kInternal;
  } else {
    for (const auto& info : kCodes) {
      // Internal kinds share "InternalServerError"; named AWS types are unique.
      if (!info.type.empty() && info.type == type && info.type != "InternalServerError") {
        code = info.code;
        break;
      }
    }
  }
  Status s = Of(code, std::move(message));
  if (code == Code::kOther) s.other_type_ = std::string(type.empty() ? "InternalServerError" : type);
  if (http_status != 0) s.http_status_ = http_status;
  return s;
}

std::string_view Status::type() const {
  if (code_ == Code::kOther) return other_type_;
  return CodeTypeName(code_);
}

}  // namespace streamer
