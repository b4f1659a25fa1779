// Fuzz target: the ledger's verification code over untrusted bytes
// (include/tocsin/ledger/{note,checkpoint,merkle,compact_range}.h,
// include/tocsin/codec/ledger.h, include/tocsin/store/ledger_verify.h).
//
// Input: byte 0 selects what is fuzzed; the rest drives it:
//   0  ParseVerifierKey        parse(format(v)) == v for every accepted key
//   1  ParseCheckpointBody     an accepted body is exactly FormatCheckpointBody's text
//   2  ParseAndVerifyCheckpoint(raw note) against the trusted key: accepts nothing but the
//                              one checkpoint that key signed
//   3  the same on the signed note with the input's byte edits applied: accepted only when
//                              the signed text (and so the checkpoint) is unchanged
//   4  CompactRange::Deserialize  Serialize() gives back exactly the accepted bytes
//   5  VerifyInclusion         a proof against a real tree's root verifies only when it is the
//                              true proof of the true leaf (edits to either fail)
//   6  VerifyConsistency       the same for consistency proofs between two real roots
//   7  ParseLedgerBody         LedgerBody(parse(bytes)) is a fixed point of parse + format
//   8  VerifyLedgerFile        a real database (12 entries written through the store, signed
//                              checkpoints at 4, 8, 12) with the input's edits applied to its
//                              ledger rows and checkpoints, verified against the exported
//                              checkpoint of size 12 and the trusted key: the verifier never
//                              reports success unless every ledger row is byte-identical to
//                              the original.
// Mode 8 costs a database write and a verification per input (about 1-3 ms); the others are
// pure functions.
#include <sqlite3.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tocsin/codec/ledger.h"
#include "tocsin/core/clock.h"
#include "tocsin/domain/timeline.h"
#include "tocsin/ledger/checkpoint.h"
#include "tocsin/ledger/compact_range.h"
#include "tocsin/ledger/merkle.h"
#include "tocsin/ledger/note.h"
#include "tocsin/ledger/signing_key.h"
#include "tocsin/store/ledger_verify.h"
#include "tocsin/store/store.h"

namespace {

namespace fs = std::filesystem;
namespace ledger = tocsin::ledger;
using tocsin::fuzz::Check;

constexpr char kOrigin[] = "tocsin/fuzz";
constexpr int kEntries = 12;

// Reads bytes of the input in order; zeros once it is exhausted.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint64_t Below(uint64_t bound) {  // REQUIRES: bound > 0.
    uint64_t v = Byte();
    v = (v << 8) | Byte();
    return v % bound;
  }
  std::string_view Rest() {
    const auto out = tocsin::fuzz::AsText(data_ + pos_, pos_ < size_ ? size_ - pos_ : 0);
    pos_ = size_;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

struct State {
  ledger::SigningKey key = ledger::SigningKey::FromPrivateKeyBytes(std::string(32, 'k')).value();
  ledger::NoteVerifier verifier;
  ledger::Checkpoint signed_checkpoint;
  std::string signed_note;
  std::string signed_text;

  // Mode 8.
  fs::path dir;
  std::string db_bytes;           // The pristine database file.
  std::vector<std::string> rows;  // Every ledger row, serialized, in seq order.
  std::string exported_note;      // The checkpoint note of size kEntries.
  std::string verifier_key;
};

State* g_state = nullptr;

void RemoveDir() {
  if (g_state != nullptr && !g_state->dir.empty()) {
    std::error_code ec;
    fs::remove_all(g_state->dir, ec);
  }
}

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: %s: %s\n", sql, error != nullptr ? error : "?");
    std::abort();
  }
}

// Every ledger row as one string (columns separated by their lengths), in seq order.
std::vector<std::string> LedgerRows(sqlite3* db) {
  std::vector<std::string> rows;
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v2(db,
                           "SELECT seq, incident_id, event_id, body, leaf, chain FROM ledger "
                           "ORDER BY seq",
                           -1, &stmt, nullptr) == SQLITE_OK,
        "prepare ledger select");
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < 6; ++i) {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      const int n = sqlite3_column_bytes(stmt, i);
      row += std::to_string(sqlite3_column_type(stmt, i)) + ":" + std::to_string(n) + ":";
      if (bytes != nullptr) row.append(bytes, static_cast<size_t>(n));
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  return rows;
}

