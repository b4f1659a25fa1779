// Tests of VerifyLedgerFile and `tocsin verify`: ledgers are built through the real store,
// then the file is tampered with through the raw SQLite API (the append-only triggers dropped
// first, as an attacker with the file would) and the verifier must name the first bad entry.
#include "tocsin/store/ledger_verify.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/fake_clock.h"
#include "tocsin/codec/ledger.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/ledger/checkpoint.h"
#include "tocsin/ledger/compact_range.h"
#include "tocsin/ledger/merkle.h"
#include "tocsin/ledger/note.h"
#include "tocsin/ledger/signing_key.h"
#include "tocsin/store/store.h"
#include "unit/store/store_test_util.h"

#include <sys/wait.h>

namespace tocsin::store {
namespace {

using ::testing::HasSubstr;
using testing_util::TempDir;

constexpr const char* kOrigin = "tocsin.test/ledger";

ledger::SigningKey KeyFromSeed(char fill) {
  return ledger::SigningKey::FromPrivateKeyBytes(std::string(32, fill)).value();
}

std::string VerifierKeyOf(const ledger::SigningKey& key, const std::string& name = kOrigin) {
  return ledger::FormatVerifierKey(ledger::MakeNoteVerifier(name, key.PublicKey()).value());
}

std::string SignedNote(const ledger::SigningKey& key, uint64_t size, const std::string& root,
                       const std::string& origin = kOrigin) {
  return ledger::SignCheckpoint({origin, size, root}, origin, key).value();
}

// A raw connection to the database file: the attacker's view.
class Raw {
 public:
  explicit Raw(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    // No fsyncs: the tests tamper a lot, and durability against power loss does not matter.
    Exec("PRAGMA synchronous=OFF");
    Exec(
        "DROP TRIGGER IF EXISTS ledger_no_update; DROP TRIGGER IF EXISTS ledger_no_delete; "
        "DROP TRIGGER IF EXISTS ledger_checkpoints_no_update; "
        "DROP TRIGGER IF EXISTS ledger_checkpoints_no_delete;");
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  ~Raw() { sqlite3_close(db_); }

  void Exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err != nullptr ? err : "") << " in " << sql;
    sqlite3_free(err);
  }

  // Returns column `column` (a blob or text) of ledger entry `seq`.
  std::string Get(const std::string& column, int64_t seq, const std::string& table = "ledger",
                  const std::string& key = "seq") {
    Stmt s(db_, "SELECT " + column + " FROM " + table + " WHERE " + key + " = ?1");
    sqlite3_bind_int64(s.get(), 1, seq);
    EXPECT_EQ(sqlite3_step(s.get()), SQLITE_ROW) << column << " of " << seq;
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s.get(), 0));
    return p == nullptr ? std::string()
                        : std::string(p, static_cast<size_t>(sqlite3_column_bytes(s.get(), 0)));
  }

  void Set(const std::string& column, int64_t seq, const std::string& bytes,
           const std::string& table = "ledger", const std::string& key = "seq") {
    Stmt s(db_, "UPDATE " + table + " SET " + column + " = ?1 WHERE " + key + " = ?2");
    if (column == "note") {
      sqlite3_bind_text(s.get(), 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_blob(s.get(), 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    }
    sqlite3_bind_int64(s.get(), 2, seq);
    EXPECT_EQ(sqlite3_step(s.get()), SQLITE_DONE) << sqlite3_errmsg(db_);
    EXPECT_EQ(sqlite3_changes(db_), 1);
  }

  void FlipByte(const std::string& column, int64_t seq, size_t offset) {
    std::string bytes = Get(column, seq);
    ASSERT_LT(offset, bytes.size());
    bytes[offset] = static_cast<char>(bytes[offset] ^ 0x01);
    Set(column, seq, bytes);
  }

  void Insert(int64_t seq, const std::string& incident_id, const std::string& event_id,
              const std::string& body, const std::string& leaf, const std::string& chain) {
    Stmt s(db_,
           "INSERT INTO ledger (seq, incident_id, event_id, body, leaf, chain) "
           "VALUES (?1, NULLIF(?2, ''), ?3, ?4, ?5, ?6)");
    sqlite3_bind_int64(s.get(), 1, seq);
    sqlite3_bind_text(s.get(), 2, incident_id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s.get(), 3, event_id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s.get(), 4, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(s.get(), 5, leaf.data(), 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s.get(), 6, chain.data(), 32, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(s.get()), SQLITE_DONE) << sqlite3_errmsg(db_);
  }

  void InsertCheckpoint(int64_t size, const std::string& root, const std::string& note,
                        const std::string& range) {
    Stmt s(db_,
           "INSERT INTO ledger_checkpoints (size, root, note, range, created_at) "
           "VALUES (?1, ?2, ?3, ?4, 0)");
    sqlite3_bind_int64(s.get(), 1, size);
    sqlite3_bind_blob(s.get(), 2, root.data(), 32, SQLITE_TRANSIENT);
    sqlite3_bind_text(s.get(), 3, note.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s.get(), 4, range.data(), static_cast<int>(range.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(s.get()), SQLITE_DONE) << sqlite3_errmsg(db_);
  }

  // Rewrites entry `seq` (its event data becomes `data`) and recomputes the leaf and chain of
  // it and of every later entry, as an attacker who knows the format would. Returns the
  // leaves of the whole rewritten ledger.
  std::vector<std::string> Rewrite(int64_t seq, const std::string& data) {
    std::map<int64_t, std::string> bodies;
    {
      Stmt s(db_, "SELECT seq, body FROM ledger ORDER BY seq");
      while (sqlite3_step(s.get()) == SQLITE_ROW) {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(s.get(), 1));
        bodies[sqlite3_column_int64(s.get(), 0)] =
            std::string(p, static_cast<size_t>(sqlite3_column_bytes(s.get(), 1)));
      }
    }
    domain::TimelineEvent e;
    EXPECT_TRUE(codec::ParseLedgerBody(bodies.at(seq), e).ok());
    e.event_data = data;
    bodies[seq] = codec::LedgerBody(e);
    std::string chain(ledger::kZeroHash);
    std::vector<std::string> leaves;
    for (const auto& [n, body] : bodies) {
      const std::string leaf = ledger::LeafHash(body);
      chain = ledger::ChainHash(chain, leaf);
      leaves.push_back(leaf);
      if (n < seq) continue;
      Set("body", n, body);
      Set("leaf", n, leaf);
      Set("chain", n, chain);
    }
    return leaves;
  }

 private:
  // A prepared statement finalized on destruction.
  class Stmt {
   public:
    Stmt(sqlite3* db, const std::string& sql) {
      EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr), SQLITE_OK)
          << sqlite3_errmsg(db) << " in " << sql;
    }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    ~Stmt() { sqlite3_finalize(stmt_); }
    sqlite3_stmt* get() const { return stmt_; }

   private:
    sqlite3_stmt* stmt_ = nullptr;
  };

  sqlite3* db_ = nullptr;
};

