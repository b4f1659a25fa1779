#include <gtest/gtest.h>

#include "tocsin/codec/json_reader.h"
#include "tocsin/codec/ledger.h"
#include "tocsin/core/time.h"

namespace tocsin::codec {
namespace {

domain::Incident Full() {
  domain::Incident i;
  i.id = "inc-1";
  i.arn = "arn:aws:ssm-incidents::1:incident-record/db/inc-1";
  i.title = "DB \"primary\" down\n";
  i.summary = "caf\xC3\xA9 \\ done";
  i.status = domain::IncidentStatus::kResolved;
  i.impact = 2;
  i.response_plan_name = "db";
  i.response_plan_id = "plan-1";
  i.dedupe_string = "d";
  i.created_at = FromUnixMillis(1'772'460'000'000);
  i.resolved_at = FromUnixMillis(1'772'460'060'500);
  i.updated_at = FromUnixMillis(1'772'460'060'500);
  i.updated_by = "alice";
  i.created_by = "bob";
  i.source = "tocsin.api";
  i.tags = {{"team", "db"}, {"a\"b", "c"}};
  i.chat_channel_ids = {"ch-1", "ch-2"};
  i.notification_target_ids = {"t-1"};
  i.version = 7;
  i.resource_arn = "arn:aws:rds:::db";
  i.trigger = domain::TriggerDetails{"aws.cloudwatch", FromUnixMillis(1'772'459'999'000),
                                     "arn:alarm", "{\"raw\":1}"};
  return i;
}

TEST(IncidentJsonTest, TextCarriesEveryFieldInTheApiForm) {
  const std::string text = IncidentJsonText(Full());
  auto j = ParseJson(text);
  ASSERT_TRUE(j.ok()) << text;
  EXPECT_EQ(Dump(*j), text);  // Already canonical: no spaces, keys as rendered.
  EXPECT_EQ(j->at("id"), "inc-1");
  EXPECT_EQ(j->at("title"), "DB \"primary\" down\n");
  EXPECT_EQ(j->at("summary"), "caf\xC3\xA9 \\ done");
  EXPECT_EQ(j->at("status"), "RESOLVED");
  EXPECT_EQ(j->at("impact"), 2);
  EXPECT_EQ(j->at("createdAt"), "2026-03-02T14:00:00Z");
  EXPECT_EQ(j->at("resolvedAt"), "2026-03-02T14:01:00.500Z");
  EXPECT_EQ(j->at("lastModifiedBy"), "alice");
  EXPECT_EQ(j->at("tags").at("a\"b"), "c");
  EXPECT_EQ(j->at("chatChannels").size(), 2u);
  EXPECT_EQ(j->at("notificationTargets").at(0), "t-1");
  EXPECT_EQ(j->at("version"), 7);
  EXPECT_EQ(j->at("resourceArn"), "arn:aws:rds:::db");
  EXPECT_EQ(j->at("triggerDetails").at("triggerArn"), "arn:alarm");
  EXPECT_EQ(j->at("triggerDetails").at("rawData"), "{\"raw\":1}");
  EXPECT_EQ(j->at("triggerDetails").at("timestamp"), "2026-03-02T13:59:59Z");
  // The tree form is the same document.
  EXPECT_EQ(Dump(IncidentToJson(Full())), text);
}

TEST(IncidentJsonTest, OptionalFieldsAreNullOrLeftOut) {
  domain::Incident i;
  i.id = "inc-2";
  auto j = ParseJson(IncidentJsonText(i));
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE(j->at("resolvedAt").is_null());
  EXPECT_TRUE(j->at("tags").is_object());
  EXPECT_TRUE(j->at("tags").empty());
  EXPECT_TRUE(j->at("chatChannels").is_array());
  EXPECT_FALSE(j->contains("resourceArn"));
  EXPECT_FALSE(j->contains("triggerDetails"));
}

}  // namespace
}  // namespace tocsin::codec
