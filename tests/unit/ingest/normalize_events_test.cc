// Normalize() for Tocsin's events API (PagerDuty Events v2 shape), and the
// small public helpers of signal.h.

#include <string>

#include <gtest/gtest.h>

#include "tocsin/core/json_text.h"
#include "tocsin/ingest/signal.h"

namespace tocsin::ingest {
namespace {

using domain::IntegrationType;

NormalizeContext Context() {
  NormalizeContext context;
  context.type = IntegrationType::kGeneric;
  context.integration_id = "int-3";
  context.integration_name = "billing-monitor";
  context.account_id = "000000000000";
  context.region = "us-east-1";
  context.now = *ParseRfc3339("2024-06-01T12:00:00.250Z");
  return context;
}

Batch MustNormalize(std::string_view body) {
  auto batch = Normalize(Context(), body);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? *batch : Batch{};
}

Signal OnlySignal(const Json& body) {
  Batch batch = MustNormalize(body.dump());
  EXPECT_EQ(batch.signals.size(), 1u);
  return batch.signals.empty() ? Signal{} : batch.signals[0];
}

void ExpectInvalidImpl(const Json& body, std::string_view field, std::string_view message) {
  auto batch = Normalize(Context(), body.dump());
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(batch.status().field(), field) << batch.status().ToString();
  EXPECT_EQ(batch.status().message(), message) << batch.status().ToString();
}

// ExpectInvalidImpl, reporting the line of the call on failure.
#define EXPECT_INVALID(...)         \
  do {                              \
    SCOPED_TRACE("EXPECT_INVALID"); \
    ExpectInvalidImpl(__VA_ARGS__); \
  } while (false)

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

Json Trigger() {
  return Json::parse(R"({
    "routingKey": "R0123456789abcdef0123456789abcdef",
    "eventAction": "trigger",
    "dedupKey": "billing/invoice-run/2024-05",
    "payload": {
      "summary": "Invoice run failed for 312 customers",
      "severity": "critical",
      "source": "billing-worker-3.example.com",
      "component": "invoice-run",
      "group": "billing",
      "class": "batch job",
      "customDetails": {"failed": 312, "run": "2024-05"},
      "timestamp": "2024-05-14T09:12:03.123+02:00"
    },
    "links": [
      {"href": "https://grafana.example.com/d/billing", "text": "Billing dashboard"},
      {"href": "ftp://files.example.com/log.txt", "text": "Log"}
    ],
    "images": [{"src": "https://example.com/graph.png"}]
  })");
}

// --- Triggers -------------------------------------------------------------------------

TEST(NormalizeEventsTest, TriggerBecomesASignal) {
  const Signal s = OnlySignal(Trigger());
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, "billing/invoice-run/2024-05");
  EXPECT_EQ(s.title, "Invoice run failed for 312 customers");
  EXPECT_EQ(s.summary,
            "Invoice run failed for 312 customers\nSource: billing-worker-3.example.com\n"
            "Component: invoice-run\nGroup: billing\nClass: batch job\n"
            "Details: {\"failed\":312,\"run\":\"2024-05\"}");
  EXPECT_EQ(s.impact, 1);
  ASSERT_EQ(s.related_items.size(), 1u);  // The ftp:// link cannot be stored.
  EXPECT_EQ(s.related_items[0].type, "OTHER");
  EXPECT_EQ(s.related_items[0].value_kind, "url");
  EXPECT_EQ(s.related_items[0].value, "https://grafana.example.com/d/billing");
  EXPECT_EQ(s.related_items[0].title, "Billing dashboard");
  EXPECT_EQ(s.trigger.source, "tocsin.events");
  EXPECT_EQ(s.trigger.trigger_arn, "");
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2024-05-14T07:12:03.123Z");
  EXPECT_EQ(Json::parse(s.trigger.raw_data), Trigger());
  EXPECT_FALSE(s.finding.has_value());

  const Json& e = s.envelope;
  EXPECT_EQ(e["version"], "0");
  EXPECT_EQ(e["id"].get<std::string>().size(), 36u);
  EXPECT_EQ(e["source"], "tocsin.events");
  EXPECT_EQ(e["detail-type"], "Event");
  EXPECT_EQ(e["account"], "000000000000");
  EXPECT_EQ(e["region"], "us-east-1");
  EXPECT_EQ(e["time"], "2024-05-14T07:12:03Z");
  EXPECT_EQ(e["resources"], Json::array());
  EXPECT_EQ(e["integration"],
            (Json{{"id", "int-3"}, {"name", "billing-monitor"}, {"type", "generic"}}));
  const Json& d = e["detail"];
  EXPECT_EQ(d["eventAction"], "trigger");
  EXPECT_EQ(d["dedupKey"], "billing/invoice-run/2024-05");
  EXPECT_EQ(d["payload"], Trigger()["payload"]);
  EXPECT_EQ(d["links"], Trigger()["links"]);
  EXPECT_FALSE(d.contains("routingKey"));
  EXPECT_FALSE(d.contains("images"));
}

