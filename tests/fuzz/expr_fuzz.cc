// libFuzzer target: the expression parsers (dynamo/expr). The first byte
// picks the kind (condition, update, projection, key condition), the rest is
// the expression, parsed with fixed ExpressionAttributeNames/Values (the
// placeholders the case files under tests/cases/expr use) and, when it
// parses, evaluated / applied on a fixed item.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json.h"
#include "dynamo/expr/condition.h"
#include "dynamo/expr/key_condition.h"
#include "dynamo/expr/projection.h"
#include "dynamo/expr/update.h"

using namespace streamer;
using namespace streamer::dynamo;

namespace {

struct Fixture {
  json::object names, values, item;
  KeySchema schema{{"pk", "S"}, KeyAttribute{"sk", "N"}};
  Fixture() {
    names = ParseJson(R"({"#s":"s","#b":"b","#a":"a","#x":"x","#pk":"pk","#p":"p","#n":"n",
        "#ab":"a.b","#sk":"sk","#l":"l","#m":"m"})")->as_object();
    values = ParseJson(R"({":v":{"N":"1"},":p":{"S":"k"},":s":{"S":"x"},":one":{"N":"1"},
        ":n":{"N":"-2.5"},":lo":{"N":"0"},":hi":{"N":"9E+10"},":b":{"B":"AQI="},":a":{"S":"a"},
        ":t":{"S":"S"},":x":{"L":[{"S":"x"},{"N":"2"}]},":two":{"N":"2"},":three":{"N":"3"},
        ":zero":{"N":"0"},":z":{"S":"z"},":w":{"SS":["a","b"]},":q":{"NS":["1","2"]},
        ":pre":{"S":"pre"},":m":{"M":{"k":{"S":"v"}}},":l":{"L":[]},":e":{"S":""},
        ":bs":{"BS":["AQ==","Ag=="]},":t1":{"BOOL":true},":null":{"NULL":true}})")->as_object();
    item = ParseJson(R"({"pk":{"S":"k"},"sk":{"N":"7"},"s":{"S":"xyz"},"n":{"N":"1.5"},
        "a":{"M":{"b":{"L":[{"N":"1"},{"M":{"c":{"S":"d"}}}]}}},"l":{"L":[{"S":"x"},{"N":"2"}]},
        "m":{"M":{"k":{"S":"v"}}},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},
        "b":{"B":"AQI="},"t":{"BOOL":false},"z":{"NULL":true}})")->as_object();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture f;
  if (size == 0) return 0;
  const expr::AttributeMaps maps{&f.names, &f.values};
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto c = expr::ParseCondition(text, maps);
      if (c) {
        (void)expr::Evaluate(c->root, &f.item);
        (void)expr::Evaluate(c->root, nullptr);
      }
      break;
    }
    case 1: {
      auto u = expr::ParseUpdate(text, maps);
      if (u) {
        (void)expr::ApplyUpdate(*u, f.item, &f.schema);
        (void)expr::ApplyUpdate(*u, json::object());
      }
      break;
    }
    case 2: {
      auto p = expr::ParseProjection(text, maps);
      if (p) (void)expr::Project(f.item, p->paths);
      break;
    }
    case 3:
      (void)expr::ParseKeyCondition(text, maps, f.schema);
      break;
  }
  return 0;
}
