// /api/v1/users (admin only): the people who log in to the dashboard. A
// password is hashed (scrypt) on the password worker before the write; it
// is never returned. Changing a password ends that user's sessions.
#include "api/crud.h"

namespace tocsin::api {
namespace {

Json RenderUser(const domain::User& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"role", domain::RoleName(u.role)},
          {"version", u.version},
          {"createdAt", FormatRfc3339(u.created_at)},
          {"createdBy", u.created_by},
          {"updatedAt", FormatRfc3339(u.updated_at)},
          {"updatedBy", u.updated_by}};
}

http::Response UserResponse(unsigned status, const domain::User& u) {
  return WithEtag(JsonResponse(status, RenderUser(u)), u.version);
}

// Hashes `password` on the password worker (when set), then runs `write` with
// the hash and replies with its user. Answers 429 when the worker is full.
void HashThenWrite(
    Api::Impl& api, Call& call, std::optional<std::string> password,
    std::function<Result<domain::User>(store::WriteTxn&, std::optional<std::string>)> write,
    unsigned status) {
  auto reply = call.reply;
  const std::string rid = call.rid();
  const std::string principal = call.who.id;
  auto submit = [&api, reply, rid, principal, write = std::move(write),
                 status](std::optional<std::string> hash) {
    store::SubmitFor<domain::User>(
        *api.svc.store,
        [write, hash = std::move(hash)](store::WriteTxn& txn) { return write(txn, hash); },
        [reply, rid, principal, status](Result<domain::User> user) {
          reply.Later([rid, principal, status, user = std::move(user)] {
            http::Response r =
                user.ok() ? UserResponse(status, *user) : ErrorResponse(user.status(), rid);
            r.principal = principal;
            return r;
          });
        },
        store::WritePriority::kRequest);
  };
  if (!password) return submit(std::nullopt);
  if (!api.passwords.Post([&api, submit, password = std::move(*password)] {
        submit(api.svc.accounts->HashPassword(password));
      })) {
    api.Fail(call, ResourceExhausted("too many password changes at once; retry in a few seconds"));
  }
}

void Create(Api::Impl& api, Call& call) {
  auto body = BodyJson(call.req);
  if (!body.ok()) return api.Fail(call, body.status());
  codec::DecodeErrors errors;
  codec::ObjectReader r(*body, "", errors);
  auto name = r.String("name", 1, 64, true);
  auto password = r.String("password", 1, 1024, true);
  auto role_text = r.String("role", 1, 32, true);
  if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
  if (Status s = domain::AccountService::ValidateName(*name); !s.ok()) return api.Fail(call, s);
  if (Status s = domain::AccountService::ValidatePassword(*password); !s.ok()) {
    return api.Fail(call, s);
  }
  auto role = domain::AccountService::ParseUserRole(*role_text);
  if (!role.ok()) return api.Fail(call, role.status());
  HashThenWrite(
      api, call, std::move(password),
      [&api, who = call.who, rid = call.rid(), name = *name, role = *role](
          store::WriteTxn& txn, std::optional<std::string> hash) -> Result<domain::User> {
        auto user = api.svc.accounts->CreateUser(txn, who, name, role, std::move(*hash));
        if (!user.ok()) return user.status();
        TOCSIN_RETURN_IF_ERROR(Audit(txn, who, rid, "create", "user", user->id,
                                     user->name + " (" + domain::RoleName(role) + ")"));
        return user;
      },
      201);
}

void Update(Api::Impl& api, Call& call) {
  auto body = BodyJson(call.req);
  if (!body.ok()) return api.Fail(call, body.status());
  auto if_match = ParseIfMatch(call.req.HeaderValue("if-match"));
  if (!if_match.ok()) return api.Fail(call, if_match.status());
  codec::DecodeErrors errors;
  codec::ObjectReader r(*body, "", errors);
  auto password = r.String("password", 1, 1024);
  auto role_text = r.String("role", 1, 32);
  if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
  if (password) {
    if (Status s = domain::AccountService::ValidatePassword(*password); !s.ok()) {
      return api.Fail(call, s);
    }
  }
  std::optional<domain::Role> role;
  if (role_text) {
    auto parsed = domain::AccountService::ParseUserRole(*role_text);
    if (!parsed.ok()) return api.Fail(call, parsed.status());
    role = *parsed;
  }
  HashThenWrite(
      api, call, std::move(password),
      [&api, who = call.who, rid = call.rid(), ref = call.param(0), role, expected = *if_match](
          store::WriteTxn& txn, std::optional<std::string> hash) -> Result<domain::User> {
        const bool new_password = hash.has_value();
        auto user = api.svc.accounts->UpdateUser(txn, who, ref, role, std::move(hash), expected);
        if (!user.ok()) return user.status();
        std::string what = user->name + " (" + domain::RoleName(user->role) + ")";
        if (new_password) what += ", password changed";
        TOCSIN_RETURN_IF_ERROR(Audit(txn, who, rid, "update", "user", user->id, what));
        return user;
      },
      200);
}

}  // namespace

void AddUserRoutes(Api::Impl& api) {
  if (api.svc.accounts == nullptr) return;
  const std::string base = "/api/v1/users";
  api.routes.push_back({"POST", base, kAdmin, [&api](Call& call) { Create(api, call); }});
  api.routes.push_back(
      {"PATCH", base + "/{id}", kAdmin, [&api](Call& call) { Update(api, call); }});

  api.routes.push_back({"GET", base, kAdmin, [&api](Call& call) {
                          SendPage<domain::User>(
                              api, call,
                              [](store::ReadTxn& txn, const store::ListOptions& o) {
                                return txn.Accounts().ListUsers(o);
                              },
                              RenderUser);
                        }});

  api.routes.push_back({"GET", base + "/{id}", kAdmin, [&api](Call& call) {
                          std::optional<domain::User> user;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                auto found = txn.Accounts().GetUser(call.param(0));
                                if (!found.ok()) return found.status();
                                user = std::move(*found);
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.Send(call, UserResponse(200, *user));
                        }});

  api.routes.push_back({"DELETE", base + "/{id}", kAdmin, [&api](Call& call) {
                          api.Mutate<bool>(
                              call,
                              [&api, who = call.who, rid = call.rid(),
                               ref = call.param(0)](store::WriteTxn& txn) -> Result<bool> {
                                auto user = api.svc.accounts->DeleteUser(txn, ref);
                                if (!user.ok()) return user.status();
                                TOCSIN_RETURN_IF_ERROR(
                                    Audit(txn, who, rid, "delete", "user", user->id, user->name));
                                return true;
                              },
                              [](const bool&) { return JsonResponse(204, {}); });
                        }});
}

}  // namespace tocsin::api
