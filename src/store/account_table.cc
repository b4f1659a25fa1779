#include "store/account_table.h"

#include <algorithm>

#include "store/resource_table.h"

namespace tocsin::store {
namespace {

constexpr const char* kUserColumns =
    "id, name, role, password_hash, version, created_at, created_by, updated_at, updated_by, seq";

domain::User ReadUser(const Stmt& s) {
  domain::User u;
  u.id = s.Text(0);
  u.name = s.Text(1);
  u.role = domain::ParseRole(s.Text(2)).value_or(domain::Role::kViewer);
  u.password_hash = s.Text(3);
  u.version = s.Int(4);
  u.created_at = FromUnixMillis(s.Int(5));
  u.created_by = s.Text(6);
  u.updated_at = FromUnixMillis(s.Int(7));
  u.updated_by = s.Text(8);
  return u;
}

template <typename T>
Result<T> NotFoundOr(const Stmt& s, const char* what) {
  if (!s.status().ok()) return s.status();
  return NotFound(what);
}

}  // namespace

Result<domain::User> AccountTable::GetUser(std::string_view id_or_name) {
  static const std::string sql =
      std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?1 OR name = ?1";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, id_or_name);
  if (s->Step()) return ReadUser(*s);
  return NotFoundOr<domain::User>(*s, "user not found");
}

Result<Page<domain::User>> AccountTable::ListUsers(const ListOptions& options) {
  auto after = CursorOr(options.cursor, 0);
  if (!after.ok()) return after.status();
  const size_t limit = std::clamp<size_t>(options.limit, 1, 100);
  static const std::string sql =
      std::string("SELECT ") + kUserColumns + " FROM users WHERE seq > ?1 ORDER BY seq LIMIT ?2";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, *after).Bind(2, static_cast<int64_t>(limit + 1));
  return Paginate(*s, limit, 9, ReadUser);
}

Result<int64_t> AccountTable::CountAdminUsers() {
  return db_.QueryInt("SELECT count(*) FROM users WHERE role = 'admin'");
}

Result<domain::SessionUser> AccountTable::FindSession(std::string_view token_hash) {
  auto s = db_.Prepare(
      "SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, u.name, u.role "
      "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1");
  if (!s.ok()) return s.status();
  s->BindBlob(1, token_hash);
  if (!s->Step()) return NotFoundOr<domain::SessionUser>(*s, "session not found");
  domain::SessionUser out;
  out.session.id = s->Text(0);
  out.session.user_id = s->Text(1);
  out.session.token_hash = std::string(token_hash);
  out.session.created_at = FromUnixMillis(s->Int(2));
  out.session.last_seen_at = FromUnixMillis(s->Int(3));
  out.session.expires_at = FromUnixMillis(s->Int(4));
  out.user_name = s->Text(5);
  out.role = domain::ParseRole(s->Text(6)).value_or(domain::Role::kViewer);
  return out;
}

Status AccountTable::InsertUser(const domain::User& u) {
  auto s = db_.Prepare(
      "INSERT INTO users (id, name, role, password_hash, version, created_at, created_by, "
      "updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!s.ok()) return s.status();
  s->Bind(1, u.id).Bind(2, u.name).Bind(3, domain::RoleName(u.role)).Bind(4, u.password_hash);
  s->Bind(5, u.version).Bind(6, ToUnixMillis(u.created_at)).Bind(7, u.created_by);
  s->Bind(8, ToUnixMillis(u.updated_at)).Bind(9, u.updated_by);
  Status st = s->Run();
  if (st.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a user named \"" + u.name + "\" already exists", "name");
  }
  return st;
}

Status AccountTable::UpdateUser(const domain::User& u) {
  auto s = db_.Prepare(
      "UPDATE users SET role = ?2, password_hash = ?3, version = ?4, updated_at = ?5, "
      "updated_by = ?6 WHERE id = ?1 AND version = ?4 - 1");
  if (!s.ok()) return s.status();
  s->Bind(1, u.id).Bind(2, domain::RoleName(u.role)).Bind(3, u.password_hash).Bind(4, u.version);
  s->Bind(5, ToUnixMillis(u.updated_at)).Bind(6, u.updated_by);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  if (db_.Changes() == 0) return Aborted("user " + u.id + " was changed concurrently or deleted");
  return Status::Ok();
}

Status AccountTable::DeleteUser(std::string_view id) {
  auto s = db_.Prepare("DELETE FROM users WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, id);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  if (db_.Changes() == 0) return NotFound("user not found");
  return Status::Ok();
}

Status AccountTable::InsertSession(const domain::Session& x) {
  auto s = db_.Prepare(
      "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!s.ok()) return s.status();
  s->Bind(1, x.id).Bind(2, x.user_id).BindBlob(3, x.token_hash);
  s->Bind(4, ToUnixMillis(x.created_at)).Bind(5, ToUnixMillis(x.last_seen_at));
  s->Bind(6, ToUnixMillis(x.expires_at));
  return s->Run();
}

Status AccountTable::TouchSession(std::string_view id, TimePoint at) {
  auto s = db_.Prepare("UPDATE sessions SET last_seen_at = max(last_seen_at, ?2) WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, ToUnixMillis(at));
  return s->Run();
}

Status AccountTable::DeleteSession(std::string_view id) {
  auto s = db_.Prepare("DELETE FROM sessions WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, id);
  return s->Run();
}

Result<int64_t> AccountTable::DeleteSessionsOfUser(std::string_view user_id) {
  auto s = db_.Prepare("DELETE FROM sessions WHERE user_id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, user_id);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  return db_.Changes();
}

Result<int64_t> AccountTable::PurgeSessions(TimePoint now, Millis idle) {
  auto s = db_.Prepare("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, ToUnixMillis(now)).Bind(2, ToUnixMillis(now - idle));
  TOCSIN_RETURN_IF_ERROR(s->Run());
  return db_.Changes();
}

}  // namespace tocsin::store
