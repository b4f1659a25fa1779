// The dashboard's server side: users, password login with a growing delay,
// cookie sessions with CSRF protection and expiry, which credential each
// route accepts, the embedded web files and the incident counts.
#include <chrono>
#include <csignal>
#include <regex>

#include <gtest/gtest.h>

#include "support/process.h"
#include "support/temp_dir.h"
#include "support/test_server.h"

namespace tocsin::test {
namespace {

using Json = nlohmann::json;

// A browser, as far as the server can tell: a session cookie, and the
// anti-CSRF header on every request (the dashboard sends it on changes).
class Browser {
 public:
  explicit Browser(uint16_t port) : http_(port) {}

  HttpResult Login(const std::string& name, const std::string& password) {
    auto r = http_.Post("/api/v1/session", {{"name", name}, {"password", password}});
    if (r.status == 200) {
      const std::string cookie = r.header("set-cookie");
      cookie_ = cookie.substr(0, cookie.find(';'));
      csrf_ = r.json()["csrfToken"];
    }
    return r;
  }

  HttpResult Send(const std::string& method, const std::string& target,
                  const std::string& body = "", bool with_csrf = true) {
    std::map<std::string, std::string> headers{{"Cookie", cookie_}};
    if (with_csrf) headers["X-CSRF-Token"] = csrf_;
    return http_.Send(method, target, body, headers);
  }
  HttpResult Get(const std::string& target) { return Send("GET", target); }
  HttpResult Post(const std::string& target, const Json& body, bool with_csrf = true) {
    return Send("POST", target, body.dump(), with_csrf);
  }

  const std::string& cookie() const { return cookie_; }
  const std::string& csrf() const { return csrf_; }
  HttpClient& http() { return http_; }

