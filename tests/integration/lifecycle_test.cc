// The real binary: start-up errors, SIGTERM during a burst of writes losing
// no acknowledged write, restart, online backup.
#include <signal.h>

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support/binary_pager.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/test_server.h"

namespace tocsin::test {
namespace {

const std::map<std::string, std::string> kEnv = {{"TOCSIN_BOOTSTRAP_KEY", kAdminToken},
                                                 {"TOCSIN_LOG_ACCESS", "false"}};

std::set<std::string> AllAliases(uint16_t port) {
  HttpClient c(port);
  c.SetToken(kAdminToken);
  return AllContactAliases(c);
}

TEST(LifecycleTest, VersionAndHelp) {
  auto v = RunTocsin({"version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("tocsin 0.1.0"), std::string::npos);
  auto h = RunTocsin({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("TOCSIN_SERVER_LISTEN"), std::string::npos);
}

TEST(LifecycleTest, BadConfigurationStopsStartUpNamingTheKey) {
  TempDir dir;
  auto unknown_env =
      RunTocsin({"serve", "--db", (dir.path() / "a.db").string()}, {{"TOCSIN_SERVER_LISTN", "x"}});
  EXPECT_EQ(unknown_env.exit_code, 2);
  EXPECT_NE(unknown_env.out.find("TOCSIN_SERVER_LISTN"), std::string::npos) << unknown_env.out;
  auto bad_port = RunTocsin({"serve", "--listen", "127.0.0.1:99999"});
  EXPECT_EQ(bad_port.exit_code, 2);
  EXPECT_NE(bad_port.out.find("--listen"), std::string::npos) << bad_port.out;
  auto bad_flag = RunTocsin({"serve", "--frobnicate"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  auto missing = RunTocsin({"serve", "--config", (dir.path() / "nope.yaml").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("does not exist"), std::string::npos);
}

TEST(LifecycleTest, NewerDatabaseIsRefused) {
  TempDir dir;
  const std::string db = (dir.path() / "t.db").string();
  {
    ServerProcess p;
    ASSERT_TRUE(p.Start({"--listen", "127.0.0.1:0", "--db", db}, kEnv)) << p.Output();
    p.Signal(SIGTERM);
    ASSERT_EQ(p.Wait(20'000), 0);
  }
  ASSERT_EQ(RunTocsin({"version"}).exit_code, 0);
  ASSERT_EQ(std::system(("sqlite3 " + db + " 'PRAGMA user_version=999'").c_str()), 0);
  auto r = RunTocsin({"serve", "--listen", "127.0.0.1:0", "--db", db}, kEnv);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("newer than this tocsin supports"), std::string::npos) << r.out;
}

TEST(LifecycleTest, FirstStartPrintsTheAdminKeyOnce) {
  TempDir dir;
  const std::string db = (dir.path() / "t.db").string();
  ServerProcess first;
  ASSERT_TRUE(first.Start({"--listen", "127.0.0.1:0", "--db", db}));
  EXPECT_NE(first.Output().find("Admin API key"), std::string::npos);
  first.Signal(SIGINT);
  ASSERT_EQ(first.Wait(20'000), 0);
  ServerProcess second;
  ASSERT_TRUE(second.Start({"--listen", "127.0.0.1:0", "--db", db}));
  EXPECT_EQ(second.Output().find("Admin API key"), std::string::npos);
}

// Writers hammer the server; SIGTERM arrives mid-burst. The server must exit
// 0, and every contact it acknowledged with 201 must be there after a restart.
TEST(LifecycleTest, SigtermDuringABurstLosesNoAcknowledgedWrite) {
  TempDir dir;
  const std::string db = (dir.path() / "t.db").string();
  ServerProcess server;
  ASSERT_TRUE(server.Start({"--listen", "127.0.0.1:0", "--db", db}, kEnv)) << server.Output();
  const uint16_t port = server.port();

  constexpr int kWriters = 8;
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::vector<std::vector<std::string>> acked(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      HttpClient c(port);
      c.SetToken(kAdminToken);
      for (int i = 0; !stop; ++i) {
        const std::string alias = "w" + std::to_string(w) + "-" + std::to_string(i);
        auto r = c.Post("/api/v1/contacts", {{"alias", alias}});
        if (r.status == 201) {
          acked[static_cast<size_t>(w)].push_back(alias);
          ++acknowledged;
        } else if (r.status == 0) {
          break;  // Server gone.
        } else {
          ADD_FAILURE() << "unexpected " << r.status << " " << r.body;
          break;
        }
      }
    });
  }
  while (acknowledged < 300) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server.Signal(SIGTERM);
  const auto code = server.Wait(30'000);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_TRUE(code.has_value()) << "server did not exit";
  EXPECT_EQ(*code, 0) << server.Output();

  ServerProcess again;
  ASSERT_TRUE(again.Start({"--listen", "127.0.0.1:0", "--db", db}, kEnv)) << again.Output();
  const auto present = AllAliases(again.port());
  size_t total = 0;
  for (const auto& list : acked) {
    for (const auto& alias : list) {
      EXPECT_EQ(present.count(alias), 1u) << "acknowledged " << alias << " was lost";
      ++total;
    }
  }
  EXPECT_GE(total, 300u);
  EXPECT_GE(present.size(), total);  // Unacknowledged writes may or may not have landed.
}

TEST(LifecycleTest, OnlineBackupIsConsistentAndOpens) {
  TempDir dir;
  const std::string db = (dir.path() / "t.db").string();
  const std::string copy = (dir.path() / "copy.db").string();
  ServerProcess server;
  ASSERT_TRUE(server.Start({"--listen", "127.0.0.1:0", "--db", db}, kEnv));
  HttpClient c(server.port());
  c.SetToken(kAdminToken);
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(c.Post("/api/v1/contacts", {{"alias", "b" + std::to_string(i)}}).status, 201);

  auto backup = RunTocsin({"backup", copy, "--db", db});
  ASSERT_EQ(backup.exit_code, 0) << backup.out;
  EXPECT_EQ(RunTocsin({"backup", copy, "--db", db}).exit_code, 1);  // Never overwrites.

  ServerProcess restored;
  ASSERT_TRUE(restored.Start({"--listen", "127.0.0.1:0", "--db", copy}, kEnv)) << restored.Output();
  EXPECT_EQ(AllAliases(restored.port()).size(), 20u);
}

}  // namespace
}  // namespace tocsin::test