class LedgerVerifyTest : public ::testing::Test {
 protected:
  LedgerVerifyTest() : key_(KeyFromSeed('k')), other_key_(KeyFromSeed('x')) {}

  // Builds a ledger of `entries` entries through the store (incident events of three
  // incidents, every fifth an audit entry without incident), storing a signed checkpoint when
  // the ledger reaches each of `checkpoints` (ascending; 0 allowed). Records the verifier key
  // in meta when `record_key`. Keeps every checkpoint's note in notes_ (the "export").
  void Build(int entries, const std::vector<int>& checkpoints, bool record_key = true) {
    FakeClockOpen();
    if (record_key) {
      ASSERT_TRUE(store_
                      ->WriteSync([&](WriteTxn& txn) {
                        return txn.PutMeta("ledger_verifier_key", VerifierKeyOf(key_));
                      })
                      .ok());
    }
    size_t next_cp = 0;
    auto checkpoint_if_due = [&](int size) {
      while (next_cp < checkpoints.size() && checkpoints[next_cp] == size) {
        Status s = store_->WriteSync([&](WriteTxn& txn) {
          const LedgerHead head = txn.Ledger();
          EXPECT_EQ(head.size, size);
          const std::string note = SignedNote(key_, static_cast<uint64_t>(head.size), head.root);
          notes_[head.size] = note;
          return txn.PutCheckpoint(head, note);
        });
        ASSERT_TRUE(s.ok()) << s.ToString();
        ++next_cp;
      }
    };
    checkpoint_if_due(0);
    // Several appends per transaction (never across a checkpoint), so large ledgers build fast.
    constexpr int kAppendsPerWrite = 500;
    int appended = 0;
    while (appended < entries) {
      int until = std::min(entries, appended + kAppendsPerWrite);
      if (next_cp < checkpoints.size()) until = std::min(until, checkpoints[next_cp]);
      clock_.Advance(std::chrono::seconds(1));
      Status s = store_->WriteSync([&](WriteTxn& txn) {
        for (int i = appended + 1; i <= until; ++i) {
          domain::TimelineEvent e;
          e.incident_id = i % 5 == 0 ? "" : "inc-" + std::to_string(i % 3);
          e.event_id = "ev-" + std::to_string(i);
          e.event_time = txn.Now();
          e.event_type = i % 5 == 0 ? domain::kAuditEvent : domain::kNoteEvent;
          e.event_data = R"({"text":"entry )" + std::to_string(i) + R"( \u00e9"})";
          e.actor = "api-key/test";
          e.request_id = "req-" + std::to_string(i);
          e.system = false;
          auto stored = txn.AppendTimeline(e);
          if (!stored.ok()) return stored.status();
        }
        return Status::Ok();
      });
      ASSERT_TRUE(s.ok()) << s.ToString();
      appended = until;
      checkpoint_if_due(appended);
    }
    final_root_ = Head().root;
    Close();
  }

