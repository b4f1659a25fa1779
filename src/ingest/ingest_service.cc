#include "tocsin/ingest/ingest_service.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tocsin/codec/json_reader.h"
#include "tocsin/core/ids.h"
#include "tocsin/core/json_text.h"
#include "tocsin/core/log.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/domain/contact_service.h"
#include "tocsin/domain/resource_meta.h"
#include "tocsin/ingest/title_template.h"

namespace tocsin::ingest {
namespace {

using domain::AlertState;
using domain::Integration;
using domain::Rule;

constexpr const char* kKeyPurpose = "ingest-key";
constexpr const char* kKeyPrefix = "tik_";
constexpr size_t kShownPrefix = 12;
// Ingest keys do not expire; the secrets table wants a time.
constexpr int64_t kNeverMillis = 253402300799000;  // 9999-12-31T23:59:59Z

std::string KeyHash(std::string_view key) { return crypto::Sha256(key); }

// The integration id inside "tik_<id>_<secret>"; empty if malformed.
std::string_view KeyIntegrationId(std::string_view key) {
  if (key.size() > 256 || key.substr(0, 4) != kKeyPrefix) return {};
  key.remove_prefix(4);
  const size_t sep = key.find('_');
  if (sep == std::string_view::npos || sep == 0 || sep + 1 == key.size()) return {};
  return key.substr(0, sep);
}

// A fresh ingest key for `integration` (whose id is set); records its prefix
// on the integration. The caller stores its hash with StoreKey.
std::string NewKey(Integration& integration) {
  std::string key = kKeyPrefix + integration.meta.id + "_" + RandomToken(32);
  integration.key_prefix = key.substr(0, kShownPrefix);
  return key;
}

// REQUIRES: the integration resource exists (the secret references it).
Status StoreKey(store::WriteTxn& txn, const Integration& integration, std::string_view key) {
  return txn.PutSecret(integration.meta.id, kKeyPurpose,
                       store::Secret{KeyHash(key), FromUnixMillis(kNeverMillis), 0});
}

std::string AlertEventData(const Signal& signal, std::string_view what) {
  JsonObject data;
  data.Add("alert", signal.key).Add("title", signal.title).Add("source", signal.trigger.source);
  if (!what.empty()) data.Add("state", what);
  if (!signal.summary.empty()) data.Add("summary", TruncateUtf8(signal.summary, 2000));
  return data.Build();
}

std::string FindingBody(const Finding& f) {
  nlohmann::json j = {{"productArn", f.product_arn},
                      {"id", f.id},
                      {"generatorId", f.generator_id},
                      {"awsAccountId", f.aws_account_id},
                      {"region", f.region},
                      {"title", f.title},
                      {"description", f.description},
                      {"severityLabel", f.severity_label},
                      {"types", f.types},
                      {"resources", f.resources},
                      {"workflowStatus", f.workflow_status},
                      {"recordState", f.record_state},
                      {"complianceStatus", f.compliance_status},
                      {"createdAt", FormatRfc3339(f.created_at)},
                      {"updatedAt", FormatRfc3339(f.updated_at)}};
  return codec::Dump(j);
}

// Stores a finding unless a newer import of it is already stored (Security
// Hub's rule: an update applies only with a later UpdatedAt). Keeps an
// existing incident link unless `incident_id` is set.
Status StoreFinding(store::WriteTxn& txn, const Integration& integration, const Finding& f,
                    const std::string& incident_id) {
  auto existing = txn.Ingest().GetFinding(f.product_arn, f.id);
  if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  domain::FindingRecord rec;
  if (existing.ok()) {
    if (existing->updated_at > f.updated_at) {
      if (incident_id.empty() || existing->incident_id == incident_id) return Status::Ok();
      existing->incident_id = incident_id;  // Link only; keep the newer content.
      return txn.Ingest().PutFinding(*existing);
    }
    rec.incident_id = existing->incident_id;
  }
  rec.product_arn = f.product_arn;
  rec.finding_id = f.id;
  rec.integration_id = integration.meta.id;
  if (!incident_id.empty()) rec.incident_id = incident_id;
  rec.severity_label = f.severity_label;
  rec.title = f.title;
  rec.updated_at = f.updated_at;
  rec.body = FindingBody(f);
  rec.received_at = txn.Now();
  return txn.Ingest().PutFinding(rec);
}

}  // namespace

void IngestCounts::Touch(const std::string& incident_id) {
  if (incident_id.empty()) return;
  if (std::find(incidents.begin(), incidents.end(), incident_id) == incidents.end()) {
    incidents.push_back(incident_id);
  }
}

void IngestCounts::Merge(const IngestCounts& o) {
  signals += o.signals;
  started += o.started;
  deduplicated += o.deduplicated;
  resolved += o.resolved;
  acknowledged += o.acknowledged;
  annotated += o.annotated;
  dropped += o.dropped;
  ignored += o.ignored;
  for (const auto& id : o.incidents) Touch(id);
}

domain::Principal IngestService::PrincipalOf(const Integration& integration) {
  return {"integration/" + integration.meta.id, domain::Role::kIntegration};
}

// --- Integrations -------------------------------------------------------------

Status IngestService::ResolvePlanRef(store::WriteTxn& txn, std::string& plan, const char* field) {
  if (plan.empty()) return Status::Ok();
  auto found = txn.ResponsePlans().Get(plan);
  if (!found.ok()) {
    if (found.status().code() != StatusCode::kNotFound) return found.status();
    return InvalidArgument("response plan \"" + plan + "\" not found", field);
  }
  plan = found->meta.id;
  return Status::Ok();
}

namespace {

Status ValidateIntegration(const Integration& i) {
  TOCSIN_RETURN_IF_ERROR(domain::ValidateName(i.name, 200, "name"));
  if (i.heartbeat_minutes > 0 && i.response_plan.empty()) {
    return InvalidArgument(
        "an integration with heartbeatMinutes needs a responsePlan to start "
        "the missed-heartbeat incident in",
        "responsePlan");
  }
  return Status::Ok();
}

std::vector<std::string> RefsOf(const std::string& plan) {
  return plan.empty() ? std::vector<std::string>{} : std::vector<std::string>{plan};
}

}  // namespace

Result<CreatedIntegration> IngestService::CreateIntegration(store::WriteTxn& txn,
                                                            const domain::Principal& who,
                                                            Integration spec) {
  TOCSIN_RETURN_IF_ERROR(ResolvePlanRef(txn, spec.response_plan, "responsePlan"));
  TOCSIN_RETURN_IF_ERROR(ValidateIntegration(spec));
  spec.meta = domain::NewMeta(txn, who);
  CreatedIntegration out;
  out.key = NewKey(spec);
  TOCSIN_RETURN_IF_ERROR(txn.Integrations().Insert(spec, RefsOf(spec.response_plan)));
  TOCSIN_RETURN_IF_ERROR(StoreKey(txn, spec, out.key));
  TOCSIN_RETURN_IF_ERROR(ScheduleHeartbeat(txn, spec));
  out.integration = std::move(spec);
  return out;
}

Result<Integration> IngestService::UpdateIntegration(store::WriteTxn& txn,
                                                     const domain::Principal& who,
                                                     const Integration& current,
                                                     Integration updated,
                                                     std::optional<int64_t> expected_version) {
  TOCSIN_RETURN_IF_ERROR(domain::CheckVersion(current.meta, expected_version, "integration"));
  if (updated.type != current.type) {
    return InvalidArgument("type cannot change; create another integration", "type");
  }
  TOCSIN_RETURN_IF_ERROR(ResolvePlanRef(txn, updated.response_plan, "responsePlan"));
  TOCSIN_RETURN_IF_ERROR(ValidateIntegration(updated));
  updated.meta = domain::NextMeta(txn, who, current.meta);
  updated.key_prefix = current.key_prefix;
  TOCSIN_RETURN_IF_ERROR(txn.Integrations().Update(updated, RefsOf(updated.response_plan)));
  if (updated.heartbeat_minutes != current.heartbeat_minutes) {
    TOCSIN_RETURN_IF_ERROR(ScheduleHeartbeat(txn, updated));
  }
  return updated;
}

Status IngestService::DeleteIntegration(store::WriteTxn& txn, std::string_view id_or_name) {
  auto integration = txn.Integrations().Get(id_or_name);
  if (!integration.ok()) return integration.status();
  auto cancelled = txn.Jobs().CancelJobs(integration->meta.id, "");
  if (!cancelled.ok()) return cancelled.status();
  return txn.Integrations().Delete(integration->meta.id);
}

Result<CreatedIntegration> IngestService::RotateKey(store::WriteTxn& txn,
                                                    const domain::Principal& who,
                                                    std::string_view id_or_name) {
  auto current = txn.Integrations().Get(id_or_name);
  if (!current.ok()) return current.status();
  CreatedIntegration out;
  out.integration = *current;
  out.key = NewKey(out.integration);
  out.integration.meta = domain::NextMeta(txn, who, current->meta);
  TOCSIN_RETURN_IF_ERROR(
      txn.Integrations().Update(out.integration, RefsOf(out.integration.response_plan)));
  TOCSIN_RETURN_IF_ERROR(StoreKey(txn, out.integration, out.key));
  return out;
}

Result<Integration> IngestService::Authenticate(store::ReadTxn& txn, std::string_view key) const {
  const Status unknown = Unauthenticated("unknown integration key");
  const std::string_view id = KeyIntegrationId(key);
  if (id.empty()) return unknown;
  auto secret = txn.GetSecret(id, kKeyPurpose);
  if (!secret.ok()) {
    return secret.status().code() == StatusCode::kNotFound ? unknown : secret.status();
  }
  if (!crypto::ConstantTimeEqual(secret->hash, KeyHash(key))) return unknown;
  auto integration = txn.Integrations().Get(id);
  if (!integration.ok()) {
    return integration.status().code() == StatusCode::kNotFound ? unknown : integration.status();
  }
  return integration;
}

// --- Rules ---------------------------------------------------------------------

namespace {

Status ValidateRule(const Rule& rule) {
  TOCSIN_RETURN_IF_ERROR(domain::ValidateName(rule.name, 200, "name"));
  auto pattern = rules::EventPattern::Parse(rule.pattern);
  if (!pattern.ok()) return InvalidArgument(pattern.status().message(), "pattern");
  if (!rule.title_template.empty()) {
    TOCSIN_RETURN_IF_ERROR(ValidateTitleTemplate(rule.title_template, "action.title"));
  }
  if (rule.action != domain::RuleAction::kStartIncident &&
      (!rule.response_plan.empty() || rule.impact || !rule.title_template.empty())) {
    return InvalidArgument("responsePlan, impact and title apply to startIncident only", "action");
  }
  return Status::Ok();
}

}  // namespace

void IngestService::RulesChanged(store::WriteTxn& txn) {
  txn.OnCommit([this] { rules_generation_.fetch_add(1); });
}

Result<Rule> IngestService::CreateRule(store::WriteTxn& txn, const domain::Principal& who,
                                       Rule spec) {
  TOCSIN_RETURN_IF_ERROR(ResolvePlanRef(txn, spec.response_plan, "action.responsePlan"));
  TOCSIN_RETURN_IF_ERROR(ValidateRule(spec));
  spec.meta = domain::NewMeta(txn, who);
  TOCSIN_RETURN_IF_ERROR(txn.Rules().Insert(spec, RefsOf(spec.response_plan)));
  RulesChanged(txn);
  return spec;
}

Result<Rule> IngestService::UpdateRule(store::WriteTxn& txn, const domain::Principal& who,
                                       const Rule& current, Rule updated,
                                       std::optional<int64_t> expected_version) {
  TOCSIN_RETURN_IF_ERROR(domain::CheckVersion(current.meta, expected_version, "rule"));
  TOCSIN_RETURN_IF_ERROR(ResolvePlanRef(txn, updated.response_plan, "action.responsePlan"));
  TOCSIN_RETURN_IF_ERROR(ValidateRule(updated));
  updated.meta = domain::NextMeta(txn, who, current.meta);
  TOCSIN_RETURN_IF_ERROR(txn.Rules().Update(updated, RefsOf(updated.response_plan)));
  RulesChanged(txn);
  return updated;
}

Status IngestService::DeleteRule(store::WriteTxn& txn, std::string_view id_or_name) {
  auto rule = txn.Rules().Get(id_or_name);
  if (!rule.ok()) return rule.status();
  TOCSIN_RETURN_IF_ERROR(txn.Rules().Delete(rule->meta.id));
  RulesChanged(txn);
  return Status::Ok();
}

Result<std::shared_ptr<const RuleSet>> IngestService::Rules(store::Store& store) {
  const uint64_t generation = rules_generation_.load();
  std::lock_guard lock(rules_mu_);
  if (rules_ && rules_loaded_ == generation) return rules_;
  std::vector<Rule> all;
  Status s = store.Read([&](store::ReadTxn& txn) {
    store::ListOptions options;
    options.limit = 100;
    while (true) {
      auto page = txn.Rules().List(options);
      if (!page.ok()) return page.status();
      for (auto& r : page->items) all.push_back(std::move(r));
      if (page->next_cursor.empty()) return Status::Ok();
      options.cursor = page->next_cursor;
    }
  });
  if (!s.ok()) return s;
  rules_ = std::make_shared<const RuleSet>(RuleSet::Compile(std::move(all)));
  rules_loaded_ = generation;
  return rules_;
}

// --- Signals ---------------------------------------------------------------------

std::vector<PlannedSignal> IngestService::Plan(store::ReadTxn& txn, const Integration& integration,
                                               const std::vector<Signal>& signals,
                                               const std::vector<Decision>& decisions) const {
  std::vector<PlannedSignal> out(signals.size());
  for (size_t i = 0; i < signals.size(); ++i) {
    const Decision::Kind kind = decisions[i].kind;
    PlannedSignal& p = out[i];
    if (kind == Decision::Kind::kDrop) {
      p.needs_write = false;
      continue;
    }
    // Findings are stored on every import; only plain alerts can skip the write.
    if (signals[i].finding) continue;
    auto alert = txn.Ingest().GetAlert(integration.meta.id, signals[i].key);
    if (!alert.ok()) {
      // Unknown key: only a start changes anything.
      p.needs_write = kind == Decision::Kind::kStart;
      continue;
    }
    p.incident_id = alert->incident_id;
    const bool open = alert->incident_open;
    if (kind == Decision::Kind::kStart) {
      p.needs_write = !(alert->firing && open);
    } else if (kind == Decision::Kind::kResolve) {
      p.needs_write = alert->firing;
    } else {
      p.needs_write = open;
    }
  }
  return out;
}

Result<IngestCounts> IngestService::Apply(store::WriteTxn& txn, const domain::Actor& actor,
                                          const Integration& integration,
                                          const std::vector<Signal>& signals,
                                          const std::vector<Decision>& decisions,
                                          int truncated_alerts) {
  IngestCounts counts;
  std::vector<std::string> fired_into;
  for (size_t i = 0; i < signals.size(); ++i) {
    ++counts.signals;
    TOCSIN_RETURN_IF_ERROR(
        ApplyOne(txn, actor, integration, signals[i], decisions[i], counts, fired_into));
  }
  if (truncated_alerts > 0) {
    JsonObject data;
    data.Add("truncatedAlerts", truncated_alerts)
        .Add("note",
             "the sender left these alerts of the group out of the notification (max_alerts); "
             "they are not tracked here");
    for (const auto& id : fired_into) {
      auto e = incidents_.AppendSystemEvent(txn, actor, id, kAlertsTruncatedEvent, data.Build());
      if (!e.ok()) return e.status();
    }
  }
  return counts;
}

Status IngestService::ApplyOne(store::WriteTxn& txn, const domain::Actor& actor,
                               const Integration& integration, const Signal& signal,
                               const Decision& decision, IngestCounts& counts,
                               std::vector<std::string>& fired_into) {
  if (signal.key.empty() || signal.key.size() > kMaxAlertKey) {
    return InvalidArgument("an event's key (fingerprint, dedupKey, ARN) must be 1 to 1000 bytes");
  }
  switch (decision.kind) {
    case Decision::Kind::kDrop:
      ++counts.dropped;
      if (signal.finding) return StoreFinding(txn, integration, *signal.finding, "");
      return Status::Ok();
    case Decision::Kind::kStart:
      return Start(txn, actor, integration, signal, decision, counts, fired_into);
    case Decision::Kind::kResolve:
      return Resolve(txn, actor, integration, signal, decision, counts);
    case Decision::Kind::kAcknowledge:
    case Decision::Kind::kAnnotate:
      break;
  }
  if (signal.finding) TOCSIN_RETURN_IF_ERROR(StoreFinding(txn, integration, *signal.finding, ""));
  auto alert = txn.Ingest().GetAlert(integration.meta.id, signal.key);
  if (!alert.ok() && alert.status().code() != StatusCode::kNotFound) return alert.status();
  if (!alert.ok() || !alert->incident_open) {
    ++counts.ignored;
    return Status::Ok();
  }
  counts.Touch(alert->incident_id);
  if (decision.kind == Decision::Kind::kAcknowledge) {
    return Acknowledge(txn, actor, signal, *alert, counts);
  }
  ++counts.annotated;
  return incidents_
      .AppendSystemEvent(txn, actor, alert->incident_id, kAlertUpdatedEvent,
                         AlertEventData(signal, SignalActionName(signal.action)))
      .status();
}

Status IngestService::Start(store::WriteTxn& txn, const domain::Actor& actor,
                            const Integration& integration, const Signal& signal,
                            const Decision& decision, IngestCounts& counts,
                            std::vector<std::string>& fired_into) {
  auto alert = txn.Ingest().GetAlert(integration.meta.id, signal.key);
  if (!alert.ok() && alert.status().code() != StatusCode::kNotFound) return alert.status();
  if (alert.ok() && alert->firing && alert->incident_open) {
    ++counts.deduplicated;
    counts.Touch(alert->incident_id);
    if (signal.finding) {
      return StoreFinding(txn, integration, *signal.finding, alert->incident_id);
    }
    return Status::Ok();
  }
  domain::StartIncident request;
  request.response_plan = decision.response_plan;
  if (!decision.title.empty()) request.title = decision.title;
  request.impact = decision.impact;
  if (!signal.summary.empty()) request.summary = signal.summary;
  request.trigger = signal.trigger;
  request.related_items = signal.related_items;
  if (request.related_items.size() > domain::kMaxRelatedItems) {
    request.related_items.resize(domain::kMaxRelatedItems);
  }
  request.dedupe_key = integration.meta.id + ":" + signal.key;
  auto started = incidents_.Start(txn, actor, std::move(request));
  if (!started.ok()) return started.status();
  const std::string& incident_id = started->incident.id;
  if (started->deduplicated) {
    ++counts.deduplicated;
  } else {
    ++counts.started;
  }
  counts.Touch(incident_id);
  fired_into.push_back(incident_id);
  AlertState next;
  next.integration_id = integration.meta.id;
  next.key = signal.key;
  next.incident_id = incident_id;
  next.firing = true;
  next.title = signal.title;
  next.first_seen = alert.ok() ? alert->first_seen : txn.Now();
  next.changed_at = txn.Now();
  TOCSIN_RETURN_IF_ERROR(txn.Ingest().PutAlert(next));
  if (signal.finding) return StoreFinding(txn, integration, *signal.finding, incident_id);
  return Status::Ok();
}

Status IngestService::Resolve(store::WriteTxn& txn, const domain::Actor& actor,
                              const Integration& integration, const Signal& signal,
                              const Decision& decision, IngestCounts& counts) {
  if (signal.finding) TOCSIN_RETURN_IF_ERROR(StoreFinding(txn, integration, *signal.finding, ""));
  auto alert = txn.Ingest().GetAlert(integration.meta.id, signal.key);
  if (!alert.ok() && alert.status().code() != StatusCode::kNotFound) return alert.status();
  if (!alert.ok() || !alert->firing) {
    ++counts.ignored;
    return Status::Ok();
  }
  alert->firing = false;
  alert->changed_at = txn.Now();
  TOCSIN_RETURN_IF_ERROR(txn.Ingest().PutAlert(*alert));
  counts.Touch(alert->incident_id);
  if (!alert->incident_open) {
    ++counts.ignored;
    return Status::Ok();
  }
  auto still_firing = txn.Ingest().CountFiringAlerts(alert->incident_id);
  if (!still_firing.ok()) return still_firing.status();
  if ((integration.auto_resolve || decision.force_resolve) && *still_firing == 0) {
    auto resolved = incidents_.Resolve(txn, actor, alert->incident_id);
    if (!resolved.ok()) return resolved.status();
    ++counts.resolved;
    return Status::Ok();
  }
  ++counts.annotated;
  JsonObject data;
  data.Add("alert", signal.key).Add("title", signal.title).Add("source", signal.trigger.source);
  data.Add("stillFiring", *still_firing);
  if (!integration.auto_resolve) data.Add("note", "autoResolve is off for this integration");
  return incidents_
      .AppendSystemEvent(txn, actor, alert->incident_id, kAlertResolvedEvent, data.Build())
      .status();
}

Status IngestService::Acknowledge(store::WriteTxn& txn, const domain::Actor& actor,
                                  const Signal& signal, const AlertState& alert,
                                  IngestCounts& counts) {
  ++counts.acknowledged;
  TOCSIN_RETURN_IF_ERROR(incidents_
                             .AppendSystemEvent(txn, actor, alert.incident_id,
                                                kIncidentAcknowledgedEvent,
                                                AlertEventData(signal, "acknowledged"))
                             .status());
  store::EngagementQuery query;
  query.incident_id = alert.incident_id;
  query.state = domain::EngagementState::kEngaged;
  query.limit = 100;
  // Stopping removes an engagement from the ENGAGED listing: re-read the
  // first page until it is empty (bounded, in case a stop does not stick).
  for (int round = 0; round < 100; ++round) {
    auto page = txn.Engagements().ListEngagements(query);
    if (!page.ok()) return page.status();
    if (page->items.empty()) return Status::Ok();
    for (const auto& e : page->items) {
      auto stopped = engagements_.Stop(txn, actor, e.id,
                                       "acknowledged by " + signal.trigger.source + " event");
      if (!stopped.ok()) return stopped.status();
    }
  }
  return Internal("engagements of incident " + alert.incident_id + " did not stop");
}

// --- Heartbeats ---------------------------------------------------------------------

Status IngestService::ScheduleHeartbeat(store::WriteTxn& txn, const Integration& integration) {
  auto cancelled = txn.Jobs().CancelJobs(integration.meta.id, integration.meta.id);
  if (!cancelled.ok()) return cancelled.status();
  if (integration.heartbeat_minutes <= 0) return Status::Ok();
  domain::Job job;
  job.due = txn.Now() + std::chrono::minutes(integration.heartbeat_minutes);
  job.kind = kHeartbeatJob;
  job.owner = integration.meta.id;
  job.ref = integration.meta.id;
  auto id = txn.Jobs().InsertJob(job);
  if (!id.ok()) return id.status();
  if (job_listener_) {
    txn.OnCommit([listener = job_listener_, id = *id, due = job.due] { listener(id, due); });
  }
  return Status::Ok();
}

namespace {

Signal HeartbeatSignal(const Integration& integration, SignalAction action, TimePoint now) {
  Signal s;
  s.action = action;
  s.key = kHeartbeatKey;
  s.title = TruncateUtf8("Heartbeat missed: " + integration.name, kMaxTitleChars);
  s.summary = "No heartbeat from integration " + integration.name + " for " +
              std::to_string(integration.heartbeat_minutes) +
              " minutes: the monitoring that sends it may be down.";
  s.trigger.source = "tocsin.heartbeat";
  s.trigger.timestamp = now;
  s.envelope = {{"source", "tocsin.heartbeat"}};
  return s;
}

}  // namespace

Result<TimePoint> IngestService::Ping(store::WriteTxn& txn, const domain::Actor& actor,
                                      const Integration& integration) {
  if (integration.heartbeat_minutes <= 0) {
    return FailedPrecondition("integration \"" + integration.name +
                              "\" expects no heartbeat (set heartbeatMinutes)");
  }
  TOCSIN_RETURN_IF_ERROR(ScheduleHeartbeat(txn, integration));
  Signal recovered = HeartbeatSignal(integration, SignalAction::kResolve, txn.Now());
  recovered.title = "Heartbeat back: " + integration.name;
  Decision d;
  d.kind = Decision::Kind::kResolve;
  IngestCounts counts;
  TOCSIN_RETURN_IF_ERROR(Resolve(txn, actor, integration, recovered, d, counts));
  return txn.Now() + std::chrono::minutes(integration.heartbeat_minutes);
}

Status IngestService::RunHeartbeatJob(store::WriteTxn& txn, const domain::Job& job) {
  auto integration = txn.Integrations().Get(job.ref);
  if (!integration.ok()) {
    // Deleted since: its jobs were cancelled, but a job already claimed may fire.
    return integration.status().code() == StatusCode::kNotFound ? Status::Ok()
                                                                : integration.status();
  }
  if (integration->heartbeat_minutes <= 0 || integration->response_plan.empty()) {
    return Status::Ok();
  }
  const domain::Actor actor{PrincipalOf(*integration), "heartbeat-" + std::to_string(job.id)};
  Signal missed = HeartbeatSignal(*integration, SignalAction::kTrigger, txn.Now());
  Decision d;
  d.kind = Decision::Kind::kStart;
  d.response_plan = integration->response_plan;
  d.title = missed.title;
  IngestCounts counts;
  std::vector<std::string> fired_into;
  spdlog::warn("msg=\"heartbeat missed\" integration={} minutes={}", LogQuote(integration->name),
               integration->heartbeat_minutes);
  return Start(txn, actor, *integration, missed, d, counts, fired_into);
}

}  // namespace tocsin::ingest
