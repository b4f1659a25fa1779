// The outbox with the in-process server, a fake clock, and real loopback HTTP
// receivers (TinyHttpServer) standing in for a Slack webhook and a
// notification target: what is posted on each incident change, signatures,
// retries with the same Idempotency-Key, permanent failures, the outbound
// guard, and test pages. Each test ends by checking that the receivers got
// nothing it did not expect.
#include <algorithm>
#include <chrono>

#include <gtest/gtest.h>

#include "support/http_client.h"
#include "support/test_server.h"
#include "support/tiny_http_server.h"
#include "tocsin/notify/announce.h"

namespace tocsin::test {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "whsec_outbox_test";

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(chat_.ok());
    ASSERT_TRUE(hook_.ok());
    server_.config().carriers.allow = {"127.0.0.1/32"};
    server_.Restart();
    admin_ = std::make_unique<HttpClient>(server_.Admin());
  }

  void TearDown() override {
    server_.app().WaitEngineIdle();
    EXPECT_EQ(chat_.request_count(), chat_expected_) << "unexpected chat post";
    EXPECT_EQ(hook_.request_count(), hook_expected_) << "unexpected webhook";
    EXPECT_TRUE(server_.notifier().TakePages().empty()) << "unexpected page";
  }

  // A plan posting to a Slack channel (chat_) and a signed target (`target_url`).
  void Plan(const std::string& target_url) {
    ASSERT_EQ(admin_
                  ->Post("/api/v1/chat-channels",
                         {{"name", "ops"}, {"type", "slack"}, {"url", chat_.Url("/slack")}})
                  .status,
              201);
    ASSERT_EQ(admin_
                  ->Post("/api/v1/notification-targets",
                         {{"name", "audit"}, {"url", target_url}, {"secret", kSecret}})
                  .status,
              201);
    auto plan =
        admin_->Post("/api/v1/response-plans",
                     {{"name", "db"},
                      {"incidentTemplate",
                       {{"title", "DB down"}, {"impact", 2}, {"notificationTargets", {"audit"}}}},
                      {"chatChannels", {"ops"}}});
    ASSERT_EQ(plan.status, 201) << plan.body;
  }

  std::string StartIncident() {
    auto r = admin_->Post("/api/v1/incidents", {{"responsePlan", "db"}});
    EXPECT_EQ(r.status, 201) << r.body;
    server_.app().WaitEngineIdle();
    return r.json()["id"];
  }

  std::vector<json> Outbox(const std::string& incident) {
    auto r = admin_->Get("/api/v1/outbox?incident=" + incident);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["items"].get<std::vector<json>>();
  }

  size_t TimelineCount(const std::string& incident, const std::string& type) {
    std::string t = type;
    for (size_t i = 0; (i = t.find(' ', i)) != std::string::npos;) t.replace(i, 1, "%20");
    return admin_->Get("/api/v1/incidents/" + incident + "/timeline?eventType=" + t)
        .json()["items"]
        .size();
  }

  // Checks the signature headers of a webhook request.
  void ExpectSigned(const ReceivedRequest& r) {
    EXPECT_TRUE(notify::VerifyWebhookSignature(kSecret, r.body, r.Header("x-tocsin-timestamp"),
                                               r.Header("x-tocsin-signature"),
                                               server_.clock().Now()))
        << r.Header("x-tocsin-signature");
    EXPECT_FALSE(r.Header("idempotency-key").empty());
  }

  TinyHttpServer chat_;
  TinyHttpServer hook_;
  TestServer server_;
  std::unique_ptr<HttpClient> admin_;
  size_t chat_expected_ = 0;
  size_t hook_expected_ = 0;
};

TEST_F(OutboxTest, ChatAndSignedWebhooksFollowTheIncidentLifecycle) {
  Plan(hook_.Url("/hook"));
  const std::string id = StartIncident();
  chat_expected_ = 1;
  hook_expected_ = 1;
  ASSERT_TRUE(chat_.WaitForRequests(1, std::chrono::seconds(5)));
  ASSERT_TRUE(hook_.WaitForRequests(1, std::chrono::seconds(5)));
  const json slack = json::parse(chat_.Requests()[0].body);
  EXPECT_NE(slack["text"].get<std::string>().find("DB down"), std::string::npos);
  ASSERT_TRUE(slack.contains("blocks"));
  const ReceivedRequest created = hook_.Requests()[0];
  ExpectSigned(created);
  const json body = json::parse(created.body);
  EXPECT_EQ(body["event"], "incident.created");
  EXPECT_EQ(body["id"], created.Header("idempotency-key"));

  // Impact change: both hear of it. A title change: only the target.
  ASSERT_EQ(admin_->Patch("/api/v1/incidents/" + id, {{"impact", 1}}).status, 200);
  ASSERT_EQ(admin_->Patch("/api/v1/incidents/" + id, {{"title", "DB really down"}}).status, 200);
  // A note: only the chat.
  ASSERT_EQ(admin_
                ->Post("/api/v1/incidents/" + id + "/timeline",
                       {{"eventType", "Note"}, {"eventData", "\"failing over to the replica\""}})
                .status,
            201);
  ASSERT_EQ(admin_->Post("/api/v1/incidents/" + id + "/resolve", json::object()).status, 200);
  server_.app().WaitEngineIdle();
  chat_expected_ = 4;  // created, impact, note, resolved
  hook_expected_ = 4;  // created, impact, updated (title), resolved
  ASSERT_TRUE(chat_.WaitForRequests(4, std::chrono::seconds(5)));
  ASSERT_TRUE(hook_.WaitForRequests(4, std::chrono::seconds(5)));
  std::vector<std::string> events;
  for (const auto& r : hook_.Requests()) {
    ExpectSigned(r);
    events.push_back(json::parse(r.body)["event"]);
  }
  std::sort(events.begin(), events.end());
  EXPECT_EQ(events, (std::vector<std::string>{"incident.created", "incident.impact_changed",
                                              "incident.resolved", "incident.updated"}));
  // Two delivery workers: posts of one incident may arrive in any order.
  size_t notes = 0;
  for (const auto& r : chat_.Requests()) {
    if (r.body.find("failing over to the replica") != std::string::npos) ++notes;
  }
  EXPECT_EQ(notes, 1u);
  for (const auto& m : Outbox(id)) EXPECT_EQ(m["state"], "SENT") << m.dump();
  EXPECT_EQ(TimelineCount(id, "Notification Sent"), 8u);
}

