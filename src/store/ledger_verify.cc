#include "tocsin/store/ledger_verify.h"

#include <sqlite3.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <future>
#include <limits>
#include <memory>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "store/sqlite.h"
#include "tocsin/codec/ledger.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/domain/timeline.h"
#include "tocsin/ledger/checkpoint.h"
#include "tocsin/ledger/compact_range.h"
#include "tocsin/ledger/merkle.h"
#include "tocsin/ledger/note.h"

namespace tocsin::store {
namespace {

// The meta key under which the server records the verifier key of its checkpoint signer.
constexpr const char* kVerifierKeyMeta = "ledger_verifier_key";
// The schema version (migrations/0002) that created the ledger tables.
constexpr int64_t kLedgerSchemaVersion = 2;
constexpr int64_t kProgressInterval = int64_t{1} << 16;
// Rows per unit of parallel work: large enough that handing a batch to a thread costs little
// per row, small enough that the batches in flight stay a few megabytes.
constexpr size_t kBatchRows = 4096;
constexpr size_t kNoRow = std::numeric_limits<size_t>::max();

// Upper bound on the batches in flight (and so on the memory they hold, ~2.5 MB each).
constexpr size_t kMaxThreads = 16;
// Longest column value quoted in a problem sentence.
constexpr size_t kMaxQuoted = 80;

// Returns `s` in double quotes for a problem sentence. Column values are attacker-controlled
// and end up on terminals: control bytes, quotes and backslashes become \xNN, and long values
// are cut.
std::string Quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < kMaxQuoted; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMaxQuoted) out += "...";
  return out + "\"";
}

// Runs `fn` on a new thread when `parallel`, else (or when no thread can be started) when the
// returned future is waited for.
template <typename Fn>
auto Launch(bool parallel, Fn fn) -> std::future<decltype(fn())> {
  if (parallel) {
    try {
      return std::async(std::launch::async, fn);
    } catch (const std::system_error&) {
      // Out of threads: the same work, on the caller's thread.
    }
  }
  return std::async(std::launch::deferred, std::move(fn));
}

// Returns the checkpoint a note states without checking any signature: its text is everything
// up to the blank line that precedes the signatures (checkpoint texts have no blank line).
Result<ledger::Checkpoint> ParseUnverifiedCheckpoint(std::string_view note) {
  const size_t blank = note.find("\n\n");
  if (blank == std::string_view::npos) {
    return InvalidArgument("malformed note: no blank line before the signatures");
  }
  return ledger::ParseCheckpointBody(note.substr(0, blank + 1));
}

// Returns the first row of PRAGMA quick_check on a connection of its own (so it can run on
// another thread while the ledger is read).
Result<std::string> QuickCheck(const std::string& path) {
  auto db = Db::Open(path, Db::Mode::kReadOnly);
  if (!db.ok()) return db.status();
  TOCSIN_RETURN_IF_ERROR((*db)->Exec("PRAGMA query_only=ON"));
  return (*db)->QueryText("PRAGMA quick_check");
}

// One ledger row, its columns' bytes as stored.
struct Row {
  int64_t seq = 0;
  std::string incident_id;  // "" for NULL (the store writes NULL for "no incident").
  std::string event_id;
  std::string body;
  std::string leaf;
  std::string chain;
};

// Consecutive rows (in seq order) checked together by CheckRows. Reused from batch to batch so
// that the rows' strings keep their capacity.
struct Batch {
  std::vector<Row> rows;  // rows[0, size) are this batch's.
  size_t size = 0;
  // The stored chain of the row read before rows[0]; kZeroHash when rows[0] is the first row.
  std::string prev_chain;
  // Set by CheckRows: the index of the first row that fails a row check, and why.
  size_t bad = kNoRow;
  std::string problem;
};

