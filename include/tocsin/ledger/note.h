// C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures (signature type 0x01),
// and the verifier-key string an operator exports to check notes offline:
//
//   <text ending in "\n">
//   <blank line>
//   — <key name> <base64(4-byte big-endian key ID || 64-byte signature)>\n   (one or more)
//
//   key ID       = first 4 bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key)
//   verifier key = <key name>+<8 hex digits of key ID>+<base64(0x01 || 32-byte public key)>
//
// The signature covers the text including its final newline, not the blank line. Verifying
// follows the spec: signatures whose (name, key ID) pair is not the trusted key's are
// ignored; every signature by the trusted key must verify; at least one must be present.
// These are the formats of golang.org/x/mod/sumdb/note, so Go's note.Open and tools built on
// it (e.g. the Go checksum database client, transparency-dev witnesses) interoperate.
//
// Errors: kInvalidArgument for malformed input; kUnauthenticated when a note is well formed
// but carries no valid signature by the trusted key.
//
// Thread-safety: stateless functions over plain values; safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tocsin/core/status.h"
#include "tocsin/ledger/signing_key.h"

namespace tocsin::ledger {

// Signature type byte of Ed25519 in signed notes.
inline constexpr uint8_t kNoteEd25519Type = 0x01;

// Limits applied when opening a note. The spec requires accepting at least 16 signatures.
inline constexpr size_t kMaxNoteSize = 64 * 1024;
inline constexpr size_t kMaxNoteSignatures = 100;

// A trusted key: what a verifier-key string encodes.
struct NoteVerifier {
  std::string name;        // Key name, e.g. "tocsin.example.com/ledger".
  uint32_t key_id = 0;     // Ed25519KeyId(name, public_key).
  std::string public_key;  // Raw 32-byte Ed25519 public key.
  // Returns true iff all three fields are equal.
  bool operator==(const NoteVerifier&) const = default;
};

// Returns true iff `name` is a valid key name: non-empty valid UTF-8 without Unicode white
// space (as Go's unicode.IsSpace), '+', or ASCII control characters.
bool IsValidKeyName(std::string_view name);

// Returns true iff `text` is valid UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF) without ASCII control characters other than "\n": the rule for whole notes.
bool IsValidNoteText(std::string_view text);

// Returns the key ID of an Ed25519 key: the first 4 bytes, big-endian, of
// SHA-256(key_name || "\n" || 0x01 || public_key).
// REQUIRES: public_key is 32 bytes (other lengths are hashed as given).
uint32_t Ed25519KeyId(std::string_view key_name, std::string_view public_key);

// Returns the verifier for key `key_name` with raw Ed25519 `public_key`.
// Errors: kInvalidArgument for an invalid key name or a public key that is not 32 bytes.
Result<NoteVerifier> MakeNoteVerifier(std::string_view key_name, std::string_view public_key);

// Returns "<name>+<key ID as 8 lower-case hex digits>+<base64(0x01 || public key)>".
// REQUIRES: `verifier` came from MakeNoteVerifier or ParseVerifierKey.
std::string FormatVerifierKey(const NoteVerifier& verifier);

// Returns the verifier encoded by a verifier-key string (FormatVerifierKey's format; hex
// digits of either case).
// Errors: kInvalidArgument when the string is malformed, names another signature type than
// Ed25519, has a key of the wrong size, or its key ID does not match its name and key.
Result<NoteVerifier> ParseVerifierKey(std::string_view verifier_key);

// Returns the signed note: `text`, a blank line, and one signature line by `key` under
// `key_name`.
// Errors: kInvalidArgument when text is empty, does not end with "\n", is not valid UTF-8,
// contains ASCII control characters other than "\n", or is longer than kMaxNoteSize, or
// key_name is invalid; kInternal when signing fails.
Result<std::string> SignNote(std::string_view text, std::string_view key_name,
                             const SigningKey& key);

// Returns the text of `note` (including its final newline) once verified against `verifier`.
// Errors: kInvalidArgument when the note is larger than kMaxNoteSize, is not valid UTF-8,
// contains control characters other than "\n", has no blank line before the signatures, has
// a malformed signature line, or has more than kMaxNoteSignatures signatures;
// kUnauthenticated when a signature by the verifier's (name, key ID) does not verify or
// there is none.
Result<std::string> OpenNote(std::string_view note, const NoteVerifier& verifier);

}  // namespace tocsin::ledger
