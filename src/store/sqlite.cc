#include "store/sqlite.h"

#include <mutex>

#include <spdlog/spdlog.h>

namespace tocsin::store {

Status SqliteStatus(int rc, sqlite3* db, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string msg(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      return Unavailable("storage unavailable: " + msg);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExists(msg);
      }
      return FailedPrecondition(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Internal("database corrupt: " + msg);
    default:
      return Internal(msg);
  }
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt& Stmt::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Stmt& Stmt::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Stmt& Stmt::BindOptional(int index, const std::optional<int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

bool Stmt::Step() {
  if (!status_.ok()) return false;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = SqliteStatus(rc, db_, sqlite3_sql(stmt_));
  return false;
}

Status Stmt::Run() {
  while (Step()) {
  }
  return status_;
}

std::string Stmt::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

std::string Stmt::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string()
                      : std::string(static_cast<const char*>(p), static_cast<size_t>(n));
}

void ConfigureSqlite() {
  static std::once_flag once;
  std::call_once(once, [] {
    // SQLITE_MISUSE when something initialized SQLite first; harmless.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, Mode mode) {
  ConfigureSqlite();
  sqlite3* raw = nullptr;
  const int flags = (mode == Mode::kReadWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                              : SQLITE_OPEN_READONLY) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteStatus(rc, raw, "open " + path);
    sqlite3_close_v2(raw);
    return s;
  }
  std::unique_ptr<Db> db(new Db(raw));
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 1);
  // Hardening (sqlite.org/security.html): no schema tricks, checked cells.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  TOCSIN_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON; PRAGMA cell_size_check=ON;"));
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  for (auto& [sql, stmt] : dynamic_cache_) sqlite3_finalize(stmt);
  const int rc = sqlite3_close_v2(db_);
  if (rc != SQLITE_OK) spdlog::warn("msg=\"sqlite close failed\" rc={}", rc);
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  const std::string copy(sql);
  const int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string what = err != nullptr ? err : "exec";
    sqlite3_free(err);
    return SqliteStatus(rc, db_, what);
  }
  return Status::Ok();
}

Result<Stmt> Db::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(rc, db_, std::string("prepare ") + sql);
    it = cache_.emplace(sql, stmt).first;
  }
  return Stmt(it->second, db_);
}

Result<Stmt> Db::PrepareDynamic(const std::string& sql) {
  auto it = dynamic_cache_.find(sql);
  if (it == dynamic_cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "prepare " + sql);
    it = dynamic_cache_.emplace(sql, stmt).first;
  }
  return Stmt(it->second, db_);
}

Result<int64_t> Db::QueryInt(const char* sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  if (!stmt->Step()) {
    if (!stmt->status().ok()) return stmt->status();
    return Internal(std::string("no row from ") + sql);
  }
  return stmt->Int(0);
}

Result<std::string> Db::QueryText(const char* sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  if (!stmt->Step()) {
    if (!stmt->status().ok()) return stmt->status();
    return Internal(std::string("no row from ") + sql);
  }
  return stmt->Text(0);
}

}  // namespace tocsin::store