TEST_F(OutboxTest, AFailingTargetIsRetriedWithTheSameKeyAndBody) {
  Plan(hook_.Url("/hook"));
  hook_.Enqueue({503, {}, "busy"});
  const std::string id = StartIncident();
  chat_expected_ = 1;
  hook_expected_ = 1;
  ASSERT_TRUE(hook_.WaitForRequests(1, std::chrono::seconds(5)));
  server_.app().WaitEngineIdle();
  json webhook;
  for (const auto& m : Outbox(id)) {
    if (m["kind"] == "WEBHOOK") webhook = m;
  }
  EXPECT_EQ(webhook["state"], "QUEUED");
  EXPECT_EQ(webhook["attempts"], 1);
  EXPECT_NE(webhook["lastError"].get<std::string>().find("503"), std::string::npos);
  EXPECT_EQ(TimelineCount(id, "Notification Retry Scheduled"), 1u);

  // Not before the backoff (30 s), then once.
  server_.clock().Advance(std::chrono::seconds(29));
  server_.app().WaitEngineIdle();
  EXPECT_EQ(hook_.request_count(), 1u);
  server_.clock().Advance(std::chrono::seconds(1));
  server_.app().WaitEngineIdle();
  hook_expected_ = 2;
  ASSERT_TRUE(hook_.WaitForRequests(2, std::chrono::seconds(5)));
  const auto requests = hook_.Requests();
  EXPECT_EQ(requests[0].Header("idempotency-key"), requests[1].Header("idempotency-key"));
  EXPECT_EQ(requests[0].body, requests[1].body);
  ExpectSigned(requests[1]);
  auto sent = admin_->Get("/api/v1/outbox/" + webhook["id"].get<std::string>()).json();
  EXPECT_EQ(sent["state"], "SENT");
  EXPECT_EQ(sent["attempts"], 2);
}

TEST_F(OutboxTest, PermanentRefusalsFailAtOnce) {
  // A 404 is not retried.
  Plan(hook_.Url("/gone"));
  hook_.Enqueue({404, {}, "no such hook"});
  const std::string id = StartIncident();
  chat_expected_ = 1;
  hook_expected_ = 1;
  ASSERT_TRUE(hook_.WaitForRequests(1, std::chrono::seconds(5)));
  server_.app().WaitEngineIdle();
  for (const auto& m : Outbox(id)) {
    if (m["kind"] == "WEBHOOK") {
      EXPECT_EQ(m["state"], "FAILED");
      EXPECT_EQ(m["attempts"], 1);
    }
  }
  EXPECT_EQ(TimelineCount(id, "Notification Failed"), 1u);
  server_.clock().Advance(std::chrono::hours(2));
  server_.app().WaitEngineIdle();
}

TEST_F(OutboxTest, TheGuardRefusesMetadataAddresses) {
  // The instance metadata service, spelled as a decimal IPv4 address.
  Plan("http://2852039166/latest/meta-data/");
  const std::string id = StartIncident();
  chat_expected_ = 1;
  server_.app().WaitEngineIdle();
  bool seen = false;
  for (const auto& m : Outbox(id)) {
    if (m["kind"] != "WEBHOOK") continue;
    seen = true;
    EXPECT_EQ(m["state"], "FAILED") << m.dump();
    EXPECT_NE(m["lastError"].get<std::string>().find("metadata"), std::string::npos) << m.dump();
  }
  EXPECT_TRUE(seen);
}

TEST_F(OutboxTest, TestPageGoesThroughEveryActivatedChannelOnce) {
  ASSERT_EQ(admin_->Post("/api/v1/contacts", {{"alias", "ann"}}).status, 201);
  // No activated channel yet: nothing to test.
  EXPECT_EQ(admin_->Post("/api/v1/contacts/ann/test-page", json::object()).status, 409);
  auto ch = admin_->Post("/api/v1/contacts/ann/channels",
                         {{"name", "mail"}, {"type", "EMAIL"}, {"deliveryAddress", "ann@x.io"}});
  ASSERT_EQ(ch.status, 201);
  const std::string channel = ch.json()["id"];
  ASSERT_EQ(admin_
                ->Post("/api/v1/channels/" + channel + "/activate",
                       {{"code", server_.notifier().TakeCode(channel).value_or("")}})
                .status,
            200);
  auto r = admin_->Post("/api/v1/contacts/ann/test-page", json::object());
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(r.json()["messages"].size(), 1u);
  server_.app().WaitEngineIdle();
  auto pages = server_.notifier().TakePages();
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].address, "ann@x.io");
  EXPECT_EQ(pages[0].subject, "Tocsin test page");
  auto m = admin_->Get("/api/v1/outbox/" + r.json()["messages"][0]["id"].get<std::string>());
  EXPECT_EQ(m.json()["state"], "SENT");
  EXPECT_EQ(m.json()["maxAttempts"], 1);
}

}  // namespace
}  // namespace tocsin::test
