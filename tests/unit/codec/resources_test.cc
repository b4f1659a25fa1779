#include "tocsin/codec/resources.h"

#include <source_location>
#include <string>

#include <gtest/gtest.h>

namespace tocsin::codec {
namespace {

const TimePoint kStart = FromUnixMillis(1'767'225'600'000);  // 2026-01-01Z

// Decodes `json` (a spec) with `read`, as the API does: root reader, then Finish().
template <typename F>
Status DecodeSpec(const Json& json, F read) {
  DecodeErrors errors;
  ObjectReader reader(json, "", errors);
  read(reader);
  return reader.Finish();
}

Json Parse(std::string_view text) {
  auto json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  return json.ok() ? *json : Json();
}

void ExpectError(const Status& s, std::string_view field, std::string_view message,
                 std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()), "");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_EQ(s.message(), message) << s.ToString();
}

void ExpectSameContact(const domain::Contact& a, const domain::Contact& b) {
  EXPECT_EQ(a.alias, b.alias);
  EXPECT_EQ(a.display_name, b.display_name);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.stages, b.stages);
  EXPECT_EQ(a.repeat_count, b.repeat_count);
  EXPECT_EQ(a.rotation_ids, b.rotation_ids);
  EXPECT_EQ(a.tags, b.tags);
}

// --- Contacts ----------------------------------------------------------------

domain::Contact Personal() {
  domain::Contact c;
  c.alias = "alice";
  c.display_name = "Alice Ng";
  c.type = domain::ContactType::kPersonal;
  c.stages = {{0, {{"ch-1", 1, "", false}, {"ch-2", 0, "", false}}},
              {5, {{"ch-1", 60, "", false}}}};
  c.tags = {{"team", "ops"}, {"tier", "1"}};
  return c;
}

domain::Contact Escalation() {
  domain::Contact c;
  c.alias = "escalate";
  c.display_name = "";
  c.type = domain::ContactType::kEscalation;
  c.stages = {{10, {{"", 0, "alice", true}, {"", 0, "sched", false}}}};
  c.repeat_count = 2;
  return c;
}

domain::Contact Schedule() {
  domain::Contact c;
  c.alias = "sched";
  c.display_name = "Primary on call";
  c.type = domain::ContactType::kOncallSchedule;
  c.rotation_ids = {"r-1", "r-2"};
  return c;
}

TEST(ContactCodecTest, SpecRoundTripsForEveryType) {
  for (const auto& original : {Personal(), Escalation(), Schedule()}) {
    const Json json = ParseJson(Dump(ContactSpecToJson(original))).value();
    EXPECT_FALSE(json.contains("type")) << Dump(json);
    domain::Contact decoded;
    decoded.type = original.type;
    Status s = DecodeSpec(json, [&](ObjectReader& r) { ContactSpecFromReader(r, decoded); });
    ASSERT_TRUE(s.ok()) << s.ToString() << " in " << Dump(json);
    ExpectSameContact(decoded, original);
  }
}

TEST(ContactCodecTest, SpecShapesFollowTheType) {
  EXPECT_EQ(
      Dump(ContactSpecToJson(Personal())),
      R"({"alias":"alice","displayName":"Alice Ng","tags":{"team":"ops","tier":"1"},)"
      R"("plan":{"stages":[{"durationInMinutes":0,"targets":[)"
      R"({"channel":"ch-1","retryIntervalInMinutes":1},)"
      R"({"channel":"ch-2","retryIntervalInMinutes":0}]},)"
      R"({"durationInMinutes":5,"targets":[{"channel":"ch-1","retryIntervalInMinutes":60}]}]}})");
  EXPECT_EQ(Dump(ContactSpecToJson(Escalation())),
            R"({"alias":"escalate","displayName":"","tags":{},"stages":[{"durationInMinutes":10,)"
            R"("targets":[{"contact":"alice","isEssential":true},)"
            R"({"contact":"sched","isEssential":false}]}],"repeatCount":2})");
  EXPECT_EQ(Dump(ContactSpecToJson(Schedule())),
            R"({"alias":"sched","displayName":"Primary on call","tags":{},)"
            R"("rotations":["r-1","r-2"]})");
}

