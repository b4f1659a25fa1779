// Normalize() for Alertmanager and Grafana webhooks.

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tocsin/core/json_text.h"
#include "tocsin/ingest/signal.h"
#include "unit/ingest/normalize_test_support.h"

namespace tocsin::ingest {
namespace {

using domain::AlertKey;
using domain::IntegrationType;
using testing::MustNormalize;
using testing::Testdata;

NormalizeContext Context(IntegrationType type = IntegrationType::kAlertmanager,
                         AlertKey key = AlertKey::kFingerprint) {
  NormalizeContext context;
  context.type = type;
  context.alert_key = key;
  context.integration_id = "int-1";
  context.integration_name = "prod-alertmanager";
  context.account_id = "111122223333";
  context.region = "eu-west-1";
  context.now = *ParseRfc3339("2024-06-01T12:00:00.250Z");
  return context;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// A one-alert Alertmanager payload with `alert` members merged into a firing alert.
std::string OneAlert(const Json& alert_patch, const Json& body_patch = Json::object()) {
  Json alert = {{"status", "firing"},
                {"labels", {{"alertname", "DiskFull"}, {"instance", "db1:9100"}}},
                {"annotations", {{"summary", "Disk /var is 95% full"}}},
                {"startsAt", "2024-05-14T09:12:03Z"},
                {"endsAt", "0001-01-01T00:00:00Z"},
                {"generatorURL", "http://prometheus.example.com:9090/graph?g0.expr=up"},
                {"fingerprint", "e0944555d066aa92"}};
  alert.merge_patch(alert_patch);
  Json body = {{"version", "4"},
               {"groupKey", "{}:{alertname=\"DiskFull\"}"},
               {"status", "firing"},
               {"receiver", "tocsin"},
               {"alerts", Json::array({alert})}};
  body.merge_patch(body_patch);
  return body.dump();
}

// --- Alertmanager, one signal per alert ----------------------------------------------

TEST(NormalizeAlertsTest, AlertmanagerFiringAlertIsTrigger) {
  const Batch batch = MustNormalize(Context(), Testdata("doc_alertmanager_firing.json"));
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, "3c2f5e8a1b0d9e47");
  EXPECT_EQ(s.title, "HighErrorRate: 5xx ratio above 5% for 10m");
  EXPECT_EQ(s.summary,
            "checkout on 10.0.1.15:8080 returns 7.3% 5xx\n\n"
            "Labels: env=prod, instance=10.0.1.15:8080, job=checkout, service=checkout, "
            "severity=critical");
  EXPECT_EQ(s.impact, 1);
  ASSERT_EQ(s.related_items.size(), 2u);
  EXPECT_EQ(s.related_items[0].type, "OTHER");
  EXPECT_EQ(s.related_items[0].value_kind, "url");
  EXPECT_EQ(s.related_items[0].value,
            "http://prometheus.example.com:9090/"
            "graph?g0.expr=job%3Acheckout_5xx_ratio%3Arate5m+%3E+0.05&g0.tab=1");
  EXPECT_EQ(s.related_items[0].title, "Source");
  EXPECT_EQ(s.related_items[1].type, "ATTACHMENT");
  EXPECT_EQ(s.related_items[1].value, "https://wiki.example.com/runbooks/checkout-5xx");
  EXPECT_EQ(s.related_items[1].title, "Runbook");
  EXPECT_EQ(s.trigger.source, "alertmanager");
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2024-05-14T09:12:03.123Z");
  EXPECT_EQ(s.trigger.trigger_arn, "");
  EXPECT_FALSE(s.finding.has_value());
  EXPECT_EQ(batch.truncated_alerts, 0);
  EXPECT_FALSE(batch.sns.has_value());

  const Json raw = Json::parse(s.trigger.raw_data);
  EXPECT_EQ(raw["fingerprint"], "3c2f5e8a1b0d9e47");
  EXPECT_EQ(raw["receiver"], "incident-server");

  const Json& e = s.envelope;
  EXPECT_EQ(e["version"], "0");
  EXPECT_EQ(e["id"].get<std::string>().size(), 36u);
  EXPECT_EQ(e["source"], "prometheus.alertmanager");
  EXPECT_EQ(e["detail-type"], "Alertmanager Alert");
  EXPECT_EQ(e["account"], "111122223333");
  EXPECT_EQ(e["region"], "eu-west-1");
  EXPECT_EQ(e["time"], "2024-05-14T09:12:03Z");
  EXPECT_EQ(e["resources"], Json::array());
  EXPECT_EQ(e["integration"],
            (Json{{"id", "int-1"}, {"name", "prod-alertmanager"}, {"type", "alertmanager"}}));
  const Json& d = e["detail"];
  EXPECT_EQ(d["status"], "firing");
  EXPECT_EQ(d["labels"]["severity"], "critical");
  EXPECT_EQ(d["annotations"]["description"], "checkout on 10.0.1.15:8080 returns 7.3% 5xx");
  EXPECT_EQ(d["fingerprint"], "3c2f5e8a1b0d9e47");
  EXPECT_EQ(d["receiver"], "incident-server");
  EXPECT_EQ(d["groupKey"],
            "{}/{severity=\"critical\"}:{alertname=\"HighErrorRate\", service=\"checkout\"}");
  EXPECT_EQ(d["groupLabels"]["service"], "checkout");
  EXPECT_EQ(d["commonLabels"]["env"], "prod");
  EXPECT_EQ(d["commonAnnotations"]["summary"], "5xx ratio above 5% for 10m");
  EXPECT_EQ(d["externalURL"], "http://alertmanager.example.com:9093");
}

TEST(NormalizeAlertsTest, ResolvedAlertIsResolveAtItsEnd) {
  const Batch batch = MustNormalize(
      Context(), OneAlert({{"status", "resolved"}, {"endsAt", "2024-05-14T09:30:00.5Z"}}));
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  EXPECT_EQ(s.action, SignalAction::kResolve);
  EXPECT_EQ(s.key, "e0944555d066aa92");
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2024-05-14T09:30:00.500Z");
  EXPECT_EQ(s.envelope["time"], "2024-05-14T09:30:00Z");
  EXPECT_EQ(s.envelope["detail"]["status"], "resolved");
}

TEST(NormalizeAlertsTest, OneSignalPerAlertInPayloadOrder) {
  Json body = Json::parse(OneAlert(Json::object()));
  Json second = body["alerts"][0];
  second["status"] = "resolved";
  second["fingerprint"] = "aa525ead97d34b84";
  second["labels"]["instance"] = "db2:9100";
  second["labels"]["severity"] = "warning";
  second["endsAt"] = "2024-05-14T10:00:00Z";
  body["alerts"].push_back(second);
  const Batch batch = MustNormalize(Context(), body.dump());
  ASSERT_EQ(batch.signals.size(), 2u);
  EXPECT_EQ(batch.signals[0].key, "e0944555d066aa92");
  EXPECT_EQ(batch.signals[0].action, SignalAction::kTrigger);
  EXPECT_EQ(batch.signals[0].impact, std::nullopt);
  EXPECT_EQ(batch.signals[1].key, "aa525ead97d34b84");
  EXPECT_EQ(batch.signals[1].action, SignalAction::kResolve);
  EXPECT_EQ(batch.signals[1].impact, 3);
  EXPECT_NE(batch.signals[0].envelope["id"], batch.signals[1].envelope["id"]);
}

TEST(NormalizeAlertsTest, RealAlertmanagerCapturesNormalize) {
  for (const char* name : {"alertmanager_firing.json", "alertmanager_resolved.json"}) {
    const std::string text = Testdata(name);
    const Json body = Json::parse(text);
    const Batch batch = MustNormalize(Context(), text);
    ASSERT_EQ(batch.signals.size(), body["alerts"].size()) << name;
    for (size_t i = 0; i < batch.signals.size(); ++i) {
      const Json& alert = body["alerts"][i];
      EXPECT_EQ(batch.signals[i].key, alert["fingerprint"]) << name;
      EXPECT_EQ(batch.signals[i].action,
                alert["status"] == "firing" ? SignalAction::kTrigger : SignalAction::kResolve);
      EXPECT_EQ(batch.signals[i].envelope["source"], "prometheus.alertmanager");
    }
  }
}

TEST(NormalizeAlertsTest, SeverityLabelSetsImpactWithCommonLabelsAsFallback) {
  auto impact_of = [](const Json& alert_patch, const Json& body_patch) {
    const Batch batch = MustNormalize(Context(), OneAlert(alert_patch, body_patch));
    return batch.signals.empty() ? std::nullopt : batch.signals[0].impact;
  };
  EXPECT_EQ(impact_of({{"labels", {{"severity", "warning"}}}}, Json::object()), 3);
  EXPECT_EQ(impact_of({{"labels", {{"severity", "Critical"}}}}, Json::object()), 1);
  EXPECT_EQ(impact_of({{"labels", {{"severity", "page"}}}}, Json::object()), std::nullopt);
  EXPECT_EQ(impact_of(Json::object(), {{"commonLabels", {{"severity", "info"}}}}), 4);
}

TEST(NormalizeAlertsTest, TitleFallsBackToCommonSummaryAndToAlertname) {
  auto title_of = [](const Json& alert_patch, const Json& body_patch) {
    const Batch batch = MustNormalize(Context(), OneAlert(alert_patch, body_patch));
    return batch.signals.empty() ? std::string() : batch.signals[0].title;
  };
  EXPECT_EQ(title_of({{"annotations", nullptr}}, Json::object()), "DiskFull");
  EXPECT_EQ(title_of({{"annotations", nullptr}},
                     {{"commonAnnotations", {{"summary", "Disks filling up"}}}}),
            "DiskFull: Disks filling up");
  EXPECT_EQ(title_of({{"labels", {{"alertname", nullptr}}}}, Json::object()),
            "Disk /var is 95% full");
  EXPECT_EQ(
      title_of({{"labels", {{"alertname", nullptr}}}, {"annotations", nullptr}}, Json::object()),
      "Alert e0944555d066aa92");
  // Control characters never reach a title.
  EXPECT_EQ(title_of({{"annotations", {{"summary", "line one\n\tline two\r\n"}}}}, Json::object()),
            "DiskFull: line one line two");
}

TEST(NormalizeAlertsTest, OnlyHttpUrlsBecomeRelatedItems) {
  const Batch batch = MustNormalize(
      Context(), OneAlert({{"generatorURL", "javascript:alert(1)"},
                           {"annotations", {{"runbook_url", "wiki/Runbooks/DiskFull"}}}}));
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_TRUE(batch.signals[0].related_items.empty());

  const Batch common = MustNormalize(
      Context(), OneAlert({{"generatorURL", ""}},
                          {{"commonAnnotations", {{"runbook_url", "https://runbooks/disk"}}}}));
  ASSERT_EQ(common.signals.size(), 1u);
  ASSERT_EQ(common.signals[0].related_items.size(), 1u);
  EXPECT_EQ(common.signals[0].related_items[0].value, "https://runbooks/disk");
  EXPECT_EQ(common.signals[0].related_items[0].type, "ATTACHMENT");
}

TEST(NormalizeAlertsTest, MissingFingerprintFallsBackToAStableLabelHash) {
  const std::string body = OneAlert({{"fingerprint", nullptr}});
  const Batch a = MustNormalize(Context(), body);
  const Batch b = MustNormalize(Context(), body);
  const Batch other =
      MustNormalize(Context(), OneAlert({{"fingerprint", nullptr}, {"labels", {{"job", "x"}}}}));
  ASSERT_EQ(a.signals.size(), 1u);
  ASSERT_EQ(b.signals.size(), 1u);
  ASSERT_EQ(other.signals.size(), 1u);
  EXPECT_EQ(a.signals[0].key.size(), 16u);
  EXPECT_EQ(a.signals[0].key, b.signals[0].key);
  EXPECT_NE(a.signals[0].key, other.signals[0].key);
}

TEST(NormalizeAlertsTest, LongTextIsCutOnUtf8Boundaries) {
  std::string summary;
  for (int i = 0; i < 150; ++i) summary += "\xE2\x82\xAC";  // "€": 3 bytes.
  std::string description(20000, 'd');
  description += "\xF0\x9F\x94\xA5";  // 4 bytes, past every limit.
  const Batch batch = MustNormalize(
      Context(), OneAlert({{"annotations", {{"summary", summary}, {"description", description}}}}));
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  EXPECT_LE(s.title.size(), 200u);
  EXPECT_GE(s.title.size(), 195u);
  EXPECT_TRUE(IsValidUtf8(s.title));
  EXPECT_EQ(s.title.rfind("DiskFull: \xE2\x82\xAC", 0), 0u);
  EXPECT_EQ(s.title.substr(s.title.size() - 3), "\xE2\x80\xA6");  // Ends in "…".
  EXPECT_LE(s.summary.size(), 4000u);
  EXPECT_GE(s.summary.size(), 3990u);
  EXPECT_TRUE(IsValidUtf8(s.summary));
  EXPECT_LE(s.trigger.raw_data.size(), kMaxRawData);
  EXPECT_GE(s.trigger.raw_data.size(), kMaxRawData - 3);
  EXPECT_TRUE(IsValidUtf8(s.trigger.raw_data));
}

TEST(NormalizeAlertsTest, TruncatedAlertsIsReported) {
  const Batch batch = MustNormalize(Context(), OneAlert(Json::object(), {{"truncatedAlerts", 7}}));
  EXPECT_EQ(batch.truncated_alerts, 7);
}

TEST(NormalizeAlertsTest, UnreadableStartUsesNow) {
  const Batch batch = MustNormalize(Context(), OneAlert({{"startsAt", "yesterday"}}));
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].trigger.timestamp, Context().now);
  EXPECT_EQ(batch.signals[0].envelope["time"], "2024-06-01T12:00:00Z");
}

