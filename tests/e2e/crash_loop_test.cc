// The crash loop (issue #9 §1): the real binary under load is killed again
// and again, and every restart is checked.
//
// Each cycle starts `tocsin serve` on the same database with its clock one
// minute and a second later than the cycle before (test-build clock offset),
// so escalation retries fall due while it is down. Three clients then start
// incidents (each engages alice: a page now and again every minute for three
// minutes),
// acknowledge pages and resolve incidents. The process dies by SIGKILL at a
// random moment or, every fourth cycle, at the n-th arrival at a named crash
// point. After each restart (except in cycles with a crash point, which may
// die during the checks; their checks fall to the next cycle):
//  - every write acknowledged (2xx) before the kill is there: incidents,
//    resolutions, acknowledgements;
//  - no page was handed to the carrier twice (the spool file);
//  - every step that fell due while it was down fires;
//  - PRAGMA integrity_check is ok (after every kill) and the ledger
//    verifies (every fifth restart, and at the end with `tocsin verify`).
// At the end:
//  - no job is still pending past its due time (every overdue step fired);
//  - no job fired later after its due time than the longest outage (server
//    time from the death of a server that had fired its backlog to the next
//    such server listening) + 5 s;
//  - every SENT page reached the carrier exactly once, and any other page is
//    UNKNOWN (caught in a hand-over) or stopped.
//
// TOCSIN_CRASH_LOOP_KILLS sets the number of kills (default 200; the long
// form: TOCSIN_CRASH_LOOP_KILLS=2000 build/dev/tests/tocsin_crash_loop_tests).
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support/binary_pager.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/wait_for.h"

namespace tocsin::test {
namespace {

using nlohmann::json;

constexpr int64_t kDowntimeMs = 61'000;  // Server time that passes per restart.
constexpr const char* kCrashPoints[] = {"engage.page_committed", "notify.before_send",
                                        "notify.after_send",     "store.mid_batch",
                                        "store.before_commit",   "store.after_commit"};

int Kills() {
  const char* n = std::getenv("TOCSIN_CRASH_LOOP_KILLS");
  return n != nullptr ? std::max(1, std::atoi(n)) : 200;
}

// What the clients were told was done (2xx), since the last check.
struct Acknowledged {
  std::mutex mu;
  std::vector<std::string> incidents;  // Started.
  std::vector<std::string> resolved;   // Incident ids.
  std::vector<std::string> pages;      // Accepted page ids.
  std::vector<std::string> open;       // Started, not yet resolved (all cycles).
};

class CrashLoopTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env(int cycle, const std::string& crash) const {
    auto env = pager_.Env(std::to_string(cycle * kDowntimeMs));
    if (!crash.empty()) env["TOCSIN_CRASH_POINT"] = crash;
    return env;
  }

  void SetUpPlan(HttpClient& c) const {
    pager_.Person(
        c, "alice",
        json::parse(R"([{"durationInMinutes":3,"targets":[{"retryIntervalInMinutes":1}]}])"));
    auto plan = c.Post("/api/v1/response-plans",
                       {{"name", "crash"},
                        {"incidentTemplate", {{"title", "crash loop"}, {"impact", 2}}},
                        {"engagements", {"alice"}}});
    ASSERT_EQ(plan.status, 201) << plan.body;
  }

