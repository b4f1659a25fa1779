// The SQLite Store: one writer thread with group commit, a pool of reader
// connections. See tocsin/store/store.h for the contract.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "store/account_table.h"
#include "store/engagement_table.h"
#include "store/incident_table.h"
#include "store/ingest_table.h"
#include "store/ledger_table.h"
#include "store/migrator.h"
#include "store/repos.h"
#include "store/space_reserve.h"
#include "store/sqlite.h"
#include "store/traits.h"
#include "tocsin/core/crash_point.h"
#include "tocsin/core/log.h"
#include "tocsin/store/store.h"

namespace tocsin::store {
namespace {

// Everything one connection can answer; shared by read and write transactions.
class Queries {
 public:
  // `writer` selects a LedgerWriter (the writer connection) over a reader.
  Queries(Db& db, bool writer)
      : db_(db),
        contacts_(db),
        channels_(db),
        rotations_(db),
        overrides_(db),
        response_plans_(db),
        notification_targets_(db),
        chat_channels_(db),
        integrations_(db),
        rules_(db),
        table_(db),
        incidents_(db),
        engagements_(db),
        jobs_(db),
        outbox_(db),
        ingest_(db),
        accounts_(db),
        ledger_(writer ? std::make_unique<LedgerWriter>(db) : std::make_unique<LedgerReader>(db)) {}

  IncidentTable& incidents() { return incidents_; }
  EngagementTable& engagements() { return engagements_; }
  JobTable& jobs() { return jobs_; }
  OutboxTable& outbox() { return outbox_; }
  IngestTable& ingest() { return ingest_; }
  AccountTable& accounts() { return accounts_; }
  LedgerReader& ledger() { return *ledger_; }
  // REQUIRES: constructed with writer = true.
  LedgerWriter& ledger_writer() { return static_cast<LedgerWriter&>(*ledger_); }

  Db& db() { return db_; }
  SqliteRepo<domain::Contact>& contacts() { return contacts_; }
  SqliteRepo<domain::Channel>& channels() { return channels_; }
  SqliteRepo<domain::Rotation>& rotations() { return rotations_; }
  SqliteRepo<domain::RotationOverride>& overrides() { return overrides_; }
  SqliteRepo<domain::ResponsePlan>& response_plans() { return response_plans_; }
  SqliteRepo<domain::NotificationTarget>& notification_targets() { return notification_targets_; }
  SqliteRepo<domain::ChatChannel>& chat_channels() { return chat_channels_; }
  SqliteRepo<domain::Integration>& integrations() { return integrations_; }
  SqliteRepo<domain::Rule>& rules() { return rules_; }

  Result<std::vector<ResourceRef>> ReferrersOf(std::string_view id) { return table_.Referrers(id); }

  static domain::ApiKey ReadKey(const Stmt& s) {
    domain::ApiKey k;
    k.id = s.Text(0);
    k.name = s.Text(1);
    k.role = domain::ParseRole(s.Text(2)).value_or(domain::Role::kViewer);
    k.key_hash = s.Blob(3);
    k.prefix = s.Text(4);
    k.created_at = FromUnixMillis(s.Int(5));
    k.created_by = s.Text(6);
    if (auto e = s.OptionalInt(7)) k.expires_at = FromUnixMillis(*e);
    return k;
  }

  Result<domain::ApiKey> FindApiKeyByHash(std::string_view hash) {
    auto s = db_.Prepare(
        "SELECT id, name, role, key_hash, prefix, created_at, created_by, expires_at, seq "
        "FROM api_keys WHERE key_hash = ?1");
    if (!s.ok()) return s.status();
    s->BindBlob(1, hash);
    if (s->Step()) return ReadKey(*s);
    if (!s->status().ok()) return s->status();
    return NotFound("no such API key");
  }

  Result<domain::ApiKey> GetApiKey(std::string_view id) {
    auto s = db_.Prepare(
        "SELECT id, name, role, key_hash, prefix, created_at, created_by, expires_at, seq "
        "FROM api_keys WHERE id = ?1");
    if (!s.ok()) return s.status();
    s->Bind(1, id);
    if (s->Step()) return ReadKey(*s);
    if (!s->status().ok()) return s->status();
    return NotFound("API key \"" + std::string(id) + "\" not found");
  }

  Result<Page<domain::ApiKey>> ListApiKeys(const ListOptions& options) {
    auto after = CursorOr(options.cursor, 0);
    if (!after.ok()) return after.status();
    const size_t limit = std::clamp<size_t>(options.limit, 1, 100);
    auto s = db_.Prepare(
        "SELECT id, name, role, key_hash, prefix, created_at, created_by, expires_at, seq "
        "FROM api_keys WHERE seq > ?1 ORDER BY seq LIMIT ?2");
    if (!s.ok()) return s.status();
    s->Bind(1, *after).Bind(2, static_cast<int64_t>(limit + 1));
    return Paginate(*s, limit, 8, ReadKey);
  }

