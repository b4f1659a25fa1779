#include "tocsin/domain/api_key_service.h"

#include "tocsin/core/ids.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/domain/contact_service.h"

namespace tocsin::domain {
namespace {

constexpr const char* kTokenPrefix = "tcn_";
constexpr size_t kShownPrefix = 8;

NewApiKey MakeKey(const store::WriteTxn& txn, const std::string& created_by, std::string name,
                  Role role, std::string token) {
  NewApiKey out;
  out.key.id = NewUuid();
  out.key.name = std::move(name);
  out.key.role = role;
  out.key.key_hash = HashApiKeyToken(token);
  out.key.prefix = token.substr(0, std::min(token.size(), kShownPrefix));
  out.key.created_at = txn.Now();
  out.key.created_by = created_by;
  out.token = std::move(token);
  return out;
}

}  // namespace

std::string HashApiKeyToken(std::string_view token) { return crypto::Sha256(token); }

Result<NewApiKey> ApiKeyService::Create(store::WriteTxn& txn, const Principal& who,
                                        std::string name, Role role,
                                        std::optional<TimePoint> expires_at) {
  if (name.empty() || name.size() > 255) {
    return InvalidArgument("name must be 1 to 255 characters", "name");
  }
  TOCSIN_RETURN_IF_ERROR(ValidateDisplayName(name, "name"));
  if (expires_at && *expires_at <= txn.Now()) {
    return InvalidArgument("expiresAt must be in the future", "expiresAt");
  }
  NewApiKey created = MakeKey(txn, who.id, std::move(name), role, kTokenPrefix + RandomToken(32));
  created.key.expires_at = expires_at;
  TOCSIN_RETURN_IF_ERROR(txn.InsertApiKey(created.key));
  return created;
}

Status ApiKeyService::Delete(store::WriteTxn& txn, std::string_view id) {
  auto key = txn.GetApiKey(id);
  if (!key.ok()) return key.status();
  if (key->role == Role::kAdmin) {
    // Count admins page by page; installations have few keys.
    int admins = 0;
    store::ListOptions options;
    options.limit = 100;
    for (;;) {
      auto page = txn.ListApiKeys(options);
      if (!page.ok()) return page.status();
      for (const auto& k : page->items) {
        if (k.role == Role::kAdmin && (!k.expires_at || *k.expires_at > txn.Now())) ++admins;
      }
      if (page->next_cursor.empty()) break;
      options.cursor = page->next_cursor;
    }
    if (admins <= 1) {
      return FailedPrecondition(
          "cannot delete the last admin API key; create another admin key first");
    }
  }
  return txn.DeleteApiKey(key->id);
}

Result<std::optional<NewApiKey>> ApiKeyService::Bootstrap(store::WriteTxn& txn,
                                                          const std::optional<std::string>& token) {
  auto count = txn.CountApiKeys();
  if (!count.ok()) return count.status();
  if (*count > 0) return std::optional<NewApiKey>();
  std::string secret = token.value_or(kTokenPrefix + RandomToken(32));
  if (secret.size() < 20 || secret.size() > 512) {
    return InvalidArgument("TOCSIN_BOOTSTRAP_KEY must be 20 to 512 characters", "bootstrapKey");
  }
  for (char c : secret) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return InvalidArgument("TOCSIN_BOOTSTRAP_KEY must not contain spaces or control characters",
                             "bootstrapKey");
    }
  }
  NewApiKey created = MakeKey(txn, "system", "bootstrap", Role::kAdmin, std::move(secret));
  TOCSIN_RETURN_IF_ERROR(txn.InsertApiKey(created.key));
  return std::optional<NewApiKey>(std::move(created));
}

}  // namespace tocsin::domain
