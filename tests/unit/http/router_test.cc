#include "tocsin/http/router.h"

#include <string>

#include <gtest/gtest.h>

#include "tocsin/core/json_text.h"

namespace tocsin::http {
namespace {

Handler Noop() {
  return [](const Request&, Reply) {};
}

Route MakeRoute(std::string method, std::string pattern, size_t body_limit = kDefaultBodyLimit) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.handler = Noop();
  r.body_limit = body_limit;
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(MakeRoute("GET", "/api/v1/contacts"));
    router_.Add(MakeRoute("POST", "/api/v1/contacts", 16 * 1024));
    router_.Add(MakeRoute("GET", "/api/v1/contacts/{id}"));
    router_.Add(MakeRoute("PATCH", "/api/v1/contacts/{id}"));
    router_.Add(MakeRoute("DELETE", "/api/v1/contacts/{id}"));
    router_.Add(MakeRoute("POST", "/api/v1/contacts/{id}/channels", 1024));
    router_.Add(MakeRoute("GET", "/api/v1/contacts/{id}/channels"));
    router_.Add(MakeRoute("POST", "/api/v1/channels/{id}/activate"));
    router_.Add(MakeRoute("GET", "/healthz"));
  }

  Router router_;
};

TEST_F(RouterTest, MatchesLiteralRoutes) {
  auto m = router_.Find("GET", "/api/v1/contacts");
  EXPECT_EQ(m.outcome, Router::Outcome::kFound);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/contacts");
  EXPECT_EQ(m.route->method, "GET");
  EXPECT_TRUE(m.params.empty());
  auto health = router_.Find("GET", "/healthz");
  EXPECT_EQ(health.outcome, Router::Outcome::kFound);
}

TEST_F(RouterTest, CapturesParametersInPatternOrder) {
  auto m = router_.Find("POST", "/api/v1/contacts/alice/channels");
  ASSERT_EQ(m.outcome, Router::Outcome::kFound);
  EXPECT_EQ(m.route->pattern, "/api/v1/contacts/{id}/channels");
  EXPECT_EQ(m.params, (std::vector<std::string>{"alice"}));

  Router two;
  two.Add(MakeRoute("GET", "/a/{x}/b/{y}"));
  auto m2 = two.Find("GET", "/a/1/b/2");
  ASSERT_EQ(m2.outcome, Router::Outcome::kFound);
  EXPECT_EQ(m2.params, (std::vector<std::string>{"1", "2"}));
}

TEST_F(RouterTest, LiteralSegmentsMustMatchExactly) {
  EXPECT_EQ(router_.Find("GET", "/api/v1/Contacts").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router_.Find("GET", "/api/v2/contacts").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router_.Find("GET", "/api/v1/contacts/alice/channelz").outcome,
            Router::Outcome::kNotFound);
  EXPECT_EQ(router_.Find("GET", "/api/v1/contacts/alice/channels/x").outcome,
            Router::Outcome::kNotFound);
  EXPECT_EQ(router_.Find("GET", "/api/v1").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router_.Find("GET", "/").outcome, Router::Outcome::kNotFound);
}

TEST(RouterPrecedenceTest, LiteralSegmentBeatsParameterWhateverTheOrder) {
  for (bool literal_first : {true, false}) {
    Router router;
    if (literal_first) router.Add(MakeRoute("GET", "/api/v1/rotations/preview"));
    router.Add(MakeRoute("GET", "/api/v1/rotations/{id}"));
    if (!literal_first) router.Add(MakeRoute("GET", "/api/v1/rotations/preview"));
    auto literal = router.Find("GET", "/api/v1/rotations/preview");
    ASSERT_EQ(literal.outcome, Router::Outcome::kFound);
    EXPECT_EQ(literal.route->pattern, "/api/v1/rotations/preview") << literal_first;
    EXPECT_TRUE(literal.params.empty());
    auto param = router.Find("GET", "/api/v1/rotations/r-1");
    ASSERT_EQ(param.outcome, Router::Outcome::kFound);
    EXPECT_EQ(param.route->pattern, "/api/v1/rotations/{id}");
    EXPECT_EQ(param.params, (std::vector<std::string>{"r-1"}));
  }
}