  void FakeClockOpen() {
    StoreOptions options;
    options.path = path_;
    auto store = OpenSqliteStore(options, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  LedgerHead Head() {
    LedgerHead head;
    EXPECT_TRUE(store_
                    ->WriteSync([&](WriteTxn& txn) {
                      head = txn.Ledger();
                      return Status::Ok();
                    })
                    .ok());
    return head;
  }

  void Close() {
    if (store_) store_->Shutdown();
    store_.reset();
  }

  ~LedgerVerifyTest() override { Close(); }

  VerifyReport Verify(const VerifyOptions& options = {}) {
    auto report = VerifyLedgerFile(path_, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  VerifyOptions Exported(int64_t size, bool with_key = true) {
    VerifyOptions options;
    options.exported_checkpoint = notes_.at(size);
    if (with_key) options.verifier_key = VerifierKeyOf(key_);
    return options;
  }

  // Leaves of the ledger as it is in the file.
  std::vector<std::string> Leaves(int64_t count) {
    Raw raw(path_);
    std::vector<std::string> leaves;
    for (int64_t seq = 1; seq <= count; ++seq) leaves.push_back(raw.Get("leaf", seq));
    return leaves;
  }

  static std::string RangeOf(const std::vector<std::string>& leaves, size_t size) {
    ledger::CompactRange range;
    for (size_t i = 0; i < size; ++i) EXPECT_TRUE(range.Append(leaves[i]).ok());
    return range.Serialize();
  }

  // Writes a ledger of `n` realistic rows straight into a new database at `path` (through the
  // store that would take minutes for millions of appends): bodies from the real codec of about
  // 360 bytes, like a short note, and a signed checkpoint every 1,000 entries.
  void BuildBenchLedger(const std::string& path, int64_t n) {
    {
      StoreOptions options;
      options.path = path;
      auto store = OpenSqliteStore(options, clock_);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      (*store)->Shutdown();
    }
    Raw raw(path);
    raw.Exec("BEGIN");
    std::string chain(ledger::kZeroHash);
    ledger::CompactRange range;
    for (int64_t seq = 1; seq <= n; ++seq) {
      domain::TimelineEvent e;
      e.seq = seq;
      e.incident_id = "2b6f0cc9-" + std::to_string(seq % 1000);
      e.event_id = "8c1d9e44-5a7b-4c3e-9f21-" + std::to_string(seq);
      e.event_time = FromUnixMillis(1'767'225'600'000 + seq);
      e.recorded_at = e.event_time;
      e.event_type = domain::kNoteEvent;
      e.event_data = R"({"text":"Database failover completed; replica lag back under 1s"})";
      e.actor = "api-key/3f1c2d";
      e.request_id = "req-7d2f9a0b" + std::to_string(seq);
      const std::string body = codec::LedgerBody(e);
      const std::string leaf = ledger::LeafHash(body);
      chain = ledger::ChainHash(chain, leaf);
      raw.Insert(seq, e.incident_id, e.event_id, body, leaf, chain);
      ASSERT_TRUE(range.Append(leaf).ok());
      if (seq % 1000 == 0) {  // The server's cadence (domain::kCheckpointEvery).
        raw.InsertCheckpoint(seq, range.Root(),
                             SignedNote(key_, static_cast<uint64_t>(seq), range.Root()),
                             range.Serialize());
      }
    }
    raw.Exec("COMMIT");
  }

  TempDir dir_;
  const std::string path_ = dir_.File("tocsin.db");
  test::FakeClock clock_;
  std::unique_ptr<Store> store_;
  ledger::SigningKey key_;
  ledger::SigningKey other_key_;
  std::map<int64_t, std::string> notes_;  // Checkpoint notes by size, as exported.
  std::string final_root_;
};

// --- Untampered ledgers ---------------------------------------------------------------------

TEST_F(LedgerVerifyTest, EmptyLedgerVerifies) {
  Build(0, {}, /*record_key=*/false);
  const VerifyReport r = Verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, 0);
  EXPECT_EQ(r.root, crypto::Base64Encode(ledger::EmptyRoot()));
  EXPECT_EQ(r.checkpoints_checked, 0);
  EXPECT_EQ(r.key_source, VerifierKeySource::kNone);
  EXPECT_TRUE(r.verifier_key.empty());
  EXPECT_FALSE(r.first_bad_seq.has_value());
  EXPECT_TRUE(r.problem.empty());
}

TEST_F(LedgerVerifyTest, EmptyLedgerWithCheckpointOfSizeZeroVerifiesAgainstItsExport) {
  Build(0, {0});
  const VerifyReport r = Verify(Exported(0));
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, 0);
  EXPECT_EQ(r.checkpoints_checked, 1);
  EXPECT_EQ(r.anchored_size, 0);
}

TEST_F(LedgerVerifyTest, UntamperedLedgerVerifiesWithTheKeyRecordedInTheDatabase) {
  Build(20, {5, 10, 20});
  std::vector<std::pair<int64_t, int64_t>> progress;
  VerifyOptions options;
  options.progress = [&](int64_t done, int64_t total) { progress.emplace_back(done, total); };
  const VerifyReport r = Verify(options);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, 20);
  EXPECT_EQ(r.root, crypto::Base64Encode(final_root_));
  EXPECT_EQ(r.checkpoints_checked, 3);
  EXPECT_EQ(r.key_source, VerifierKeySource::kDatabase);
  EXPECT_EQ(r.verifier_key, VerifierKeyOf(key_));
  EXPECT_FALSE(r.anchored_size.has_value());
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(int64_t{20}, int64_t{20}));
}

TEST_F(LedgerVerifyTest, UntamperedLedgerVerifiesWithAGivenKeyAndAnExportedCheckpoint) {
  Build(20, {5, 10, 20});
  const VerifyReport r = Verify(Exported(10));
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.key_source, VerifierKeySource::kOption);
  EXPECT_EQ(r.anchored_size, 10);
  EXPECT_EQ(r.checkpoints_checked, 3);
}