TEST(ContactCodecTest, StoredRoundTripsKeepTheType) {
  for (const auto& original : {Personal(), Escalation(), Schedule()}) {
    const Json stored = ContactToStored(original);
    EXPECT_EQ(stored.at("type"), domain::ContactTypeName(original.type));
    domain::Contact decoded;
    Status s = ContactFromStored(ParseJson(Dump(stored)).value(), decoded);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ExpectSameContact(decoded, original);
    EXPECT_EQ(Dump(ContactToPublic(original)), Dump(stored));
  }
}

TEST(ContactCodecTest, StoredWithUnknownTypeIsRefused) {
  domain::Contact c;
  ExpectError(ContactFromStored(Parse(R"({"type":"ROBOT","alias":"x"})"), c), "type",
              "type is not a contact type");
}

TEST(ContactCodecTest, NestedErrorsNameTheFullPath) {
  domain::Contact c;
  c.type = domain::ContactType::kPersonal;
  const Json bad_channel = Parse(R"({"alias":"a","plan":{"stages":[{"durationInMinutes":1,)"
                                 R"("targets":[{"channel":"x"},{"channel":5}]}]}})");
  ExpectError(DecodeSpec(bad_channel, [&](ObjectReader& r) { ContactSpecFromReader(r, c); }),
              "plan.stages[0].targets[1].channel",
              "plan.stages[0].targets[1].channel must be a string, not an integer");

  const Json unknown_in_target = Parse(R"({"alias":"a","plan":{"stages":[{"durationInMinutes":1,)"
                                       R"("targets":[{"channel":"x","contact":"y"}]}]}})");
  ExpectError(DecodeSpec(unknown_in_target, [&](ObjectReader& r) { ContactSpecFromReader(r, c); }),
              "plan.stages[0].targets[0].contact",
              "plan.stages[0].targets[0].contact is not a known field");

  const Json unknown_in_plan = Parse(R"({"alias":"a","plan":{"stages":[],"stagez":[]}})");
  ExpectError(DecodeSpec(unknown_in_plan, [&](ObjectReader& r) { ContactSpecFromReader(r, c); }),
              "plan.stagez", "plan.stagez is not a known field");

  const Json missing_duration = Parse(R"({"alias":"a","plan":{"stages":[{"targets":[]}]}})");
  ExpectError(DecodeSpec(missing_duration, [&](ObjectReader& r) { ContactSpecFromReader(r, c); }),
              "plan.stages[0].durationInMinutes", "plan.stages[0].durationInMinutes is required");

  const Json escalation_field_on_person = Parse(R"({"alias":"a","repeatCount":1})");
  ExpectError(
      DecodeSpec(escalation_field_on_person, [&](ObjectReader& r) { ContactSpecFromReader(r, c); }),
      "repeatCount", "repeatCount is not a known field");

  domain::Contact esc;
  esc.type = domain::ContactType::kEscalation;
  ExpectError(DecodeSpec(Parse(R"({"alias":"a"})"),
                         [&](ObjectReader& r) { ContactSpecFromReader(r, esc); }),
              "stages", "stages is required");
  ExpectError(DecodeSpec(Parse(R"({"alias":"a","stages":[{"durationInMinutes":1,)"
                               R"("targets":[{"contact":"b","isEssential":"yes"}]}]})"),
                         [&](ObjectReader& r) { ContactSpecFromReader(r, esc); }),
              "stages[0].targets[0].isEssential",
              "stages[0].targets[0].isEssential must be a boolean, not a string");
}

// --- Channels ----------------------------------------------------------------

