// Persistence of dashboard users and sessions (migrations/0006). Functions
// over one connection; not thread-safe. On a reader connection only the
// reading methods may be used.
#pragma once

#include "store/sqlite.h"
#include "tocsin/store/store.h"

namespace tocsin::store {

class AccountTable final : public AccountWriter {
 public:
  explicit AccountTable(Db& db) : db_(db) {}

  Result<domain::User> GetUser(std::string_view id_or_name) override;
  Result<Page<domain::User>> ListUsers(const ListOptions& options) override;
  Result<int64_t> CountAdminUsers() override;
  Result<domain::SessionUser> FindSession(std::string_view token_hash) override;
  Status InsertUser(const domain::User& user) override;
  Status UpdateUser(const domain::User& user) override;
  Status DeleteUser(std::string_view id) override;
  Status InsertSession(const domain::Session& session) override;
  Status TouchSession(std::string_view id, TimePoint at) override;
  Status DeleteSession(std::string_view id) override;
  Result<int64_t> DeleteSessionsOfUser(std::string_view user_id) override;
  Result<int64_t> PurgeSessions(TimePoint now, Millis idle) override;

 private:
  Db& db_;
};

}  // namespace tocsin::store