TEST_F(LedgerVerifyTest, WithoutAnyKeySignaturesAreReportedUncheckedNotFailed) {
  Build(12, {4, 12}, /*record_key=*/false);
  const VerifyReport r = Verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.key_source, VerifierKeySource::kNone);
  EXPECT_EQ(r.checkpoints_checked, 2);
}

TEST_F(LedgerVerifyTest, AnExportedCheckpointCanUseTheRecordedKey) {
  Build(12, {4, 12});
  const VerifyReport r = Verify(Exported(12, /*with_key=*/false));
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.key_source, VerifierKeySource::kDatabase);
  EXPECT_EQ(r.anchored_size, 12);
}

TEST_F(LedgerVerifyTest, VerifiesNextToALiveServerAndNeverWritesTheFile) {
  Build(10, {10});
  FakeClockOpen();  // The server is running again.
  const VerifyReport r = Verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, 10);
  Close();
  std::ifstream in(path_, std::ios::binary);
  const std::string before((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(Verify().ok);
  std::ifstream again(path_, std::ios::binary);
  const std::string after((std::istreambuf_iterator<char>(again)),
                          std::istreambuf_iterator<char>());
  EXPECT_EQ(before, after);
}

// --- Tampered entries -----------------------------------------------------------------------

TEST_F(LedgerVerifyTest, FlippedBodyByteIsReportedAtThatEntry) {
  Build(20, {10, 20});
  Raw(path_).FlipByte("body", 7, 40);
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 7);
  EXPECT_EQ(r.problem, "entry 7: body does not match its leaf hash");
  EXPECT_EQ(r.entries, 6);  // Those before the problem.
}

TEST_F(LedgerVerifyTest, EveryFlippedBodyByteIsDetected) {
  Build(3, {});
  const std::string body = Raw(path_).Get("body", 2);
  for (size_t offset = 0; offset < body.size(); ++offset) {
    {
      Raw raw(path_);
      raw.FlipByte("body", 2, offset);
    }
    const VerifyReport r = Verify();
    EXPECT_FALSE(r.ok) << "offset " << offset;
    EXPECT_EQ(r.first_bad_seq, 2) << "offset " << offset;
    Raw(path_).Set("body", 2, body);
  }
  EXPECT_TRUE(Verify().ok);
}

TEST_F(LedgerVerifyTest, FlippedLeafByteIsReportedAtThatEntry) {
  Build(20, {10, 20});
  Raw(path_).FlipByte("leaf", 13, 31);
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 13);
  EXPECT_EQ(r.problem, "entry 13: body does not match its leaf hash");
}

TEST_F(LedgerVerifyTest, FlippedChainByteIsReportedAtThatEntry) {
  Build(20, {10, 20});
  Raw(path_).FlipByte("chain", 1, 0);
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 1);
  EXPECT_THAT(r.problem, HasSubstr("entry 1: chain hash"));
}

TEST_F(LedgerVerifyTest, DeletedMiddleRowIsReportedAsTheMissingSeq) {
  Build(20, {10, 20});
  Raw(path_).Exec("DELETE FROM ledger WHERE seq = 9");
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 9);
  EXPECT_EQ(r.problem, "entry 9 is missing (the next entry is 10)");
}

TEST_F(LedgerVerifyTest, SwappedRowsAreCaughtByTheSeqInTheBody) {
  Build(20, {10, 20});
  {
    Raw raw(path_);
    // Move rows 4 and 6 into each other's places, with all their columns.
    raw.Exec(
        "UPDATE ledger SET seq = -4 WHERE seq = 4; UPDATE ledger SET seq = 4 WHERE seq = 6; "
        "UPDATE ledger SET seq = 6 WHERE seq = -4;");
  }
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 4);
  EXPECT_EQ(r.problem, "entry 4: body is that of entry 6 (rows moved or swapped)");
}

TEST_F(LedgerVerifyTest, ColumnsThatDisagreeWithTheBodyAreReported) {
  Build(10, {});
  Raw(path_).Exec("UPDATE ledger SET incident_id = 'inc-other' WHERE seq = 3");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
  EXPECT_THAT(r.problem, HasSubstr("incident_id column \"inc-other\""));

  Raw(path_).Exec("UPDATE ledger SET incident_id = 'inc-0' WHERE seq = 3");
  ASSERT_TRUE(Verify().ok);
  Raw(path_).Exec("UPDATE ledger SET event_id = 'ev-x' WHERE seq = 8");
  r = Verify();
  EXPECT_EQ(r.first_bad_seq, 8);
  EXPECT_THAT(r.problem, HasSubstr("event_id column \"ev-x\""));

  // Column values reach terminals: control bytes and quotes are escaped, long values cut.
  Raw(path_).Exec(
      "UPDATE ledger SET event_id = char(27) || '[2J\"' || printf('%.200c', 'a') "
      "WHERE seq = 8");
  r = Verify();
  EXPECT_THAT(r.problem, HasSubstr("event_id column \"\\x1b[2J\\x22aaaa"));
  EXPECT_THAT(r.problem, HasSubstr("aaa...\" does not match"));
  EXPECT_EQ(r.problem.find('\x1b'), std::string::npos);
}