 private:
  HttpClient http_;
  std::string cookie_;
  std::string csrf_;
};

class DashboardTest : public ::testing::Test {
 protected:
  // Creates a user through the API as the admin key.
  void AddUser(const std::string& name, const std::string& role,
               const std::string& password = "correct horse") {
    auto r = admin_.Post("/api/v1/users", {{"name", name}, {"password", password}, {"role", role}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  Browser LoggedIn(const std::string& name, const std::string& password = "correct horse") {
    Browser b(server_.port());
    auto r = b.Login(name, password);
    EXPECT_EQ(r.status, 200) << r.body;
    return b;
  }

  // Returns once every write queued so far has committed: /readyz makes a
  // durable write, and the store's writer runs writes in order (so the
  // session touch a request queued is in).
  void SyncWrites() { ASSERT_EQ(server_.Anonymous().Get("/readyz").status, 200); }

  TestServer server_;
  HttpClient admin_ = server_.Admin();
};

TEST_F(DashboardTest, UsersAreManagedByAdminsAndNeverShowTheirPassword) {
  AddUser("alice", "admin");
  auto list = admin_.Get("/api/v1/users");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json()["items"].size(), 1u);
  const Json alice = list.json()["items"][0];
  EXPECT_EQ(alice["name"], "alice");
  EXPECT_EQ(alice["role"], "admin");
  EXPECT_EQ(alice["createdBy"].get<std::string>().rfind("api-key/", 0), 0u);
  EXPECT_EQ(list.body.find("scrypt"), std::string::npos);
  EXPECT_EQ(list.body.find("password"), std::string::npos);

  // Names are unique regardless of case; bad input names its field.
  auto twin = admin_.Post("/api/v1/users",
                          {{"name", "ALICE"}, {"password", "whatever1"}, {"role", "viewer"}});
  EXPECT_EQ(twin.status, 409);
  EXPECT_EQ(admin_.Post("/api/v1/users", {{"name", "b"}, {"password", "short"}, {"role", "viewer"}})
                .json()["error"]["field"],
            "password");
  EXPECT_EQ(
      admin_
          .Post("/api/v1/users", {{"name", "b c"}, {"password", "long enough"}, {"role", "viewer"}})
          .json()["error"]["field"],
      "name");
  EXPECT_EQ(admin_
                .Post("/api/v1/users",
                      {{"name", "bot"}, {"password", "long enough"}, {"role", "integration"}})
                .json()["error"]["field"],
            "role");

  // By name or id; If-Match guards concurrent edits.
  auto by_name = admin_.Get("/api/v1/users/Alice");
  ASSERT_EQ(by_name.status, 200);
  EXPECT_EQ(by_name.header("etag"), "\"1\"");
  EXPECT_EQ(
      admin_.Patch("/api/v1/users/alice", {{"role", "viewer"}}, {{"If-Match", "\"7\""}}).status,
      412);
  auto demoted = admin_.Patch("/api/v1/users/" + alice["id"].get<std::string>(),
                              {{"role", "viewer"}}, {{"If-Match", "\"1\""}});
  ASSERT_EQ(demoted.status, 200) << demoted.body;
  EXPECT_EQ(demoted.json()["role"], "viewer");
  EXPECT_EQ(demoted.json()["version"], 2);

  // Only admins manage users.
  HttpClient responder = server_.WithRole("responder");
  EXPECT_EQ(responder.Get("/api/v1/users").status, 403);

  EXPECT_EQ(admin_.Delete("/api/v1/users/alice").status, 204);
  EXPECT_EQ(admin_.Get("/api/v1/users/alice").status, 404);
}

TEST_F(DashboardTest, LoginSetsAnHttpOnlySameSiteCookieAndLogoutEndsIt) {
  AddUser("alice", "responder");
  Browser browser(server_.port());
  auto login = browser.Login("Alice", "correct horse");  // Names are case-insensitive.
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string cookie = login.header("set-cookie");
  EXPECT_EQ(cookie.rfind("tocsin_session=tss_", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Lax"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // The public URL is http here.
  EXPECT_EQ(login.header("cache-control"), "no-store");
  EXPECT_EQ(login.json()["user"]["name"], "alice");
  EXPECT_EQ(login.json()["user"]["role"], "responder");
  EXPECT_EQ(login.json()["idleTimeoutSeconds"], 12 * 3600);

  auto me = browser.Get("/api/v1/session");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json()["csrfToken"], browser.csrf());
  EXPECT_EQ(browser.Get("/api/v1/incidents").status, 200);

  auto out = browser.Send("DELETE", "/api/v1/session");
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(browser.Get("/api/v1/session").status, 401);
  EXPECT_EQ(browser.Get("/api/v1/incidents").status, 401);
}

TEST_F(DashboardTest, BehindHttpsTheCookieIsSecureAndHostOnly) {
  AddUser("alice", "viewer");
  server_.config().api.public_url = "https://pager.example.com";
  server_.Restart();
  Browser browser(server_.port());
  auto login = browser.Login("alice", "correct horse");
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string cookie = login.header("set-cookie");
  EXPECT_EQ(cookie.rfind("__Host-tocsin_session=tss_", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Domain"), std::string::npos) << cookie;
  EXPECT_EQ(browser.Get("/api/v1/session").status, 200);
  // The plain name is not read under https (a subdomain could have set it).
  auto plain = browser.http().Send(
      "GET", "/api/v1/session", "",
      {{"Cookie", "tocsin_session=" + cookie.substr(cookie.find('=') + 1,
                                                    cookie.find(';') - cookie.find('=') - 1)}});
  EXPECT_EQ(plain.status, 401);
}

TEST_F(DashboardTest, WrongPasswordsGetOneGenericAnswerAfterAGrowingDelay) {
  AddUser("alice", "responder");
  Browser browser(server_.port());
  auto timed = [&](const std::string& name, const std::string& password) {
    const auto start = std::chrono::steady_clock::now();
    auto r = browser.Login(name, password);
    return std::make_pair(r, std::chrono::steady_clock::now() - start);
  };
  auto [wrong1, t1] = timed("alice", "not the password");
  auto [unknown, t_unknown] = timed("mallory", "not the password");
  auto [wrong2, t2] = timed("alice", "still not it");
  EXPECT_EQ(wrong1.status, 401);
  EXPECT_EQ(unknown.status, 401);
  // The same message whether or not the name exists.
  EXPECT_EQ(wrong1.json()["error"]["message"], "wrong name or password");
  EXPECT_EQ(unknown.json()["error"]["message"], "wrong name or password");
  EXPECT_TRUE(wrong1.header("set-cookie").empty());
  // 250 ms for the first failure of a name and of this address, then doubling
  // (the address has failed three times by the third attempt).
  EXPECT_GE(t1, std::chrono::milliseconds(250));
  EXPECT_GE(t_unknown, std::chrono::milliseconds(500));
  EXPECT_GE(t2, std::chrono::milliseconds(1000));
  // The right password still works at once; the name's failures are forgotten.
  EXPECT_EQ(browser.Login("alice", "correct horse").status, 200);
  // Malformed bodies are 400s, not guesses.
  EXPECT_EQ(browser.http().Post("/api/v1/session", {{"name", "alice"}}).status, 400);
}

TEST_F(DashboardTest, ChangesWithACookieNeedTheCsrfTokenAndOurOrigin) {
  AddUser("alice", "responder");
  Browser browser = LoggedIn("alice");
  const Json contact = {{"alias", "oncall-a"}, {"displayName", "A"}};
  auto no_token = browser.Post("/api/v1/contacts", contact, /*with_csrf=*/false);
  EXPECT_EQ(no_token.status, 403);
  EXPECT_NE(no_token.json()["error"]["message"].get<std::string>().find("X-CSRF-Token"),
            std::string::npos);
  auto wrong = browser.http().Send("POST", "/api/v1/contacts", contact.dump(),
                                   {{"Cookie", browser.cookie()}, {"X-CSRF-Token", "nope"}});
  EXPECT_EQ(wrong.status, 403);
  auto cross_site = browser.http().Send("POST", "/api/v1/contacts", contact.dump(),
                                        {{"Cookie", browser.cookie()},
                                         {"X-CSRF-Token", browser.csrf()},
                                         {"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(cross_site.status, 403);
  auto ok = browser.Post("/api/v1/contacts", contact);
  ASSERT_EQ(ok.status, 201) << ok.body;
  // The change is attributed to the person.
  EXPECT_EQ(ok.json()["createdBy"], "user/alice");
  // Reads need no token.
  EXPECT_EQ(browser.Send("GET", "/api/v1/contacts", "", false).status, 200);
  // Another session's token does not fit this one.
  Browser other = LoggedIn("alice");
  EXPECT_NE(other.csrf(), browser.csrf());
  auto swapped = browser.http().Send(
      "POST", "/api/v1/contacts", Json({{"alias", "oncall-b"}, {"displayName", "B"}}).dump(),
      {{"Cookie", browser.cookie()}, {"X-CSRF-Token", other.csrf()}});
  EXPECT_EQ(swapped.status, 403);
}

TEST_F(DashboardTest, SessionsExpireWhenIdleAndAtTheirAbsoluteLimit) {
  AddUser("alice", "viewer");
  Browser idle = LoggedIn("alice");
  server_.clock().Advance(std::chrono::hours(11));
  EXPECT_EQ(idle.Get("/api/v1/incidents").status, 200);  // Activity moves the idle limit.
  SyncWrites();
  server_.clock().Advance(std::chrono::hours(11));
  EXPECT_EQ(idle.Get("/api/v1/incidents").status, 200);
  SyncWrites();
  server_.clock().Advance(std::chrono::hours(12));
  auto expired = idle.Get("/api/v1/incidents");
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.json()["error"]["message"].get<std::string>().find("expired"),
            std::string::npos);

  Browser busy = LoggedIn("alice");
  for (int step = 1; step <= 15; ++step) {  // Active every 11 hours: never idle.
    server_.clock().Advance(std::chrono::hours(11));
    ASSERT_EQ(busy.Get("/api/v1/incidents").status, 200) << "after " << step * 11 << " h";
    SyncWrites();
  }
  server_.clock().Advance(std::chrono::hours(4));  // 169 h: past 7 days after login.
  EXPECT_EQ(busy.Get("/api/v1/incidents").status, 401);
}

TEST_F(DashboardTest, ANewPasswordEndsTheUsersSessionsAndSessionsSurviveARestart) {
  AddUser("alice", "responder");
  Browser before = LoggedIn("alice");
  server_.Restart();
  admin_ = server_.Admin();
  Browser again(server_.port());
  auto survived = again.http().Send("GET", "/api/v1/session", "", {{"Cookie", before.cookie()}});
  EXPECT_EQ(survived.status, 200) << survived.body;

  ASSERT_EQ(admin_.Patch("/api/v1/users/alice", {{"password", "a new one!"}}).status, 200);
  auto ended = again.http().Send("GET", "/api/v1/session", "", {{"Cookie", before.cookie()}});
  EXPECT_EQ(ended.status, 401);
  Browser fresh(server_.port());
  EXPECT_EQ(fresh.Login("alice", "correct horse").status, 401);
  EXPECT_EQ(fresh.Login("alice", "a new one!").status, 200);
}

// Every route, with a session of every people role: the same role rules as
// for keys, except that API-key-only routes refuse cookies and
// session-only routes refuse keys.
TEST_F(DashboardTest, EveryRouteTreatsSessionsByItsDeclaredRolesAndCredentials) {
  std::map<std::string, Browser> browsers;
  for (const char* role : {"admin", "responder", "viewer"}) {
    AddUser(std::string("u-") + role, role);
    browsers.emplace(role, LoggedIn(std::string("u-") + role));
  }
  HttpClient key = server_.Admin();
  int key_only = 0;
  int session_only = 0;
  for (const auto& route : server_.app().api().RouteTable()) {
    if (route.roles.empty()) continue;  // Public: covered by the key matrix (auth_test).
    if (route.pattern == "/api/v1/session" && route.method == "DELETE") continue;  // Logs out.
    const std::string target =
        std::regex_replace(route.pattern, std::regex("\\{[a-zA-Z]+\\}"), "x");
    const std::string where = route.method + " " + route.pattern;
    const std::string method = route.method == "GET" ? "HEAD" : route.method;
    const std::string body = method == "HEAD" ? "" : "{}";
    for (auto& [name, browser] : browsers) {
      const auto role = *domain::ParseRole(name);
      auto res = browser.Send(method, target, body);
      if (route.auth == api::AuthMode::kKeyOnly) {
        EXPECT_EQ(res.status, 401) << where << " as " << name;
      } else if (route.roles.count(role) > 0) {
        EXPECT_NE(res.status, 401) << where << " as " << name;
        EXPECT_NE(res.status, 403) << where << " as " << name << ": " << res.body;
      } else {
        EXPECT_EQ(res.status, 403) << where << " as " << name;
      }
    }
    if (route.auth == api::AuthMode::kSessionOnly) {
      ++session_only;
      EXPECT_EQ(key.Send(method, target, body).status, 401) << where << " with a key";
    }
    if (route.auth == api::AuthMode::kKeyOnly) ++key_only;
  }
  EXPECT_GE(key_only, 4);      // The api-keys routes.
  EXPECT_GE(session_only, 1);  // GET /api/v1/session.
}

TEST_F(DashboardTest, TheDashboardIsServedFromTheBinaryWithAStrictPolicy) {
  HttpClient anon = server_.Anonymous();
  auto index = anon.Get("/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("<html"), std::string::npos);
  const std::string csp = index.header("content-security-policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(index.header("x-content-type-options"), "nosniff");
  // Revalidation by content hash.
  const std::string etag = index.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(anon.Send("GET", "/", "", {{"If-None-Match", etag}}).status, 304);
  EXPECT_EQ(anon.Get("/index.html").body, index.body);
  // Every script the page loads is served with a JavaScript type.
  std::smatch m;
  std::string rest = index.body;
  int scripts = 0;
  while (std::regex_search(rest, m, std::regex("src=\"/?([^\"]+\\.js)\""))) {
    auto js = anon.Get("/" + m[1].str());
    EXPECT_EQ(js.status, 200) << m[1];
    EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
    ++scripts;
    rest = m.suffix();
  }
  EXPECT_GE(scripts, 1);
  EXPECT_EQ(anon.Get("/no-such-file.js").status, 404);
}

TEST_F(DashboardTest, IncidentCountsByImpactHonourTheListFilters) {
  ASSERT_EQ(admin_
                .Post("/api/v1/response-plans",
                      {{"name", "p"}, {"incidentTemplate", {{"title", "T"}, {"impact", 3}}}})
                .status,
            201);
  for (int impact : {1, 3, 3, 5}) {
    ASSERT_EQ(admin_.Post("/api/v1/incidents", {{"responsePlan", "p"}, {"impact", impact}}).status,
              201);
  }
  auto latest = admin_.Get("/api/v1/incidents?limit=1").json()["items"][0];
  ASSERT_EQ(
      admin_
          .Post("/api/v1/incidents/" + latest["id"].get<std::string>() + "/resolve", Json::object())
          .status,
      200);
  auto open = admin_.Get("/api/v1/incidents/counts?status=OPEN");
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_EQ(open.json()["total"], 3);
  EXPECT_EQ(open.json()["byImpact"], Json({{"1", 1}, {"2", 0}, {"3", 2}, {"4", 0}, {"5", 0}}));
  EXPECT_EQ(admin_.Get("/api/v1/incidents/counts").json()["total"], 4);
  EXPECT_EQ(admin_.Get("/api/v1/incidents/counts?impact=3&responsePlan=p").json()["total"], 2);
  EXPECT_EQ(admin_.Get("/api/v1/incidents/counts?impact=9").status, 400);
  EXPECT_EQ(admin_.Get("/api/v1/incidents/counts?responsePlan=nope").status, 404);
}

// The real binary: `tocsin user` and the first start's dashboard admin.
TEST(DashboardCliTest, UserAddMakesSomeoneWhoCanSignInAndAFreshInstallGetsAnAdmin) {
  TempDir dir;
  const std::string db = (dir.path() / "tocsin.db").string();
  const std::map<std::string, std::string> password{{"TOCSIN_PASSWORD", "carol's password"}};
  auto added = RunTocsin({"user", "add", "--admin", "carol", "--db", db}, password);
  EXPECT_EQ(added.exit_code, 0) << added.out;
  EXPECT_NE(added.out.find("user carol created (admin)"), std::string::npos) << added.out;
  auto twice = RunTocsin({"user", "add", "carol", "--db", db}, password);
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.out.find("already exists"), std::string::npos) << twice.out;
  EXPECT_EQ(
      RunTocsin({"user", "add", "--role", "integration", "dan", "--db", db}, password).exit_code,
      2);
  EXPECT_EQ(RunTocsin({"user", "add", "dan", "--db", db}, {{"TOCSIN_PASSWORD", "short"}}).exit_code,
            2);
  EXPECT_EQ(RunTocsin({"user", "frobnicate", "dan", "--db", db}, password).exit_code, 2);

  {
    // carol is an admin already: no generated "admin" user.
    ServerProcess server;
    ASSERT_TRUE(server.Start({"--listen", "127.0.0.1:0", "--db", db})) << server.Output();
    EXPECT_NE(server.Output().find("Dashboard: http://"), std::string::npos) << server.Output();
    EXPECT_EQ(server.Output().find("user admin, password"), std::string::npos) << server.Output();
    HttpClient http(server.port());
    EXPECT_EQ(
        http.Post("/api/v1/session", {{"name", "carol"}, {"password", "carol's password"}}).status,
        200);
    server.Signal(SIGTERM);
    EXPECT_EQ(server.Wait(30000), 0);
  }
  auto changed =
      RunTocsin({"user", "passwd", "carol", "--db", db}, {{"TOCSIN_PASSWORD", "a newer one"}});
  EXPECT_EQ(changed.exit_code, 0) << changed.out;

  TempDir fresh_dir;
  ServerProcess fresh;
  ASSERT_TRUE(
      fresh.Start({"--listen", "127.0.0.1:0", "--db", (fresh_dir.path() / "t.db").string()}))
      << fresh.Output();
  std::smatch m;
  const std::string out = fresh.Output();
  ASSERT_TRUE(std::regex_search(out, m, std::regex("user admin, password ([A-Za-z0-9_-]+)")))
      << out;
  HttpClient http(fresh.port());
  EXPECT_EQ(http.Post("/api/v1/session", {{"name", "admin"}, {"password", m[1].str()}}).status,
            200);
  fresh.Signal(SIGTERM);
  EXPECT_EQ(fresh.Wait(30000), 0);
}

}  // namespace
}  // namespace tocsin::test
