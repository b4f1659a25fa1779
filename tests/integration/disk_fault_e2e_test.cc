// A full disk and a failing disk under the real binary (issue #9 §3), made by
// the fault-injecting VFS of test builds (TOCSIN_TEST_DISK_FAULT names its
// control file; see tocsin/store/fault_vfs.h).
//
// Full disk: escalation steps that come due while the disk is full still page
// (the store hands them its space reserve) and acknowledgements still stop
// paging, while every other mutating request gets 503 (never 2xx), reads keep
// working and /readyz says why; when space returns the server recovers by
// itself. A failing disk (EIO): writes get 503, reads work, and the server
// recovers when the disk does. Afterwards: nothing was paged twice or
// unexpectedly, PRAGMA integrity_check is ok and the ledger verifies.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "support/binary_pager.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/wait_for.h"

namespace tocsin::test {
namespace {

using nlohmann::json;

class DiskFaultE2eTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env(const std::string& offset_ms = "") const {
    auto env = pager_.Env(offset_ms);
    env["TOCSIN_TEST_DISK_FAULT"] = control_;
    return env;
  }
  void SetFault(const std::string& fault) const { std::ofstream(control_) << fault << "\n"; }
  void ClearFault() const { std::filesystem::remove(control_); }

  static HttpResult NewIncidentPlan(HttpClient& c, const std::string& name) {
    return c.Post("/api/v1/response-plans",
                  {{"name", name}, {"incidentTemplate", {{"title", "t"}, {"impact", 3}}}});
  }

  // What a client sees while writes fail: 503 for a mutation, 200 for reads
  // and /healthz, 503 with `reason` from /readyz.
  void ExpectWritesRefused(HttpClient& c, const std::string& reason) {
    auto created = NewIncidentPlan(c, "refused");
    EXPECT_EQ(created.status, 503) << created.body;
    EXPECT_EQ(c.Get("/api/v1/contacts").status, 200);
    EXPECT_EQ(c.Get("/healthz").status, 200);
    auto ready = c.Get("/readyz");
    EXPECT_EQ(ready.status, 503) << ready.body;
    EXPECT_NE(ready.body.find(reason), std::string::npos) << ready.body;
  }

  // Space (or the disk) is back: /readyz turns 200 by itself and writes work.
  void ExpectRecovery(HttpClient& c) {
    EXPECT_TRUE(WaitFor([&] { return c.Get("/readyz").status == 200; }, std::chrono::seconds(20)));
    auto created = NewIncidentPlan(c, "after");
    EXPECT_EQ(created.status, 201) << created.body;
  }

  BinaryPager pager_;
  std::string control_ = pager_.File("disk-fault");
};

TEST_F(DiskFaultE2eTest, FullDiskPagesOnRefusesRequestsAndRecovers) {
  std::string engagement;
  {
    ServerProcess server;
    ASSERT_TRUE(server.Start(pager_.Args(), Env())) << server.Output();
    HttpClient c(server.port());
    c.SetToken(BinaryPager::kKey);
    engagement = pager_.EngageEscalation(c);
    ASSERT_FALSE(engagement.empty());
    server.Signal(SIGTERM);
    ASSERT_EQ(server.Wait(30'000), 0) << server.Output();
  }
  // The disk fills up while the server is down; it comes back 5.5 minutes
  // later, when alice's retries (2, 4 min) and bob's stage (5 min) are due.
  SetFault("full");
  const std::string later = std::to_string(5 * 60'000 + 30'000);
  ServerProcess server;
  ASSERT_TRUE(server.Start(pager_.Args(), Env(later))) << server.Output();
  HttpClient c(server.port());
  c.SetToken(BinaryPager::kKey);
  json pages = pager_.SettledPages(c, engagement, 4);
  ASSERT_EQ(pages.size(), 4u) << pages.dump(1) << server.Output();
  std::multiset<std::string> fired;
  for (const auto& p : pages) {
    EXPECT_EQ(p["state"], "SENT") << p.dump();
    fired.insert(p["contactAlias"].get<std::string>() + "#" +
                 std::to_string(p["attempt"].get<int>()));
  }
  EXPECT_EQ(fired, (std::multiset<std::string>{"alice#1", "alice#2", "alice#3", "bob#1"}));

  ExpectWritesRefused(c, "the disk is full");
  // Acknowledging stops paging, so it goes on while the disk is full.
  std::string bob_page;
  for (const auto& p : pages) {
    if (p["contactAlias"] == "bob") bob_page = p["id"];
  }
  auto ack = c.Post("/api/v1/pages/" + bob_page + "/accept", {{"acceptCodeValidation", "IGNORE"}});
  EXPECT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(c.Get("/api/v1/engagements/" + engagement).json()["state"], "ACKNOWLEDGED");

  ClearFault();
  ExpectRecovery(c);
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(30'000), 0) << server.Output();

  // Every page reached the carrier exactly once, and nothing else did.
  const auto handed = pager_.HandedOver();
  EXPECT_EQ(handed.size(), 4u);
  for (const auto& p : pages) EXPECT_EQ(handed.at(p["id"]), 1) << p.dump();
  pager_.ExpectIntact();
}

TEST_F(DiskFaultE2eTest, FailingDiskRefusesWritesAndRecovers) {
  ServerProcess server;
  ASSERT_TRUE(server.Start(pager_.Args(), Env())) << server.Output();
  HttpClient c(server.port());
  c.SetToken(BinaryPager::kKey);
  ASSERT_EQ(NewIncidentPlan(c, "before").status, 201);

  SetFault("eio");
  ExpectWritesRefused(c, "disk I/O error");
  // Still refused on a second try: nothing is accepted on the way.
  EXPECT_EQ(NewIncidentPlan(c, "refused-again").status, 503);
  EXPECT_EQ(c.Get("/api/v1/response-plans/before").status, 200);

  ClearFault();
  ExpectRecovery(c);
  EXPECT_EQ(c.Get("/api/v1/response-plans/refused").status, 404);
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(30'000), 0) << server.Output();
  EXPECT_TRUE(pager_.Spool("page").empty());
  pager_.ExpectIntact();
}

}  // namespace
}  // namespace tocsin::test