// The checks of one row that need only that row and the stored chain of the row before it, in
// the order a sequential pass makes them. Chaining from the previous row's *stored* chain
// finds the same first bad row as chaining from the recomputed one: up to the first failure
// both are equal. Returns an empty string when the row passes.
std::string CheckRow(const Row& row, std::string_view prev_chain, domain::TimelineEvent& event) {
  const std::string at = "entry " + std::to_string(row.seq) + ": ";
  if (row.leaf.size() != ledger::kHashSize || row.chain.size() != ledger::kHashSize) {
    return at + "stored leaf or chain hash is not 32 bytes";
  }
  if (ledger::LeafHash(row.body) != row.leaf) return at + "body does not match its leaf hash";
  // The body is what the hashes cover; the columns are what queries use. They must agree.
  if (Status s = codec::ParseLedgerBody(row.body, event); !s.ok()) {
    return at + "body is not a valid ledger entry (" + s.message() + ")";
  }
  if (event.seq != row.seq) {
    return at + "body is that of entry " + std::to_string(event.seq) + " (rows moved or swapped)";
  }
  if (event.incident_id != row.incident_id) {
    return at + "incident_id column " + Quote(row.incident_id) +
           " does not match the body's incidentId " + Quote(event.incident_id);
  }
  if (event.event_id != row.event_id) {
    return at + "event_id column " + Quote(row.event_id) + " does not match the body's eventId " +
           Quote(event.event_id);
  }
  if (ledger::ChainHash(prev_chain, row.leaf) != row.chain) {
    return at + (row.seq == 1
                     ? "chain hash does not start the chain"
                     : "chain hash does not follow from entry " + std::to_string(row.seq - 1));
  }
  return std::string();
}

// Runs CheckRow over the batch until the first failure. Touches only the batch: safe on any
// thread while nothing else uses the batch.
void CheckRows(Batch& batch) {
  batch.bad = kNoRow;
  batch.problem.clear();
  domain::TimelineEvent event;
  for (size_t i = 0; i < batch.size; ++i) {
    const std::string_view prev = i == 0 ? batch.prev_chain : batch.rows[i - 1].chain;
    std::string problem = CheckRow(batch.rows[i], prev, event);
    if (!problem.empty()) {
      batch.bad = i;
      batch.problem = std::move(problem);
      return;
    }
  }
}

// A statement prepared on the raw connection, so rows can be copied into reused strings
// (Stmt returns fresh ones). Finalized on destruction.
class ScanStmt {
 public:
  ScanStmt() = default;
  ScanStmt(const ScanStmt&) = delete;
  ScanStmt& operator=(const ScanStmt&) = delete;
  ~ScanStmt() { sqlite3_finalize(stmt_); }

  Status Prepare(sqlite3* db, const char* sql) {
    db_ = db;
    return SqliteStatus(sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr), db, sql);
  }
  // Returns SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  Status Error(int rc) const { return SqliteStatus(rc, db_, sqlite3_sql(stmt_)); }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  // Copies column `col` (NULL as "") into `out`, reusing its capacity.
  void Copy(int col, std::string& out) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    if (p == nullptr) {
      out.clear();
    } else {
      out.assign(static_cast<const char*>(p), static_cast<size_t>(n));
    }
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// One verification pass over an open database. Check* and Consume methods return false once a
// problem has been recorded in the report (the pass then stops).
class LedgerVerifier {
 public:
  LedgerVerifier(std::string path, Db& db, const VerifyOptions& options)
      : path_(std::move(path)),
        db_(db),
        options_(options),
        threads_(std::min(kMaxThreads,
                          options.threads > 0
                              ? static_cast<size_t>(options.threads)
                              : std::max<size_t>(1, std::thread::hardware_concurrency()))) {}

