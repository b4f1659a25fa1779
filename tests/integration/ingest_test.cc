// Alarms and events in, through the real server: integrations and their keys,
// Alertmanager and CloudWatch payloads, the events API, rules, findings,
// heartbeats on the fake clock, SNS confirmation through the outbound guard,
// and bad input. Payload parsing itself is tested in tests/unit/ingest.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/http_client.h"
#include "support/test_server.h"
#include "support/tiny_http_server.h"
#include "support/wait_for.h"

namespace tocsin::test {
namespace {

using nlohmann::json;

json Fixture(const std::string& name) {
  std::ifstream in(std::string(TOCSIN_TESTDATA_DIR) + "/ingest/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

json AmAlert(const std::string& fingerprint, const std::string& status,
             const std::string& name = "HighErrorRate") {
  return {{"status", status},
          {"labels", {{"alertname", name}, {"severity", "critical"}, {"instance", fingerprint}}},
          {"annotations", {{"summary", "5xx above 5%"}}},
          {"startsAt", "2026-11-23T09:12:03.123Z"},
          {"endsAt", status == "firing" ? "0001-01-01T00:00:00Z" : "2026-11-23T09:30:00Z"},
          {"generatorURL", "http://prometheus.example.com:9090/graph"},
          {"fingerprint", fingerprint}};
}

json AmPayload(std::vector<json> alerts, int truncated = 0) {
  bool firing = false;
  for (const auto& a : alerts) firing = firing || a["status"] == "firing";
  return {{"version", "4"},
          {"groupKey", "{}:{alertname=\"HighErrorRate\"}"},
          {"truncatedAlerts", truncated},
          {"status", firing ? "firing" : "resolved"},
          {"receiver", "tocsin"},
          {"groupLabels", {{"alertname", "HighErrorRate"}}},
          {"commonLabels", {{"alertname", "HighErrorRate"}}},
          {"commonAnnotations", json::object()},
          {"externalURL", "http://alertmanager.example.com:9093"},
          {"alerts", std::move(alerts)}};
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto plan = admin_.Post(
        "/api/v1/response-plans",
        {{"name", "db-down"}, {"incidentTemplate", {{"title", "Database down"}, {"impact", 3}}}});
    ASSERT_EQ(plan.status, 201) << plan.body;
  }

  void TearDown() override {
    server_.app().WaitEngineIdle();
    // The plan engages nobody: nothing may have been paged.
    EXPECT_TRUE(server_.notifier().TakePages().empty()) << "unexpected page";
  }

  // Creates an integration and returns its ingest key.
  std::string CreateIntegration(json spec) {
    auto r = admin_.Post("/api/v1/integrations", spec);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("ingestKey", "");
  }

  HttpResult Ingest(const std::string& key, const json& body) {
    return anonymous_.Send("POST", "/api/v1/ingest/" + key, body.dump());
  }

  json Incidents(const std::string& status) {
    auto r = admin_.Get("/api/v1/incidents?status=" + status);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["items"];
  }

  size_t TimelineSize(const std::string& incident) {
    auto r = admin_.Get("/api/v1/incidents/" + incident + "/timeline?limit=100");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["items"].size();
  }

  TestServer server_;
  HttpClient admin_ = server_.Admin();
  HttpClient anonymous_ = server_.Anonymous();
};

TEST_F(IngestTest, IntegrationKeyIsShownOnceAndAuthenticatesTheSender) {
  auto created =
      admin_.Post("/api/v1/integrations",
                  {{"type", "alertmanager"}, {"name", "prom"}, {"responsePlan", "db-down"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string key = created.json()["ingestKey"];
  const std::string id = created.json()["id"];
  EXPECT_EQ(key.rfind("tik_", 0), 0u);
  EXPECT_EQ(created.json()["ingestUrl"].get<std::string>().find("/api/v1/ingest/" + key) !=
                std::string::npos,
            true);
  EXPECT_EQ(created.json()["autoResolve"], true);

  auto read = admin_.Get("/api/v1/integrations/prom");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.body.find(key), std::string::npos) << "the key is never shown again";
  EXPECT_EQ(read.json()["keyPrefix"], key.substr(0, 12));

  EXPECT_EQ(Ingest("tik_" + id + "_wrong", AmPayload({AmAlert("a1", "firing")})).status, 401);
  EXPECT_EQ(Ingest("garbage", AmPayload({AmAlert("a1", "firing")})).status, 401);
  EXPECT_EQ(Ingest(key, AmPayload({AmAlert("a1", "firing")})).status, 202);

  // Rotation: the old key stops working.
  auto rotated = admin_.Post("/api/v1/integrations/prom/rotate-key", json::object());
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string fresh = rotated.json()["ingestKey"];
  EXPECT_NE(fresh, key);
  EXPECT_EQ(Ingest(key, AmPayload({AmAlert("a2", "firing")})).status, 401);
  EXPECT_EQ(Ingest(fresh, AmPayload({AmAlert("a2", "firing")})).status, 202);

  // Only admins manage integrations; people's roles may read them.
  EXPECT_EQ(server_.WithRole("responder")
                .Post("/api/v1/integrations", {{"type", "generic"}, {"name", "x"}})
                .status,
            403);
  EXPECT_EQ(server_.WithRole("viewer").Get("/api/v1/integrations").status, 200);
  // A plan in use by an integration cannot be deleted.
  EXPECT_EQ(admin_.Delete("/api/v1/response-plans/db-down").status, 409);
  EXPECT_EQ(admin_.Delete("/api/v1/integrations/prom").status, 204);
  EXPECT_EQ(Ingest(fresh, AmPayload({AmAlert("a3", "firing")})).status, 401);
}

TEST_F(IngestTest, AlertmanagerAlertsStartDedupeAndResolve) {
  const std::string key =
      CreateIntegration({{"type", "alertmanager"}, {"name", "prom"}, {"responsePlan", "db-down"}});
  auto first = Ingest(key, AmPayload({AmAlert("f1", "firing"), AmAlert("f2", "firing")}));
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(first.json()["started"], 2);
  auto open = Incidents("OPEN");
  ASSERT_EQ(open.size(), 2u);
  const std::string incident = open[0]["id"];
  EXPECT_EQ(open[0]["impact"], 1) << "severity=critical";
  const size_t timeline = TimelineSize(incident);

  // Alertmanager re-sends (repeat interval, HA twins, a restart): nothing changes.
  for (int i = 0; i < 3; ++i) {
    auto again = Ingest(key, AmPayload({AmAlert("f1", "firing"), AmAlert("f2", "firing")}));
    ASSERT_EQ(again.status, 202) << again.body;
    EXPECT_EQ(again.json()["deduplicated"], 2);
    EXPECT_EQ(again.json()["started"], 0);
  }
  EXPECT_EQ(Incidents("OPEN").size(), 2u);
  EXPECT_EQ(TimelineSize(incident), timeline);

  // One alert resolves: its incident resolves; the other stays open.
  auto resolved = Ingest(key, AmPayload({AmAlert("f1", "resolved")}));
  ASSERT_EQ(resolved.status, 202) << resolved.body;
  EXPECT_EQ(resolved.json()["resolved"], 1);
  EXPECT_EQ(Incidents("OPEN").size(), 1u);
  EXPECT_EQ(Incidents("RESOLVED").size(), 1u);
  // A resolve for an alert already resolved, or never seen, changes nothing.
  auto stale = Ingest(key, AmPayload({AmAlert("f1", "resolved"), AmAlert("zz", "resolved")}));
  EXPECT_EQ(stale.json()["ignored"], 2) << stale.body;

  // The same alert firing again after it resolved is a new incident.
  auto refire = Ingest(key, AmPayload({AmAlert("f1", "firing")}));
  EXPECT_EQ(refire.json()["started"], 1) << refire.body;
  EXPECT_EQ(Incidents("OPEN").size(), 2u);
}

TEST_F(IngestTest, GroupKeyModeAndTruncationAndNoAutoResolve) {
  const std::string key = CreateIntegration({{"type", "alertmanager"},
                                             {"name", "grouped"},
                                             {"responsePlan", "db-down"},
                                             {"alertKey", "groupKey"},
                                             {"autoResolve", false}});
  auto first = Ingest(key, AmPayload({AmAlert("g1", "firing"), AmAlert("g2", "firing")}, 5));
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(first.json()["started"], 1) << "one incident per group";
  EXPECT_EQ(first.json()["truncatedAlerts"], 5);
  const std::string incident = Incidents("OPEN")[0]["id"];
  auto timeline =
      admin_.Get("/api/v1/incidents/" + incident + "/timeline?eventType=Alerts%20Truncated");
  EXPECT_EQ(timeline.json()["items"].size(), 1u) << timeline.body;

  auto resolved = Ingest(key, AmPayload({AmAlert("g1", "resolved"), AmAlert("g2", "resolved")}));
  ASSERT_EQ(resolved.status, 202) << resolved.body;
  EXPECT_EQ(resolved.json()["annotated"], 1) << "autoResolve off: noted, not resolved";
  EXPECT_EQ(Incidents("OPEN").size(), 1u);
  auto metrics = admin_.Get("/metrics");
  EXPECT_NE(metrics.body.find("tocsin_ingest_truncated_alerts_total{type=\"alertmanager\"} 5"),
            std::string::npos)
      << metrics.body;
}

TEST_F(IngestTest, CloudWatchAlarmStartsWithTheAlarmAsInvolvedResourceAndOkResolves) {
  const std::string key =
      CreateIntegration({{"type", "cloudwatch"}, {"name", "cw"}, {"responsePlan", "db-down"}});
  json alarm = Fixture("doc_cloudwatch_alarm_event.json");
  const std::string arn = alarm["resources"][0];
  auto r = Ingest(key, alarm);
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(r.json()["started"], 1) << r.body;
  const std::string incident = r.json()["incidents"][0];
  auto got = admin_.Get("/api/v1/incidents/" + incident);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json()["triggerDetails"]["source"], "aws.cloudwatch") << got.body;
  EXPECT_EQ(got.json()["triggerDetails"]["triggerArn"], arn);
  EXPECT_FALSE(got.json()["triggerDetails"]["rawData"].get<std::string>().empty());
  auto items = admin_.Get("/api/v1/incidents/" + incident + "/related-items");
  const json listed = items.json()["items"];
  bool involved = false;
  for (const auto& item : listed) {
    involved = involved || (item["type"] == "INVOLVED_RESOURCE" && item["arn"] == arn);
  }
  EXPECT_TRUE(involved) << items.body;

  // The same alarm again dedupes; OK resolves.
  EXPECT_EQ(Ingest(key, alarm).json()["deduplicated"], 1);
  alarm["detail"]["state"]["value"] = "OK";
  auto ok = Ingest(key, alarm);
  EXPECT_EQ(ok.json()["resolved"], 1) << ok.body;
  EXPECT_EQ(Incidents("OPEN").size(), 0u);
}

TEST_F(IngestTest, EventsApiTriggersAcknowledgesAndResolves) {
  const std::string key =
      CreateIntegration({{"type", "generic"}, {"name", "scripts"}, {"responsePlan", "db-down"}});
  json trigger = {
      {"routingKey", key},
      {"eventAction", "trigger"},
      {"dedupKey", "disk-full-db1"},
      {"payload",
       {{"summary", "Disk full on db1"}, {"severity", "error"}, {"source", "db1.example.com"}}}};
  auto r = anonymous_.Post("/api/v1/events", trigger);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string incident = r.json()["incident"];
  EXPECT_EQ(admin_.Get("/api/v1/incidents/" + incident).json()["impact"], 2);
  EXPECT_EQ(admin_.Get("/api/v1/incidents/" + incident).json()["title"], "Disk full on db1");

  auto ack = anonymous_.Post(
      "/api/v1/events",
      {{"routingKey", key}, {"eventAction", "acknowledge"}, {"dedupKey", "disk-full-db1"}});
  ASSERT_EQ(ack.status, 202) << ack.body;
  EXPECT_EQ(ack.json()["counts"]["acknowledged"], 1) << ack.body;
  auto resolve = anonymous_.Post(
      "/api/v1/events",
      {{"routing_key", key}, {"event_action", "resolve"}, {"dedup_key", "disk-full-db1"}});
  ASSERT_EQ(resolve.status, 202) << resolve.body;
  EXPECT_EQ(admin_.Get("/api/v1/incidents/" + incident).json()["status"], "RESOLVED");

  EXPECT_EQ(anonymous_.Post("/api/v1/events", {{"eventAction", "trigger"}}).status, 400);
  EXPECT_EQ(
      anonymous_.Post("/api/v1/events", {{"routingKey", "tik_nope_x"}, {"eventAction", "trigger"}})
          .status,
      401);
  auto bad = anonymous_.Post(
      "/api/v1/events", {{"routingKey", key},
                         {"eventAction", "trigger"},
                         {"payload", {{"summary", "x"}, {"severity", "loud"}, {"source", "y"}}}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Incidents("OPEN").size(), 0u) << "nothing half-written";
}

TEST_F(IngestTest, RulesRouteDropAndRetitleEvents) {
  // An integration without a default plan: only rules route its events.
  const std::string key = CreateIntegration({{"type", "alertmanager"}, {"name", "rules-only"}});
  auto bad = admin_.Post("/api/v1/rules", {{"name", "broken"},
                                           {"pattern", {{"source", {{{"prefix", 5}}}}}},
                                           {"action", {{"type", "drop"}}}});
  ASSERT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("Event pattern is not valid"), std::string::npos) << bad.body;
  EXPECT_EQ(bad.json()["error"]["field"], "pattern") << bad.body;

  auto drop = admin_.Post("/api/v1/rules",
                          {{"name", "drop-info"},
                           {"priority", 1},
                           {"pattern", {{"detail", {{"labels", {{"severity", {"info"}}}}}}}},
                           {"action", {{"type", "drop"}}}});
  ASSERT_EQ(drop.status, 201) << drop.body;
  auto route = admin_.Post(
      "/api/v1/rules",
      {{"name", "errors-to-db"},
       {"priority", 10},
       {"pattern",
        R"({"source":["prometheus.alertmanager"],"detail":{"labels":{"alertname":[{"prefix":"High"}]}}})"},
       {"action",
        {{"type", "startIncident"},
         {"responsePlan", "db-down"},
         {"impact", 2},
         {"title", "{{detail.labels.alertname}} on {{detail.labels.instance}}"}}}});
  ASSERT_EQ(route.status, 201) << route.body;
  EXPECT_TRUE(route.json()["pattern"].is_object()) << route.body;

  json info = AmAlert("r1", "firing");
  info["labels"]["severity"] = "info";
  auto r =
      Ingest(key, AmPayload({info, AmAlert("r2", "firing"), AmAlert("r3", "firing", "Other")}));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json()["dropped"], 2) << r.body;  // The info alert and the unmatched one.
  EXPECT_EQ(r.json()["started"], 1);
  auto open = Incidents("OPEN");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["title"], "HighErrorRate on r2");
  EXPECT_EQ(open[0]["impact"], 2);
  auto metrics = admin_.Get("/metrics");
  EXPECT_NE(metrics.body.find("tocsin_ingest_unmatched_total{type=\"alertmanager\"} 1"),
            std::string::npos)
      << metrics.body;

  // Disabling the routing rule takes effect at once.
  ASSERT_EQ(admin_.Patch("/api/v1/rules/errors-to-db", {{"enabled", false}}).status, 200);
  auto later = Ingest(key, AmPayload({AmAlert("r4", "firing")}));
  EXPECT_EQ(later.json()["dropped"], 1) << later.body;
  EXPECT_EQ(admin_.Get("/api/v1/rules").json()["items"].size(), 2u);
  EXPECT_EQ(admin_.Delete("/api/v1/rules/drop-info").status, 204);
}

TEST_F(IngestTest, SecurityHubFindingsAreStoredAndLinked) {
  const std::string key =
      CreateIntegration({{"type", "securityhub"}, {"name", "sechub"}, {"responsePlan", "db-down"}});
  json event = Fixture("doc_securityhub_imported_event.json");
  event["detail"]["findings"][0]["Severity"]["Label"] = "HIGH";
  auto r = Ingest(key, event);
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(r.json()["started"], 1) << r.body;
  const std::string incident = r.json()["incidents"][0];
  EXPECT_EQ(admin_.Get("/api/v1/incidents/" + incident).json()["impact"], 2) << "HIGH → 2";
  auto findings = admin_.Get("/api/v1/incidents/" + incident + "/findings");
  ASSERT_EQ(findings.status, 200) << findings.body;
  ASSERT_EQ(findings.json()["items"].size(), 1u) << findings.body;
  EXPECT_EQ(findings.json()["items"][0]["severityLabel"], "HIGH");
  // Imported again (Security Hub re-emits on update): still one incident.
  EXPECT_EQ(Ingest(key, event).json()["deduplicated"], 1);
  EXPECT_EQ(Incidents("OPEN").size(), 1u);
}

TEST_F(IngestTest, MissedHeartbeatStartsAnIncidentAndAPingResolvesIt) {
  auto created = admin_.Post("/api/v1/integrations", {{"type", "generic"},
                                                      {"name", "watchdog"},
                                                      {"responsePlan", "db-down"},
                                                      {"heartbeatMinutes", 5}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string key = created.json()["ingestKey"];
  auto ping = anonymous_.Post("/api/v1/ingest/" + key + "/heartbeat", json::object());
  ASSERT_EQ(ping.status, 202) << ping.body;
  EXPECT_TRUE(ping.json().contains("nextDueTime"));

  server_.clock().Advance(std::chrono::minutes(4));
  server_.app().WaitEngineIdle();
  EXPECT_EQ(Incidents("OPEN").size(), 0u) << "still within the interval";
  server_.clock().Advance(std::chrono::minutes(2));
  server_.app().WaitEngineIdle();
  auto open = Incidents("OPEN");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["title"], "Heartbeat missed: watchdog");
  // Missing more does not start more.
  server_.clock().Advance(std::chrono::minutes(30));
  server_.app().WaitEngineIdle();
  EXPECT_EQ(Incidents("OPEN").size(), 1u);

  ASSERT_EQ(anonymous_.Post("/api/v1/ingest/" + key + "/heartbeat", json::object()).status, 202);
  EXPECT_EQ(Incidents("OPEN").size(), 0u);
  EXPECT_EQ(Incidents("RESOLVED").size(), 1u);

  // A heartbeat needs a plan to start its incident in.
  auto no_plan = admin_.Post("/api/v1/integrations",
                             {{"type", "generic"}, {"name", "np"}, {"heartbeatMinutes", 5}});
  EXPECT_EQ(no_plan.status, 400) << no_plan.body;
}

TEST_F(IngestTest, BadPayloadsAreRefusedWhole) {
  const std::string key =
      CreateIntegration({{"type", "alertmanager"}, {"name", "prom"}, {"responsePlan", "db-down"}});
  auto not_json = anonymous_.Send("POST", "/api/v1/ingest/" + key, "{not json");
  EXPECT_EQ(not_json.status, 400) << not_json.body;
  json broken = AmPayload({AmAlert("b1", "firing"), AmAlert("b2", "firing")});
  broken["alerts"][1]["status"] = 17;
  EXPECT_EQ(Ingest(key, broken).status, 400);
  EXPECT_EQ(Incidents("OPEN").size(), 0u) << "the valid first alert was not applied either";
  // Refused from the declared length, before the body is read.
  auto huge = anonymous_.Raw("POST /api/v1/ingest/" + key +
                             " HTTP/1.1\r\nHost: t\r\nContent-Length: 5242880\r\n\r\n");
  EXPECT_EQ(huge.status, 413) << huge.body;
  auto metrics = admin_.Get("/metrics");
  EXPECT_NE(metrics.body.find("tocsin_ingest_requests_total{type=\"alertmanager\",code=\"400\"}"),
            std::string::npos)
      << metrics.body;
}

TEST(IngestSnsTest, SubscriptionConfirmationVisitsSubscribeUrlOnlyWhenTheGuardAllows) {
  TinyHttpServer sns;
  ASSERT_TRUE(sns.ok());
  TestServer server;
  server.config().carriers.allow = {"127.0.0.1/32"};
  server.Restart();
  HttpClient admin = server.Admin();
  auto created = admin.Post("/api/v1/integrations", {{"type", "sns"}, {"name", "topic"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string key = created.json()["ingestKey"];
  json confirm = {{"Type", "SubscriptionConfirmation"},
                  {"MessageId", "165545c9-2a5c-472c-8df2-7ff2be2b3b1b"},
                  {"Token", "2336412f37"},
                  {"TopicArn", "arn:aws:sns:us-east-1:123456789012:ops-alarms"},
                  {"Message", "You have chosen to subscribe to the topic."},
                  {"SubscribeURL", sns.Url("/?Action=ConfirmSubscription&Token=2336412f37")},
                  {"Timestamp", "2026-11-23T10:00:00.000Z"},
                  {"SignatureVersion", "1"},
                  {"Signature", "EXAMPLE"},
                  {"SigningCertURL", "https://sns.us-east-1.amazonaws.com/x.pem"}};
  auto r = server.Anonymous().Send("POST", "/api/v1/ingest/" + key, confirm.dump());
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json()["sns"], "SubscriptionConfirmation");
  ASSERT_TRUE(sns.WaitForRequests(1, std::chrono::seconds(10)));
  EXPECT_NE(sns.Requests()[0].target.find("Token=2336412f37"), std::string::npos);

  // Without loopback in notify.allow, the guard refuses: nothing is visited.
  TinyHttpServer blocked;
  ASSERT_TRUE(blocked.ok());
  server.config().carriers.allow = {};
  server.Restart();
  confirm["SubscribeURL"] = blocked.Url("/confirm");
  auto r2 = server.Anonymous().Send("POST", "/api/v1/ingest/" + key, confirm.dump());
  ASSERT_EQ(r2.status, 202) << r2.body;
  server.Stop();  // Drains the background worker, where the confirmation runs.
  EXPECT_EQ(blocked.request_count(), 0u);
}

}  // namespace
}  // namespace tocsin::test