domain::Channel Channel() {
  domain::Channel ch;
  ch.contact_id = "c-1";
  ch.name = "work phone";
  ch.type = domain::ChannelType::kSms;
  ch.delivery_address = "+15555550100";
  ch.activation_status = domain::ActivationStatus::kActivated;
  return ch;
}

TEST(ChannelCodecTest, SpecAndStoredRoundTrip) {
  const auto original = Channel();
  EXPECT_EQ(Dump(ChannelSpecToJson(original)),
            R"({"name":"work phone","type":"SMS","deliveryAddress":"+15555550100"})");
  domain::Channel from_spec;
  ASSERT_TRUE(DecodeSpec(ChannelSpecToJson(original), [&](ObjectReader& r) {
                ChannelSpecFromReader(r, from_spec);
              }).ok());
  EXPECT_EQ(from_spec.name, original.name);
  EXPECT_EQ(from_spec.type, original.type);
  EXPECT_EQ(from_spec.delivery_address, original.delivery_address);

  domain::Channel from_stored;
  ASSERT_TRUE(ChannelFromStored(ChannelToStored(original), from_stored).ok());
  EXPECT_EQ(from_stored.contact_id, "c-1");
  EXPECT_EQ(from_stored.activation_status, domain::ActivationStatus::kActivated);
  EXPECT_EQ(from_stored.name, original.name);
  EXPECT_EQ(from_stored.type, original.type);
  EXPECT_EQ(ChannelToPublic(original).at("activationStatus"), "ACTIVATED");
}

TEST(ChannelCodecTest, RejectsUnknownTypeAndServerOwnedFieldsInSpec) {
  domain::Channel ch;
  ExpectError(DecodeSpec(Parse(R"({"name":"n","type":"PAGER","deliveryAddress":"x"})"),
                         [&](ObjectReader& r) { ChannelSpecFromReader(r, ch); }),
              "type", "type must be one of EMAIL, SMS, VOICE");
  ExpectError(DecodeSpec(Parse(R"({"name":"n","type":"EMAIL","deliveryAddress":"x",)"
                               R"("activationStatus":"ACTIVATED"})"),
                         [&](ObjectReader& r) { ChannelSpecFromReader(r, ch); }),
              "activationStatus", "activationStatus is not a known field");
  ExpectError(DecodeSpec(Parse(R"({"name":"n","type":"EMAIL"})"),
                         [&](ObjectReader& r) { ChannelSpecFromReader(r, ch); }),
              "deliveryAddress", "deliveryAddress is required");
}

// --- Rotations ---------------------------------------------------------------

domain::Rotation DailyRotation() {
  domain::Rotation r;
  r.name = "primary";
  r.spec.members = {"alice", "bob", "carol"};
  r.spec.start_time = kStart + std::chrono::minutes(90) + Millis(250);
  r.spec.time_zone_id = "America/New_York";
  r.spec.recurrence.daily_settings = {{9, 0}, {17, 30}};
  r.spec.recurrence.number_of_on_calls = 2;
  r.spec.recurrence.recurrence_multiplier = 3;
  return r;
}

domain::Rotation WeeklyRotation() {
  domain::Rotation r = DailyRotation();
  r.name = "weekly";
  r.spec.recurrence.daily_settings.clear();
  r.spec.recurrence.weekly_settings = {{domain::Weekday::kMon, {9, 0}},
                                       {domain::Weekday::kFri, {18, 15}}};
  r.spec.recurrence.shift_coverages = {
      {domain::Weekday::kMon, {{{9, 0}, {17, 0}}}},
      {domain::Weekday::kSun, {{{22, 0}, {6, 0}}, {{12, 0}, {13, 0}}}}};
  return r;
}

domain::Rotation MonthlyRotation() {
  domain::Rotation r = DailyRotation();
  r.name = "monthly";
  r.spec.recurrence.daily_settings.clear();
  r.spec.recurrence.monthly_settings = {{1, {0, 0}}, {31, {23, 59}}};
  return r;
}

