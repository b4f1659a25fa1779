#include "tocsin/domain/ledger_service.h"

#include "tocsin/ledger/checkpoint.h"
#include "tocsin/ledger/note.h"

namespace tocsin::domain {

LedgerService::LedgerService(ledger::SigningKey key, std::string origin)
    : key_(std::move(key)), origin_(std::move(origin)) {
  auto verifier = ledger::MakeNoteVerifier(origin_, key_.PublicKey());
  if (verifier.ok()) verifier_key_ = ledger::FormatVerifierKey(*verifier);
}

Result<store::StoredCheckpoint> LedgerService::Checkpoint(store::WriteTxn& txn) const {
  const store::LedgerHead head = txn.Ledger();
  auto latest = txn.LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  if (*latest && (*latest)->size == head.size) return **latest;
  ledger::Checkpoint cp{origin_, static_cast<uint64_t>(head.size), head.root};
  auto note = ledger::SignCheckpoint(cp, origin_, key_);
  if (!note.ok()) return note.status();
  TOCSIN_RETURN_IF_ERROR(txn.PutCheckpoint(head, *note));
  return store::StoredCheckpoint{head.size, head.root, std::move(*note), txn.Now()};
}

}  // namespace tocsin::domain