// Builds the database of mode 8 through the real store, then keeps its bytes.
void BuildDatabase(State& state) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/tocsin-ledger-fuzz-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  Check(mkdtemp(buf.data()) != nullptr, "create a temporary directory");
  state.dir = buf.data();
  std::atexit(RemoveDir);
  const std::string path = (state.dir / "pristine.db").string();
  {
    tocsin::store::StoreOptions options;
    options.path = path;
    options.reader_connections = 1;
    options.synchronous_full = false;
    auto store = tocsin::store::OpenSqliteStore(options, tocsin::SystemClock());
    Check(store.ok(), "open the store");
    int appended = 0;
    for (int checkpoint : {4, 8, 12}) {
      tocsin::Status s = (*store)->WriteSync([&](tocsin::store::WriteTxn& txn) {
        for (int i = appended + 1; i <= checkpoint; ++i) {
          tocsin::domain::TimelineEvent e;
          e.incident_id = i % 5 == 0 ? "" : "inc-" + std::to_string(i % 3);
          e.event_id = "ev-" + std::to_string(i);
          e.event_time = txn.Now();
          e.event_type = i % 5 == 0 ? tocsin::domain::kAuditEvent : tocsin::domain::kNoteEvent;
          e.event_data = R"({"text":"entry )" + std::to_string(i) + R"( \u00e9"})";
          e.actor = "api-key/fuzz";
          e.request_id = "req-" + std::to_string(i);
          auto stored = txn.AppendTimeline(e);
          if (!stored.ok()) return stored.status();
        }
        const tocsin::store::LedgerHead head = txn.Ledger();
        auto note = ledger::SignCheckpoint({kOrigin, static_cast<uint64_t>(head.size), head.root},
                                           kOrigin, state.key);
        if (!note.ok()) return note.status();
        if (head.size == kEntries) state.exported_note = *note;
        TOCSIN_RETURN_IF_ERROR(txn.PutMeta("ledger_verifier_key", state.verifier_key));
        return txn.PutCheckpoint(head, *note);
      });
      Check(s.ok(), "build the ledger");
      appended = checkpoint;
    }
    (*store)->Shutdown();
  }
  sqlite3* db = nullptr;
  Check(sqlite3_open(path.c_str(), &db) == SQLITE_OK, "open the pristine database");
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  Exec(db, "PRAGMA journal_mode=DELETE");
  // The attacker's view: the append-only triggers are gone.
  Exec(db, "DROP TRIGGER IF EXISTS ledger_no_update");
  Exec(db, "DROP TRIGGER IF EXISTS ledger_no_delete");
  Exec(db, "DROP TRIGGER IF EXISTS ledger_checkpoints_no_update");
  Exec(db, "DROP TRIGGER IF EXISTS ledger_checkpoints_no_delete");
  state.rows = LedgerRows(db);
  Check(state.rows.size() == kEntries, "the pristine ledger has every entry");
  sqlite3_close(db);
  std::ifstream in(path, std::ios::binary);
  state.db_bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  Check(!state.db_bytes.empty(), "read the pristine database");

  tocsin::store::VerifyOptions options;
  options.exported_checkpoint = state.exported_note;
  options.verifier_key = state.verifier_key;
  options.threads = 1;
  auto report = tocsin::store::VerifyLedgerFile(path, options);
  Check(report.ok() && report->ok && report->entries == kEntries, "the pristine ledger verifies");
}

// --- Modes ---------------------------------------------------------------------------------

void VerifierKey(std::string_view text) {
  auto v = ledger::ParseVerifierKey(text);
  if (!v.ok()) return;
  auto again = ledger::ParseVerifierKey(ledger::FormatVerifierKey(*v));
  Check(again.ok() && *again == *v, "a verifier key survives format + parse");
}

void CheckpointBody(std::string_view text) {
  auto cp = ledger::ParseCheckpointBody(text);
  if (!cp.ok()) return;
  auto formatted = ledger::FormatCheckpointBody(*cp);
  Check(formatted.ok() && *formatted == text, "an accepted checkpoint body is canonical");
}