  Result<int64_t> CountApiKeys() { return db_.QueryInt("SELECT COUNT(*) FROM api_keys"); }

  Result<Secret> GetSecret(std::string_view owner, std::string_view purpose) {
    auto s = db_.Prepare(
        "SELECT hash, expires_at, failed_attempts FROM secrets WHERE owner_id = ?1 AND purpose = "
        "?2");
    if (!s.ok()) return s.status();
    s->Bind(1, owner).Bind(2, purpose);
    if (s->Step()) {
      return Secret{s->Blob(0), FromUnixMillis(s->Int(1)), static_cast<int>(s->Int(2))};
    }
    if (!s->status().ok()) return s->status();
    return NotFound("no secret");
  }

  Result<std::string> GetMeta(std::string_view key) {
    auto s = db_.Prepare("SELECT value FROM meta WHERE key = ?1");
    if (!s.ok()) return s.status();
    s->Bind(1, key);
    if (s->Step()) return s->Text(0);
    if (!s->status().ok()) return s->status();
    return NotFound("no meta " + std::string(key));
  }

 private:
  Db& db_;
  SqliteRepo<domain::Contact> contacts_;
  SqliteRepo<domain::Channel> channels_;
  SqliteRepo<domain::Rotation> rotations_;
  SqliteRepo<domain::RotationOverride> overrides_;
  SqliteRepo<domain::ResponsePlan> response_plans_;
  SqliteRepo<domain::NotificationTarget> notification_targets_;
  SqliteRepo<domain::ChatChannel> chat_channels_;
  SqliteRepo<domain::Integration> integrations_;
  SqliteRepo<domain::Rule> rules_;
  ResourceTable table_;
  IncidentTable incidents_;
  EngagementTable engagements_;
  JobTable jobs_;
  OutboxTable outbox_;
  IngestTable ingest_;
  AccountTable accounts_;
  std::unique_ptr<LedgerReader> ledger_;
};

class ReadTxnImpl final : public ReadTxn {
 public:
  explicit ReadTxnImpl(Queries& q) : q_(q) {}

  // tocsin::store::ReadTxn
  ResourceReader<domain::Contact>& Contacts() override { return q_.contacts(); }
  ResourceReader<domain::Channel>& Channels() override { return q_.channels(); }
  ResourceReader<domain::Rotation>& Rotations() override { return q_.rotations(); }
  ResourceReader<domain::RotationOverride>& RotationOverrides() override { return q_.overrides(); }
  ResourceReader<domain::ResponsePlan>& ResponsePlans() override { return q_.response_plans(); }
  ResourceReader<domain::NotificationTarget>& NotificationTargets() override {
    return q_.notification_targets();
  }
  ResourceReader<domain::ChatChannel>& ChatChannels() override { return q_.chat_channels(); }
  ResourceReader<domain::Integration>& Integrations() override { return q_.integrations(); }
  ResourceReader<domain::Rule>& Rules() override { return q_.rules(); }
  Result<std::vector<ResourceRef>> ReferrersOf(std::string_view id) override {
    return q_.ReferrersOf(id);
  }
  Result<domain::ApiKey> FindApiKeyByHash(std::string_view h) override {
    return q_.FindApiKeyByHash(h);
  }
  Result<domain::ApiKey> GetApiKey(std::string_view id) override { return q_.GetApiKey(id); }
  Result<Page<domain::ApiKey>> ListApiKeys(const ListOptions& o) override {
    return q_.ListApiKeys(o);
  }
  Result<int64_t> CountApiKeys() override { return q_.CountApiKeys(); }
  Result<Secret> GetSecret(std::string_view o, std::string_view p) override {
    return q_.GetSecret(o, p);
  }
  Result<std::string> GetMeta(std::string_view key) override { return q_.GetMeta(key); }
  Result<domain::Incident> GetIncident(std::string_view id) override {
    return q_.incidents().Get(id);
  }
  Result<domain::Incident> FindOpenIncident(std::string_view dedupe) override {
    return q_.incidents().FindOpen(dedupe);
  }
  Result<Page<domain::Incident>> ListIncidents(const IncidentQuery& query) override {
    return q_.incidents().List(query);
  }
  Result<std::map<int, int64_t>> CountIncidentsByImpact(const IncidentQuery& query) override {
    return q_.incidents().CountByImpact(query);
  }
  Result<std::vector<domain::RelatedItem>> ListRelatedItems(std::string_view id) override {
    return q_.incidents().ListRelatedItems(id);
  }
  Result<Page<domain::TimelineEvent>> ListTimeline(const TimelineQuery& query) override {
    return q_.ledger().ListTimeline(query);
  }
  Result<domain::TimelineEvent> GetTimelineEvent(std::string_view incident_id,
                                                 std::string_view event_id) override {
    return q_.ledger().GetTimelineEvent(incident_id, event_id);
  }
  Result<std::vector<domain::TimelineEvent>> ReadLedger(int64_t after, size_t limit,
                                                        std::string_view incident_id) override {
    return q_.ledger().Read(after, limit, incident_id);
  }
  Result<int64_t> LedgerSize() override { return q_.ledger().Size(); }
  Result<std::optional<StoredCheckpoint>> LatestCheckpoint() override {
    return q_.ledger().LatestCheckpoint();
  }
  Result<std::optional<IdempotencyRecord>> GetIdempotency(std::string_view scope,
                                                          std::string_view key) override {
    return q_.ledger().GetIdempotency(scope, key);
  }
  EngagementReader& Engagements() override { return q_.engagements(); }
  JobReader& Jobs() override { return q_.jobs(); }
  OutboxReader& Outbox() override { return q_.outbox(); }
  IngestReader& Ingest() override { return q_.ingest(); }
  AccountReader& Accounts() override { return q_.accounts(); }

