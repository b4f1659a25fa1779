// GET /api/v1/ledger/verify over HTTP: a clean ledger verifies, a body
// tampered with through a raw SQLite connection (the append-only triggers
// dropped first, as an attacker with the file would) is reported at its seq,
// one verification runs at a time, and shutdown waits for a running one.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "support/test_server.h"

namespace tocsin::test {
namespace {

using nlohmann::json;

class LedgerApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(admin_
                  .Post("/api/v1/response-plans",
                        {{"name", "db-down"},
                         {"incidentTemplate", {{"title", "Database down"}, {"impact", 2}}}})
                  .status,
              201);
    for (int i = 0; i < 3; ++i) {
      auto r = admin_.Post(
          "/api/v1/incidents",
          {{"responsePlan", "db-down"}, {"title", "Primary DB down " + std::to_string(i)}});
      ASSERT_EQ(r.status, 201) << r.body;
      incident_ = r.json()["id"];
    }
    auto note = admin_.Post("/api/v1/incidents/" + incident_ + "/timeline",
                            {{"eventType", "Custom Event"}, {"eventData", "\"failover started\""}});
    ASSERT_EQ(note.status, 201) << note.body;
  }

  // Flips one bit of ledger entry `seq`'s body through a connection of its own.
  void TamperBody(int64_t seq) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(server_.config().store.path.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    auto exec = [db](const std::string& sql) {
      char* err = nullptr;
      EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
          << (err != nullptr ? err : "") << " in " << sql;
      sqlite3_free(err);
    };
    exec("DROP TRIGGER IF EXISTS ledger_no_update; DROP TRIGGER IF EXISTS ledger_no_delete;");
    std::string body;
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT body FROM ledger WHERE seq = ?1", -1, &stmt, nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(stmt, 1, seq);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    body.assign(static_cast<const char*>(sqlite3_column_blob(stmt, 0)),
                static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
    sqlite3_finalize(stmt);
    ASSERT_GT(body.size(), 10u);
    body[10] = static_cast<char>(body[10] ^ 0x01);
    ASSERT_EQ(
        sqlite3_prepare_v2(db, "UPDATE ledger SET body = ?1 WHERE seq = ?2", -1, &stmt, nullptr),
        SQLITE_OK);
    sqlite3_bind_blob(stmt, 1, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 2, seq);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }

  // App hands out its Api read-only; the test hook needs it mutable.
  api::Api& MutableApi() { return const_cast<api::Api&>(server_.app().api()); }

  TestServer server_;
  HttpClient admin_ = server_.Admin();
  std::string incident_;
};

TEST_F(LedgerApiTest, CleanLedgerVerifiesAndMatchesTheCheckpoint) {
  auto cp = admin_.Get("/api/v1/ledger/checkpoint");
  ASSERT_EQ(cp.status, 200) << cp.body;
  auto r = admin_.Get("/api/v1/ledger/verify");
  ASSERT_EQ(r.status, 200) << r.body;
  const json v = r.json();
  EXPECT_EQ(v["ok"], true);
  // One plan created (audit), three incidents, one note.
  EXPECT_EQ(v["entries"], 5);
  EXPECT_EQ(v["entries"], cp.json()["size"]);
  EXPECT_EQ(v["root"], cp.json()["root"]);
  EXPECT_GE(v["checkpoints"].get<int>(), 1);
  EXPECT_EQ(v["keySource"], "database");
  EXPECT_EQ(v["verifierKey"], cp.json()["verifierKey"]);
  EXPECT_FALSE(v.contains("firstBadSeq"));
  EXPECT_FALSE(v.contains("problem"));
}

TEST_F(LedgerApiTest, TamperedBodyIsReportedAtItsSeq) {
  TamperBody(3);
  auto r = admin_.Get("/api/v1/ledger/verify");
  ASSERT_EQ(r.status, 200) << r.body;
  const json v = r.json();
  EXPECT_EQ(v["ok"], false);
  EXPECT_EQ(v["firstBadSeq"], 3);
  EXPECT_EQ(v["entries"], 2);  // Those before the problem.
  EXPECT_EQ(v["problem"], "entry 3: body does not match its leaf hash");
}

TEST_F(LedgerApiTest, ReadersMayVerifyIntegrationsMayNot) {
  EXPECT_EQ(server_.WithRole("viewer").Get("/api/v1/ledger/verify").status, 200);
  EXPECT_EQ(server_.WithRole("responder").Get("/api/v1/ledger/verify").status, 200);
  auto integration = server_.WithRole("integration").Get("/api/v1/ledger/verify");
  EXPECT_EQ(integration.status, 403);
  EXPECT_EQ(integration.json()["error"]["code"], "PERMISSION_DENIED");
  EXPECT_EQ(server_.Anonymous().Get("/api/v1/ledger/verify").status, 401);
}

TEST_F(LedgerApiTest, OneVerificationAtATime) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> calls{0};
  MutableApi().SetBeforeLedgerVerifyForTest([&entered, released, &calls] {
    if (calls.fetch_add(1) == 0) {
      entered.set_value();
      released.wait();
    }
  });
  auto first = std::async(std::launch::async, [port = server_.port()] {
    HttpClient c(port);
    c.SetToken(kAdminToken);
    return c.Get("/api/v1/ledger/verify");
  });
  ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);

  HttpClient viewer = server_.WithRole("viewer");
  auto busy = viewer.Get("/api/v1/ledger/verify");
  EXPECT_EQ(busy.status, 429);
  EXPECT_EQ(busy.header("retry-after"), "1");
  EXPECT_EQ(busy.json()["error"]["code"], "RESOURCE_EXHAUSTED");
  // Other requests are served meanwhile: no I/O thread is held.
  EXPECT_EQ(viewer.Get("/api/v1/incidents/" + incident_).status, 200);

  release.set_value();
  auto done = first.get();
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()["ok"], true);
  // The next one is accepted as soon as the previous one has answered.
  EXPECT_EQ(viewer.Get("/api/v1/ledger/verify").status, 200);
}

TEST_F(LedgerApiTest, ShutdownWaitsForTheRunningVerificationToAnswer) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  MutableApi().SetBeforeLedgerVerifyForTest([&entered, released] {
    entered.set_value();
    released.wait();
  });
  auto first = std::async(std::launch::async, [port = server_.port()] {
    HttpClient c(port);
    c.SetToken(kAdminToken);
    return c.Get("/api/v1/ledger/verify");
  });
  ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  // Api::StopStreams (the first step of shutdown) joins the verification's thread.
  auto stopped = std::async(std::launch::async, [this] { server_.Stop(); });
  EXPECT_EQ(stopped.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  release.set_value();
  stopped.get();
  auto done = first.get();
  EXPECT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()["ok"], true);
}

}  // namespace
}  // namespace tocsin::test