TEST_F(LedgerVerifyTest, ARowBeforeSeqOneIsReported) {
  Build(3, {});
  {
    Raw raw(path_);
    const std::string body = raw.Get("body", 1);
    raw.Insert(0, "inc-1", "ev-1", body, raw.Get("leaf", 1), raw.Get("chain", 1));
  }
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 0);
}

TEST_F(LedgerVerifyTest, TheFirstProblemIsReportedWhenThereAreSeveral) {
  Build(20, {10, 20});
  {
    Raw raw(path_);
    raw.FlipByte("chain", 15, 3);
    raw.FlipByte("body", 11, 20);
    raw.Exec("DELETE FROM ledger WHERE seq = 18");
  }
  EXPECT_EQ(Verify().first_bad_seq, 11);
}

// --- Ledgers of several batches (the verifier checks 4,096 rows per unit of parallel work) -----

class LedgerVerifyThreadsTest : public LedgerVerifyTest, public ::testing::WithParamInterface<int> {
 protected:
  VerifyReport VerifyWithThreads(VerifyOptions options = {}) {
    options.threads = GetParam();
    return Verify(options);
  }
};

INSTANTIATE_TEST_SUITE_P(Threads, LedgerVerifyThreadsTest, ::testing::Values(1, 4));

TEST_P(LedgerVerifyThreadsTest, LargeLedgerNamesTheFirstProblemWhateverTheBatches) {
  Build(9'000, {4096, 4097, 8192, 9'000});
  VerifyReport r = VerifyWithThreads(Exported(8192));
  ASSERT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, 9'000);
  EXPECT_EQ(r.root, crypto::Base64Encode(final_root_));
  EXPECT_EQ(r.checkpoints_checked, 4);
  EXPECT_EQ(r.anchored_size, 8192);

  // The first and last rows of batches: the chain links across batch boundaries.
  for (int64_t seq : {1, 4096, 4097, 8193, 9'000}) {
    Raw raw(path_);
    const std::string chain = raw.Get("chain", seq);
    raw.FlipByte("chain", seq, 7);
    r = VerifyWithThreads();
    EXPECT_EQ(r.first_bad_seq, seq) << r.problem;
    EXPECT_THAT(r.problem, HasSubstr("chain hash")) << seq;
    raw.Set("chain", seq, chain);
  }
  // A gap at a batch boundary.
  {
    Raw raw(path_);
    raw.Exec("CREATE TABLE saved AS SELECT * FROM ledger WHERE seq = 4097");
    raw.Exec("DELETE FROM ledger WHERE seq = 4097");
    r = VerifyWithThreads();
    EXPECT_EQ(r.first_bad_seq, 4097) << r.problem;
    EXPECT_EQ(r.problem, "entry 4097 is missing (the next entry is 4098)");
    raw.Exec("INSERT INTO ledger SELECT * FROM saved; DROP TABLE saved");
  }
  ASSERT_TRUE(VerifyWithThreads().ok);

  // Problems in several batches checked at once: the lowest seq wins, whichever batch's
  // worker finishes first.
  {
    Raw raw(path_);
    raw.FlipByte("body", 9000, 30);
    raw.FlipByte("leaf", 5000, 0);
    raw.Exec("UPDATE ledger SET event_id = 'moved' WHERE seq = 4500");
  }
  r = VerifyWithThreads();
  EXPECT_EQ(r.first_bad_seq, 4500) << r.problem;
  Raw(path_).Exec("UPDATE ledger SET event_id = 'ev-4500' WHERE seq = 4500");
  r = VerifyWithThreads();
  EXPECT_EQ(r.first_bad_seq, 5000) << r.problem;
  Raw(path_).FlipByte("leaf", 5000, 0);
  r = VerifyWithThreads();
  EXPECT_EQ(r.first_bad_seq, 9000) << r.problem;
  EXPECT_EQ(r.entries, 8999);
  EXPECT_EQ(r.checkpoints_checked, 3);  // 4096, 4097 and 8192 come before the problem.

  // A checkpoint problem is reported after the entries it covers and before later entries.
  {
    Raw raw(path_);
    std::string root = raw.Get("root", 8192, "ledger_checkpoints", "size");
    root[0] = static_cast<char>(root[0] ^ 0x01);
    raw.Set("root", 8192, root, "ledger_checkpoints", "size");
  }
  r = VerifyWithThreads();
  EXPECT_FALSE(r.first_bad_seq.has_value());
  EXPECT_EQ(r.problem,
            "checkpoint at size 8192: its root does not match the root of entries 1..8192");
  Raw(path_).FlipByte("body", 8192, 30);
  EXPECT_EQ(VerifyWithThreads().first_bad_seq, 8192);
}

// --- Truncation and the outside anchor -------------------------------------------------------