TEST(RotationCodecTest, SpecAndStoredRoundTrip) {
  for (const auto& original : {DailyRotation(), WeeklyRotation(), MonthlyRotation()}) {
    const Json json = ParseJson(Dump(RotationSpecToJson(original))).value();
    domain::Rotation decoded;
    Status s = DecodeSpec(json, [&](ObjectReader& r) { RotationSpecFromReader(r, decoded); });
    ASSERT_TRUE(s.ok()) << s.ToString() << " in " << Dump(json);
    EXPECT_EQ(decoded.name, original.name);
    EXPECT_EQ(decoded.spec.members, original.spec.members);
    EXPECT_EQ(decoded.spec.start_time, original.spec.start_time);
    EXPECT_EQ(decoded.spec.time_zone_id, original.spec.time_zone_id);
    EXPECT_EQ(decoded.spec.recurrence, original.spec.recurrence) << Dump(json);

    domain::Rotation stored;
    ASSERT_TRUE(RotationFromStored(RotationToStored(original), stored).ok());
    EXPECT_EQ(stored.spec.recurrence, original.spec.recurrence);
    EXPECT_EQ(Dump(RotationToPublic(original)), Dump(json));
  }
}

TEST(RotationCodecTest, PreviewFieldsHaveNoName) {
  const auto original = WeeklyRotation();
  Json json = RotationSpecToJson(original);
  json.erase("name");
  domain::RotationSpec spec;
  ASSERT_TRUE(DecodeSpec(json, [&](ObjectReader& r) { RotationFieldsFromReader(r, spec); }).ok());
  EXPECT_EQ(spec.recurrence, original.spec.recurrence);
  json["name"] = "x";
  ExpectError(DecodeSpec(json, [&](ObjectReader& r) { RotationFieldsFromReader(r, spec); }), "name",
              "name is not a known field");
}

TEST(RotationCodecTest, RecurrenceErrorsNameTheirPath) {
  auto decode = [](std::string_view recurrence) {
    const Json json = Parse(std::string(R"({"name":"r","members":["a"],)") +
                            R"("startTime":"2026-01-01T00:00:00Z","timeZoneId":"UTC",)" +
                            R"("recurrence":)" + std::string(recurrence) + "}");
    domain::Rotation r;
    return DecodeSpec(json, [&](ObjectReader& reader) { RotationSpecFromReader(reader, r); });
  };
  ExpectError(decode(R"({"numberOfOnCalls":1,"recurrenceMultiplier":1,)"
                     R"("weeklySettings":[{"dayOfWeek":"MON","handOffTime":{"hourOfDay":9}},)"
                     R"({"dayOfWeek":"FUN","handOffTime":{}}]})"),
              "recurrence.weeklySettings[1].dayOfWeek",
              "recurrence.weeklySettings[1].dayOfWeek must be one of MON, TUE, WED, THU, FRI, "
              "SAT, SUN");
  ExpectError(decode(R"({"numberOfOnCalls":1,"recurrenceMultiplier":1,)"
                     R"("dailySettings":[{"hourOfDay":9,"minute":0}]})"),
              "recurrence.dailySettings[0].minute",
              "recurrence.dailySettings[0].minute is not a known field");
  ExpectError(decode(R"({"numberOfOnCalls":1,"recurrenceMultiplier":1,)"
                     R"("monthlySettings":[{"dayOfMonth":1,"handOffTime":{"hourOfDay":"9"}}]})"),
              "recurrence.monthlySettings[0].handOffTime.hourOfDay",
              "recurrence.monthlySettings[0].handOffTime.hourOfDay must be an integer, not a "
              "string");
  ExpectError(decode(R"({"numberOfOnCalls":1,"recurrenceMultiplier":1,"dailySettings":[],)"
                     R"("shiftCoverages":{"FUNDAY":[]}})"),
              "recurrence.shiftCoverages.FUNDAY",
              "recurrence.shiftCoverages.FUNDAY is not a day of the week (MON..SUN)");
  ExpectError(decode(R"({"numberOfOnCalls":1,"recurrenceMultiplier":1,"dailySettings":[],)"
                     R"("shiftCoverages":{"MON":[{"start":{"hourOfDay":9}}]}})"),
              "recurrence.shiftCoverages.MON[0].end",
              "recurrence.shiftCoverages.MON[0].end is required");
  ExpectError(decode(R"({"recurrenceMultiplier":1,"dailySettings":[]})"),
              "recurrence.numberOfOnCalls", "recurrence.numberOfOnCalls is required");
  ExpectError(decode(R"([])"), "recurrence", "recurrence must be an object, not an array");
}

