// Wall-clock steps under the real binary (issue #9 §4): `tocsin serve` runs
// under libfaketime with the monotonic clock left real, and the test steps
// the wall clock by rewriting libfaketime's timestamp file while an
// escalation is pending:
//  - back 1 h: nothing fires again and nothing fires early;
//  - forward 2 h (1 h past the start): every overdue step fires, once;
//  - back 1 h again: nothing re-fires.
// Every step is an "Audit" entry (action "clock-step") in the ledger; at the
// end nothing was handed to the carrier twice, PRAGMA integrity_check is ok
// and the ledger verifies.
#include <glob.h>
#include <signal.h>

#include <cstdlib>
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
using std::chrono::hours;

// Debian's libfaketime, the variant for threaded programs (package
// libfaketime, installed by scripts/bootstrap.sh).
std::string LibFaketime() {
  glob_t found{};
  std::string path;
  if (::glob("/usr/lib/*/faketime/libfaketimeMT.so.1", 0, nullptr, &found) == 0 &&
      found.gl_pathc > 0) {
    path = found.gl_pathv[0];
  }
  ::globfree(&found);
  return path;
}

class ClockJumpE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(LibFaketime().empty()) << "libfaketime is missing: run scripts/bootstrap.sh test";
    SetOffset("+0");
  }

  std::map<std::string, std::string> Env() const {
    auto env = pager_.Env();
    env["LD_PRELOAD"] = LibFaketime();
    env["FAKETIME_TIMESTAMP_FILE"] = faketime_file_;
    env["FAKETIME_NO_CACHE"] = "1";
    env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1";
    // ASan wants to be first in the library list; libfaketime is preloaded.
    const char* asan = std::getenv("ASAN_OPTIONS");
    env["ASAN_OPTIONS"] = std::string(asan != nullptr ? asan : "") + ":verify_asan_link_order=0";
    // Under TSan: libfaketime's own races are not ours.
    const char* tsan = std::getenv("TSAN_OPTIONS");
    env["TSAN_OPTIONS"] = std::string(tsan != nullptr ? tsan : "") +
                          ":suppressions=" TOCSIN_SOURCE_DIR "/tests/support/tsan_libfaketime.supp";
    return env;
  }

  // The wall clock of the server is real time plus `offset` ("+1h", "-1h").
  void SetOffset(const std::string& offset) const {
    std::ofstream(faketime_file_) << offset << "\n";
  }

  // Waits for the `n`-th recorded clock step and checks its size.
  void ExpectStep(size_t n, std::chrono::milliseconds step) {
    std::vector<json> steps;
    ASSERT_TRUE(WaitFor([&] {
      steps = pager_.AuditEntries("clock-step");
      return steps.size() >= n;
    })) << "clock step "
        << n << " was not recorded";
    const auto ms = steps[n - 1]["stepMs"].get<int64_t>();
    EXPECT_NEAR(static_cast<double>(ms), static_cast<double>(step.count()), 5000.0)
        << steps[n - 1].dump();
  }

  // The pages of the engagement once the writer has committed everything the
  // scheduler queued so far (/readyz is a write that queues behind them).
  json PagesNow(HttpClient& c, const std::string& engagement) {
    for (int i = 0; i < 2; ++i) EXPECT_EQ(c.Get("/readyz").status, 200);
    return c.Get("/api/v1/pages?engagement=" + engagement).json()["items"];
  }

  BinaryPager pager_;
  std::string faketime_file_ = pager_.File("faketime.rc");
};

TEST_F(ClockJumpE2eTest, OverdueStepsFireOnceAndNothingReFires) {
  ServerProcess server;
  ASSERT_TRUE(server.Start(pager_.Args(), Env())) << server.Output();
  HttpClient c(server.port());
  c.SetToken(BinaryPager::kKey);
  const std::string engagement = pager_.EngageEscalation(c);
  ASSERT_FALSE(engagement.empty());

  // Back 1 h: alice's retry (2 min) and bob's stage (5 min) are now 1 h away.
  SetOffset("-1h");
  ExpectStep(1, -hours(1));
  EXPECT_EQ(PagesNow(c, engagement).size(), 1u);

  // Forward to 1 h past the start: alice's retries and bob's stage (due at
  // 5 min) are overdue. Bob's stage lasts 10 minutes from when it started.
  SetOffset("+1h");
  ExpectStep(2, hours(2));
  json pages;
  ASSERT_TRUE(WaitFor([&] {
    pages = pager_.SettledPages(c, engagement, 1);
    return std::any_of(pages.begin(), pages.end(),
                       [](const json& p) { return p["contactAlias"] == "bob"; });
  })) << pages.dump(1);
  pages = PagesNow(c, engagement);
  std::set<std::pair<std::string, int>> steps;
  std::map<std::string, int> last_attempt;
  for (const auto& p : pages) {
    EXPECT_EQ(p["state"], "SENT") << p.dump();
    const std::string who = p["contactAlias"];
    const int attempt = p["attempt"];
    EXPECT_TRUE(steps.insert({who, attempt}).second) << "fired twice: " << p.dump();
    last_attempt[who] = std::max(last_attempt[who], attempt);
  }
  // Each contact's attempts are 1..n without gaps, and bob's stage fired.
  for (const auto& last : last_attempt) {
    const std::string& who = last.first;  // Not a structured binding: lambdas capture it.
    EXPECT_EQ(static_cast<int>(std::count_if(steps.begin(), steps.end(),
                                             [&](const auto& s) { return s.first == who; })),
              last.second)
        << who;
  }
  EXPECT_TRUE(steps.count({"bob", 1})) << pages.dump(1);
  EXPECT_GE(last_attempt["alice"], 3) << pages.dump(1);

  // Back 1 h again: what already fired stays fired.
  SetOffset("+0");
  ExpectStep(3, -hours(1));
  EXPECT_EQ(PagesNow(c, engagement).size(), pages.size());

  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(30'000), 0) << server.Output();
  const auto handed = pager_.HandedOver();
  EXPECT_EQ(handed.size(), pages.size());
  for (const auto& [id, n] : handed) EXPECT_EQ(n, 1) << id;
  pager_.ExpectIntact();
}

}  // namespace
}  // namespace tocsin::test
