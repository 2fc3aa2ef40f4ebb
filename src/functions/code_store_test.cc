// CodeStore: unpacking uploaded zips (modes kept, nested folders, symlinks
// inside the folder) and refusing every zip that would write outside it.
#include "functions/code_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace streamer::functions {
namespace {
namespace fs = std::filesystem;

struct Entry {
  std::string name;
  std::string content;
  unsigned mode = S_IFREG | 0644;
};

// A zip in memory, written with libzip (entries with Unix attributes).
std::string MakeZip(const std::vector<Entry>& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(src);
  zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &error);
  for (const Entry& e : entries) {
    zip_source_t* data = zip_source_buffer(z, e.content.data(), e.content.size(), 0);
    zip_int64_t index = e.name.back() == '/' ? zip_dir_add(z, e.name.c_str(), ZIP_FL_ENC_UTF_8)
                                             : zip_file_add(z, e.name.c_str(), data, ZIP_FL_ENC_UTF_8);
    if (e.name.back() == '/') zip_source_free(data);
    zip_file_set_external_attributes(z, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX, e.mode << 16);
  }
  zip_close(z);
  zip_source_open(src);
  zip_source_seek(src, 0, SEEK_END);
  const zip_int64_t size = zip_source_tell(src);
  zip_source_seek(src, 0, SEEK_SET);
  std::string out(static_cast<size_t>(size), '\0');
  zip_source_read(src, out.data(), static_cast<zip_uint64_t>(size));
  zip_source_close(src);
  zip_source_free(src);
  zip_error_fini(&error);
  return out;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CodeStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("code-store-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  // Nothing but the store's root (and empty function folders) exists.
  void ExpectNothingUnpacked() {
    std::vector<std::string> files;
    if (fs::exists(root_)) {
      for (const auto& e : fs::recursive_directory_iterator(root_)) {
        if (!e.is_directory()) files.push_back(e.path().string());
      }
    }
    EXPECT_EQ(files, std::vector<std::string>{});
    EXPECT_FALSE(fs::exists(root_.parent_path() / "escape.txt"));
  }
  fs::path root_;
};

TEST_F(CodeStoreTest, UnpacksWithModesAndFolders) {
  CodeStore store(root_.string());
  const std::string zip = MakeZip({{"app.py", "def handler(e, c): pass\n"},
                                   {"bootstrap", "#!/bin/sh\n", S_IFREG | 0755},
                                   {"pkg/", "", S_IFDIR | 0755},
                                   {"pkg/sub/mod.py", "X = 1\n"},
                                   {"./dot.txt", "dot"},
                                   {"link.py", "pkg/sub/mod.py", S_IFLNK | 0777}});
  auto info = store.Unpack("fn", zip);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->size, static_cast<int64_t>(zip.size()));
  EXPECT_EQ(info->sha256_hex.size(), 64u);
  EXPECT_EQ(info->sha256_base64.size(), 44u);
  EXPECT_EQ(info->dir, (root_ / "fn" / info->sha256_hex).string());
  const fs::path dir(info->dir);
  EXPECT_EQ(Read(dir / "app.py"), "def handler(e, c): pass\n");
  EXPECT_EQ(Read(dir / "pkg" / "sub" / "mod.py"), "X = 1\n");
  EXPECT_EQ(Read(dir / "dot.txt"), "dot");
  EXPECT_TRUE(fs::is_symlink(dir / "link.py"));
  EXPECT_EQ(Read(dir / "link.py"), "X = 1\n");
  EXPECT_EQ(::access((dir / "bootstrap").c_str(), X_OK), 0);
  EXPECT_NE(::access((dir / "app.py").c_str(), X_OK), 0);

  // The same zip again: the same folder.
  auto again = store.Unpack("fn", zip);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->dir, info->dir);

  // Another version, then only it kept.
  auto next = store.Unpack("fn", MakeZip({{"app.py", "v2"}}));
  ASSERT_TRUE(next.ok());
  EXPECT_NE(next->dir, info->dir);
  store.RemoveExcept("fn", next->sha256_hex);
  EXPECT_FALSE(fs::exists(info->dir));
  EXPECT_EQ(Read(fs::path(next->dir) / "app.py"), "v2");
  store.RemoveExcept("fn", "");
  EXPECT_FALSE(fs::exists(root_ / "fn"));
}

TEST_F(CodeStoreTest, EmptyZipIsAnEmptyFolder) {
  CodeStore store(root_.string());
  // The end-of-central-directory record alone (libzip writes no file for no entries).
  auto info = store.Unpack("fn", std::string("PK\x05\x06", 4) + std::string(18, '\0'));
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_TRUE(fs::is_empty(info->dir));
}

struct BadZip {
  const char* name;
  std::vector<Entry> entries;
  const char* message;
};

TEST_F(CodeStoreTest, RefusesWhatWouldLeaveTheFolder) {
  const std::vector<BadZip> cases = {
      {"parent", {{"../escape.txt", "x"}}, "outside"},
      {"nested_parent", {{"a/../../escape.txt", "x"}}, "outside"},
      {"deep_parent", {{"a/b/../../../escape.txt", "x"}}, "outside"},
      {"absolute", {{"/tmp/escape.txt", "x"}}, "outside"},
      {"backslash", {{"..\\escape.txt", "x"}}, "outside"},
      {"symlink_absolute", {{"l", "/etc/passwd", S_IFLNK | 0777}}, "symlink"},
      {"symlink_parent", {{"l", "../../escape.txt", S_IFLNK | 0777}}, "symlink"},
      {"symlink_nested_parent", {{"a/l", "../..", S_IFLNK | 0777}}, "symlink"},
      // A later entry written through an earlier symlink: the symlink is refused first.
      {"through_symlink", {{"d", "..", S_IFLNK | 0777}, {"d/escape.txt", "x"}}, "symlink"},
  };
  for (const BadZip& c : cases) {
    SCOPED_TRACE(c.name);
    CodeStore store(root_.string());
    auto info = store.Unpack("fn", MakeZip(c.entries));
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.status().code(), Code::kValidation);
    EXPECT_NE(info.status().message().find(c.message), std::string::npos) << info.status().message();
    ExpectNothingUnpacked();
  }
}

TEST_F(CodeStoreTest, RefusesWhatIsNotAZip) {
  CodeStore store(root_.string());
  for (std::string bytes : {std::string(), std::string("not a zip"), MakeZip({{"a", "b"}}).substr(0, 30)}) {
    auto info = store.Unpack("fn", bytes);
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.status().message(),
              "Could not unzip uploaded file. Please check your file, then try to upload again.");
  }
  ExpectNothingUnpacked();
}

}  // namespace
}  // namespace streamer::functions