TEST(NormalizeEventsTest, TriggerWithoutDedupKeyGetsANewOne) {
  Json body = Trigger();
  body.erase("dedupKey");
  body["payload"].erase("timestamp");
  const Signal a = OnlySignal(body);
  const Signal b = OnlySignal(body);
  EXPECT_EQ(a.key.size(), 36u);
  EXPECT_NE(a.key, b.key);
  EXPECT_EQ(a.envelope["detail"]["dedupKey"], a.key);  // So the caller can return it.
  EXPECT_EQ(a.trigger.timestamp, Context().now);
  EXPECT_EQ(a.envelope["time"], "2024-06-01T12:00:00Z");

  body["dedupKey"] = "";  // Empty counts as absent.
  EXPECT_EQ(OnlySignal(body).key.size(), 36u);
}

TEST(NormalizeEventsTest, PagerDutySnakeCaseIsAccepted) {
  const Json body = Json::parse(R"({
    "routing_key": "R0123456789abcdef0123456789abcdef",
    "event_action": "trigger",
    "dedup_key": "srv01/disk",
    "client": "Sample Monitoring Service",
    "client_url": "https://monitoring.example.com",
    "payload": {
      "summary": "DISK at 99% on machine prod-datapipe03.example.com",
      "timestamp": "2015-07-17T08:42:58.315+0000",
      "severity": "warning",
      "source": "prod-datapipe03.example.com",
      "custom_details": {"free space": "1%", "ping time": "1500ms"}
    }
  })");
  const Signal s = OnlySignal(body);
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, "srv01/disk");
  EXPECT_EQ(s.impact, 3);
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2015-07-17T08:42:58.315Z");
  const Json& payload = s.envelope["detail"]["payload"];
  EXPECT_EQ(payload["customDetails"]["free space"], "1%");  // Rules see one spelling.
  EXPECT_FALSE(payload.contains("custom_details"));
  EXPECT_EQ(s.envelope["detail"]["eventAction"], "trigger");
}

TEST(NormalizeEventsTest, SeveritiesMapToImpact) {
  for (const auto& [severity, impact] : {std::pair{"critical", 1}, std::pair{"error", 2},
                                         std::pair{"warning", 3}, std::pair{"info", 4}}) {
    Json body = Trigger();
    body["payload"]["severity"] = severity;
    EXPECT_EQ(OnlySignal(body).impact, impact) << severity;
  }
}

TEST(NormalizeEventsTest, LongSummaryIsCutForTheTitleOnly) {
  std::string summary;
  for (int i = 0; i < 1024; ++i) summary += "\xE2\x82\xAC";  // 1024 characters, 3072 bytes.
  Json body = Trigger();
  body["payload"]["summary"] = summary;
  const Signal s = OnlySignal(body);
  EXPECT_LE(s.title.size(), 200u);
  EXPECT_GE(s.title.size(), 198u);
  EXPECT_TRUE(IsValidUtf8(s.title));
  EXPECT_EQ(s.title.substr(s.title.size() - 3), "\xE2\x80\xA6");
  EXPECT_EQ(s.summary.rfind(summary, 0), 0u);
  EXPECT_EQ(s.envelope["detail"]["payload"]["summary"], summary);
}

// --- Acknowledge and resolve ------------------------------------------------------------

TEST(NormalizeEventsTest, AcknowledgeAndResolveNeedOnlyTheDedupKey) {
  const Signal ack = OnlySignal({{"eventAction", "acknowledge"}, {"dedupKey", "srv01/disk"}});
  EXPECT_EQ(ack.action, SignalAction::kAcknowledge);
  EXPECT_EQ(ack.key, "srv01/disk");
  EXPECT_EQ(ack.title, "Acknowledge srv01/disk");
  EXPECT_EQ(ack.impact, std::nullopt);
  EXPECT_EQ(ack.envelope["detail"]["eventAction"], "acknowledge");
  EXPECT_EQ(ack.envelope["detail"]["payload"], Json::object());

  const Signal resolve = OnlySignal({{"event_action", "resolve"}, {"dedup_key", "srv01/disk"}});
  EXPECT_EQ(resolve.action, SignalAction::kResolve);
  EXPECT_EQ(resolve.key, "srv01/disk");
  EXPECT_EQ(resolve.title, "Resolve srv01/disk");

  // A payload that comes along is kept (and still checked).
  const Signal with_payload = OnlySignal(
      {{"eventAction", "resolve"}, {"dedupKey", "k"}, {"payload", {{"summary", "Disk freed"}}}});
  EXPECT_EQ(with_payload.title, "Disk freed");
  EXPECT_INVALID({{"eventAction", "resolve"}, {"dedupKey", "k"}, {"payload", {{"severity", "x"}}}},
                 "payload.severity",
                 "payload.severity must be one of critical, error, warning, info");
}

// --- Errors ---------------------------------------------------------------------------

