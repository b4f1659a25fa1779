// Schema migrations: migrations/NNNN_name.sql, embedded in the binary and
// applied in order at start-up, each in its own transaction, with the applied
// version in PRAGMA user_version.
#pragma once

#include <string>
#include <vector>

#include "store/sqlite.h"

namespace tocsin::store {

struct Migration {
  int version;
  std::string name;
  std::string_view sql;
};

// Returns the embedded migrations sorted by version. Numbering must start at 1
// and have no gaps (checked by a unit test, and at start-up).
std::vector<Migration> EmbeddedMigrations();

// Applies every migration newer than the database's user_version.
// kFailedPrecondition if the database's version is newer than the newest
// embedded migration (written by a newer Tocsin).
Status Migrate(Db& db);

}  // namespace tocsin::store