// --- Grafana ----------------------------------------------------------------------

TEST(NormalizeAlertsTest, GrafanaPayloadIsRecognizedAndKeepsItsOffset) {
  // An Alertmanager-type integration fed by Grafana still says "grafana".
  const Batch batch = MustNormalize(Context(), Testdata("doc_grafana_firing.json"));
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, "c6eadffa33fcdf37");
  EXPECT_EQ(s.title, "High memory usage: This alert was triggered for zone us-1");
  EXPECT_EQ(s.summary,
            "The system has high memory usage\n\nLabels: team=blue, zone=us-1\n"
            "Values: B=44.23943737541908, C=1");
  EXPECT_EQ(s.impact, std::nullopt);
  EXPECT_EQ(s.trigger.source, "grafana");
  // "2021-10-12T09:51:03.157076+02:00": the offset applies, the fraction is cut to ms.
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2021-10-12T07:51:03.157Z");
  EXPECT_EQ(s.envelope["source"], "grafana");
  EXPECT_EQ(s.envelope["detail-type"], "Grafana Alert");
  EXPECT_EQ(s.envelope["time"], "2021-10-12T07:51:03Z");
  EXPECT_EQ(s.envelope["detail"]["orgId"], 1);
  EXPECT_EQ(s.envelope["detail"]["values"]["C"], 1);
  ASSERT_EQ(s.related_items.size(), 2u);  // Empty dashboardURL/panelURL are skipped.
  EXPECT_EQ(s.related_items[0].value, "https://play.grafana.org/alerting/1afz29v7z/edit");
  EXPECT_EQ(s.related_items[1].value, "https://myrunbook.com/runbook/1234");
}

