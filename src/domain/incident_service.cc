#include "tocsin/domain/incident_service.h"

#include <algorithm>
#include <set>

#include "tocsin/core/ids.h"
#include "tocsin/core/json_text.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/domain/contact_service.h"
#include "tocsin/domain/plan_service.h"

namespace tocsin::domain {
namespace {

constexpr const char* kApiSource = "tocsin.api";

bool IsPrintable(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r';
  });
}

Status CheckTitle(std::string_view title, const std::string& field) {
  if (title.empty() || title.size() > 200) {
    return InvalidArgument(field + " must be 1 to 200 characters", field);
  }
  return ValidateDisplayName(title, field);
}

// AWS ARN syntax: arn:partition:service:region:account:resource.
bool IsArn(std::string_view arn) {
  if (arn.size() > 1000 || arn.rfind("arn:", 0) != 0) return false;
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const auto colon = arn.find(':', start);
    if (colon == std::string_view::npos) return false;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  const auto account = parts[4];
  const bool account_ok =
      account.empty() ||
      (account.size() == 12 && std::all_of(account.begin(), account.end(), ::isdigit));
  return (parts[1] == "aws" || parts[1] == "aws-cn" || parts[1] == "aws-us-gov") && account_ok &&
         start < arn.size();
}

std::string TriggerJson(const TriggerDetails& t) {
  JsonObject o;
  o.Add("source", t.source).Add("timestamp", FormatRfc3339(t.timestamp));
  if (!t.trigger_arn.empty()) o.Add("triggerArn", t.trigger_arn);
  if (!t.raw_data.empty()) o.Add("rawData", t.raw_data);
  return o.Build();
}

std::string RelatedItemJson(const RelatedItem& item) {
  JsonObject o;
  o.Add("id", item.id).Add("type", item.type).Add(item.value_kind, item.value);
  if (!item.title.empty()) o.Add("title", item.title);
  return o.Build();
}

std::string NewRelatedItemId(const std::string& type) {
  std::string hex = crypto::HexEncode(RandomBytes(16));
  std::transform(hex.begin(), hex.end(), hex.begin(), ::toupper);
  return "related-item/" + type + "/" + hex;
}

TimelineEvent SystemEvent(const Actor& actor, const std::string& incident_id, TimePoint at,
                          std::string type, std::string data) {
  TimelineEvent e;
  e.incident_id = incident_id;
  e.event_id = NewUuid();
  e.event_time = at;
  e.event_type = std::move(type);
  e.event_data = std::move(data);
  e.actor = actor.who.id;
  e.request_id = actor.request_id;
  e.system = true;
  return e;
}

// Resolves chat channel or notification target references to ids.
template <typename Getter>
Status ResolveIds(std::vector<std::string>& refs, const std::string& field, const char* noun,
                  size_t max, Getter get) {
  if (refs.size() > max) {
    return InvalidArgument(field + " may list at most " + std::to_string(max), field);
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < refs.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    auto id = get(refs[i]);
    if (!id.ok())
      return InvalidArgument(std::string(noun) + " \"" + refs[i] + "\" does not exist", f);
    if (!seen.insert(*id).second) return InvalidArgument(std::string(noun) + " is listed twice", f);
    refs[i] = *id;
  }
  return Status::Ok();
}

}  // namespace

TimelineEvent AuditEvent(const Actor& actor, std::string_view action, std::string_view kind,
                         std::string_view id, std::string_view name) {
  TimelineEvent e;
  e.event_id = NewUuid();
  e.event_type = kAuditEvent;
  JsonObject o;
  o.Add("action", action).Add("kind", kind).Add("id", id);
  if (!name.empty()) o.Add("name", name);
  e.event_data = o.Build();
  e.actor = actor.who.id;
  e.request_id = actor.request_id;
  return e;
}