TEST(RotationCodecTest, TimesMustBeRfc3339) {
  domain::Rotation r;
  ExpectError(DecodeSpec(Parse(R"({"name":"r","members":["a"],"startTime":"2026-01-01",)"
                               R"("timeZoneId":"UTC","recurrence":{}})"),
                         [&](ObjectReader& reader) { RotationSpecFromReader(reader, r); }),
              "startTime", "startTime must be an RFC 3339 timestamp like 2026-03-02T09:00:00Z");
}

// --- Overrides and shifts ------------------------------------------------------

TEST(OverrideCodecTest, StoredRoundTrips) {
  domain::RotationOverride o;
  o.rotation_id = "r-1";
  o.spec.members = {"bob"};
  o.spec.start_time = kStart;
  o.spec.end_time = kStart + std::chrono::hours(8);
  EXPECT_EQ(Dump(OverrideToStored(o)),
            R"({"rotationId":"r-1","members":["bob"],"startTime":"2026-01-01T00:00:00Z",)"
            R"("endTime":"2026-01-01T08:00:00Z"})");
  domain::RotationOverride decoded;
  ASSERT_TRUE(OverrideFromStored(OverrideToStored(o), decoded).ok());
  EXPECT_EQ(decoded.rotation_id, o.rotation_id);
  EXPECT_EQ(decoded.spec.members, o.spec.members);
  EXPECT_EQ(decoded.spec.start_time, o.spec.start_time);
  EXPECT_EQ(decoded.spec.end_time, o.spec.end_time);

  // The spec (what a client sends) is the same without rotationId; nobody on call is allowed.
  domain::OverrideSpec spec;
  ASSERT_TRUE(DecodeSpec(Parse(R"({"members":[],"startTime":"2026-01-01T00:00:00Z",)"
                               R"("endTime":"2026-01-02T00:00:00Z"})"),
                         [&](ObjectReader& r) { OverrideSpecFromReader(r, spec); })
                  .ok());
  EXPECT_TRUE(spec.members.empty());
}

TEST(ShiftCodecTest, OverriddenShiftsListWhomTheyReplaced) {
  domain::Shift regular{
      {"alice"}, kStart, kStart + std::chrono::hours(1), domain::ShiftType::kRegular, {}};
  EXPECT_EQ(Dump(ShiftToJson(regular)),
            R"({"members":["alice"],"startTime":"2026-01-01T00:00:00Z",)"
            R"("endTime":"2026-01-01T01:00:00Z","type":"REGULAR"})");
  domain::Shift overridden{
      {"bob"}, kStart, kStart + std::chrono::hours(1), domain::ShiftType::kOverridden, {"alice"}};
  EXPECT_EQ(
      Dump(ShiftToJson(overridden)),
      R"({"members":["bob"],"startTime":"2026-01-01T00:00:00Z",)"
      R"("endTime":"2026-01-01T01:00:00Z","type":"OVERRIDDEN","overriddenMembers":["alice"]})");
}

// --- Response plans --------------------------------------------------------------

