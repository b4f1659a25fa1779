// Escalation plans, rotations (shifts across DST, overrides, preview, on call),
// on-call schedules, response plans, notification targets and chat channels.
#include <gtest/gtest.h>

#include "support/test_server.h"

namespace tocsin::test {
namespace {

using nlohmann::json;

class PlansTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* who : {"alice", "bob", "dba-lead"}) {
      ASSERT_EQ(admin_.Post("/api/v1/contacts", {{"alias", who}}).status, 201);
    }
  }
  json WeeklyRotation(const std::string& name = "db-weekly") {
    return {{"name", name},
            {"members", {"alice", "bob"}},
            {"startTime", "2026-02-23T14:00:00Z"},
            {"timeZoneId", "America/New_York"},
            {"recurrence",
             {{"weeklySettings",
               {{{"dayOfWeek", "MON"}, {"handOffTime", {{"hourOfDay", 9}, {"minuteOfHour", 0}}}}}},
              {"numberOfOnCalls", 1},
              {"recurrenceMultiplier", 1}}}};
  }
  void ExpectFieldError(const HttpResult& r, int status, const std::string& field) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.json()["error"].value("field", ""), field) << r.body;
  }

  TestServer server_;
  HttpClient admin_ = server_.Admin();
};

// The issue's walk-through: a weekly rotation handing off Monday 09:00 New York
// time, a schedule on it, an escalation plan paging the schedule then the
// manager after 15 minutes, a response plan engaging it; March 2026 shifts hand
// off at 09:00 local on both sides of the DST change (March 8).
TEST_F(PlansTest, WeeklyNewYorkRotationAcrossDstAndThePlansOnTopOfIt) {
  auto rotation = admin_.Post("/api/v1/rotations", WeeklyRotation());
  ASSERT_EQ(rotation.status, 201) << rotation.body;
  EXPECT_EQ(rotation.json()["arn"].get<std::string>().rfind(
                "arn:aws:ssm-contacts:us-east-1:000000000000:rotation/", 0),
            0u);

  auto shifts = admin_.Get(
      "/api/v1/rotations/db-weekly/shifts?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z");
  ASSERT_EQ(shifts.status, 200) << shifts.body;
  const json expected = json::parse(R"([
    {"members":["alice"],"startTime":"2026-02-23T14:00:00Z","endTime":"2026-03-02T14:00:00Z","type":"REGULAR"},
    {"members":["bob"],"startTime":"2026-03-02T14:00:00Z","endTime":"2026-03-09T13:00:00Z","type":"REGULAR"},
    {"members":["alice"],"startTime":"2026-03-09T13:00:00Z","endTime":"2026-03-16T13:00:00Z","type":"REGULAR"},
    {"members":["bob"],"startTime":"2026-03-16T13:00:00Z","endTime":"2026-03-23T13:00:00Z","type":"REGULAR"},
    {"members":["alice"],"startTime":"2026-03-23T13:00:00Z","endTime":"2026-03-30T13:00:00Z","type":"REGULAR"},
    {"members":["bob"],"startTime":"2026-03-30T13:00:00Z","endTime":"2026-04-06T13:00:00Z","type":"REGULAR"}])");
  EXPECT_EQ(shifts.json()["items"], expected) << shifts.json()["items"].dump(1);

  auto schedule = admin_.Post(
      "/api/v1/oncall-schedules",
      {{"alias", "db-oncall"}, {"displayName", "DB on call"}, {"rotations", {"db-weekly"}}});
  ASSERT_EQ(schedule.status, 201) << schedule.body;
  EXPECT_EQ(schedule.json()["type"], "ONCALL_SCHEDULE");

  auto oncall = admin_.Get("/api/v1/oncall-schedules/db-oncall/oncall?at=2026-03-10T12:00:00Z");
  ASSERT_EQ(oncall.status, 200) << oncall.body;
  EXPECT_EQ(oncall.json()["members"], json({"alice"}));

  auto escalation =
      admin_.Post("/api/v1/escalation-plans",
                  {{"alias", "db-escalation"},
                   {"displayName", "DB escalation"},
                   {"repeatCount", 0},
                   {"stages",
                    {{{"durationInMinutes", 15},
                      {"targets", {{{"contact", "db-oncall"}, {"isEssential", false}}}}},
                     {{"durationInMinutes", 10},
                      {"targets", {{{"contact", "dba-lead"}, {"isEssential", true}}}}}}}});
  ASSERT_EQ(escalation.status, 201) << escalation.body;
  EXPECT_EQ(escalation.json()["stages"][0]["targets"][0]["contact"], schedule.json()["id"]);

  auto plan =
      admin_.Post("/api/v1/response-plans",
                  {{"name", "db-down"},
                   {"displayName", "Database down"},
                   {"incidentTemplate",
                    {{"title", "Database down"}, {"impact", 2}, {"dedupeString", "db-down"}}},
                   {"engagements", {"db-escalation"}},
                   {"chatChannels", json::array()}});
  ASSERT_EQ(plan.status, 201) << plan.body;
  EXPECT_EQ(plan.json()["arn"], "arn:aws:ssm-incidents::000000000000:response-plan/db-down");
  EXPECT_EQ(plan.json()["engagements"][0], escalation.json()["id"]);

  // Everything below is still referenced: deletes are refused and name the referrer.
  auto del_rot = admin_.Delete("/api/v1/rotations/db-weekly");
  EXPECT_EQ(del_rot.status, 409);
  EXPECT_EQ(del_rot.json()["error"]["referrers"][0]["name"], "db-oncall");
  auto del_sched = admin_.Delete("/api/v1/oncall-schedules/db-oncall");
  EXPECT_EQ(del_sched.status, 409);
  EXPECT_EQ(del_sched.json()["error"]["referrers"][0]["name"], "db-escalation");
  auto del_esc = admin_.Delete("/api/v1/escalation-plans/db-escalation");
  EXPECT_EQ(del_esc.status, 409);
  EXPECT_EQ(del_esc.json()["error"]["referrers"][0]["type"], "response-plan");
  auto del_alice = admin_.Delete("/api/v1/contacts/alice");
  EXPECT_EQ(del_alice.status, 409);
  EXPECT_EQ(del_alice.json()["error"]["referrers"][0]["type"], "rotation");

  // Unwinding top-down works.
  EXPECT_EQ(admin_.Delete("/api/v1/response-plans/db-down").status, 204);
  EXPECT_EQ(admin_.Delete("/api/v1/escalation-plans/db-escalation").status, 204);
  EXPECT_EQ(admin_.Delete("/api/v1/oncall-schedules/db-oncall").status, 204);
  EXPECT_EQ(admin_.Delete("/api/v1/rotations/db-weekly").status, 204);
  EXPECT_EQ(admin_.Delete("/api/v1/contacts/alice").status, 204);
}