  // Runs three clients against `port` until `stop`; records what got a 2xx.
  void Load(uint16_t port, int cycle, std::atomic<bool>& stop) {
    std::vector<std::thread> clients;
    clients.emplace_back([&, port, cycle] {
      HttpClient c(port);
      c.SetToken(BinaryPager::kKey);
      for (int i = 0; !stop; ++i) {
        const std::string token = "c" + std::to_string(cycle) + "-" + std::to_string(i);
        auto r = c.Post("/api/v1/incidents",
                        {{"responsePlan", "crash"}, {"title", token}, {"clientToken", token}});
        if (r.status == 0) return;  // The server is gone.
        if (r.status == 201) {
          std::lock_guard<std::mutex> lock(acked_.mu);
          acked_.incidents.push_back(r.json()["id"]);
          acked_.open.push_back(r.json()["id"]);
        }
      }
    });
    for (int worker = 0; worker < 2; ++worker) {
      clients.emplace_back([&, port, worker] {
        HttpClient c(port);
        c.SetToken(BinaryPager::kKey);
        std::mt19937 rng(static_cast<unsigned>(cycle * 2 + worker));
        while (!stop) {
          std::string incident;
          {
            std::lock_guard<std::mutex> lock(acked_.mu);
            if (!acked_.open.empty()) {
              incident = acked_.open[rng() % acked_.open.size()];
            }
          }
          if (incident.empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
          }
          if (worker == 0) {
            auto pages = c.Get("/api/v1/pages?incident=" + incident);
            if (pages.status == 0) return;
            if (pages.status != 200 || pages.json()["items"].empty()) continue;
            const std::string page = pages.json()["items"][0]["id"];
            auto r =
                c.Post("/api/v1/pages/" + page + "/accept", {{"acceptCodeValidation", "IGNORE"}});
            if (r.status == 0) return;
            if (r.status == 200) {
              std::lock_guard<std::mutex> lock(acked_.mu);
              acked_.pages.push_back(page);
            }
          } else if (rng() % 4 == 0) {
            auto r = c.Post("/api/v1/incidents/" + incident + "/resolve", json::object());
            if (r.status == 0) return;
            if (r.status == 200) {
              std::lock_guard<std::mutex> lock(acked_.mu);
              acked_.resolved.push_back(incident);
              std::erase(acked_.open, incident);
            }
          }
        }
      });
    }
    for (auto& t : clients) t.join();
  }

  // Checks that everything acknowledged before the last kill survived, then
  // forgets it (the next check covers the next cycle's writes).
  void CheckAcknowledgedWrites(HttpClient& c, int cycle) {
    std::lock_guard<std::mutex> lock(acked_.mu);
    for (const auto& id : acked_.incidents) {
      EXPECT_EQ(c.Get("/api/v1/incidents/" + id).status, 200)
          << "cycle " << cycle << ": acknowledged incident " << id << " was lost";
    }
    for (const auto& id : acked_.resolved) {
      EXPECT_EQ(c.Get("/api/v1/incidents/" + id).json()["status"], "RESOLVED")
          << "cycle " << cycle << ": resolution of " << id << " was lost";
    }
    for (const auto& id : acked_.pages) {
      auto page = c.Get("/api/v1/pages/" + id).json();
      EXPECT_TRUE(page.value("acknowledged", false))
          << "cycle " << cycle << ": acknowledgement of " << id << " was lost: " << page.dump();
    }
    total_checked_ += acked_.incidents.size() + acked_.resolved.size() + acked_.pages.size();
    acked_.incidents.clear();
    acked_.resolved.clear();
    acked_.pages.clear();
  }

  void CheckNothingHandedTwice(int cycle) {
    for (const auto& [page, n] : pager_.HandedOver()) {
      EXPECT_LE(n, 1) << "cycle " << cycle << ": page " << page << " was handed over " << n
                      << " times";
    }
  }

  // How many jobs are still PENDING though due before `server_ms`.
  int64_t OverdueJobs(int64_t server_ms) const {
    auto n = pager_.Query("SELECT count(*) FROM jobs WHERE state = 'PENDING' AND due_at < " +
                          std::to_string(server_ms));
    return n.empty() ? -1 : std::stoll(n.front());
  }

