#include "tocsin/ledger/checkpoint.h"

#include <charconv>
#include <optional>
#include <string>
#include <system_error>

#include "tocsin/crypto/crypto.h"
#include "tocsin/ledger/merkle.h"

namespace tocsin::ledger {
namespace {

Status Malformed(const std::string& why) { return InvalidArgument("malformed checkpoint: " + why); }

// An origin is one line of a signed note: non-empty, valid UTF-8, no control characters.
// The spec only recommends (SHOULD) a schema-less URL, so spaces and '+' are allowed.
bool IsValidOrigin(std::string_view origin) {
  return !origin.empty() && origin.find('\n') == std::string_view::npos && IsValidNoteText(origin);
}

// Parses a tree size: ASCII digits only, no sign or leading zero (except "0" itself), no
// overflow, so that every size has exactly one accepted spelling.
std::optional<uint64_t> ParseSize(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<std::string> FormatCheckpointBody(const Checkpoint& checkpoint) {
  if (!IsValidOrigin(checkpoint.origin)) {
    return InvalidArgument(
        "checkpoint origin must be non-empty UTF-8 without newlines or control characters",
        "origin");
  }
  if (checkpoint.root.size() != kHashSize) {
    return InvalidArgument("checkpoint root is " + std::to_string(checkpoint.root.size()) +
                               " bytes, want " + std::to_string(kHashSize),
                           "root");
  }
  return checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
         crypto::Base64Encode(checkpoint.root) + "\n";
}

Result<Checkpoint> ParseCheckpointBody(std::string_view text) {
  if (text.empty() || text.back() != '\n') return Malformed("the text must end with a newline");
  text.remove_suffix(1);

  // Exactly three lines: origin, size, root.
  const size_t nl1 = text.find('\n');
  if (nl1 == std::string_view::npos) return Malformed("missing tree size and root hash lines");
  const size_t nl2 = text.find('\n', nl1 + 1);
  if (nl2 == std::string_view::npos) return Malformed("missing root hash line");
  const size_t nl3 = text.find('\n', nl2 + 1);
  if (nl3 != std::string_view::npos) {
    return Malformed(
        "unexpected line after the root hash (Tocsin checkpoints have no "
        "extension lines)");
  }
  const std::string_view origin = text.substr(0, nl1);
  const std::string_view size_text = text.substr(nl1 + 1, nl2 - nl1 - 1);
  const std::string_view root_text = text.substr(nl2 + 1);

  if (!IsValidOrigin(origin)) {
    return Malformed("the origin must be non-empty UTF-8 without control characters");
  }
  const std::optional<uint64_t> size = ParseSize(size_text);
  if (!size.has_value()) {
    return Malformed("tree size '" + std::string(size_text) +
                     "' is not a decimal number without leading zeros below 2^64");
  }
  const std::optional<std::string> root = crypto::Base64Decode(root_text);
  if (!root.has_value() || root->size() != kHashSize || crypto::Base64Encode(*root) != root_text) {
    return Malformed("root hash '" + std::string(root_text) +
                     "' is not the padded base64 of 32 bytes");
  }
  return Checkpoint{std::string(origin), *size, *root};
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, std::string_view key_name,
                                   const SigningKey& key) {
  Result<std::string> body = FormatCheckpointBody(checkpoint);
  if (!body.ok()) return body.status();
  return SignNote(*body, key_name, key);
}

Result<Checkpoint> ParseAndVerifyCheckpoint(std::string_view note, std::string_view key_name,
                                            std::string_view public_key) {
  Result<NoteVerifier> verifier = MakeNoteVerifier(key_name, public_key);
  if (!verifier.ok()) return verifier.status();
  return ParseAndVerifyCheckpoint(note, *verifier);
}

Result<Checkpoint> ParseAndVerifyCheckpoint(std::string_view note, const NoteVerifier& verifier) {
  // Verify first: the text of an unverified note must not be interpreted at all.
  Result<std::string> text = OpenNote(note, verifier);
  if (!text.ok()) return text.status();
  return ParseCheckpointBody(*text);
}

}  // namespace tocsin::ledger
