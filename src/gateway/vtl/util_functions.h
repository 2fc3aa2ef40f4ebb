// The string functions behind API Gateway's $util, exposed for tests and for
// other gateway code that needs the same escaping.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace streamer::vtl {

// $util.escapeJavaScript: Apache Commons Lang 2 StringEscapeUtils.escapeJavaScript
// (what API Gateway documents): \' \" \\ \/ \b \f \n \r \t, other control
// characters and every non-ASCII UTF-16 unit as \uXXXX (upper-case hex).
// Note the AWS doc's warning: \' is not valid JSON.
std::string EscapeJavaScript(std::string_view s);

// $util.urlEncode / urlDecode: java.net.URLEncoder/URLDecoder with UTF-8
// (application/x-www-form-urlencoded: space <-> '+', keeps A-Za-z0-9 . - * _).
std::string UrlEncode(std::string_view s);
std::optional<std::string> UrlDecode(std::string_view s);  // nullopt on a bad % escape

// $util.base64Encode / base64Decode: standard alphabet with padding.
std::string Base64Encode(std::string_view s);
std::optional<std::string> Base64Decode(std::string_view s);  // nullopt when not base64

}  // namespace streamer::vtl
