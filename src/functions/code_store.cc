#include "functions/code_store.h"

#include <fcntl.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include "core/base64.h"
#include "core/ids.h"

namespace streamer::functions {
namespace fs = std::filesystem;

namespace {

const char* kUnzipFailed = "Could not unzip uploaded file. Please check your file, then try to upload again.";

std::string Hex(const unsigned char* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 15]);
  }
  return out;
}

// An entry name as a relative path that stays inside its folder, or nothing.
std::optional<fs::path> SafeRelative(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos) return std::nullopt;
  const fs::path p{std::string(name)};
  fs::path out;
  for (const auto& part : p) {
    const std::string s = part.string();
    if (s.empty() || s == ".") continue;
    if (s == "..") return std::nullopt;
    out /= part;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// Unpacks every entry of `zip` into `dir` (which exists and is empty).
Status Extract(std::string_view zip, const fs::path& dir) {
  if (zip.empty()) return Status::Validation(kUnzipFailed);  // libzip would take it for an empty archive
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
  if (!src) return Status::Validation(kUnzipFailed);
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open_from_source(src, ZIP_RDONLY, &error));
  zip_error_fini(&error);
  if (!archive) {
    zip_source_free(src);
    return Status::Validation(kUnzipFailed);
  }
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  int64_t total = 0;
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* raw_name = zip_get_name(archive.get(), i, ZIP_FL_ENC_RAW);
    if (!raw_name) return Status::Validation(kUnzipFailed);
    std::string_view name(raw_name);
    const bool is_dir = !name.empty() && name.back() == '/';
    auto rel = SafeRelative(name);
    if (!rel) {
      if (is_dir && name.front() != '/' && name.find("..") == std::string_view::npos) continue;  // "./"
      return Status::Validation("Could not unzip uploaded file: the entry '" + std::string(name) +
                                "' would be written outside the function's folder.");
    }
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(archive.get(), i, 0, &opsys, &attributes);
    mode_t mode = opsys == ZIP_OPSYS_UNIX ? static_cast<mode_t>(attributes >> 16) : 0;
    const fs::path target = dir / *rel;
    std::error_code ec;
    if (is_dir || S_ISDIR(mode)) {
      fs::create_directories(target, ec);
      if (ec) return Status::Validation(kUnzipFailed);
      continue;
    }
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Status::Validation(kUnzipFailed);
    std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(archive.get(), i, 0));
    if (!file) return Status::Validation(kUnzipFailed);
    char buf[64 * 1024];
    if (S_ISLNK(mode)) {
      std::string content;
      for (;;) {
        zip_int64_t n = zip_fread(file.get(), buf, sizeof buf);
        if (n < 0 || content.size() + static_cast<size_t>(n) > 4096) return Status::Validation(kUnzipFailed);
        if (n == 0) break;
        content.append(buf, static_cast<size_t>(n));
      }
      // A symlink may only point inside the folder (relative, no escape).
      const fs::path link_target(content);
      const fs::path resolved = (rel->parent_path() / link_target).lexically_normal();
      if (content.empty() || link_target.is_absolute() || resolved.empty() || *resolved.begin() == "..") {
        return Status::Validation("Could not unzip uploaded file: the symlink '" + std::string(name) +
                                  "' points outside the function's folder.");
      }
      fs::create_symlink(link_target, target, ec);
      if (ec) return Status::Validation(kUnzipFailed);
      continue;
    }
    // O_NOFOLLOW|O_EXCL: never write through a symlink or over another entry.
    int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Validation(kUnzipFailed);
    auto write_all = [fd](const char* p, size_t n) {
      while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0) return false;
        p += w;
        n -= static_cast<size_t>(w);
      }
      return true;
    };
    bool ok = true;
    while (ok) {
      zip_int64_t n = zip_fread(file.get(), buf, sizeof buf);
      if (n < 0) ok = false;
      if (n <= 0) break;
      total += n;
      if (total > kMaxUnzippedBytes) {
        ::close(fd);
        return Status::Validation("Unzipped size must be smaller than " + std::to_string(kMaxUnzippedBytes) +
                                  " bytes");
      }
      ok = write_all(buf, static_cast<size_t>(n));
    }
    // Permissions as zipped (so a bootstrap stays executable), at least
    // readable by us; without Unix attributes, Lambda's default 0644.
    mode_t perms = (mode & 07777) ? (mode & 0777) | 0400 : 0644;
    ::fchmod(fd, perms);
    if (::close(fd) != 0) ok = false;
    if (!ok) return Status::Validation(kUnzipFailed);
  }
  return Status::Ok();
}

}  // namespace

CodeStore::CodeStore(std::string root) : root_(std::move(root)) {}

std::string CodeStore::DirOf(const std::string& function, const std::string& sha256_hex) const {
  return (fs::path(root_) / function / sha256_hex).string();
}

Result<CodeInfo> CodeStore::Unpack(const std::string& function, std::string_view zip) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(zip.data()), zip.size(), digest);
  CodeInfo info;
  info.sha256_base64 = Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
  info.sha256_hex = Hex(digest, sizeof digest);
  info.size = static_cast<int64_t>(zip.size());
  info.dir = DirOf(function, info.sha256_hex);
  std::error_code ec;
  if (fs::is_directory(info.dir, ec)) return info;  // the same code, already unpacked
  const fs::path parent = fs::path(root_) / function;
  fs::create_directories(parent, ec);
  if (ec) return Status::IOError("cannot create " + parent.string() + ": " + ec.message());
  const fs::path tmp = parent / (".tmp-" + RandomHex(8));
  fs::create_directory(tmp, ec);
  if (ec) return Status::IOError("cannot create " + tmp.string() + ": " + ec.message());
  Status st = Extract(zip, tmp);
  if (st.ok()) {
    fs::rename(tmp, info.dir, ec);
    if (ec) st = Status::IOError("cannot move code into " + info.dir + ": " + ec.message());
  }
  if (!st.ok()) {
    fs::remove_all(tmp, ec);
    return st;
  }
  ::sync();  // the code outlives a crash as its catalog entry does
  return info;
}

void CodeStore::RemoveExcept(const std::string& function, const std::string& keep_hex) {
  std::error_code ec;
  const fs::path parent = fs::path(root_) / function;
  if (keep_hex.empty()) {
    fs::remove_all(parent, ec);
    return;
  }
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() != keep_hex) fs::remove_all(it->path(), ec);
  }
}

}  // namespace streamer::functions

namespace streamer::functions {

void CodeStore::RemoveFunctionsExcept(const std::set<std::string>& names) {
  std::error_code ec;
  for (fs::directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    if (!names.count(it->path().filename().string())) fs::remove_all(it->path(), ec);
  }
}

}  // namespace streamer::functions
