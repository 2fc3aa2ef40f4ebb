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
    {Code::kTimeout, "Timeout", 504},
    {Code::kConnectionError, "ConnectionError", 502},
    {Code::kListenError, "ListenError", 500},
    {Code::kAddressInUse, "AddressInUse", 500},
    {Code::kValidation, "ValidationException", 400},
    {Code::kSerialization, "SerializationException", 400},
    {Code::kUnknownOperation, "UnknownOperationException", 400},
    {Code::kResourceNotFound, "ResourceNotFoundException", 400},
    {Code::kResourceInUse, "ResourceInUseException", 400},
    {Code::kConditionalCheckFailed, "ConditionalCheckFailedException", 400},
    {Code::kDuplicateItem, "DuplicateItemException", 400},
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
    {Code::kTableNotFound, "TableNotFoundException", 400},
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
  return s;
}

}  // namespace streamer
