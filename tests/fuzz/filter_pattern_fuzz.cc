// libFuzzer target: Lambda's filter patterns (functions/mappings). The input
// is a pattern; when it parses it is matched against fixed records (a
// DynamoDB stream record, and records with arrays, nulls and odd types).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "functions/mappings/filter_pattern.h"

using namespace streamer;

namespace {

struct Records {
  std::vector<json::value> all;
  Records() {
    for (const char* text : {
             R"({"eventID":"1","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{
                 "Keys":{"id":{"S":"k1"}},"NewImage":{"id":{"S":"k1"},"n":{"N":"5"},
                 "l":{"L":[{"S":"a"},{"N":"1"}]},"b":{"BOOL":true},"z":{"NULL":true}},
                 "SequenceNumber":"100","SizeBytes":26}})",
             R"({"a":[1,"x",null,true,[2,[3]],{"b":"c"}],"b":{"c":{"d":[]}},"n":-0.5,"u":18446744073709551615})",
             R"({"a":"x","b":300,"c":3e2,"d":"","e":{},"f":[]})",
         }) {
      all.push_back(*ParseJson(text));
    }
    all.emplace_back(json::array{1, "x"});
    all.emplace_back(nullptr);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Records records;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = functions::FilterPattern::Parse(text);
  if (p.ok()) {
    for (const json::value& r : records.all) (void)p->Matches(r);
  }
  // Two filters: the pattern twice (criteria parsing and OR).
  auto c = functions::FilterCriteria::Parse({std::string(text), std::string(text)});
  if (c.ok()) (void)c->Matches(records.all[0]);
  return 0;
}