void CheckOpened(const State& s, std::string_view note) {
  auto cp = ledger::ParseAndVerifyCheckpoint(note, s.verifier);
  auto text = ledger::OpenNote(note, s.verifier);
  if (text.ok()) Check(*text == s.signed_text, "OpenNote accepts only the signed text");
  if (cp.ok()) {
    Check(*cp == s.signed_checkpoint, "only the signed checkpoint verifies");
    Check(text.ok(), "a verified checkpoint is a verified note");
  }
}

void MutatedNote(const State& s, Reader& in) {
  std::string note = s.signed_note;
  while (!in.empty() && !note.empty()) {
    const uint8_t op = in.Byte();
    const size_t pos = static_cast<size_t>(in.Below(note.size() + 1));
    const auto value = static_cast<char>(in.Byte());
    switch (op % 4) {
      case 0:
        if (pos < note.size()) note[pos] = static_cast<char>(note[pos] ^ value);
        break;
      case 1:
        note.insert(pos, 1, value);
        break;
      case 2:
        if (pos < note.size()) note.erase(pos, 1);
        break;
      default:
        note.resize(pos);
        break;
    }
  }
  CheckOpened(s, note);
}

void CompactRangeBytes(std::string_view bytes) {
  auto range = ledger::CompactRange::Deserialize(bytes);
  if (!range.ok()) return;
  Check(range->Serialize() == bytes, "an accepted compact range is canonical");
  (void)range->Root();
  ledger::CompactRange copy = *range;
  const tocsin::Status s = copy.Append(ledger::LeafHash("x"));
  if (!s.ok()) Check(copy == *range, "a failed Append leaves the range unchanged");
}

std::vector<std::string> Leaves(size_t n) {
  std::vector<std::string> leaves;
  for (size_t i = 0; i < n; ++i) leaves.push_back(ledger::LeafHash("leaf " + std::to_string(i)));
  return leaves;
}

