#include "store/migrator.h"

#include <algorithm>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "tocsin/core/embedded.h"

namespace tocsin::migrations {
extern const tocsin::EmbeddedFile kEmbeddedFiles[];
}

namespace tocsin::store {

std::vector<Migration> EmbeddedMigrations() {
  std::vector<Migration> out;
  for (const EmbeddedFile* f = migrations::kEmbeddedFiles; f->path != nullptr; ++f) {
    const std::string path = f->path;
    const int version = std::atoi(path.c_str());
    out.push_back({version, path, f->data});
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

int LatestSchemaVersion() {
  const auto all = EmbeddedMigrations();
  return all.empty() ? 0 : all.back().version;
}

Status Migrate(Db& db) {
  const auto migrations = EmbeddedMigrations();
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Internal("embedded migrations are not numbered 1..N: " + migrations[i].name);
    }
  }
  auto current = db.QueryInt("PRAGMA user_version");
  if (!current.ok()) return current.status();
  const int latest = LatestSchemaVersion();
  if (*current > latest) {
    return FailedPrecondition("database schema version " + std::to_string(*current) +
                              " is newer than this tocsin supports (" + std::to_string(latest) +
                              "); run a newer tocsin or restore a backup");
  }
  for (const auto& m : migrations) {
    if (m.version <= *current) continue;
    std::string sql = "BEGIN IMMEDIATE;\n";
    sql += m.sql;
    sql += "\nPRAGMA user_version = " + std::to_string(m.version) + ";\nCOMMIT;";
    Status s = db.Exec(sql);
    if (!s.ok()) {
      db.Exec("ROLLBACK").IgnoreError();
      return Status(s.code(), "migration " + m.name + " failed: " + s.message());
    }
    spdlog::info("msg=\"applied migration\" migration={}", m.name);
  }
  return Status::Ok();
}

}  // namespace tocsin::store
