// Password hashing for dashboard users: scrypt (RFC 7914) through OpenSSL.
//
// A hash is stored as text, "scrypt$<log2 N>$<r>$<p>$<salt b64>$<key b64>", so
// the work factor can be raised later without invalidating existing hashes:
// verification uses the parameters recorded in the hash. All functions are
// thread-safe; hashing is deliberately slow (tens of milliseconds and 16 MiB
// at the defaults) and belongs off the I/O and writer threads.
#pragma once

#include <string>
#include <string_view>

namespace tocsin::crypto {

struct ScryptParams {
  int log2_n = 14;  // N = 16384; with r = 8 that is 16 MiB per hash.
  int r = 8;
  int p = 1;
};

// Returns the encoded hash of `password` under a fresh 16-byte salt.
std::string HashPassword(std::string_view password, ScryptParams params = {});

// Returns true iff `password` matches `encoded`. A malformed `encoded`, or one
// whose parameters are out of the accepted range (log2 N 10..20, r 1..32,
// p 1..4, so that a tampered row cannot make one check cost gigabytes),
// returns false.
bool VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace tocsin::crypto
