// Authentication and the role matrix over every route of the route table.
#include <regex>

#include <gtest/gtest.h>

#include "support/test_server.h"

namespace tocsin::test {
namespace {

class AuthTest : public ::testing::Test {
 protected:
  TestServer server_;
};

TEST_F(AuthTest, MissingMalformedAndUnknownKeysAre401) {
  HttpClient anon = server_.Anonymous();
  auto none = anon.Get("/api/v1/contacts");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer realm=\"tocsin\"");
  EXPECT_EQ(anon.Send("GET", "/api/v1/contacts", "", {{"Authorization", "Basic abc"}}).status, 401);
  EXPECT_EQ(anon.Send("GET", "/api/v1/contacts", "", {{"Authorization", "Bearer nope"}}).status,
            401);
  EXPECT_EQ(anon.Send("GET", "/api/v1/contacts", "",
                      {{"Authorization", "bearer " + std::string(kAdminToken)}})
                .status,
            200);
}

TEST_F(AuthTest, KeysAreCreatedShownOnceListedWithoutSecretAndRevocable) {
  HttpClient admin = server_.Admin();
  auto created = admin.Post("/api/v1/api-keys", {{"name", "ci"}, {"role", "viewer"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token = created.json()["token"];
  const std::string id = created.json()["id"];
  EXPECT_EQ(token.rfind("tcn_", 0), 0u);
  EXPECT_EQ(created.json()["prefix"], token.substr(0, 8));

  auto list = admin.Get("/api/v1/api-keys");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(token), std::string::npos);  // The secret never comes back.
  EXPECT_EQ(list.json()["items"].size(), 2u);

  HttpClient viewer(server_.port());
  viewer.SetToken(token);
  EXPECT_EQ(viewer.Get("/api/v1/contacts").status, 200);
  EXPECT_EQ(viewer.Post("/api/v1/contacts", {{"alias", "x"}}).status, 403);
  EXPECT_EQ(admin.Delete("/api/v1/api-keys/" + id).status, 204);
  EXPECT_EQ(viewer.Get("/api/v1/contacts").status, 401);  // Revoked at once, despite the cache.
}

TEST_F(AuthTest, ExpiredKeyIsRefused) {
  HttpClient admin = server_.Admin();
  const auto soon = FormatRfc3339(server_.clock().Now() + std::chrono::minutes(5));
  auto created =
      admin.Post("/api/v1/api-keys", {{"name", "temp"}, {"role", "admin"}, {"expiresAt", soon}});
  ASSERT_EQ(created.status, 201) << created.body;
  HttpClient temp(server_.port());
  temp.SetToken(created.json()["token"]);
  EXPECT_EQ(temp.Get("/api/v1/contacts").status, 200);
  server_.clock().Advance(std::chrono::minutes(6));
  EXPECT_EQ(temp.Get("/api/v1/contacts").status, 401);
}

TEST_F(AuthTest, LastAdminKeyCannotBeDeleted) {
  HttpClient admin = server_.Admin();
  auto list = admin.Get("/api/v1/api-keys");
  const std::string id = list.json()["items"][0]["id"];
  auto r = admin.Delete("/api/v1/api-keys/" + id);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(admin.Get("/healthz").status, 200);
}

TEST_F(AuthTest, BadKeyRequestsAreValidated) {
  HttpClient admin = server_.Admin();
  auto bad_role = admin.Post("/api/v1/api-keys", {{"name", "x"}, {"role", "root"}});
  EXPECT_EQ(bad_role.status, 400);
  EXPECT_EQ(bad_role.json()["error"]["field"], "role");
  auto past =
      admin.Post("/api/v1/api-keys",
                 {{"name", "x"}, {"role", "viewer"}, {"expiresAt", "2000-01-01T00:00:00Z"}});
  EXPECT_EQ(past.status, 400);
  EXPECT_EQ(past.json()["error"]["field"], "expiresAt");
}

// Every route × every role: a caller without a key gets 401 (unless the route
// is public; public routes with a credential of their own refuse a wrong one
// with 401), a role the route does not list gets 403, and a listed role gets
// through authorization (whatever the handler then says about the dummy ids).
// GET routes are probed with HEAD, which passes the same gate and also works
// for streaming routes (their response never ends).
TEST_F(AuthTest, RouteMatrix) {
  std::map<std::string, HttpClient> clients;
  for (const char* role : {"admin", "responder", "viewer", "integration"}) {
    clients.emplace(role, server_.WithRole(role));
  }
  HttpClient anon = server_.Anonymous();
  const auto table = server_.app().api().RouteTable();
  ASSERT_GT(table.size(), 20u);
  for (const auto& route : table) {
    const std::string target =
        std::regex_replace(route.pattern, std::regex("\\{[a-zA-Z]+\\}"), "x");
    const std::string where = route.method + " " + route.pattern;
    const std::string method = route.method == "GET" ? "HEAD" : route.method;
    const std::string body = method == "HEAD" ? "" : "{}";
    if (!route.credential.empty()) {
      // The dummy "x" (in the path, or as the events API's routingKey, or as
      // a login's name) is a wrong credential of the route's own kind.
      const std::string wrong = route.credential == "password" ? R"({"name":"x","password":"x"})"
                                                               : R"({"routingKey":"x"})";
      EXPECT_EQ(anon.Send(method, target, wrong).status, 401) << where;
      continue;
    }
    auto r = anon.Send(method, target, body);
    if (route.roles.empty()) {
      EXPECT_NE(r.status, 401) << where;
      continue;
    }
    EXPECT_EQ(r.status, 401) << where;
    for (auto& [name, client] : clients) {
      const auto role = *domain::ParseRole(name);
      auto res = client.Send(method, target, body);
      if (route.auth == api::AuthMode::kSessionOnly) {
        // Dashboard routes refuse keys (dashboard_test checks them with sessions).
        EXPECT_EQ(res.status, 401) << where << " as " << name;
      } else if (route.roles.count(role) > 0) {
        EXPECT_NE(res.status, 401) << where << " as " << name;
        EXPECT_NE(res.status, 403) << where << " as " << name << ": " << res.body;
      } else {
        EXPECT_EQ(res.status, 403) << where << " as " << name;
      }
    }
  }
}

}  // namespace
}  // namespace tocsin::test
