#include "gateway/method_request.h"

#include <boost/algorithm/string/predicate.hpp>

namespace streamer::gateway {

std::string MediaType(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

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
