// Signed checkpoints of the ledger: {origin, size, RFC 6962 root} signed with
// the server's Ed25519 key in the C2SP tlog-checkpoint note format. Exported
// checkpoints are the anchor outside the database that makes tampering by
// someone with write access to the file detectable.
//
// Thread-safe (the key is immutable).
#pragma once

#include <memory>
#include <string>

#include "tocsin/ledger/signing_key.h"
#include "tocsin/store/store.h"

namespace tocsin::domain {

// Sign a new checkpoint at least every this many entries.
inline constexpr int64_t kCheckpointEvery = 1000;

class LedgerService {
 public:
  // `origin` names this log (and the key) in notes, e.g. "tocsin/3f2b8c1e".
  LedgerService(ledger::SigningKey key, std::string origin);

  // Returns a checkpoint covering the ledger as of `txn` (including its own
  // appends), signing and storing a new one unless the latest already does.
  Result<store::StoredCheckpoint> Checkpoint(store::WriteTxn& txn) const;

  // The C2SP verifier key ("<origin>+<hex key id>+<base64 key>") auditors
  // use to check exported checkpoints offline.
  const std::string& verifier_key() const { return verifier_key_; }
  const std::string& origin() const { return origin_; }

 private:
  ledger::SigningKey key_;
  std::string origin_;
  std::string verifier_key_;
};

// Sets up the ledger of the database `txn` writes to the way every start of
// the server does: a stable instance id (meta "instance_id", created once),
// the signing key from `key_file` (generated there, mode 0600, when missing;
// empty = "ledger-ed25519.pem" next to `store_path`), the origin (`origin`,
// or "tocsin/<first 8 characters of the instance id>"), and the origin and
// verifier key in meta, where `tocsin verify` finds them.
// The key file is written at once, outside the transaction.
Result<std::unique_ptr<LedgerService>> OpenLedgerService(store::WriteTxn& txn,
                                                         const std::string& store_path,
                                                         std::string key_file, std::string origin);

}  // namespace tocsin::domain
