// RequestValidator: which validator applies, required parameters, the body
// model by content type, and API Gateway's answers.
#include "gateway/validation/request_validator.h"

#include <gtest/gtest.h>

namespace streamer::gateway {
namespace {

stack::ApiSpec Api() {
  stack::ApiSpec api;
  api.name = "Shop";
  api.request_validators["all"] = {true, true};
  api.request_validators["body"] = {true, false};
  api.request_validators["params"] = {false, true};
  api.request_validators["none"] = {false, false};
  api.models["Item"] = R"({"type":"object","required":["id","url"],
    "properties":{"id":{"type":"string","pattern":"^[a-z0-9]{3,10}$"},
                  "url":{"$ref":"#/definitions/Url"},
                  "kind":{"enum":["a","b"]}}})";
  api.models["Url"] = R"({"type":"string","pattern":"^https?://[^ ]+$"})";
  api.models["Text"] = R"({"type":"string"})";
  api.models["Broken"] = R"({"type":"strnig"})";
  return api;
}

stack::RouteSpec Route(const std::string& validator) {
  stack::RouteSpec r;
  r.method = "POST";
  r.path = "/items/{id}";
  r.request_validator = validator;
  r.request_parameters = {{"method.request.querystring.owner", true},
                          {"method.request.header.X-Tenant", true},
                          {"method.request.path.id", true},
                          {"method.request.querystring.optional", false}};
  r.request_models = {{"application/json", "Item"}};
  return r;
}

MethodRequest Request(std::string body) {
  MethodRequest m;
  m.method = "POST";
  m.resource_path = "/items/{id}";
  m.path = "/items/abc";
  m.path_params = {{"id", "abc"}};
  m.query = {{"owner", "me"}};
  m.headers = {{"x-tenant", "t1"}, {"Content-Type", "application/json"}};
  m.content_type = "application/json";
  m.body = std::move(body);
  return m;
}

const char* kGood = R"({"id":"abc123","url":"https://example.com/x","kind":"a"})";

std::unique_ptr<RequestValidator> Compile(const stack::ApiSpec& api, const stack::RouteSpec& route) {
  auto v = RequestValidator::Compile(api, route);
  EXPECT_TRUE(v.ok()) << v.status().message();
  return v.ok() ? std::move(*v) : nullptr;
}

TEST(RequestValidator, NoValidatorOrNothingToCheckIsNull) {
  const auto api = Api();
  EXPECT_EQ(Compile(api, Route("")), nullptr);
  EXPECT_EQ(Compile(api, Route("none")), nullptr);
  auto r = Route("body");
  r.request_models.clear();
  EXPECT_EQ(Compile(api, r), nullptr);
}

TEST(RequestValidator, ValidRequestPasses) {
  auto v = Compile(Api(), Route("all"));
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->Validate(Request(kGood)));
}

TEST(RequestValidator, MissingParametersAreListedInOneAnswer) {
  auto v = Compile(Api(), Route("all"));
  ASSERT_TRUE(v);
  auto m = Request(kGood);
  m.query.clear();
  m.headers = {{"Content-Type", "application/json"}};
  auto e = v->Validate(m);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->response_type, "BAD_REQUEST_PARAMETERS");
  EXPECT_EQ(e->status, 400);
  EXPECT_EQ(e->message, "Missing required request parameters: [X-Tenant, owner]");
}

TEST(RequestValidator, BlankParameterIsMissingHeaderNameIsCaseInsensitive) {
  auto v = Compile(Api(), Route("params"));
  ASSERT_TRUE(v);
  auto m = Request("not json at all");  // params-only: the body is not looked at
  EXPECT_FALSE(v->Validate(m));
  m.query = {{"owner", ""}};
  auto e = v->Validate(m);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "Missing required request parameters: [owner]");
  m.query = {{"owner", ""}, {"owner", "x"}};  // the last value counts
  EXPECT_FALSE(v->Validate(m));
  m.headers = {{"X-TENANT", "t"}};
  EXPECT_FALSE(v->Validate(m));
  m.path_params.clear();
  e = v->Validate(m);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "Missing required request parameters: [id]");
}

TEST(RequestValidator, ParametersAreCheckedBeforeTheBody) {
  auto v = Compile(Api(), Route("all"));
  ASSERT_TRUE(v);
  auto m = Request("{");
  m.query.clear();
  auto e = v->Validate(m);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->response_type, "BAD_REQUEST_PARAMETERS");
}

