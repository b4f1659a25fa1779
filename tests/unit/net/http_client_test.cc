// The guarded HttpClient against real loopback servers (TinyHttpServer).
#include "tocsin/net/http_client.h"

#include <stdlib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "support/tiny_http_server.h"
#include "tocsin/net/outbound.h"

namespace tocsin::net {
namespace {

using std::chrono::milliseconds;
using test::ScriptedResponse;
using test::TinyHttpServer;

std::unique_ptr<HttpClient> NewClient(std::vector<std::string> allow, OutboundPolicy policy = {}) {
  policy.allow = std::move(allow);
  Result<std::unique_ptr<HttpClient>> client = NewGuardedHttpClient(std::move(policy));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(*client) : nullptr;
}

HttpRequest Get(std::string url) {
  HttpRequest r;
  r.method = "GET";
  r.url = std::move(url);
  return r;
}

std::string FindHeader(const Headers& headers, const std::string& name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

class GuardedHttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()); }

  std::string Port() const { return std::to_string(server_.port()); }

  TinyHttpServer server_;
};

TEST_F(GuardedHttpClientTest, RefusesForbiddenDestinationsWithoutConnecting) {
  TinyHttpServer server6("::1");
  ASSERT_TRUE(server6.ok());
  const std::string p4 = Port();
  const std::string p6 = std::to_string(server6.port());
  struct Case {
    std::string url;
    std::string message_prefix;
  };
  const std::vector<Case> cases = {
      {"http://169.254.169.254:" + p4 + "/latest/meta-data/",
       "refusing 169.254.169.254 (metadata)"},
      {"http://[::ffff:169.254.169.254]:" + p4 + "/",
       "refusing ::ffff:169.254.169.254 (metadata, IPv4-mapped 169.254.169.254)"},
      {"http://[::ffff:a9fe:a9fe]:" + p4 + "/", "refusing ::ffff:169.254.169.254 (metadata"},
      {"http://2852039166:" + p4 + "/", "refusing 169.254.169.254 (metadata)"},
      {"http://0xA9FEA9FE:" + p4 + "/", "refusing 169.254.169.254 (metadata)"},
      {"http://0251.0376.0251.0376:" + p4 + "/", "refusing 169.254.169.254 (metadata)"},
      {"http://[fd00:ec2::254]:" + p4 + "/", "refusing fd00:ec2::254 (metadata)"},
      {"http://169.254.170.2:" + p4 + "/", "refusing 169.254.170.2 (metadata)"},
      {"http://100.100.100.200:" + p4 + "/", "refusing 100.100.100.200 (metadata)"},
      {"http://localhost:" + p4 + "/", "refusing 127.0.0.1 (loopback"},
      {"http://LocalHost:" + p4 + "/", "refusing 127.0.0.1 (loopback"},
      {"http://127.0.0.1:" + p4 + "/", "refusing 127.0.0.1 (loopback 127.0.0.0/8)"},
      {"http://2130706433:" + p4 + "/", "refusing 127.0.0.1 (loopback"},
      {"http://0x7f.1:" + p4 + "/", "refusing 127.0.0.1 (loopback"},
      {"http://0177.0.0.1:" + p4 + "/", "refusing 127.0.0.1 (loopback"},
      {"http://127.1:" + p4 + "/", "refusing 127.0.0.1 (loopback"},
      {"http://0.0.0.0:" + p4 + "/", "refusing 0.0.0.0 (unspecified"},
      {"http://[::ffff:127.0.0.1]:" + p4 + "/", "refusing ::ffff:127.0.0.1 (loopback"},
      {"http://[::1]:" + p6 + "/", "refusing ::1 (loopback ::1/128)"},
      {"http://[::]:" + p6 + "/", "refusing :: (unspecified"},
      {"http://10.0.0.1:" + p4 + "/", "refusing 10.0.0.1 (private"},
      {"http://192.168.1.1:" + p4 + "/", "refusing 192.168.1.1 (private"},
      {"https://169.254.169.254/", "refusing 169.254.169.254 (metadata)"},
  };
  std::unique_ptr<HttpClient> client = NewClient({});
  ASSERT_NE(client, nullptr);
  for (const Case& c : cases) {
    Result<HttpResponse> r = client->Send(Get(c.url));
    ASSERT_FALSE(r.ok()) << c.url;
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << c.url;
    EXPECT_EQ(r.status().message().rfind(c.message_prefix, 0), 0u)
        << c.url << ": " << r.status().message();
  }
  EXPECT_EQ(server_.accept_count(), 0u);
  EXPECT_EQ(server6.accept_count(), 0u);
}

