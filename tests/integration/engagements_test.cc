// The engagement engine over HTTP with a fake clock: personal plans with
// retries, escalation plans with essential and non-essential targets, on-call
// schedules, repeats, "reached nobody", acknowledgement by code and by link,
// stop and resolve, their races, restarts, and bad input.
//
// Every test ends (TearDown) by letting the engine go idle and asserting that
// no page was sent that the test did not take and check.
#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "support/test_server.h"

namespace tocsin::test {
namespace {

using nlohmann::json;
using Message = RecordingNotifier::Message;

class EngagementsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    server_.app().WaitEngineIdle();
    const auto rest = server_.notifier().TakePages();
    EXPECT_TRUE(rest.empty()) << "unexpected page to " << rest.front().contact << " attempt "
                              << rest.front().attempt;
  }

  // A person with one activated channel per entry of `types`; returns channel ids.
  std::vector<std::string> Person(const std::string& alias,
                                  const std::vector<std::string>& types = {"EMAIL"}) {
    EXPECT_EQ(admin_.Post("/api/v1/contacts", {{"alias", alias}}).status, 201);
    std::vector<std::string> ids;
    for (const auto& type : types) {
      const std::string address =
          type == "EMAIL" ? alias + "@example.com" : "+1415555" + std::to_string(1000 + ids.size());
      auto r = admin_.Post("/api/v1/contacts/" + alias + "/channels",
                           {{"name", type}, {"type", type}, {"deliveryAddress", address}});
      EXPECT_EQ(r.status, 201) << r.body;
      const std::string id = r.json()["id"];
      auto code = server_.notifier().TakeCode(id);
      EXPECT_TRUE(code.has_value());
      EXPECT_EQ(admin_.Post("/api/v1/channels/" + id + "/activate", {{"code", *code}}).status, 200);
      ids.push_back(id);
    }
    return ids;
  }
  void SetPlan(const std::string& alias, json stages) {
    auto r = admin_.Patch("/api/v1/contacts/" + alias, {{"plan", {{"stages", stages}}}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  void Escalation(const std::string& alias, json stages, int repeat = 0) {
    auto r = admin_.Post("/api/v1/escalation-plans",
                         {{"alias", alias}, {"repeatCount", repeat}, {"stages", stages}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  static json Target(const std::string& contact, bool essential) {
    return {{"contact", contact}, {"isEssential", essential}};
  }
  json Engage(const std::string& contact, int expected = 201) {
    auto r = admin_.Post("/api/v1/engagements",
                         {{"contact", contact}, {"subject", "DB down"}, {"content", "Primary DB"}});
    EXPECT_EQ(r.status, expected) << r.body;
    server_.app().WaitEngineIdle();
    return r.json();
  }
  void Advance(int minutes) {
    server_.clock().Advance(std::chrono::minutes(minutes));
    server_.app().WaitEngineIdle();
  }
  // Takes the pages sent so far and checks who got them. Pages due at the
  // same instant are handed over by several delivery workers at once, in no
  // fixed order: they are compared as a multiset and returned in the order of
  // `contacts`.
  std::vector<Message> ExpectPages(const std::vector<std::string>& contacts) {
    auto pages = server_.notifier().TakePages();
    std::vector<Message> ordered;
    for (const std::string& c : contacts) {
      auto it = std::find_if(pages.begin(), pages.end(),
                             [&](const Message& m) { return m.contact == c; });
      if (it == pages.end()) break;
      ordered.push_back(std::move(*it));
      pages.erase(it);
    }
    std::vector<std::string> got;
    for (const auto& p : ordered) got.push_back(p.contact);
    for (const auto& p : pages) got.push_back(p.contact);
    EXPECT_EQ(got, contacts);
    for (auto& p : pages) ordered.push_back(std::move(p));
    return ordered;
  }
  HttpResult Accept(const Message& page, const std::string& code) {
    auto r = admin_.Post("/api/v1/pages/" + page.page_id + "/accept", {{"code", code}});
    server_.app().WaitEngineIdle();
    return r;
  }
  json Get(const std::string& path) {
    auto r = admin_.Get(path);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  int Stop(const json& engagement) {
    return admin_
        .Post("/api/v1/engagements/" + engagement["id"].get<std::string>() + "/stop",
              json::object())
        .status;
  }
  std::string State(const json& engagement) {
    return Get("/api/v1/engagements/" + engagement["id"].get<std::string>())["state"];
  }
  std::vector<std::string> TimelineTypes(const std::string& incident_id) {
    auto items = Get("/api/v1/incidents/" + incident_id + "/timeline?sort=asc&limit=100")["items"];
    std::vector<std::string> out;
    for (const auto& e : items) out.push_back(e["eventType"]);
    return out;
  }

  TestServer server_;
  HttpClient admin_ = server_.Admin();
};

TEST_F(EngagementsTest, PersonalPlanPagesEachStageRetriesAndStopsOnAcknowledgement) {
  auto ch = Person("alice", {"EMAIL", "SMS"});
  SetPlan("alice", {{{"durationInMinutes", 5},
                     {"targets", {{{"channel", ch[0]}, {"retryIntervalInMinutes", 2}}}}},
                    {{"durationInMinutes", 5}, {"targets", {{{"channel", ch[1]}}}}}});
  json e = Engage("alice");
  EXPECT_EQ(e["state"], "ENGAGED");
  EXPECT_EQ(e["arn"].get<std::string>().rfind(
                "arn:aws:ssm-contacts:us-east-1:000000000000:engagement/alice/", 0),
            0u);
  auto first = ExpectPages({"alice"});
  EXPECT_EQ(first[0].channel_id, ch[0]);
  EXPECT_EQ(first[0].attempt, 1);
  EXPECT_EQ(first[0].code.size(), 6u);
  Advance(1);
  ExpectPages({});
  Advance(1);  // t=2: first retry.
  EXPECT_EQ(ExpectPages({"alice"})[0].attempt, 2);
  Advance(2);  // t=4: second retry; the third would be at the stage's end.
  EXPECT_EQ(ExpectPages({"alice"})[0].attempt, 3);
  Advance(1);  // t=5: stage 2 pages the SMS channel.
  auto sms = ExpectPages({"alice"});
  EXPECT_EQ(sms[0].channel_id, ch[1]);

  auto accepted = Accept(sms[0], sms[0].code);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json()["acknowledged"], true);
  EXPECT_EQ(State(e), "ACKNOWLEDGED");
  Advance(60);
  ExpectPages({});

  // Receipts of the acknowledged page: SENT then READ.
  json page = Get("/api/v1/pages/" + sms[0].page_id);
  ASSERT_EQ(page["receipts"].size(), 2u);
  EXPECT_EQ(page["receipts"][0]["receiptType"], "SENT");
  EXPECT_EQ(page["receipts"][1]["receiptType"], "READ");
  EXPECT_EQ(page["state"], "SENT");
  EXPECT_FALSE(page["readTime"].is_null());
  EXPECT_EQ(Get("/api/v1/pages?engagement=" + e["id"].get<std::string>())["items"].size(), 4u);
}

// The walk-through: a curl-started incident pages the on-call engineer,
// then the manager when nobody acknowledges, and all paging stops on accept.
TEST_F(EngagementsTest, IncidentEscalatesFromOnCallToManagerAndStopsOnAccept) {
  Person("alice");
  Person("bob");
  auto mgr = Person("manager");
  SetPlan("manager", {{{"durationInMinutes", 10},
                       {"targets", {{{"channel", mgr[0]}, {"retryIntervalInMinutes", 3}}}}}});
  ASSERT_EQ(
      admin_
          .Post(
              "/api/v1/rotations",
              {{"name", "db-weekly"},
               {"members", {"alice", "bob"}},
               {"startTime", "2025-12-29T14:00:00Z"},
               {"timeZoneId", "America/New_York"},
               {"recurrence",
                {{"weeklySettings", {{{"dayOfWeek", "MON"}, {"handOffTime", {{"hourOfDay", 9}}}}}},
                 {"numberOfOnCalls", 1},
                 {"recurrenceMultiplier", 1}}}})
          .status,
      201);
  ASSERT_EQ(
      admin_
          .Post("/api/v1/oncall-schedules", {{"alias", "db-oncall"}, {"rotations", {"db-weekly"}}})
          .status,
      201);
  Escalation("db-escalation",
             {{{"durationInMinutes", 15}, {"targets", {Target("db-oncall", true)}}},
              {{"durationInMinutes", 10}, {"targets", {Target("manager", true)}}}});
  ASSERT_EQ(admin_
                .Post("/api/v1/response-plans",
                      {{"name", "db-down"},
                       {"incidentTemplate", {{"title", "Database down"}, {"impact", 1}}},
                       {"engagements", {"db-escalation"}}})
                .status,
            201);

  auto incident = admin_.Post("/api/v1/incidents", {{"responsePlan", "db-down"}});
  ASSERT_EQ(incident.status, 201) << incident.body;
  const std::string incident_id = incident.json()["id"];
  server_.app().WaitEngineIdle();
  // 2026-01-01 is in alice's week (rotation weeks start Mondays 09:00 New York).
  auto oncall = ExpectPages({"alice"});
  EXPECT_EQ(oncall[0].subject, "[Impact 1] Database down");
  Advance(14);
  ExpectPages({});
  Advance(1);  // Nobody acknowledged in 15 minutes: the manager.
  auto manager = ExpectPages({"manager"});
  Advance(3);  // The manager's own retry.
  ExpectPages({"manager"});
  ASSERT_EQ(Accept(manager[0], manager[0].code).status, 200);
  Advance(60);
  ExpectPages({});

  json engagements = Get("/api/v1/engagements?incident=" + incident_id)["items"];
  ASSERT_EQ(engagements.size(), 1u);
  EXPECT_EQ(engagements[0]["state"], "ACKNOWLEDGED");
  EXPECT_EQ(engagements[0]["contactAlias"], "db-escalation");
  json detail = Get("/api/v1/engagements/" + engagements[0]["id"].get<std::string>());
  std::vector<std::string> path;
  for (const auto& r : detail["runs"]) path.push_back(r["contactAlias"]);
  EXPECT_EQ(path, std::vector<std::string>({"db-escalation", "db-oncall", "alice", "manager"}));

  const std::vector<std::string> expected{"Incident Created",
                                          "Engagement Started",
                                          "Engagement Stage Started",
                                          "Engagement Stage Started",
                                          "Page Sent",
                                          "Engagement Stage Started",
                                          "Engagement Stage Started",
                                          "Page Sent",
                                          "Page Sent",
                                          "Page Acknowledged",
                                          "Engagement Acknowledged"};
  EXPECT_EQ(TimelineTypes(incident_id), expected);
}

TEST_F(EngagementsTest, NonEssentialAcknowledgementStopsOnlyThatPerson) {
  auto a = Person("alice");
  auto b = Person("bob");
  Person("carol");
  SetPlan("alice", {{{"durationInMinutes", 20},
                     {"targets", {{{"channel", a[0]}, {"retryIntervalInMinutes", 5}}}}}});
  SetPlan("bob", {{{"durationInMinutes", 20},
                   {"targets", {{{"channel", b[0]}, {"retryIntervalInMinutes", 5}}}}}});
  Escalation("team", {{{"durationInMinutes", 10},
                       {"targets", {Target("alice", false), Target("bob", true)}}},
                      {{"durationInMinutes", 10}, {"targets", {Target("carol", true)}}}});
  json e = Engage("team");
  auto pages = ExpectPages({"alice", "bob"});
  ASSERT_EQ(Accept(pages[0], pages[0].code).status, 200);
  EXPECT_EQ(State(e), "ENGAGED");
  Advance(5);  // Bob's retry only.
  ExpectPages({"bob"});
  Advance(5);  // t=10: bob's next retry, and stage 2 starts (alice was not essential).
  ExpectPages({"bob", "carol"});
  auto bobs = Get("/api/v1/pages?engagement=" + e["id"].get<std::string>() + "&contact=bob");
  ASSERT_EQ(bobs["items"].size(), 3u);
  // Bob is essential: his acknowledgement (of his first page, with its code
  // from the notifier) ends everything.
  ASSERT_EQ(Accept(pages[1], pages[1].code).status, 200);
  EXPECT_EQ(State(e), "ACKNOWLEDGED");
  Advance(30);
  ExpectPages({});
}

TEST_F(EngagementsTest, StageThatReachesNobodyMovesOnAtOnce) {
  EXPECT_EQ(admin_.Post("/api/v1/contacts", {{"alias", "ghost"}}).status, 201);  // No channels.
  Person("bob");
  ASSERT_EQ(admin_
                .Post("/api/v1/rotations", {{"name", "later"},
                                            {"members", {"bob"}},
                                            {"startTime", "2027-01-01T00:00:00Z"},
                                            {"timeZoneId", "UTC"},
                                            {"recurrence",
                                             {{"dailySettings", {{{"hourOfDay", 9}}}},
                                              {"numberOfOnCalls", 1},
                                              {"recurrenceMultiplier", 1}}}})
                .status,
            201);
  ASSERT_EQ(
      admin_.Post("/api/v1/oncall-schedules", {{"alias", "nobody-yet"}, {"rotations", {"later"}}})
          .status,
      201);
  Escalation("chain", {{{"durationInMinutes", 30}, {"targets", {Target("nobody-yet", true)}}},
                       {{"durationInMinutes", 30}, {"targets", {Target("ghost", true)}}},
                       {{"durationInMinutes", 5}, {"targets", {Target("bob", true)}}}});
  ASSERT_EQ(
      admin_
          .Post("/api/v1/response-plans", {{"name", "p"},
                                           {"incidentTemplate", {{"title", "T"}, {"impact", 3}}},
                                           {"engagements", {"chain"}}})
          .status,
      201);
  auto incident = admin_.Post("/api/v1/incidents", {{"responsePlan", "p"}});
  ASSERT_EQ(incident.status, 201);
  server_.app().WaitEngineIdle();
  ExpectPages({"bob"});  // At once, not after an hour.
  auto types = TimelineTypes(incident.json()["id"]);
  EXPECT_EQ(std::count(types.begin(), types.end(), "No One On Call"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "Engagement Stage Reached Nobody"), 3);
  // Nobody acknowledges: after bob's stage the engagement ends unacknowledged.
  Advance(5);
  ExpectPages({});
  types = TimelineTypes(incident.json()["id"]);
  EXPECT_EQ(types.back(), "Engagement Ended Unacknowledged");
}

TEST_F(EngagementsTest, EscalationRepeatsThenEndsUnacknowledged) {
  Person("alice");
  Escalation("loop", {{{"durationInMinutes", 5}, {"targets", {Target("alice", true)}}}}, 2);
  json e = Engage("loop");
  ExpectPages({"alice"});
  Advance(5);
  ExpectPages({"alice"});
  Advance(5);
  ExpectPages({"alice"});
  EXPECT_EQ(State(e), "ENGAGED");
  Advance(5);
  ExpectPages({});
  EXPECT_EQ(State(e), "UNACKNOWLEDGED");
  Advance(60);
}

TEST_F(EngagementsTest, ResolvingTheIncidentStopsPagingAndLateRetriesFindNothing) {
  auto a = Person("alice");
  SetPlan("alice", {{{"durationInMinutes", 30},
                     {"targets", {{{"channel", a[0]}, {"retryIntervalInMinutes", 1}}}}}});
  ASSERT_EQ(
      admin_
          .Post("/api/v1/response-plans", {{"name", "p"},
                                           {"incidentTemplate", {{"title", "T"}, {"impact", 3}}},
                                           {"engagements", {"alice"}}})
          .status,
      201);
  auto incident = admin_.Post("/api/v1/incidents", {{"responsePlan", "p"}});
  const std::string id = incident.json()["id"];
  server_.app().WaitEngineIdle();
  auto first = ExpectPages({"alice"});
  Advance(1);
  ExpectPages({"alice"});
  // Resolve races the next retry: the clock reaches it while the resolve is in flight.
  std::thread resolver([&] {
    HttpClient c = server_.Admin();
    EXPECT_EQ(c.Post("/api/v1/incidents/" + id + "/resolve", json::object()).status, 200);
  });
  server_.clock().Advance(std::chrono::minutes(1));
  resolver.join();
  server_.app().WaitEngineIdle();
  auto raced = server_.notifier().TakePages();
  EXPECT_LE(raced.size(), 1u);  // The retry fired before the resolve, or not at all.
  Advance(60);
  ExpectPages({});
  json engagements = Get("/api/v1/engagements?incident=" + id)["items"];
  EXPECT_EQ(engagements[0]["state"], "STOPPED");
  EXPECT_EQ(engagements[0]["stopReason"], "incident resolved");
  // The first page got a STOP receipt; accepting it now is a conflict.
  json page = Get("/api/v1/pages/" + first[0].page_id);
  EXPECT_EQ(page["receipts"].back()["receiptType"], "STOP");
  EXPECT_EQ(Accept(first[0], first[0].code).status, 409);
}

TEST_F(EngagementsTest, AcknowledgementRacingTheNextStageStopsEverything) {
  for (int order = 0; order < 3; ++order) {
    SCOPED_TRACE("order " + std::to_string(order));
    const std::string sfx = std::to_string(order);
    Person("oncall" + sfx);
    Person("boss" + sfx);
    Escalation("esc" + sfx,
               {{{"durationInMinutes", 15}, {"targets", {Target("oncall" + sfx, true)}}},
                {{"durationInMinutes", 15}, {"targets", {Target("boss" + sfx, true)}}}});
    json e = Engage("esc" + sfx);
    auto page = ExpectPages({"oncall" + sfx});
    Advance(14);
    if (order == 0) {  // Acknowledged just before the stage change.
      ASSERT_EQ(Accept(page[0], page[0].code).status, 200);
      Advance(1);
      ExpectPages({});
    } else if (order == 1) {  // Just after: the boss was paged, then everything stops.
      Advance(1);
      ExpectPages({"boss" + sfx});
      ASSERT_EQ(Accept(page[0], page[0].code).status, 200);
    } else {  // Truly concurrent: either outcome, never both or a later page.
      std::thread acker([&] {
        HttpClient c = server_.Admin();
        EXPECT_EQ(
            c.Post("/api/v1/pages/" + page[0].page_id + "/accept", {{"code", page[0].code}}).status,
            200);
      });
      server_.clock().Advance(std::chrono::minutes(1));
      acker.join();
      server_.app().WaitEngineIdle();
      EXPECT_LE(server_.notifier().TakePages().size(), 1u);
    }
    EXPECT_EQ(State(e), "ACKNOWLEDGED");
    Advance(60);
    ExpectPages({});
  }
}

TEST_F(EngagementsTest, RotationHandOffBetweenStagesPagesTheNewOnCall) {
  Person("early");
  Person("late");
  // Daily hand-off at 00:30 UTC; the fake clock starts 2026-01-01T00:00Z.
  ASSERT_EQ(admin_
                .Post("/api/v1/rotations",
                      {{"name", "daily"},
                       {"members", {"early", "late"}},
                       {"startTime", "2025-12-31T00:30:00Z"},
                       {"timeZoneId", "UTC"},
                       {"recurrence",
                        {{"dailySettings", {{{"hourOfDay", 0}, {"minuteOfHour", 30}}}},
                         {"numberOfOnCalls", 1},
                         {"recurrenceMultiplier", 1}}}})
                .status,
            201);
  ASSERT_EQ(admin_.Post("/api/v1/oncall-schedules", {{"alias", "sched"}, {"rotations", {"daily"}}})
                .status,
            201);
  Escalation("twice", {{{"durationInMinutes", 30}, {"targets", {Target("sched", true)}}},
                       {{"durationInMinutes", 30}, {"targets", {Target("sched", true)}}}});
  json e = Engage("twice");
  ExpectPages({"early"});
  Advance(30);  // 00:30: hand-off, then stage 2 engages whoever is on call now.
  ExpectPages({"late"});
  ASSERT_EQ(Stop(e), 200);
  Advance(60);
}

TEST_F(EngagementsTest, StopEndsPagingAndIsNotRepeatable) {
  auto a = Person("alice");
  SetPlan("alice", {{{"durationInMinutes", 30},
                     {"targets", {{{"channel", a[0]}, {"retryIntervalInMinutes", 5}}}}}});
  json e = Engage("alice");
  ExpectPages({"alice"});
  auto stop = admin_.Post("/api/v1/engagements/" + e["id"].get<std::string>() + "/stop",
                          {{"reason", "false alarm"}});
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_EQ(stop.json()["state"], "STOPPED");
  EXPECT_EQ(stop.json()["stopReason"], "false alarm");
  Advance(30);
  ExpectPages({});
  EXPECT_EQ(
      admin_.Post("/api/v1/engagements/" + e["id"].get<std::string>() + "/stop", json::object())
          .status,
      409);
}

TEST_F(EngagementsTest, BadInput) {
  Person("alice");
  EXPECT_EQ(
      admin_
          .Post("/api/v1/engagements", {{"contact", "nobody"}, {"subject", "s"}, {"content", "c"}})
          .status,
      404);
  EXPECT_EQ(admin_
                .Post("/api/v1/engagements", {{"contact", "alice"},
                                              {"subject", "s"},
                                              {"content", "c"},
                                              {"incident", "no-such-incident"}})
                .status,
            404);
  EXPECT_EQ(admin_.Post("/api/v1/engagements", {{"contact", "alice"}, {"content", "c"}}).status,
            400);
  EXPECT_EQ(
      admin_
          .Post(
              "/api/v1/engagements",
              {{"contact", "alice"}, {"subject", "s"}, {"content", "c"}, {"sender", "bad<sender>"}})
          .status,
      400);
  EXPECT_EQ(admin_.Post("/api/v1/engagements/nope/stop", json::object()).status, 404);
  EXPECT_EQ(admin_.Post("/api/v1/pages/nope/accept", {{"code", "123456"}}).status, 404);

  json e = Engage("alice");
  auto page = ExpectPages({"alice"});
  const std::string wrong = page[0].code == "000000" ? "111111" : "000000";
  auto bad = Accept(page[0], wrong);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json()["error"]["field"], "code");
  EXPECT_EQ(Accept(page[0], "12ab56").status, 400);
  EXPECT_EQ(admin_
                .Post("/api/v1/pages/" + page[0].page_id + "/accept",
                      {{"code", page[0].code}, {"acceptType", "SEEN"}})
                .status,
            400);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Accept(page[0], wrong).status, 400);
  // Five wrong codes lock the code: even the right one is refused now.
  EXPECT_EQ(Accept(page[0], page[0].code).status, 403);
  EXPECT_EQ(Get("/api/v1/pages/" + page[0].page_id)["codeLocked"], true);
  // A responder can still acknowledge without the code.
  auto ignore = admin_.Post("/api/v1/pages/" + page[0].page_id + "/accept",
                            {{"acceptCodeValidation", "IGNORE"}});
  EXPECT_EQ(ignore.status, 200) << ignore.body;
  EXPECT_EQ(State(e), "ACKNOWLEDGED");
  EXPECT_EQ(Accept(page[0], page[0].code).status, 409);
  EXPECT_EQ(admin_
                .Post("/api/v1/pages/" + page[0].page_id + "/accept",
                      {{"acceptCodeValidation", "IGNORE"}})
                .status,
            409);
}

TEST_F(EngagementsTest, AcknowledgementLinkConfirmsOnlyOnPost) {
  auto ch = Person("alice");
  SetPlan("alice", {{{"durationInMinutes", 10}, {"targets", {{{"channel", ch[0]}}}}}});
  json e = Engage("alice");
  auto page = ExpectPages({"alice"});
  const std::string prefix = "http://127.0.0.1:8080/ack/";
  ASSERT_EQ(page[0].ack_url.rfind(prefix, 0), 0u) << page[0].ack_url;
  const std::string path = "/ack/" + page[0].ack_url.substr(prefix.size());
  HttpClient anon = server_.Anonymous();
  auto shown = anon.Get(path);
  ASSERT_EQ(shown.status, 200);
  EXPECT_NE(shown.body.find("<form method=\"post\">"), std::string::npos);
  EXPECT_NE(shown.body.find("DB down"), std::string::npos);
  EXPECT_EQ(State(e), "ENGAGED");  // A link preview acknowledges nothing.
  EXPECT_EQ(anon.Get("/ack/not-a-token").status, 404);
  auto confirmed = anon.Send("POST", path, "");
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_NE(confirmed.body.find("Acknowledged"), std::string::npos);
  EXPECT_EQ(State(e), "ACKNOWLEDGED");
  EXPECT_EQ(anon.Send("POST", path, "").status, 409);
}

TEST_F(EngagementsTest, FailedDeliveryIsRecordedAndRetriesContinue) {
  auto a = Person("alice");
  SetPlan("alice", {{{"durationInMinutes", 10},
                     {"targets", {{{"channel", a[0]}, {"retryIntervalInMinutes", 5}}}}}});
  server_.notifier().FailPages(true);
  json e = Engage("alice");
  ExpectPages({});
  auto pages = Get("/api/v1/pages?engagement=" + e["id"].get<std::string>())["items"];
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0]["state"], "FAILED");
  json failed = Get("/api/v1/pages/" + pages[0]["id"].get<std::string>());
  EXPECT_EQ(failed["receipts"][0]["receiptType"], "ERROR");
  server_.notifier().FailPages(false);
  Advance(5);
  auto retry = ExpectPages({"alice"});
  EXPECT_EQ(retry[0].attempt, 2);
  ASSERT_EQ(Accept(retry[0], retry[0].code).status, 200);
}

TEST_F(EngagementsTest, PendingStagesSurviveARestartAndFireOnce) {
  Person("alice");
  Person("bob");
  Escalation("esc", {{{"durationInMinutes", 10}, {"targets", {Target("alice", true)}}},
                     {{"durationInMinutes", 10}, {"targets", {Target("bob", true)}}}});
  json e = Engage("esc");
  ExpectPages({"alice"});
  server_.Restart();
  admin_ = server_.Admin();
  // The server was down past the stage change: it fires at once after start.
  Advance(25);
  ExpectPages({"bob"});
  server_.Restart();
  admin_ = server_.Admin();
  Advance(5);
  EXPECT_EQ(State(e), "ENGAGED");  // Stage 2 started late (t=25): it lasts until t=35.
  Advance(5);
  ExpectPages({});
  EXPECT_EQ(State(e), "UNACKNOWLEDGED");
}

TEST_F(EngagementsTest, RolesOfTheRoutes) {
  Person("alice");
  json e = Engage("alice");
  auto page = ExpectPages({"alice"});
  HttpClient viewer = server_.WithRole("viewer");
  EXPECT_EQ(viewer.Get("/api/v1/engagements").status, 200);
  EXPECT_EQ(viewer.Get("/api/v1/pages/" + page[0].page_id).status, 200);
  EXPECT_EQ(
      viewer.Post("/api/v1/pages/" + page[0].page_id + "/accept", {{"code", page[0].code}}).status,
      403);
  EXPECT_EQ(
      viewer.Post("/api/v1/engagements/" + e["id"].get<std::string>() + "/stop", json::object())
          .status,
      403);
  HttpClient responder = server_.WithRole("responder");
  EXPECT_EQ(responder.Post("/api/v1/pages/" + page[0].page_id + "/accept", {{"code", page[0].code}})
                .status,
            200);
}

}  // namespace
}  // namespace tocsin::test
