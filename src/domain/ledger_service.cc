#include "tocsin/domain/ledger_service.h"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "tocsin/core/ids.h"
#include "tocsin/core/log.h"
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

Result<std::unique_ptr<LedgerService>> OpenLedgerService(store::WriteTxn& txn,
                                                         const std::string& store_path,
                                                         std::string key_file, std::string origin) {
  std::string instance_id;
  if (auto existing = txn.GetMeta("instance_id"); existing.ok()) {
    instance_id = *existing;
  } else {
    instance_id = NewUuid();
    TOCSIN_RETURN_IF_ERROR(txn.PutMeta("instance_id", instance_id));
  }
  if (key_file.empty()) {
    key_file = (std::filesystem::path(store_path).parent_path() / "ledger-ed25519.pem").string();
  }
  auto key = ledger::SigningKey::LoadFromFile(key_file);
  if (!key.ok() && key.status().code() == StatusCode::kNotFound) {
    key = ledger::SigningKey::Generate();
    if (key.ok()) {
      TOCSIN_RETURN_IF_ERROR(key->SaveToFile(key_file));
      spdlog::info("msg=\"generated ledger signing key\" file={}", LogQuote(key_file));
    }
  }
  if (!key.ok()) {
    return Status(key.status().code(),
                  "ledger.keyFile " + key_file + ": " + key.status().message());
  }
  if (origin.empty()) origin = "tocsin/" + instance_id.substr(0, 8);
  auto ledger = std::make_unique<LedgerService>(std::move(*key), origin);
  // Offline verifiers (tocsin verify) find the key and origin here; an
  // exported checkpoint plus a verifier key kept elsewhere is the real anchor.
  TOCSIN_RETURN_IF_ERROR(txn.PutMeta("ledger_origin", ledger->origin()));
  TOCSIN_RETURN_IF_ERROR(txn.PutMeta("ledger_verifier_key", ledger->verifier_key()));
  return ledger;
}

}  // namespace tocsin::domain