TEST_F(GuardedHttpClientTest, AnAllowListForOneAddressDoesNotAllowOthers) {
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.2/32", "10.0.0.0/8"});
  ASSERT_NE(client, nullptr);
  Result<HttpResponse> r = client->Send(Get(server_.Url()));
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  r = client->Send(Get("http://169.254.169.254:" + Port() + "/"));
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(server_.accept_count(), 0u);
}

TEST_F(GuardedHttpClientTest, AllowListedLoopbackReachesTheServer) {
  ScriptedResponse reply;
  reply.status = 201;
  reply.headers = {{"X-Mixed-Case", "Value"}, {"Content-Type", "application/json"}};
  reply.body = R"({"ok":true})";
  server_.Enqueue(reply);

  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"});
  ASSERT_NE(client, nullptr);
  HttpRequest req;
  req.url = server_.Url("/hooks/1?a=b");
  req.headers = {{"Content-Type", "application/json"}, {"X-Custom", "abc"}, {"X-Empty", ""}};
  req.body = R"({"incident":"db-down"})";
  Result<HttpResponse> r = client->Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, R"({"ok":true})");
  EXPECT_EQ(FindHeader(r->headers, "x-mixed-case"), "Value");
  EXPECT_EQ(FindHeader(r->headers, "content-type"), "application/json");
  EXPECT_EQ(r->peer_address, "127.0.0.1");

  const std::vector<test::ReceivedRequest> got = server_.Requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].target, "/hooks/1?a=b");
  EXPECT_EQ(got[0].Header("x-custom"), "abc");
  EXPECT_EQ(got[0].Header("content-type"), "application/json");
  EXPECT_EQ(got[0].Header("host"), "127.0.0.1:" + Port());
  EXPECT_EQ(got[0].body, R"({"incident":"db-down"})");
  EXPECT_EQ(got[0].Header("expect"), "");
  bool has_empty = false;
  for (const auto& [n, v] : got[0].headers) has_empty = has_empty || (n == "x-empty" && v.empty());
  EXPECT_TRUE(has_empty);
}

TEST_F(GuardedHttpClientTest, SendsEveryMethod) {
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.0/8"});
  ASSERT_NE(client, nullptr);
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    HttpRequest req;
    req.method = method;
    req.url = server_.Url(std::string("/m/") + method);
    Result<HttpResponse> r = client->Send(req);
    ASSERT_TRUE(r.ok()) << method << ": " << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
  }
  HttpRequest head;
  head.method = "HEAD";
  head.url = server_.Url("/m/HEAD");
  server_.Enqueue(ScriptedResponse{});  // Content-Length 0.
  Result<HttpResponse> r = client->Send(head);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->body.empty());

  const std::vector<test::ReceivedRequest> got = server_.Requests();
  ASSERT_EQ(got.size(), 6u);
  const char* expected[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].method, expected[i]);
    EXPECT_EQ(got[i].target, std::string("/m/") + expected[i]);
  }
}

