#include "support/binary_pager.h"

#include <sqlite3.h>

#include <fstream>

#include <gtest/gtest.h>

#include "support/process.h"
#include "support/wait_for.h"

namespace tocsin::test {

using nlohmann::json;

std::set<std::string> AllContactAliases(HttpClient& c) {
  std::set<std::string> out;
  std::string cursor;
  for (;;) {
    auto r = c.Get("/api/v1/contacts?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor));
    EXPECT_EQ(r.status, 200) << r.body;
    const auto body = r.json();
    for (const auto& item : body["items"]) out.insert(item["alias"].get<std::string>());
    if (r.status != 200 || body["nextCursor"].is_null()) break;
    cursor = body["nextCursor"];
  }
  return out;
}

std::map<std::string, std::string> BinaryPager::Env(const std::string& offset_ms) const {
  std::map<std::string, std::string> env{{"TOCSIN_BOOTSTRAP_KEY", kKey},
                                         {"TOCSIN_NOTIFY_DRIVER", "file"},
                                         {"TOCSIN_NOTIFY_FILE", spool_},
                                         {"TOCSIN_LOG_LEVEL", "warn"}};
  if (!offset_ms.empty()) env["TOCSIN_TEST_CLOCK_OFFSET_MS"] = offset_ms;
  return env;
}

std::vector<json> BinaryPager::Spool(const std::string& kind) const {
  std::vector<json> out;
  std::ifstream in(spool_);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    // A line cut short by SIGKILL is not a message the carrier got.
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.value("kind", "") == kind) out.push_back(std::move(j));
  }
  return out;
}

std::map<std::string, int> BinaryPager::HandedOver() const {
  std::map<std::string, int> handed;
  for (const auto& m : Spool("page")) ++handed[m["pageId"].get<std::string>()];
  return handed;
}

void BinaryPager::Person(HttpClient& c, const std::string& alias, json stages) const {
  ASSERT_EQ(c.Post("/api/v1/contacts", {{"alias", alias}}).status, 201);
  auto ch =
      c.Post("/api/v1/contacts/" + alias + "/channels",
             {{"name", "mail"}, {"type", "EMAIL"}, {"deliveryAddress", alias + "@example.com"}});
  ASSERT_EQ(ch.status, 201) << ch.body;
  const std::string id = ch.json()["id"];
  std::string code;
  for (const auto& m : Spool("activation")) {
    if (m["channelId"] == id) code = m["code"];
  }
  ASSERT_FALSE(code.empty());
  ASSERT_EQ(c.Post("/api/v1/channels/" + id + "/activate", {{"code", code}}).status, 200);
  if (!stages.is_null()) {
    for (auto& s : stages) {
      for (auto& t : s["targets"]) t["channel"] = id;
    }
    ASSERT_EQ(c.Patch("/api/v1/contacts/" + alias, {{"plan", {{"stages", stages}}}}).status, 200);
  }
}

std::string BinaryPager::EngageEscalation(HttpClient& c) const {
  Person(c, "alice",
         json::parse(R"([{"durationInMinutes":10,"targets":[{"retryIntervalInMinutes":2}]}])"));
  Person(c, "bob");
  if (::testing::Test::HasFatalFailure()) return "";
  auto plan = c.Post(
      "/api/v1/escalation-plans",
      {{"alias", "esc"},
       {"stages",
        {{{"durationInMinutes", 5}, {"targets", {{{"contact", "alice"}, {"isEssential", true}}}}},
         {{"durationInMinutes", 10},
          {"targets", {{{"contact", "bob"}, {"isEssential", true}}}}}}}});
  EXPECT_EQ(plan.status, 201) << plan.body;
  auto e = c.Post("/api/v1/engagements",
                  {{"contact", "esc"}, {"subject", "DB down"}, {"content", "Primary DB"}});
  EXPECT_EQ(e.status, 201) << e.body;
  if (e.status != 201) return "";
  const std::string engagement = e.json()["id"];
  if (SettledPages(c, engagement, 1).empty()) {
    ADD_FAILURE() << "alice's first page was not sent";
    return "";
  }
  return engagement;
}

json BinaryPager::SettledPages(HttpClient& c, const std::string& engagement,
                               size_t at_least) const {
  json pages;
  const bool settled = WaitFor([&] {
    pages = c.Get("/api/v1/pages?engagement=" + engagement).json()["items"];
    if (pages.size() < at_least) return false;
    return std::none_of(pages.begin(), pages.end(), [](const json& p) {
      return p["state"] == "QUEUED" || p["state"] == "SENDING";
    });
  });
  return settled ? pages : json::array();
}

std::vector<std::string> BinaryPager::Query(const std::string& sql) const {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(stmt, 0);
        out.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

std::string BinaryPager::IntegrityCheck() const {
  auto rows = Query("PRAGMA integrity_check");
  return rows.empty() ? "cannot run" : rows.front();
}

void BinaryPager::ExpectIntact() const {
  EXPECT_EQ(IntegrityCheck(), "ok");
  RunResult verify = RunTocsin({"verify", "--db", db_});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

std::vector<json> BinaryPager::AuditEntries(const std::string& action) const {
  std::vector<json> out;
  for (const std::string& body :
       Query("SELECT CAST(body AS TEXT) FROM ledger WHERE incident_id IS NULL ORDER BY seq")) {
    json entry = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!entry.is_object() || entry.value("eventType", "") != "Audit") continue;
    const json& raw = entry["data"];
    json data = raw.is_string() ? json::parse(raw.get<std::string>(), nullptr, false) : raw;
    if (data.is_object() && data.value("action", "") == action) out.push_back(std::move(data));
  }
  return out;
}

}  // namespace tocsin::test