// Applies the input's edits to `hashes` and `leaf` (flip a byte, drop, duplicate, swap).
// Returns true if they differ from what they were.
bool EditHashes(Reader& in, std::vector<std::string>& hashes, std::string& leaf) {
  const std::vector<std::string> original_hashes = hashes;
  const std::string original_leaf = leaf;
  const int edits = in.Byte() % 4;
  for (int e = 0; e < edits; ++e) {
    const uint8_t op = in.Byte() % 5;
    if (op == 4) {
      const auto value = static_cast<char>(in.Byte() | 1);
      leaf[in.Below(leaf.size())] ^= value;
      continue;
    }
    if (hashes.empty()) {
      hashes.push_back(leaf);
      continue;
    }
    const size_t i = static_cast<size_t>(in.Below(hashes.size()));
    switch (op) {
      case 0: {
        const auto value = static_cast<char>(in.Byte() | 1);
        hashes[i][in.Below(ledger::kHashSize)] ^= value;
        break;
      }
      case 1:
        hashes.erase(hashes.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      case 2:
        hashes.insert(hashes.begin() + static_cast<std::ptrdiff_t>(i), hashes[i]);
        break;
      default: {
        const size_t j = static_cast<size_t>(in.Below(hashes.size()));
        std::swap(hashes[i], hashes[j]);
        break;
      }
    }
  }
  return hashes != original_hashes || leaf != original_leaf;
}

void Inclusion(Reader& in) {
  const size_t n = 1 + static_cast<size_t>(in.Below(300));
  const std::vector<std::string> leaves = Leaves(n);
  const std::string root = ledger::MerkleRoot(leaves);
  const uint64_t index = in.Below(n + 2);
  // Usually the true size; sometimes a neighbour, which must fail.
  const uint8_t size_pick = in.Byte();
  const uint64_t size = size_pick < 200 ? n : n + (size_pick % 5) - 2;
  std::vector<std::string> proof;
  std::string leaf = ledger::LeafHash("other");
  if (index < n) {
    proof = ledger::InclusionProof(index, leaves).value();
    leaf = leaves[index];
    Check(ledger::VerifyInclusion(index, n, leaf, proof, root).ok(), "true proofs verify");
  }
  const bool changed = EditHashes(in, proof, leaf);
  const tocsin::Status s = ledger::VerifyInclusion(index, size, leaf, proof, root);
  if (s.ok()) {
    // The size is not checked: RFC 9162 binds it only through the root (e.g. leaf 49's proof
    // in a tree of 75 leaves also verifies against that root at size 76); what a
    // checkpoint signs is (size, root).
    Check(index < n && !changed, "only the true inclusion proof of the true leaf verifies");
  }
}

void Consistency(Reader& in) {
  const size_t n = 1 + static_cast<size_t>(in.Below(300));
  const std::vector<std::string> leaves = Leaves(n);
  const uint64_t size1 = in.Below(n + 1);
  const std::string root2 = ledger::MerkleRoot(leaves);
  const std::string root1 =
      ledger::MerkleRoot(std::span<const std::string>(leaves.data(), static_cast<size_t>(size1)));
  std::vector<std::string> proof = ledger::ConsistencyProof(size1, leaves).value();
  Check(ledger::VerifyConsistency(size1, n, root1, root2, proof).ok(), "true proofs verify");
  const std::vector<std::string> true_proof = proof;
  std::string unused_leaf(ledger::kHashSize, '\0');
  (void)EditHashes(in, proof, unused_leaf);
  const bool changed = proof != true_proof;
  const uint8_t size_pick = in.Byte();
  const uint64_t claimed1 = size_pick < 200 ? size1 : size1 + (size_pick % 5) - 2;
  const tocsin::Status s = ledger::VerifyConsistency(claimed1, n, root1, root2, proof);
  if (s.ok() && claimed1 != 0) {
    // size1 == 0: the empty tree is a prefix of everything (root1 must be EmptyRoot()).
    Check(claimed1 == size1 && !changed, "only the true consistency proof verifies");
  }
}

void LedgerBody(std::string_view bytes) {
  tocsin::domain::TimelineEvent event;
  if (!tocsin::codec::ParseLedgerBody(bytes, event).ok()) return;
  const std::string body = tocsin::codec::LedgerBody(event);
  tocsin::domain::TimelineEvent again;
  Check(tocsin::codec::ParseLedgerBody(body, again).ok(), "a formatted body parses");
  Check(tocsin::codec::LedgerBody(again) == body, "LedgerBody is a fixed point of parse");
}

// Returns column `column` of the row of `table` whose `key_column` is `key` (empty if none).
std::string GetBytes(sqlite3* db, const std::string& table, const std::string& column,
                     const std::string& key_column, int64_t key) {
  const std::string sql = "SELECT " + column + " FROM " + table + " WHERE " + key_column + " = ?1";
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK, "prepare a read");
  sqlite3_bind_int64(stmt, 1, key);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
    if (bytes != nullptr) out.assign(bytes, static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  return out;
}

// Runs `sql` with ?1 bound to `key` and ?2 to `bytes` (a BLOB, or TEXT when `text`).
void Run(sqlite3* db, const std::string& sql, int64_t key, const std::string& bytes,
         bool text = false) {
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK, "prepare an edit");
  sqlite3_bind_int64(stmt, 1, key);
  if (text) {
    sqlite3_bind_text(stmt, 2, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_blob(stmt, 2, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  (void)sqlite3_step(stmt);  // Constraint failures (e.g. a leaf not 32 bytes) leave the row.
  sqlite3_finalize(stmt);
}

// Flips bits `value` of byte `offset` (modulo the length) of a column.
void FlipByte(sqlite3* db, const std::string& table, const std::string& column,
              const std::string& key_column, int64_t key, size_t offset, uint8_t value,
              bool text = false) {
  std::string bytes = GetBytes(db, table, column, key_column, key);
  if (bytes.empty()) return;
  bytes[offset % bytes.size()] = static_cast<char>(bytes[offset % bytes.size()] ^ value);
  Run(db, "UPDATE " + table + " SET " + column + " = ?2 WHERE " + key_column + " = ?1", key, bytes,
      text);
}

void VerifyFile(const State& s, Reader& in) {
  const std::string path = (s.dir / "work.db").string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(s.db_bytes.data(), static_cast<std::streamsize>(s.db_bytes.size()));
  }
  sqlite3* db = nullptr;
  Check(sqlite3_open(path.c_str(), &db) == SQLITE_OK, "open the work database");
  const int edits = 1 + in.Byte() % 4;
  for (int e = 0; e < edits && !in.empty(); ++e) {
    const uint8_t op = in.Byte() % 9;
    const int64_t seq = 1 + static_cast<int64_t>(in.Below(kEntries));
    const auto offset = static_cast<size_t>(in.Below(512));
    const uint8_t value = in.Byte();  // 0: an edit that changes nothing.
    switch (op) {
      case 0:
        FlipByte(db, "ledger", "body", "seq", seq, offset, value);
        break;
      case 1:
        FlipByte(db, "ledger", "leaf", "seq", seq, offset, value);
        break;
      case 2:
        FlipByte(db, "ledger", "chain", "seq", seq, offset, value);
        break;
      case 3:
        Run(db, "DELETE FROM ledger WHERE seq = ?1 AND ?2 IS NOT NULL", seq, "");
        break;
      case 4: {
        const std::string body = GetBytes(db, "ledger", "body", "seq", seq);
        Run(db, "UPDATE ledger SET body = ?2 WHERE seq = ?1", seq,
            body.substr(0, offset % (body.size() + 1)));
        break;
      }
      case 5:
        Run(db, "UPDATE ledger SET seq = seq + 100 WHERE seq = ?1 AND ?2 IS NOT NULL", seq, "");
        break;
      case 6:
        FlipByte(db, "ledger_checkpoints", "note", "size", 4 * (1 + seq % 3), offset, value & 0x7F,
                 /*text=*/true);
        break;
      case 7:
        Run(db, "UPDATE ledger SET incident_id = ?2 WHERE seq = ?1", seq,
            "inc-" + std::to_string(value % 3), /*text=*/true);
        break;
      default: {
        const int64_t other = 1 + static_cast<int64_t>(value % kEntries);
        Run(db, "UPDATE ledger SET body = ?2 WHERE seq = ?1", seq,
            GetBytes(db, "ledger", "body", "seq", other));
        break;
      }
    }
  }
  const std::vector<std::string> rows = LedgerRows(db);
  sqlite3_close(db);

  tocsin::store::VerifyOptions options;
  options.exported_checkpoint = s.exported_note;
  options.verifier_key = s.verifier_key;
  options.threads = 1;
  auto report = tocsin::store::VerifyLedgerFile(path, options);
  Check(report.ok(), "a database with edited rows is still verifiable (a report, not an error)");
  if (report->ok) {
    Check(rows == s.rows, "the verifier reports success only on an unchanged ledger");
  } else {
    Check(!report->problem.empty(), "a failed verification says why");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  g_state = new State();
  State& s = *g_state;
  s.verifier = ledger::MakeNoteVerifier(kOrigin, s.key.PublicKey()).value();
  s.verifier_key = ledger::FormatVerifierKey(s.verifier);
  s.signed_checkpoint = {kOrigin, 42, ledger::LeafHash("root")};
  s.signed_text = ledger::FormatCheckpointBody(s.signed_checkpoint).value();
  s.signed_note = ledger::SignCheckpoint(s.signed_checkpoint, kOrigin, s.key).value();
  BuildDatabase(s);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const State& s = *g_state;
  Reader in(data + 1, size - 1);
  switch (data[0] % 9) {
    case 0:
      VerifierKey(in.Rest());
      break;
    case 1:
      CheckpointBody(in.Rest());
      break;
    case 2:
      CheckOpened(s, in.Rest());
      break;
    case 3:
      MutatedNote(s, in);
      break;
    case 4:
      CompactRangeBytes(in.Rest());
      break;
    case 5:
      Inclusion(in);
      break;
    case 6:
      Consistency(in);
      break;
    case 7:
      LedgerBody(in.Rest());
      break;
    default:
      VerifyFile(s, in);
      break;
  }
  return 0;
}
