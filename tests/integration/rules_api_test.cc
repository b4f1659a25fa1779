// POST /api/v1/rules/test: EventBridge's TestEventPattern over HTTP. The
// pattern language itself is tested in tests/unit/rules.
#include <gtest/gtest.h>

#include "support/http_client.h"
#include "support/test_server.h"

namespace tocsin::test {
namespace {

using nlohmann::json;

const json kAlarm = {{"source", "aws.cloudwatch"},
                     {"detail-type", "CloudWatch Alarm State Change"},
                     {"detail", {{"alarmName", "db-cpu"}, {"state", {{"value", "ALARM"}}}}}};

TEST(RulesApiTest, TestEventPatternAnswersMatchOrTheReason) {
  TestServer server;
  HttpClient admin = server.Admin();
  auto yes = admin.Post(
      "/api/v1/rules/test",
      {{"pattern",
        {{"source", {"aws.cloudwatch"}}, {"detail", {{"state", {{"value", {"ALARM"}}}}}}}},
       {"event", kAlarm}});
  ASSERT_EQ(yes.status, 200) << yes.body;
  EXPECT_EQ(yes.json()["match"], true);

  // Strings holding JSON, as AWS takes them.
  auto no = admin.Post(
      "/api/v1/rules/test",
      {{"pattern", R"({"detail":{"alarmName":[{"prefix":"web-"}]}})"}, {"event", kAlarm.dump()}});
  ASSERT_EQ(no.status, 200) << no.body;
  EXPECT_EQ(no.json()["match"], false);

  auto bad = admin.Post("/api/v1/rules/test",
                        {{"pattern", {{"source", {{{"prefix", 5}}}}}}, {"event", kAlarm}});
  ASSERT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.json()["error"]["message"].get<std::string>().find("Event pattern is not valid"),
            std::string::npos)
      << bad.body;

  EXPECT_EQ(admin.Post("/api/v1/rules/test", {{"event", kAlarm}}).status, 400);
  EXPECT_EQ(server.Anonymous().Post("/api/v1/rules/test", {{"pattern", "{}"}}).status, 401);
  EXPECT_EQ(server.WithRole("viewer")
                .Post("/api/v1/rules/test", {{"pattern", {{"source", {"x"}}}}, {"event", kAlarm}})
                .status,
            200);
}

}  // namespace
}  // namespace tocsin::test
