// Thin RAII layer over the SQLite C API, private to the store module.
//
// A Db is one connection; it is not thread-safe and must be used by one thread
// at a time. Statements are prepared once per connection and cached; a Stmt is
// a borrowed, reset-on-destruction handle to a cached statement.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tocsin/core/status.h"

namespace tocsin::store {

// Maps a SQLite result code to a Status: BUSY/LOCKED/FULL/IOERR/READONLY/
// CANTOPEN/NOMEM → kUnavailable (the caller may retry later), constraint
// failures → kFailedPrecondition / kAlreadyExists, the rest → kInternal.
Status SqliteStatus(int rc, sqlite3* db, std::string_view what);

class Stmt {
 public:
  Stmt(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  Stmt(Stmt&& other) noexcept : stmt_(other.stmt_), db_(other.db_) { other.stmt_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Binds by 1-based position. Strings and blobs are copied (SQLITE_TRANSIENT).
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, std::string_view text);
  Stmt& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Stmt& BindBlob(int index, std::string_view bytes);
  Stmt& BindNull(int index);
  Stmt& BindOptional(int index, const std::optional<int64_t>& value);

  // Steps once. Returns true if a row is available, false when done.
  // Errors are remembered in status() and make Step return false.
  bool Step();
  // Steps to completion (for INSERT/UPDATE/DELETE); returns the status.
  Status Run();
  const Status& status() const { return status_; }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const;
  std::string Blob(int col) const;
  std::optional<int64_t> OptionalInt(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
  }

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  Status status_;
};

// Applies the process-wide SQLite settings that must precede
// sqlite3_initialize() (memory statistics off: they take a global mutex on
// every allocation, a tenth of the writer's time in a busy engine). Idempotent;
// Db::Open calls it, and so must anything that initializes SQLite earlier.
void ConfigureSqlite();

class Db {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens `path` (creating it in kReadWrite mode) with foreign keys on and a
  // busy timeout. kUnavailable if it cannot be opened.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, Mode mode);

  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Runs one or more SQL statements that return no rows.
  Status Exec(std::string_view sql);

  // Returns a cached prepared statement for `sql`, reset and unbound.
  // REQUIRES: `sql` has static storage (a literal): the cache is keyed by its address.
  // kInternal if the SQL does not compile (a bug).
  Result<Stmt> Prepare(const char* sql);

  // Like Prepare, for SQL assembled at run time (filters); cached by text.
  // Callers must keep the number of distinct texts small (bounded filter
  // combinations), as every one stays prepared.
  Result<Stmt> PrepareDynamic(const std::string& sql);

  // Runs a query returning one integer (e.g. PRAGMA user_version).
  Result<int64_t> QueryInt(const char* sql);
  Result<std::string> QueryText(const char* sql);

  int64_t Changes() const { return sqlite3_changes64(db_); }
  // The rowid of the last successful INSERT on this connection.
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* raw() const { return db_; }
  // Makes the statement running on this connection fail soon with
  // SQLITE_INTERRUPT. Safe from any thread while the connection is open.
  void Interrupt() { sqlite3_interrupt(db_); }

 private:
  explicit Db(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;  // Keyed by SQL literal address.
  std::unordered_map<std::string, sqlite3_stmt*> dynamic_cache_;
};

}  // namespace tocsin::store
