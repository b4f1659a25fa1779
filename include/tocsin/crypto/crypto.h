// Cryptographic primitives used across Tocsin, implemented over OpenSSL 3.
//
// Byte strings are std::string / std::string_view holding raw bytes. All
// functions are thread-safe and stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tocsin::crypto {

inline constexpr size_t kSha256Size = 32;

// Returns the 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);

// Returns the 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// Returns true iff `a` and `b` are equal, in time that depends only on their
// lengths (CRYPTO_memcmp). Unequal lengths return false at once.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// Lower-case hex encoding and its inverse (nullopt on odd length or non-hex).
std::string HexEncode(std::string_view bytes);
std::optional<std::string> HexDecode(std::string_view hex);

// RFC 4648 base64 (standard alphabet, padded) and base64url (no padding).
// Decoders return nullopt on any character outside the alphabet.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace tocsin::crypto
