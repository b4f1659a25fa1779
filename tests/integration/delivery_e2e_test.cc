// Delivery end to end: the real binary with notify.driver=carriers, a real
// SMTP server (tests/support/smtp_sink.py on aiosmtpd) and a local server that
// speaks Twilio's REST wire format (tests/support/fake_twilio.py), all on
// loopback.
//
// The issue's "done means": starting an incident from the API makes an email
// with an accept code arrive, and accepting with that code stops the
// escalation; the SMS path does the same with a reply "ACK <code>" sent
// through the carrier's signed inbound webhook. Also: activation codes travel
// through the channel they activate, carrier status callbacks become
// receipts, a bad signature changes nothing, a voice keypress acknowledges,
// and a carrier outage fails the page on the timeline. Each test ends by checking that no
// unexpected message left the server.
#include <unistd.h>

#include <fstream>
#include <map>
#include <regex>

#include <gtest/gtest.h>

#include "support/http_client.h"
#include "support/port_child.h"
#include "support/process.h"
#include "support/test_server.h"
#include "support/wait_for.h"

#include <netinet/in.h>
#include <sys/socket.h>

namespace tocsin::test {
namespace {

using nlohmann::json;

constexpr const char* kKey = "tcn_delivery_e2e_admin_key_0123456789";
constexpr const char* kSid = "AC0123456789abcdef0123456789abcdef";
constexpr const char* kToken = "e2e-auth-token";

// A port that was free a moment ago (server.publicUrl must name the port
// before the server starts: Twilio signs the URL it calls).
uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::vector<json> JsonLines(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

std::string FirstMatch(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex(pattern))) return m[1];
  return {};
}

class DeliveryE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(smtp_.Start({"/usr/bin/python3", SupportFile("smtp_sink.py"), "--port", "0",
                             "--spool", mail_, "--refuse", "nobody@example.com"}))
        << smtp_.error();
    ASSERT_TRUE(twilio_.Start({"/usr/bin/python3", SupportFile("fake_twilio.py"), "--port", "0",
                               "--log", twilio_log_, "--account-sid", kSid, "--auth-token", kToken,
                               "--callbacks", "--callback-delay", "0.01"}))
        << twilio_.error();
    port_ = FreePort();
    const std::string me = "127.0.0.1:" + std::to_string(port_);
    std::map<std::string, std::string> env{
        {"TOCSIN_BOOTSTRAP_KEY", kKey},
        {"TOCSIN_LOG_LEVEL", "warn"},
        {"TOCSIN_SERVER_PUBLIC_URL", "http://" + me},
        {"TOCSIN_NOTIFY_DRIVER", "carriers"},
        {"TOCSIN_NOTIFY_ALLOW", "127.0.0.1/32"},
        {"TOCSIN_NOTIFY_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(smtp_.port())},
        {"TOCSIN_NOTIFY_SMTP_STARTTLS", "never"},
        {"TOCSIN_NOTIFY_SMTP_FROM", "Tocsin <pager@example.com>"},
        {"TOCSIN_NOTIFY_SMS_CARRIERS", "twilio"},
        {"TOCSIN_NOTIFY_VOICE_CARRIERS", "twilio"},
        {"TOCSIN_NOTIFY_TWILIO_ACCOUNT_SID", kSid},
        {"TOCSIN_NOTIFY_TWILIO_AUTH_TOKEN", kToken},
        {"TOCSIN_NOTIFY_TWILIO_FROM", "+15005550006"},
        {"TOCSIN_NOTIFY_TWILIO_API_URL", "http://127.0.0.1:" + std::to_string(twilio_.port())},
    };
    ASSERT_TRUE(server_.Start({"--listen", me, "--db", db_}, env)) << server_.Output();
    api_ = std::make_unique<HttpClient>(server_.port());
    api_->SetToken(kKey);
  }

  void TearDown() override {
    // Nothing left the server that the test did not take.
    EXPECT_EQ(Mails().size(), mails_taken_) << "unexpected email";
    EXPECT_EQ(Sent().size(), sms_taken_) << "unexpected SMS or call";
  }

  // Emails the sink accepted, oldest first.
  std::vector<json> Mails() { return JsonLines(mail_); }
  // Messages and calls the carrier accepted, oldest first.
  std::vector<json> Sent() {
    std::vector<json> out;
    for (auto& l : JsonLines(twilio_log_)) {
      if (l["kind"] == "api" && l["method"] == "POST" && l.contains("sid") &&
          l["sid"].is_string()) {
        out.push_back(std::move(l));
      }
    }
    return out;
  }
  std::vector<json> Callbacks() {
    std::vector<json> out;
    for (auto& l : JsonLines(twilio_log_)) {
      if (l["kind"] == "callback") out.push_back(std::move(l));
    }
    return out;
  }

