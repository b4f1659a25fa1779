// IngestService: integrations and rules as resources, and what ingested
// signals do to incidents.
//
// An integration authenticates its sender with an ingest key
// ("tik_<integration id>_<secret>", shown once; only its SHA-256 is stored,
// as the integration's secret "ingest-key"). Each alert key of an
// integration has a state row (store::IngestReader): the incident it belongs
// to and whether it is FIRING. Applying decided signals (rule_set.h):
//  - start: when the key is FIRING and its incident OPEN, nothing changes (a
//    re-sent alert, an HA twin, a repeat notification); otherwise an
//    incident is started (or deduplicated by the plan's dedupe string, the
//    trigger ARN, else "<integration id>:<key>") and the key is FIRING on it.
//    A finding is stored (newer UpdatedAt only) and linked to the incident;
//  - resolve: a FIRING key becomes RESOLVED; its incident is resolved when
//    the integration auto-resolves (or the rule forces it) and no other key
//    still fires on it, else an "Alert Resolved" entry is added. An unknown
//    or already resolved key changes nothing;
//  - acknowledge: the key's OPEN incident gets "Incident Acknowledged" and
//    its ENGAGED engagements stop;
//  - annotate: the key's OPEN incident gets an "Alert Updated" entry.
// Plan() finds, on a read snapshot, the signals that change nothing, so that
// the common case (re-sent firing alerts) costs no write at all; Apply()
// re-checks everything inside the write transaction.
//
// Heartbeats: an integration with heartbeatMinutes > 0 has one PENDING job
// (kHeartbeatJob) due that long after its last ping; a ping moves it and
// resolves a missed-heartbeat incident; the job firing starts one (key
// kHeartbeatKey) on the integration's plan.
//
// Stateless apart from the rule cache and the job listener; safe to share.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/domain/engagement_service.h"
#include "tocsin/domain/incident_service.h"
#include "tocsin/domain/integration.h"
#include "tocsin/ingest/rule_set.h"
#include "tocsin/ingest/signal.h"
#include "tocsin/store/store.h"

namespace tocsin::ingest {

inline constexpr const char* kHeartbeatJob = "ingest.heartbeat";  // owner, ref: integration id
inline constexpr const char* kHeartbeatKey = "tocsin:heartbeat";
inline constexpr size_t kMaxAlertKey = 1000;

// Timeline event types written by ingestion.
inline constexpr const char* kAlertResolvedEvent = "Alert Resolved";
inline constexpr const char* kAlertUpdatedEvent = "Alert Updated";
inline constexpr const char* kIncidentAcknowledgedEvent = "Incident Acknowledged";
inline constexpr const char* kAlertsTruncatedEvent = "Alerts Truncated";

struct CreatedIntegration {
  domain::Integration integration;
  std::string key;  // The ingest key, only here.
};

// What a payload did, signal by signal summed.
struct IngestCounts {
  int signals = 0;
  int started = 0;
  int deduplicated = 0;  // Already firing on an open incident, or deduplicated into one.
  int resolved = 0;      // Incidents resolved.
  int acknowledged = 0;
  int annotated = 0;  // Timeline entries added instead (resolve without autoResolve, updates).
  int dropped = 0;    // Drop rules, unmatched signals.
  int ignored = 0;    // Resolves, acks and annotations for keys with no open incident.
  std::vector<std::string> incidents;  // Touched incidents, in signal order, each once.
  // Adds `incident_id` to `incidents` unless empty or already there.
  void Touch(const std::string& incident_id);
  void Merge(const IngestCounts& other);
};

// The read-side verdict on one decided signal.
struct PlannedSignal {
  bool needs_write = true;
  std::string incident_id;  // Known incident of the key (for the reply).
};

class IngestService {
 public:
  using JobListener = std::function<void(int64_t id, TimePoint due)>;

  // Neither is owned; both must outlive the service.
  IngestService(domain::IncidentService& incidents, domain::EngagementService& engagements)
      : incidents_(incidents), engagements_(engagements) {}

  // Told (after the commit) about heartbeat jobs it schedules. Set before serving.
  void SetJobListener(JobListener listener) { job_listener_ = std::move(listener); }