TEST_F(PlansTest, EscalationPlanRules) {
  auto post = [&](json stages, json extra = json::object()) {
    json body = {{"alias", "esc"}, {"stages", stages}};
    body.update(extra);
    return admin_.Post("/api/v1/escalation-plans", body);
  };
  ExpectFieldError(post(json::array()), 400, "stages");
  ExpectFieldError(admin_.Post("/api/v1/escalation-plans", {{"alias", "esc"}}), 400, "stages");
  ExpectFieldError(post({{{"durationInMinutes", 31}, {"targets", {{{"contact", "alice"}}}}}}), 400,
                   "stages[0].durationInMinutes");
  ExpectFieldError(post({{{"durationInMinutes", 0}, {"targets", json::array()}}}), 400,
                   "stages[0].durationInMinutes");
  ExpectFieldError(post({{{"durationInMinutes", 5}, {"targets", {{{"contact", "nobody"}}}}}}), 400,
                   "stages[0].targets[0].contact");
  ExpectFieldError(post({{{"durationInMinutes", 5},
                          {"targets", {{{"contact", "alice"}}, {{"contact", "alice"}}}}}}),
                   400, "stages[0].targets[1].contact");
  ExpectFieldError(post({{{"durationInMinutes", 5}, {"targets", {{{"channel", "x"}}}}}}), 400,
                   "stages[0].targets[0].contact");  // Channels are for personal plans.
  ExpectFieldError(post({{{"durationInMinutes", 5}, {"targets", {{{"contact", "alice"}}}}}},
                        {{"repeatCount", 11}}),
                   400, "repeatCount");
  json targets = json::array();
  for (int i = 0; i < 11; ++i) targets.push_back({{"contact", "alice"}});
  ExpectFieldError(post({{{"durationInMinutes", 5}, {"targets", targets}}}), 400,
                   "stages[0].targets");

  ASSERT_EQ(post({{{"durationInMinutes", 5},
                   {"targets", {{{"contact", "alice"}, {"isEssential", true}}}}}})
                .status,
            201);
  // An escalation plan cannot target an escalation plan, so none can reach itself.
  auto self =
      admin_.Patch("/api/v1/escalation-plans/esc",
                   {{"stages", {{{"durationInMinutes", 5}, {"targets", {{{"contact", "esc"}}}}}}}});
  ExpectFieldError(self, 400, "stages[0].targets[0].contact");
  EXPECT_EQ(
      admin_
          .Post("/api/v1/escalation-plans",
                {{"alias", "outer"},
                 {"stages", {{{"durationInMinutes", 5}, {"targets", {{{"contact", "esc"}}}}}}}})
          .status,
      400);
}

