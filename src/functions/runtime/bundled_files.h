// The bootstraps compiled into the binary (bootstraps/**, embedded at build
// time by embed_files.cmake), and where they are written out to be run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace streamer::functions::runtime {

struct BundledFile {
  std::string_view path;  // relative, e.g. "python/bootstrap.py"
  std::string_view content;
};

const std::vector<BundledFile>& BundledFiles();
bool IsBundled(std::string_view path);

// Writes every bundled file under `dir` ("" = a folder of the temporary
// directory named after their content, shared by runs of the same build)
// unless already there with the same content; returns the folder used.
Result<std::string> WriteBundledFiles(const std::string& dir);

}  // namespace streamer::functions::runtime
