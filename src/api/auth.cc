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

namespace tocsin::api {
namespace {

bool Safe(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

}  // namespace

std::string SessionCookieName(const ApiConfig& config) {
  return config.public_url.rfind("https://", 0) == 0 ? "__Host-tocsin_session" : "tocsin_session";
}

std::string SessionTokenOf(const http::Request& req, std::string_view cookie_name) {
  // Cookie: a=1; b=2 (RFC 6265 §5.4). Every Cookie header counts.
  for (const auto& h : req.headers) {
    if (h.name != "cookie") continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == cookie_name) {
        return std::string(pair.substr(eq + 1));
      }
    }
  }
  return {};
}

Status Api::Impl::Authenticate(Call& call, const RouteSpec& spec) {
  const http::Request& req = call.req;
  const std::string_view authorization = req.HeaderValue("authorization");
  const std::string token =
      authorization.empty() ? SessionTokenOf(req, SessionCookieName(config)) : std::string();
  if (!authorization.empty() || token.empty()) {
    if (spec.auth == AuthMode::kSessionOnly) {
      return Unauthenticated("this route is for dashboard sessions; log in first");
    }
    auto who = auth.Authenticate(authorization);
    if (!who.ok()) return who.status();
    call.who = std::move(*who);
    return Status::Ok();
  }
  if (spec.auth == AuthMode::kKeyOnly) {
    return Unauthenticated(
        "this route needs an API key (Authorization: Bearer <key>); dashboard sessions are "
        "refused");
  }
  if (svc.accounts == nullptr) return Unauthenticated("dashboard sessions are not enabled");
  const TimePoint now = svc.clock->Now();
  std::optional<domain::SessionUser> found;
  Status s = svc.store->Read([&](store::ReadTxn& txn) {
    auto who = svc.accounts->Authenticate(txn, token, now);
    if (!who.ok()) return who.status();
    found = std::move(*who);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  // A cookie rides along on cross-site requests too; a state change must also
  // prove it comes from our own pages, which alone can read the token.
  if (!Safe(req.method)) {
    if (req.HeaderValue("sec-fetch-site") == "cross-site") {
      return PermissionDenied("cross-site requests may not change anything");
    }
    if (!crypto::ConstantTimeEqual(req.HeaderValue("x-csrf-token"),
                                   domain::AccountService::CsrfToken(token))) {
      return PermissionDenied("missing or wrong X-CSRF-Token (GET /api/v1/session gives it)");
    }
  }
  if (svc.accounts->NeedsTouch(*found, now)) {
    // Best effort: a lost touch only makes the idle expiry come a minute early.
    svc.store->Submit([id = found->session.id,
                       now](store::WriteTxn& txn) { return txn.Accounts().TouchSession(id, now); },
                      [](const Status&) {}, store::WritePriority::kRequest);
  }
  call.who = domain::AccountService::PrincipalOf(*found);
  call.session = std::move(found);
  call.session_token = token;
  return Status::Ok();
}

}  // namespace tocsin::api
