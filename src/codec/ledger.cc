#include "tocsin/codec/ledger.h"

#include "tocsin/core/json_text.h"

namespace tocsin::codec {
namespace {

// Parsing does not care about key order; a std::map-backed json is fine.
using Sorted = nlohmann::json;

}  // namespace

std::string LedgerBody(const domain::TimelineEvent& e) {
  // Written directly (keys in byte order, fixed) rather than through a JSON
  // tree: this runs for every ledger entry on the writer thread. Strings are
  // escaped by JsonQuote (only what JSON requires; invalid UTF-8 → U+FFFD).
  std::string refs = "[";
  for (size_t i = 0; i < e.references.size(); ++i) {
    if (i > 0) refs += ',';
    const auto& r = e.references[i];
    refs += r.resource.empty() ? "{\"relatedItemId\":" + JsonQuote(r.related_item_id) + "}"
                               : "{\"resource\":" + JsonQuote(r.resource) + "}";
  }
  refs += ']';
  std::string out;
  out.reserve(256 + e.event_data.size());
  out += "{\"actor\":" + JsonQuote(e.actor);
  out += ",\"data\":" + JsonQuote(e.event_data);
  out += ",\"eventId\":" + JsonQuote(e.event_id);
  out += ",\"eventTime\":" + std::to_string(ToUnixMillis(e.event_time));
  out += ",\"eventType\":" + JsonQuote(e.event_type);
  out += ",\"incidentId\":" + JsonQuote(e.incident_id);
  out += ",\"recordedAt\":" + std::to_string(ToUnixMillis(e.recorded_at));
  out += std::string(",\"redacted\":") + (e.redacted ? "true" : "false");
  out += ",\"references\":" + refs;
  out += ",\"requestId\":" + JsonQuote(e.request_id);
  out += ",\"seq\":" + std::to_string(e.seq);
  out += ",\"supersedes\":" + std::to_string(e.supersedes);
  out += std::string(",\"system\":") + (e.system ? "true" : "false");
  out += ",\"v\":1}";
  return out;
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

std::string IncidentJsonText(const domain::Incident& i) {
  // Keys in the order clients have always seen them.
  JsonObject tags;
  for (const auto& [key, value] : i.tags) tags.Add(key, value);
  JsonObject j;
  j.Add("id", i.id).Add("arn", i.arn).Add("title", i.title).Add("summary", i.summary);
  j.Add("status", domain::IncidentStatusName(i.status)).Add("impact", i.impact);
  j.Add("responsePlan", i.response_plan_name).Add("responsePlanId", i.response_plan_id);
  j.Add("dedupeString", i.dedupe_string).Add("createdAt", FormatRfc3339(i.created_at));
  if (i.resolved_at) {
    j.Add("resolvedAt", FormatRfc3339(*i.resolved_at));
  } else {
    j.AddRaw("resolvedAt", "null");
  }
  j.Add("lastModifiedAt", FormatRfc3339(i.updated_at)).Add("lastModifiedBy", i.updated_by);
  j.Add("createdBy", i.created_by).Add("source", i.source).AddRaw("tags", tags.Build());
  j.Add("chatChannels", i.chat_channel_ids).Add("notificationTargets", i.notification_target_ids);
  j.Add("version", i.version);
  if (!i.resource_arn.empty()) j.Add("resourceArn", i.resource_arn);
  if (i.trigger) {
    JsonObject t;
    t.Add("source", i.trigger->source).Add("timestamp", FormatRfc3339(i.trigger->timestamp));
    if (!i.trigger->trigger_arn.empty()) t.Add("triggerArn", i.trigger->trigger_arn);
    if (!i.trigger->raw_data.empty()) t.Add("rawData", i.trigger->raw_data);
    j.AddRaw("triggerDetails", t.Build());
  }
  return j.Build();
}

Json IncidentToJson(const domain::Incident& i) {
  // The text is always one valid JSON object.
  return ParseJson(IncidentJsonText(i)).value();
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
