// End to end with the real thing (the events issue, item 8): Debian's
// prometheus-alertmanager on loopback, its webhook receiver pointed at the
// in-process server's ingest URL, alerts fired with amtool.
//
// Alertmanager runs on real time (that is what its timers are), so the tests
// wait, bounded, on what it reports on /metrics: a webhook request is counted
// in alertmanager_notification_requests_total only after the receiver
// answered, so "delivered" means Tocsin already handled it. Every route groups
// by all labels ('...'): one alert, one group, one notification per change,
// so the expected counts are exact. Alerts carry a start a minute in the past
// (as Prometheus re-sends them) and such alerts are flushed at once.
//
// The response plan engages one person (one email channel, no plan of their
// own: one page per incident), so a duplicate incident would also show up as
// an extra page; every test ends by asserting no page it did not take.
#include <chrono>
#include <cstdlib>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/alertmanager.h"
#include "support/test_server.h"
#include "support/wait_for.h"
#include "tocsin/core/time.h"

namespace tocsin::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// Bound for each wait on Alertmanager (it delivers within ~0.1 s here).
constexpr std::chrono::milliseconds kDeliveryTimeout = seconds(15);

struct Alert {
  std::string alertname;
  std::string instance;
  std::string severity;
  std::string summary;
};

const Alert kDiskFull{"DiskFull", "db1.example.com:9100", "critical",
                      "Disk /var on db1 is 95% full"};
const Alert kHighLatency{"HighLatency", "api.example.com:8080", "warning", "p99 latency above 2 s"};

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  return FormatRfc3339(std::chrono::time_point_cast<Millis>(t));
}

class AlertmanagerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(admin_.Post("/api/v1/contacts", {{"alias", "oncall"}}).status, 201);
    auto channel = admin_.Post(
        "/api/v1/contacts/oncall/channels",
        {{"name", "EMAIL"}, {"type", "EMAIL"}, {"deliveryAddress", "oncall@example.com"}});
    ASSERT_EQ(channel.status, 201) << channel.body;
    const std::string channel_id = channel.json()["id"];
    const auto code = server_.notifier().TakeCode(channel_id);
    ASSERT_TRUE(code.has_value());
    ASSERT_EQ(admin_.Post("/api/v1/channels/" + channel_id + "/activate", {{"code", *code}}).status,
              200);
    auto plan = admin_.Post("/api/v1/response-plans",
                            {{"name", "am-plan"},
                             {"incidentTemplate", {{"title", "Alertmanager alert"}, {"impact", 3}}},
                             {"engagements", {"oncall"}}});
    ASSERT_EQ(plan.status, 201) << plan.body;
    auto integration = admin_.Post("/api/v1/integrations", {{"type", "alertmanager"},
                                                            {"name", "am"},
                                                            {"responsePlan", "am-plan"},
                                                            {"autoResolve", true}});
    ASSERT_EQ(integration.status, 201) << integration.body;
    ingest_key_ = integration.json().value("ingestKey", "");
    ASSERT_FALSE(ingest_key_.empty()) << integration.body;
    start_ = Rfc3339(std::chrono::system_clock::now() - std::chrono::minutes(1));
  }

  void TearDown() override {
    server_.app().WaitEngineIdle();
    const auto rest = server_.notifier().TakePages();
    EXPECT_TRUE(rest.empty()) << rest.size()
                              << " unexpected page(s), first: " << rest.front().subject;
  }

  std::string IngestUrl(const std::string& key) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + "/api/v1/ingest/" + key;
  }

  // Sends at once (alerts start in the past), resolved alerts too, and never
  // repeats during a test.
  static std::string Config(const std::string& webhook_url) {
    return "route:\n"
           "  receiver: tocsin\n"
           "  group_by: ['...']\n"
           "  group_wait: 50ms\n"
           "  group_interval: 50ms\n"
           "  repeat_interval: 24h\n"
           "receivers:\n"
           "  - name: tocsin\n"
           "    webhook_configs:\n"
           "      - url: '" +
           webhook_url +
           "'\n"
           "        send_resolved: true\n";
  }

  void StartAlertmanager(Alertmanager& am, const std::string& key) {
    ASSERT_TRUE(am.Start(Config(IngestUrl(key)))) << am.error();
  }

  // amtool alert add; with `end`, the alert is resolved at that time.
  void Fire(const Alertmanager& am, const Alert& alert,
            std::optional<std::chrono::system_clock::time_point> end = std::nullopt) {
    std::vector<std::string> args = {"alert",
                                     "add",
                                     "alertname=" + alert.alertname,
                                     "instance=" + alert.instance,
                                     "severity=" + alert.severity,
                                     "--annotation=summary=" + alert.summary,
                                     "--generator-url=http://prometheus.example.com:9090/graph",
                                     "--start=" + start_};
    if (end) args.push_back("--end=" + Rfc3339(*end));
    const ProgramResult r = am.Amtool(args);
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }

  // Waits until `am` has had `n` webhook requests answered with a 2xx, and
  // checks that none failed; then lets the engine finish what they started.
  void WaitDelivered(const Alertmanager& am, double n) {
    ASSERT_TRUE(WaitFor([&] { return am.WebhooksDelivered() >= n; }, kDeliveryTimeout))
        << "delivered " << am.WebhooksDelivered() << " of " << n << ", log:\n"
        << am.Log();
    EXPECT_EQ(am.WebhooksDelivered(), n) << am.Log();
    EXPECT_EQ(am.WebhooksFailed(), 0) << am.Log();
    server_.app().WaitEngineIdle();
  }

  std::set<std::string> Incidents(const std::string& status) {
    auto r = admin_.Get("/api/v1/incidents?status=" + status + "&limit=100");
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = r.json();
    std::set<std::string> ids;
    for (const auto& item : body.value("items", json::array())) {
      EXPECT_EQ(item["status"], status);
      ids.insert(item["id"].get<std::string>());
    }
    return ids;
  }

  json Timeline(const std::string& id) {
    auto r = admin_.Get("/api/v1/incidents/" + id + "/timeline?limit=100");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  // Alertmanager signals Tocsin counted with `outcome` (started, deduplicated,
  // resolved, ...), from GET /metrics: tells a re-sent alert that was
  // deduplicated from one that was dropped, which look the same otherwise.
  double Outcome(const std::string& outcome) {
    auto r = admin_.Get("/metrics");
    EXPECT_EQ(r.status, 200) << r.body;
    double sum = 0;
    std::istringstream lines(r.body);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("tocsin_ingest_signals_total{", 0) == 0 &&
          line.find("type=\"alertmanager\"") != std::string::npos &&
          line.find("outcome=\"" + outcome + "\"") != std::string::npos) {
        sum += std::strtod(line.c_str() + line.rfind(' ') + 1, nullptr);
      }
    }
    return sum;
  }

  // Takes the pages sent so far; expects exactly `n`, all to the on-call person.
  void ExpectPages(size_t n) {
    const auto pages = server_.notifier().TakePages();
    EXPECT_EQ(pages.size(), n);
    for (const auto& p : pages) EXPECT_EQ(p.contact, "oncall");
  }

  TestServer server_;
  HttpClient admin_ = server_.Admin();
  std::string ingest_key_;
  std::string start_;  // startsAt of every alert, as Prometheus keeps it across re-sends.
};