  Result<VerifyReport> Run() {
    // Structural damage outranks every other finding: if the b-trees are broken, nothing read
    // is trustworthy. With threads it runs next to the ledger pass on its own connection.
    auto quick_check = Launch(threads_ > 1, [path = path_] { return QuickCheck(path); });
    if (threads_ == 1) quick_check.wait();  // Deferred: runs it now, before the pass.

    TOCSIN_RETURN_IF_ERROR(db_.Exec("PRAGMA query_only=ON"));
    // One read transaction: the ledger and its checkpoints come from one snapshot even while
    // a server appends (WAL readers are not blocked and do not block the writer).
    TOCSIN_RETURN_IF_ERROR(db_.Exec("BEGIN"));
    const Status s = Checks();
    db_.Exec("ROLLBACK").IgnoreError();  // Read-only: nothing to keep.

    Result<std::string> check = quick_check.get();
    if (!check.ok() && check.status().code() == StatusCode::kUnavailable) return check.status();
    if (!check.ok() || *check != "ok") {
      report_.problem.clear();  // Replaced by the more fundamental finding.
      Fail(std::nullopt, "database failed PRAGMA quick_check: " +
                             (check.ok() ? *check : check.status().message()));
      return Finish();
    }
    if (!s.ok()) return s;
    return Finish();
  }

 private:
  // Runs the checks in order until the first problem. Returns an error only for the cases
  // VerifyLedgerFile documents; problems are recorded in report_.
  Status Checks() {
    auto version = db_.QueryInt("PRAGMA user_version");
    if (!version.ok()) return ReadError(version.status());
    if (*version < kLedgerSchemaVersion) {
      return FailedPrecondition("the database is at schema version " + std::to_string(*version) +
                                ": not a Tocsin database, or one from before the ledger (schema " +
                                std::to_string(kLedgerSchemaVersion) + ")");
    }
    // From schema 2 on the tables must be there: a missing one was dropped, which is a finding.
    for (const char* table : {"meta", "ledger", "ledger_checkpoints"}) {
      auto s = db_.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
      if (!s.ok()) return ReadError(s.status());
      s->Bind(1, table);
      const bool found = s->Step();
      if (!s->status().ok()) return ReadError(s->status());
      if (!found) {
        Fail(std::nullopt, std::string("table ") + table +
                               " is missing (the database is at schema " +
                               std::to_string(*version) + ")");
        return Status::Ok();
      }
    }
    TOCSIN_RETURN_IF_ERROR(ChooseKey());
    if (!report_.problem.empty()) return Status::Ok();
    TOCSIN_RETURN_IF_ERROR(LoadExported());
    if (!report_.problem.empty()) return Status::Ok();
    return Stream();
  }

  // Picks the key that checks signatures: the caller's, else the database's, else none.
  Status ChooseKey() {
    if (options_.verifier_key) {
      auto v = ledger::ParseVerifierKey(*options_.verifier_key);
      if (!v.ok()) return v.status();
      verifier_ = std::move(*v);
      report_.key_source = VerifierKeySource::kOption;
    } else {
      auto s = db_.Prepare("SELECT value FROM meta WHERE key = ?1");
      if (!s.ok()) return ReadError(s.status());
      s->Bind(1, kVerifierKeyMeta);
      if (s->Step()) {
        const std::string stored = s->Text(0);
        auto v = ledger::ParseVerifierKey(stored);
        if (!v.ok()) {
          Fail(std::nullopt, std::string("meta ") + kVerifierKeyMeta +
                                 " is not a valid verifier key: " + v.status().message());
          return Status::Ok();
        }
        verifier_ = std::move(*v);
        report_.key_source = VerifierKeySource::kDatabase;
      }
      if (!s->status().ok()) return ReadError(s->status());
    }
    if (verifier_) report_.verifier_key = ledger::FormatVerifierKey(*verifier_);
    return Status::Ok();
  }