TEST_F(LedgerVerifyTest, TruncationIsDetectedOnlyAgainstAnExportedCheckpoint) {
  Build(20, {5, 10, 20});
  // A careful attacker also removes the checkpoints that would give the cut away.
  Raw(path_).Exec(
      "DELETE FROM ledger WHERE seq > 12; DELETE FROM ledger_checkpoints WHERE size > 12;");

  // Without the anchor the shorter ledger is self-consistent: that is why it must be exported.
  const VerifyReport alone = Verify();
  EXPECT_TRUE(alone.ok) << alone.problem;
  EXPECT_EQ(alone.entries, 12);

  const VerifyReport anchored = Verify(Exported(20));
  EXPECT_FALSE(anchored.ok);
  EXPECT_EQ(anchored.first_bad_seq, 13);
  EXPECT_EQ(anchored.problem, "ledger has 12 entries but the exported checkpoint covers 20");

  // An exported checkpoint at or below the cut still matches.
  EXPECT_TRUE(Verify(Exported(10)).ok);
}

TEST_F(LedgerVerifyTest, TruncationBelowAStoredCheckpointIsDetectedWithoutExport) {
  Build(20, {10, 20});
  Raw(path_).Exec("DELETE FROM ledger WHERE seq > 15");
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 16);
  EXPECT_EQ(r.problem, "ledger has 15 entries but a checkpoint is stored at size 20");
}

TEST_F(LedgerVerifyTest, RewrittenHistoryIsCaughtByTheStoredCheckpointsItCannotResign) {
  Build(20, {10, 20});
  Raw(path_).Rewrite(7, "forged");  // Leaves and chain recomputed: the chain alone agrees.
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.first_bad_seq.has_value());
  EXPECT_EQ(r.problem, "checkpoint at size 10: its root does not match the root of entries 1..10");
}

TEST_F(LedgerVerifyTest, RewrittenHistoryWithCheckpointsRemovedIsCaughtOnlyByTheExport) {
  Build(20, {10, 20});
  {
    Raw raw(path_);
    raw.Rewrite(7, "forged");
    raw.Exec("DELETE FROM ledger_checkpoints");
  }
  EXPECT_TRUE(Verify().ok);  // Self-consistent without an anchor.
  const VerifyReport r = Verify(Exported(10));
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.problem, HasSubstr("the exported checkpoint does not match"));
}

TEST_F(LedgerVerifyTest, TruncatedAndReappendedForgeriesBelowTheExportAreCaught) {
  Build(20, {10, 20});
  {
    // Cut at 12, then append 13 new entries with correct leaves and chain: the ledger is
    // longer than before, and every hash in the file agrees.
    Raw raw(path_);
    raw.Exec("DELETE FROM ledger WHERE seq > 12; DELETE FROM ledger_checkpoints WHERE size > 12;");
    std::string chain = raw.Get("chain", 12);
    for (int64_t seq = 13; seq <= 25; ++seq) {
      domain::TimelineEvent e;
      e.seq = seq;
      e.incident_id = "inc-1";
      e.event_id = "forged-" + std::to_string(seq);
      e.event_type = domain::kNoteEvent;
      e.event_data = "nothing happened";
      e.actor = "api-key/test";
      const std::string body = codec::LedgerBody(e);
      const std::string leaf = ledger::LeafHash(body);
      chain = ledger::ChainHash(chain, leaf);
      raw.Insert(seq, e.incident_id, e.event_id, body, leaf, chain);
    }
  }
  const VerifyReport alone = Verify();
  EXPECT_TRUE(alone.ok) << alone.problem;
  EXPECT_EQ(alone.entries, 25);

  const VerifyReport anchored = Verify(Exported(20));
  EXPECT_FALSE(anchored.ok);
  EXPECT_THAT(anchored.problem, HasSubstr("the exported checkpoint does not match"));
  EXPECT_THAT(anchored.problem, HasSubstr("entries 1..20"));
}

TEST_F(LedgerVerifyTest, ForgeriesAfterTheExportedSizeAreBeyondItsReach) {
  // The limit of an anchor: it vouches for entries up to its size only.
  Build(20, {10, 20});
  {
    Raw raw(path_);
    raw.Rewrite(15, "forged");
    raw.Exec("DELETE FROM ledger_checkpoints WHERE size > 10");
  }
  const VerifyReport r = Verify(Exported(10));
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.anchored_size, 10);
}

// --- Checkpoints ----------------------------------------------------------------------------

TEST_F(LedgerVerifyTest, AlteredCheckpointRootIsReported) {
  Build(20, {10, 20});
  {
    Raw raw(path_);
    std::string root = raw.Get("root", 10, "ledger_checkpoints", "size");
    root[5] = static_cast<char>(root[5] ^ 0x80);
    raw.Set("root", 10, root, "ledger_checkpoints", "size");
  }
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem, "checkpoint at size 10: its root does not match the root of entries 1..10");
  EXPECT_EQ(r.checkpoints_checked, 0);
}

TEST_F(LedgerVerifyTest, CheckpointNoteSignedByAnotherKeyIsReported) {
  Build(20, {10, 20});
  const std::string root = Raw(path_).Get("root", 10, "ledger_checkpoints", "size");
  Raw(path_).Set("note", 10, SignedNote(other_key_, 10, root), "ledger_checkpoints", "size");

  const VerifyReport recorded_key = Verify();
  EXPECT_FALSE(recorded_key.ok);
  EXPECT_EQ(recorded_key.problem,
            "checkpoint at size 10: its note has no valid signature by key "
            "\"tocsin.test/ledger\" (the key stored in the database)");

  VerifyOptions given;
  given.verifier_key = VerifierKeyOf(key_);
  EXPECT_THAT(Verify(given).problem, HasSubstr("its note has no valid signature"));

  // With no key at all the note still parses and names the right tree: unchecked, not failed.
  Raw(path_).Exec("DELETE FROM meta WHERE key = 'ledger_verifier_key'");
  const VerifyReport no_key = Verify();
  EXPECT_TRUE(no_key.ok) << no_key.problem;
  EXPECT_EQ(no_key.key_source, VerifierKeySource::kNone);
}

