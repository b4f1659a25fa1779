// Dashboard accounts: users with scrypt-hashed passwords and cookie sessions.
//
// Password hashing is slow on purpose, so it is split from the transactional
// part: callers hash (HashPassword) or verify (crypto::VerifyPassword) on a
// thread of their own, then run the write functions below, which only store.
// Session tokens ("tss_" + 256 random bits) live in the browser; the store
// keeps their SHA-256. A session ends when it has been idle for
// `idle`, `absolute` after it began, on logout, when its user's password
// changes, or when the user is deleted.
//
// Thread-safety: stateless apart from its options; safe to share.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tocsin/crypto/password.h"
#include "tocsin/domain/principal.h"
#include "tocsin/domain/user.h"
#include "tocsin/store/store.h"

namespace tocsin::domain {

struct SessionOptions {
  Millis idle = std::chrono::hours(12);
  Millis absolute = std::chrono::hours(24 * 7);
  // last_seen_at is written at most this often per session (a request within
  // it costs no write).
  Millis touch_interval = std::chrono::minutes(1);
};

struct NewSession {
  SessionUser who;
  std::string token;  // For the cookie; never stored.
};

class AccountService {
 public:
  explicit AccountService(SessionOptions options = {}, crypto::ScryptParams params = {})
      : options_(options), params_(params) {}

  // kInvalidArgument (field "name"): 1..64 of [A-Za-z0-9._@-], starting with
  // a letter or digit.
  static Status ValidateName(std::string_view name);
  // kInvalidArgument (field "password"): 8..1024 bytes.
  static Status ValidatePassword(std::string_view password);
  // kInvalidArgument (field "role"): people only, never "integration".
  static Result<Role> ParseUserRole(std::string_view text);

  // The slow part of creating a user or changing a password.
  std::string HashPassword(std::string_view password) const;

  Result<User> CreateUser(store::WriteTxn& txn, const Principal& who, std::string name, Role role,
                          std::string password_hash) const;
  // Changes the role and/or the password (hash) of user `ref` (id or name).
  // kFailedPrecondition on a version other than `expected`. A new password
  // ends the user's sessions.
  Result<User> UpdateUser(store::WriteTxn& txn, const Principal& who, std::string_view ref,
                          std::optional<Role> role, std::optional<std::string> password_hash,
                          std::optional<int64_t> expected) const;
  // Deletes user `ref` and its sessions; returns the deleted user.
  Result<User> DeleteUser(store::WriteTxn& txn, std::string_view ref) const;

  // Starts a session for `user`, whose password the caller verified against
  // `user.password_hash` as read earlier. kUnauthenticated if the user was
  // deleted or its password changed since (the verification is stale).
  // Purges expired sessions as a side effect.
  Result<NewSession> StartSession(store::WriteTxn& txn, const User& user) const;

  // The live session of `token` at `now`; kUnauthenticated when unknown,
  // idle too long or past its absolute expiry.
  Result<SessionUser> Authenticate(store::ReadTxn& txn, std::string_view token,
                                   TimePoint now) const;
  // True when `who`'s last_seen_at is due to be written (TouchSession).
  bool NeedsTouch(const SessionUser& who, TimePoint now) const {
    return now - who.session.last_seen_at >= options_.touch_interval;
  }

  // The anti-CSRF token of a session: derived from its token, so it needs no
  // storage and is useless without the cookie it belongs to.
  static std::string CsrfToken(std::string_view session_token);
  // The principal a session acts as ("user/<name>").
  static Principal PrincipalOf(const SessionUser& who) {
    return {"user/" + who.user_name, who.role};
  }

  const SessionOptions& options() const { return options_; }

 private:
  SessionOptions options_;
  crypto::ScryptParams params_;
};

}  // namespace tocsin::domain
