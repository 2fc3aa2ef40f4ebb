// Function code uploaded through the Lambda API (CreateFunction /
// UpdateFunctionCode ZipFile): unpacked under <data dir>/functions/<name>/<sha>/
// and kept there across restarts. Unpacking is zip-slip safe (an entry or a
// symlink that would land outside the folder refuses the whole zip) and keeps
// the Unix permission bits a zip carries, so a `provided` bootstrap stays
// executable. A zip is unpacked into a temporary folder and renamed into place,
// so a crash never leaves a half-unpacked code folder that looks complete.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"

namespace streamer::functions {

struct CodeInfo {
  std::string sha256_base64;  // Lambda's CodeSha256: base64 of the zip's SHA-256
  std::string sha256_hex;     // the code folder's name
  int64_t size = 0;           // CodeSize: the zip's size in bytes
  std::string dir;            // where it was unpacked
};

// Lambda's limit on the unpacked size of a function's code.
inline constexpr int64_t kMaxUnzippedBytes = 262144000;

class CodeStore {
 public:
  explicit CodeStore(std::string root);  // <data dir>/functions
  // Unpacks `zip` for `function`. A zip that cannot be read, escapes its
  // folder or unpacks past kMaxUnzippedBytes is a Validation status whose
  // message is Lambda's InvalidParameterValueException message.
  Result<CodeInfo> Unpack(const std::string& function, std::string_view zip);
  // Removes the function's code folders except `keep_hex` ("" = all of them).
  void RemoveExcept(const std::string& function, const std::string& keep_hex);
  // Removes the code of every function not in `names` (a create or delete
  // that a crash interrupted).
  void RemoveFunctionsExcept(const std::set<std::string>& names);
  std::string DirOf(const std::string& function, const std::string& sha256_hex) const;

 private:
  std::string root_;
};

}  // namespace streamer::functions