  Status LoadExported() {
    if (!options_.exported_checkpoint) return Status::Ok();
    if (!verifier_) {
      return InvalidArgument(
          "checking an exported checkpoint needs a verifier key: pass one, or store it in meta " +
          std::string(kVerifierKeyMeta));
    }
    auto cp = ledger::ParseAndVerifyCheckpoint(*options_.exported_checkpoint, *verifier_);
    if (!cp.ok()) {
      if (cp.status().code() != StatusCode::kUnauthenticated) {
        return InvalidArgument("the exported checkpoint is malformed: " + cp.status().message());
      }
      // A well-formed note the key does not vouch for: either the wrong key was given, or the
      // key stored in the database was replaced. Both mean "not verified".
      Fail(std::nullopt, "the exported checkpoint has no valid signature by key " +
                             Quote(verifier_->name) + KeyOrigin());
      return Status::Ok();
    }
    if (cp->size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidArgument("the exported checkpoint's size is out of range");
    }
    exported_ = std::move(*cp);
    origin_ = exported_->origin;
    origin_source_ = "the exported checkpoint";
    return Status::Ok();
  }

  // The ledger and the stored checkpoints, merged by size in one pass. Row checks run on up to
  // threads_ batches at once; everything that depends on order (seq gaps, the Merkle tree,
  // checkpoints, the first problem) happens here, batch by batch in seq order.
  Status Stream() {
    auto total = db_.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM ledger");
    if (!total.ok()) return ReadError(total.status());
    total_ = *total;
    auto cps = db_.Prepare("SELECT size, root, note, range FROM ledger_checkpoints ORDER BY size");
    if (!cps.ok()) return ReadError(cps.status());
    cps_ = &*cps;
    has_cp_ = cps_->Step();
    // Checkpoints of the empty tree (or with a nonsensical size) come before any entry.
    while (has_cp_ && cps_->Int(0) <= 0) {
      if (cps_->Int(0) < 0) {
        Fail(std::nullopt, "a stored checkpoint has negative size " + std::to_string(cps_->Int(0)));
        return Status::Ok();
      }
      if (!CheckStoredCheckpoint()) return Status::Ok();
      has_cp_ = cps_->Step();
    }
    if (!cps_->status().ok()) return ReadError(cps_->status());
    if (!CheckExported()) return Status::Ok();

    ScanStmt rows;
    if (Status s = rows.Prepare(db_.raw(),
                                "SELECT seq, incident_id, event_id, body, leaf, chain FROM ledger "
                                "ORDER BY seq");
        !s.ok()) {
      return ReadError(s);
    }
    // A batch being checked. `done` is declared after `batch` so that it is destroyed first: the
    // future of std::async blocks in its destructor until the worker is done with the batch
    // (also on an early return), and a deferred one never runs.
    struct InFlight {
      std::unique_ptr<Batch> batch;
      std::future<void> done;
    };
    std::deque<InFlight> in_flight;
    std::vector<std::unique_ptr<Batch>> spare;
    std::string prev_chain(ledger::kZeroHash);  // The stored chain of the last row read.
    Status read_status;
    bool more = true;
    while (true) {
      while (more && in_flight.size() < threads_) {
        std::unique_ptr<Batch> batch;
        if (spare.empty()) {
          batch = std::make_unique<Batch>();
          batch->rows.resize(kBatchRows);
        } else {
          batch = std::move(spare.back());
          spare.pop_back();
        }
        batch->prev_chain = prev_chain;
        batch->size = 0;
        while (batch->size < kBatchRows) {
          const int rc = rows.Step();
          if (rc != SQLITE_ROW) {
            more = false;
            if (rc != SQLITE_DONE) read_status = rows.Error(rc);
            break;
          }
          Row& row = batch->rows[batch->size++];
          row.seq = rows.Int(0);
          rows.Copy(1, row.incident_id);
          rows.Copy(2, row.event_id);
          rows.Copy(3, row.body);
          rows.Copy(4, row.leaf);
          rows.Copy(5, row.chain);
        }
        if (batch->size == 0) break;
        prev_chain = batch->rows[batch->size - 1].chain;
        Batch* raw = batch.get();
        in_flight.push_back({std::move(batch), Launch(threads_ > 1, [raw] { CheckRows(*raw); })});
      }
      if (in_flight.empty()) break;
      InFlight& next = in_flight.front();
      next.done.get();  // Runs a deferred check here.
      if (!Consume(*next.batch)) {
        return cps_->status().ok() ? Status::Ok() : ReadError(cps_->status());
      }
      spare.push_back(std::move(next.batch));
      in_flight.pop_front();
    }
    // Rows read before a read error were checked; the error is the next finding.
    if (!read_status.ok()) return ReadError(read_status);
    if (options_.progress) options_.progress(size_, total_);

    // Whatever is left covers entries the ledger does not have: the tail was cut off.
    if (exported_ && static_cast<int64_t>(exported_->size) > size_) {
      Fail(size_ + 1, "ledger has " + std::to_string(size_) +
                          " entries but the exported checkpoint covers " +
                          std::to_string(exported_->size));
      return Status::Ok();
    }
    if (has_cp_) {
      Fail(size_ + 1, "ledger has " + std::to_string(size_) +
                          " entries but a checkpoint is stored at size " +
                          std::to_string(cps_->Int(0)));
    }
    return Status::Ok();
  }

