// Data-driven test corpora (tests/cases/<kind>/*.txt): each case is a
// "=== title" line followed by "field: value" lines; blank lines and lines
// starting with '#' are ignored. Header-only: used by unit tests.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace streamer {

struct CaseBlock {
  std::string file;  // file name, for messages
  int line = 0;      // the "===" line
  std::string title;
  std::map<std::string, std::string> fields;
};

// Every case of every *.txt in `dir` (files in name order). A line that is
// neither a title nor "field: value" is appended to `bad_lines` as
// "file:line: text".
inline std::vector<CaseBlock> LoadCaseFiles(const std::string& dir, std::vector<std::string>* bad_lines) {
  std::vector<CaseBlock> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.rfind("===", 0) == 0) {
        cases.push_back({path.filename().string(), n, line.substr(3), {}});
        continue;
      }
      if (line.empty() || line[0] == '#' || cases.empty()) continue;
      const size_t colon = line.find(": ");
      if (colon == std::string::npos) {
        bad_lines->push_back(path.filename().string() + ":" + std::to_string(n) + ": " + line);
        continue;
      }
      cases.back().fields[line.substr(0, colon)] = line.substr(colon + 2);
    }
  }
  return cases;
}

}  // namespace streamer
