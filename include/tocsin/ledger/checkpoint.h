// Signed checkpoints of the ledger in the C2SP tlog-checkpoint format
// (c2sp.org/tlog-checkpoint): a signed note (note.h) whose text is exactly
//
//   <origin>\n
//   <tree size in decimal, no leading zeros>\n
//   <base64 of the 32-byte RFC 6962 root>\n
//
// Tocsin checkpoints carry no extension lines. The spec allows non-empty opaque extension
// lines after the root; this module rejects them, because Checkpoint cannot carry them and
// silently dropping signed content would hide it from the caller.
//
// A verified checkpoint only says that the key holder signed it: callers must still compare
// `origin` with the log they expect and check consistency with earlier checkpoints.
//
// Thread-safety: stateless functions over plain values; safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tocsin/core/status.h"
#include "tocsin/ledger/note.h"
#include "tocsin/ledger/signing_key.h"

namespace tocsin::ledger {

// The signed statement "the log `origin` has `size` leaves with Merkle root `root`".
struct Checkpoint {
  std::string origin;  // Non-empty, valid UTF-8, no control characters.
  uint64_t size = 0;
  std::string root;  // Raw 32-byte RFC 6962 root (EmptyRoot() when size is 0).
  // Returns true iff all three fields are equal.
  bool operator==(const Checkpoint&) const = default;
};

// Returns the note text "<origin>\n<size>\n<base64 root>\n".
// Errors: kInvalidArgument when origin is empty, not valid UTF-8, or contains a control
// character (including "\n"), or root is not 32 bytes.
Result<std::string> FormatCheckpointBody(const Checkpoint& checkpoint);

// Returns the checkpoint in a note text, without any signature check (for notes whose
// signature the caller verified itself, e.g. with OpenNote).
// Errors: kInvalidArgument unless the text is exactly the three lines FormatCheckpointBody
// writes: non-empty origin; size of ASCII digits, no sign, no leading zero except "0"
// itself, at most 2^64 - 1; padded standard base64 of exactly 32 bytes; final "\n"; nothing
// after.
Result<Checkpoint> ParseCheckpointBody(std::string_view text);

// Returns the signed note of `checkpoint`, signed by `key` under `key_name` (the spec
// recommends a key name equal to the origin).
// Errors: as FormatCheckpointBody and SignNote.
Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, std::string_view key_name,
                                   const SigningKey& key);

// Returns the checkpoint in `note` once its signature by the Ed25519 key `public_key` under
// `key_name` has verified (OpenNote's rules), then its body has parsed
// (ParseCheckpointBody's rules).
// Errors: kInvalidArgument for an invalid key name or public key, a malformed note or body;
// kUnauthenticated when the note carries no valid signature by that key.
Result<Checkpoint> ParseAndVerifyCheckpoint(std::string_view note, std::string_view key_name,
                                            std::string_view public_key);

// As above, with the key given as a verifier (e.g. from ParseVerifierKey).
Result<Checkpoint> ParseAndVerifyCheckpoint(std::string_view note, const NoteVerifier& verifier);

}  // namespace tocsin::ledger
