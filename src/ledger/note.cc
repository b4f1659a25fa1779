#include "tocsin/ledger/note.h"

#include <cstdio>
#include <optional>
#include <string>

#include "tocsin/crypto/crypto.h"

namespace tocsin::ledger {
namespace {

// "— " : U+2014 EM DASH in UTF-8, then a space. Starts every signature line.
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";

// Decodes the UTF-8 sequence at s[*i] into *cp and advances *i. Returns false for invalid
// UTF-8: bad lead or continuation bytes, truncation, overlong forms, surrogates, or code
// points above U+10FFFF (the rules of Go's utf8.DecodeRune, which the reference uses).
bool NextCodePoint(std::string_view s, size_t* i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  if (b0 < 0x80) {
    *cp = b0;
    *i += 1;
    return true;
  }
  size_t len = 0;
  char32_t min = 0;
  char32_t value = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    min = 0x80;
    value = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    min = 0x800;
    value = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    min = 0x10000;
    value = b0 & 0x07;
  } else {
    return false;
  }
  if (s.size() - *i < len) return false;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[*i + k]);
    if ((b & 0xC0) != 0x80) return false;
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return false;
  *cp = value;
  *i += len;
  return true;
}

// Unicode White_Space, as Go's unicode.IsSpace.
bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

std::string KeyLabel(std::string_view name, uint32_t key_id) {
  char hex[9];
  std::snprintf(hex, sizeof(hex), "%08x", key_id);
  return std::string(name) + "+" + hex;
}

uint32_t ReadBigEndian32(std::string_view b) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(b[0])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[3]));
}

std::string BigEndian32(uint32_t v) {
  return {static_cast<char>((v >> 24) & 0xff), static_cast<char>((v >> 16) & 0xff),
          static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
}

Status Malformed(const std::string& why) {
  return InvalidArgument("malformed signed note: " + why);
}

}  // namespace

bool IsValidNoteText(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    char32_t c = 0;
    if (!NextCodePoint(text, &i, &c)) return false;
    if (c < 0x20 && c != U'\n') return false;
  }
  return true;
}

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  size_t i = 0;
  while (i < name.size()) {
    char32_t c = 0;
    if (!NextCodePoint(name, &i, &c)) return false;
    if (c < 0x20 || c == 0x7F || c == U'+' || IsUnicodeSpace(c)) return false;
  }
  return true;
}

uint32_t Ed25519KeyId(std::string_view key_name, std::string_view public_key) {
  std::string input(key_name);
  input.push_back('\n');
  input.push_back(static_cast<char>(kNoteEd25519Type));
  input.append(public_key);
  return ReadBigEndian32(crypto::Sha256(input));
}

Result<NoteVerifier> MakeNoteVerifier(std::string_view key_name, std::string_view public_key) {
  if (!IsValidKeyName(key_name)) {
    return InvalidArgument("invalid key name '" + std::string(key_name) +
                           "': it must be non-empty UTF-8 without spaces, '+' or control "
                           "characters");
  }
  if (public_key.size() != kEd25519PublicKeySize) {
    return InvalidArgument("Ed25519 public key is " + std::to_string(public_key.size()) +
                           " bytes, want " + std::to_string(kEd25519PublicKeySize));
  }
  return NoteVerifier{std::string(key_name), Ed25519KeyId(key_name, public_key),
                      std::string(public_key)};
}

std::string FormatVerifierKey(const NoteVerifier& verifier) {
  std::string typed_key(1, static_cast<char>(kNoteEd25519Type));
  typed_key.append(verifier.public_key);
  return KeyLabel(verifier.name, verifier.key_id) + "+" + crypto::Base64Encode(typed_key);
}

