// Identifiers and random secrets.
//
// All randomness comes from the kernel CSPRNG (getrandom(2)); these functions
// are thread-safe and never fail in practice (they abort if the kernel cannot
// supply entropy, which only happens on a broken system).
#pragma once

#include <cstddef>
#include <string>

namespace tocsin {

// Returns a random RFC 4122 version-4 UUID in lower-case hex form,
// e.g. "3f2b8c1e-9d4a-4b6e-8f1a-2c3d4e5f6a7b".
std::string NewUuid();

// Returns `n` random bytes.
std::string RandomBytes(size_t n);

// Returns `n` random decimal digits (uniformly distributed), e.g. an activation code.
std::string RandomDigits(size_t n);

// Returns a random URL-safe token carrying `bytes` bytes of entropy, base64url
// without padding.
std::string RandomToken(size_t bytes);

}  // namespace tocsin