TEST_F(PlansTest, RotationValidation) {
  auto post = [&](json patch) {
    json body = WeeklyRotation();
    body.merge_patch(patch);
    return admin_.Post("/api/v1/rotations", body);
  };
  ExpectFieldError(post({{"timeZoneId", "Mars/Olympus"}}), 400, "timeZoneId");
  ExpectFieldError(post({{"members", json::array()}}), 400, "members");
  ExpectFieldError(post({{"members", {"alice", "nobody"}}}), 400, "members[1]");
  ExpectFieldError(post({{"members", {"alice", "alice"}}}), 400, "members[1]");
  ExpectFieldError(post({{"name", "bad/name"}}), 400, "name");
  ExpectFieldError(post({{"startTime", "yesterday"}}), 400, "startTime");
  ExpectFieldError(post({{"recurrence", {{"numberOfOnCalls", 3}}}}), 400,
                   "recurrence.numberOfOnCalls");
  ExpectFieldError(post({{"recurrence", {{"recurrenceMultiplier", 101}}}}), 400,
                   "recurrence.recurrenceMultiplier");
  ExpectFieldError(post({{"recurrence",
                          {{"weeklySettings",
                            {{{"dayOfWeek", "FUNDAY"}, {"handOffTime", {{"hourOfDay", 9}}}}}}}}}),
                   400, "recurrence.weeklySettings[0].dayOfWeek");
  ExpectFieldError(
      post(
          {{"recurrence",
            {{"weeklySettings", {{{"dayOfWeek", "MON"}, {"handOffTime", {{"hourOfDay", 24}}}}}}}}}),
      400, "recurrence.weeklySettings[0].handOffTime.hourOfDay");
  ExpectFieldError(post({{"recurrence", {{"dailySettings", {{{"hourOfDay", 9}}}}}}}), 400,
                   "recurrence");
  // A dba-lead escalation plan is not a person.
  ASSERT_EQ(
      admin_
          .Post("/api/v1/escalation-plans",
                {{"alias", "esc"},
                 {"stages", {{{"durationInMinutes", 5}, {"targets", {{{"contact", "bob"}}}}}}}})
          .status,
      201);
  ExpectFieldError(post({{"members", {"alice", "esc"}}}), 400, "members[1]");
  EXPECT_EQ(admin_.Get("/api/v1/rotations").json()["items"].size(), 0u);  // Nothing was written.

  ASSERT_EQ(post(json::object()).status, 201);
  EXPECT_EQ(post(json::object()).status, 409);  // Names are unique.
}

TEST_F(PlansTest, ShiftQueriesValidateTheirWindow) {
  ASSERT_EQ(admin_.Post("/api/v1/rotations", WeeklyRotation()).status, 201);
  ExpectFieldError(admin_.Get("/api/v1/rotations/db-weekly/shifts?to=2026-04-01T00:00:00Z"), 400,
                   "from");
  ExpectFieldError(
      admin_.Get(
          "/api/v1/rotations/db-weekly/shifts?from=2026-04-01T00:00:00Z&to=2026-03-01T00:00:00Z"),
      400, "to");
  ExpectFieldError(
      admin_.Get(
          "/api/v1/rotations/db-weekly/shifts?from=2026-01-01T00:00:00Z&to=2027-01-03T00:00:00Z"),
      400, "to");
  ExpectFieldError(
      admin_.Get("/api/v1/rotations/db-weekly/shifts?from=now&to=2027-01-01T00:00:00Z"), 400,
      "from");
  EXPECT_EQ(
      admin_.Get("/api/v1/rotations/nope/shifts?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z")
          .status,
      404);
}