TEST(NormalizeAlertsTest, GrafanaByVersionOrIntegrationType) {
  const Batch by_version = MustNormalize(Context(), OneAlert(Json::object(), {{"version", "1"}}));
  ASSERT_EQ(by_version.signals.size(), 1u);
  EXPECT_EQ(by_version.signals[0].trigger.source, "grafana");

  const Batch by_type = MustNormalize(Context(IntegrationType::kGrafana),
                                      OneAlert(Json::object(), {{"version", nullptr}}));
  ASSERT_EQ(by_type.signals.size(), 1u);
  EXPECT_EQ(by_type.signals[0].envelope["source"], "grafana");
  EXPECT_EQ(by_type.signals[0].envelope["integration"]["type"], "grafana");

  const Batch alertmanager =
      MustNormalize(Context(IntegrationType::kGrafana), OneAlert(Json::object()));
  ASSERT_EQ(alertmanager.signals.size(), 1u);
  EXPECT_EQ(alertmanager.signals[0].envelope["source"], "prometheus.alertmanager");
}

// --- Group key mode -----------------------------------------------------------------

Json TwoAlertGroup() {
  return Json::parse(R"({
    "version": "4", "status": "firing", "receiver": "tocsin",
    "groupKey": "{}:{alertname=\"DiskFull\"}",
    "groupLabels": {"alertname": "DiskFull"},
    "commonLabels": {"alertname": "DiskFull", "job": "node"},
    "commonAnnotations": {"summary": "Disks are filling up"},
    "externalURL": "http://alertmanager.example.com:9093",
    "alerts": [
      {"status": "resolved", "labels": {"alertname": "DiskFull", "job": "node", "instance": "db1", "severity": "critical"},
       "annotations": {}, "startsAt": "2024-05-14T09:00:00Z", "endsAt": "2024-05-14T09:40:00Z",
       "generatorURL": "http://prometheus.example.com/graph?1", "fingerprint": "1111111111111111"},
      {"status": "firing", "labels": {"alertname": "DiskFull", "job": "node", "instance": "db2", "severity": "warning"},
       "annotations": {"runbook_url": "https://runbooks.example.com/disk"}, "startsAt": "2024-05-14T09:10:00Z",
       "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus.example.com/graph?2",
       "fingerprint": "2222222222222222"}
    ]})");
}

