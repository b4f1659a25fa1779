// Prometheus Alertmanager webhook (payload version "4") and Grafana unified
// alerting (version "1", with orgId): the same shape, one parser.

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "ingest/normalize_internal.h"

namespace tocsin::ingest {
namespace {

constexpr size_t kMaxSummaryLabels = 10;
constexpr size_t kMaxGroupLines = 20;

// The group-level members copied into every alert's detail.
constexpr const char* kGroupFields[] = {"receiver",     "groupKey",          "groupLabels",
                                        "commonLabels", "commonAnnotations", "externalURL",
                                        "orgId"};

struct Flavor {
  const char* source;          // Envelope source.
  const char* detail_type;     // Envelope detail-type.
  const char* trigger_source;  // TriggerDetails.source.
};

constexpr Flavor kAlertmanager{"prometheus.alertmanager", "Alertmanager Alert", "alertmanager"};
constexpr Flavor kGrafana{"grafana", "Grafana Alert", "grafana"};

const Flavor& FlavorOf(const NormalizeContext& context, const Json& body) {
  const Json* version = Member(body, "version");
  if (Member(body, "orgId") != nullptr) return kGrafana;
  if (version != nullptr && version->is_string()) {
    return version->get_ref<const std::string&>() == "1" ? kGrafana : kAlertmanager;
  }
  return context.type == domain::IntegrationType::kGrafana ? kGrafana : kAlertmanager;
}

bool IsFiring(const Json& alert) { return StringAt(alert, "status") == "firing"; }

// Returns the label value as text (label values are strings; anything else is
// shown as JSON).
std::string LabelText(const Json& value) {
  return value.is_string() ? value.get<std::string>() : DumpJson(value);
}

// "key=value, ..." of `labels` without alertname and without the labels of
// `except` that have the same value, at most kMaxSummaryLabels.
std::string LabelList(const Json& labels, const Json& except) {
  std::string out;
  size_t count = 0;
  for (const auto& [key, value] : labels.items()) {
    if (key == "alertname") continue;
    const Json* common = Member(except, key);
    if (common != nullptr && *common == value) continue;
    if (count == kMaxSummaryLabels) {
      out += ", ...";
      break;
    }
    if (!out.empty()) out += ", ";
    out += key + "=" + LabelText(value);
    ++count;
  }
  return out;
}

Status CheckGroup(const Json& body) {
  for (const char* key : {"groupLabels", "commonLabels", "commonAnnotations"}) {
    const Json* value = Member(body, key);
    if (value != nullptr && !value->is_object()) return FieldError(key, "must be an object");
  }
  for (const char* key : {"receiver", "groupKey", "externalURL", "status"}) {
    const Json* value = Member(body, key);
    if (value != nullptr && !value->is_string()) return FieldError(key, "must be a string");
  }
  return Status::Ok();
}

Status CheckAlert(const Json& alert, const std::string& path) {
  if (!alert.is_object()) return FieldError(path, "must be an object");
  const Json* status = Member(alert, "status");
  if (status == nullptr) return FieldError(FieldPath(path, "status"), "is required");
  if (!status->is_string() || (*status != "firing" && *status != "resolved")) {
    return FieldError(FieldPath(path, "status"), "must be \"firing\" or \"resolved\"");
  }
  for (const char* key : {"labels", "annotations"}) {
    const Json* value = Member(alert, key);
    if (value != nullptr && !value->is_object()) {
      return FieldError(FieldPath(path, key), "must be an object");
    }
  }
  for (const char* key : {"fingerprint", "startsAt", "endsAt", "generatorURL"}) {
    const Json* value = Member(alert, key);
    if (value != nullptr && !value->is_string()) {
      return FieldError(FieldPath(path, key), "must be a string");
    }
  }
  return Status::Ok();
}

// What one alert offers, with the group's common values as fallbacks.
struct AlertView {
  const Json& alert;
  const Json& body;

  const Json& Labels() const { return ObjectAt(alert, "labels"); }
  const Json& Annotations() const { return ObjectAt(alert, "annotations"); }

  std::string Label(std::string_view key) const {
    std::string value = StringAt(Labels(), key);
    if (value.empty()) value = StringAt(ObjectAt(body, "commonLabels"), key);
    if (value.empty()) value = StringAt(ObjectAt(body, "groupLabels"), key);
    return value;
  }
  std::string Annotation(std::string_view key) const {
    std::string value = StringAt(Annotations(), key);
    if (value.empty()) value = StringAt(ObjectAt(body, "commonAnnotations"), key);
    return value;
  }