TEST_F(LedgerVerifyTest, CheckpointNoteOfAnotherTreeIsReported) {
  Build(20, {10, 20});
  // A genuine note (right key) of size 20 stored as the checkpoint of size 10.
  Raw(path_).Set("note", 10, notes_.at(20), "ledger_checkpoints", "size");
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.problem, HasSubstr("checkpoint at size 10: its note names size 20"));
}

TEST_F(LedgerVerifyTest, CheckpointOfAnotherOriginIsReported) {
  Build(20, {10, 20});
  const std::string root = Raw(path_).Get("root", 20, "ledger_checkpoints", "size");
  Raw(path_).Set("note", 20, SignedNote(key_, 20, root, "tocsin.test/other"), "ledger_checkpoints",
                 "size");
  // The other-origin note is signed under another key name; compare origins without a key.
  Raw(path_).Exec("DELETE FROM meta");
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.problem, HasSubstr("checkpoint at size 20: its note is of log "
                                   "\"tocsin.test/other\""));
}

TEST_F(LedgerVerifyTest, AlteredCompactRangeIsReported) {
  Build(20, {12, 20});
  {
    Raw raw(path_);
    std::string range = raw.Get("range", 12, "ledger_checkpoints", "size");
    range.back() = static_cast<char>(range.back() ^ 0x01);
    raw.Set("range", 12, range, "ledger_checkpoints", "size");
  }
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem,
            "checkpoint at size 12: its stored compact range does not match entries 1..12");
}

TEST_F(LedgerVerifyTest, AReplacedRecordedKeyFoolsOnlyAVerifierThatTrustsTheDatabase) {
  Build(20, {10, 20});
  {
    // The attacker rewrites history, re-signs every checkpoint with their own key and
    // records that key in the database.
    Raw raw(path_);
    const std::vector<std::string> leaves = raw.Rewrite(3, "forged");
    raw.Exec("DELETE FROM ledger_checkpoints");
    for (size_t size : {size_t{10}, size_t{20}}) {
      const std::string root =
          ledger::MerkleRoot(std::span<const std::string>(leaves.data(), size));
      raw.InsertCheckpoint(static_cast<int64_t>(size), root, SignedNote(other_key_, size, root),
                           RangeOf(leaves, size));
    }
    raw.Exec("UPDATE meta SET value = '" + VerifierKeyOf(other_key_) +
             "' WHERE key = 'ledger_verifier_key'");
  }
  const VerifyReport trusting = Verify();
  EXPECT_TRUE(trusting.ok) << trusting.problem;  // The documented limit of the recorded key.
  EXPECT_EQ(trusting.key_source, VerifierKeySource::kDatabase);
  EXPECT_EQ(trusting.verifier_key, VerifierKeyOf(other_key_));

  VerifyOptions given;
  given.verifier_key = VerifierKeyOf(key_);
  const VerifyReport with_key = Verify(given);
  EXPECT_FALSE(with_key.ok);
  EXPECT_EQ(with_key.problem,
            "checkpoint at size 10: its note has no valid signature by key \"tocsin.test/ledger\"");

  // The exported note was signed by the real key: the substituted key does not vouch for it.
  const VerifyReport exported = Verify(Exported(20, /*with_key=*/false));
  EXPECT_FALSE(exported.ok);
  EXPECT_THAT(exported.problem, HasSubstr("the exported checkpoint has no valid signature by key"));
}

TEST_F(LedgerVerifyTest, ExportedCheckpointOfAnotherLogIsReported) {
  Build(10, {10});
  VerifyOptions options;
  options.verifier_key = VerifierKeyOf(key_);
  const std::string root = Raw(path_).Get("root", 10, "ledger_checkpoints", "size");
  options.exported_checkpoint =
      ledger::SignCheckpoint({"tocsin.test/other", 10, root}, kOrigin, key_).value();
  const VerifyReport r = Verify(options);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.problem, HasSubstr("is of log \"tocsin.test/ledger\" but the exported checkpoint "
                                   "is of log \"tocsin.test/other\""));
}

TEST_F(LedgerVerifyTest, DroppedLedgerTableIsAFinding) {
  Build(5, {});
  Raw(path_).Exec("DROP TABLE ledger");
  const VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.problem, HasSubstr("table ledger is missing"));
}

// --- Errors ---------------------------------------------------------------------------------