  // Takes a checked batch, in seq order: seq continuity, the row checks' verdict, the tree,
  // and the checkpoints each new size reaches.
  bool Consume(const Batch& batch) {
    for (size_t i = 0; i < batch.size; ++i) {
      const Row& row = batch.rows[i];
      const int64_t expected = size_ + 1;
      if (row.seq != expected) {
        // Rows come in seq order with unique seqs, so a lower seq can only be <= 0.
        if (row.seq < expected) {
          return Fail(row.seq, "entry " + std::to_string(row.seq) + ": seq must be >= 1");
        }
        return Fail(expected, "entry " + std::to_string(expected) +
                                  " is missing (the next entry is " + std::to_string(row.seq) +
                                  ")");
      }
      if (batch.bad == i) return Fail(row.seq, batch.problem);
      if (Status s = range_.Append(row.leaf); !s.ok()) {
        return Fail(row.seq, "entry " + std::to_string(row.seq) + ": " + s.message());
      }
      size_ = row.seq;
      while (has_cp_ && cps_->Int(0) == size_) {
        if (!CheckStoredCheckpoint()) return false;
        has_cp_ = cps_->Step();
      }
      if (!cps_->status().ok()) return false;  // Stream() reports it.
      if (!CheckExported()) return false;
      if (options_.progress && size_ % kProgressInterval == 0) options_.progress(size_, total_);
    }
    return true;
  }

  // Checks the stored checkpoint at the cursor (columns size, root, note, range) against the
  // tree of the first size_ entries. REQUIRES: its size == size_.
  bool CheckStoredCheckpoint() {
    const Stmt& cp = *cps_;
    const std::string at = "checkpoint at size " + std::to_string(size_) + ": ";
    const std::string root = range_.Root();
    if (cp.Blob(1) != root) {
      return Fail(std::nullopt,
                  at + "its root does not match the root of entries 1.." + std::to_string(size_));
    }
    const std::string note = cp.Text(2);
    Result<ledger::Checkpoint> signed_cp = verifier_
                                               ? ledger::ParseAndVerifyCheckpoint(note, *verifier_)
                                               : ParseUnverifiedCheckpoint(note);
    if (!signed_cp.ok()) {
      if (signed_cp.status().code() == StatusCode::kUnauthenticated) {
        return Fail(std::nullopt, at + "its note has no valid signature by key " +
                                      Quote(verifier_->name) + KeyOrigin());
      }
      return Fail(std::nullopt,
                  at + "its note is malformed (" + signed_cp.status().message() + ")");
    }
    if (signed_cp->size != static_cast<uint64_t>(size_) || signed_cp->root != root) {
      return Fail(std::nullopt, at + "its note names size " + std::to_string(signed_cp->size) +
                                    " and root " + crypto::Base64Encode(signed_cp->root) +
                                    ", not this checkpoint");
    }
    if (!origin_) {
      origin_ = signed_cp->origin;
      origin_source_ = "the checkpoint at size " + std::to_string(size_);
    } else if (*origin_ != signed_cp->origin) {
      return Fail(std::nullopt, at + "its note is of log " + Quote(signed_cp->origin) + " but " +
                                    origin_source_ + " is of log " + Quote(*origin_));
    }
    // The server resumes its tree from the latest stored range: a wrong one would make it
    // sign roots that no longer describe the entries.
    auto stored_range = ledger::CompactRange::Deserialize(cp.Blob(3));
    if (!stored_range.ok() || !(*stored_range == range_)) {
      return Fail(std::nullopt, at + "its stored compact range does not match entries 1.." +
                                    std::to_string(size_));
    }
    ++report_.checkpoints_checked;
    return true;
  }

