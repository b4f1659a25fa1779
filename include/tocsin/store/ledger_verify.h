// Offline verification of a Tocsin database's ledger (DESIGN.md §3, "The timeline is a
// ledger"): what `tocsin verify` runs.
//
// VerifyLedgerFile opens the database file read-only and, inside one read transaction (a
// consistent snapshot, so it may run next to a live server), checks:
//   - PRAGMA quick_check;
//   - every ledger row, in seq order: seq is 1, 2, 3, ... without gaps; leaf ==
//     SHA-256(0x00 || body); the body parses as a ledger body (codec::ParseLedgerBody) whose
//     seq, incidentId and eventId equal the row's columns (which are not hashed); chain ==
//     SHA-256(0x02 || previous chain || leaf);
//   - every stored checkpoint (ledger_checkpoints): the RFC 6962 root of the first `size`
//     leaves equals its root, its stored compact range equals the recomputed one, its note
//     names the same size and root, all notes name one origin, and (when a verifier key is
//     known) its note carries a valid signature by that key;
//   - an exported checkpoint, if given: its signature verifies, its origin is the ledger's,
//     the ledger has at least its size entries, and the root at its size matches.
//
// What this proves: the stored hashes alone only catch accidents and careless edits, because
// anyone who can write the file can recompute every leaf, chain and root. Stored checkpoints
// add signatures, which hold only if the key checking them is trusted: the key recorded in
// the database itself (meta `ledger_verifier_key`) can have been replaced with the file.
// Rewrites, truncation and deletion of entries up to an exported checkpoint are caught only
// by that checkpoint (kept off the box) checked with a key the caller trusts.
//
// Streaming: memory does not grow with the ledger (a few batches of 4,096 rows in flight, one
// compact range of at most 64 hashes), so a 10,000,000-entry ledger verifies in one pass.
//
// Thread-safety: VerifyLedgerFile is reentrant; it opens its own connections per call. It may
// run worker threads (VerifyOptions::threads) and joins them before returning; `progress` is
// only called on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "tocsin/core/status.h"

namespace tocsin::store {

// Where the key that checked checkpoint signatures came from.
enum class VerifierKeySource {
  kNone,      // No key: signatures were not checked (notes were still parsed and compared).
  kOption,    // VerifyOptions::verifier_key, supplied by the caller.
  kDatabase,  // meta `ledger_verifier_key` of the database being verified (not independent).
};

struct VerifyOptions {
  // A signed checkpoint note exported earlier and kept outside the database: the anchor that
  // catches truncation and rewrites up to its size. Checking it needs a verifier key
  // (verifier_key, else the database's).
  std::optional<std::string> exported_checkpoint;
  // A verifier key "<name>+<8 hex key id>+<base64(0x01 || public key)>" (note.h) to check
  // every signature with. When unset, the key stored in the database is used, if any.
  std::optional<std::string> verifier_key;
  // When set, called with (entries checked so far, entries in the ledger) every 65,536
  // entries and once at the end of the pass, on the calling thread.
  std::function<void(int64_t done, int64_t total)> progress;
  // How many batches of entries are checked at once (hashes and body parsing, the bulk of the
  // work); with more than one, PRAGMA quick_check also runs on a connection of its own next to
  // the ledger pass. 0: one per hardware thread. 1: everything on the calling thread. At most
  // 16 are used. The report does not depend on it.
  int threads = 0;
};

struct VerifyReport {
  // True iff every check passed.
  bool ok = false;
  // Entries that passed every check: all of them when ok, those before the problem otherwise.
  int64_t entries = 0;
  // Standard base64 (as in checkpoint notes) of the RFC 6962 root of those `entries` leaves.
  std::string root;
  // Stored checkpoints that passed every check.
  int64_t checkpoints_checked = 0;
  // The key that checked signatures, and its verifier string (empty when kNone).
  VerifierKeySource key_source = VerifierKeySource::kNone;
  std::string verifier_key;
  // The size of the exported checkpoint once the ledger was found to match it.
  std::optional<int64_t> anchored_size;
  // When !ok: the seq of the first bad entry, set only when the problem is at an entry (a
  // missing entry, including entries cut off below a checkpoint, counts as that entry).
  std::optional<int64_t> first_bad_seq;
  // When !ok: one sentence describing the first problem, e.g. "entry 42: body does not match
  // its leaf hash". Empty when ok. "First" is in seq order: a stored or exported checkpoint of
  // size S ranks after entry S and before entry S + 1; a failed quick_check outranks all.
  std::string problem;
};

// Opens the SQLite database at `db_path` read-only (never creates, migrates or writes it; like
// any SQLite reader of a WAL database it may create the empty -wal and -shm side files when
// they are missing) and runs the checks in the file comment, stopping at the first problem.
// A problem with the database's content (tampering, corruption, a failed quick_check) is a
// report with ok false, not an error.
// Errors: kNotFound when `db_path` does not exist; kInvalidArgument when
// options.verifier_key is malformed, options.exported_checkpoint is not a well-formed
// checkpoint note, or it is given but no verifier key is known (none passed, none stored);
// kFailedPrecondition when the file's schema version (PRAGMA user_version) is below 2, the
// version that created the ledger (not a Tocsin database, or a too old one; a ledger table
// missing from a database of schema 2 or later is a finding, not an error); kUnavailable
// when the file cannot be opened or read (permissions, locks, I/O).
Result<VerifyReport> VerifyLedgerFile(const std::string& db_path, const VerifyOptions& options);

}  // namespace tocsin::store