TimelineEvent ClockStepEvent(const ClockStep& step) {
  TimelineEvent e = AuditEvent(Actor{SystemPrincipal(), ""}, "clock-step", "server", "", "");
  e.event_time = step.after;
  JsonObject o;
  o.Add("action", "clock-step")
      .Add("kind", "server")
      .Add("stepMs", static_cast<int64_t>(step.step.count()))
      .Add("expected", FormatRfc3339(step.before))
      .Add("now", FormatRfc3339(step.after));
  e.event_data = o.Build();
  return e;
}

Status IncidentService::ValidateRelatedItem(const RelatedItem& item,
                                            const std::string& field) const {
  if (std::find_if(std::begin(kRelatedItemTypes), std::end(kRelatedItemTypes),
                   [&](const char* t) { return item.type == t; }) == std::end(kRelatedItemTypes)) {
    return InvalidArgument(
        "type must be one of ANALYSIS, INCIDENT, METRIC, PARENT, ATTACHMENT, OTHER, AUTOMATION, "
        "INVOLVED_RESOURCE, TASK",
        field + ".type");
  }
  if (item.value_kind == "arn") {
    if (!IsArn(item.value))
      return InvalidArgument("arn must be an AWS-style ARN (arn:aws:...)", field + ".arn");
  } else if (item.value_kind == "url") {
    TOCSIN_RETURN_IF_ERROR(ValidateHttpUrl(item.value, field + ".url"));
    if (item.value.size() > 1000)
      return InvalidArgument("url must be at most 1000 characters", field + ".url");
  } else if (item.value_kind == "metricDefinition") {
    if (item.value.empty() || item.value.size() > 4000) {
      return InvalidArgument("metricDefinition must be 1 to 4000 characters",
                             field + ".metricDefinition");
    }
  } else {
    return InvalidArgument("exactly one of arn, url, metricDefinition is required", field);
  }
  if (item.title.size() > 200)
    return InvalidArgument("title must be at most 200 characters", field + ".title");
  return Status::Ok();
}