TEST_F(RouterTest, TrailingSlashIsTheSameResource) {
  auto m = router_.Find("GET", "/api/v1/contacts/alice/");
  ASSERT_EQ(m.outcome, Router::Outcome::kFound);
  EXPECT_EQ(m.route->pattern, "/api/v1/contacts/{id}");
  EXPECT_EQ(m.params, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(router_.Find("GET", "/api/v1/contacts/").outcome, Router::Outcome::kFound);
  EXPECT_EQ(router_.Find("GET", "/healthz/").outcome, Router::Outcome::kFound);
}

TEST_F(RouterTest, ParametersArePercentDecodedAndEncodedSlashDoesNotSplit) {
  auto m = router_.Find("GET", "/api/v1/contacts/a%2Fb");
  ASSERT_EQ(m.outcome, Router::Outcome::kFound);
  EXPECT_EQ(m.route->pattern, "/api/v1/contacts/{id}");
  EXPECT_EQ(m.params, (std::vector<std::string>{"a/b"}));

  auto spaced = router_.Find("GET", "/api/v1/contacts/al%20ice%2Bx+y/channels");
  ASSERT_EQ(spaced.outcome, Router::Outcome::kFound);
  EXPECT_EQ(spaced.params, (std::vector<std::string>{"al ice+x+y"}));

  auto unicode = router_.Find("GET", "/api/v1/contacts/%C3%A9");
  ASSERT_EQ(unicode.outcome, Router::Outcome::kFound);
  EXPECT_EQ(unicode.params, (std::vector<std::string>{"\xC3\xA9"}));
}

TEST_F(RouterTest, EmptyParameterOrMalformedPathDoesNotMatch) {
  EXPECT_EQ(router_.Find("GET", "/api/v1/contacts//channels").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router_.Find("GET", "/api/v1/contacts/%zz").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router_.Find("GET", "/api/v1/contacts/a%00b").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router_.Find("GET", "api/v1/contacts").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router_.Find("GET", "").outcome, Router::Outcome::kNotFound);
}

TEST_F(RouterTest, HeadMatchesGetRoutes) {
  auto m = router_.Find("HEAD", "/api/v1/contacts/alice");
  ASSERT_EQ(m.outcome, Router::Outcome::kFound);
  EXPECT_EQ(m.route->method, "GET");
  EXPECT_EQ(m.params, (std::vector<std::string>{"alice"}));
  // No GET route: HEAD is not allowed either.
  auto post_only = router_.Find("HEAD", "/api/v1/channels/x/activate");
  EXPECT_EQ(post_only.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(post_only.allow, "OPTIONS, POST");
}

TEST_F(RouterTest, WrongMethodIs405WithSortedAllowList) {
  auto m = router_.Find("PUT", "/api/v1/contacts/alice");
  EXPECT_EQ(m.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allow, "DELETE, GET, HEAD, OPTIONS, PATCH");

  auto collection = router_.Find("DELETE", "/api/v1/contacts");
  EXPECT_EQ(collection.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(collection.allow, "GET, HEAD, OPTIONS, POST");

  auto post_only = router_.Find("GET", "/api/v1/channels/x/activate");
  EXPECT_EQ(post_only.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(post_only.allow, "OPTIONS, POST");
}

TEST_F(RouterTest, FoundMatchAlsoCarriesTheAllowList) {
  auto m = router_.Find("GET", "/api/v1/contacts/alice/channels");
  EXPECT_EQ(m.outcome, Router::Outcome::kFound);
  EXPECT_EQ(m.allow, "GET, HEAD, OPTIONS, POST");
  // OPTIONS is answered by the server from the allow list.
  auto options = router_.Find("OPTIONS", "/api/v1/contacts/alice/channels");
  EXPECT_EQ(options.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(options.allow, "GET, HEAD, OPTIONS, POST");
  auto unknown = router_.Find("OPTIONS", "/nowhere");
  EXPECT_EQ(unknown.outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(unknown.allow, "");
}

TEST_F(RouterTest, BodyLimitIsPerRoute) {
  EXPECT_EQ(router_.BodyLimit("POST", "/api/v1/contacts/alice/channels"), 1024u);
  EXPECT_EQ(router_.BodyLimit("POST", "/api/v1/contacts"), 16u * 1024u);
  EXPECT_EQ(router_.BodyLimit("GET", "/api/v1/contacts"), kDefaultBodyLimit);
  EXPECT_EQ(router_.BodyLimit("POST", "/nowhere"), kDefaultBodyLimit);
  EXPECT_EQ(router_.BodyLimit("PUT", "/api/v1/contacts"), kDefaultBodyLimit);  // 405.
  EXPECT_EQ(router_.BodyLimit("POST", "/api/v1/contacts/a%ZZ/channels"), kDefaultBodyLimit);
}

// --- SplitPath ---------------------------------------------------------------------

TEST(SplitPathTest, SplitsThenDecodes) {
  EXPECT_EQ(SplitPath("/"), std::vector<std::string>{});
  EXPECT_EQ(SplitPath("/a"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(SplitPath("/a/b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(SplitPath("/a//b"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(SplitPath("/a%2Fb/c"), (std::vector<std::string>{"a/b", "c"}));
  EXPECT_EQ(SplitPath(""), std::nullopt);
  EXPECT_EQ(SplitPath("a/b"), std::nullopt);
  EXPECT_EQ(SplitPath("/a/%G0"), std::nullopt);
  EXPECT_EQ(SplitPath("/a/%00"), std::nullopt);
}

// --- PercentDecode -----------------------------------------------------------------

TEST(PercentDecodeTest, DecodesEscapesAndKeepsPlus) {
  EXPECT_EQ(PercentDecode(""), "");
  EXPECT_EQ(PercentDecode("plain"), "plain");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("%41%62c"), "Abc");
  EXPECT_EQ(PercentDecode("%2f%2F"), "//");
  EXPECT_EQ(PercentDecode("%C3%A9"), "\xC3\xA9");
  EXPECT_EQ(PercentDecode("%25"), "%");
  EXPECT_EQ(PercentDecode("%2B"), "+");
  EXPECT_EQ(PercentDecode("%ff"), "\xff");
}

TEST(PercentDecodeTest, RejectsMalformedEscapesAndNul) {
  for (std::string_view bad : {"%", "%4", "a%", "a%4", "%G1", "%1G", "%%", "%-1", "%00", "a%00b"}) {
    EXPECT_EQ(PercentDecode(bad), std::nullopt) << bad;
  }
}

// --- JSON helpers ------------------------------------------------------------------

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonEscape("plain"), "plain");
  EXPECT_EQ(JsonEscape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(JsonEscape("\n\r\t"), "\\n\\r\\t");
  EXPECT_EQ(JsonEscape(std::string_view("\x00\x01\x1f", 3)), "\\u0000\\u0001\\u001f");
  EXPECT_EQ(JsonEscape("\b\f"), "\\u0008\\u000c");
  EXPECT_EQ(JsonEscape("é/\x7f"), "é/\x7f");
}

TEST(JsonEscapeTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  // 2-, 3- and 4-byte sequences, including the highest code point U+10FFFF.
  EXPECT_EQ(JsonEscape("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x94\xF4\x8F\xBF\xBF"),
            "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x94\xF4\x8F\xBF\xBF");
  // Every byte that does not start a well-formed sequence becomes U+FFFD.
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(JsonEscape("a\xFF"
                       "b"),
            "a" + r + "b");
  EXPECT_EQ(JsonEscape("\xC3"), r);                          // Truncated.
  EXPECT_EQ(JsonEscape("\xE2\x82"), r + r);                  // Truncated.
  EXPECT_EQ(JsonEscape("\xC0\x80"), r + r);                  // Overlong NUL.
  EXPECT_EQ(JsonEscape("\xE0\x80\xAF"), r + r + r);          // Overlong '/'.
  EXPECT_EQ(JsonEscape("\xED\xA0\x80"), r + r + r);          // Surrogate.
  EXPECT_EQ(JsonEscape("\xF4\x90\x80\x80"), r + r + r + r);  // Above U+10FFFF.
  EXPECT_EQ(JsonEscape("\x80\"x"), r + "\\\"x");             // Lone continuation.
  EXPECT_EQ(
      ErrorBody("NOT_FOUND", "no route for /\xFF", "r"),
      R"({"error":{"code":"NOT_FOUND","message":"no route for /)" + r + R"(","requestId":"r"}})");
}

TEST(ErrorBodyTest, BuildsTheErrorEnvelope) {
  EXPECT_EQ(ErrorBody("NOT_FOUND", "contact \"bob\" not found", "req-1"),
            R"({"error":{"code":"NOT_FOUND","message":"contact \"bob\" not found",)"
            R"("requestId":"req-1"}})");
  EXPECT_EQ(ErrorBody("INVALID_ARGUMENT", "bad\nline", "r", "plan.stages[0]"),
            R"({"error":{"code":"INVALID_ARGUMENT","message":"bad\nline",)"
            R"("field":"plan.stages[0]","requestId":"r"}})");
  EXPECT_EQ(ErrorBody("UNAVAILABLE", "x", ""),
            R"({"error":{"code":"UNAVAILABLE","message":"x","requestId":""}})");
}

TEST(ErrorBodyTest, ErrorResponseCarriesStatusAndJson) {
  Response r = ErrorResponse(405, "METHOD_NOT_ALLOWED", "PUT is not allowed here", "rid");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, ErrorBody("METHOD_NOT_ALLOWED", "PUT is not allowed here", "rid"));
}

// --- Request accessors ---------------------------------------------------------------

TEST(RequestTest, HeaderAndQueryLookups) {
  Request req;
  req.headers = {{"content-type", "application/json"}, {"if-match", "\"3\""}};
  req.query = {{"limit", "5"}, {"tag", "a"}, {"tag", "b"}};
  EXPECT_EQ(req.HeaderValue("Content-Type"), "application/json");
  EXPECT_EQ(req.HeaderValue("IF-MATCH"), "\"3\"");
  EXPECT_EQ(req.HeaderValue("content-typ"), "");
  EXPECT_EQ(req.QueryValue("limit"), "5");
  EXPECT_EQ(req.QueryValue("tag"), "a");
  EXPECT_EQ(req.QueryValue("cursor"), std::nullopt);
  EXPECT_EQ(req.QueryValues("tag"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_TRUE(req.QueryValues("none").empty());
}

}  // namespace
}  // namespace tocsin::http
