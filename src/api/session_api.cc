// /api/v1/session: the dashboard's login (POST), who am I (GET) and logout
// (DELETE). Sessions are cookies (HttpOnly, SameSite=Lax; "__Host-" and
// Secure when the public URL is https); state changes made with one also
// carry X-CSRF-Token, which only these answers reveal.
//
// A failed login answers 401 with one generic message after a delay that
// grows with the failures of that name and of that client (LoginThrottle);
// an unknown name costs the same password hash as a known one, so neither
// the message nor the time tells whether the name exists.
#include <cctype>

#include "api/crud.h"
#include "tocsin/crypto/password.h"

namespace tocsin::api {
namespace {

constexpr const char* kGenericFailure = "wrong name or password";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Json RenderSession(const Api::Impl& api, const domain::SessionUser& who, std::string_view token) {
  return {
      {"user",
       {{"id", who.session.user_id},
        {"name", who.user_name},
        {"role", domain::RoleName(who.role)}}},
      {"csrfToken", domain::AccountService::CsrfToken(token)},
      {"expiresAt", FormatRfc3339(who.session.expires_at)},
      {"idleTimeoutSeconds",
       std::chrono::duration_cast<std::chrono::seconds>(api.svc.accounts->options().idle).count()}};
}

std::string Cookie(const Api::Impl& api, std::string_view value, int64_t max_age_seconds) {
  std::string c = SessionCookieName(api.config) + "=" + std::string(value) +
                  "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age_seconds);
  if (api.config.public_url.rfind("https://", 0) == 0) c += "; Secure";
  return c;
}

// What a login checks the password against when the name is unknown, so that
// it costs the same (computed once, on the password worker).
const std::string& DummyHash(const domain::AccountService& accounts) {
  static const std::string hash = accounts.HashPassword("not a password of anyone");
  return hash;
}

void Login(Api::Impl& api, Call& call) {
  auto body = BodyJson(call.req);
  if (!body.ok()) return api.Fail(call, body.status());
  codec::DecodeErrors errors;
  codec::ObjectReader r(*body, "", errors);
  auto name = r.String("name", 1, 1024, true);
  auto password = r.String("password", 1, 4096, true);
  if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);

  std::optional<domain::User> user;
  if (domain::AccountService::ValidateName(*name).ok() && !api.Read(call, [&](store::ReadTxn& txn) {
        auto found = txn.Accounts().GetUser(*name);
        if (found.ok()) user = std::move(*found);
        return found.ok() || found.status().code() == StatusCode::kNotFound ? Status::Ok()
                                                                            : found.status();
      })) {
    return;
  }

  const std::string name_key = "name:" + Lower(*name);
  const std::string address_key = "address:" + call.req.remote_address;
  auto reply = call.reply;
  const std::string rid = call.rid();
  auto fail = [&api, reply, rid, name_key, address_key] {
    const Millis delay = api.login_throttle.Fail({name_key, address_key}, api.svc.clock->Now());
    spdlog::info("msg=\"login failed\" request_id={} delay_ms={}", rid, delay.count());
    auto answer = [reply, rid] { reply(ErrorResponse(Unauthenticated(kGenericFailure), rid)); };
    if (!api.passwords.PostAfter(delay, answer)) answer();
  };
  bool queued = api.passwords.Post([&api, reply, rid, user = std::move(user),
                                    password = std::move(*password), fail, name_key,
                                    address_key]() mutable {
    const bool ok = user ? crypto::VerifyPassword(password, user->password_hash)
                         : (crypto::VerifyPassword(password, DummyHash(*api.svc.accounts)), false);
    if (!ok) return fail();
    store::SubmitFor<domain::NewSession>(
        *api.svc.store,
        [&api, user = *user, rid](store::WriteTxn& txn) -> Result<domain::NewSession> {
          auto started = api.svc.accounts->StartSession(txn, user);
          if (!started.ok()) return started.status();
          const domain::Principal who = domain::AccountService::PrincipalOf(started->who);
          TOCSIN_RETURN_IF_ERROR(
              Audit(txn, who, rid, "login", "session", started->who.session.id, user.name));
          return started;
        },
        [&api, reply, rid, fail, name_key, address_key](Result<domain::NewSession> started) {
          if (!started.ok()) {
            if (started.status().code() == StatusCode::kUnauthenticated) return fail();
            return reply(ErrorResponse(started.status(), rid));
          }
          api.login_throttle.Succeed(name_key);
          api.login_throttle.Succeed(address_key);
          reply.Later([&api, started = std::move(*started)] {
            http::Response response =
                JsonResponse(200, RenderSession(api, started.who, started.token));
            const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(
                api.svc.accounts->options().absolute);
            response.headers.push_back({"set-cookie", Cookie(api, started.token, max_age.count())});
            response.headers.push_back({"cache-control", "no-store"});
            response.principal = "user/" + started.who.user_name;
            return response;
          });
        },
        store::WritePriority::kRequest);
  });
  if (!queued) {
    api.Fail(call, ResourceExhausted("too many logins at once; retry in a few seconds"));
  }
}

}  // namespace

void AddSessionRoutes(Api::Impl& api) {
  if (api.svc.accounts == nullptr) return;
  RouteSpec login{"POST", "/api/v1/session", kPublic, [&api](Call& call) { Login(api, call); }};
  login.body_limit = 16 * 1024;
  login.credential = "password";
  api.routes.push_back(std::move(login));

  RouteSpec current{"GET", "/api/v1/session", kReaders, [&api](Call& call) {
                      http::Response r =
                          JsonResponse(200, RenderSession(api, *call.session, call.session_token));
                      r.headers.push_back({"cache-control", "no-store"});
                      api.Send(call, std::move(r));
                    }};
  current.auth = AuthMode::kSessionOnly;
  api.routes.push_back(std::move(current));

  RouteSpec logout{
      "DELETE", "/api/v1/session", kReaders, [&api](Call& call) {
        const domain::SessionUser who = *call.session;
        auto reply = call.reply;
        const std::string rid = call.rid();
        store::SubmitFor<bool>(
            *api.svc.store,
            [who, rid](store::WriteTxn& txn) -> Result<bool> {
              TOCSIN_RETURN_IF_ERROR(txn.Accounts().DeleteSession(who.session.id));
              TOCSIN_RETURN_IF_ERROR(Audit(txn, domain::AccountService::PrincipalOf(who), rid,
                                           "logout", "session", who.session.id, who.user_name));
              return true;
            },
            [&api, reply, rid, who](Result<bool> done) {
              if (!done.ok()) return reply(ErrorResponse(done.status(), rid));
              http::Response r = JsonResponse(204, {});
              r.headers.push_back({"set-cookie", Cookie(api, "", 0)});
              r.principal = "user/" + who.user_name;
              reply(std::move(r));
            },
            store::WritePriority::kRequest);
      }};
  logout.auth = AuthMode::kSessionOnly;
  api.routes.push_back(std::move(logout));
}

}  // namespace tocsin::api
