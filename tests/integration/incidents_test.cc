// Incidents over HTTP: start from a plan, dedupe, idempotency, listing and
// filters, changes with If-Match, resolve and reopen, the timeline (system
// entries, notes, revisions, redactions), related items, checkpoints.
#include <gtest/gtest.h>

#include "support/test_server.h"

namespace tocsin::test {
namespace {

using nlohmann::json;

class IncidentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(admin_
                  .Post("/api/v1/response-plans", {{"name", "db-down"},
                                                   {"displayName", "Database down"},
                                                   {"incidentTemplate",
                                                    {{"title", "Database down"},
                                                     {"impact", 2},
                                                     {"summary", "Primary DB unreachable"},
                                                     {"dedupeString", "db-down"},
                                                     {"incidentTags", {{"team", "db"}}}}}})
                  .status,
              201);
    ASSERT_EQ(admin_
                  .Post("/api/v1/response-plans",
                        {{"name", "web"},
                         {"incidentTemplate", {{"title", "Web trouble"}, {"impact", 3}}}})
                  .status,
              201);
  }
  json Start(json body, int expected = 201) {
    auto r = admin_.Post("/api/v1/incidents", body);
    EXPECT_EQ(r.status, expected) << r.body;
    return r.json();
  }
  json Timeline(const std::string& id, const std::string& query = "") {
    auto r = admin_.Get("/api/v1/incidents/" + id + "/timeline" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["items"];
  }
  static std::vector<std::string> Types(const json& items) {
    std::vector<std::string> out;
    for (const auto& e : items) out.push_back(e["eventType"]);
    return out;
  }

  TestServer server_;
  HttpClient admin_ = server_.Admin();
};

TEST_F(IncidentsTest, StartTakesTheTemplateWithOverrides) {
  json i = Start({{"responsePlan", "db-down"}});
  EXPECT_EQ(i["title"], "Database down");
  EXPECT_EQ(i["impact"], 2);
  EXPECT_EQ(i["summary"], "Primary DB unreachable");
  EXPECT_EQ(i["status"], "OPEN");
  EXPECT_EQ(i["tags"]["team"], "db");
  EXPECT_EQ(i["dedupeString"], "db-down");
  EXPECT_EQ(i["deduplicated"], false);
  EXPECT_TRUE(i["resolvedAt"].is_null());
  EXPECT_EQ(i["source"], "tocsin.api");
  EXPECT_EQ(i["arn"], "arn:aws:ssm-incidents::000000000000:incident-record/db-down/" +
                          i["id"].get<std::string>());

  json w =
      Start({{"responsePlan", "web"}, {"title", "Checkout 500s"}, {"impact", 1}, {"summary", "x"}});
  EXPECT_EQ(w["title"], "Checkout 500s");
  EXPECT_EQ(w["impact"], 1);
  EXPECT_EQ(w["dedupeString"].get<std::string>().size(), 36u);  // Unique when nothing dedupes.
  EXPECT_EQ(Types(Timeline(w["id"])), std::vector<std::string>({"Incident Created"}));
}

TEST_F(IncidentsTest, SecondStartWithTheSameDedupeStringReturnsTheOpenIncident) {
  json first = Start({{"responsePlan", "db-down"}});
  json again = Start({{"responsePlan", "db-down"},
                      {"triggerDetails",
                       {{"source", "com.example.monitor"},
                        {"timestamp", "2026-01-01T00:05:00Z"},
                        {"rawData", "{\"alarm\":\"db\"}"}}}},
                     200);
  EXPECT_EQ(again["id"], first["id"]);
  EXPECT_EQ(again["deduplicated"], true);
  auto list = admin_.Get("/api/v1/incidents");
  EXPECT_EQ(list.json()["items"].size(), 1u);
  auto timeline = Timeline(first["id"], "?sort=asc");
  ASSERT_EQ(Types(timeline), std::vector<std::string>({"Incident Created", "Duplicate Trigger"}));
  auto data = json::parse(timeline[1]["eventData"].get<std::string>());
  EXPECT_EQ(data["triggerDetails"]["source"], "com.example.monitor");
  // Once resolved, the dedupe string is free: a new incident starts.
  ASSERT_EQ(
      admin_
          .Post("/api/v1/incidents/" + first["id"].get<std::string>() + "/resolve", json::object())
          .status,
      200);
  json fresh = Start({{"responsePlan", "db-down"}});
  EXPECT_NE(fresh["id"], first["id"]);
}

TEST_F(IncidentsTest, TriggerArnDedupesWhenThePlanHasNoDedupeString) {
  json trigger = {{"source", "aws.cloudwatch"},
                  {"timestamp", "2026-01-01T00:00:00Z"},
                  {"triggerArn", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:HighLatency"}};
  json a = Start({{"responsePlan", "web"}, {"triggerDetails", trigger}});
  json b = Start({{"responsePlan", "web"}, {"triggerDetails", trigger}}, 200);
  EXPECT_EQ(a["id"], b["id"]);
  EXPECT_EQ(a["resourceArn"], trigger["triggerArn"]);
  EXPECT_EQ(a["source"], "aws.cloudwatch");
}

TEST_F(IncidentsTest, IdempotencyKeyReplaysTheFirstResponseAndRejectsADifferentRequest) {
  auto first = admin_.Send("POST", "/api/v1/incidents", json({{"responsePlan", "web"}}).dump(),
                           {{"Idempotency-Key", "retry-1"}});
  ASSERT_EQ(first.status, 201);
  auto replay = admin_.Send("POST", "/api/v1/incidents", json({{"responsePlan", "web"}}).dump(),
                            {{"Idempotency-Key", "retry-1"}});
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(replay.header("idempotent-replayed"), "true");
  auto different =
      admin_.Send("POST", "/api/v1/incidents", json({{"responsePlan", "db-down"}}).dump(),
                  {{"Idempotency-Key", "retry-1"}});
  EXPECT_EQ(different.status, 409);
  // clientToken in the body is the same key (AWS style).
  auto by_token =
      admin_.Post("/api/v1/incidents", {{"responsePlan", "web"}, {"clientToken", "tok-7"}});
  auto token_replay =
      admin_.Post("/api/v1/incidents", {{"clientToken", "tok-7"}, {"responsePlan", "web"}});
  EXPECT_EQ(token_replay.json()["id"], by_token.json()["id"]);
  EXPECT_EQ(admin_.Get("/api/v1/incidents").json()["items"].size(), 2u);
  // Keys expire after 48 hours (at least 24 are promised).
  server_.clock().Advance(std::chrono::hours(49));
  admin_.Post("/api/v1/incidents", {{"responsePlan", "web"}, {"clientToken", "purge-trigger"}});
  auto after =
      admin_.Post("/api/v1/incidents", {{"responsePlan", "web"}, {"clientToken", "tok-7"}});
  EXPECT_NE(after.json()["id"], by_token.json()["id"]);
}

TEST_F(IncidentsTest, BadStartsAreRejectedAndWriteNothing) {
  auto field = [&](json body, int status, const std::string& f) {
    auto r = admin_.Post("/api/v1/incidents", body);
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.json()["error"].value("field", ""), f) << r.body;
  };
  EXPECT_EQ(admin_.Post("/api/v1/incidents", {{"responsePlan", "nope"}}).status, 404);
  field(json::object(), 400, "responsePlan");
  field({{"responsePlan", "web"}, {"impact", 0}}, 400, "impact");
  field({{"responsePlan", "web"}, {"impact", 6}}, 400, "impact");
  field({{"responsePlan", "web"}, {"title", std::string(201, 'x')}}, 400, "title");
  field({{"responsePlan", "web"}, {"triggerDetails", {{"timestamp", "2026-01-01T00:00:00Z"}}}}, 400,
        "triggerDetails.source");
  field({{"responsePlan", "web"},
         {"triggerDetails",
          {{"source", "x"},
           {"timestamp", "2026-01-01T00:00:00Z"},
           {"rawData", std::string(10001, 'r')}}}},
        400, "triggerDetails.rawData");
  field({{"responsePlan", "web"}, {"relatedItems", {{{"type", "METRIC"}}}}}, 400,
        "relatedItems[0]");
  field({{"responsePlan", "web"},
         {"relatedItems", {{{"type", "BOGUS"}, {"url", "https://x.example"}}}}},
        400, "relatedItems[0].type");
  field({{"responsePlan", "web"}, {"colour", "red"}}, 400, "colour");
  EXPECT_EQ(admin_.Get("/api/v1/incidents").json()["items"].size(), 0u);
}

TEST_F(IncidentsTest, ListIsNewestFirstWithFiltersAndKeysetPages) {
  for (int i = 0; i < 5; ++i) {
    Start({{"responsePlan", "web"},
           {"title", "web incident " + std::to_string(i)},
           {"impact", 1 + i % 3}});
    server_.clock().Advance(std::chrono::minutes(1));
  }
  json db = Start({{"responsePlan", "db-down"}, {"title", "Replica lag on db-7"}});
  auto all = admin_.Get("/api/v1/incidents").json()["items"];
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0]["id"], db["id"]);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?responsePlan=db-down").json()["items"].size(), 1u);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?impact=1").json()["items"].size(), 2u);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?impact=1&impact=3").json()["items"].size(), 3u);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?impact=1,2").json()["items"].size(), 5u);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?q=replica%20db").json()["items"].size(), 1u);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?q=web%20incid").json()["items"].size(), 5u);
  EXPECT_EQ(
      admin_.Get("/api/v1/incidents?createdAfter=2026-01-01T00:02:30Z").json()["items"].size(), 3u);
  EXPECT_EQ(
      admin_.Get("/api/v1/incidents?createdBefore=2026-01-01T00:02:30Z").json()["items"].size(),
      3u);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?createdBy=api-key/nobody").json()["items"].size(), 0u);
  admin_.Post("/api/v1/incidents/" + db["id"].get<std::string>() + "/resolve", json::object());
  EXPECT_EQ(admin_.Get("/api/v1/incidents?status=OPEN").json()["items"].size(), 5u);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?status=RESOLVED").json()["items"].size(), 1u);

  std::vector<std::string> ids;
  std::string cursor;
  do {
    auto page =
        admin_.Get("/api/v1/incidents?limit=4" + (cursor.empty() ? "" : "&cursor=" + cursor))
            .json();
    for (const auto& i : page["items"]) ids.push_back(i["id"]);
    cursor = page["nextCursor"].is_null() ? "" : page["nextCursor"].get<std::string>();
  } while (!cursor.empty());
  ASSERT_EQ(ids.size(), 6u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], all[i]["id"]);

  EXPECT_EQ(admin_.Get("/api/v1/incidents?status=CLOSED").status, 400);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?impact=9").status, 400);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?cursor=%%%").status, 400);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?cursor=bm9wZQ").status, 400);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?createdAfter=yesterday").status, 400);
  EXPECT_EQ(admin_.Get("/api/v1/incidents?responsePlan=ghost").status, 404);
}