 private:
  Queries& q_;
};

class WriteTxnImpl final : public WriteTxn {
 public:
  explicit WriteTxnImpl(Queries& q) : q_(q) {}

  // Prepares for the next write function of a batch.
  void Begin(TimePoint now) {
    now_ = now;
    hooks_.clear();
    appended_.clear();
    keep_on_error_ = false;
    ledger_snapshot_ = q_.ledger_writer().head();
  }
  // Undoes the ledger head after the function's savepoint was rolled back.
  void RollBack() {
    q_.ledger_writer().Restore(std::move(ledger_snapshot_));
    hooks_.clear();
    appended_.clear();
  }
  std::vector<std::function<void()>> TakeHooks() { return std::move(hooks_); }
  std::vector<domain::TimelineEvent> TakeAppended() { return std::move(appended_); }
  bool keep_on_error() const { return keep_on_error_; }

  // tocsin::store::ReadTxn
  ResourceWriter<domain::Contact>& Contacts() override { return q_.contacts(); }
  ResourceWriter<domain::Channel>& Channels() override { return q_.channels(); }
  ResourceWriter<domain::Rotation>& Rotations() override { return q_.rotations(); }
  ResourceWriter<domain::RotationOverride>& RotationOverrides() override { return q_.overrides(); }
  ResourceWriter<domain::ResponsePlan>& ResponsePlans() override { return q_.response_plans(); }
  ResourceWriter<domain::NotificationTarget>& NotificationTargets() override {
    return q_.notification_targets();
  }
  ResourceWriter<domain::ChatChannel>& ChatChannels() override { return q_.chat_channels(); }
  ResourceWriter<domain::Integration>& Integrations() override { return q_.integrations(); }
  ResourceWriter<domain::Rule>& Rules() override { return q_.rules(); }
  Result<std::vector<ResourceRef>> ReferrersOf(std::string_view id) override {
    return q_.ReferrersOf(id);
  }
  Result<domain::ApiKey> FindApiKeyByHash(std::string_view h) override {
    return q_.FindApiKeyByHash(h);
  }
  Result<domain::ApiKey> GetApiKey(std::string_view id) override { return q_.GetApiKey(id); }
  Result<Page<domain::ApiKey>> ListApiKeys(const ListOptions& o) override {
    return q_.ListApiKeys(o);
  }
  Result<int64_t> CountApiKeys() override { return q_.CountApiKeys(); }
  Result<Secret> GetSecret(std::string_view o, std::string_view p) override {
    return q_.GetSecret(o, p);
  }
  Result<std::string> GetMeta(std::string_view key) override { return q_.GetMeta(key); }
  Result<domain::Incident> GetIncident(std::string_view id) override {
    return q_.incidents().Get(id);
  }
  Result<domain::Incident> FindOpenIncident(std::string_view dedupe) override {
    return q_.incidents().FindOpen(dedupe);
  }
  Result<Page<domain::Incident>> ListIncidents(const IncidentQuery& query) override {
    return q_.incidents().List(query);
  }
  Result<std::map<int, int64_t>> CountIncidentsByImpact(const IncidentQuery& query) override {
    return q_.incidents().CountByImpact(query);
  }
  Result<std::vector<domain::RelatedItem>> ListRelatedItems(std::string_view id) override {
    return q_.incidents().ListRelatedItems(id);
  }
  Result<Page<domain::TimelineEvent>> ListTimeline(const TimelineQuery& query) override {
    return q_.ledger().ListTimeline(query);
  }
  Result<domain::TimelineEvent> GetTimelineEvent(std::string_view incident_id,
                                                 std::string_view event_id) override {
    return q_.ledger().GetTimelineEvent(incident_id, event_id);
  }
  Result<std::vector<domain::TimelineEvent>> ReadLedger(int64_t after, size_t limit,
                                                        std::string_view incident_id) override {
    return q_.ledger().Read(after, limit, incident_id);
  }
  Result<int64_t> LedgerSize() override { return q_.ledger().Size(); }
  Result<std::optional<StoredCheckpoint>> LatestCheckpoint() override {
    return q_.ledger().LatestCheckpoint();
  }
  Result<std::optional<IdempotencyRecord>> GetIdempotency(std::string_view scope,
                                                          std::string_view key) override {
    return q_.ledger().GetIdempotency(scope, key);
  }