TEST_F(LedgerVerifyTest, ErrorsAreForBadArgumentsAndUnusableFiles) {
  EXPECT_EQ(VerifyLedgerFile(dir_.File("absent.db"), {}).status().code(), StatusCode::kNotFound);

  Build(5, {5}, /*record_key=*/false);
  VerifyOptions bad_key;
  bad_key.verifier_key = "not a key";
  EXPECT_EQ(VerifyLedgerFile(path_, bad_key).status().code(), StatusCode::kInvalidArgument);

  VerifyOptions keyless_export;
  keyless_export.exported_checkpoint = notes_.at(5);
  EXPECT_EQ(VerifyLedgerFile(path_, keyless_export).status().code(), StatusCode::kInvalidArgument);

  VerifyOptions garbage_export;
  garbage_export.exported_checkpoint = "hello\n";
  garbage_export.verifier_key = VerifierKeyOf(key_);
  EXPECT_EQ(VerifyLedgerFile(path_, garbage_export).status().code(), StatusCode::kInvalidArgument);

  const std::string other = dir_.File("other.db");
  {
    testing_util::RawDb raw(other);
    raw.Exec("CREATE TABLE t (x INTEGER)");
  }
  EXPECT_EQ(VerifyLedgerFile(other, {}).status().code(), StatusCode::kFailedPrecondition);

  const std::string text = dir_.File("text.db");
  std::ofstream(text) << std::string(4096, 'x');
  auto not_db = VerifyLedgerFile(text, {});
  ASSERT_TRUE(not_db.ok()) << not_db.status().ToString();
  EXPECT_FALSE(not_db->ok);
  EXPECT_THAT(not_db->problem, HasSubstr("quick_check"));
}

// --- The command line -----------------------------------------------------------------------

#ifdef TOCSIN_BINARY
struct CliResult {
  int exit_code = -1;
  std::string out;
};

CliResult RunVerify(const std::string& args, const std::string& out_file) {
  const std::string command =
      std::string(TOCSIN_BINARY) + " verify " + args + " > " + out_file + " 2>&1";
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out_file);
  result.out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return result;
}

TEST_F(LedgerVerifyTest, CommandLineExitCodes) {
  Build(20, {10, 20});
  const std::string out = dir_.File("out.txt");
  const std::string cp = dir_.File("cp20.note");
  std::ofstream(cp) << notes_.at(20);
  const std::string key = "'" + VerifierKeyOf(key_) + "'";

  CliResult r = RunVerify("--db " + path_, out);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("ok: 20 entries, root " + crypto::Base64Encode(final_root_) +
                               ", 2 checkpoints\n"));

  r = RunVerify("--db " + path_ + " --checkpoint " + cp + " --key " + key, out);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("exported checkpoint: matches at size 20"));

  r = RunVerify("--db " + path_ + " --bogus", out);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = RunVerify("--db", out);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = RunVerify("--db " + path_ + " --key nonsense", out);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = RunVerify("--db " + path_ + " --checkpoint " + dir_.File("absent.note"), out);
  EXPECT_EQ(r.exit_code, 2) << r.out;

  Raw(path_).Exec(
      "DELETE FROM ledger WHERE seq > 12; DELETE FROM ledger_checkpoints WHERE size > 12;");
  r = RunVerify("--db " + path_, out);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  r = RunVerify("--db " + path_ + " --checkpoint " + cp + " --key " + key, out);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("FAILED at entry 13: ledger has 12 entries but the exported "
                               "checkpoint covers 20\n"));

  Raw(path_).FlipByte("body", 4, 10);
  r = RunVerify("--db " + path_, out);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("FAILED at entry 4: body does not match its leaf hash\n"));

  r = RunVerify("--db " + dir_.File("absent.db"), out);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("FAILED: cannot verify"));
}
#endif

// --- Throughput (run with --gtest_also_run_disabled_tests on a release build) ----------------

TEST_F(LedgerVerifyTest, DISABLED_Throughput) {
  // TOCSIN_VERIFY_BENCH_ENTRIES: ledger size (default 1,000,000). TOCSIN_VERIFY_BENCH_DB: a file
  // to build the ledger in and keep, or to reuse when it exists (for profiling runs).
  // TOCSIN_VERIFY_BENCH_THREADS: VerifyOptions::threads (default 0, one per hardware thread).
  const char* entries_env = std::getenv("TOCSIN_VERIFY_BENCH_ENTRIES");
  const char* db_env = std::getenv("TOCSIN_VERIFY_BENCH_DB");
  const int64_t n = entries_env != nullptr ? std::atoll(entries_env) : 1'000'000;
  const std::string path = db_env != nullptr ? db_env : path_;
  if (!std::ifstream(path).good()) BuildBenchLedger(path, n);
  VerifyOptions options;
  options.verifier_key = VerifierKeyOf(key_);
  if (const char* threads = std::getenv("TOCSIN_VERIFY_BENCH_THREADS")) {
    options.threads = std::atoi(threads);
  }
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();  // Process CPU time, all threads.
  auto report = VerifyLedgerFile(path, options);
  const double cpu_seconds =
      static_cast<double>(std::clock() - cpu_start) / static_cast<double>(CLOCKS_PER_SEC);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const VerifyReport& r = *report;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, n);
  std::printf(
      "verified %lld entries (%lld checkpoints, threads option %d) in %.3f s: %.0f entries/s; "
      "CPU %.3f s: %.0f entries per CPU-second\n",
      static_cast<long long>(r.entries), static_cast<long long>(r.checkpoints_checked),
      options.threads, seconds, static_cast<double>(r.entries) / seconds, cpu_seconds,
      static_cast<double>(r.entries) / cpu_seconds);
}

}  // namespace
}  // namespace tocsin::store