TEST_F(IncidentsTest, ChangesAreVersionedAndEachFieldIsOnTheTimeline) {
  json i = Start({{"responsePlan", "web"}});
  const std::string id = i["id"];
  server_.clock().Advance(std::chrono::minutes(3));
  HttpClient responder = server_.WithRole("responder");
  auto patched =
      responder.Patch("/api/v1/incidents/" + id, {{"impact", 1}, {"title", "Checkout down"}},
                      {{"If-Match", "\"1\""}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["version"], 2);
  EXPECT_EQ(patched.json()["lastModifiedAt"], "2026-01-01T00:03:00Z");
  EXPECT_EQ(patched.json()["lastModifiedBy"].get<std::string>().rfind("api-key/", 0), 0u);
  EXPECT_NE(patched.json()["lastModifiedBy"], i["createdBy"]);
  EXPECT_EQ(
      responder.Patch("/api/v1/incidents/" + id, {{"impact", 2}}, {{"If-Match", "\"1\""}}).status,
      412);

  // Fields kept in the stored body are read fresh after a change, also by
  // connections that decoded the old row before.
  for (int round = 0; round < 3; ++round) {
    const std::string summary = "round " + std::to_string(round);
    for (int read = 0; read < 4; ++read) ASSERT_EQ(admin_.Get("/api/v1/incidents").status, 200);
    ASSERT_EQ(admin_.Patch("/api/v1/incidents/" + id, {{"summary", summary}}).status, 200);
    for (int read = 0; read < 4; ++read) {
      auto list = admin_.Get("/api/v1/incidents");
      ASSERT_EQ(list.status, 200);
      EXPECT_EQ(list.json()["items"][0]["summary"], summary);
      EXPECT_EQ(admin_.Get("/api/v1/incidents/" + id).json()["summary"], summary);
    }
  }

  auto updates = Timeline(id, "?eventType=Incident%20Updated&sort=asc");
  ASSERT_EQ(updates.size(), 5u);
  std::set<std::string> fields;
  for (const auto& e : updates) {
    auto d = json::parse(e["eventData"].get<std::string>());
    fields.insert(d["field"]);
    if (d["field"] == "impact") {
      EXPECT_EQ(d["old"], 3);
      EXPECT_EQ(d["new"], 1);
    }
  }
  EXPECT_EQ(fields, (std::set<std::string>{"impact", "summary", "title"}));

  auto viewer = server_.WithRole("viewer");
  EXPECT_EQ(viewer.Patch("/api/v1/incidents/" + id, {{"impact", 2}}).status, 403);
  EXPECT_EQ(admin_.Patch("/api/v1/incidents/" + id, {{"impact", 0}}).status, 400);
  EXPECT_EQ(admin_.Patch("/api/v1/incidents/" + id, {{"status", "CLOSED"}}).status, 400);
  EXPECT_EQ(admin_.Patch("/api/v1/incidents/" + id, {{"chatChannels", {"ghost"}}}).status, 400);
  EXPECT_EQ(admin_.Patch("/api/v1/incidents/" + id, {{"arn", "x"}}).status, 400);
}

TEST_F(IncidentsTest, ResolveAndReopen) {
  json i = Start({{"responsePlan", "db-down"}});
  const std::string id = i["id"];
  server_.clock().Advance(std::chrono::minutes(10));
  auto resolved = admin_.Post("/api/v1/incidents/" + id + "/resolve", json::object());
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(resolved.json()["status"], "RESOLVED");
  EXPECT_EQ(resolved.json()["resolvedAt"], "2026-01-01T00:10:00Z");
  EXPECT_EQ(admin_.Post("/api/v1/incidents/" + id + "/resolve", json::object()).status, 409);

  auto reopened = admin_.Patch("/api/v1/incidents/" + id, {{"status", "OPEN"}});
  ASSERT_EQ(reopened.status, 200);
  EXPECT_TRUE(reopened.json()["resolvedAt"].is_null());
  EXPECT_EQ(
      Types(Timeline(id, "?sort=asc")),
      std::vector<std::string>({"Incident Created", "Incident Resolved", "Incident Reopened"}));

  // Reopening while another incident holds the dedupe string is a conflict.
  admin_.Post("/api/v1/incidents/" + id + "/resolve", json::object());
  json other = Start({{"responsePlan", "db-down"}});
  auto clash = admin_.Patch("/api/v1/incidents/" + id, {{"status", "OPEN"}});
  EXPECT_EQ(clash.status, 409);
  EXPECT_EQ(clash.json()["error"]["field"], "status");
  EXPECT_EQ(admin_.Post("/api/v1/incidents/nope/resolve", json::object()).status, 404);
}

TEST_F(IncidentsTest, NotesAndCustomEventsAreRevisedAndRedactedNotRewritten) {
  const std::string id = Start({{"responsePlan", "web"}})["id"];
  auto note =
      admin_.Post("/api/v1/incidents/" + id + "/timeline", {{"eventType", "Note"},
                                                            {"eventTime", "2026-01-01T00:01:00Z"},
                                                            {"eventData", "\"rolled back\""}});
  ASSERT_EQ(note.status, 201) << note.body;
  const std::string event_id = note.json()["eventId"];
  const int64_t first_seq = note.json()["sequence"];
  EXPECT_EQ(note.json()["system"], false);

  auto edited = admin_.Patch("/api/v1/incidents/" + id + "/timeline/" + event_id,
                             {{"eventData", "\"rolled back v2\""}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json()["eventId"], event_id);
  EXPECT_EQ(edited.json()["supersedes"], first_seq);
  EXPECT_EQ(admin_.Get("/api/v1/incidents/" + id + "/timeline/" + event_id).json()["eventData"],
            "\"rolled back v2\"");
  auto notes = Timeline(id, "?eventType=Note");
  ASSERT_EQ(notes.size(), 1u);  // The listing shows the latest revision only.

  EXPECT_EQ(admin_.Delete("/api/v1/incidents/" + id + "/timeline/" + event_id).status, 204);
  EXPECT_EQ(admin_.Get("/api/v1/incidents/" + id + "/timeline/" + event_id).status, 404);
  EXPECT_EQ(Timeline(id, "?eventType=Note").size(), 0u);
  EXPECT_EQ(admin_.Delete("/api/v1/incidents/" + id + "/timeline/" + event_id).status, 404);

  // System entries cannot be edited or deleted.
  const std::string created = Timeline(id, "?eventType=Incident%20Created")[0]["eventId"];
  EXPECT_EQ(
      admin_.Patch("/api/v1/incidents/" + id + "/timeline/" + created, {{"eventData", "\"x\""}})
          .status,
      409);
  EXPECT_EQ(admin_.Delete("/api/v1/incidents/" + id + "/timeline/" + created).status, 409);

  // Validation.
  auto post = [&](json body) { return admin_.Post("/api/v1/incidents/" + id + "/timeline", body); };
  EXPECT_EQ(post({{"eventType", "Incident Created"}, {"eventData", "x"}}).status, 400);
  EXPECT_EQ(post({{"eventType", "Note"}, {"eventData", std::string(12001, 'x')}}).status, 400);
  EXPECT_EQ(post({{"eventType", "Note"}, {"eventData", ""}}).status, 400);
  EXPECT_EQ(post({{"eventType", "Note"},
                  {"eventData", "x"},
                  {"eventReferences", {{{"resource", "not-an-arn"}}}}})
                .status,
            400);
  EXPECT_EQ(post({{"eventType", "Note"},
                  {"eventData", "x"},
                  {"eventReferences", {{{"relatedItemId", "related-item/OTHER/00"}}}}})
                .status,
            400);
  EXPECT_EQ(
      admin_.Post("/api/v1/incidents/ghost/timeline", {{"eventType", "Note"}, {"eventData", "x"}})
          .status,
      404);
}

TEST_F(IncidentsTest, TimelineFiltersSortAndPages) {
  const std::string id = Start({{"responsePlan", "web"}})["id"];
  for (int m = 1; m <= 7; ++m) {
    char t[32];
    std::snprintf(t, sizeof(t), "2026-01-01T01:%02d:00Z", m);
    ASSERT_EQ(admin_
                  .Post("/api/v1/incidents/" + id + "/timeline",
                        {{"eventType", m % 2 ? "Note" : "Custom Event"},
                         {"eventTime", t},
                         {"eventData", std::to_string(m)}})
                  .status,
              201);
  }
  auto desc = Timeline(id);
  ASSERT_EQ(desc.size(), 8u);
  EXPECT_EQ(desc[0]["eventData"], "7");
  auto asc = Timeline(id, "?sort=asc");
  EXPECT_EQ(asc[0]["eventType"], "Incident Created");
  EXPECT_EQ(Timeline(id, "?eventType=Note").size(), 4u);
  EXPECT_EQ(Timeline(id, "?eventType=Note&eventType=Custom%20Event").size(), 7u);
  EXPECT_EQ(Timeline(id, "?after=2026-01-01T01:03:00Z&before=2026-01-01T01:06:00Z").size(), 2u);
  std::vector<std::string> seen;
  std::string cursor;
  do {
    auto page = admin_
                    .Get("/api/v1/incidents/" + id + "/timeline?sort=asc&limit=3" +
                         (cursor.empty() ? "" : "&cursor=" + cursor))
                    .json();
    for (const auto& e : page["items"]) seen.push_back(e["eventData"]);
    cursor = page["nextCursor"].is_null() ? "" : page["nextCursor"].get<std::string>();
  } while (!cursor.empty());
  ASSERT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen[7], "7");
  EXPECT_EQ(admin_.Get("/api/v1/incidents/" + id + "/timeline?sort=sideways").status, 400);
  EXPECT_EQ(admin_.Get("/api/v1/incidents/" + id + "/timeline?cursor=zzz").status, 400);
}

TEST_F(IncidentsTest, RelatedItems) {
  const std::string id =
      Start({{"responsePlan", "web"},
             {"relatedItems",
              {{{"type", "INVOLVED_RESOURCE"},
                {"arn", "arn:aws:ec2:us-east-1:123456789012:instance/i-1"}}}}})["id"];
  auto list = admin_.Get("/api/v1/incidents/" + id + "/related-items").json()["items"];
  ASSERT_EQ(list.size(), 1u);
  const std::string first = list[0]["id"];
  EXPECT_EQ(first.rfind("related-item/INVOLVED_RESOURCE/", 0), 0u);
  EXPECT_EQ(first.size(), std::string("related-item/INVOLVED_RESOURCE/").size() + 32);

  auto added = admin_.Post(
      "/api/v1/incidents/" + id + "/related-items",
      {{"type", "OTHER"}, {"url", "https://status.example.com/x"}, {"title", "status page"}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(admin_
                .Post("/api/v1/incidents/" + id + "/related-items",
                      {{"type", "OTHER"}, {"url", "https://status.example.com/x"}})
                .status,
            409);
  EXPECT_EQ(admin_
                .Post("/api/v1/incidents/" + id + "/related-items",
                      {{"type", "OTHER"}, {"url", "ftp://x"}})
                .status,
            400);
  EXPECT_EQ(admin_
                .Post("/api/v1/incidents/" + id + "/related-items",
                      {{"type", "METRIC"}, {"arn", "x"}, {"url", "https://a.b"}})
                .status,
            400);
  // A note may reference a related item of the incident.
  EXPECT_EQ(admin_
                .Post("/api/v1/incidents/" + id + "/timeline",
                      {{"eventType", "Note"},
                       {"eventData", "see"},
                       {"eventReferences", {{{"relatedItemId", added.json()["id"]}}}}})
                .status,
            201);
  std::string encoded = added.json()["id"];
  for (size_t p = 0; (p = encoded.find('/', p)) != std::string::npos;) encoded.replace(p, 1, "%2F");
  EXPECT_EQ(admin_.Delete("/api/v1/incidents/" + id + "/related-items/" + encoded).status, 204);
  EXPECT_EQ(admin_.Delete("/api/v1/incidents/" + id + "/related-items/" + encoded).status, 404);
  EXPECT_EQ(
      Types(Timeline(id, "?eventType=Related%20Item%20Added,Related%20Item%20Removed&sort=asc")),
      std::vector<std::string>(
          {"Related Item Added", "Related Item Added", "Related Item Removed"}));
  for (int i = 0; i < 49; ++i) {
    ASSERT_EQ(admin_
                  .Post("/api/v1/incidents/" + id + "/related-items",
                        {{"type", "OTHER"}, {"url", "https://x.example/" + std::to_string(i)}})
                  .status,
              201);
  }
  EXPECT_EQ(admin_
                .Post("/api/v1/incidents/" + id + "/related-items",
                      {{"type", "OTHER"}, {"url", "https://x.example/50"}})
                .status,
            409);  // 50 per incident.
}

TEST_F(IncidentsTest, CheckpointSignsTheCurrentLedgerAndAuditEntriesAreInIt) {
  Start({{"responsePlan", "web"}});
  auto cp = admin_.Get("/api/v1/ledger/checkpoint");
  ASSERT_EQ(cp.status, 200) << cp.body;
  const json c = cp.json();
  // Two plans created (audit) + one incident created = 3 entries.
  EXPECT_EQ(c["size"], 3);
  const std::string note = c["note"];
  EXPECT_NE(
      note.find(c["origin"].get<std::string>() + "\n3\n" + c["root"].get<std::string>() + "\n"),
      std::string::npos);
  EXPECT_NE(note.find("\xE2\x80\x94 " + c["origin"].get<std::string>() + " "), std::string::npos);
  EXPECT_EQ(c["verifierKey"].get<std::string>().rfind(c["origin"].get<std::string>() + "+", 0), 0u);
  // Asking again without new entries returns the same checkpoint.
  EXPECT_EQ(admin_.Get("/api/v1/ledger/checkpoint").json()["note"], note);
}

}  // namespace
}  // namespace tocsin::test