  // tocsin::store::WriteTxn
  EngagementWriter& Engagements() override { return q_.engagements(); }
  JobWriter& Jobs() override { return q_.jobs(); }
  OutboxWriter& Outbox() override { return q_.outbox(); }
  IngestWriter& Ingest() override { return q_.ingest(); }
  AccountWriter& Accounts() override { return q_.accounts(); }
  Status InsertApiKey(const domain::ApiKey& k) override {
    auto s = q_.db().Prepare(
        "INSERT INTO api_keys (id, name, role, key_hash, prefix, created_at, created_by, "
        "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!s.ok()) return s.status();
    s->Bind(1, k.id).Bind(2, k.name).Bind(3, domain::RoleName(k.role)).BindBlob(4, k.key_hash);
    s->Bind(5, k.prefix).Bind(6, ToUnixMillis(k.created_at)).Bind(7, k.created_by);
    s->BindOptional(
        8, k.expires_at ? std::optional<int64_t>(ToUnixMillis(*k.expires_at)) : std::nullopt);
    return s->Run();
  }

  Status DeleteApiKey(std::string_view id) override {
    auto s = q_.db().Prepare("DELETE FROM api_keys WHERE id = ?1");
    if (!s.ok()) return s.status();
    TOCSIN_RETURN_IF_ERROR(s->Bind(1, id).Run());
    if (q_.db().Changes() == 0) return NotFound("API key \"" + std::string(id) + "\" not found");
    return Status::Ok();
  }

  Status PutSecret(std::string_view owner, std::string_view purpose,
                   const Secret& secret) override {
    auto s = q_.db().Prepare(
        "INSERT INTO secrets (owner_id, purpose, hash, expires_at, failed_attempts) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (owner_id, purpose) DO UPDATE SET "
        "hash = excluded.hash, expires_at = excluded.expires_at, "
        "failed_attempts = excluded.failed_attempts");
    if (!s.ok()) return s.status();
    s->Bind(1, owner).Bind(2, purpose).BindBlob(3, secret.hash);
    s->Bind(4, ToUnixMillis(secret.expires_at)).Bind(5, secret.failed_attempts);
    return s->Run();
  }

  Status DeleteSecret(std::string_view owner, std::string_view purpose) override {
    auto s = q_.db().Prepare("DELETE FROM secrets WHERE owner_id = ?1 AND purpose = ?2");
    if (!s.ok()) return s.status();
    return s->Bind(1, owner).Bind(2, purpose).Run();
  }

  Status PutMeta(std::string_view key, std::string_view value) override {
    auto s = q_.db().Prepare(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!s.ok()) return s.status();
    return s->Bind(1, key).Bind(2, value).Run();
  }

  Status InsertIncident(const domain::Incident& incident) override {
    return q_.incidents().Insert(incident);
  }
  Status UpdateIncident(const domain::Incident& previous,
                        const domain::Incident& updated) override {
    return q_.incidents().Update(previous, updated);
  }
  Status InsertRelatedItem(std::string_view incident_id, const domain::RelatedItem& item) override {
    return q_.incidents().InsertRelatedItem(incident_id, item);
  }
  Status DeleteRelatedItem(std::string_view incident_id, std::string_view item_id) override {
    return q_.incidents().DeleteRelatedItem(incident_id, item_id);
  }
  Result<domain::TimelineEvent> AppendTimeline(domain::TimelineEvent event) override {
    auto stored = q_.ledger_writer().Append(std::move(event), now_);
    if (stored.ok()) appended_.push_back(*stored);
    return stored;
  }
  LedgerHead Ledger() override { return q_.ledger_writer().CurrentHead(); }
  Status PutCheckpoint(const LedgerHead& head, std::string note) override {
    return q_.ledger_writer().PutCheckpoint(head, std::move(note), now_);
  }
  Status PutIdempotency(std::string_view scope, std::string_view key,
                        const IdempotencyRecord& record) override {
    return q_.ledger_writer().PutIdempotency(scope, key, record, now_);
  }

  void OnCommit(std::function<void()> hook) override { hooks_.push_back(std::move(hook)); }
  void KeepChangesOnError() override { keep_on_error_ = true; }
  TimePoint Now() const override { return now_; }

 private:
  Queries& q_;
  TimePoint now_{};
  std::vector<std::function<void()>> hooks_;
  std::vector<domain::TimelineEvent> appended_;
  LedgerWriter::Head ledger_snapshot_;
  bool keep_on_error_ = false;
};

struct Job {
  Store::WriteFn fn;
  Store::DoneFn done;
};

// What a database that failed PRAGMA quick_check (`verdict`) is reported as.
std::string QuickCheckFailure(const std::string& path, const std::string& verdict) {
  return "database " + path + " failed PRAGMA quick_check: " + verdict + "; restore a backup";
}

class SqliteStore final : public Store {
 public:
  // `reserve` is the filled space reserve, if any; `disk_full` says the disk
  // had no room to fill it; `check_in_background` that the database has not
  // been through PRAGMA quick_check yet (see StoreOptions::blocking_check_max_bytes).
  SqliteStore(StoreOptions options, Clock& clock, std::unique_ptr<Db> writer,
              std::unique_ptr<Queries> writer_queries, std::optional<SpaceReserve> reserve,
              bool disk_full, bool check_in_background)
      : options_(std::move(options)),
        clock_(clock),
        writer_db_(std::move(writer)),
        writer_queries_(std::move(writer_queries)),
        reserve_(std::move(reserve)),
        disk_full_(disk_full) {
    // Checkpoints run on their own connection and thread: a commit that
    // crossed the WAL threshold only signals, it never waits for the copy
    // back into the database file (SQLite's built-in auto-checkpoint would
    // run it inside the committing writer, stalling every queued request).
    sqlite3_wal_hook(writer_db_->raw(), &SqliteStore::WalHook, this);
    checkpoint_thread_ = std::thread([this] { CheckpointLoop(); });
    writer_thread_ = std::thread([this] { WriterLoop(); });
    if (check_in_background) {
      integrity_pending_ = true;
      integrity_thread_ = std::thread([this] { CheckIntegrity(); });
    }
  }