  // "alertname: summary", either alone when the other is missing.
  std::string Title() const {
    std::string name = Label("alertname");
    std::string summary = Annotation("summary");
    if (name.empty()) return summary;
    if (summary.empty()) return name;
    return name + ": " + summary;
  }

  std::string Fingerprint() const {
    std::string fingerprint = StringAt(alert, "fingerprint");
    // Alertmanager before 0.19 sends none: the label set is the identity.
    if (fingerprint.empty()) fingerprint = HashHex(DumpJson(Labels()));
    return fingerprint;
  }
};

std::string AlertSummary(const AlertView& view) {
  std::string text = view.Annotation("description");
  if (text.empty()) text = view.Annotation("summary");
  const std::string labels = LabelList(view.Labels(), Json::object());
  if (!labels.empty()) {
    if (!text.empty()) text += "\n\n";
    text += "Labels: " + labels;
  }
  if (const Json* values = Member(view.alert, "values"); values != nullptr && values->is_object()) {
    std::string list;
    for (const auto& [key, value] : values->items()) {
      if (!list.empty()) list += ", ";
      list += key + "=" + LabelText(value);
    }
    if (!list.empty()) text += (text.empty() ? "Values: " : "\nValues: ") + list;
  } else if (const std::string value_string = StringAt(view.alert, "valueString");
             !value_string.empty()) {
    text += (text.empty() ? "Values: " : "\nValues: ") + value_string;
  }
  return TruncateUtf8(text, kMaxSummary, /*ellipsis=*/true);
}

void AddAlertLinks(Signal& signal, const AlertView& view) {
  AddUrlItem(signal, "OTHER", StringAt(view.alert, "generatorURL"), "Source");
  AddUrlItem(signal, "ATTACHMENT", view.Annotation("runbook_url"), "Runbook");
  AddUrlItem(signal, "OTHER", StringAt(view.alert, "dashboardURL"), "Dashboard");
  AddUrlItem(signal, "OTHER", StringAt(view.alert, "panelURL"), "Panel");
}

Signal AlertSignal(const NormalizeContext& context, const Flavor& flavor, const Json& body,
                   const Json& alert) {
  const AlertView view{alert, body};
  Signal signal;
  const bool firing = IsFiring(alert);
  signal.action = firing ? SignalAction::kTrigger : SignalAction::kResolve;
  signal.key = view.Fingerprint();
  signal.title = OneLine(view.Title(), kMaxTitle, "Alert " + signal.key);
  signal.summary = AlertSummary(view);
  signal.impact = ImpactForSeverity(view.Label("severity"));
  AddAlertLinks(signal, view);

  std::optional<TimePoint> at = firing ? TimeAt(alert, "startsAt") : TimeAt(alert, "endsAt");
  if (!at) at = TimeAt(alert, "startsAt");
  signal.trigger.source = flavor.trigger_source;
  signal.trigger.timestamp = at.value_or(context.now);

  Json detail = alert;
  for (const char* key : kGroupFields) {
    const Json* value = Member(body, key);
    if (value != nullptr && !detail.contains(key)) detail[key] = *value;
  }
  signal.trigger.raw_data = TruncateUtf8(DumpJson(detail), kMaxRawData);
  signal.envelope = NewEnvelope(context, flavor.source, flavor.detail_type,
                                signal.trigger.timestamp, std::move(detail));
  return signal;
}

// One signal for the whole notification group (AlertKey::kGroupKey).
Signal GroupSignal(const NormalizeContext& context, const Flavor& flavor, const Json& body,
                   const Json& alerts) {
  std::vector<const Json*> firing;
  std::vector<const Json*> resolved;
  for (const Json& alert : alerts) (IsFiring(alert) ? firing : resolved).push_back(&alert);
  const bool any_firing = !firing.empty();
  // The alert that stands for the group where the group has no common value.
  const Json& lead = any_firing ? *firing.front() : alerts.front();
  const AlertView lead_view{lead, body};
  const Json& common_labels = ObjectAt(body, "commonLabels");
  const Json& common_annotations = ObjectAt(body, "commonAnnotations");

  Signal signal;
  signal.action = any_firing ? SignalAction::kTrigger : SignalAction::kResolve;
  signal.key = StringAt(body, "groupKey");

  std::string name = StringAt(common_labels, "alertname");
  if (name.empty()) name = StringAt(ObjectAt(body, "groupLabels"), "alertname");
  if (name.empty()) name = lead_view.Label("alertname");
  std::string headline = StringAt(common_annotations, "summary");
  if (headline.empty()) headline = StringAt(lead_view.Annotations(), "summary");
  std::string title = name.empty() ? headline : headline.empty() ? name : name + ": " + headline;
  if (title.empty()) title = StringAt(body, "title");  // Grafana's "[FIRING:1] ..." text.
  signal.title = OneLine(title, kMaxTitle, "Alert group " + signal.key);

  std::string text = StringAt(common_annotations, "description");
  if (text.empty()) text = StringAt(common_annotations, "summary");
  if (!text.empty()) text += "\n\n";
  text +=
      std::to_string(firing.size()) + " firing, " + std::to_string(resolved.size()) + " resolved:";
  size_t lines = 0;
  for (const auto* group : {&firing, &resolved}) {
    for (const Json* alert : *group) {
      if (lines == kMaxGroupLines) break;
      ++lines;
      const AlertView view{*alert, body};
      text += "\n- [" + StringAt(*alert, "status") + "] " + view.Title();
      const std::string own = LabelList(view.Labels(), common_labels);
      if (!own.empty()) text += " (" + own + ")";
    }
  }
  if (alerts.size() > kMaxGroupLines) {
    text += "\n- ... and " + std::to_string(alerts.size() - kMaxGroupLines) + " more";
  }
  const std::string labels = LabelList(common_labels, Json::object());
  if (!labels.empty()) text += "\n\nLabels: " + labels;
  signal.summary = TruncateUtf8(text, kMaxSummary, /*ellipsis=*/true);

  signal.impact = ImpactForSeverity(StringAt(common_labels, "severity"));
  if (!signal.impact) {
    for (const Json* alert : any_firing ? firing : resolved) {
      const auto impact = ImpactForSeverity(StringAt(ObjectAt(*alert, "labels"), "severity"));
      if (impact && (!signal.impact || *impact < *signal.impact)) signal.impact = impact;
    }
  }
  AddAlertLinks(signal, lead_view);

  // Firing: since the first alert started. Resolved: when the last one ended.
  std::optional<TimePoint> at;
  for (const Json* alert : any_firing ? firing : resolved) {
    const auto t = any_firing ? TimeAt(*alert, "startsAt") : TimeAt(*alert, "endsAt");
    if (t && (!at || (any_firing ? *t < *at : *t > *at))) at = t;
  }
  if (!at) at = TimeAt(lead, "startsAt");
  signal.trigger.source = flavor.trigger_source;
  signal.trigger.timestamp = at.value_or(context.now);
  signal.trigger.raw_data = TruncateUtf8(DumpJson(body), kMaxRawData);

  // Shaped like an alert's detail where it can be, so one rule
  // (detail.labels.severity, detail.status) matches in both key modes.
  Json detail = body;
  detail["status"] = any_firing ? "firing" : "resolved";
  detail["labels"] = common_labels;
  detail["annotations"] = common_annotations;
  signal.envelope = NewEnvelope(context, flavor.source, flavor.detail_type,
                                signal.trigger.timestamp, std::move(detail));
  return signal;
}

}  // namespace

Status NormalizeAlerts(const NormalizeContext& context, const Json& body, Batch& batch) {
  const Json* alerts = Member(body, "alerts");
  if (alerts == nullptr) return FieldError("alerts", "is required");
  if (!alerts->is_array()) return FieldError("alerts", "must be an array");
  if (alerts->empty()) return FieldError("alerts", "must contain at least one alert");
  if (alerts->size() > kMaxSignalsPerPayload) {
    return FieldError("alerts", "must contain at most " + std::to_string(kMaxSignalsPerPayload) +
                                    " alerts, not " + std::to_string(alerts->size()));
  }
  TOCSIN_RETURN_IF_ERROR(CheckGroup(body));
  for (size_t i = 0; i < alerts->size(); ++i) {
    TOCSIN_RETURN_IF_ERROR(CheckAlert((*alerts)[i], IndexedPath("alerts", i)));
  }
  if (const Json* truncated = Member(body, "truncatedAlerts")) {
    if (!truncated->is_number_integer() || truncated->get<int64_t>() < 0) {
      return FieldError("truncatedAlerts", "must be a non-negative integer");
    }
    batch.truncated_alerts =
        static_cast<int>(std::min<int64_t>(truncated->get<int64_t>(), INT_MAX));
  }

  const Flavor& flavor = FlavorOf(context, body);
  if (context.alert_key == domain::AlertKey::kGroupKey) {
    if (StringAt(body, "groupKey").empty()) {
      return FieldError("groupKey", "is required when the integration keys alerts by group");
    }
    batch.signals.push_back(GroupSignal(context, flavor, body, *alerts));
    return Status::Ok();
  }
  for (const Json& alert : *alerts) {
    batch.signals.push_back(AlertSignal(context, flavor, body, alert));
  }
  return Status::Ok();
}

}  // namespace tocsin::ingest
