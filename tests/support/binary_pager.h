// BinaryPager: what the end-to-end tests of the real `tocsin serve` binary
// share (crash points, disk faults, clock jumps, the crash loop): a database
// and a spool file in a temp dir, the environment that makes the binary hand
// every message to the spool (notify.driver=file), and the standard
// escalation those tests page through.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "support/temp_dir.h"

namespace tocsin::test {

// Every contact alias the server at `c` has, following the list's cursors.
std::set<std::string> AllContactAliases(HttpClient& c);

class BinaryPager {
 public:
  static constexpr const char* kKey = "tcn_binary_pager_admin_key_0123456789";

  // Environment for `tocsin serve`: the bootstrap key, the spool, warn-level
  // logs, and the test-build clock offset when `offset_ms` is not empty.
  std::map<std::string, std::string> Env(const std::string& offset_ms = "") const;
  std::vector<std::string> Args() const { return {"--listen", "127.0.0.1:0", "--db", db_}; }

  // The spooled messages of `kind` ("page", "activation", ...), in order.
  std::vector<nlohmann::json> Spool(const std::string& kind) const;
  // How many times each page was handed to the carrier.
  std::map<std::string, int> HandedOver() const;

  // Creates a personal contact with an activated email channel; `stages`
  // (JSON stages without channel ids) becomes its plan.
  void Person(HttpClient& c, const std::string& alias, nlohmann::json stages = nullptr) const;

  // Alice (mail, again every 2 minutes for 10 minutes) is stage one of the
  // escalation plan "esc" (5 minutes); Bob (mail once) is stage two.
  // Engages "esc" and returns the engagement id once alice's first page is
  // SENT. Fails the test (ADD_FAILURE) and returns "" on error.
  std::string EngageEscalation(HttpClient& c) const;

  // The pages of `engagement` once none is QUEUED or SENDING and there are
  // at least `at_least`; empty on timeout.
  nlohmann::json SettledPages(HttpClient& c, const std::string& engagement, size_t at_least) const;

  // "PRAGMA integrity_check" of the database ("ok" when intact).
  std::string IntegrityCheck() const;
  // Expects integrity_check "ok" and `tocsin verify` to pass (the ledger).
  // REQUIRES: no server running on the database.
  void ExpectIntact() const;

  // The first column of every row `sql` returns, as text, read from the
  // database file (safe while the server runs: WAL readers).
  std::vector<std::string> Query(const std::string& sql) const;

  // The data of the ledger's "Audit" entries with `action`, oldest first,
  // read from the database file (safe while the server runs: WAL readers).
  std::vector<nlohmann::json> AuditEntries(const std::string& action) const;

  const std::string& db() const { return db_; }
  std::string File(const std::string& name) const { return dir_.File(name); }

 private:
  TempDir dir_;
  std::string db_ = dir_.File("tocsin.db");
  std::string spool_ = dir_.File("spool.jsonl");
};

}  // namespace tocsin::test
