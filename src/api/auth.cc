#include "api/internal.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/domain/api_key_service.h"

namespace tocsin::api {

namespace {
constexpr size_t kMaxCached = 10000;
}

Result<domain::Principal> Authenticator::Authenticate(std::string_view header) {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) return Unauthenticated("missing Authorization: Bearer <API key>");
  if (header.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), header.begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return Unauthenticated("Authorization must be \"Bearer <API key>\"");
  }
  std::string_view token = header.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 512) return Unauthenticated("invalid API key");
  const std::string hash = domain::HashApiKeyToken(token);
  const TimePoint now = clock_.Now();
  std::optional<Cached> hit;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = by_hash_.find(hash); it != by_hash_.end()) hit = it->second;
  }
  if (!hit) {
    domain::ApiKey key;
    Status s = store_.Read([&](store::ReadTxn& txn) {
      auto found = txn.FindApiKeyByHash(hash);
      if (!found.ok()) return found.status();
      key = std::move(*found);
      return Status::Ok();
    });
    if (s.code() == StatusCode::kNotFound) return Unauthenticated("invalid API key");
    if (!s.ok()) return s;
    hit = Cached{key.id, key.key_hash, key.role, key.expires_at};
    std::lock_guard<std::mutex> lock(mu_);
    if (by_hash_.size() >= kMaxCached) by_hash_.clear();
    by_hash_.emplace(hash, *hit);
  }
  // The map lookup is by hash; the stored digest is still compared in
  // constant time so that no code path compares key material early-exit.
  if (!crypto::ConstantTimeEqual(hit->hash, hash)) return Unauthenticated("invalid API key");
  if (hit->expires_at && *hit->expires_at <= now) return Unauthenticated("API key has expired");
  return domain::Principal{"api-key/" + hit->id, hit->role};
}

void Authenticator::Forget(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(by_hash_, [&](const auto& entry) { return entry.second.id == id; });
}

}  // namespace tocsin::api