  ~SqliteStore() override { Shutdown(); }

  // tocsin::store::Store
  void Submit(WriteFn fn, DoneFn done, WritePriority priority) override {
    if (priority == WritePriority::kRequest && disk_full_.load(std::memory_order_acquire)) {
      done(Unavailable(kDiskFullMessage));
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        queue_.push_back({std::move(fn), std::move(done)});
        cv_.notify_one();
        return;
      }
    }
    done(Unavailable("store is shutting down"));
  }

  Status Read(const ReadFn& fn) override {
    auto lease = AcquireReader();
    if (!lease.ok()) return lease.status();
    Reader& reader = **lease;
    Status status = reader.db->Exec("BEGIN");
    if (status.ok()) {
      ReadTxnImpl txn(*reader.queries);
      try {
        status = fn(txn);
      } catch (const std::exception& e) {
        status = Internal(std::string("read failed: ") + e.what());
      }
      reader.db->Exec("COMMIT").IgnoreError();
    }
    ReleaseReader(std::move(*lease));
    return status;
  }

  StoreHealth Health() override {
    StoreHealth health;
    {
      std::lock_guard<std::mutex> lock(health_mu_);
      health = health_;
    }
    {
      std::lock_guard<std::mutex> lock(integrity_mu_);
      health.integrity_error = integrity_error_;
      health.integrity_pending = integrity_pending_;
    }
    if (disk_full_.load(std::memory_order_acquire)) {
      health.writable = false;
      health.disk_full = true;
      health.last_error = kDiskFullMessage;
    }
    return health;
  }

  Status Backup(const std::string& path) override {
    // Claim the path atomically (VACUUM INTO accepts an empty file), so that a
    // failed copy can be removed without touching a file that is not ours.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      if (errno == EEXIST) return FailedPrecondition("backup target " + path + " already exists");
      return Unavailable("cannot create backup " + path + ": " + std::strerror(errno));
    }
    ::close(fd);
    Status status = VacuumInto(path);
    if (!status.ok()) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
    return status;
  }

  void Shutdown() override {
    // Concurrent callers must not both join the writer thread.
    std::lock_guard<std::mutex> shutdown_lock(shutdown_mu_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ && !writer_thread_.joinable()) return;
      stopping_ = true;
      cv_.notify_all();
    }
    if (writer_thread_.joinable()) writer_thread_.join();
    {
      std::lock_guard<std::mutex> lock(checkpoint_mu_);
      checkpoint_stop_ = true;
      checkpoint_cv_.notify_all();
    }
    if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
    {
      std::lock_guard<std::mutex> lock(integrity_mu_);
      integrity_stop_ = true;
      if (integrity_db_ != nullptr) integrity_db_->Interrupt();
    }
    if (integrity_thread_.joinable()) integrity_thread_.join();
    std::lock_guard<std::mutex> lock(readers_mu_);
    readers_.clear();
    writer_queries_.reset();
    writer_db_.reset();
  }

 private:
  struct Reader {
    std::unique_ptr<Db> db;
    std::unique_ptr<Queries> queries;
  };

  // The start-up check of a database too big to check before serving: the
  // same PRAGMA quick_check on a read-only connection of its own, while the
  // engine pages. A failure is logged as critical and reported by Health()
  // (and so /readyz) until restart; paging goes on, since SQLite refuses
  // writes that meet the damage anyway and a pager that stops pages no one.
  void CheckIntegrity() {
    const auto start = std::chrono::steady_clock::now();
    auto db = Db::Open(options_.path, Db::Mode::kReadOnly);
    {
      std::lock_guard<std::mutex> lock(integrity_mu_);
      if (db.ok() && !integrity_stop_) integrity_db_ = db->get();
    }
    auto check =
        db.ok() ? (*db)->QueryText("PRAGMA quick_check") : Result<std::string>(db.status());
    std::lock_guard<std::mutex> lock(integrity_mu_);
    integrity_db_ = nullptr;
    integrity_pending_ = false;
    if (integrity_stop_) return;  // Interrupted by Shutdown: no verdict.
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    if (check.ok() && *check == "ok") {
      spdlog::info("msg=\"database passed its integrity check\" check=quick_check ms={}", ms);
      return;
    }
    integrity_error_ =
        QuickCheckFailure(options_.path, check.ok() ? *check : check.status().message());
    spdlog::critical("msg=\"database failed its integrity check\" error={}",
                     LogQuote(integrity_error_));
  }