TEST(RequestValidator, BodyOnlyValidatorIgnoresParameters) {
  auto v = Compile(Api(), Route("body"));
  ASSERT_TRUE(v);
  auto m = Request(kGood);
  m.query.clear();
  m.headers.clear();
  EXPECT_FALSE(v->Validate(m));
}

TEST(RequestValidator, InvalidBodies) {
  auto v = Compile(Api(), Route("body"));
  ASSERT_TRUE(v);
  for (const char* body : {
           R"({"id":"abc123"})",                                       // url missing
           R"({"id":"AB","url":"https://example.com"})",               // pattern
           R"({"id":"abc123","url":"ftp://example.com"})",             // pattern in another model
           R"({"id":"abc123","url":"https://e.com","kind":"c"})",      // enum
           R"({"id":123,"url":"https://e.com"})",                      // type
           R"([1,2])",                                                  // not an object
           R"({"id":"abc123","url":"https://e.com"} trailing)",        // not JSON
           "{",                                                          // not JSON
           "",                                                           // empty: validated as {}
       }) {
    SCOPED_TRACE(body);
    auto e = v->Validate(Request(body));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->response_type, "BAD_REQUEST_BODY");
    EXPECT_EQ(e->status, 400);
    EXPECT_EQ(e->message, "Invalid request body");
  }
}

TEST(RequestValidator, ModelIsChosenByContentType) {
  const auto api = Api();
  auto route = Route("body");
  route.request_models = {{"application/json", "Item"}, {"text/plain", "Text"}};
  auto v = Compile(api, route);
  ASSERT_TRUE(v);
  auto m = Request("\"just text\"");
  m.content_type = "text/plain";
  EXPECT_FALSE(v->Validate(m));
  m.content_type = "application/json";
  EXPECT_TRUE(v->Validate(m));
  // No model for the type, no $default: the body is not validated.
  m.content_type = "application/xml";
  m.body = "<a/>";
  EXPECT_FALSE(v->Validate(m));
  // No content type: application/json.
  m.content_type = "";
  m.body = "{}";
  EXPECT_TRUE(v->Validate(m));
}

TEST(RequestValidator, DefaultModelAppliesToUnmatchedContentTypes) {
  const auto api = Api();
  auto route = Route("body");
  route.request_models = {{"$default", "Item"}, {"text/plain", "Text"}};
  auto v = Compile(api, route);
  ASSERT_TRUE(v);
  auto m = Request("<a/>");
  m.content_type = "application/xml";
  EXPECT_TRUE(v->Validate(m));
  m.body = kGood;
  EXPECT_FALSE(v->Validate(m));
  m.content_type = "text/plain";  // its own model wins over $default
  EXPECT_TRUE(v->Validate(m));
}

TEST(RequestValidator, ModelContentTypeMatchesCaseInsensitively) {
  auto route = Route("body");
  route.request_models = {{"Application/JSON", "Item"}};
  auto v = Compile(Api(), route);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->Validate(Request("{}")));
}

TEST(RequestValidator, CompileErrorsNameTheRouteAndModel) {
  const auto api = Api();
  auto r = Route("nope");
  auto v = RequestValidator::Compile(api, r);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("POST /items/{id}"), std::string::npos);
  EXPECT_NE(v.status().message().find("nope"), std::string::npos);

  r = Route("body");
  r.request_models = {{"application/json", "Missing"}};
  v = RequestValidator::Compile(api, r);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("Missing"), std::string::npos);

  r.request_models = {{"application/json", "Broken"}};
  v = RequestValidator::Compile(api, r);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("Broken"), std::string::npos) << v.status().message();

  r = Route("params");
  r.request_parameters = {{"method.request.cookie.x", true}};
  v = RequestValidator::Compile(api, r);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("method.request.cookie.x"), std::string::npos);
}

TEST(RequestValidator, BodyModelsAreIgnoredByAParamsOnlyValidator) {
  auto r = Route("params");
  r.request_models = {{"application/json", "Broken"}};  // never compiled
  auto v = RequestValidator::Compile(Api(), r);
  EXPECT_TRUE(v.ok());
}

}  // namespace
}  // namespace streamer::gateway
