// Tocsin's events API: the PagerDuty Events v2 body, in camelCase, with
// PagerDuty's own snake_case names accepted too (tools already send those).

#include <string>
#include <string_view>

#include "ingest/normalize_internal.h"
#include "tocsin/core/ids.h"

namespace tocsin::ingest {
namespace {

constexpr size_t kMaxDedupKey = 255;
constexpr size_t kMaxEventSummary = 1024;

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// A member known by a camelCase name and PagerDuty's snake_case one; the
// camelCase name wins when both are present.
struct Field {
  const Json* value = nullptr;
  std::string path;  // As the sender spelled it, for errors.
};

Field Lookup(const Json& object, const std::string& path, std::string_view camel,
             std::string_view snake = {}) {
  if (const Json* value = Member(object, camel)) return {value, FieldPath(path, camel)};
  if (!snake.empty()) {
    if (const Json* value = Member(object, snake)) return {value, FieldPath(path, snake)};
  }
  return {nullptr, FieldPath(path, camel)};
}

// Reads an optional string member into `out`.
Status OptionalString(const Field& field, std::string& out) {
  if (field.value == nullptr) return Status::Ok();
  if (!field.value->is_string()) return FieldError(field.path, "must be a string");
  out = field.value->get<std::string>();
  return Status::Ok();
}

struct EventPayload {
  std::string summary;
  std::string severity;
  std::string source;
  std::string component;
  std::string group;
  std::string klass;
  const Json* custom_details = nullptr;
  std::optional<TimePoint> timestamp;
  std::string timestamp_text;
};

Status ReadPayload(const Json& payload, bool trigger, EventPayload& out) {
  const std::string path = "payload";
  const Field summary = Lookup(payload, path, "summary");
  const Field severity = Lookup(payload, path, "severity");
  const Field source = Lookup(payload, path, "source");
  if (trigger) {
    for (const Field* field : {&summary, &severity, &source}) {
      if (field->value == nullptr) return FieldError(field->path, "is required");
    }
  }
  TOCSIN_RETURN_IF_ERROR(OptionalString(summary, out.summary));
  if (summary.value != nullptr) {
    if (out.summary.empty()) return FieldError(summary.path, "must not be empty");
    if (CodePoints(out.summary) > kMaxEventSummary) {
      return FieldError(summary.path, "must be at most 1024 characters");
    }
  }
  TOCSIN_RETURN_IF_ERROR(OptionalString(severity, out.severity));
  if (severity.value != nullptr && out.severity != "critical" && out.severity != "error" &&
      out.severity != "warning" && out.severity != "info") {
    return FieldError(severity.path, "must be one of critical, error, warning, info");
  }
  TOCSIN_RETURN_IF_ERROR(OptionalString(source, out.source));
  if (source.value != nullptr && out.source.empty()) {
    return FieldError(source.path, "must not be empty");
  }
  TOCSIN_RETURN_IF_ERROR(OptionalString(Lookup(payload, path, "component"), out.component));
  TOCSIN_RETURN_IF_ERROR(OptionalString(Lookup(payload, path, "group"), out.group));
  TOCSIN_RETURN_IF_ERROR(OptionalString(Lookup(payload, path, "class"), out.klass));
  out.custom_details = Lookup(payload, path, "customDetails", "custom_details").value;
  const Field timestamp = Lookup(payload, path, "timestamp");
  TOCSIN_RETURN_IF_ERROR(OptionalString(timestamp, out.timestamp_text));
  if (timestamp.value != nullptr) {
    out.timestamp = ParseEventTime(out.timestamp_text);
    if (!out.timestamp) return FieldError(timestamp.path, "must be an RFC 3339 date-time");
  }
  return Status::Ok();
}

// The payload as rules see it: camelCase, only what was sent.
Json PayloadDetail(const EventPayload& p) {
  Json detail = Json::object();
  const auto put = [&detail](const char* key, const std::string& value) {
    if (!value.empty()) detail[key] = value;
  };
  put("summary", p.summary);
  put("severity", p.severity);
  put("source", p.source);
  put("component", p.component);
  put("group", p.group);
  put("class", p.klass);
  if (p.custom_details != nullptr) detail["customDetails"] = *p.custom_details;
  put("timestamp", p.timestamp_text);
  return detail;
}

std::string EventSummary(const EventPayload& p) {
  std::string text = p.summary;
  const auto line = [&text](const char* name, const std::string& value) {
    if (value.empty()) return;
    if (!text.empty()) text += '\n';
    text += name;
    text += ": ";
    text += value;
  };
  line("Source", p.source);
  line("Component", p.component);
  line("Group", p.group);
  line("Class", p.klass);
  if (p.custom_details != nullptr) line("Details", DumpJson(*p.custom_details));
  return TruncateUtf8(text, kMaxSummary, /*ellipsis=*/true);
}

}  // namespace

Status NormalizeEvents(const NormalizeContext& context, const Json& body, Batch& batch) {
  const Field action = Lookup(body, "", "eventAction", "event_action");
  if (action.value == nullptr) return FieldError(action.path, "is required");
  Signal signal;
  if (*action.value == "trigger") {
    signal.action = SignalAction::kTrigger;
  } else if (*action.value == "acknowledge") {
    signal.action = SignalAction::kAcknowledge;
  } else if (*action.value == "resolve") {
    signal.action = SignalAction::kResolve;
  } else {
    return FieldError(action.path, "must be one of trigger, acknowledge, resolve");
  }
  const bool trigger = signal.action == SignalAction::kTrigger;

  const Field dedup = Lookup(body, "", "dedupKey", "dedup_key");
  std::string dedup_key;
  TOCSIN_RETURN_IF_ERROR(OptionalString(dedup, dedup_key));
  if (CodePoints(dedup_key) > kMaxDedupKey) {
    return FieldError(dedup.path, "must be at most 255 characters");
  }
  if (dedup_key.empty()) {
    if (!trigger) return FieldError(dedup.path, "is required for acknowledge and resolve");
    dedup_key = NewUuid();
  }

  EventPayload payload;
  const Field payload_field = Lookup(body, "", "payload");
  if (payload_field.value == nullptr) {
    if (trigger) return FieldError("payload", "is required");
  } else if (!payload_field.value->is_object()) {
    return FieldError("payload", "must be an object");
  } else {
    TOCSIN_RETURN_IF_ERROR(ReadPayload(*payload_field.value, trigger, payload));
  }

  Json links = Json::array();
  if (const Json* list = Member(body, "links")) {
    if (!list->is_array()) return FieldError("links", "must be an array");
    for (size_t i = 0; i < list->size(); ++i) {
      const Json& link = (*list)[i];
      const std::string path = IndexedPath("links", i);
      if (!link.is_object()) return FieldError(path, "must be an object");
      std::string href;
      std::string text;
      const Field href_field = Lookup(link, path, "href");
      if (href_field.value == nullptr) return FieldError(href_field.path, "is required");
      TOCSIN_RETURN_IF_ERROR(OptionalString(href_field, href));
      TOCSIN_RETURN_IF_ERROR(OptionalString(Lookup(link, path, "text"), text));
      // A link we cannot store (not http(s), too long) is left out, not refused.
      AddUrlItem(signal, "OTHER", href, text);
      links.push_back(text.empty() ? Json{{"href", href}} : Json{{"href", href}, {"text", text}});
    }
  }

  signal.key = dedup_key;
  const char* verb = trigger                                   ? "Trigger"
                     : signal.action == SignalAction::kResolve ? "Resolve"
                                                               : "Acknowledge";
  signal.title = OneLine(payload.summary, kMaxTitle, std::string(verb) + " " + dedup_key);
  signal.summary = EventSummary(payload);
  signal.impact = ImpactForSeverity(payload.severity);
  signal.trigger.source = "tocsin.events";
  signal.trigger.timestamp = payload.timestamp.value_or(context.now);
  signal.trigger.raw_data = TruncateUtf8(DumpJson(body), kMaxRawData);

  Json detail = {{"eventAction", action.value->get<std::string>()},
                 {"dedupKey", dedup_key},
                 {"payload", PayloadDetail(payload)},
                 {"links", std::move(links)}};
  signal.envelope =
      NewEnvelope(context, "tocsin.events", "Event", signal.trigger.timestamp, std::move(detail));
  batch.signals.push_back(std::move(signal));
  return Status::Ok();
}

}  // namespace tocsin::ingest
