// Integrations (senders of alarms and events, each with its own secret ingest
// key) and rules (EventBridge patterns that route ingested events), both
// configuration resources.
//
// Value types only; the rules of ingestion live in ingest/ingest_service.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tocsin/core/time.h"
#include "tocsin/domain/resource.h"

namespace tocsin::domain {

enum class IntegrationType {
  kAlertmanager,  // Prometheus Alertmanager webhook, payload version 4.
  kCloudWatch,    // CloudWatch alarms: EventBridge "CloudWatch Alarm State Change" or SNS.
  kSns,           // Anything an SNS HTTP(S) subscription delivers.
  kEventBridge,   // EventBridge events (API destinations), any source.
  kSecurityHub,   // ASFF: "Security Hub Findings - Imported", BatchImportFindings bodies.
  kGrafana,       // Grafana unified alerting webhook.
  kGeneric,       // Tocsin's events API shape (PagerDuty Events v2 style).
};
// "alertmanager", "cloudwatch", "sns", "eventbridge", "securityhub", "grafana", "generic".
const char* IntegrationTypeName(IntegrationType type);
std::optional<IntegrationType> ParseIntegrationType(std::string_view text);

// How alerts of an Alertmanager or Grafana payload are identified.
enum class AlertKey {
  kFingerprint,  // One incident per alert (its label-set hash).
  kGroupKey,     // One incident per notification group.
};
const char* AlertKeyName(AlertKey key);  // "fingerprint", "groupKey"
std::optional<AlertKey> ParseAlertKey(std::string_view text);

struct Integration {
  ResourceMeta meta;
  std::string name;  // 1..200, [a-zA-Z0-9_-], unique.
  IntegrationType type = IntegrationType::kGeneric;
  std::string response_plan;  // Id of the default plan; empty: only rules route its events.
  bool auto_resolve = true;   // A "resolved" / OK signal resolves the incident.
  AlertKey alert_key = AlertKey::kFingerprint;
  int heartbeat_minutes = 0;  // 0: none; else a missed ping starts an incident.
  std::string key_prefix;     // First characters of the ingest key, to recognise it.
};

enum class RuleAction {
  kStartIncident,    // Route to a plan: triggers start/dedupe, resolves resolve.
  kResolveIncident,  // Resolve the incident the event's key belongs to.
  kDrop,             // Ignore the event (counted).
};
const char* RuleActionName(RuleAction action);  // "startIncident", "resolveIncident", "drop"
std::optional<RuleAction> ParseRuleAction(std::string_view text);

struct Rule {
  ResourceMeta meta;
  std::string name;     // 1..200, [a-zA-Z0-9_-], unique.
  std::string pattern;  // EventBridge event pattern (JSON text), validated on write.
  RuleAction action = RuleAction::kStartIncident;
  std::string response_plan;   // Plan id (startIncident; empty: the integration's).
  std::optional<int> impact;   // 1..5, overrides the event's and the plan's.
  std::string title_template;  // "{{detail.labels.alertname}} on {{detail.labels.instance}}".
  int priority = 100;          // Lower runs first; ties by creation order.
  bool enabled = true;
};

// What an integration last said about one of its alerts (an Alertmanager
// fingerprint, a CloudWatch alarm, an events-API dedupKey, a finding).
struct AlertState {
  std::string integration_id;
  std::string key;
  std::string incident_id;  // The incident it started or was deduplicated into.
  bool firing = true;
  std::string title;
  TimePoint first_seen{};
  TimePoint changed_at{};
  // Read only (GetAlert joins it in, PutAlert ignores it): whether the
  // incident is OPEN, so that deciding about a repeat costs one indexed read.
  bool incident_open = false;
};

// A security finding as stored (identity, what lists need, and the whole
// normalized finding as JSON in `body`).
struct FindingRecord {
  std::string product_arn;
  std::string finding_id;
  std::string integration_id;
  std::string incident_id;  // Empty until an incident is linked.
  std::string severity_label;
  std::string title;
  TimePoint updated_at{};  // The finding's own UpdatedAt.
  std::string body;
  TimePoint received_at{};
};

}  // namespace tocsin::domain
