#include "tocsin/codec/ledger.h"

namespace tocsin::codec {
namespace {

// Canonical bytes need sorted keys: plain nlohmann::json keeps objects in a
// std::map, so dump() emits keys in byte order.
using Sorted = nlohmann::json;

Sorted ReferencesJson(const std::vector<domain::EventReference>& refs) {
  Sorted out = Sorted::array();
  for (const auto& r : refs) {
    if (!r.resource.empty()) {
      out.push_back({{"resource", r.resource}});
    } else {
      out.push_back({{"relatedItemId", r.related_item_id}});
    }
  }
  return out;
}

}  // namespace

std::string LedgerBody(const domain::TimelineEvent& e) {
  Sorted body = {{"actor", e.actor},
                 {"data", e.event_data},
                 {"eventId", e.event_id},
                 {"eventTime", ToUnixMillis(e.event_time)},
                 {"eventType", e.event_type},
                 {"incidentId", e.incident_id},
                 {"recordedAt", ToUnixMillis(e.recorded_at)},
                 {"redacted", e.redacted},
                 {"references", ReferencesJson(e.references)},
                 {"requestId", e.request_id},
                 {"seq", e.seq},
                 {"supersedes", e.supersedes},
                 {"system", e.system},
                 {"v", 1}};
  // Invalid UTF-8 cannot reach here through the API; "replace" keeps the
  // encoding total (and deterministic) rather than throwing on the writer.
  return body.dump(-1, ' ', false, Sorted::error_handler_t::replace);
}

Status ParseLedgerBody(std::string_view bytes, domain::TimelineEvent& e) {
  Sorted j = Sorted::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return InvalidArgument("ledger body is not a JSON object");
  try {
    if (j.at("v").get<int>() != 1) return InvalidArgument("unknown ledger body version");
    e.actor = j.at("actor").get<std::string>();
    e.event_data = j.at("data").get<std::string>();
    e.event_id = j.at("eventId").get<std::string>();
    e.event_time = FromUnixMillis(j.at("eventTime").get<int64_t>());
    e.event_type = j.at("eventType").get<std::string>();
    e.incident_id = j.at("incidentId").get<std::string>();
    e.recorded_at = FromUnixMillis(j.at("recordedAt").get<int64_t>());
    e.redacted = j.at("redacted").get<bool>();
    e.references.clear();
    for (const auto& r : j.at("references")) {
      domain::EventReference ref;
      if (r.contains("resource")) {
        ref.resource = r.at("resource").get<std::string>();
      } else {
        ref.related_item_id = r.at("relatedItemId").get<std::string>();
      }
      e.references.push_back(std::move(ref));
    }
    e.request_id = j.at("requestId").get<std::string>();
    e.seq = j.at("seq").get<int64_t>();
    e.supersedes = j.at("supersedes").get<int64_t>();
    e.system = j.at("system").get<bool>();
  } catch (const Sorted::exception& ex) {
    return InvalidArgument(std::string("ledger body is malformed: ") + ex.what());
  }
  return Status::Ok();
}

Json TriggerToJson(const domain::TriggerDetails& t) {
  Json j = {{"source", t.source}, {"timestamp", FormatRfc3339(t.timestamp)}};
  if (!t.trigger_arn.empty()) j["triggerArn"] = t.trigger_arn;
  if (!t.raw_data.empty()) j["rawData"] = t.raw_data;
  return j;
}

std::string IncidentStoredBody(const domain::Incident& i) {
  Json j = {{"arn", i.arn},
            {"summary", i.summary},
            {"updatedBy", i.updated_by},
            {"source", i.source},
            {"resourceArn", i.resource_arn},
            {"tags", i.tags},
            {"chatChannels", i.chat_channel_ids},
            {"notificationTargets", i.notification_target_ids}};
  if (i.trigger) {
    j["trigger"] = {{"source", i.trigger->source},
                    {"timestamp", ToUnixMillis(i.trigger->timestamp)},
                    {"triggerArn", i.trigger->trigger_arn},
                    {"rawData", i.trigger->raw_data}};
  }
  return Dump(j);
}

Status ParseIncidentStoredBody(std::string_view text, domain::Incident& i) {
  auto j = ParseJson(text);
  if (!j.ok()) return j.status();
  try {
    i.arn = j->at("arn").get<std::string>();
    i.summary = j->at("summary").get<std::string>();
    i.updated_by = j->at("updatedBy").get<std::string>();
    i.source = j->at("source").get<std::string>();
    i.resource_arn = j->at("resourceArn").get<std::string>();
    i.tags = j->at("tags").get<std::map<std::string, std::string>>();
    i.chat_channel_ids = j->at("chatChannels").get<std::vector<std::string>>();
    i.notification_target_ids = j->at("notificationTargets").get<std::vector<std::string>>();
    if (j->contains("trigger")) {
      const auto& t = j->at("trigger");
      i.trigger = domain::TriggerDetails{
          t.at("source").get<std::string>(), FromUnixMillis(t.at("timestamp").get<int64_t>()),
          t.at("triggerArn").get<std::string>(), t.at("rawData").get<std::string>()};
    }
  } catch (const Json::exception& ex) {
    return InvalidArgument(std::string("stored incident is malformed: ") + ex.what());
  }
  return Status::Ok();
}

Json IncidentToJson(const domain::Incident& i) {
  Json j = {{"id", i.id},
            {"arn", i.arn},
            {"title", i.title},
            {"summary", i.summary},
            {"status", domain::IncidentStatusName(i.status)},
            {"impact", i.impact},
            {"responsePlan", i.response_plan_name},
            {"responsePlanId", i.response_plan_id},
            {"dedupeString", i.dedupe_string},
            {"createdAt", FormatRfc3339(i.created_at)},
            {"resolvedAt", i.resolved_at ? Json(FormatRfc3339(*i.resolved_at)) : Json()},
            {"lastModifiedAt", FormatRfc3339(i.updated_at)},
            {"lastModifiedBy", i.updated_by},
            {"createdBy", i.created_by},
            {"source", i.source},
            {"tags", i.tags},
            {"chatChannels", i.chat_channel_ids},
            {"notificationTargets", i.notification_target_ids},
            {"version", i.version}};
  if (!i.resource_arn.empty()) j["resourceArn"] = i.resource_arn;
  if (i.trigger) j["triggerDetails"] = TriggerToJson(*i.trigger);
  return j;
}

Json RelatedItemToJson(const domain::RelatedItem& item) {
  Json j = {{"id", item.id}, {"type", item.type}, {item.value_kind, item.value}};
  if (!item.title.empty()) j["title"] = item.title;
  j["createdAt"] = FormatRfc3339(item.created_at);
  j["createdBy"] = item.created_by;
  return j;
}

Json TimelineEventToJson(const domain::TimelineEvent& e) {
  Json refs = Json::array();
  for (const auto& r : e.references) {
    if (!r.resource.empty()) {
      refs.push_back({{"resource", r.resource}});
    } else {
      refs.push_back({{"relatedItemId", r.related_item_id}});
    }
  }
  Json j = {{"eventId", e.event_id},
            {"incidentId", e.incident_id},
            {"eventType", e.event_type},
            {"eventTime", FormatRfc3339(e.event_time)},
            {"eventUpdatedTime", FormatRfc3339(e.recorded_at)},
            {"eventData", e.event_data},
            {"eventReferences", std::move(refs)},
            {"actor", e.actor},
            {"system", e.system},
            {"sequence", e.seq}};
  if (e.supersedes != 0) j["supersedes"] = e.supersedes;
  if (e.redacted) j["redacted"] = true;
  if (!e.request_id.empty()) j["requestId"] = e.request_id;
  return j;
}

}  // namespace tocsin::codec
