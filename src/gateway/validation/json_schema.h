// JSON schema draft-04, as API Gateway validates request bodies against
// models (OpenAPI 3.0's `nullable` too). Compiled once; validating is
// bounded (depth and work) whatever the schema and the instance.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"

namespace streamer::gateway {

class JsonSchema {
 public:
  // Compiles `documents[root]`. A "$ref" reaches, in this order: a JSON
  // pointer in its own document ("#/definitions/X"); another document by
  // name ("#/definitions/Name" or "#/components/schemas/Name" when the
  // pointer does not resolve locally; "Name", ".../restapis/<id>/models/Name",
  // each optionally + "#/pointer").
  // Errors say which document and where.
  static Result<JsonSchema> Compile(const std::string& root,
                                    const std::map<std::string, std::string>& documents);
  // A self-contained schema (its $refs point into itself).
  static Result<JsonSchema> Compile(const json::value& schema);

  // True when `instance` is valid. Else, if `why` is given, a short reason
  // with the instance path ("/items/2: string longer than maxLength").
  bool Validate(const json::value& instance, std::string* why = nullptr) const;

  struct Compiled;

 private:
  explicit JsonSchema(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace streamer::gateway