  // Waits for email number `n` (1-based) and takes it.
  json TakeMail(size_t n) {
    EXPECT_TRUE(WaitFor([&] { return Mails().size() >= n; })) << "no email #" << n;
    mails_taken_ = std::max(mails_taken_, n);
    auto all = Mails();
    return all.size() >= n ? all[n - 1] : json();
  }
  json TakeSent(size_t n) {
    EXPECT_TRUE(WaitFor([&] { return Sent().size() >= n; })) << "no SMS/call #" << n;
    sms_taken_ = std::max(sms_taken_, n);
    auto all = Sent();
    return all.size() >= n ? all[n - 1] : json();
  }

  static std::string TextPart(const json& mail) {
    for (const auto& p : mail["parts"]) {
      if (p["content_type"] == "text/plain") return p["body"];
    }
    return {};
  }

  // A person with one activated channel, activated with the code that channel received.
  std::string Person(const std::string& alias, const std::string& type,
                     const std::string& address) {
    EXPECT_EQ(api_->Post("/api/v1/contacts", {{"alias", alias}}).status, 201);
    auto ch = api_->Post("/api/v1/contacts/" + alias + "/channels",
                         {{"name", "main"}, {"type", type}, {"deliveryAddress", address}});
    EXPECT_EQ(ch.status, 201) << ch.body;
    const std::string id = ch.json()["id"];
    std::string code;
    if (type == "EMAIL") {
      code = FirstMatch(TextPart(TakeMail(mails_taken_ + 1)), "([0-9]{6})");
    } else {
      // An SMS carries it in its Body, a call in the TwiML it speaks.
      json params = TakeSent(sms_taken_ + 1)["params"];
      code = FirstMatch(params.value(type == "SMS" ? "Body" : "Twiml", ""), "([0-9]{6})");
    }
    EXPECT_FALSE(code.empty()) << "no activation code arrived for " << alias;
    EXPECT_EQ(api_->Post("/api/v1/channels/" + id + "/activate", {{"code", code}}).status, 200);
    return id;
  }

  // An incident from plan `plan` engaging `alias`; returns its engagement id.
  std::string StartIncident(const std::string& alias) {
    EXPECT_EQ(api_->Post("/api/v1/response-plans",
                         {{"name", "p-" + alias},
                          {"incidentTemplate", {{"title", "DB down <&>"}, {"impact", 1}}},
                          {"engagements", {alias}}})
                  .status,
              201);
    auto incident = api_->Post("/api/v1/incidents", {{"responsePlan", "p-" + alias}});
    EXPECT_EQ(incident.status, 201) << incident.body;
    std::string engagement;
    WaitFor([&] {
      auto list =
          api_->Get("/api/v1/engagements?incident=" + incident.json()["id"].get<std::string>());
      if (list.status != 200 || list.json()["items"].empty()) return false;
      engagement = list.json()["items"][0]["id"];
      return true;
    });
    return engagement;
  }

  std::string EngagementState(const std::string& id) {
    return api_->Get("/api/v1/engagements/" + id).json()["state"];
  }

  json PageOf(const std::string& engagement) {
    auto pages = api_->Get("/api/v1/pages?engagement=" + engagement);
    return pages.json()["items"][0];
  }

  TempDir dir_;
  std::string db_ = (dir_.path() / "tocsin.db").string();
  std::string mail_ = (dir_.path() / "mail.jsonl").string();
  std::string twilio_log_ = (dir_.path() / "twilio.jsonl").string();
  PortChild smtp_;
  PortChild twilio_;
  ServerProcess server_;
  uint16_t port_ = 0;
  std::unique_ptr<HttpClient> api_;
  size_t mails_taken_ = 0;
  size_t sms_taken_ = 0;
};

TEST_F(DeliveryE2eTest, EmailWithAcceptCodeArrivesAndTheCodeStopsTheEscalation) {
  Person("alice", "EMAIL", "alice@example.com");
  const std::string engagement = StartIncident("alice");
  ASSERT_FALSE(engagement.empty());

  json mail = TakeMail(2);
  EXPECT_EQ(mail["rcpt_tos"], json::array({"alice@example.com"}));
  const std::string text = TextPart(mail);
  const std::string code = FirstMatch(text, "([0-9]{6})");
  ASSERT_FALSE(code.empty()) << text;
  EXPECT_NE(text.find("DB down <&>"), std::string::npos) << text;
  EXPECT_NE(text.find("http://127.0.0.1:" + std::to_string(port_) + "/ack/"), std::string::npos);
  bool html_escaped = false;
  for (const auto& p : mail["parts"]) {
    if (p["content_type"] == "text/html") {
      html_escaped =
          p["body"].get<std::string>().find("DB down &lt;&amp;&gt;") != std::string::npos;
    }
  }
  EXPECT_TRUE(html_escaped);

  const json page = PageOf(engagement);
  EXPECT_EQ(page["state"], "SENT");
  auto wrong = api_->Post("/api/v1/pages/" + page["id"].get<std::string>() + "/accept",
                          {{"code", code == "000000" ? "111111" : "000000"}});
  EXPECT_EQ(wrong.status, 400);
  auto accepted =
      api_->Post("/api/v1/pages/" + page["id"].get<std::string>() + "/accept", {{"code", code}});
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(EngagementState(engagement), "ACKNOWLEDGED");
}