  BinaryPager pager_;
  Acknowledged acked_;
  size_t total_checked_ = 0;
};

TEST_F(CrashLoopTest, NoAcknowledgedWriteLostNothingPagedTwiceEveryOverdueStepFired) {
  const int kills = Kills();
  std::mt19937 rng(20261123);
  int deaths = 0;
  // Server time (real time plus the cycle's offset) when the last server that
  // fired everything due (a cycle without a crash point) died, and the
  // longest outage: from such a death to the next such server listening.
  // Servers of crash-point cycles in between may die before they fire their
  // backlog, so they count as down. A job can be late by an outage (plus
  // 5 s, for a server killed just as the job fell due), and no more.
  auto server_now = [](int cycle) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count() +
           cycle * kDowntimeMs;
  };
  int64_t down_since = 0;
  int64_t longest_outage = 0;
  int crash_point_deaths = 0;
  for (int cycle = 0; cycle <= kills && !HasFailure(); ++cycle) {
    const bool last = cycle == kills;
    // Every fourth cycle dies at a named crash point, the n-th time it is
    // reached (which may be while it recovers, before it listens).
    std::string crash;
    if (cycle % 4 == 3 && !last) {
      crash = std::string(kCrashPoints[static_cast<size_t>(cycle / 4) % std::size(kCrashPoints)]) +
              ":" + std::to_string(1 + rng() % 8);
    }
    ServerProcess server;
    if (!server.Start(pager_.Args(), Env(cycle, crash))) {
      ASSERT_TRUE(!crash.empty() && server.Wait(10'000) == 137)
          << "cycle " << cycle << ": " << server.Output();
      ++deaths;
      ++crash_point_deaths;
      continue;
    }
    if (crash.empty() && down_since != 0) {
      longest_outage = std::max(longest_outage, server_now(cycle) - down_since);
    }
    HttpClient c(server.port());
    c.SetToken(BinaryPager::kKey);
    if (cycle == 0) {
      SetUpPlan(c);
      ASSERT_FALSE(HasFatalFailure());
    } else if (crash.empty()) {
      // (A cycle with a crash point may die at any moment, checks included:
      // what it would check waits for the next cycle.)
      CheckAcknowledgedWrites(c, cycle);
      // The ledger verifier reads every entry: every fifth restart.
      if (cycle % 5 == 0) {
        auto verify = c.Get("/api/v1/ledger/verify");
        EXPECT_TRUE(verify.status == 429 || verify.json().value("ok", false))
            << "cycle " << cycle << ": " << verify.status << " " << verify.body;
      }
      CheckNothingHandedTwice(cycle);
      // Every step that fell due while the server was down fires now.
      EXPECT_TRUE(WaitFor([&] { return OverdueJobs(server_now(cycle) - 2000) == 0; }))
          << "cycle " << cycle << ": overdue jobs did not fire";
    }
    if (last) {
      server.Signal(SIGTERM);
      EXPECT_EQ(server.Wait(30'000), 0) << server.Output();
      break;
    }

    std::atomic<bool> stop{false};
    std::thread load([&] { Load(server.port(), cycle, stop); });
    if (!crash.empty() && server.Wait(3000).has_value()) {
      ++crash_point_deaths;
    } else {
      if (crash.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 300));
      server.Signal(SIGKILL);
      server.Wait(10'000);
    }
    if (crash.empty()) down_since = server_now(cycle);
    ++deaths;
    stop = true;
    load.join();
    EXPECT_EQ(pager_.IntegrityCheck(), "ok") << "cycle " << cycle;
  }
  EXPECT_EQ(deaths, kills);

  const auto lateness =
      pager_.Query("SELECT coalesce(max(fired_at - due_at), 0) FROM jobs WHERE state = 'DONE'");
  const int64_t worst = lateness.empty() ? 0 : std::stoll(lateness.front());
  EXPECT_LE(worst, longest_outage + 5'000);
  RecordProperty("longest_outage_ms", static_cast<int>(longest_outage));
  RecordProperty("kills", deaths);
  RecordProperty("crash_point_deaths", crash_point_deaths);
  RecordProperty("acknowledged_writes_checked", static_cast<int>(total_checked_));
  RecordProperty("worst_lateness_ms", static_cast<int>(worst));
  std::printf(
      "crash loop: %d kills (%d at crash points), %zu acknowledged writes checked, "
      "worst job lateness %lld ms, longest outage %lld ms (server time)\n",
      deaths, crash_point_deaths, total_checked_, static_cast<long long>(worst),
      static_cast<long long>(longest_outage));

  pager_.ExpectIntact();
  CheckNothingHandedTwice(kills);
  EXPECT_GT(crash_point_deaths, 0);
  EXPECT_GT(total_checked_, static_cast<size_t>(kills));
}

}  // namespace
}  // namespace tocsin::test