TEST(NormalizeAlertsTest, GroupKeyModeMakesOneSignalPerGroup) {
  const Batch batch = MustNormalize(Context(IntegrationType::kAlertmanager, AlertKey::kGroupKey),
                                    TwoAlertGroup().dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  EXPECT_EQ(s.action, SignalAction::kTrigger);  // One alert still fires.
  EXPECT_EQ(s.key, "{}:{alertname=\"DiskFull\"}");
  EXPECT_EQ(s.title, "DiskFull: Disks are filling up");
  EXPECT_EQ(s.summary,
            "Disks are filling up\n\n1 firing, 1 resolved:\n"
            "- [firing] DiskFull: Disks are filling up (instance=db2, severity=warning)\n"
            "- [resolved] DiskFull: Disks are filling up (instance=db1, severity=critical)\n\n"
            "Labels: job=node");
  EXPECT_EQ(s.impact, 3);  // The firing alert's severity.
  ASSERT_EQ(s.related_items.size(), 2u);
  EXPECT_EQ(s.related_items[0].value, "http://prometheus.example.com/graph?2");
  EXPECT_EQ(s.related_items[1].value, "https://runbooks.example.com/disk");
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2024-05-14T09:10:00Z");
  EXPECT_EQ(Json::parse(s.trigger.raw_data)["alerts"].size(), 2u);
  const Json& d = s.envelope["detail"];
  EXPECT_EQ(s.envelope["detail-type"], "Alertmanager Alert");
  EXPECT_EQ(d["status"], "firing");
  EXPECT_EQ(d["labels"]["job"], "node");  // Shaped like an alert's detail.
  EXPECT_EQ(d["annotations"]["summary"], "Disks are filling up");
  EXPECT_EQ(d["alerts"].size(), 2u);
  EXPECT_EQ(d["receiver"], "tocsin");
}

TEST(NormalizeAlertsTest, GroupKeyModeResolvesWhenNoAlertFires) {
  Json body = TwoAlertGroup();
  body["alerts"][1]["status"] = "resolved";
  body["alerts"][1]["endsAt"] = "2024-05-14T09:50:00Z";
  body["status"] = "resolved";
  const Batch batch =
      MustNormalize(Context(IntegrationType::kAlertmanager, AlertKey::kGroupKey), body.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].action, SignalAction::kResolve);
  EXPECT_EQ(FormatRfc3339(batch.signals[0].trigger.timestamp), "2024-05-14T09:50:00Z");
  EXPECT_EQ(batch.signals[0].impact, 1);  // Most severe of the group.
  EXPECT_EQ(batch.signals[0].envelope["detail"]["status"], "resolved");
}

