#include "gateway/validation/request_validator.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "gateway/validation/json_schema.h"

namespace streamer::gateway {

namespace {

enum class Where { kPath, kQuery, kHeader };

struct RequiredParameter {
  Where where;
  std::string name;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "Present and not blank" (API Gateway checks nothing else of a parameter);
// a repeated one counts by its last value, as the integration sees it.
bool Present(const MethodRequest& r, const RequiredParameter& p) {
  const std::string* value = nullptr;
  switch (p.where) {
    case Where::kPath: {
      auto it = r.path_params.find(p.name);
      if (it != r.path_params.end()) value = &it->second;
      break;
    }
    case Where::kQuery:
      for (const auto& [k, v] : r.query) {
        if (k == p.name) value = &v;
      }
      break;
    case Where::kHeader:
      for (const auto& [k, v] : r.headers) {
        if (EqualsIgnoreCase(k, p.name)) value = &v;
      }
      break;
  }
  return value && value->find_first_not_of(" \t") != std::string::npos;
}

}  // namespace

struct RequestValidator::Impl {
  std::string route;  // "POST /items", for logs
  std::vector<RequiredParameter> required;
  // content type (lower case) or "$default" -> the model's schema
  std::vector<std::pair<std::string, JsonSchema>> models;
  std::vector<std::string> model_names;  // parallel to models, for logs
};

RequestValidator::RequestValidator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RequestValidator::~RequestValidator() = default;

Result<std::unique_ptr<RequestValidator>> RequestValidator::Compile(const stack::ApiSpec& api,
                                                                    const stack::RouteSpec& route) {
  const std::string where = "API " + api.name + ", route " + route.method + " " + route.path;
  if (route.request_validator.empty()) return std::unique_ptr<RequestValidator>();
  auto spec = api.request_validators.find(route.request_validator);
  if (spec == api.request_validators.end()) {
    return Status::Validation(where + ": no request validator named " + route.request_validator);
  }
  auto impl = std::make_unique<Impl>();
  impl->route = route.method + " " + route.path;
  if (spec->second.validate_parameters) {
    for (const auto& [name, required] : route.request_parameters) {
      static constexpr std::string_view kPrefix = "method.request.";
      if (name.rfind(kPrefix, 0) != 0) {
        return Status::Validation(where + ": request parameter " + name + " is not method.request.<where>.<name>");
      }
      const std::string_view rest = std::string_view(name).substr(kPrefix.size());
      const size_t dot = rest.find('.');
      const std::string_view kind = rest.substr(0, dot);
      const std::string param = dot == std::string_view::npos ? "" : std::string(rest.substr(dot + 1));
      Where w;
      if (kind == "path") {
        w = Where::kPath;
      } else if (kind == "querystring" || kind == "multivaluequerystring") {
        w = Where::kQuery;
      } else if (kind == "header" || kind == "multivalueheader") {
        w = Where::kHeader;
      } else {
        return Status::Validation(where + ": request parameter " + name +
                                  " is not in path, querystring or header");
      }
      if (param.empty()) return Status::Validation(where + ": request parameter " + name + " has no name");
      if (required) impl->required.push_back({w, param});
    }
  }
  if (spec->second.validate_body) {
    for (const auto& [content_type, model] : route.request_models) {
      if (!api.models.count(model)) {
        return Status::Validation(where + ": no model named " + model + " (for " + content_type + ")");
      }
      auto schema = JsonSchema::Compile(model, api.models);
      if (!schema.ok()) return Status::Validation(where + ": " + schema.status().message());
      impl->models.emplace_back(content_type == "$default" ? content_type : Lower(content_type), std::move(*schema));
      impl->model_names.push_back(model);
    }
  }
  if (impl->required.empty() && impl->models.empty()) return std::unique_ptr<RequestValidator>();
  return std::unique_ptr<RequestValidator>(new RequestValidator(std::move(impl)));
}

std::optional<GatewayError> RequestValidator::Validate(const MethodRequest& request) const {
  // Parameters first: a request missing both gets the parameters' answer.
  std::string missing;
  for (const auto& p : impl_->required) {
    if (Present(request, p)) continue;
    missing += (missing.empty() ? "" : ", ") + p.name;
  }
  if (!missing.empty()) {
    return GatewayError{"BAD_REQUEST_PARAMETERS", 400, "Missing required request parameters: [" + missing + "]"};
  }
  if (impl_->models.empty()) return std::nullopt;
  // The model for the request's content type (none sent: application/json),
  // else the $default model, else no body validation at all.
  const std::string content_type = request.content_type.empty() ? "application/json" : request.content_type;
  const JsonSchema* schema = nullptr;
  const std::string* model = nullptr;
  for (int pass = 0; pass < 2 && !schema; ++pass) {
    for (size_t i = 0; i < impl_->models.size(); ++i) {
      if (impl_->models[i].first == (pass == 0 ? content_type : "$default")) {
        schema = &impl_->models[i].second;
        model = &impl_->model_names[i];
        break;
      }
    }
  }
  if (!schema) return std::nullopt;
  // An empty body is validated as {} (a model's required members still apply).
  auto body = request.body.empty() ? Result<json::value>(json::object()) : ParseJson(request.body);
  std::string why;
  if (!body.ok()) {
    why = "the body is not JSON";
  } else if (schema->Validate(*body, &why)) {
    return std::nullopt;
  }
  // $context.error.validationErrorString is not modelled; the detail goes to the log.
  // One write per line, so lines from several threads do not interleave.
  std::cerr << ("gateway: " + impl_->route + ": invalid request body (model " + *model + "): " + why + "\n");
  return GatewayError{"BAD_REQUEST_BODY", 400, "Invalid request body"};
}

}  // namespace streamer::gateway
