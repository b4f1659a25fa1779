#include "tocsin/domain/account_service.h"

#include "tocsin/core/ids.h"
#include "tocsin/crypto/crypto.h"

namespace tocsin::domain {
namespace {

constexpr const char* kTokenPrefix = "tss_";

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '@' || c == '-';
}

}  // namespace

Status AccountService::ValidateName(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return InvalidArgument("name must be 1 to 64 characters", "name");
  for (char c : name) {
    if (!NameChar(c)) {
      return InvalidArgument("name may contain only letters, digits and . _ @ -", "name");
    }
  }
  if (!std::isalnum(static_cast<unsigned char>(name.front()))) {
    return InvalidArgument("name must start with a letter or digit", "name");
  }
  return Status::Ok();
}

Status AccountService::ValidatePassword(std::string_view password) {
  if (password.size() < 8)
    return InvalidArgument("password must be at least 8 characters", "password");
  if (password.size() > 1024) {
    return InvalidArgument("password must be at most 1024 characters", "password");
  }
  return Status::Ok();
}

Result<Role> AccountService::ParseUserRole(std::string_view text) {
  auto role = ParseRole(text);
  if (!role || *role == Role::kIntegration) {
    return InvalidArgument("role must be admin, responder or viewer", "role");
  }
  return *role;
}

std::string AccountService::HashPassword(std::string_view password) const {
  return crypto::HashPassword(password, params_);
}

Result<User> AccountService::CreateUser(store::WriteTxn& txn, const Principal& who,
                                        std::string name, Role role,
                                        std::string password_hash) const {
  TOCSIN_RETURN_IF_ERROR(ValidateName(name));
  if (role == Role::kIntegration)
    return InvalidArgument("role must be admin, responder or viewer", "role");
  User user;
  user.id = NewUuid();
  user.name = std::move(name);
  user.role = role;
  user.password_hash = std::move(password_hash);
  user.version = 1;
  user.created_at = user.updated_at = txn.Now();
  user.created_by = user.updated_by = who.id;
  TOCSIN_RETURN_IF_ERROR(txn.Accounts().InsertUser(user));
  return user;
}

Result<User> AccountService::UpdateUser(store::WriteTxn& txn, const Principal& who,
                                        std::string_view ref, std::optional<Role> role,
                                        std::optional<std::string> password_hash,
                                        std::optional<int64_t> expected) const {
  auto current = txn.Accounts().GetUser(ref);
  if (!current.ok()) return current.status();
  if (expected && *expected != current->version) {
    return Aborted("user " + current->name + " is at version " + std::to_string(current->version) +
                   ", not " + std::to_string(*expected));
  }
  User updated = *current;
  if (role) {
    if (*role == Role::kIntegration) {
      return InvalidArgument("role must be admin, responder or viewer", "role");
    }
    updated.role = *role;
  }
  if (password_hash) updated.password_hash = std::move(*password_hash);
  updated.version = current->version + 1;
  updated.updated_at = txn.Now();
  updated.updated_by = who.id;
  TOCSIN_RETURN_IF_ERROR(txn.Accounts().UpdateUser(updated));
  if (updated.password_hash != current->password_hash) {
    TOCSIN_RETURN_IF_ERROR(txn.Accounts().DeleteSessionsOfUser(updated.id).status());
  }
  return updated;
}

Result<User> AccountService::DeleteUser(store::WriteTxn& txn, std::string_view ref) const {
  auto current = txn.Accounts().GetUser(ref);
  if (!current.ok()) return current.status();
  TOCSIN_RETURN_IF_ERROR(txn.Accounts().DeleteUser(current->id));
  return current;
}

Result<NewSession> AccountService::StartSession(store::WriteTxn& txn, const User& user) const {
  auto current = txn.Accounts().GetUser(user.id);
  if (!current.ok() && current.status().code() != StatusCode::kNotFound) return current.status();
  if (!current.ok() || current->password_hash != user.password_hash) {
    return Unauthenticated("wrong name or password");
  }
  const TimePoint now = txn.Now();
  TOCSIN_RETURN_IF_ERROR(txn.Accounts().PurgeSessions(now, options_.idle).status());
  NewSession out;
  out.token = kTokenPrefix + RandomToken(32);
  Session& s = out.who.session;
  s.id = NewUuid();
  s.user_id = current->id;
  s.token_hash = crypto::Sha256(out.token);
  s.created_at = s.last_seen_at = now;
  s.expires_at = now + options_.absolute;
  out.who.user_name = current->name;
  out.who.role = current->role;
  TOCSIN_RETURN_IF_ERROR(txn.Accounts().InsertSession(s));
  return out;
}

Result<SessionUser> AccountService::Authenticate(store::ReadTxn& txn, std::string_view token,
                                                 TimePoint now) const {
  if (token.size() < 8 || token.size() > 256 || token.substr(0, 4) != kTokenPrefix) {
    return Unauthenticated("no valid session; log in again");
  }
  auto found = txn.Accounts().FindSession(crypto::Sha256(token));
  if (!found.ok()) {
    if (found.status().code() == StatusCode::kNotFound) {
      return Unauthenticated("no valid session; log in again");
    }
    return found.status();
  }
  if (found->session.expires_at <= now || now - found->session.last_seen_at >= options_.idle) {
    return Unauthenticated("the session has expired; log in again");
  }
  return found;
}

std::string AccountService::CsrfToken(std::string_view session_token) {
  return crypto::Base64UrlEncode(crypto::HmacSha256(session_token, "tocsin-csrf-v1"));
}

}  // namespace tocsin::domain
