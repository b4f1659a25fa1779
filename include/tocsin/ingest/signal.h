// Normalization of ingested payloads: every format an integration accepts
// (Alertmanager, Grafana, CloudWatch via EventBridge or SNS, Security Hub
// ASFF, GuardDuty, any EventBridge event, Tocsin's events API) becomes a list
// of Signals: the EventBridge envelope the rules match against, plus what the
// event asks for (trigger, resolve, acknowledge, annotate) and the incident
// fields it suggests.
//
// Pure functions of their input (but for fresh envelope ids): no I/O, no clock
// but the `now` passed in, no store. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tocsin/core/status.h"
#include "tocsin/core/time.h"
#include "tocsin/domain/incident.h"
#include "tocsin/domain/integration.h"

namespace tocsin::ingest {

using Json = nlohmann::json;

// The most bytes of raw event kept with an incident (TriggerDetails.rawData).
inline constexpr size_t kMaxRawData = 10000;
// The most signals one payload may carry (Alertmanager max_alerts is
// unbounded by default; BatchImportFindings takes at most 100).
inline constexpr size_t kMaxSignalsPerPayload = 1000;

enum class SignalAction {
  kTrigger,      // Firing alert, ALARM, new/active finding, eventAction trigger.
  kResolve,      // Resolved alert, OK, finding resolved/archived/passed, eventAction resolve.
  kAcknowledge,  // eventAction acknowledge: stop paging, keep the incident open.
  kAnnotate,     // Worth a timeline entry only (INSUFFICIENT_DATA, ...).
};
const char* SignalActionName(
    SignalAction action);  // "trigger", "resolve", "acknowledge", "annotate"

// A security finding, normalized from ASFF (PascalCase) or a GuardDuty
// finding (camelCase).
struct Finding {
  std::string product_arn;     // ASFF ProductArn; GuardDuty:
                               // arn:aws:securityhub:<region>::product/aws/guardduty.
  std::string id;              // ASFF Id / GuardDuty arn (or id). Non-empty.
  std::string generator_id;    // GeneratorId / GuardDuty type.
  std::string aws_account_id;  // 12 digits, or empty.
  std::string region;
  std::string title;                   // <= 256
  std::string description;             // <= 1024
  std::string severity_label;          // INFORMATIONAL | LOW | MEDIUM | HIGH | CRITICAL.
  std::vector<std::string> types;      // ASFF Types; GuardDuty: its type.
  std::vector<std::string> resources;  // Resource ids / ARNs.
  std::string workflow_status;         // NEW | NOTIFIED | RESOLVED | SUPPRESSED, or empty.
  std::string record_state;            // ACTIVE | ARCHIVED, or empty.
  std::string compliance_status;       // PASSED | WARNING | FAILED | NOT_AVAILABLE, or empty.
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct Signal {
  // The EventBridge envelope matched by rules: "version" "0", "id",
  // "detail-type", "source", "account", "time", "region", "resources",
  // "detail", plus "integration": {"id", "name", "type"}. AWS events keep
  // their own envelope; other formats are wrapped (see normalize.cc).
  Json envelope;
  SignalAction action = SignalAction::kTrigger;
  // The event's identity within its integration (fingerprint, group key,
  // alarm ARN, dedupKey, finding id); what dedupes and what resolves. Non-empty.
  std::string key;
  std::string title;          // 1..200 characters (truncated on a UTF-8 boundary).
  std::string summary;        // 0..4000 characters.
  std::optional<int> impact;  // 1..5, from the event's severity when it has one.
  std::vector<domain::RelatedItem> related_items;  // Type, value_kind, value, title only.
  domain::TriggerDetails trigger;  // source (1..50), timestamp, trigger_arn, raw_data (<= 10000).
  std::optional<Finding> finding;
};

// An SNS control message: nothing to route, something to answer.
struct SnsControl {
  std::string type;  // "SubscriptionConfirmation" or "UnsubscribeConfirmation".
  std::string topic_arn;
  std::string subscribe_url;  // For SubscriptionConfirmation.
  std::string message_id;
};

struct Batch {
  std::vector<Signal> signals;
  int truncated_alerts = 0;  // Alertmanager / Grafana "truncatedAlerts".
  std::optional<SnsControl> sns;
};

struct NormalizeContext {
  domain::IntegrationType type = domain::IntegrationType::kGeneric;
  domain::AlertKey alert_key = domain::AlertKey::kFingerprint;
  std::string integration_id;
  std::string integration_name;
  std::string account_id = "000000000000";  // For envelopes Tocsin builds.
  std::string region = "us-east-1";
  TimePoint now{};  // For events without a time of their own.
};

// Parses `body` as the integration's format and returns its signals, in
// payload order. kInvalidArgument, naming the offending field where there is
// one, for anything that is not JSON or not the expected shape; a payload is
// accepted whole or not at all.
Result<Batch> Normalize(const NormalizeContext& context, std::string_view body);

// Severity words of the events API and Alertmanager's "severity" label →
// impact: critical 1, error/high 2, warning/medium 3, info/low 4; nullopt
// for anything else. Security Hub labels: CRITICAL 1, HIGH 2, MEDIUM 3,
// LOW 4, INFORMATIONAL 5.
std::optional<int> ImpactForSeverity(std::string_view severity);
std::optional<int> ImpactForFindingLabel(std::string_view label);

}  // namespace tocsin::ingest