  Status VacuumInto(const std::string& path) {
    auto db = Db::Open(options_.path, Db::Mode::kReadWrite);
    if (!db.ok()) return db.status();
    auto s = (*db)->Prepare("VACUUM INTO ?1");
    if (!s.ok()) return s.status();
    return s->Bind(1, path).Run();
  }

  Result<std::unique_ptr<Reader>> AcquireReader() {
    {
      std::lock_guard<std::mutex> lock(readers_mu_);
      if (!readers_.empty()) {
        auto r = std::move(readers_.back());
        readers_.pop_back();
        return r;
      }
    }
    auto db = Db::Open(options_.path, Db::Mode::kReadWrite);
    if (!db.ok()) return db.status();
    TOCSIN_RETURN_IF_ERROR((*db)->Exec("PRAGMA query_only=1; PRAGMA cache_size=-16384"));
    auto reader = std::make_unique<Reader>();
    reader->db = std::move(*db);
    reader->queries = std::make_unique<Queries>(*reader->db, /*writer=*/false);
    return reader;
  }

  void ReleaseReader(std::unique_ptr<Reader> reader) {
    std::lock_guard<std::mutex> lock(readers_mu_);
    if (readers_.size() < static_cast<size_t>(options_.reader_connections)) {
      readers_.push_back(std::move(reader));
    }
  }

  void SetLedgerListener(
      std::function<void(const std::vector<domain::TimelineEvent>&)> fn) override {
    ledger_listener_ = std::move(fn);
  }