domain::ResponsePlan Plan() {
  domain::ResponsePlan p;
  p.name = "db-outage";
  p.display_name = "Database outage";
  p.incident_template.title = "Database down";
  p.incident_template.impact = 1;
  p.incident_template.summary = "Primary unreachable";
  p.incident_template.dedupe_string = "db";
  p.incident_template.incident_tags = {{"service", "db"}};
  p.incident_template.notification_target_ids = {"nt-1"};
  p.chat_channel_ids = {"chat-1", "chat-2"};
  p.engagement_ids = {"alice", "escalate"};
  domain::RunbookAction action;
  action.document_name = "Restart-DB";
  action.document_version = "3";
  action.parameters = {{"hosts", {"db1", "db2"}}, {"empty", {}}};
  action.dynamic_parameters = {{"incident", domain::DynamicValue::kIncidentId},
                               {"resources", domain::DynamicValue::kInvolvedResources}};
  p.actions = {action};
  p.tags = {{"owner", "dba"}};
  return p;
}

TEST(ResponsePlanCodecTest, SpecAndStoredRoundTrip) {
  const auto original = Plan();
  const Json json = ParseJson(Dump(ResponsePlanSpecToJson(original))).value();
  domain::ResponsePlan decoded;
  Status s = DecodeSpec(json, [&](ObjectReader& r) { ResponsePlanSpecFromReader(r, decoded); });
  ASSERT_TRUE(s.ok()) << s.ToString() << " in " << Dump(json);
  EXPECT_EQ(decoded.name, original.name);
  EXPECT_EQ(decoded.display_name, original.display_name);
  EXPECT_EQ(decoded.incident_template, original.incident_template);
  EXPECT_EQ(decoded.chat_channel_ids, original.chat_channel_ids);
  EXPECT_EQ(decoded.engagement_ids, original.engagement_ids);
  EXPECT_EQ(decoded.actions, original.actions);
  EXPECT_EQ(decoded.tags, original.tags);

  domain::ResponsePlan stored;
  ASSERT_TRUE(ResponsePlanFromStored(ResponsePlanToStored(original), stored).ok());
  EXPECT_EQ(stored.actions, original.actions);
  EXPECT_EQ(Dump(ResponsePlanToPublic(original)), Dump(json));
}

TEST(ResponsePlanCodecTest, MinimalSpecDecodes) {
  domain::ResponsePlan p;
  ASSERT_TRUE(DecodeSpec(Parse(R"({"name":"p","incidentTemplate":{"title":"t","impact":3}})"),
                         [&](ObjectReader& r) { ResponsePlanSpecFromReader(r, p); })
                  .ok());
  EXPECT_EQ(p.incident_template.impact, 3);
  EXPECT_TRUE(p.actions.empty());
}

TEST(ResponsePlanCodecTest, ErrorsNameTheirPath) {
  auto decode = [](std::string_view text) {
    domain::ResponsePlan p;
    return DecodeSpec(Parse(text), [&](ObjectReader& r) { ResponsePlanSpecFromReader(r, p); });
  };
  ExpectError(decode(R"({"name":"p"})"), "incidentTemplate", "incidentTemplate is required");
  ExpectError(decode(R"({"name":"p","incidentTemplate":{"title":"t","impact":"high"}})"),
              "incidentTemplate.impact",
              "incidentTemplate.impact must be an integer, not a string");
  ExpectError(decode(R"({"name":"p","incidentTemplate":{"title":"t","impact":1,"x":1}})"),
              "incidentTemplate.x", "incidentTemplate.x is not a known field");
  ExpectError(decode(R"({"name":"p","incidentTemplate":{"title":"t","impact":1},)"
                     R"("chatChannels":["a","a"]})"),
              "chatChannels[1]", "chatChannels[1] duplicates an earlier item");
  ExpectError(decode(R"({"name":"p","incidentTemplate":{"title":"t","impact":1},)"
                     R"("actions":[{"runbook":"r"},{"runbook":"s"}]})"),
              "actions", "actions must have at most 1 items");
  ExpectError(decode(R"({"name":"p","incidentTemplate":{"title":"t","impact":1},)"
                     R"("actions":[{"runbook":"r","dynamicParameters":{"k":"NOW"}}]})"),
              "actions[0].dynamicParameters.k",
              "actions[0].dynamicParameters.k must be INCIDENT_ID or INVOLVED_RESOURCES");
  ExpectError(decode(R"({"name":"p","incidentTemplate":{"title":"t","impact":1},)"
                     R"("actions":[{"runbook":"r","parameters":{"k":[1]}}]})"),
              "actions[0].parameters.k",
              "actions[0].parameters.k values must be strings of at most 512 characters");
  ExpectError(decode(R"({"name":"p","incidentTemplate":{"title":"t","impact":1},)"
                     R"("actions":[{"runbook":"r","parameters":{"k":"v"}}]})"),
              "actions[0].parameters.k",
              "actions[0].parameters.k must be an array of at most 100 strings");
}