TEST_F(GuardedHttpClientTest, ErrorStatusesAreResponses) {
  ScriptedResponse reply;
  reply.status = 503;
  reply.headers = {{"Retry-After", "7"}};
  reply.body = "busy";
  server_.Enqueue(reply);
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1"});
  ASSERT_NE(client, nullptr);
  Result<HttpResponse> r = client->Send(Get(server_.Url()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "busy");
  EXPECT_EQ(FindHeader(r->headers, "retry-after"), "7");
}

TEST_F(GuardedHttpClientTest, AHostNameEntryAllowsThatHost) {
  std::unique_ptr<HttpClient> client = NewClient({"LOCALHOST"});
  ASSERT_NE(client, nullptr);
  Result<HttpResponse> r = client->Send(Get("http://localhost:" + Port() + "/named"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->peer_address, "127.0.0.1");
  // The name entry does not allow the address itself.
  EXPECT_EQ(client->Send(Get(server_.Url())).status().code(), StatusCode::kPermissionDenied);
  ASSERT_EQ(server_.request_count(), 1u);
  EXPECT_EQ(server_.Requests()[0].Header("host"), "localhost:" + Port());
}

TEST_F(GuardedHttpClientTest, AllowListedIpv6Loopback) {
  TinyHttpServer server6("::1");
  ASSERT_TRUE(server6.ok());
  std::unique_ptr<HttpClient> client = NewClient({"::1/128"});
  ASSERT_NE(client, nullptr);
  Result<HttpResponse> r = client->Send(Get(server6.Url("/six")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->peer_address, "::1");
  EXPECT_EQ(server6.request_count(), 1u);
}

TEST_F(GuardedHttpClientTest, RedirectsAreReturnedNotFollowed) {
  TinyHttpServer target;
  ASSERT_TRUE(target.ok());
  ScriptedResponse redirect;
  redirect.status = 302;
  redirect.headers = {{"Location", target.Url("/admin")}};
  server_.Enqueue(redirect);

  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"});
  ASSERT_NE(client, nullptr);
  Result<HttpResponse> r = client->Send(Get(server_.Url("/start")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(FindHeader(r->headers, "location"), target.Url("/admin"));
  EXPECT_EQ(server_.request_count(), 1u);
  EXPECT_EQ(target.accept_count(), 0u);
  EXPECT_EQ(target.request_count(), 0u);
}

TEST_F(GuardedHttpClientTest, ResponseLargerThanTheBoundIsResourceExhausted) {
  OutboundPolicy policy;
  policy.max_response_bytes = 1000;
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"}, policy);
  ASSERT_NE(client, nullptr);

  ScriptedResponse big;
  big.body = std::string(5000, 'x');
  server_.Enqueue(big);  // Announced by Content-Length.
  Result<HttpResponse> r = client->Send(Get(server_.Url()));
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();

  big.omit_content_length = true;  // Only the write callback can tell.
  server_.Enqueue(big);
  r = client->Send(Get(server_.Url()));
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();

  ScriptedResponse exact;
  exact.body = std::string(1000, 'y');
  exact.omit_content_length = true;
  server_.Enqueue(exact);
  r = client->Send(Get(server_.Url()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body.size(), 1000u);
}

TEST_F(GuardedHttpClientTest, HangingServerIsDeadlineExceeded) {
  OutboundPolicy policy;
  policy.total_timeout = milliseconds(300);
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"}, policy);
  ASSERT_NE(client, nullptr);
  ScriptedResponse hang;
  hang.hang = true;
  server_.Enqueue(hang);
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> r = client->Send(Get(server_.Url()));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().ToString();
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(3000));
}

TEST_F(GuardedHttpClientTest, RequestTimeoutOverridesThePolicy) {
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"});  // 10 s total.
  ASSERT_NE(client, nullptr);
  ScriptedResponse slow;
  slow.delay = milliseconds(5000);
  server_.Enqueue(slow);
  HttpRequest req = Get(server_.Url());
  req.timeout = milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> r = client->Send(req);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().ToString();
  EXPECT_LT(elapsed, milliseconds(3000));

  ScriptedResponse quick;
  quick.delay = milliseconds(50);
  server_.Enqueue(quick);
  req.timeout = milliseconds(3000);
  r = client->Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
}

TEST_F(GuardedHttpClientTest, ServerClosingMidResponseIsUnavailable) {
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"});
  ASSERT_NE(client, nullptr);
  ScriptedResponse cut;
  cut.body = "0123456789abcdef";
  cut.close_mid_response = true;
  server_.Enqueue(cut);
  Result<HttpResponse> r = client->Send(Get(server_.Url()));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();

  ScriptedResponse nothing;
  nothing.close_without_response = true;
  server_.Enqueue(nothing);
  r = client->Send(Get(server_.Url()));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
}

TEST_F(GuardedHttpClientTest, ConnectionRefusedIsUnavailable) {
  uint16_t port = 0;
  {
    TinyHttpServer gone;
    ASSERT_TRUE(gone.ok());
    port = gone.port();
  }
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"});
  ASSERT_NE(client, nullptr);
  Result<HttpResponse> r = client->Send(Get("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
}

TEST_F(GuardedHttpClientTest, LineBreaksInHeadersAreInvalidArgument) {
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"});
  ASSERT_NE(client, nullptr);
  const Headers bad[] = {
      {{"X-Token", "abc\r\nX-Injected: 1"}},
      {{"X-Token", "abc\nX-Injected: 1"}},
      {{"X-Token", "abc\r"}},
      {{"X-Token", std::string("abc\0def", 7)}},
      {{"X-Bad\r\nName", "v"}},
      {{"X-Bad Name", "v"}},
      {{"X-Bad:Name", "v"}},
      {{"", "v"}},
  };
  for (const Headers& headers : bad) {
    HttpRequest req = Get(server_.Url());
    req.headers = headers;
    EXPECT_EQ(client->Send(req).status().code(), StatusCode::kInvalidArgument) << headers[0].first;
  }
  HttpRequest method = Get(server_.Url());
  method.method = "GET / HTTP/1.1\r\nX: y";
  EXPECT_EQ(client->Send(method).status().code(), StatusCode::kInvalidArgument);
  HttpRequest auth = Get(server_.Url());
  auth.basic_user = "user";
  auth.basic_password = "pass\r\nX-Injected: 1";
  EXPECT_EQ(client->Send(auth).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server_.accept_count(), 0u);
}

TEST_F(GuardedHttpClientTest, OnlyHttpAndHttpsUrlsAreAccepted) {
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32", "localhost"});
  ASSERT_NE(client, nullptr);
  for (const std::string& url :
       {"ftp://127.0.0.1:" + Port() + "/file", std::string("file:///etc/passwd"),
        "gopher://127.0.0.1:" + Port() + "/", "dict://127.0.0.1:" + Port() + "/",
        "ldap://127.0.0.1:" + Port() + "/", "127.0.0.1:" + Port() + "/no-scheme",
        "http://user:secret@127.0.0.1:" + Port() + "/", std::string("http://:8080/no-host"),
        std::string("http://bad host/"), std::string("")}) {
    Result<HttpResponse> r = client->Send(Get(url));
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument)
        << url << ": " << r.status().ToString();
  }
  EXPECT_EQ(server_.accept_count(), 0u);
}

TEST_F(GuardedHttpClientTest, BasicAuthHeaderArrives) {
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"});
  ASSERT_NE(client, nullptr);
  HttpRequest req = Get(server_.Url("/auth"));
  req.basic_user = "user";
  req.basic_password = "pass";
  Result<HttpResponse> r = client->Send(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(server_.request_count(), 1u);
  EXPECT_EQ(server_.Requests()[0].Header("authorization"), "Basic dXNlcjpwYXNz");

  // Without a user, no Authorization header.
  r = client->Send(Get(server_.Url("/anon")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(server_.Requests()[1].Header("authorization"), "");
}

// Sets proxy environment variables for the scope of a test.
class ScopedProxyEnv {
 public:
  // Only the test thread touches the environment (servers never read it).
  explicit ScopedProxyEnv(const std::string& proxy) {
    for (const char* name : kNames)
      ::setenv(name, proxy.c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
  }
  ~ScopedProxyEnv() {
    for (const char* name : kNames) ::unsetenv(name);  // NOLINT(concurrency-mt-unsafe)
  }
  ScopedProxyEnv(const ScopedProxyEnv&) = delete;
  ScopedProxyEnv& operator=(const ScopedProxyEnv&) = delete;

 private:
  static constexpr const char* kNames[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                           "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
};

TEST_F(GuardedHttpClientTest, ProxyEnvironmentIsIgnored) {
  TinyHttpServer proxy;
  ASSERT_TRUE(proxy.ok());
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"});
  ASSERT_NE(client, nullptr);
  {
    ScopedProxyEnv env(proxy.Url(""));
    Result<HttpResponse> r = client->Send(Get(server_.Url("/direct")));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
  }
  {
    // A bogus proxy that would fail the request if it were used.
    ScopedProxyEnv env("http://192.0.2.1:1");
    Result<HttpResponse> r = client->Send(Get(server_.Url("/direct")));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  EXPECT_EQ(proxy.accept_count(), 0u);
  EXPECT_EQ(server_.request_count(), 2u);
  EXPECT_EQ(server_.Requests()[0].target, "/direct");
}

TEST_F(GuardedHttpClientTest, ConcurrentSends) {
  // The first log call creates spdlog's registry. libspdlog is not built with
  // TSan, so TSan cannot see that lazy initialization's guard and reports a
  // race when the first calls come from several threads at once (as the
  // refusals below would): create it before the threads start.
  spdlog::default_logger_raw();
  std::unique_ptr<HttpClient> client = NewClient({"127.0.0.1/32"});
  ASSERT_NE(client, nullptr);
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  std::vector<int> ok(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kEach; ++j) {
        HttpRequest req;
        req.url = server_.Url("/t" + std::to_string(i));
        req.body = std::to_string(j);
        Result<HttpResponse> r = client->Send(req);
        if (r.ok() && r->status == 200) ++ok[static_cast<size_t>(i)];
        // Refusals are concurrent too.
        if (client->Send(Get("http://169.254.169.254/")).status().code() !=
            StatusCode::kPermissionDenied) {
          --ok[static_cast<size_t>(i)];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int n : ok) EXPECT_EQ(n, kEach);
  EXPECT_EQ(server_.request_count(), static_cast<size_t>(kThreads * kEach));
}

TEST(NewGuardedHttpClientTest, RejectsABadPolicy) {
  OutboundPolicy policy;
  policy.allow = {"127.0.0.1/32", "not a host"};
  Result<std::unique_ptr<HttpClient>> client = NewGuardedHttpClient(policy);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(client.status().message().find("not a host"), std::string::npos);

  policy.allow.clear();
  policy.total_timeout = milliseconds(0);
  EXPECT_EQ(NewGuardedHttpClient(policy).status().code(), StatusCode::kInvalidArgument);
  policy = OutboundPolicy{};
  policy.connect_timeout = milliseconds(-1);
  EXPECT_EQ(NewGuardedHttpClient(policy).status().code(), StatusCode::kInvalidArgument);
  policy = OutboundPolicy{};
  policy.max_response_bytes = 0;
  EXPECT_EQ(NewGuardedHttpClient(policy).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tocsin::net
