#include "tocsin/codec/resources.h"

#include <climits>

namespace tocsin::codec {
namespace {

using domain::Weekday;

// Numbers whose range the domain checks are read with these bounds, so that
// the JSON type is enforced here and the range message comes from the domain.
constexpr int64_t kIntMin = INT32_MIN;
constexpr int64_t kIntMax = INT32_MAX;

constexpr size_t kMaxTags = 50;

int ToInt(std::optional<int64_t> v, int fallback) { return v ? static_cast<int>(*v) : fallback; }

Json StringsToJson(const std::vector<std::string>& items) {
  Json out = Json::array();
  for (const auto& s : items) out.push_back(s);
  return out;
}

Json MapToJson(const std::map<std::string, std::string>& m) {
  Json out = Json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

// --- Contacts --------------------------------------------------------------

Json StagesToJson(const std::vector<domain::Stage>& stages, domain::ContactType type) {
  Json out = Json::array();
  for (const auto& stage : stages) {
    Json targets = Json::array();
    for (const auto& t : stage.targets) {
      if (type == domain::ContactType::kPersonal) {
        targets.push_back(
            {{"channel", t.channel_id}, {"retryIntervalInMinutes", t.retry_interval_minutes}});
      } else {
        targets.push_back({{"contact", t.contact_id}, {"isEssential", t.is_essential}});
      }
    }
    out.push_back({{"durationInMinutes", stage.duration_minutes}, {"targets", std::move(targets)}});
  }
  return out;
}

std::vector<domain::Stage> StagesFromJson(const Json& array, const std::string& path,
                                          domain::ContactType type, DecodeErrors& errors) {
  std::vector<domain::Stage> stages;
  for (size_t i = 0; i < array.size() && errors.ok(); ++i) {
    ObjectReader r(array[i], IndexPath(path, i), errors);
    domain::Stage stage;
    stage.duration_minutes = ToInt(r.Int("durationInMinutes", kIntMin, kIntMax, true), 0);
    if (const Json* targets = r.Array("targets", 100)) {
      const std::string tpath = JoinPath(r.path(), "targets");
      for (size_t j = 0; j < targets->size() && errors.ok(); ++j) {
        ObjectReader t(targets->at(j), IndexPath(tpath, j), errors);
        domain::StageTarget target;
        if (type == domain::ContactType::kPersonal) {
          target.channel_id = t.String("channel", 1, 255, true).value_or("");
          target.retry_interval_minutes =
              ToInt(t.Int("retryIntervalInMinutes", kIntMin, kIntMax), 0);
        } else {
          target.contact_id = t.String("contact", 1, 255, true).value_or("");
          target.is_essential = t.Bool("isEssential").value_or(false);
        }
        (void)t.Finish();
        stage.targets.push_back(std::move(target));
      }
    }
    (void)r.Finish();
    stages.push_back(std::move(stage));
  }
  return stages;
}

std::optional<domain::ContactType> ParseContactType(std::string_view s) {
  if (s == "PERSONAL") return domain::ContactType::kPersonal;
  if (s == "ESCALATION") return domain::ContactType::kEscalation;
  if (s == "ONCALL_SCHEDULE") return domain::ContactType::kOncallSchedule;
  return std::nullopt;
}

// --- Rotations -------------------------------------------------------------

Json HandOffToJson(const domain::HandOffTime& t) {
  return {{"hourOfDay", t.hour_of_day}, {"minuteOfHour", t.minute_of_hour}};
}

domain::HandOffTime HandOffFromReader(ObjectReader& r) {
  domain::HandOffTime t;
  t.hour_of_day = ToInt(r.Int("hourOfDay", kIntMin, kIntMax), 0);
  t.minute_of_hour = ToInt(r.Int("minuteOfHour", kIntMin, kIntMax), 0);
  return t;
}

domain::HandOffTime HandOffFromJson(const Json& v, const std::string& path, DecodeErrors& errors) {
  ObjectReader r(v, path, errors);
  auto t = HandOffFromReader(r);
  (void)r.Finish();
  return t;
}

domain::Recurrence RecurrenceFromJson(const Json& v, const std::string& path,
                                      DecodeErrors& errors) {
  ObjectReader r(v, path, errors);
  domain::Recurrence rec;
  if (const Json* daily = r.Array("dailySettings", 100)) {
    for (size_t i = 0; i < daily->size(); ++i) {
      rec.daily_settings.push_back(
          HandOffFromJson(daily->at(i), IndexPath(JoinPath(path, "dailySettings"), i), errors));
    }
  }
  if (const Json* weekly = r.Array("weeklySettings", 100)) {
    for (size_t i = 0; i < weekly->size() && errors.ok(); ++i) {
      const std::string p = IndexPath(JoinPath(path, "weeklySettings"), i);
      ObjectReader w(weekly->at(i), p, errors);
      domain::WeeklySetting setting;
      if (auto day = w.String("dayOfWeek", 1, 3, true)) {
        if (auto parsed = domain::ParseWeekday(*day)) {
          setting.day_of_week = *parsed;
        } else {
          w.Fail("dayOfWeek", "must be one of MON, TUE, WED, THU, FRI, SAT, SUN");
        }
      }
      if (const Json* h = w.Object("handOffTime", true)) {
        setting.hand_off_time = HandOffFromJson(*h, JoinPath(p, "handOffTime"), errors);
      }
      (void)w.Finish();
      rec.weekly_settings.push_back(setting);
    }
  }
  if (const Json* monthly = r.Array("monthlySettings", 100)) {
    for (size_t i = 0; i < monthly->size() && errors.ok(); ++i) {
      const std::string p = IndexPath(JoinPath(path, "monthlySettings"), i);
      ObjectReader m(monthly->at(i), p, errors);
      domain::MonthlySetting setting;
      setting.day_of_month = ToInt(m.Int("dayOfMonth", kIntMin, kIntMax, true), 1);
      if (const Json* h = m.Object("handOffTime", true)) {
        setting.hand_off_time = HandOffFromJson(*h, JoinPath(p, "handOffTime"), errors);
      }
      (void)m.Finish();
      rec.monthly_settings.push_back(setting);
    }
  }
  rec.number_of_on_calls = ToInt(r.Int("numberOfOnCalls", kIntMin, kIntMax, true), 1);
  rec.recurrence_multiplier = ToInt(r.Int("recurrenceMultiplier", kIntMin, kIntMax, true), 1);
  if (const Json* cov = r.Object("shiftCoverages")) {
    const std::string cpath = JoinPath(path, "shiftCoverages");
    for (const auto& [day_name, windows] : cov->items()) {
      if (!errors.ok()) break;
      auto day = domain::ParseWeekday(day_name);
      if (!day) {
        errors.Fail(JoinPath(cpath, day_name), "is not a day of the week (MON..SUN)");
        break;
      }
      const std::string dpath = JoinPath(cpath, day_name);
      if (!windows.is_array() || windows.size() > 100) {
        errors.Fail(dpath, "must be an array of at most 100 coverage windows");
        break;
      }
      auto& list = rec.shift_coverages[*day];
      for (size_t i = 0; i < windows.size() && errors.ok(); ++i) {
        const std::string wpath = IndexPath(dpath, i);
        ObjectReader w(windows[i], wpath, errors);
        domain::CoverageWindow window;
        if (const Json* s = w.Object("start", true))
          window.start = HandOffFromJson(*s, JoinPath(wpath, "start"), errors);
        if (const Json* e = w.Object("end", true))
          window.end = HandOffFromJson(*e, JoinPath(wpath, "end"), errors);
        (void)w.Finish();
        list.push_back(window);
      }
    }
  }
  (void)r.Finish();
  return rec;
}

}  // namespace

// --- Contacts --------------------------------------------------------------

Json ContactSpecToJson(const domain::Contact& c) {
  Json out = {{"alias", c.alias}, {"displayName", c.display_name}, {"tags", MapToJson(c.tags)}};
  switch (c.type) {
    case domain::ContactType::kPersonal:
      out["plan"] = {{"stages", StagesToJson(c.stages, c.type)}};
      break;
    case domain::ContactType::kEscalation:
      out["stages"] = StagesToJson(c.stages, c.type);
      out["repeatCount"] = c.repeat_count;
      break;
    case domain::ContactType::kOncallSchedule:
      out["rotations"] = StringsToJson(c.rotation_ids);
      break;
  }
  return out;
}

void ContactSpecFromReader(ObjectReader& r, domain::Contact& c) {
  c.alias = r.String("alias", 1, 255, true).value_or("");
  c.display_name = r.String("displayName", 0, 255).value_or("");
  c.tags = r.StringMap("tags", kMaxTags, 128, 256).value_or(std::map<std::string, std::string>{});
  switch (c.type) {
    case domain::ContactType::kPersonal:
      if (const Json* plan = r.Object("plan")) {
        ObjectReader p(*plan, JoinPath(r.path(), "plan"), r.errors());
        if (const Json* stages = p.Array("stages", 100)) {
          c.stages = StagesFromJson(*stages, JoinPath(p.path(), "stages"), c.type, r.errors());
        }
        (void)p.Finish();
      }
      break;
    case domain::ContactType::kEscalation:
      if (const Json* stages = r.Array("stages", 100, true)) {
        c.stages = StagesFromJson(*stages, JoinPath(r.path(), "stages"), c.type, r.errors());
      }
      c.repeat_count = ToInt(r.Int("repeatCount", kIntMin, kIntMax), 0);
      break;
    case domain::ContactType::kOncallSchedule:
      c.rotation_ids =
          r.StringList("rotations", 100, 1, 255, false, true).value_or(std::vector<std::string>{});
      break;
  }
}

Json ContactToStored(const domain::Contact& c) {
  Json out = ContactSpecToJson(c);
  out["type"] = domain::ContactTypeName(c.type);
  return out;
}

Status ContactFromStored(const Json& json, domain::Contact& c) {
  DecodeErrors errors;
  ObjectReader r(json, "", errors);
  if (auto type = r.String("type", 1, 32, true)) {
    if (auto parsed = ParseContactType(*type)) {
      c.type = *parsed;
    } else {
      r.Fail("type", "is not a contact type");
    }
  }
  ContactSpecFromReader(r, c);
  return r.Finish();
}

Json ContactToPublic(const domain::Contact& c) { return ContactToStored(c); }

// --- Channels --------------------------------------------------------------

Json ChannelSpecToJson(const domain::Channel& ch) {
  return {{"name", ch.name},
          {"type", domain::ChannelTypeName(ch.type)},
          {"deliveryAddress", ch.delivery_address}};
}

void ChannelSpecFromReader(ObjectReader& r, domain::Channel& ch) {
  ch.name = r.String("name", 1, 255, true).value_or("");
  if (auto type = r.String("type", 1, 16, true)) {
    if (auto parsed = domain::ParseChannelType(*type)) {
      ch.type = *parsed;
    } else {
      r.Fail("type", "must be one of EMAIL, SMS, VOICE");
    }
  }
  ch.delivery_address = r.String("deliveryAddress", 1, 320, true).value_or("");
}

Json ChannelToStored(const domain::Channel& ch) {
  Json out = ChannelSpecToJson(ch);
  out["contactId"] = ch.contact_id;
  out["activationStatus"] = domain::ActivationStatusName(ch.activation_status);
  return out;
}

Status ChannelFromStored(const Json& json, domain::Channel& ch) {
  DecodeErrors errors;
  ObjectReader r(json, "", errors);
  ch.contact_id = r.String("contactId", 1, 255, true).value_or("");
  const auto status = r.String("activationStatus", 1, 32, true).value_or("");
  ch.activation_status = status == "ACTIVATED" ? domain::ActivationStatus::kActivated
                                               : domain::ActivationStatus::kNotActivated;
  ChannelSpecFromReader(r, ch);
  return r.Finish();
}

Json ChannelToPublic(const domain::Channel& ch) { return ChannelToStored(ch); }

// --- Rotations -------------------------------------------------------------

Json RecurrenceToJson(const domain::Recurrence& rec) {
  Json out = {{"numberOfOnCalls", rec.number_of_on_calls},
              {"recurrenceMultiplier", rec.recurrence_multiplier}};
  if (!rec.daily_settings.empty()) {
    Json daily = Json::array();
    for (const auto& t : rec.daily_settings) daily.push_back(HandOffToJson(t));
    out["dailySettings"] = std::move(daily);
  }
  if (!rec.weekly_settings.empty()) {
    Json weekly = Json::array();
    for (const auto& w : rec.weekly_settings) {
      weekly.push_back({{"dayOfWeek", domain::WeekdayName(w.day_of_week)},
                        {"handOffTime", HandOffToJson(w.hand_off_time)}});
    }
    out["weeklySettings"] = std::move(weekly);
  }
  if (!rec.monthly_settings.empty()) {
    Json monthly = Json::array();
    for (const auto& m : rec.monthly_settings) {
      monthly.push_back(
          {{"dayOfMonth", m.day_of_month}, {"handOffTime", HandOffToJson(m.hand_off_time)}});
    }
    out["monthlySettings"] = std::move(monthly);
  }
  if (!rec.shift_coverages.empty()) {
    Json cov = Json::object();
    for (const auto& [day, windows] : rec.shift_coverages) {
      Json list = Json::array();
      for (const auto& w : windows) {
        list.push_back({{"start", HandOffToJson(w.start)}, {"end", HandOffToJson(w.end)}});
      }
      cov[domain::WeekdayName(day)] = std::move(list);
    }
    out["shiftCoverages"] = std::move(cov);
  }
  return out;
}

Json RotationSpecToJson(const domain::Rotation& rot) {
  return {{"name", rot.name},
          {"members", StringsToJson(rot.spec.members)},
          {"startTime", FormatRfc3339(rot.spec.start_time)},
          {"timeZoneId", rot.spec.time_zone_id},
          {"recurrence", RecurrenceToJson(rot.spec.recurrence)}};
}

void RotationFieldsFromReader(ObjectReader& r, domain::RotationSpec& spec) {
  spec.members =
      r.StringList("members", 100, 1, 255, false, true).value_or(std::vector<std::string>{});
  spec.start_time = r.Time("startTime", true).value_or(TimePoint{});
  spec.time_zone_id = r.String("timeZoneId", 1, 255, true).value_or("");
  if (const Json* rec = r.Object("recurrence", true)) {
    spec.recurrence = RecurrenceFromJson(*rec, JoinPath(r.path(), "recurrence"), r.errors());
  }
}

void RotationSpecFromReader(ObjectReader& r, domain::Rotation& rot) {
  rot.name = r.String("name", 1, 255, true).value_or("");
  RotationFieldsFromReader(r, rot.spec);
}

Json RotationToStored(const domain::Rotation& rot) { return RotationSpecToJson(rot); }

Status RotationFromStored(const Json& json, domain::Rotation& rot) {
  DecodeErrors errors;
  ObjectReader r(json, "", errors);
  RotationSpecFromReader(r, rot);
  return r.Finish();
}

Json RotationToPublic(const domain::Rotation& rot) { return RotationSpecToJson(rot); }

void OverrideSpecFromReader(ObjectReader& r, domain::OverrideSpec& spec) {
  spec.members =
      r.StringList("members", 100, 1, 255, false, true).value_or(std::vector<std::string>{});
  spec.start_time = r.Time("startTime", true).value_or(TimePoint{});
  spec.end_time = r.Time("endTime", true).value_or(TimePoint{});
}

Json OverrideToStored(const domain::RotationOverride& o) {
  return {{"rotationId", o.rotation_id},
          {"members", StringsToJson(o.spec.members)},
          {"startTime", FormatRfc3339(o.spec.start_time)},
          {"endTime", FormatRfc3339(o.spec.end_time)}};
}

Status OverrideFromStored(const Json& json, domain::RotationOverride& o) {
  DecodeErrors errors;
  ObjectReader r(json, "", errors);
  o.rotation_id = r.String("rotationId", 1, 255, true).value_or("");
  OverrideSpecFromReader(r, o.spec);
  return r.Finish();
}

Json OverrideToPublic(const domain::RotationOverride& o) { return OverrideToStored(o); }

Json ShiftToJson(const domain::Shift& shift) {
  Json out = {{"members", StringsToJson(shift.members)},
              {"startTime", FormatRfc3339(shift.start_time)},
              {"endTime", FormatRfc3339(shift.end_time)},
              {"type", shift.type == domain::ShiftType::kRegular ? "REGULAR" : "OVERRIDDEN"}};
  if (shift.type == domain::ShiftType::kOverridden) {
    out["overriddenMembers"] = StringsToJson(shift.overridden_members);
  }
  return out;
}

// --- Response plans --------------------------------------------------------

Json ResponsePlanSpecToJson(const domain::ResponsePlan& plan) {
  const auto& t = plan.incident_template;
  Json tmpl = {{"title", t.title},
               {"impact", t.impact},
               {"summary", t.summary},
               {"dedupeString", t.dedupe_string},
               {"incidentTags", MapToJson(t.incident_tags)},
               {"notificationTargets", StringsToJson(t.notification_target_ids)}};
  Json actions = Json::array();
  for (const auto& a : plan.actions) {
    Json params = Json::object();
    for (const auto& [k, values] : a.parameters) params[k] = StringsToJson(values);
    Json dynamic = Json::object();
    for (const auto& [k, v] : a.dynamic_parameters) dynamic[k] = domain::DynamicValueName(v);
    actions.push_back({{"runbook", a.document_name},
                       {"runbookVersion", a.document_version},
                       {"parameters", std::move(params)},
                       {"dynamicParameters", std::move(dynamic)}});
  }
  return {{"name", plan.name},
          {"displayName", plan.display_name},
          {"incidentTemplate", std::move(tmpl)},
          {"chatChannels", StringsToJson(plan.chat_channel_ids)},
          {"engagements", StringsToJson(plan.engagement_ids)},
          {"actions", std::move(actions)},
          {"tags", MapToJson(plan.tags)}};
}

void ResponsePlanSpecFromReader(ObjectReader& r, domain::ResponsePlan& plan) {
  plan.name = r.String("name", 1, 200, true).value_or("");
  plan.display_name = r.String("displayName", 0, 200).value_or("");
  if (const Json* tmpl = r.Object("incidentTemplate", true)) {
    ObjectReader t(*tmpl, JoinPath(r.path(), "incidentTemplate"), r.errors());
    auto& it = plan.incident_template;
    it.title = t.String("title", 1, 200, true).value_or("");
    it.impact = ToInt(t.Int("impact", kIntMin, kIntMax, true), 0);
    it.summary = t.String("summary", 0, 8000).value_or("");
    it.dedupe_string = t.String("dedupeString", 0, 1000).value_or("");
    it.incident_tags = t.StringMap("incidentTags", kMaxTags, 128, 256)
                           .value_or(std::map<std::string, std::string>{});
    it.notification_target_ids =
        t.StringList("notificationTargets", 10, 1, 255, true).value_or(std::vector<std::string>{});
    (void)t.Finish();
  }
  plan.chat_channel_ids =
      r.StringList("chatChannels", 5, 1, 255, true).value_or(std::vector<std::string>{});
  plan.engagement_ids =
      r.StringList("engagements", 5, 1, 255, true).value_or(std::vector<std::string>{});
  if (const Json* actions = r.Array("actions", 1)) {
    const std::string apath = JoinPath(r.path(), "actions");
    for (size_t i = 0; i < actions->size() && r.ok(); ++i) {
      const std::string p = IndexPath(apath, i);
      ObjectReader a(actions->at(i), p, r.errors());
      domain::RunbookAction action;
      action.document_name = a.String("runbook", 1, 128, true).value_or("");
      action.document_version = a.String("runbookVersion", 0, 128).value_or("");
      if (const Json* params = a.Object("parameters")) {
        if (params->size() > 200) a.Fail("parameters", "must have at most 200 entries");
        for (const auto& [k, v] : params->items()) {
          if (!a.ok()) break;
          const std::string kp = JoinPath(JoinPath(p, "parameters"), k);
          if (k.empty() || k.size() > 50) {
            r.errors().Fail(kp, "parameter names must be 1 to 50 characters");
            break;
          }
          if (!v.is_array() || v.size() > 100) {
            r.errors().Fail(kp, "must be an array of at most 100 strings");
            break;
          }
          std::vector<std::string> values;
          for (const auto& item : v) {
            if (!item.is_string() || item.get_ref<const std::string&>().size() > 512) {
              r.errors().Fail(kp, "values must be strings of at most 512 characters");
              break;
            }
            values.push_back(item.get<std::string>());
          }
          action.parameters.emplace(k, std::move(values));
        }
      }
      if (const Json* dynamic = a.Object("dynamicParameters")) {
        if (dynamic->size() > 200) a.Fail("dynamicParameters", "must have at most 200 entries");
        for (const auto& [k, v] : dynamic->items()) {
          if (!a.ok()) break;
          const std::string kp = JoinPath(JoinPath(p, "dynamicParameters"), k);
          auto parsed = v.is_string() ? domain::ParseDynamicValue(v.get_ref<const std::string&>())
                                      : std::nullopt;
          if (k.empty() || k.size() > 50 || !parsed) {
            r.errors().Fail(kp, "must be INCIDENT_ID or INVOLVED_RESOURCES");
            break;
          }
          action.dynamic_parameters.emplace(k, *parsed);
        }
      }
      (void)a.Finish();
      plan.actions.push_back(std::move(action));
    }
  }
  plan.tags =
      r.StringMap("tags", kMaxTags, 128, 256).value_or(std::map<std::string, std::string>{});
}

Json ResponsePlanToStored(const domain::ResponsePlan& plan) { return ResponsePlanSpecToJson(plan); }

Status ResponsePlanFromStored(const Json& json, domain::ResponsePlan& plan) {
  DecodeErrors errors;
  ObjectReader r(json, "", errors);
  ResponsePlanSpecFromReader(r, plan);
  return r.Finish();
}

Json ResponsePlanToPublic(const domain::ResponsePlan& plan) { return ResponsePlanSpecToJson(plan); }

// --- Notification targets and chat channels --------------------------------

Json NotificationTargetSpecToJson(const domain::NotificationTarget& t) {
  Json out = {{"name", t.name}, {"url", t.url}};
  if (!t.secret.empty()) out["secret"] = t.secret;
  return out;
}

void NotificationTargetSpecFromReader(ObjectReader& r, domain::NotificationTarget& t) {
  t.name = r.String("name", 1, 200, true).value_or("");
  t.url = r.String("url", 1, 2048, true).value_or("");
  t.secret = r.String("secret", 0, 256).value_or("");
}

Json NotificationTargetToStored(const domain::NotificationTarget& t) {
  return NotificationTargetSpecToJson(t);
}

Status NotificationTargetFromStored(const Json& json, domain::NotificationTarget& t) {
  DecodeErrors errors;
  ObjectReader r(json, "", errors);
  NotificationTargetSpecFromReader(r, t);
  return r.Finish();
}

Json NotificationTargetToPublic(const domain::NotificationTarget& t) {
  return {{"name", t.name}, {"url", t.url}, {"hasSecret", !t.secret.empty()}};
}

Json ChatChannelSpecToJson(const domain::ChatChannel& c) {
  return {{"name", c.name}, {"type", domain::ChatChannelTypeName(c.type)}, {"url", c.url}};
}

void ChatChannelSpecFromReader(ObjectReader& r, domain::ChatChannel& c) {
  c.name = r.String("name", 1, 200, true).value_or("");
  if (auto type = r.String("type", 1, 32, true)) {
    if (auto parsed = domain::ParseChatChannelType(*type)) {
      c.type = *parsed;
    } else {
      r.Fail("type", "must be one of slack, teams, mattermost, chime, webhook");
    }
  }
  c.url = r.String("url", 1, 2048, true).value_or("");
}

Json ChatChannelToStored(const domain::ChatChannel& c) { return ChatChannelSpecToJson(c); }

Status ChatChannelFromStored(const Json& json, domain::ChatChannel& c) {
  DecodeErrors errors;
  ObjectReader r(json, "", errors);
  ChatChannelSpecFromReader(r, c);
  return r.Finish();
}

Json ChatChannelToPublic(const domain::ChatChannel& c) { return ChatChannelSpecToJson(c); }

// --- Integrations and rules --------------------------------------------------

Json IntegrationSpecToJson(const domain::Integration& i) {
  Json out = {{"name", i.name},
              {"type", domain::IntegrationTypeName(i.type)},
              {"autoResolve", i.auto_resolve},
              {"alertKey", domain::AlertKeyName(i.alert_key)},
              {"heartbeatMinutes", i.heartbeat_minutes}};
  out["responsePlan"] = i.response_plan.empty() ? Json() : Json(i.response_plan);
  return out;
}

void IntegrationSpecFromReader(ObjectReader& r, domain::Integration& i) {
  i.name = r.String("name", 1, 200, true).value_or("");
  if (auto type = r.String("type", 1, 32, true)) {
    if (auto parsed = domain::ParseIntegrationType(*type)) {
      i.type = *parsed;
    } else {
      r.Fail("type",
             "must be one of alertmanager, cloudwatch, sns, eventbridge, securityhub, grafana, "
             "generic");
    }
  }
  i.response_plan = r.String("responsePlan", 1, 1000).value_or("");
  i.auto_resolve = r.Bool("autoResolve").value_or(true);
  if (auto key = r.String("alertKey", 1, 32)) {
    if (auto parsed = domain::ParseAlertKey(*key)) {
      i.alert_key = *parsed;
    } else {
      r.Fail("alertKey", "must be fingerprint or groupKey");
    }
  }
  i.heartbeat_minutes = static_cast<int>(r.Int("heartbeatMinutes", 0, 10080).value_or(0));
}

Json IntegrationToStored(const domain::Integration& i) {
  Json out = IntegrationSpecToJson(i);
  out["keyPrefix"] = i.key_prefix;
  return out;
}

Status IntegrationFromStored(const Json& json, domain::Integration& i) {
  DecodeErrors errors;
  ObjectReader r(json, "", errors);
  IntegrationSpecFromReader(r, i);
  i.key_prefix = r.String("keyPrefix", 0, 64).value_or("");
  return r.Finish();
}

Json IntegrationToPublic(const domain::Integration& i) {
  Json out = IntegrationSpecToJson(i);
  out["keyPrefix"] = i.key_prefix;
  return out;
}

namespace {

Json RuleActionJson(const domain::Rule& rule) {
  Json action = {{"type", domain::RuleActionName(rule.action)}};
  if (!rule.response_plan.empty()) action["responsePlan"] = rule.response_plan;
  if (rule.impact) action["impact"] = *rule.impact;
  if (!rule.title_template.empty()) action["title"] = rule.title_template;
  return action;
}

}  // namespace

Json RuleSpecToJson(const domain::Rule& rule) {
  return {{"name", rule.name},
          {"pattern", rule.pattern},
          {"action", RuleActionJson(rule)},
          {"priority", rule.priority},
          {"enabled", rule.enabled}};
}

void RuleSpecFromReader(ObjectReader& r, domain::Rule& rule) {
  rule.name = r.String("name", 1, 200, true).value_or("");
  if (const Json* pattern = r.Any("pattern", true)) {
    if (pattern->is_string()) {
      rule.pattern = pattern->get<std::string>();
    } else if (pattern->is_object()) {
      rule.pattern = Dump(*pattern);
    } else {
      r.Fail("pattern", "must be an event pattern: a JSON object or a string holding one");
    }
  }
  if (const Json* action = r.Object("action", true)) {
    ObjectReader a(*action, JoinPath(r.path(), "action"), r.errors());
    if (auto type = a.String("type", 1, 32, true)) {
      if (auto parsed = domain::ParseRuleAction(*type)) {
        rule.action = *parsed;
      } else {
        a.Fail("type", "must be one of startIncident, resolveIncident, drop");
      }
    }
    rule.response_plan = a.String("responsePlan", 1, 1000).value_or("");
    if (auto impact = a.Int("impact", 1, 5)) rule.impact = static_cast<int>(*impact);
    rule.title_template = a.String("title", 1, 1000).value_or("");
    (void)a.Finish();
  }
  rule.priority = static_cast<int>(r.Int("priority", 0, 100000).value_or(100));
  rule.enabled = r.Bool("enabled").value_or(true);
}

Json RuleToStored(const domain::Rule& rule) { return RuleSpecToJson(rule); }

Status RuleFromStored(const Json& json, domain::Rule& rule) {
  DecodeErrors errors;
  ObjectReader r(json, "", errors);
  RuleSpecFromReader(r, rule);
  return r.Finish();
}

Json RuleToPublic(const domain::Rule& rule) {
  Json out = RuleSpecToJson(rule);
  // Stored patterns were validated on write; show them as the object they are.
  auto parsed = ParseJson(rule.pattern);
  if (parsed.ok()) out["pattern"] = std::move(*parsed);
  return out;
}

}  // namespace tocsin::codec
