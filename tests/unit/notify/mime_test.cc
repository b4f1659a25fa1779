// ComposeMime, ParseMailbox and the page / activation emails: pure functions,
// checked by taking their output apart again.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tocsin/crypto/crypto.h"
#include "tocsin/notify/smtp.h"

namespace tocsin::notify {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

const TimePoint kDate = FromUnixMillis(1'772'460'000'000);  // 2026-03-02T14:00:00Z, a Monday.
constexpr char kFrom[] = "Tocsin <pager@example.com>";

// Splits on CRLF; fails the test on a bare CR or LF.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find("\r\n", start);
    const std::string line = text.substr(start, end == std::string::npos ? end : end - start);
    EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos) << "bare CR or LF in: " << line;
    lines.push_back(line);
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return lines;
}

// Returns the unfolded value of the first header `name` in `block`, or "".
std::string Header(const std::string& block, const std::string& name) {
  const std::vector<std::string> lines = Lines(block.substr(0, block.find("\r\n\r\n")));
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(name + ": ", 0) != 0) continue;
    std::string value = lines[i].substr(name.size() + 2);
    while (i + 1 < lines.size() && (lines[i + 1][0] == ' ' || lines[i + 1][0] == '\t')) {
      value += lines[++i];
    }
    return value;
  }
  return {};
}

// Undoes RFC 2047 "B" encoded-words; whitespace between adjacent words goes.
std::string DecodeWords(std::string_view value) {
  std::string out;
  std::string pending_space;
  while (!value.empty()) {
    if (value.rfind("=?UTF-8?B?", 0) == 0) {
      const size_t end = value.find("?=", 10);
      const auto decoded = crypto::Base64Decode(value.substr(10, end - 10));
      EXPECT_TRUE(decoded.has_value());
      out += decoded.value_or("");
      value.remove_prefix(end + 2);
      pending_space.clear();
      while (!value.empty() && value.front() == ' ') {
        pending_space += ' ';
        value.remove_prefix(1);
      }
      if (!value.empty() && value.rfind("=?", 0) != 0) out += pending_space;
      continue;
    }
    out += value.front();
    value.remove_prefix(1);
  }
  return out;
}