  // Compares the exported checkpoint once the tree has reached its size.
  bool CheckExported() {
    if (!exported_ || static_cast<int64_t>(exported_->size) != size_) return true;
    if (range_.Root() != exported_->root) {
      return Fail(std::nullopt, "the exported checkpoint does not match: the root of entries 1.." +
                                    std::to_string(size_) +
                                    " differs from the one it signed (entries up to " +
                                    std::to_string(size_) + " were changed)");
    }
    report_.anchored_size = size_;
    return true;
  }

  std::string KeyOrigin() const {
    return report_.key_source == VerifierKeySource::kDatabase ? " (the key stored in the database)"
                                                              : std::string();
  }

  // Records the first problem and returns false.
  bool Fail(std::optional<int64_t> seq, std::string problem) {
    if (report_.problem.empty()) {
      report_.first_bad_seq = seq;
      report_.problem = std::move(problem);
    }
    return false;
  }

  // A read that failed: transient conditions stay errors; anything else (SQLITE_CORRUPT and
  // the like mid-scan) means the file is damaged, which is a finding, not an error.
  Status ReadError(Status status) {
    if (status.code() == StatusCode::kUnavailable) return status;
    Fail(std::nullopt, "reading the database failed after entry " + std::to_string(size_) + ": " +
                           status.message());
    return Status::Ok();
  }

  VerifyReport Finish() {
    report_.ok = report_.problem.empty();
    report_.entries = size_;
    report_.root = crypto::Base64Encode(range_.Root());
    return std::move(report_);
  }

  const std::string path_;
  Db& db_;
  const VerifyOptions& options_;
  const size_t threads_;  // Batches checked at once; 1: all on the calling thread.
  VerifyReport report_;
  std::optional<ledger::NoteVerifier> verifier_;
  std::optional<ledger::Checkpoint> exported_;
  std::optional<std::string> origin_;  // The log's origin, once a checkpoint named it.
  std::string origin_source_;          // Which checkpoint named it, for messages.
  int64_t size_ = 0;                   // Entries verified so far.
  int64_t total_ = 0;                  // Entries in the ledger (its largest seq), for progress.
  ledger::CompactRange range_;         // The tree of the first size_ entries.
  Stmt* cps_ = nullptr;                // Stored checkpoints by size, during Stream().
  bool has_cp_ = false;                // Whether cps_ is on a row.
};

}  // namespace

Result<VerifyReport> VerifyLedgerFile(const std::string& db_path, const VerifyOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) {
    if (ec) return Unavailable("cannot access " + db_path + ": " + ec.message());
    return NotFound("database " + db_path + " does not exist");
  }
  if (options.verifier_key) {
    // Reject a bad key before touching the file.
    auto v = ledger::ParseVerifierKey(*options.verifier_key);
    if (!v.ok()) return v.status();
  }
  auto db = Db::Open(db_path, Db::Mode::kReadOnly);
  if (!db.ok()) return db.status();
  LedgerVerifier verifier(db_path, **db, options);
  return verifier.Run();
}

}  // namespace tocsin::store