TEST_F(DeliveryE2eTest, SmsReplyWithTheCodeAcknowledgesAndCallbacksBecomeReceipts) {
  Person("bob", "SMS", "+15555550123");
  const std::string engagement = StartIncident("bob");
  ASSERT_FALSE(engagement.empty());

  json sms = TakeSent(2);
  EXPECT_EQ(sms["path"], std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json");
  EXPECT_EQ(sms["params"]["To"], "+15555550123");
  EXPECT_EQ(sms["params"]["StatusCallback"],
            "http://127.0.0.1:" + std::to_string(port_) + "/hooks/twilio/status");
  const std::string body = sms["params"]["Body"];
  const std::string code = FirstMatch(body, "ACK ([0-9]{6})");
  ASSERT_FALSE(code.empty()) << body;

  // The carrier's signed status callbacks (sent, delivered) became receipts.
  const std::string page_id = PageOf(engagement).value("id", "");
  ASSERT_FALSE(page_id.empty()) << api_->Get("/api/v1/pages?engagement=" + engagement).body;
  ASSERT_TRUE(WaitFor([&] {
    const json page = api_->Get("/api/v1/pages/" + page_id).json();
    for (const auto& receipt : page.value("receipts", json::array())) {
      if (receipt.value("receiptType", "") == "DELIVERED") return true;
    }
    return false;
  })) << api_->Get("/api/v1/pages/" + page_id).body;

  // A forged callback (bad signature) is refused and changes nothing.
  auto forged = api_->Send("POST", "/hooks/twilio/sms", "From=%2B15555550123&Body=ACK+" + code,
                           {{"Content-Type", "application/x-www-form-urlencoded"},
                            {"X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl"}});
  EXPECT_EQ(forged.status, 403);
  // (Bob has no plan of his own: one page, then the engagement waits as
  // UNACKNOWLEDGED, and a late answer still counts.)
  EXPECT_EQ(EngagementState(engagement), "UNACKNOWLEDGED");
  EXPECT_FALSE(api_->Get("/api/v1/pages/" + page_id).json().value("acknowledged", false));

  // The person replies "ACK <code>"; the carrier posts it, signed.
  HttpClient control(twilio_.port());
  auto inbound =
      control.Post("/_control/inbound",
                   {{"url", "http://127.0.0.1:" + std::to_string(port_) + "/hooks/twilio/sms"},
                    {"from", "+15555550123"},
                    {"body", "ACK " + code}});
  ASSERT_EQ(inbound.status, 200) << inbound.body;
  EXPECT_EQ(inbound.json()["status"], 200) << inbound.body;
  ASSERT_TRUE(WaitFor([&] { return EngagementState(engagement) == "ACKNOWLEDGED"; }));
}

TEST_F(DeliveryE2eTest, VoiceKeypressAcknowledgesTheCall) {
  Person("carol", "VOICE", "+15555550124");
  const std::string engagement = StartIncident("carol");
  json call = TakeSent(2);
  EXPECT_EQ(call["path"], std::string("/2010-04-01/Accounts/") + kSid + "/Calls.json");
  const std::string sid = call["sid"];
  HttpClient control(twilio_.port());
  auto gather =
      control.Post("/_control/gather",
                   {{"url", "http://127.0.0.1:" + std::to_string(port_) + "/hooks/twilio/gather"},
                    {"digits", "1"},
                    {"callSid", sid}});
  ASSERT_EQ(gather.status, 200) << gather.body;
  EXPECT_EQ(gather.json()["status"], 200) << gather.body;
  ASSERT_TRUE(WaitFor([&] { return EngagementState(engagement) == "ACKNOWLEDGED"; }));
}

TEST_F(DeliveryE2eTest, CarrierOutageFailsThePageOnTheTimelineAndLaterPagesStillGo) {
  Person("dave", "SMS", "+15555550125");
  HttpClient control(twilio_.port());
  ASSERT_EQ(control.Post("/_control", {{"mode", "500"}}).status, 200);
  const std::string engagement = StartIncident("dave");
  ASSERT_TRUE(WaitFor([&] { return PageOf(engagement)["state"] == "FAILED"; }));
  const json page = PageOf(engagement);
  auto timeline = api_->Get("/api/v1/incidents/" + page["incidentId"].get<std::string>() +
                            "/timeline?eventType=Page%20Failed");
  ASSERT_EQ(timeline.status, 200);
  ASSERT_EQ(timeline.json()["items"].size(), 1u) << timeline.body;
  EXPECT_NE(timeline.json()["items"][0]["eventData"].get<std::string>().find("twilio"),
            std::string::npos);
  // The refused attempt reached the carrier but was not accepted: nothing sent.
  ASSERT_EQ(control.Post("/_control", {{"mode", "ok"}}).status, 200);
  // A manual engagement of the same person goes through once the carrier is back.
  auto e = api_->Post("/api/v1/engagements",
                      {{"contact", "dave"}, {"subject", "again"}, {"content", "carrier is back"}});
  ASSERT_EQ(e.status, 201) << e.body;
  TakeSent(2);
}

}  // namespace
}  // namespace tocsin::test
