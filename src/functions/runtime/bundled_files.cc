#include "functions/runtime/bundled_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/hash.h"

namespace streamer::functions::runtime {
namespace {

namespace fs = std::filesystem;

bool SameContent(const fs::path& path, std::string_view content) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str() == content;
}

}  // namespace

bool IsBundled(std::string_view path) {
  for (const auto& f : BundledFiles()) {
    if (f.path == path) return true;
  }
  return false;
}

Result<std::string> WriteBundledFiles(const std::string& dir) {
  std::error_code ec;
  fs::path root;
  if (!dir.empty()) {
    root = fs::absolute(dir, ec);  // workers run in their code directory
    if (ec) return Status::IOError("bad runtime folder " + dir + ": " + ec.message());
  } else {
    uint64_t h = kFnvOffsetBasis;
    for (const auto& f : BundledFiles()) h = Fnv1a(f.content, Fnv1a(f.path, h));
    char name[64];
    std::snprintf(name, sizeof name, "streamer-bootstraps-%u-%016llx", static_cast<unsigned>(::getuid()),
                  static_cast<unsigned long long>(h));
    root = fs::temp_directory_path(ec) / name;
    if (ec) root = fs::path("/tmp") / name;
  }
  for (const auto& f : BundledFiles()) {
    fs::path target = root / fs::path(f.path);
    if (SameContent(target, f.content)) continue;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Status::IOError("cannot create " + target.parent_path().string() + ": " + ec.message());
    // Written beside and renamed: a worker starting meanwhile never sees half a file.
    fs::path temp = target;
    temp += ".tmp" + std::to_string(::getpid());
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out.write(f.content.data(), static_cast<std::streamsize>(f.content.size()));
      if (!out) return Status::IOError("cannot write " + temp.string());
    }
    ::chmod(temp.c_str(), 0755);
    fs::rename(temp, target, ec);
    if (ec) return Status::IOError("cannot write " + target.string() + ": " + ec.message());
  }
  return root.lexically_normal().string();
}

}  // namespace streamer::functions::runtime