TEST_F(AlertmanagerE2eTest, OneIncidentPerAlertRestartChangesNothingResolvingResolves) {
  Alertmanager am;
  StartAlertmanager(am, ingest_key_);
  if (HasFatalFailure()) return;

  // One alert at a time, so each new incident is known to be that alert's.
  Fire(am, kDiskFull);
  WaitDelivered(am, 1);
  std::set<std::string> open = Incidents("OPEN");
  ASSERT_EQ(open.size(), 1u);
  const std::string disk_incident = *open.begin();
  Fire(am, kHighLatency);
  WaitDelivered(am, 2);
  open = Incidents("OPEN");
  ASSERT_EQ(open.size(), 2u);
  open.erase(disk_incident);
  ASSERT_EQ(open.size(), 1u);
  const std::string latency_incident = *open.begin();
  ExpectPages(2);
  EXPECT_EQ(Outcome("started"), 2);
  const json disk_timeline = Timeline(disk_incident);
  const json latency_timeline = Timeline(latency_incident);
  EXPECT_FALSE(disk_timeline.value("items", json::array()).empty()) << disk_timeline.dump();

  // A crash and a new Alertmanager with empty storage: its notification log
  // is gone, so it notifies both alerts again when they are re-sent.
  am.Kill();
  StartAlertmanager(am, ingest_key_);
  if (HasFatalFailure()) return;
  Fire(am, kDiskFull);
  Fire(am, kHighLatency);
  WaitDelivered(am, 2);
  EXPECT_EQ(Incidents("OPEN"), (std::set<std::string>{disk_incident, latency_incident}));
  EXPECT_TRUE(Incidents("RESOLVED").empty());
  EXPECT_EQ(Timeline(disk_incident), disk_timeline);
  EXPECT_EQ(Timeline(latency_incident), latency_timeline);
  EXPECT_EQ(Outcome("started"), 2);
  EXPECT_EQ(Outcome("deduplicated"), 2);
  ExpectPages(0);

  // The disk alert ends: its incident is resolved, the other stays open.
  Fire(am, kDiskFull, std::chrono::system_clock::now() - seconds(1));
  WaitDelivered(am, 3);
  EXPECT_EQ(Incidents("RESOLVED"), std::set<std::string>{disk_incident});
  EXPECT_EQ(Incidents("OPEN"), std::set<std::string>{latency_incident});
  EXPECT_EQ(Timeline(latency_incident), latency_timeline);
  EXPECT_EQ(Outcome("resolved"), 1);
  ExpectPages(0);
}

// Two Alertmanagers without clustering (an HA pair whose gossip is down) both
// notify every alert: still one incident, and one page, per alert.
TEST_F(AlertmanagerE2eTest, TwoUnclusteredAlertmanagersStartOneIncidentPerAlert) {
  Alertmanager a;
  Alertmanager b;
  StartAlertmanager(a, ingest_key_);
  StartAlertmanager(b, ingest_key_);
  if (HasFatalFailure()) return;
  for (const Alert* alert : {&kDiskFull, &kHighLatency}) {
    Fire(a, *alert);
    Fire(b, *alert);
  }
  WaitDelivered(a, 2);
  WaitDelivered(b, 2);
  EXPECT_EQ(Incidents("OPEN").size(), 2u);
  EXPECT_EQ(Outcome("started"), 2);
  EXPECT_EQ(Outcome("deduplicated"), 2);
  ExpectPages(2);
}

// A receiver configured with a wrong key: every webhook is refused (401, not
// retried by Alertmanager) and nothing starts.
TEST_F(AlertmanagerE2eTest, WrongIngestKeyIsRefusedAndStartsNothing) {
  Alertmanager am;
  StartAlertmanager(am, "tcn_not_an_ingest_key_0123456789abcdef");
  if (HasFatalFailure()) return;
  Fire(am, kDiskFull);
  ASSERT_TRUE(WaitFor([&] { return am.WebhooksFailed() >= 1; }, kDeliveryTimeout)) << am.Log();
  // The counters can be unreadable for a moment on a loaded machine (seen on
  // fresh-clone runs): wait for a reading, then it must be zero.
  double delivered = -1;
  EXPECT_TRUE(WaitFor(
      [&] {
        delivered = am.WebhooksDelivered();
        return delivered >= 0;
      },
      kDeliveryTimeout))
      << am.MetricsText() << am.Log();
  EXPECT_EQ(delivered, 0) << am.MetricsText() << am.Log();
  EXPECT_NE(am.Log().find("401"), std::string::npos) << am.Log();
  server_.app().WaitEngineIdle();
  EXPECT_TRUE(Incidents("OPEN").empty());
}

}  // namespace
}  // namespace tocsin::test
