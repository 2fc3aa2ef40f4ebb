#include "gateway/method_request.h"

#include <boost/algorithm/string/predicate.hpp>

namespace streamer::gateway {

const std::string* MethodRequest::Header(std::string_view name) const {
  const std::string* found = nullptr;
  for (const auto& [k, v] : headers) {
    if (boost::iequals(k, name)) found = &v;
  }
  return found;
}

const std::string* MethodRequest::Query(std::string_view name) const {
  const std::string* found = nullptr;
  for (const auto& [k, v] : query) {
    if (k == name) found = &v;
  }
  return found;
}

std::string MethodRequest::MethodArn() const {
  return "arn:aws:execute-api:" + region + ":" + account + ":" + api_id + "/" + stage + "/" + method + path;
}

}  // namespace streamer::gateway