Result<NoteVerifier> ParseVerifierKey(std::string_view verifier_key) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid verifier key '" + std::string(verifier_key) + "': " + why);
  };
  // The name and the hex ID contain no '+'; the base64 key may.
  const size_t plus1 = verifier_key.find('+');
  if (plus1 == std::string_view::npos) return bad("want <name>+<key id>+<key>");
  const size_t plus2 = verifier_key.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) return bad("want <name>+<key id>+<key>");
  const std::string_view name = verifier_key.substr(0, plus1);
  const std::string_view hex = verifier_key.substr(plus1 + 1, plus2 - plus1 - 1);
  const std::string_view key64 = verifier_key.substr(plus2 + 1);

  if (!IsValidKeyName(name)) return bad("invalid key name");
  const std::optional<std::string> id_bytes = crypto::HexDecode(hex);
  if (hex.size() != 8 || !id_bytes.has_value()) return bad("key id must be 8 hex digits");
  const std::optional<std::string> typed_key = crypto::Base64Decode(key64);
  if (!typed_key.has_value() || typed_key->empty()) return bad("key is not base64");
  if (static_cast<uint8_t>((*typed_key)[0]) != kNoteEd25519Type) {
    return bad("signature type " + std::to_string(static_cast<uint8_t>((*typed_key)[0])) +
               " is not Ed25519 (1)");
  }
  const std::string_view public_key = std::string_view(*typed_key).substr(1);
  if (public_key.size() != kEd25519PublicKeySize) {
    return bad("Ed25519 key is " + std::to_string(public_key.size()) + " bytes, want " +
               std::to_string(kEd25519PublicKeySize));
  }
  const uint32_t key_id = ReadBigEndian32(*id_bytes);
  if (key_id != Ed25519KeyId(name, public_key)) {
    return bad("key id does not match the name and key");
  }
  return NoteVerifier{std::string(name), key_id, std::string(public_key)};
}

Result<std::string> SignNote(std::string_view text, std::string_view key_name,
                             const SigningKey& key) {
  if (text.empty() || text.back() != '\n') {
    return InvalidArgument("note text must be non-empty and end with a newline");
  }
  if (!IsValidNoteText(text)) {
    return InvalidArgument(
        "note text must be valid UTF-8 without control characters other than newline");
  }
  Result<NoteVerifier> verifier = MakeNoteVerifier(key_name, key.PublicKey());
  if (!verifier.ok()) return verifier.status();
  Result<std::string> signature = key.Sign(text);
  if (!signature.ok()) return signature.status();

  std::string note(text);
  note.push_back('\n');
  note.append(kSigPrefix);
  note.append(key_name);
  note.push_back(' ');
  note.append(crypto::Base64Encode(BigEndian32(verifier->key_id) + *signature));
  note.push_back('\n');
  if (note.size() > kMaxNoteSize) {
    return InvalidArgument("signed note would be " + std::to_string(note.size()) +
                           " bytes, more than " + std::to_string(kMaxNoteSize));
  }
  return note;
}

Result<std::string> OpenNote(std::string_view note, const NoteVerifier& verifier) {
  if (note.size() > kMaxNoteSize) {
    return Malformed("larger than " + std::to_string(kMaxNoteSize) + " bytes");
  }
  if (!IsValidNoteText(note)) {
    return Malformed("not valid UTF-8, or contains control characters other than newline");
  }
  // The text ends at the last blank line; only signature lines follow.
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before the signatures");
  const std::string_view text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return Malformed("the signature block must be non-empty and end with a newline");
  }

  size_t count = 0;
  bool verified = false;
  std::string others;  // Signers other than `verifier`, for the error message.
  while (!sigs.empty()) {
    const size_t eol = sigs.find('\n');  // Found: sigs ends with '\n'.
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (++count > kMaxNoteSignatures) {
      return Malformed("more than " + std::to_string(kMaxNoteSignatures) + " signatures");
    }
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return Malformed("signature line " + std::to_string(count) +
                       " does not start with an em dash and a space");
    }
    line.remove_prefix(kSigPrefix.size());
    const size_t space = line.find(' ');
    const std::string_view name = line.substr(0, space);
    const std::string_view b64 =
        space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    const std::optional<std::string> sig = crypto::Base64Decode(b64);
    if (!IsValidKeyName(name) || b64.empty() || !sig.has_value() || sig->size() < 5) {
      return Malformed("signature line " + std::to_string(count) + " is not '— <key name> " +
                       "<base64 of key id and signature>'");
    }
    const uint32_t key_id = ReadBigEndian32(*sig);
    // Only the (name, key ID) pair identifies a key: a signature sharing just one of them
    // with the trusted key is someone else's and is ignored, as the spec requires.
    if (name != verifier.name || key_id != verifier.key_id) {
      if (others.size() < 200) others += (others.empty() ? "" : ", ") + KeyLabel(name, key_id);
      continue;
    }
    // Every signature by the trusted key must verify, not just the first.
    if (!VerifyEd25519(verifier.public_key, text, std::string_view(*sig).substr(4))) {
      return Status(StatusCode::kUnauthenticated,
                    "signature by key " + KeyLabel(name, key_id) + " does not verify");
    }
    verified = true;
  }
  if (!verified) {
    return Status(StatusCode::kUnauthenticated,
                  "note is not signed by key " + KeyLabel(verifier.name, verifier.key_id) +
                      (others.empty() ? std::string() : " (signed by: " + others + ")"));
  }
  return std::string(text);
}

}  // namespace tocsin::ledger