// --- Notification targets and chat channels ----------------------------------------

TEST(NotificationTargetCodecTest, RoundTripsAndPublicFormHidesTheSecret) {
  domain::NotificationTarget t;
  t.name = "pager-bridge";
  t.url = "https://hooks.example.com/tocsin";
  t.secret = "s3cret";
  domain::NotificationTarget decoded;
  ASSERT_TRUE(DecodeSpec(NotificationTargetSpecToJson(t), [&](ObjectReader& r) {
                NotificationTargetSpecFromReader(r, decoded);
              }).ok());
  EXPECT_EQ(decoded.name, t.name);
  EXPECT_EQ(decoded.url, t.url);
  EXPECT_EQ(decoded.secret, t.secret);
  domain::NotificationTarget stored;
  ASSERT_TRUE(NotificationTargetFromStored(NotificationTargetToStored(t), stored).ok());
  EXPECT_EQ(stored.secret, "s3cret");

  const std::string pub = Dump(NotificationTargetToPublic(t));
  EXPECT_EQ(pub,
            R"({"name":"pager-bridge","url":"https://hooks.example.com/tocsin","hasSecret":true})");
  t.secret.clear();
  EXPECT_EQ(Dump(NotificationTargetSpecToJson(t)),
            R"({"name":"pager-bridge","url":"https://hooks.example.com/tocsin"})");
  EXPECT_EQ(NotificationTargetToPublic(t).at("hasSecret"), false);
}

TEST(ChatChannelCodecTest, RoundTripsEveryType) {
  for (auto type : {domain::ChatChannelType::kSlack, domain::ChatChannelType::kTeams,
                    domain::ChatChannelType::kMattermost, domain::ChatChannelType::kChime,
                    domain::ChatChannelType::kWebhook}) {
    domain::ChatChannel c;
    c.name = "ops-room";
    c.type = type;
    c.url = "https://chat.example.com/hook";
    domain::ChatChannel decoded;
    ASSERT_TRUE(DecodeSpec(ChatChannelSpecToJson(c), [&](ObjectReader& r) {
                  ChatChannelSpecFromReader(r, decoded);
                }).ok());
    EXPECT_EQ(decoded.type, type);
    EXPECT_EQ(decoded.name, c.name);
    EXPECT_EQ(decoded.url, c.url);
    domain::ChatChannel stored;
    ASSERT_TRUE(ChatChannelFromStored(ChatChannelToStored(c), stored).ok());
    EXPECT_EQ(stored.type, type);
    EXPECT_EQ(Dump(ChatChannelToPublic(c)), Dump(ChatChannelSpecToJson(c)));
  }
  domain::ChatChannel c;
  ExpectError(DecodeSpec(Parse(R"({"name":"n","type":"irc","url":"u"})"),
                         [&](ObjectReader& r) { ChatChannelSpecFromReader(r, c); }),
              "type", "type must be one of slack, teams, mattermost, chime, webhook");
}

}  // namespace
}  // namespace tocsin::codec