  // --- Integrations -------------------------------------------------------
  // `responsePlan` may be given as id or name and is stored as the id.
  Result<CreatedIntegration> CreateIntegration(store::WriteTxn& txn, const domain::Principal& who,
                                               domain::Integration spec);
  Result<domain::Integration> UpdateIntegration(store::WriteTxn& txn, const domain::Principal& who,
                                                const domain::Integration& current,
                                                domain::Integration updated,
                                                std::optional<int64_t> expected_version);
  Status DeleteIntegration(store::WriteTxn& txn, std::string_view id_or_name);
  // Replaces the ingest key; the old one stops working at the commit.
  Result<CreatedIntegration> RotateKey(store::WriteTxn& txn, const domain::Principal& who,
                                       std::string_view id_or_name);
  // The integration an ingest key belongs to; kUnauthenticated otherwise.
  Result<domain::Integration> Authenticate(store::ReadTxn& txn, std::string_view key) const;

  // --- Rules ---------------------------------------------------------------
  // The pattern is validated with EventBridge's rules and messages (field
  // "pattern"); the title template too (field "action.title").
  Result<domain::Rule> CreateRule(store::WriteTxn& txn, const domain::Principal& who,
                                  domain::Rule spec);
  Result<domain::Rule> UpdateRule(store::WriteTxn& txn, const domain::Principal& who,
                                  const domain::Rule& current, domain::Rule updated,
                                  std::optional<int64_t> expected_version);
  Status DeleteRule(store::WriteTxn& txn, std::string_view id_or_name);
  // The current rules, compiled; reloaded from `store` after a rule change
  // commits. Thread-safe.
  Result<std::shared_ptr<const RuleSet>> Rules(store::Store& store);

  // --- Signals ---------------------------------------------------------------
  std::vector<PlannedSignal> Plan(store::ReadTxn& txn, const domain::Integration& integration,
                                  const std::vector<Signal>& signals,
                                  const std::vector<Decision>& decisions) const;
  // Applies the signals (with their decisions); `truncated_alerts` > 0 notes
  // the truncation on every incident the payload started or fired into.
  Result<IngestCounts> Apply(store::WriteTxn& txn, const domain::Actor& actor,
                             const domain::Integration& integration,
                             const std::vector<Signal>& signals,
                             const std::vector<Decision>& decisions, int truncated_alerts);

  // --- Heartbeats --------------------------------------------------------------
  // Records a ping: moves the heartbeat job, resolves a missed-heartbeat
  // incident. kFailedPrecondition if the integration expects no heartbeat.
  // Returns when the next ping is due.
  Result<TimePoint> Ping(store::WriteTxn& txn, const domain::Actor& actor,
                         const domain::Integration& integration);
  // Fires a kHeartbeatJob (already marked DONE by the scheduler).
  Status RunHeartbeatJob(store::WriteTxn& txn, const domain::Job& job);

  // The principal ingest actions are recorded under.
  static domain::Principal PrincipalOf(const domain::Integration& integration);

 private:
  Status ApplyOne(store::WriteTxn& txn, const domain::Actor& actor,
                  const domain::Integration& integration, const Signal& signal,
                  const Decision& decision, IngestCounts& counts,
                  std::vector<std::string>& fired_into);
  Status Start(store::WriteTxn& txn, const domain::Actor& actor,
               const domain::Integration& integration, const Signal& signal,
               const Decision& decision, IngestCounts& counts,
               std::vector<std::string>& fired_into);
  Status Resolve(store::WriteTxn& txn, const domain::Actor& actor,
                 const domain::Integration& integration, const Signal& signal,
                 const Decision& decision, IngestCounts& counts);
  Status Acknowledge(store::WriteTxn& txn, const domain::Actor& actor, const Signal& signal,
                     const domain::AlertState& alert, IngestCounts& counts);
  Status ScheduleHeartbeat(store::WriteTxn& txn, const domain::Integration& integration);
  Status ResolvePlanRef(store::WriteTxn& txn, std::string& plan, const char* field);
  void RulesChanged(store::WriteTxn& txn);

  domain::IncidentService& incidents_;
  domain::EngagementService& engagements_;
  JobListener job_listener_;

  std::atomic<uint64_t> rules_generation_{1};
  std::mutex rules_mu_;
  std::shared_ptr<const RuleSet> rules_;  // Guarded by rules_mu_.
  uint64_t rules_loaded_ = 0;             // Guarded by rules_mu_.
};

}  // namespace tocsin::ingest