  // Called by SQLite on the writer thread after each commit with the WAL's
  // size in pages.
  static int WalHook(void* self, sqlite3* db, const char* /*name*/, int pages) {
    auto* store = static_cast<SqliteStore*>(self);
    if (pages >= kWalHardLimitPages) {
      // The background checkpoints are not keeping up (long readers): copy
      // back here rather than let the WAL grow without bound.
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= kWalCheckpointPages) {
      std::lock_guard<std::mutex> lock(store->checkpoint_mu_);
      store->checkpoint_wanted_ = true;
      store->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void CheckpointLoop() {
    auto db = Db::Open(options_.path, Db::Mode::kReadWrite);
    if (!db.ok()) {
      spdlog::error("msg=\"checkpointer cannot open the database\" error={}",
                    db.status().message());
      return;
    }
    for (;;) {
      bool probe = false;
      {
        std::unique_lock<std::mutex> lock(checkpoint_mu_);
        auto woken = [this] { return checkpoint_wanted_ || checkpoint_stop_; };
        if (disk_full_.load(std::memory_order_acquire)) {
          // Probe for space once per interval while the disk is full.
          checkpoint_cv_.wait_for(lock, kSpaceProbeInterval, woken);
          probe = disk_full_.load(std::memory_order_acquire);
        } else {
          checkpoint_cv_.wait(
              lock, [&] { return woken() || disk_full_.load(std::memory_order_acquire); });
          // The disk just filled up: the first probe comes an interval later.
          if (!woken()) continue;
        }
        if (checkpoint_stop_) return;
        checkpoint_wanted_ = false;
      }
      if (probe) ProbeSpace();
      int log = 0;
      int done = 0;
      const int rc =
          sqlite3_wal_checkpoint_v2((*db)->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
        spdlog::warn("msg=\"wal checkpoint failed\" rc={}", rc);
      }
    }
  }

  // The disk filled up (a write failed with SQLITE_FULL): hand the reserve's
  // room to the engine and refuse requests until ProbeSpace sees space again.
  void EnterDiskFull() {
    if (!reserve_.has_value() || disk_full_.exchange(true)) return;
    {
      std::lock_guard<std::mutex> lock(reserve_mu_);
      reserve_->Release();
    }
    spdlog::error(
        "msg=\"disk full: released the space reserve; refusing requests, paging goes on\" "
        "reserve_bytes={}",
        reserve_->bytes());
    // Wake the checkpointer, which probes for space every second from now on.
    std::lock_guard<std::mutex> lock(checkpoint_mu_);
    checkpoint_cv_.notify_one();
  }

  void ProbeSpace() {
    Status s;
    {
      std::lock_guard<std::mutex> lock(reserve_mu_);
      s = reserve_->Probe();
    }
    if (!s.ok()) return;
    disk_full_.store(false, std::memory_order_release);
    spdlog::warn("msg=\"disk space returned: reserve restored, accepting requests again\"");
  }

  // Whether the last failed SQLite call on `db` failed because the disk (or
  // the database's size limit) is full. Only meaningful right after a call
  // that failed with kUnavailable.
  static bool DiskFull(Db& db) {
    return (sqlite3_extended_errcode(db.raw()) & 0xff) == SQLITE_FULL;
  }

  void WriterLoop() {
    WriteTxnImpl txn(*writer_queries_);
    std::vector<Job> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
        if (queue_.empty()) return;  // Stopping and drained.
        const size_t n = std::min(queue_.size(), static_cast<size_t>(options_.max_batch));
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      RunBatch(txn, batch);
      batch.clear();
    }
  }

  // Runs a statement prepared once: these run several times per write function.
  // REQUIRES: `sql` is a literal (the statement cache is keyed by its address).
  static Status RunCached(Db& db, const char* sql) {
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    return stmt->Run();
  }

  void RunBatch(WriteTxnImpl& txn, std::vector<Job>& batch) {
    Db& db = *writer_db_;
    std::vector<Status> results(batch.size(), Unavailable("not run"));
    std::vector<std::vector<std::function<void()>>> hooks(batch.size());
    std::vector<domain::TimelineEvent> appended;
    bool full = false;
    Status batch_status = RunCached(db, "BEGIN IMMEDIATE");
    const TimePoint now = clock_.Now();
    for (size_t i = 0; i < batch.size() && batch_status.ok(); ++i) {
      batch_status = RunCached(db, "SAVEPOINT job");
      if (!batch_status.ok()) break;
      txn.Begin(now);
      Status s;
      try {
        s = batch[i].fn(txn);
      } catch (const std::exception& e) {
        s = Internal(std::string("write failed: ") + e.what());
      }
      if (s.code() == StatusCode::kUnavailable && DiskFull(db)) full = true;
      if (!db.InTransaction()) {
        // SQLite abandoned the whole transaction (disk full, I/O error): every
        // function of this batch lost its changes.
        batch_status = s.ok() ? Unavailable("storage unavailable: transaction aborted") : s;
        break;
      }
      if (s.ok() || txn.keep_on_error()) {
        hooks[i] = txn.TakeHooks();
        for (auto& e : txn.TakeAppended()) appended.push_back(std::move(e));
      } else {
        batch_status = RunCached(db, "ROLLBACK TO job");
        txn.RollBack();
      }
      if (batch_status.ok()) batch_status = RunCached(db, "RELEASE job");
      results[i] = std::move(s);
      if (i == batch.size() / 2) CrashPoint("store.mid_batch");
    }
    if (batch_status.ok()) {
      CrashPoint("store.before_commit");
      batch_status = RunCached(db, "COMMIT");
    }
    if (!batch_status.ok()) {
      if (batch_status.code() == StatusCode::kUnavailable && DiskFull(db)) full = true;
      if (db.InTransaction()) db.Exec("ROLLBACK").IgnoreError();
      if (batch_status.code() != StatusCode::kUnavailable) {
        batch_status = Unavailable("storage unavailable: " + batch_status.message());
      }
      spdlog::error("msg=\"write batch failed\" jobs={} error={}", batch.size(),
                    batch_status.message());
      // The in-memory ledger head ran ahead of what was rolled back.
      if (Status s = writer_queries_->ledger_writer().Load(); !s.ok()) {
        spdlog::critical("msg=\"cannot reload the ledger head\" error={}", s.message());
      }
    } else {
      CrashPoint("store.after_commit");
      if (ledger_listener_ && !appended.empty()) ledger_listener_(appended);
    }
    {
      std::lock_guard<std::mutex> lock(health_mu_);
      health_.writable = batch_status.ok();
      health_.last_error = batch_status.ok() ? "" : batch_status.message();
    }
    if (full) EnterDiskFull();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!batch_status.ok()) {
        batch[i].done(batch_status);
        continue;
      }
      for (auto& hook : hooks[i]) hook();
      batch[i].done(std::move(results[i]));
    }
  }

  const StoreOptions options_;
  Clock& clock_;

  std::mutex shutdown_mu_;  // Held for the whole of Shutdown().
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;  // Guarded by mu_.
  bool stopping_ = false;  // Guarded by mu_.

  // Owned by the writer thread while it runs.
  std::unique_ptr<Db> writer_db_;
  std::unique_ptr<Queries> writer_queries_;
  std::thread writer_thread_;
  std::function<void(const std::vector<domain::TimelineEvent>&)> ledger_listener_;

  static constexpr int kWalCheckpointPages = 1000;  // SQLite's default threshold.
  static constexpr int kWalHardLimitPages = 50000;  // ~200 MB of WAL.
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;  // Guarded by checkpoint_mu_.
  bool checkpoint_stop_ = false;    // Guarded by checkpoint_mu_.
  std::thread checkpoint_thread_;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Reader>> readers_;  // Guarded by readers_mu_.

  std::mutex health_mu_;
  StoreHealth health_;  // Guarded by health_mu_.

  std::mutex integrity_mu_;
  Db* integrity_db_ = nullptr;      // Guarded by integrity_mu_; while the check runs.
  bool integrity_stop_ = false;     // Guarded by integrity_mu_.
  std::string integrity_error_;     // Guarded by integrity_mu_.
  bool integrity_pending_ = false;  // Guarded by integrity_mu_.
  std::thread integrity_thread_;

  static constexpr const char* kDiskFullMessage =
      "storage unavailable: the disk is full; requests are refused until space returns "
      "(paging goes on)";
  static constexpr std::chrono::seconds kSpaceProbeInterval{1};
  std::mutex reserve_mu_;                // Serialises use of reserve_'s file.
  std::optional<SpaceReserve> reserve_;  // Set once in the constructor.
  std::atomic<bool> disk_full_{false};
};

