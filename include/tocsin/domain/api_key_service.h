// API keys: creation (the token is returned once), deletion, and the
// bootstrap admin key of a fresh installation.
//
// Tokens look like "tcn_<43 base64url characters>" (256 random bits); only
// their SHA-256 is stored. Methods run inside a write transaction; the
// service is stateless and safe to share.
#pragma once

#include <optional>
#include <string>

#include "tocsin/domain/api_key.h"
#include "tocsin/domain/principal.h"
#include "tocsin/store/store.h"

namespace tocsin::domain {

struct NewApiKey {
  ApiKey key;
  std::string token;  // The secret; shown to the caller once, never stored.
};

// Returns the hash under which `token` is stored.
std::string HashApiKeyToken(std::string_view token);

class ApiKeyService {
 public:
  // Creates a key. `name` 1..255 printable characters. kInvalidArgument for a
  // bad name or an expiry in the past.
  Result<NewApiKey> Create(store::WriteTxn& txn, const Principal& who, std::string name, Role role,
                           std::optional<TimePoint> expires_at);

  // Deletes a key. kFailedPrecondition when it is the last admin key (the
  // installation would be locked out); kNotFound if absent.
  Status Delete(store::WriteTxn& txn, std::string_view id);

  // On a database with no keys, creates an admin key named "bootstrap" whose
  // token is `token` if given (TOCSIN_BOOTSTRAP_KEY; at least 20 characters),
  // else a generated one. Returns the new key, or nullopt when keys exist.
  Result<std::optional<NewApiKey>> Bootstrap(store::WriteTxn& txn,
                                             const std::optional<std::string>& token);
};

}  // namespace tocsin::domain