TEST(NormalizeEventsTest, ErrorsNameTheField) {
  EXPECT_INVALID(Json::array(), "", "request body must be a JSON object");
  Json body = Trigger();
  body.erase("eventAction");
  EXPECT_INVALID(body, "eventAction", "eventAction is required");
  body["event_action"] = "escalate";
  EXPECT_INVALID(body, "event_action", "event_action must be one of trigger, acknowledge, resolve");
  body["eventAction"] = 1;
  EXPECT_INVALID(body, "eventAction", "eventAction must be one of trigger, acknowledge, resolve");

  EXPECT_INVALID({{"eventAction", "acknowledge"}}, "dedupKey",
                 "dedupKey is required for acknowledge and resolve");
  EXPECT_INVALID({{"eventAction", "resolve"}, {"dedupKey", ""}}, "dedupKey",
                 "dedupKey is required for acknowledge and resolve");
  EXPECT_INVALID({{"eventAction", "resolve"}, {"dedup_key", 42}}, "dedup_key",
                 "dedup_key must be a string");
  EXPECT_INVALID({{"eventAction", "resolve"}, {"dedupKey", std::string(256, 'k')}}, "dedupKey",
                 "dedupKey must be at most 255 characters");
  EXPECT_EQ(
      OnlySignal({{"eventAction", "resolve"}, {"dedupKey", std::string(255, 'k')}}).key.size(),
      255u);

  body = Trigger();
  body.erase("payload");
  EXPECT_INVALID(body, "payload", "payload is required");
  body["payload"] = "text";
  EXPECT_INVALID(body, "payload", "payload must be an object");

  for (const char* key : {"summary", "severity", "source"}) {
    body = Trigger();
    body["payload"].erase(key);
    EXPECT_INVALID(body, std::string("payload.") + key,
                   std::string("payload.") + key + " is required");
  }
  body = Trigger();
  body["payload"]["severity"] = "CRITICAL";
  EXPECT_INVALID(body, "payload.severity",
                 "payload.severity must be one of critical, error, warning, info");
  body = Trigger();
  body["payload"]["summary"] = "";
  EXPECT_INVALID(body, "payload.summary", "payload.summary must not be empty");
  body["payload"]["summary"] = std::string(1025, 's');
  EXPECT_INVALID(body, "payload.summary", "payload.summary must be at most 1024 characters");
  body["payload"]["summary"] = std::string(1024, 's');
  EXPECT_EQ(OnlySignal(body).action, SignalAction::kTrigger);

  body = Trigger();
  body["payload"]["component"] = 7;
  EXPECT_INVALID(body, "payload.component", "payload.component must be a string");
  body = Trigger();
  body["payload"]["timestamp"] = "2024-05-14 09:12";
  EXPECT_INVALID(body, "payload.timestamp", "payload.timestamp must be an RFC 3339 date-time");

  body = Trigger();
  body["links"] = {{"href", "https://example.com"}};
  EXPECT_INVALID(body, "links", "links must be an array");
  body["links"] = Json::array({{{"text", "no href"}}});
  EXPECT_INVALID(body, "links[0].href", "links[0].href is required");
  body["links"] = Json::array({"https://example.com"});
  EXPECT_INVALID(body, "links[0]", "links[0] must be an object");
}

TEST(NormalizeEventsTest, NotJsonIsInvalidArgument) {
  auto batch = Normalize(Context(), "eventAction=trigger");
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(batch.status().message().rfind("malformed JSON: ", 0), 0u);
  auto invalid_utf8 = Normalize(Context(), "{\"eventAction\": \"trigger\xff\"}");
  ASSERT_FALSE(invalid_utf8.ok());
  EXPECT_EQ(invalid_utf8.status().code(), StatusCode::kInvalidArgument);
}

// --- Helpers of signal.h ------------------------------------------------------------------

TEST(SignalTest, SignalActionNames) {
  EXPECT_STREQ(SignalActionName(SignalAction::kTrigger), "trigger");
  EXPECT_STREQ(SignalActionName(SignalAction::kResolve), "resolve");
  EXPECT_STREQ(SignalActionName(SignalAction::kAcknowledge), "acknowledge");
  EXPECT_STREQ(SignalActionName(SignalAction::kAnnotate), "annotate");
}

TEST(SignalTest, ImpactForSeverity) {
  EXPECT_EQ(ImpactForSeverity("critical"), 1);
  EXPECT_EQ(ImpactForSeverity("error"), 2);
  EXPECT_EQ(ImpactForSeverity("high"), 2);
  EXPECT_EQ(ImpactForSeverity("warning"), 3);
  EXPECT_EQ(ImpactForSeverity("medium"), 3);
  EXPECT_EQ(ImpactForSeverity("info"), 4);
  EXPECT_EQ(ImpactForSeverity("low"), 4);
  EXPECT_EQ(ImpactForSeverity("WARNING"), 3);  // Alertmanager labels come in any case.
  EXPECT_EQ(ImpactForSeverity("page"), std::nullopt);
  EXPECT_EQ(ImpactForSeverity(""), std::nullopt);
}

}  // namespace
}  // namespace tocsin::ingest
