// The HTTP core: routing outcomes, limits, framing, request ids, keep-alive.
#include <gtest/gtest.h>

#include "support/test_server.h"

namespace tocsin::test {
namespace {

class HttpCoreTest : public ::testing::Test {
 protected:
  TestServer server_;
};

TEST_F(HttpCoreTest, HealthIsOpenAndReadyProvesAWrite) {
  HttpClient c = server_.Anonymous();
  auto h = c.Get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.json()["status"], "ok");
  auto r = c.Get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "ready");
}

TEST_F(HttpCoreTest, UnknownPathIs404WithEnvelope) {
  auto r = server_.Admin().Get("/api/v1/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(r.json()["error"]["requestId"], r.header("x-request-id"));
}

TEST_F(HttpCoreTest, WrongMethodIs405WithAllow) {
  auto r = server_.Admin().Send("PUT", "/api/v1/contacts");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, HEAD, OPTIONS, POST");
  EXPECT_EQ(r.json()["error"]["code"], "METHOD_NOT_ALLOWED");
}

TEST_F(HttpCoreTest, OptionsListsMethods) {
  auto r = server_.Anonymous().Send("OPTIONS", "/api/v1/contacts/alice");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("allow"), "DELETE, GET, HEAD, OPTIONS, PATCH");
  EXPECT_TRUE(r.body.empty());
}

TEST_F(HttpCoreTest, HeadHasGetHeadersWithoutBody) {
  HttpClient c = server_.Admin();
  auto get = c.Get("/api/v1/contacts");
  auto head = c.Send("HEAD", "/api/v1/contacts");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size()));
}

TEST_F(HttpCoreTest, RequestIdIsEchoedWhenValidAndReplacedWhenNot) {
  HttpClient c = server_.Anonymous();
  auto good = c.Send("GET", "/healthz", "", {{"X-Request-Id", "abc-123.DEF_9"}});
  EXPECT_EQ(good.header("x-request-id"), "abc-123.DEF_9");
  auto bad = c.Send("GET", "/healthz", "", {{"X-Request-Id", "has spaces and ;"}});
  EXPECT_EQ(bad.header("x-request-id").size(), 36u);  // A generated UUID.
  auto long_id = c.Send("GET", "/healthz", "", {{"X-Request-Id", std::string(65, 'a')}});
  EXPECT_EQ(long_id.header("x-request-id").size(), 36u);
}

TEST_F(HttpCoreTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient c = server_.Admin();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(c.Get("/healthz").status, 200);
  EXPECT_EQ(c.connections_opened(), 1);
}

TEST_F(HttpCoreTest, OversizedDeclaredBodyIs413BeforeReading) {
  // Only the headers are sent: the server must answer from Content-Length alone.
  HttpClient c = server_.Admin();
  auto r = c.Raw("POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                 std::string(kAdminToken) + "\r\nContent-Length: 10485760\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json()["error"]["code"], "PAYLOAD_TOO_LARGE");
}

TEST_F(HttpCoreTest, OversizedChunkedBodyIs413) {
  std::string chunk(70 * 1024, 'x');
  std::string req =
      "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
  req += size + chunk + "\r\n0\r\n\r\n";
  auto r = server_.Admin().Raw(req);
  EXPECT_EQ(r.status, 413);
}

TEST_F(HttpCoreTest, ExpectContinueIsAnsweredWith413WhenTooLarge) {
  auto r = server_.Admin().Raw(
      "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
      "Content-Length: 999999\r\n\r\n");
  EXPECT_EQ(r.status, 413);
}

TEST_F(HttpCoreTest, OversizedHeadersAre431) {
  auto r = server_.Admin().Send("GET", "/healthz", "", {{"X-Big", std::string(9000, 'a')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.json()["error"]["code"], "HEADERS_TOO_LARGE");
}

TEST_F(HttpCoreTest, AmbiguousFramingIsRejected) {
  HttpClient c = server_.Admin();
  auto both = c.Raw(
      "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(both.status, 400);
  auto dup = c.Raw(
      "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: "
      "3\r\n\r\n{}");
  EXPECT_EQ(dup.status, 400);
  auto nul = c.Raw(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 45));
  EXPECT_EQ(nul.status, 400);
  auto garbage = c.Raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.status, 400);
}

TEST_F(HttpCoreTest, MalformedPercentEncodingIs400) {
  auto r = server_.Admin().Get("/api/v1/contacts/%zz");
  EXPECT_EQ(r.status, 400);
}

TEST_F(HttpCoreTest, PercentEncodedPathSegmentsAreDecoded) {
  HttpClient c = server_.Admin();
  ASSERT_EQ(c.Post("/api/v1/contacts", {{"alias", "a-b"}}).status, 201);
  EXPECT_EQ(c.Get("/api/v1/contacts/a%2Db").status, 200);
  EXPECT_EQ(c.Get("/api/v1/contacts/a-b/").status, 200);
}

}  // namespace
}  // namespace tocsin::test