// A file that is not a database, or is too damaged for quick_check to run,
// fails with SQLITE_NOTADB/CORRUPT (kInternal); it is refused like a file
// that fails quick_check, not reported as a bug.
Status Unusable(const std::string& path, Status status) {
  if (status.code() != StatusCode::kInternal) return status;
  return FailedPrecondition("database " + path + " is unusable (" + status.message() +
                            "); restore a backup");
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options, Clock& clock) {
  if (options.path.empty() || options.path == ":memory:") {
    return InvalidArgument("store.path must name a file", "store.path");
  }
  const auto parent = std::filesystem::path(options.path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return Unavailable("cannot create " + parent.string() + ": " + ec.message());
  }
  auto db = Db::Open(options.path, Db::Mode::kReadWrite);
  if (!db.ok()) return db.status();
  auto mode = (*db)->QueryText("PRAGMA journal_mode=WAL");
  if (!mode.ok()) return Unusable(options.path, mode.status());
  if (*mode != "wal") return Unavailable("cannot switch " + options.path + " to WAL mode");
  TOCSIN_RETURN_IF_ERROR((*db)->Exec(options.synchronous_full ? "PRAGMA synchronous=FULL"
                                                              : "PRAGMA synchronous=NORMAL"));
  // The WAL keeps its high-water size instead of being cut back after each
  // restart: SQLite truncates on the writer's first commit after a restart,
  // and truncating a WAL of a few hundred MB (after a burst) took 70-90 ms of
  // ftruncate there, stalling every commit and timer behind it. The blocks
  // kept are reused in place, which also needs no free space on a full disk.
  // Start-up still folds and truncates it (wal_checkpoint(TRUNCATE) below).
  TOCSIN_RETURN_IF_ERROR((*db)->Exec("PRAGMA journal_size_limit=-1"));
  TOCSIN_RETURN_IF_ERROR((*db)->Exec("PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY"));
  // quick_check reads every page: about a second per 250 MB here, so a big
  // database is checked in the background instead of delaying every start
  // (and every page due during it) by minutes.
  std::error_code size_error;
  const auto size = std::filesystem::file_size(options.path, size_error);
  const bool check_in_background =
      !size_error && static_cast<int64_t>(size) > options.blocking_check_max_bytes;
  if (check_in_background) {
    spdlog::info("msg=\"database checked in the background\" bytes={} blockingCheckMaxBytes={}",
                 size, options.blocking_check_max_bytes);
  } else {
    auto check = (*db)->QueryText("PRAGMA quick_check");
    if (!check.ok()) return Unusable(options.path, check.status());
    if (*check != "ok") {
      return FailedPrecondition(QuickCheckFailure(options.path, *check));
    }
  }
  TOCSIN_RETURN_IF_ERROR(Migrate(**db));
  auto queries = std::make_unique<Queries>(**db, /*writer=*/true);
  TOCSIN_RETURN_IF_ERROR(queries->ledger_writer().Load());
  std::optional<SpaceReserve> reserve;
  bool disk_full = false;
  if (options.reserve_bytes > 0) {
    reserve.emplace(options.path + "-reserve", options.reserve_bytes);
    if (Status s = reserve->Fill(); !s.ok()) {
      // Start anyway: a pager that refuses to start on a full disk pages no one.
      spdlog::error(
          "msg=\"cannot fill the space reserve; starting as if the disk were full\" "
          "error={}",
          s.message());
      reserve->Release();
      disk_full = true;
    }
  }
  // Fold the WAL a crash left behind into the database before serving: a
  // server that keeps dying before its background checkpoints run would
  // otherwise grow the WAL (and the time every start spends recovering it)
  // without bound. A no-op after a clean shutdown, which removes the WAL.
  // Best effort: on a full disk it may fail, and the server must start anyway.
  if (Status s = (*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)"); !s.ok()) {
    spdlog::warn("msg=\"start-up checkpoint failed\" error={}", s.message());
  }
  return std::unique_ptr<Store>(new SqliteStore(options, clock, std::move(*db), std::move(queries),
                                                std::move(reserve), disk_full,
                                                check_in_background));
}

}  // namespace tocsin::store
