// Helpers shared by the store unit tests: a temp directory, a recorder for
// `done` callbacks and commit hooks, a gate that holds the writer thread so
// that the functions submitted meanwhile form one batch, and resource
// factories.
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tocsin/store/store.h"

namespace tocsin::store {
namespace testing_util {

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tocsin-store-XXXXXX").string();
    const char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr) << "mkdtemp failed";
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Collects, in order, the `done` calls and commit hooks of write functions.
// Thread-safe; the writer thread reports into it while the test thread waits.
class Recorder {
 public:
  Store::DoneFn Done(std::string name) {
    return [this, name = std::move(name)](Status status) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back("done:" + name);
      statuses_.emplace_back(name, std::move(status));
      cv_.notify_all();
    };
  }

  std::function<void()> Hook(std::string name) {
    return [this, name = std::move(name)] {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back("hook:" + name);
    };
  }

  // Waits until `n` done calls have been recorded. The timeout only turns a
  // lost callback into a failure instead of a hang; passing tests never wait
  // for it.
  bool WaitForDone(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60), [&] { return statuses_.size() >= n; });
  }

  std::vector<std::string> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

  // Returns the status `done` received for `name` (the first, if several).
  Status StatusOf(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [n, s] : statuses_) {
      if (n == name) return s;
    }
    return Internal("no done call for " + name);
  }

  size_t DoneCount(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t count = 0;
    for (const auto& [n, s] : statuses_) {
      if (n == name) ++count;
    }
    return count;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> events_;                       // Guarded by mu_.
  std::vector<std::pair<std::string, Status>> statuses_;  // Guarded by mu_.
};

// Holds the writer thread inside a write function until Release(). Everything
// submitted between Hold() and Release() is queued together and therefore
// runs as one batch (up to StoreOptions::max_batch).
class WriterGate {
 public:
  void Hold(Store& store) {
    auto entered = std::make_shared<std::promise<void>>();
    auto entered_future = entered->get_future();
    store.Submit(
        [entered, released = released_](WriteTxn&) {
          entered->set_value();
          released.wait();
          return Status::Ok();
        },
        [](Status) {}, WritePriority::kEngine);
    entered_future.wait();
  }
  void Release() { release_.set_value(); }

 private:
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

// The server metadata `key` as committed (kNotFound if absent), or the read's error.
inline Result<std::string> GetMeta(Store& store, const std::string& key) {
  Result<std::string> out = NotFound("unset");
  Status s = store.Read([&](ReadTxn& txn) {
    out = txn.GetMeta(key);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

inline constexpr TimePoint kT0 = TimePoint(Millis(1'767'225'600'000));  // 2026-01-01Z

inline domain::ResourceMeta Meta(std::string id) {
  domain::ResourceMeta meta;
  meta.id = std::move(id);
  meta.version = 1;
  meta.created_at = kT0;
  meta.updated_at = kT0;
  meta.created_by = "api-key/test";
  meta.updated_by = "api-key/test";
  return meta;
}

inline domain::Contact MakeContact(std::string id, std::string alias,
                                   domain::ContactType type = domain::ContactType::kPersonal) {
  domain::Contact c;
  c.meta = Meta(std::move(id));
  c.alias = std::move(alias);
  c.display_name = "Display " + c.alias;
  c.type = type;
  c.tags = {{"team", "ops"}};
  return c;
}

inline domain::Channel MakeChannel(std::string id, std::string contact_id, std::string name) {
  domain::Channel ch;
  ch.meta = Meta(std::move(id));
  ch.contact_id = std::move(contact_id);
  ch.name = std::move(name);
  ch.type = domain::ChannelType::kEmail;
  ch.delivery_address = ch.name + "@example.com";
  return ch;
}

inline domain::Rotation MakeRotation(std::string id, std::string name,
                                     std::vector<std::string> members) {
  domain::Rotation r;
  r.meta = Meta(std::move(id));
  r.name = std::move(name);
  r.spec.members = std::move(members);
  r.spec.start_time = kT0;
  r.spec.time_zone_id = "UTC";
  r.spec.recurrence.daily_settings = {{9, 0}};
  return r;
}

inline domain::RotationOverride MakeOverride(std::string id, std::string rotation_id,
                                             std::vector<std::string> members) {
  domain::RotationOverride o;
  o.meta = Meta(std::move(id));
  o.rotation_id = std::move(rotation_id);
  o.spec.members = std::move(members);
  o.spec.start_time = kT0 + std::chrono::hours(1);
  o.spec.end_time = kT0 + std::chrono::hours(2);
  return o;
}

// A raw SQLite connection for arranging conditions the Store interface cannot
// reach (schema version, journal mode).
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK) << sqlite3_errmsg(db_);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  ~RawDb() { sqlite3_close(db_); }

  void Exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err != nullptr ? err : "") << " in " << sql;
    sqlite3_free(err);
  }

  std::string QueryText(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) out = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace testing_util
}  // namespace tocsin::store