TEST(NormalizeAlertsTest, GroupKeyModeRequiresAGroupKey) {
  Json body = TwoAlertGroup();
  body.erase("groupKey");
  EXPECT_INVALID(Context(IntegrationType::kAlertmanager, AlertKey::kGroupKey), body.dump(),
                 "groupKey", "groupKey is required when the integration keys alerts by group");
}

TEST(NormalizeAlertsTest, OverlongKeysAreBoundedButStayDistinct) {
  const std::string labels(1500, 'x');
  const Batch a = MustNormalize(Context(IntegrationType::kAlertmanager, AlertKey::kGroupKey),
                                OneAlert(Json::object(), {{"groupKey", labels + "a"}}));
  const Batch b = MustNormalize(Context(IntegrationType::kAlertmanager, AlertKey::kGroupKey),
                                OneAlert(Json::object(), {{"groupKey", labels + "b"}}));
  ASSERT_EQ(a.signals.size(), 1u);
  ASSERT_EQ(b.signals.size(), 1u);
  EXPECT_EQ(a.signals[0].key.size(), 1000u);
  EXPECT_NE(a.signals[0].key, b.signals[0].key);
  EXPECT_EQ(a.signals[0].key,
            MustNormalize(Context(IntegrationType::kAlertmanager, AlertKey::kGroupKey),
                          OneAlert(Json::object(), {{"groupKey", labels + "a"}}))
                .signals[0]
                .key);
}