TEST_F(PlansTest, OverridesSplitShiftsAndAreValidated) {
  ASSERT_EQ(admin_.Post("/api/v1/rotations", WeeklyRotation()).status, 201);
  auto created =
      admin_.Post("/api/v1/rotations/db-weekly/overrides", {{"members", {"dba-lead"}},
                                                            {"startTime", "2026-03-04T00:00:00Z"},
                                                            {"endTime", "2026-03-05T00:00:00Z"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];

  auto shifts = admin_.Get(
      "/api/v1/rotations/db-weekly/shifts?from=2026-03-03T00:00:00Z&to=2026-03-06T00:00:00Z");
  const json expected = json::parse(R"([
    {"members":["bob"],"startTime":"2026-03-02T14:00:00Z","endTime":"2026-03-04T00:00:00Z","type":"REGULAR"},
    {"members":["dba-lead"],"startTime":"2026-03-04T00:00:00Z","endTime":"2026-03-05T00:00:00Z","type":"OVERRIDDEN","overriddenMembers":["bob"]},
    {"members":["bob"],"startTime":"2026-03-05T00:00:00Z","endTime":"2026-03-09T13:00:00Z","type":"REGULAR"}])");
  EXPECT_EQ(shifts.json()["items"], expected) << shifts.json()["items"].dump(1);
  EXPECT_EQ(
      admin_.Get("/api/v1/rotations/db-weekly/oncall?at=2026-03-04T12:00:00Z").json()["members"],
      json({"dba-lead"}));

  auto overlapping =
      admin_.Post("/api/v1/rotations/db-weekly/overrides", {{"members", {"alice"}},
                                                            {"startTime", "2026-03-04T12:00:00Z"},
                                                            {"endTime", "2026-03-06T00:00:00Z"}});
  ExpectFieldError(overlapping, 400, "startTime");
  auto inverted =
      admin_.Post("/api/v1/rotations/db-weekly/overrides", {{"members", {"alice"}},
                                                            {"startTime", "2026-03-10T00:00:00Z"},
                                                            {"endTime", "2026-03-09T00:00:00Z"}});
  ExpectFieldError(inverted, 400, "endTime");
  ExpectFieldError(
      admin_.Post("/api/v1/rotations/db-weekly/overrides", {{"members", {"ghost"}},
                                                            {"startTime", "2026-03-10T00:00:00Z"},
                                                            {"endTime", "2026-03-11T00:00:00Z"}}),
      400, "members[0]");

  auto list = admin_.Get("/api/v1/rotations/db-weekly/overrides");
  ASSERT_EQ(list.json()["items"].size(), 1u);
  EXPECT_EQ(admin_.Get("/api/v1/rotations/db-weekly/overrides?from=2026-04-01T00:00:00Z")
                .json()["items"]
                .size(),
            0u);
  // dba-lead is referenced by the override: the rotation is named as referrer.
  auto del = admin_.Delete("/api/v1/contacts/dba-lead");
  EXPECT_EQ(del.status, 409);
  EXPECT_EQ(del.json()["error"]["referrers"][0]["name"], "db-weekly");
  EXPECT_EQ(admin_.Delete("/api/v1/rotations/db-weekly/overrides/" + id).status, 204);
  EXPECT_EQ(admin_.Delete("/api/v1/rotations/db-weekly/overrides/" + id).status, 404);
  EXPECT_EQ(admin_.Delete("/api/v1/contacts/dba-lead").status, 204);
}

TEST_F(PlansTest, PreviewComputesUnsavedConfigurations) {
  json body = WeeklyRotation();
  body["members"] = {"Ann", "Ben", "Cy"};
  body["from"] = "2026-03-01T00:00:00Z";
  body["to"] = "2026-03-20T00:00:00Z";
  body["overrides"] = {{{"members", {"Dee"}},
                        {"startTime", "2026-03-10T00:00:00Z"},
                        {"endTime", "2026-03-11T00:00:00Z"}}};
  auto r = admin_.Post("/api/v1/rotations/preview", body);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto items = r.json()["items"];
  ASSERT_GE(items.size(), 4u);
  EXPECT_EQ(items[0]["members"], json({"Ann"}));
  EXPECT_EQ(items[1]["members"], json({"Ben"}));
  EXPECT_EQ(items[2]["members"], json({"Cy"}));
  EXPECT_EQ(items[3]["members"], json({"Dee"}));
  EXPECT_EQ(items[3]["type"], "OVERRIDDEN");
  EXPECT_EQ(admin_.Get("/api/v1/rotations").json()["items"].size(), 0u);  // Nothing saved.
  body["timeZoneId"] = "Nowhere/Special";
  ExpectFieldError(admin_.Post("/api/v1/rotations/preview", body), 400, "timeZoneId");
}

TEST_F(PlansTest, ScheduleIsTheUnionOfItsRotationsWithCoverage) {
  // Follow the sun: alice covers 00:00-12:00 UTC, bob 12:00-24:00 (in UTC).
  auto half = [&](const std::string& name, const std::string& who, int start, int end) {
    json r = WeeklyRotation(name);
    r["members"] = {who};
    r["timeZoneId"] = "UTC";
    json windows = json::object();
    for (const char* day : {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"}) {
      windows[day] = {{{"start", {{"hourOfDay", start}}}, {"end", {{"hourOfDay", end}}}}};
    }
    r["recurrence"]["shiftCoverages"] = windows;
    return admin_.Post("/api/v1/rotations", r);
  };
  ASSERT_EQ(half("morning", "alice", 0, 12).status, 201);
  ASSERT_EQ(half("evening", "bob", 12, 0).status, 201);
  ASSERT_EQ(admin_
                .Post("/api/v1/oncall-schedules",
                      {{"alias", "sun"}, {"rotations", {"morning", "evening"}}})
                .status,
            201);
  EXPECT_EQ(
      admin_.Get("/api/v1/oncall-schedules/sun/oncall?at=2026-03-10T06:00:00Z").json()["members"],
      json({"alice"}));
  EXPECT_EQ(
      admin_.Get("/api/v1/oncall-schedules/sun/oncall?at=2026-03-10T18:00:00Z").json()["members"],
      json({"bob"}));
  ExpectFieldError(
      admin_.Post("/api/v1/oncall-schedules", {{"alias", "s2"}, {"rotations", json::array()}}), 400,
      "rotations");
  ExpectFieldError(
      admin_.Post("/api/v1/oncall-schedules", {{"alias", "s2"}, {"rotations", {"nope"}}}), 400,
      "rotations[0]");
  ExpectFieldError(
      admin_.Post("/api/v1/oncall-schedules",
                  {{"alias", "s2"}, {"rotations", {"morning"}}, {"stages", json::array()}}),
      400, "stages");
}

TEST_F(PlansTest, ResponsePlanValidationAndPatch) {
  auto post = [&](json extra) {
    json body = {{"name", "web-down"},
                 {"incidentTemplate", {{"title", "Web down"}, {"impact", 3}}}};
    body.merge_patch(extra);
    return admin_.Post("/api/v1/response-plans", body);
  };
  ExpectFieldError(post({{"incidentTemplate", {{"impact", 0}}}}), 400, "incidentTemplate.impact");
  ExpectFieldError(post({{"incidentTemplate", {{"impact", 6}}}}), 400, "incidentTemplate.impact");
  ExpectFieldError(post({{"incidentTemplate", {{"title", nullptr}}}}), 400,
                   "incidentTemplate.title");
  ExpectFieldError(post({{"incidentTemplate", {{"title", std::string(201, 't')}}}}), 400,
                   "incidentTemplate.title");
  ExpectFieldError(post({{"incidentTemplate", {{"summary", std::string(8001, 's')}}}}), 400,
                   "incidentTemplate.summary");
  ExpectFieldError(post({{"name", "has space"}}), 400, "name");
  ExpectFieldError(post({{"engagements", {"ghost"}}}), 400, "engagements[0]");
  ExpectFieldError(post({{"engagements", {"alice", "bob", "dba-lead", "alice", "bob", "x"}}}), 400,
                   "engagements");
  ExpectFieldError(post({{"chatChannels", {"nope"}}}), 400, "chatChannels[0]");
  ExpectFieldError(post({{"incidentTemplate", {{"notificationTargets", {"nope"}}}}}), 400,
                   "incidentTemplate.notificationTargets[0]");
  ExpectFieldError(post({{"actions", {{{"runbook", "x"}}}}}), 400, "actions[0].runbook");
  ExpectFieldError(
      post({{"actions",
             {{{"runbook", "AWS-Restart"}, {"dynamicParameters", {{"id", "SOMETHING"}}}}}}}),
      400, "actions[0].dynamicParameters.id");

  ASSERT_EQ(admin_
                .Post("/api/v1/chat-channels", {{"name", "ops"},
                                                {"type", "slack"},
                                                {"url", "https://hooks.slack.com/services/T/B/x"}})
                .status,
            201);
  ASSERT_EQ(
      admin_
          .Post("/api/v1/notification-targets",
                {{"name", "pagerhook"}, {"url", "https://example.com/hook"}, {"secret", "s3cret"}})
          .status,
      201);
  auto ok = post({{"engagements", {"alice"}},
                  {"chatChannels", {"ops"}},
                  {"incidentTemplate",
                   {{"notificationTargets", {"pagerhook"}}, {"incidentTags", {{"team", "web"}}}}},
                  {"actions",
                   {{{"runbook", "AWS-RestartEC2Instance"},
                     {"parameters", {{"InstanceId", {"i-123"}}}},
                     {"dynamicParameters", {{"IncidentId", "INCIDENT_ID"}}}}}},
                  {"tags", {{"owner", "web"}}}});
  ASSERT_EQ(ok.status, 201) << ok.body;

  // PATCH replaces what it names, keeps the rest (merge patch, nested too).
  auto patched = admin_.Patch("/api/v1/response-plans/web-down",
                              {{"incidentTemplate", {{"title", "Web is down"}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["incidentTemplate"]["title"], "Web is down");
  EXPECT_EQ(patched.json()["incidentTemplate"]["impact"], 3);
  EXPECT_EQ(patched.json()["engagements"].size(), 1u);
  EXPECT_EQ(patched.json()["version"], 2);
  ExpectFieldError(admin_.Patch("/api/v1/response-plans/web-down", {{"name", "renamed"}}), 400,
                   "name");
  EXPECT_EQ(
      admin_
          .Patch("/api/v1/response-plans/web-down", {{"displayName", "x"}}, {{"If-Match", "\"1\""}})
          .status,
      412);

  auto chat_del = admin_.Delete("/api/v1/chat-channels/ops");
  EXPECT_EQ(chat_del.status, 409);
  EXPECT_EQ(chat_del.json()["error"]["referrers"][0]["name"], "web-down");
}

TEST_F(PlansTest, TargetsAndChatChannelsValidateUrlsAndHideSecrets) {
  auto target = [&](json body) { return admin_.Post("/api/v1/notification-targets", body); };
  ExpectFieldError(target({{"name", "t"}, {"url", "ftp://example.com/x"}}), 400, "url");
  ExpectFieldError(target({{"name", "t"}, {"url", "not a url"}}), 400, "url");
  ExpectFieldError(target({{"name", "t"}, {"url", "https://user:pw@example.com/"}}), 400, "url");
  ExpectFieldError(target({{"name", "t"}, {"url", "/relative"}}), 400, "url");
  auto created =
      target({{"name", "t"}, {"url", "https://example.com/hook"}, {"secret", "topsecret"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find("topsecret"), std::string::npos);
  EXPECT_EQ(created.json()["hasSecret"], true);
  EXPECT_EQ(admin_.Get("/api/v1/notification-targets/t").body.find("topsecret"), std::string::npos);

  ExpectFieldError(admin_.Post("/api/v1/chat-channels",
                               {{"name", "c"}, {"type", "irc"}, {"url", "https://x.example"}}),
                   400, "type");
  for (const char* type : {"slack", "teams", "mattermost", "chime", "webhook"}) {
    EXPECT_EQ(admin_
                  .Post("/api/v1/chat-channels", {{"name", std::string("c-") + type},
                                                  {"type", type},
                                                  {"url", "https://chat.example.com/hook"}})
                  .status,
              201);
  }
  HttpClient responder = server_.WithRole("responder");
  EXPECT_EQ(responder.Get("/api/v1/notification-targets").status, 403);  // URLs are credentials.
}

TEST_F(PlansTest, EveryResourceHasAVersionAndHonoursIfMatch) {
  ASSERT_EQ(admin_.Post("/api/v1/rotations", WeeklyRotation()).status, 201);
  auto stale = admin_.Patch("/api/v1/rotations/db-weekly", {{"name", "db weekly 2"}},
                            {{"If-Match", "\"5\""}});
  EXPECT_EQ(stale.status, 412);
  auto renamed = admin_.Patch("/api/v1/rotations/db-weekly", {{"name", "db weekly 2"}},
                              {{"If-Match", "\"1\""}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json()["version"], 2);
  EXPECT_EQ(renamed.header("etag"), "\"2\"");
}

}  // namespace
}  // namespace tocsin::test