std::string DecodeQuotedPrintable(std::string_view qp) {
  std::string out;
  for (size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] != '=') {
      out += qp[i];
    } else if (qp.substr(i + 1, 2) == "\r\n") {
      i += 2;
    } else {
      out += static_cast<char>(std::stoi(std::string(qp.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    }
  }
  return out;
}

struct Part {
  std::string headers;
  std::string body;  // Still transfer-encoded.
};

// Splits a multipart message into its parts (headers + body each).
std::vector<Part> Parts(const std::string& mime) {
  const std::string content_type = Header(mime, "Content-Type");
  const size_t b = content_type.find("boundary=\"");
  if (b == std::string::npos) return {};
  const std::string boundary =
      "--" + content_type.substr(b + 10, content_type.find('"', b + 10) - b - 10);
  std::vector<Part> parts;
  size_t pos = mime.find("\r\n\r\n") + 4;
  EXPECT_EQ(mime.compare(pos, boundary.size() + 2, boundary + "\r\n"), 0);
  while (true) {
    pos = mime.find(boundary, pos);
    if (pos == std::string::npos || mime.compare(pos, boundary.size() + 2, boundary + "--") == 0) {
      break;
    }
    pos += boundary.size() + 2;
    // The CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1).
    const size_t end = mime.find("\r\n" + boundary, pos);
    const std::string raw = mime.substr(pos, end - pos);
    const size_t split = raw.find("\r\n\r\n");
    parts.push_back({raw.substr(0, split + 2), raw.substr(split + 4)});
    pos = end + 2;
  }
  return parts;
}

MailMessage Simple() {
  MailMessage m;
  m.to = "alice@example.com";
  m.subject = "Primary DB down";
  m.text = "hello";
  m.html = "<p>hello</p>";
  m.message_id = "<m1@example.com>";
  return m;
}

TEST(MimeTest, ComposesHeadersAndAlternativeParts) {
  auto mime = ComposeMime(kFrom, Simple(), kDate);
  ASSERT_TRUE(mime.ok()) << mime.status().ToString();
  EXPECT_EQ(Header(*mime, "Date"), "Mon, 02 Mar 2026 14:00:00 +0000");
  EXPECT_EQ(Header(*mime, "From"), "Tocsin <pager@example.com>");
  EXPECT_EQ(Header(*mime, "To"), "alice@example.com");
  EXPECT_EQ(Header(*mime, "Subject"), "Primary DB down");
  EXPECT_EQ(Header(*mime, "Message-ID"), "<m1@example.com>");
  EXPECT_EQ(Header(*mime, "MIME-Version"), "1.0");
  EXPECT_EQ(Header(*mime, "Auto-Submitted"), "auto-generated");
  EXPECT_THAT(Header(*mime, "Content-Type"),
              MatchesRegex("multipart/alternative; boundary=\"=_tocsin_[A-Za-z0-9_-]+\""));
  EXPECT_THAT(*mime, HasSubstr("Content-Type: multipart/alternative;\r\n boundary="));
  EXPECT_THAT(*mime, StartsWith("Date: "));

  const std::vector<Part> parts = Parts(*mime);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(Header(parts[0].headers, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(Header(parts[0].headers, "Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_EQ(DecodeQuotedPrintable(parts[0].body), "hello");
  EXPECT_EQ(Header(parts[1].headers, "Content-Type"), "text/html; charset=UTF-8");
  EXPECT_EQ(DecodeQuotedPrintable(parts[1].body), "<p>hello</p>");

  for (char c : *mime) EXPECT_LT(static_cast<unsigned char>(c), 0x80u);
  Lines(*mime);  // Fails on a bare CR or LF.
}

TEST(MimeTest, TextOnlyMessageIsOnePart) {
  MailMessage m = Simple();
  m.html.clear();
  auto mime = ComposeMime(kFrom, m, kDate);
  ASSERT_TRUE(mime.ok()) << mime.status().ToString();
  EXPECT_EQ(Header(*mime, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(Header(*mime, "Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_THAT(*mime, Not(HasSubstr("multipart")));
  EXPECT_EQ(DecodeQuotedPrintable(mime->substr(mime->find("\r\n\r\n") + 4)), "hello\r\n");
}

TEST(MimeTest, NonAsciiSubjectBecomesEncodedWords) {
  MailMessage m = Simple();
  m.subject = "Base de données en panne — ça brûle 🔥 à Zürich, 東京 aussi: vérifiez les réplicas";
  auto mime = ComposeMime(kFrom, m, kDate);
  ASSERT_TRUE(mime.ok()) << mime.status().ToString();
  const std::string subject = Header(*mime, "Subject");
  EXPECT_THAT(subject, StartsWith("=?UTF-8?B?"));
  EXPECT_EQ(DecodeWords(subject), m.subject);
  for (const std::string& line : Lines(*mime)) EXPECT_LE(line.size(), 78u) << line;
  for (char c : *mime) EXPECT_LT(static_cast<unsigned char>(c), 0x80u);
}

TEST(MimeTest, LongAsciiSubjectIsFoldedAndUnfoldsToTheSame) {
  MailMessage m = Simple();
  m.subject.clear();
  for (int i = 0; i < 40; ++i) m.subject += (i ? " word" : "word") + std::to_string(i);
  auto mime = ComposeMime(kFrom, m, kDate);
  ASSERT_TRUE(mime.ok()) << mime.status().ToString();
  EXPECT_EQ(Header(*mime, "Subject"), m.subject);
  for (const std::string& line : Lines(*mime)) EXPECT_LE(line.size(), 78u) << line;
}

TEST(MimeTest, SubjectThatLooksEncodedIsEncoded) {
  MailMessage m = Simple();
  m.subject = "=?UTF-8?B?Zm9v?= is not foo";
  auto mime = ComposeMime(kFrom, m, kDate);
  ASSERT_TRUE(mime.ok()) << mime.status().ToString();
  EXPECT_EQ(DecodeWords(Header(*mime, "Subject")), m.subject);
  EXPECT_NE(Header(*mime, "Subject"), m.subject);
}

TEST(MimeTest, BodiesAreQuotedPrintableWithShortCrlfLines) {
  MailMessage m = Simple();
  m.html.clear();
  m.text = "a=b\ntrailing space \n.\n.leading dot\r\nold mac\rcafé\t\n" + std::string(3000, 'x') +
           "\n" + std::string(200, '=') + "\n";
  auto mime = ComposeMime(kFrom, m, kDate);
  ASSERT_TRUE(mime.ok()) << mime.status().ToString();
  const std::string body = mime->substr(mime->find("\r\n\r\n") + 4);
  for (const std::string& line : Lines(body)) {
    EXPECT_LE(line.size(), 76u) << line;
    EXPECT_NE(line, ".");
    EXPECT_FALSE(!line.empty() && (line.back() == ' ' || line.back() == '\t')) << line;
  }
  EXPECT_THAT(body, HasSubstr("a=3Db\r\n"));
  EXPECT_THAT(body, HasSubstr("trailing space=20\r\n"));
  EXPECT_THAT(body, HasSubstr("caf=C3=A9=09\r\n"));
  EXPECT_EQ(DecodeQuotedPrintable(body),
            "a=b\r\ntrailing space \r\n.\r\n.leading dot\r\nold mac\r\ncafé\t\r\n" +
                std::string(3000, 'x') + "\r\n" + std::string(200, '=') + "\r\n\r\n");
}

TEST(MimeTest, RejectsHeaderInjection) {
  for (const std::string& subject :
       {std::string("x\r\nBcc: evil@example.com"), std::string("x\nBcc: evil@example.com"),
        std::string("x\ry"), std::string("x\0y", 3), std::string("x\x7fy")}) {
    MailMessage m = Simple();
    m.subject = subject;
    EXPECT_EQ(ComposeMime(kFrom, m, kDate).status().code(), StatusCode::kInvalidArgument)
        << subject;
  }
  MailMessage m = Simple();
  m.to = "alice@example.com\r\nBcc: evil@example.com";
  EXPECT_EQ(ComposeMime(kFrom, m, kDate).status().code(), StatusCode::kInvalidArgument);
  m = Simple();
  m.to = "Alice\r\n <alice@example.com>";
  EXPECT_EQ(ComposeMime(kFrom, m, kDate).status().code(), StatusCode::kInvalidArgument);
  m = Simple();
  m.message_id = "<a@b>\r\nBcc: evil@example.com";
  EXPECT_EQ(ComposeMime(kFrom, m, kDate).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ComposeMime("Tocsin\n <pager@example.com>", Simple(), kDate).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MimeTest, RejectsBadAddressesAndMessageIds) {
  for (const char* bad :
       {"", "alice", "alice@", "@example.com", "al ice@example.com", "alice@exa mple.com",
        "alice@@example.com", ".alice@example.com", "al..ice@example.com", "alice@example..com",
        "alice@-example.com", "<alice@example.com", "alice@example.com>", "Alice <alice>",
        "Ali<ce <alice@example.com>", "zoë@example.com", "alice@exämple.com",
        "\"unterminated <alice@example.com>"}) {
    EXPECT_EQ(ParseMailbox(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    MailMessage m = Simple();
    m.to = bad;
    EXPECT_EQ(ComposeMime(kFrom, m, kDate).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  for (const char* bad : {"m1@example.com", "<m1>", "<@example.com>", "<m 1@example.com>",
                          "<m1@example.com", "<m1@a@b>"}) {
    MailMessage m = Simple();
    m.message_id = bad;
    EXPECT_EQ(ComposeMime(kFrom, m, kDate).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(MimeTest, ParsesMailboxForms) {
  auto bare = ParseMailbox(" pager@example.com ");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->display_name, "");
  EXPECT_EQ(bare->address, "pager@example.com");

  auto named = ParseMailbox("Tocsin Pager <pager@example.com>");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->display_name, "Tocsin Pager");
  EXPECT_EQ(named->address, "pager@example.com");

  auto quoted = ParseMailbox(R"("Ops, \"Team\"" <ops+oncall@mail.example.com>)");
  ASSERT_TRUE(quoted.ok()) << quoted.status().ToString();
  EXPECT_EQ(quoted->display_name, "Ops, \"Team\"");
  EXPECT_EQ(quoted->address, "ops+oncall@mail.example.com");

  EXPECT_TRUE(ParseMailbox("<root@[192.0.2.1]>").ok());
  EXPECT_TRUE(ParseMailbox("root@localhost").ok());
}

TEST(MimeTest, QuotesOrEncodesDisplayNames) {
  auto quoted = ComposeMime("Ops, Team <ops@example.com>", Simple(), kDate);
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(Header(*quoted, "From"), "\"Ops, Team\" <ops@example.com>");

  MailMessage m = Simple();
  m.to = "Zoë Ng <zoe@example.com>";
  auto encoded = ComposeMime(kFrom, m, kDate);
  ASSERT_TRUE(encoded.ok());
  const std::string to = Header(*encoded, "To");
  EXPECT_THAT(to, StartsWith("=?UTF-8?B?"));
  EXPECT_EQ(DecodeWords(to), "Zoë Ng <zoe@example.com>");

  const std::string long_name(1500, 'a');  // One line would pass the 998 limit.
  auto folded = ComposeMime(long_name + " <ops@example.com>", Simple(), kDate);
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(DecodeWords(Header(*folded, "From")), long_name + " <ops@example.com>");
  for (const std::string& line : Lines(*folded)) EXPECT_LE(line.size(), 78u);
}

TEST(MimeTest, GeneratesMessageIdWhenEmpty) {
  MailMessage m = Simple();
  m.message_id.clear();
  auto mime = ComposeMime(kFrom, m, kDate);
  ASSERT_TRUE(mime.ok());
  EXPECT_THAT(Header(*mime, "Message-ID"), MatchesRegex("<[0-9a-f-]+@example\\.com>"));
  EXPECT_NE(NewMessageId("a@example.com"), NewMessageId("a@example.com"));
  EXPECT_THAT(NewMessageId("root@[192.0.2.1]"), MatchesRegex("<[0-9a-f-]+@tocsin>"));
}

PageMessage SamplePage() {
  PageMessage p;
  p.page_id = "019b4f6e-3a2c-7d41-9f1a-2c3d4e5f6a7b";
  p.incident_title = "<b>&\"";
  p.incident_impact = 2;
  p.incident_summary = "Writes fail since 14:00 <all regions>";
  p.delivery_address = "alice@example.com";
  p.attempt = 2;
  p.content = "Primary database is down.\nCheck the runbook.";
  p.accept_code = "123456";
  p.ack_url = "https://tocsin.example/ack/tok?a=1&b=2";
  return p;
}

TEST(MimeTest, RendersPageEmail) {
  const PageMessage p = SamplePage();
  const MailMessage m = RenderPageEmail(p);
  EXPECT_EQ(m.to, "alice@example.com");
  EXPECT_EQ(m.subject, "[Tocsin] High: <b>&\"");
  EXPECT_EQ(m.message_id, "<page-019b4f6e-3a2c-7d41-9f1a-2c3d4e5f6a7b@tocsin>");

  EXPECT_THAT(m.text, HasSubstr("Incident: <b>&\""));
  EXPECT_THAT(m.text, HasSubstr("Impact: 2 (High)"));
  EXPECT_THAT(m.text, HasSubstr("Writes fail since 14:00 <all regions>"));
  EXPECT_THAT(m.text, HasSubstr("Primary database is down.\nCheck the runbook."));
  EXPECT_THAT(m.text, HasSubstr("Reply code: 123456"));
  EXPECT_THAT(m.text, HasSubstr("POST /api/v1/pages/019b4f6e-3a2c-7d41-9f1a-2c3d4e5f6a7b/accept "
                                "{\"code\": \"123456\"}"));
  EXPECT_THAT(m.text, HasSubstr("https://tocsin.example/ack/tok?a=1&b=2"));

  EXPECT_THAT(m.html, HasSubstr("&lt;b&gt;&amp;&quot;"));
  EXPECT_THAT(m.html, Not(HasSubstr("<b>&\"")));
  EXPECT_THAT(m.html, HasSubstr("&lt;all regions&gt;"));
  EXPECT_THAT(m.html, HasSubstr("href=\"https://tocsin.example/ack/tok?a=1&amp;b=2\""));
  EXPECT_THAT(m.html, HasSubstr("123456"));
  EXPECT_THAT(m.html, HasSubstr("2 (High)"));
  EXPECT_THAT(m.html, HasSubstr("{&quot;code&quot;: &quot;123456&quot;}"));

  auto mime = ComposeMime(kFrom, m, kDate);
  ASSERT_TRUE(mime.ok()) << mime.status().ToString();
  EXPECT_EQ(Header(*mime, "Message-ID"), m.message_id);
}

TEST(MimeTest, PageEmailSubjectFallbacks) {
  PageMessage p = SamplePage();
  p.subject = "Custom subject from the plan";
  EXPECT_EQ(RenderPageEmail(p).subject, "Custom subject from the plan");
  p = SamplePage();
  p.incident_impact = 0;
  EXPECT_EQ(RenderPageEmail(p).subject, "[Tocsin] <b>&\"");
  p.incident_title.clear();
  EXPECT_EQ(RenderPageEmail(p).subject, "[Tocsin] Page");
  p = SamplePage();
  const char* labels[] = {"Critical", "High", "Medium", "Low", "No impact"};
  for (int impact = 1; impact <= 5; ++impact) {
    p.incident_impact = impact;
    EXPECT_THAT(RenderPageEmail(p).subject, HasSubstr(labels[impact - 1]));
  }
  p.page_id = "not an id\r\n";
  EXPECT_EQ(RenderPageEmail(p).message_id, "");  // Generated when sent.
}

TEST(MimeTest, RendersActivationEmail) {
  const MailMessage m = RenderActivationEmail("alice@example.com", "123456");
  EXPECT_EQ(m.to, "alice@example.com");
  EXPECT_THAT(m.subject, HasSubstr("Your Tocsin activation code is 123456"));
  EXPECT_THAT(m.text, HasSubstr("Your Tocsin activation code is 123456"));
  EXPECT_THAT(m.html, HasSubstr("<strong>123456</strong>"));
  EXPECT_TRUE(m.message_id.empty());
  EXPECT_TRUE(ComposeMime(kFrom, m, kDate).ok());
}

}  // namespace
}  // namespace tocsin::notify
