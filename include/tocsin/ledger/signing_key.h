// Ed25519 keys that sign ledger checkpoints (RFC 8032, over OpenSSL's EVP_PKEY_ED25519).
//
// The private key lives in a PEM file (unencrypted PKCS#8, "BEGIN PRIVATE KEY") outside the
// database, created with mode 0600 and refused when group or others have any access, as ssh
// does for identity files.
//
// Thread-safety: a SigningKey is immutable after construction; copies share the underlying
// key, and Sign / PublicKey may be called concurrently from any thread. VerifyEd25519 is
// stateless.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tocsin/core/status.h"

namespace tocsin::ledger {

// Sizes in bytes of raw Ed25519 values (RFC 8032).
inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519PrivateKeySize = 32;  // The seed.
inline constexpr size_t kEd25519SignatureSize = 64;

class SigningKey {
 public:
  // Returns a new key from the operating system's random source.
  // Errors: kInternal when OpenSSL fails (no entropy, allocation failure).
  static Result<SigningKey> Generate();

  // Returns the key whose RFC 8032 private key (32-byte seed) is `seed`. Meant for tests and
  // known-answer checks; production keys come from Generate() and files.
  // Errors: kInvalidArgument when seed is not 32 bytes; kInternal when OpenSSL fails.
  static Result<SigningKey> FromPrivateKeyBytes(std::string_view seed);

  // Returns the key stored at `path` in PEM PKCS#8 form.
  // Errors: kNotFound when the file does not exist; kFailedPrecondition when the file grants
  // any permission to group or others ("chmod 600 <path>" fixes it) or is not a regular
  // file; kPermissionDenied when the process may not read it; kInvalidArgument when the
  // content is not an unencrypted PEM Ed25519 private key or is larger than 64 KiB;
  // kUnavailable for other I/O errors.
  static Result<SigningKey> LoadFromFile(const std::string& path);

  // Writes the key to a new file at `path` (PEM PKCS#8), created with O_CREAT | O_EXCL and
  // mode 0600 from the start (never widened, never chmod-ed), then fsync-ed. An existing
  // file or symlink at `path` is never overwritten.
  // Errors: kAlreadyExists when `path` exists; kNotFound when the directory does not exist;
  // kPermissionDenied when the directory is not writable; kUnavailable for other I/O errors
  // (the partial file is removed); kInternal when OpenSSL fails.
  Status SaveToFile(const std::string& path) const;

  // Returns the raw 32-byte public key.
  const std::string& PublicKey() const { return public_key_; }

  // Returns the 64-byte Ed25519 signature of `message` (PureEdDSA, no pre-hash;
  // deterministic).
  // Errors: kInternal when OpenSSL fails (allocation failure).
  Result<std::string> Sign(std::string_view message) const;

 private:
  struct Impl;
  SigningKey(std::shared_ptr<const Impl> impl, std::string public_key);

  std::shared_ptr<const Impl> impl_;
  std::string public_key_;
};

// Returns true iff `signature` is a valid Ed25519 signature of `message` under the raw
// 32-byte `public_key`. Returns false for wrong lengths or an invalid public key.
bool VerifyEd25519(std::string_view public_key, std::string_view message,
                   std::string_view signature);

}  // namespace tocsin::ledger
