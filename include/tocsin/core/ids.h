// Identifiers and random secrets.
//
// All randomness comes from the kernel CSPRNG (getrandom(2)); these functions
// are thread-safe and never fail in practice (they abort if the kernel cannot
// supply entropy, which only happens on a broken system).
#pragma once

#include <cstddef>
#include <string>

namespace tocsin {

// Returns a new RFC 9562 version-7 UUID in lower-case hex form, e.g.
// "019b4f6e-3a2c-7d41-9f1a-2c3d4e5f6a7b": 48 bits of Unix milliseconds then 74
// random bits. Ids made later sort later, so inserting them into B-tree
// indexes touches the rightmost pages instead of random ones (far fewer page
// writes per commit). The random part comes from a per-thread generator
// seeded by the kernel; ids are identifiers, not secrets (secrets use
// RandomBytes/RandomToken). The timestamp is the real clock, not the Clock
// seam: an id's time is never business data.
std::string NewUuid();

// Returns `n` random bytes.
std::string RandomBytes(size_t n);

// Returns `n` random decimal digits (uniformly distributed), e.g. an activation code.
std::string RandomDigits(size_t n);

// Returns a random URL-safe token carrying `bytes` bytes of entropy, base64url
// without padding.
std::string RandomToken(size_t bytes);

}  // namespace tocsin
