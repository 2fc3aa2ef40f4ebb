// A table's (or index's) primary key: partition key and optional sort key,
// each a name and a scalar type ("S", "N" or "B").
#pragma once

#include <optional>
#include <string>

namespace streamer::dynamo {

struct KeyAttribute {
  std::string name;
  std::string type;  // "S", "N" or "B"
};

struct KeySchema {
  KeyAttribute partition;
  std::optional<KeyAttribute> sort;

  bool IsKeyAttribute(std::string_view name) const {
    return partition.name == name || (sort && sort->name == name);
  }
};

}  // namespace streamer::dynamo