Status IncidentService::ValidateStart(const StartIncident& r) const {
  if (r.title) TOCSIN_RETURN_IF_ERROR(CheckTitle(*r.title, "title"));
  if (r.impact && (*r.impact < 1 || *r.impact > 5)) {
    return InvalidArgument("impact must be between 1 (critical) and 5 (no impact)", "impact");
  }
  if (r.summary && r.summary->size() > 8000) {
    return InvalidArgument("summary must be at most 8000 characters", "summary");
  }
  if (r.trigger) {
    const auto& t = *r.trigger;
    if (t.source.empty() || t.source.size() > 50 || !IsPrintable(t.source)) {
      return InvalidArgument("source must be 1 to 50 characters", "triggerDetails.source");
    }
    if (t.trigger_arn.size() > 1000) {
      return InvalidArgument("triggerArn must be at most 1000 characters",
                             "triggerDetails.triggerArn");
    }
    if (t.raw_data.size() > 10000) {
      return InvalidArgument("rawData must be at most 10000 characters", "triggerDetails.rawData");
    }
  }
  if (r.related_items.size() > kMaxRelatedItems) {
    return InvalidArgument("relatedItems may list at most 50 items", "relatedItems");
  }
  for (size_t i = 0; i < r.related_items.size(); ++i) {
    TOCSIN_RETURN_IF_ERROR(
        ValidateRelatedItem(r.related_items[i], "relatedItems[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}

Result<StartResult> IncidentService::Start(store::WriteTxn& txn, const Actor& actor,
                                           StartIncident r) {
  TOCSIN_RETURN_IF_ERROR(ValidateStart(r));
  auto plan = txn.ResponsePlans().Get(r.response_plan);
  if (!plan.ok()) {
    if (plan.status().code() != StatusCode::kNotFound) return plan.status();
    return NotFound("response plan \"" + r.response_plan + "\" not found");
  }
  const auto& tmpl = plan->incident_template;
  std::string dedupe = tmpl.dedupe_string;
  if (dedupe.empty() && r.trigger && !r.trigger->trigger_arn.empty())
    dedupe = r.trigger->trigger_arn;
  if (dedupe.empty()) dedupe = r.dedupe_key;
  if (dedupe.empty()) dedupe = NewUuid();

  auto existing = txn.FindOpenIncident(dedupe);
  if (existing.ok()) {
    // Deduplicate into the open incident: record the new trigger, add any
    // new related items, create nothing.
    JsonObject data;
    data.Add("dedupeString", dedupe);
    if (r.title) data.Add("title", *r.title);
    if (r.trigger) data.AddRaw("triggerDetails", TriggerJson(*r.trigger));
    auto e = SystemEvent(actor, existing->id, txn.Now(), kDuplicateTriggerEvent, data.Build());
    auto stored = txn.AppendTimeline(std::move(e));
    if (!stored.ok()) return stored.status();
    for (auto& item : r.related_items) {
      auto added = AddRelatedItem(txn, actor, existing->id, std::move(item));
      if (!added.ok() && added.status().code() != StatusCode::kAlreadyExists &&
          added.status().code() != StatusCode::kFailedPrecondition) {
        return added.status();
      }
    }
    return StartResult{std::move(*existing), true, std::move(*plan)};
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();

  Incident i;
  i.id = NewUuid();
  i.arn = "arn:aws:ssm-incidents::" + account_id_ + ":incident-record/" + plan->name + "/" + i.id;
  i.version = 1;
  i.response_plan_id = plan->meta.id;
  i.response_plan_name = plan->name;
  i.title = r.title.value_or(tmpl.title);
  i.summary = r.summary.value_or(tmpl.summary);
  i.impact = r.impact.value_or(tmpl.impact);
  i.status = IncidentStatus::kOpen;
  i.dedupe_string = dedupe;
  i.created_at = i.updated_at = txn.Now();
  i.created_by = i.updated_by = actor.who.id;
  i.source = r.trigger ? r.trigger->source : kApiSource;
  i.resource_arn = r.trigger ? r.trigger->trigger_arn : "";
  i.tags = tmpl.incident_tags;
  i.chat_channel_ids = plan->chat_channel_ids;
  i.notification_target_ids = tmpl.notification_target_ids;
  i.trigger = r.trigger;
  TOCSIN_RETURN_IF_ERROR(txn.InsertIncident(i));

  JsonObject data;
  data.Add("title", i.title).Add("impact", i.impact).Add("status", "OPEN");
  data.Add("responsePlan", plan->name).Add("dedupeString", dedupe).Add("source", i.source);
  if (r.trigger) data.AddRaw("triggerDetails", TriggerJson(*r.trigger));
  auto created = SystemEvent(actor, i.id, i.created_at, kIncidentCreatedEvent, data.Build());
  created.references.push_back({i.arn, ""});
  auto stored = txn.AppendTimeline(std::move(created));
  if (!stored.ok()) return stored.status();
  for (auto& item : r.related_items) {
    auto added = AddRelatedItem(txn, actor, i.id, std::move(item));
    if (!added.ok() && added.status().code() != StatusCode::kAlreadyExists) return added.status();
  }
  StartResult result{std::move(i), false, std::move(*plan)};
  for (IncidentObserver* observer : observers_) {
    TOCSIN_RETURN_IF_ERROR(observer->OnIncidentStarted(txn, actor, result));
  }
  return result;
}

Result<Incident> IncidentService::Update(store::WriteTxn& txn, const Actor& actor,
                                         std::string_view id, IncidentChanges c,
                                         std::optional<int64_t> expected_version) {
  auto current = txn.GetIncident(id);
  if (!current.ok()) return current.status();
  if (expected_version && *expected_version != current->version) {
    return Aborted("incident is at version " + std::to_string(current->version) + ", not " +
                   std::to_string(*expected_version) + " (If-Match)");
  }
  Incident next = *current;
  std::vector<std::string> changes;  // Event data, one per changed field.
  auto record = [&](const char* field, std::string old_json, std::string new_json) {
    if (old_json == new_json) return;
    JsonObject o;
    o.Add("field", field).AddRaw("old", old_json).AddRaw("new", new_json);
    changes.push_back(o.Build());
  };
  if (c.title) {
    TOCSIN_RETURN_IF_ERROR(CheckTitle(*c.title, "title"));
    record("title", JsonQuote(next.title), JsonQuote(*c.title));
    next.title = *c.title;
  }
  if (c.summary) {
    if (c.summary->size() > 8000)
      return InvalidArgument("summary must be at most 8000 characters", "summary");
    record("summary", JsonQuote(next.summary), JsonQuote(*c.summary));
    next.summary = *c.summary;
  }
  if (c.impact) {
    if (*c.impact < 1 || *c.impact > 5) {
      return InvalidArgument("impact must be between 1 (critical) and 5 (no impact)", "impact");
    }
    record("impact", std::to_string(next.impact), std::to_string(*c.impact));
    next.impact = *c.impact;
  }
  auto list_json = [](const std::vector<std::string>& v) { return JsonStringArray(v); };
  if (c.chat_channels) {
    TOCSIN_RETURN_IF_ERROR(ResolveIds(*c.chat_channels, "chatChannels", "chat channel", 5,
                                      [&](const std::string& ref) -> Result<std::string> {
                                        auto v = txn.ChatChannels().Get(ref);
                                        if (!v.ok()) return v.status();
                                        return v->meta.id;
                                      }));
    record("chatChannels", list_json(next.chat_channel_ids), list_json(*c.chat_channels));
    next.chat_channel_ids = *c.chat_channels;
  }
  if (c.notification_targets) {
    TOCSIN_RETURN_IF_ERROR(ResolveIds(*c.notification_targets, "notificationTargets",
                                      "notification target", 10,
                                      [&](const std::string& ref) -> Result<std::string> {
                                        auto v = txn.NotificationTargets().Get(ref);
                                        if (!v.ok()) return v.status();
                                        return v->meta.id;
                                      }));
    record("notificationTargets", list_json(next.notification_target_ids),
           list_json(*c.notification_targets));
    next.notification_target_ids = *c.notification_targets;
  }
  const char* status_event = nullptr;
  if (c.status && *c.status != next.status) {
    next.status = *c.status;
    if (next.status == IncidentStatus::kResolved) {
      next.resolved_at = txn.Now();
      status_event = kIncidentResolvedEvent;
    } else {
      next.resolved_at.reset();  // Reopening clears the resolution time.
      status_event = kIncidentReopenedEvent;
    }
  }
  if (changes.empty() && status_event == nullptr) return *current;  // Nothing changed.
  next.version = current->version + 1;
  next.updated_at = txn.Now();
  next.updated_by = actor.who.id;
  Status s = txn.UpdateIncident(*current, next);
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("cannot reopen: another OPEN incident has dedupe string \"" +
                             next.dedupe_string + "\"; resolve it first",
                         "status");
  }
  TOCSIN_RETURN_IF_ERROR(s);
  for (auto& data : changes) {
    auto e = txn.AppendTimeline(
        SystemEvent(actor, next.id, next.updated_at, kIncidentUpdatedEvent, std::move(data)));
    if (!e.ok()) return e.status();
  }
  if (status_event != nullptr) {
    JsonObject o;
    o.Add("status", IncidentStatusName(next.status));
    if (next.resolved_at) o.Add("resolvedAt", FormatRfc3339(*next.resolved_at));
    auto e =
        txn.AppendTimeline(SystemEvent(actor, next.id, next.updated_at, status_event, o.Build()));
    if (!e.ok()) return e.status();
    if (next.status == IncidentStatus::kResolved) {
      for (IncidentObserver* observer : observers_) {
        TOCSIN_RETURN_IF_ERROR(observer->OnIncidentResolved(txn, actor, next));
      }
    }
  }
  for (IncidentObserver* observer : observers_) {
    TOCSIN_RETURN_IF_ERROR(observer->OnIncidentChanged(txn, actor, *current, next));
  }
  return next;
}

Result<Incident> IncidentService::Resolve(store::WriteTxn& txn, const Actor& actor,
                                          std::string_view id) {
  auto current = txn.GetIncident(id);
  if (!current.ok()) return current.status();
  if (current->status == IncidentStatus::kResolved) {
    return FailedPrecondition("incident is already resolved");
  }
  IncidentChanges c;
  c.status = IncidentStatus::kResolved;
  return Update(txn, actor, current->id, std::move(c), std::nullopt);
}

Result<RelatedItem> IncidentService::AddRelatedItem(store::WriteTxn& txn, const Actor& actor,
                                                    std::string_view incident_id,
                                                    RelatedItem item) {
  auto incident = txn.GetIncident(incident_id);
  if (!incident.ok()) return incident.status();
  TOCSIN_RETURN_IF_ERROR(ValidateRelatedItem(item, "relatedItem"));
  auto existing = txn.ListRelatedItems(incident->id);
  if (!existing.ok()) return existing.status();
  if (existing->size() >= kMaxRelatedItems) {
    return FailedPrecondition("an incident has at most 50 related items");
  }
  item.id = NewRelatedItemId(item.type);
  item.created_at = txn.Now();
  item.created_by = actor.who.id;
  TOCSIN_RETURN_IF_ERROR(txn.InsertRelatedItem(incident->id, item));
  auto e =
      SystemEvent(actor, incident->id, txn.Now(), kRelatedItemAddedEvent, RelatedItemJson(item));
  e.references.push_back({"", item.id});
  auto stored = txn.AppendTimeline(std::move(e));
  if (!stored.ok()) return stored.status();
  return item;
}

Status IncidentService::RemoveRelatedItem(store::WriteTxn& txn, const Actor& actor,
                                          std::string_view incident_id, std::string_view item_id) {
  auto incident = txn.GetIncident(incident_id);
  if (!incident.ok()) return incident.status();
  auto items = txn.ListRelatedItems(incident->id);
  if (!items.ok()) return items.status();
  auto it = std::find_if(items->begin(), items->end(),
                         [&](const RelatedItem& r) { return r.id == item_id; });
  if (it == items->end())
    return NotFound("related item \"" + std::string(item_id) + "\" not found");
  TOCSIN_RETURN_IF_ERROR(txn.DeleteRelatedItem(incident->id, item_id));
  auto e =
      SystemEvent(actor, incident->id, txn.Now(), kRelatedItemRemovedEvent, RelatedItemJson(*it));
  return txn.AppendTimeline(std::move(e)).status();
}

Status IncidentService::ValidateReferences(store::ReadTxn& txn, const std::string& incident_id,
                                           const std::vector<EventReference>& refs) const {
  if (refs.size() > kMaxEventReferences) {
    return InvalidArgument("eventReferences may list at most 10 references", "eventReferences");
  }
  std::optional<std::vector<RelatedItem>> items;
  for (size_t i = 0; i < refs.size(); ++i) {
    const std::string field = "eventReferences[" + std::to_string(i) + "]";
    const auto& r = refs[i];
    if (!r.resource.empty()) {
      if (!IsArn(r.resource))
        return InvalidArgument("resource must be an ARN", field + ".resource");
      continue;
    }
    if (!items) {
      auto list = txn.ListRelatedItems(incident_id);
      if (!list.ok()) return list.status();
      items = std::move(*list);
    }
    if (std::none_of(items->begin(), items->end(),
                     [&](const RelatedItem& it) { return it.id == r.related_item_id; })) {
      return InvalidArgument("relatedItemId is not a related item of this incident",
                             field + ".relatedItemId");
    }
  }
  return Status::Ok();
}

namespace {

Status CheckCustomType(std::string_view type, const std::string& field) {
  if (type != kNoteEvent && type != kCustomEvent) {
    return InvalidArgument("eventType must be \"Note\" or \"Custom Event\"", field);
  }
  return Status::Ok();
}

Status CheckEventData(std::string_view data) {
  if (data.empty() || data.size() > kMaxEventData) {
    return InvalidArgument("eventData must be 1 to 12000 characters", "eventData");
  }
  return Status::Ok();
}

}  // namespace

Result<TimelineEvent> IncidentService::AddEvent(store::WriteTxn& txn, const Actor& actor,
                                                std::string_view incident_id,
                                                CustomEventSpec spec) {
  auto incident = txn.GetIncident(incident_id);
  if (!incident.ok()) return incident.status();
  TOCSIN_RETURN_IF_ERROR(CheckCustomType(spec.event_type, "eventType"));
  TOCSIN_RETURN_IF_ERROR(CheckEventData(spec.event_data));
  TOCSIN_RETURN_IF_ERROR(ValidateReferences(txn, incident->id, spec.references));
  TimelineEvent e;
  e.incident_id = incident->id;
  e.event_id = NewUuid();
  e.event_time = spec.event_time;
  e.event_type = std::move(spec.event_type);
  e.event_data = std::move(spec.event_data);
  e.references = std::move(spec.references);
  e.actor = actor.who.id;
  e.request_id = actor.request_id;
  e.system = false;
  auto stored = txn.AppendTimeline(std::move(e));
  if (!stored.ok() || stored->event_type != kNoteEvent) return stored;
  for (IncidentObserver* observer : observers_) {
    TOCSIN_RETURN_IF_ERROR(observer->OnNoteAdded(txn, actor, *incident, *stored));
  }
  return stored;
}

Result<TimelineEvent> IncidentService::EditEvent(store::WriteTxn& txn, const Actor& actor,
                                                 std::string_view incident_id,
                                                 std::string_view event_id, CustomEventChanges c) {
  auto incident = txn.GetIncident(incident_id);
  if (!incident.ok()) return incident.status();
  auto current = txn.GetTimelineEvent(incident->id, event_id);
  if (!current.ok()) return current.status();
  if (current->system) {
    return FailedPrecondition("\"" + current->event_type +
                              "\" is a system event; only notes and custom events can be edited");
  }
  TimelineEvent next = *current;
  if (c.event_type) {
    TOCSIN_RETURN_IF_ERROR(CheckCustomType(*c.event_type, "eventType"));
    next.event_type = *c.event_type;
  }
  if (c.event_time) next.event_time = *c.event_time;
  if (c.event_data) {
    TOCSIN_RETURN_IF_ERROR(CheckEventData(*c.event_data));
    next.event_data = *c.event_data;
  }
  if (c.references) {
    TOCSIN_RETURN_IF_ERROR(ValidateReferences(txn, incident->id, *c.references));
    next.references = *c.references;
  }
  next.supersedes = current->seq;
  next.actor = actor.who.id;
  next.request_id = actor.request_id;
  return txn.AppendTimeline(std::move(next));
}

Status IncidentService::DeleteEvent(store::WriteTxn& txn, const Actor& actor,
                                    std::string_view incident_id, std::string_view event_id) {
  auto incident = txn.GetIncident(incident_id);
  if (!incident.ok()) return incident.status();
  auto current = txn.GetTimelineEvent(incident->id, event_id);
  if (!current.ok()) return current.status();
  if (current->system) {
    return FailedPrecondition("\"" + current->event_type +
                              "\" is a system event; only notes and custom events can be deleted");
  }
  TimelineEvent redaction = *current;
  redaction.event_data.clear();
  redaction.references.clear();
  redaction.redacted = true;
  redaction.supersedes = current->seq;
  redaction.actor = actor.who.id;
  redaction.request_id = actor.request_id;
  return txn.AppendTimeline(std::move(redaction)).status();
}

Result<TimelineEvent> IncidentService::AppendSystemEvent(store::WriteTxn& txn, const Actor& actor,
                                                         const std::string& incident_id,
                                                         std::string event_type,
                                                         std::string event_data,
                                                         std::vector<EventReference> references) {
  auto e = SystemEvent(actor, incident_id, txn.Now(), std::move(event_type), std::move(event_data));
  e.references = std::move(references);
  return txn.AppendTimeline(std::move(e));
}

}  // namespace tocsin::domain
