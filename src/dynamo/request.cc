#include "dynamo/request.h"

namespace streamer::dynamo {

namespace {
std::string LowerFirst(std::string_view member) {
  std::string s(member);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}
Status WrongType(std::string_view member) {
  return Status::Of(Code::kSerialization,
                       "Unexpected value type for member " + std::string(member));
}
}  // namespace

Result<expr::AttributeMaps> ExpressionMaps(const json::object& r) {
  auto names = OptionalObject(r, "ExpressionAttributeNames");
  if (!names) return names.status();
  auto values = OptionalObject(r, "ExpressionAttributeValues");
  if (!values) return values.status();
  expr::AttributeMaps maps{*names, *values};
  Status s = expr::ValidateAttributeMaps(maps);
  if (!s.ok()) return s;
  return maps;
}

Status CheckMapsHaveExpressions(const json::object& r, std::initializer_list<std::string_view> value_expressions,
                                std::initializer_list<std::string_view> name_only_expressions) {
  auto present = [&](std::string_view m) {
    const json::value* v = r.if_contains(m);
    return v && !v->is_null();
  };
  bool any_value_expression = false, any_expression = false;
  for (std::string_view e : value_expressions) any_value_expression |= present(e);
  any_expression = any_value_expression;
  for (std::string_view e : name_only_expressions) any_expression |= present(e);
  if (present("ExpressionAttributeNames") && !any_expression) {
    return Status::Validation("ExpressionAttributeNames can only be specified when using expressions");
  }
  if (value_expressions.size() > 0 && present("ExpressionAttributeValues") && !any_value_expression) {
    std::string names;
    size_t i = 0;
    for (std::string_view e : value_expressions) {
      if (i++) names += " and ";
      names += e;
    }
    return Status::Validation("ExpressionAttributeValues can only be specified when using expressions: " + names +
                              (value_expressions.size() > 1 ? " are null" : " is null"));
  }
  return Status::Ok();
}

Status ConstraintError(std::string_view value, std::string_view field, std::string_view constraint) {
  return Status::Validation("1 validation error detected: Value '" + std::string(value) + "' at '" +
                            std::string(field) + "' failed to satisfy constraint: " +
                            std::string(constraint));
}

Status CheckLength(const std::optional<std::string>& value, std::string_view field, size_t min, size_t max) {
  if (!value) return Status::Ok();
  if (value->size() < min) {
    return ConstraintError(*value, field, "Member must have length greater than or equal to " + std::to_string(min));
  }
  if (value->size() > max) {
    return ConstraintError(*value, field, "Member must have length less than or equal to " + std::to_string(max));
  }
  return Status::Ok();
}

Result<std::optional<std::string>> OptionalString(const json::object& r, std::string_view member) {
  const json::value* v = r.if_contains(member);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(member);
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::string> TableNameOf(const json::object& r, std::string_view member) {
  auto name = OptionalString(r, member);
  if (!name) return name.status();
  const std::string field = LowerFirst(member);
  if (!*name) {
    return Status::Validation("1 validation error detected: Value null at '" + field +
                              "' failed to satisfy constraint: Member must not be null");
  }
  const std::string& n = **name;
  if (n.size() < 3) return ConstraintError(n, field, "Member must have length greater than or equal to 3");
  if (n.size() > 255) return ConstraintError(n, field, "Member must have length less than or equal to 255");
  for (char c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
      return ConstraintError(n, field, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
  }
  return n;
}

Result<std::optional<bool>> OptionalBool(const json::object& r, std::string_view member) {
  const json::value* v = r.if_contains(member);
  if (!v || v->is_null()) return std::optional<bool>();
  if (!v->is_bool()) return WrongType(member);
  return std::optional<bool>(v->get_bool());
}

Status CheckAcceptedMembers(const json::object& r, RequestKind kind) {
  auto check_enum = [&](std::string_view member, std::initializer_list<std::string_view> values,
                        std::string_view value_set) -> Status {
    auto v = OptionalString(r, member);
    if (!v) return v.status();
    if (!*v) return Status::Ok();
    for (std::string_view ok : values) {
      if (**v == ok) return Status::Ok();
    }
    return ConstraintError(**v, LowerFirst(member), "Member must satisfy enum value set: " + std::string(value_set));
  };
  if (kind == RequestKind::kRead) {
    auto consistent = OptionalBool(r, "ConsistentRead");
    if (!consistent) return consistent.status();
  }
  Status s = check_enum("ReturnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"}, "[INDEXES, TOTAL, NONE]");
  if (!s.ok() || kind == RequestKind::kRead) return s;
  return check_enum("ReturnItemCollectionMetrics", {"SIZE", "NONE"}, "[SIZE, NONE]");
}

Result<const json::object*> OptionalObject(const json::object& r, std::string_view member) {
  const json::value* v = r.if_contains(member);
  if (!v || v->is_null()) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) return WrongType(member);
  return &v->as_object();
}

Result<std::optional<int64_t>> OptionalInt(const json::object& r, std::string_view member,
                                           int64_t min, int64_t max, std::string_view parent) {
  const json::value* v = r.if_contains(member);
  if (!v || v->is_null()) return std::optional<int64_t>();
  int64_t n;
  if (v->is_int64()) n = v->as_int64();
  else if (v->is_uint64() && v->as_uint64() <= INT64_MAX) n = static_cast<int64_t>(v->as_uint64());
  else return WrongType(member);
  const std::string field = (parent.empty() ? "" : std::string(parent) + ".") + LowerFirst(member);
  if (n < min) return ConstraintError(std::to_string(n), field, "Member must have value greater than or equal to " + std::to_string(min));
  if (n > max) return ConstraintError(std::to_string(n), field, "Member must have value less than or equal to " + std::to_string(max));
  return std::optional<int64_t>(n);
}

}  // namespace streamer::dynamo
