#include "tocsin/crypto/password.h"

#include <charconv>
#include <cstdlib>
#include <vector>

#include <openssl/evp.h>

#include "tocsin/core/ids.h"
#include "tocsin/crypto/crypto.h"

namespace tocsin::crypto {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kKeyBytes = 32;

bool InRange(const ScryptParams& p) {
  return p.log2_n >= 10 && p.log2_n <= 20 && p.r >= 1 && p.r <= 32 && p.p >= 1 && p.p <= 4;
}

// scrypt of `password` under `salt`; empty on failure (only resource exhaustion).
std::string Derive(std::string_view password, std::string_view salt, const ScryptParams& p) {
  const uint64_t n = uint64_t{1} << p.log2_n;
  // scrypt needs 128 * N * r bytes for V plus 256 * r * p for B; allow slack.
  const uint64_t max_mem = 128 * n * static_cast<uint64_t>(p.r) * 2 +
                           256 * static_cast<uint64_t>(p.r) * static_cast<uint64_t>(p.p) +
                           (uint64_t{1} << 20);
  std::string key(kKeyBytes, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n,
                     static_cast<uint64_t>(p.r), static_cast<uint64_t>(p.p), max_mem,
                     reinterpret_cast<unsigned char*>(key.data()), key.size()) != 1) {
    return {};
  }
  return key;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == sep) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool ParseInt(std::string_view text, int& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

std::string HashPassword(std::string_view password, ScryptParams params) {
  if (!InRange(params)) std::abort();  // A programming error, never input.
  const std::string salt = RandomBytes(kSaltBytes);
  const std::string key = Derive(password, salt, params);
  if (key.empty()) std::abort();  // Out of memory for 16 MiB: nothing sensible to do.
  return "scrypt$" + std::to_string(params.log2_n) + "$" + std::to_string(params.r) + "$" +
         std::to_string(params.p) + "$" + Base64Encode(salt) + "$" + Base64Encode(key);
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  const auto parts = Split(encoded, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  ScryptParams params;
  if (!ParseInt(parts[1], params.log2_n) || !ParseInt(parts[2], params.r) ||
      !ParseInt(parts[3], params.p) || !InRange(params)) {
    return false;
  }
  const auto salt = Base64Decode(parts[4]);
  const auto expected = Base64Decode(parts[5]);
  if (!salt || !expected || salt->empty() || expected->size() != kKeyBytes) return false;
  const std::string key = Derive(password, *salt, params);
  return !key.empty() && ConstantTimeEqual(key, *expected);
}

}  // namespace tocsin::crypto