// --- Errors -------------------------------------------------------------------------

TEST(NormalizeAlertsTest, MalformedPayloadsAreInvalidArgument) {
  const NormalizeContext context = Context();
  auto not_json = Normalize(context, "alertname=DiskFull");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(not_json.status().message().rfind("malformed JSON: ", 0), 0u);

  EXPECT_INVALID(context, "[]", "", "request body must be a JSON object");
  EXPECT_INVALID(context, R"({"status": "firing"})", "alerts", "alerts is required");
  EXPECT_INVALID(context, R"({"alerts": {}})", "alerts", "alerts must be an array");
  EXPECT_INVALID(context, R"({"alerts": []})", "alerts", "alerts must contain at least one alert");
  EXPECT_INVALID(context, R"({"alerts": [7]})", "alerts[0]", "alerts[0] must be an object");
  EXPECT_INVALID(context, R"({"alerts": [{"labels": {}}]})", "alerts[0].status",
                 "alerts[0].status is required");
  EXPECT_INVALID(context, OneAlert({{"status", "pending"}}), "alerts[0].status",
                 "alerts[0].status must be \"firing\" or \"resolved\"");
  EXPECT_INVALID(context, OneAlert({{"labels", Json::array()}}), "alerts[0].labels",
                 "alerts[0].labels must be an object");
  EXPECT_INVALID(context, OneAlert({{"fingerprint", 12}}), "alerts[0].fingerprint",
                 "alerts[0].fingerprint must be a string");
  EXPECT_INVALID(context, OneAlert(Json::object(), {{"commonLabels", "x"}}), "commonLabels",
                 "commonLabels must be an object");
  EXPECT_INVALID(context, OneAlert(Json::object(), {{"truncatedAlerts", -1}}), "truncatedAlerts",
                 "truncatedAlerts must be a non-negative integer");
}

TEST(NormalizeAlertsTest, TooManyAlertsAreRefused) {
  Json body = Json::parse(OneAlert(Json::object()));
  const Json alert = body["alerts"][0];
  body["alerts"] = Json::array();
  for (size_t i = 0; i <= kMaxSignalsPerPayload; ++i) body["alerts"].push_back(alert);
  EXPECT_INVALID(Context(), body.dump(), "alerts",
                 "alerts must contain at most 1000 alerts, not 1001");
  body["alerts"].erase(0);
  EXPECT_EQ(MustNormalize(Context(), body.dump()).signals.size(), kMaxSignalsPerPayload);
}

TEST(NormalizeAlertsTest, DeepNestingIsRefused) {
  std::string deep = R"({"alerts": [{"status": "firing", "labels": {}, "annotations": {"x": )";
  deep += std::string(100, '[') + std::string(100, ']') + "}}]}";
  auto batch = Normalize(Context(), deep);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tocsin::ingest
