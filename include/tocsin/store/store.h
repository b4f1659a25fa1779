// Store: durable state behind every Tocsin service.
//
// All writes run on one writer thread. A caller Submit()s a write function; the
// writer runs it inside a transaction (one SAVEPOINT per function, many
// functions per COMMIT: group commit) and calls `done` only after the commit
// is durable (WAL, synchronous=FULL) or has failed. A write function that
// returns an error has its changes rolled back and does not disturb the other
// functions of its batch. Reads run on the calling thread against a snapshot
// from a small pool of reader connections.
//
// Write functions run on the writer thread and must not block on anything but
// the database (no network, no waiting for other threads). Effects outside
// the database (notifying the scheduler, updating caches, replying) belong in
// WriteTxn::OnCommit hooks, which run only if the batch committed.
//
// Thread-safety: Store methods may be called from any thread. ReadTxn and
// WriteTxn objects belong to the function they are passed to and must not
// escape it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/core/clock.h"
#include "tocsin/core/status.h"
#include "tocsin/core/time.h"
#include "tocsin/domain/api_key.h"
#include "tocsin/domain/contact.h"
#include "tocsin/domain/engagement.h"
#include "tocsin/domain/incident.h"
#include "tocsin/domain/integration.h"
#include "tocsin/domain/outbox.h"
#include "tocsin/domain/plans.h"
#include "tocsin/domain/rotation.h"
#include "tocsin/domain/timeline.h"
#include "tocsin/domain/user.h"

namespace tocsin::store {

// A page of a keyset-paginated listing. `next_cursor` is empty on the last page.
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;
};

struct ListOptions {
  size_t limit = 50;      // 1..100 (clamped).
  std::string cursor;     // Opaque; from a previous Page. Empty = first page.
  std::string parent_id;  // Only children of this resource (e.g. a contact's channels).
  std::string kind;       // Only this kind, for repositories spanning several
                          // ("contact", "escalation-plan", "oncall-schedule").
};

// Read access to one kind of configuration resource.
template <typename T>
class ResourceReader {
 public:
  virtual ~ResourceReader() = default;

  // Returns the resource whose id, or whose unique name/alias, is `id_or_name`.
  // kNotFound if there is none of this kind.
  virtual Result<T> Get(std::string_view id_or_name) = 0;

  // Returns resources in creation order. kInvalidArgument for a malformed cursor.
  virtual Result<Page<T>> List(const ListOptions& options) = 0;
};

// Write access to one kind of configuration resource. `refs` are the ids of
// the resources `value` references; the store records them so that deleting a
// referenced resource is refused (and the database enforces it as a foreign key).
template <typename T>
class ResourceWriter : public ResourceReader<T> {
 public:
  // Inserts `value` (meta fully set by the caller, version 1).
  // kAlreadyExists (field set) if its unique name is taken.
  virtual Status Insert(const T& value, const std::vector<std::string>& refs) = 0;

  // Replaces the stored resource with `value`, whose meta.version must be the
  // stored version + 1. kAborted if the stored version is not
  // value.meta.version - 1 (a concurrent change), kNotFound if it is gone,
  // kAlreadyExists if a renamed unique name is taken.
  virtual Status Update(const T& value, const std::vector<std::string>& refs) = 0;

  // Deletes the resource and its children. kFailedPrecondition, with blockers()
  // listing the referrers, if anything outside its own subtree references it.
  virtual Status Delete(std::string_view id) = 0;
};

// Filters of an incident listing (newest first). Empty filters match all;
// several values of one filter are ORed, different filters ANDed.
struct IncidentQuery {
  std::vector<domain::IncidentStatus> statuses;
  std::vector<int> impacts;
  std::string response_plan_id;
  std::string created_by;
  std::optional<TimePoint> created_after;   // Exclusive.
  std::optional<TimePoint> created_before;  // Exclusive.
  std::string title_words;                  // Every word must prefix-match a word of the title.
  size_t limit = 50;
  std::string cursor;
};

// A timeline listing: the current revision of each event of one incident.
struct TimelineQuery {
  std::string incident_id;
  std::vector<std::string> event_types;  // Empty: all.
  std::optional<TimePoint> after;        // event_time > after.
  std::optional<TimePoint> before;       // event_time < before.
  bool descending = true;                // By (event_time, event_id).
  size_t limit = 50;
  std::string cursor;
};

// The first response to a request sent with an idempotency key.
struct IdempotencyRecord {
  std::string request_hash;  // SHA-256 of the normalized request.
  int status = 0;
  std::string body;
  TimePoint created_at{};
};

// The ledger as the writer sees it, including appends of the running transaction.
struct LedgerHead {
  int64_t size = 0;   // Number of entries = last seq.
  std::string chain;  // Chain hash of the last entry (32 zero bytes when empty).
  std::string root;   // RFC 6962 Merkle root over all leaves.
  bool operator==(const LedgerHead&) const = default;
};

struct StoredCheckpoint {
  int64_t size = 0;
  std::string root;
  std::string note;  // The signed C2SP checkpoint note.
  TimePoint created_at{};
};

// A one-time secret bound to a resource (channel activation code, ...): only
// its hash is stored. Deleted with its owner.
struct Secret {
  std::string hash;
  TimePoint expires_at{};
  int failed_attempts = 0;
};

// Filters of an engagement listing (newest first).
struct EngagementQuery {
  std::string incident_id;  // Empty: all.
  std::optional<domain::EngagementState> state;
  size_t limit = 50;
  std::string cursor;
};

// Filters of a page listing (oldest first); at least one is usually set.
struct PageQuery {
  std::string incident_id;
  std::string engagement_id;
  std::string contact_id;
  size_t limit = 50;
  std::string cursor;
};

// Engagements, their runs, pages and receipts (see domain/engagement.h).
class EngagementReader {
 public:
  virtual ~EngagementReader() = default;
  // kNotFound if absent.
  virtual Result<domain::Engagement> GetEngagement(std::string_view id) = 0;
  virtual Result<Page<domain::Engagement>> ListEngagements(const EngagementQuery& query) = 0;
  virtual Result<domain::EngagementRun> GetRun(std::string_view id) = 0;
  // Every run of an engagement in creation order.
  virtual Result<std::vector<domain::EngagementRun>> ListRuns(std::string_view engagement_id) = 0;
  virtual Result<domain::Page> GetPage(std::string_view id) = 0;
  // The page whose acknowledgement-link token hashes to `token_hash`.
  virtual Result<domain::Page> FindPageByToken(std::string_view token_hash) = 0;
  // The page a carrier knows as `ref` ("twilio:SM…"); kNotFound if none.
  virtual Result<domain::Page> FindPageByProviderRef(std::string_view ref) = 0;
  // The latest `limit` pages sent to `address`, newest first (replies by SMS).
  virtual Result<std::vector<domain::Page>> ListRecentPagesTo(std::string_view address,
                                                              size_t limit) = 0;
  virtual Result<Page<domain::Page>> ListPages(const PageQuery& query) = 0;
  // Pages of one run, oldest first.
  virtual Result<std::vector<domain::Page>> ListRunPages(std::string_view run_id) = 0;
  // Ids of up to `limit` pages in `state`, oldest first (recovery, dispatch).
  virtual Result<std::vector<std::string>> ListPageIdsInState(domain::PageState state,
                                                              size_t limit) = 0;
  virtual Result<std::vector<domain::Receipt>> ListReceipts(std::string_view page_id) = 0;
};

class EngagementWriter : public EngagementReader {
 public:
  virtual Status InsertEngagement(const domain::Engagement& engagement) = 0;
  // Stores state, stopped_at and stop_reason. kNotFound if absent.
  virtual Status UpdateEngagement(const domain::Engagement& engagement) = 0;
  virtual Status InsertRun(const domain::EngagementRun& run) = 0;
  // Stores state, stage and pass.
  virtual Status UpdateRun(const domain::EngagementRun& run) = 0;
  // kAlreadyExists if (run, channel, pass, stage, attempt) was already paged.
  virtual Status InsertPage(const domain::Page& page) = 0;
  // Stores state, hashes, failures, acknowledged and the times.
  virtual Status UpdatePage(const domain::Page& page) = 0;
  virtual Status AddReceipt(const domain::Receipt& receipt) = 0;
};

// The outbox of messages other than pages (see domain/outbox.h).
class OutboxReader {
 public:
  virtual ~OutboxReader() = default;
  virtual Result<domain::OutboxMessage> GetOutbox(std::string_view id) = 0;
  // QUEUED and SENDING messages, oldest first, at most `limit` (recovery).
  virtual Result<std::vector<domain::OutboxMessage>> ListOutboxInFlight(size_t limit) = 0;
  // An incident's messages, oldest first, at most `limit`.
  virtual Result<std::vector<domain::OutboxMessage>> ListOutboxOfIncident(
      std::string_view incident_id, size_t limit) = 0;
};

class OutboxWriter : public OutboxReader {
 public:
  virtual Status InsertOutbox(const domain::OutboxMessage& message) = 0;
  // Stores state, attempts, next_at, last_error, provider_ref and sent_at.
  virtual Status UpdateOutbox(const domain::OutboxMessage& message) = 0;
};

// Ingestion state: alerts per integration and security findings.
class IngestReader {
 public:
  virtual ~IngestReader() = default;
  // kNotFound if the integration never reported `key`.
  virtual Result<domain::AlertState> GetAlert(std::string_view integration_id,
                                              std::string_view key) = 0;
  // Number of FIRING alerts linked to the incident.
  virtual Result<int64_t> CountFiringAlerts(std::string_view incident_id) = 0;
  // kNotFound if absent.
  virtual Result<domain::FindingRecord> GetFinding(std::string_view product_arn,
                                                   std::string_view finding_id) = 0;
  // An incident's findings, most recently received first, at most `limit`.
  virtual Result<std::vector<domain::FindingRecord>> ListFindingsOfIncident(
      std::string_view incident_id, size_t limit) = 0;
};

class IngestWriter : public IngestReader {
 public:
  // Inserts or replaces the state of (integration_id, key).
  virtual Status PutAlert(const domain::AlertState& alert) = 0;
  // Inserts or replaces the finding (product_arn, finding_id).
  virtual Status PutFinding(const domain::FindingRecord& finding) = 0;
};

// Dashboard users and their sessions (see domain/user.h).
class AccountReader {
 public:
  virtual ~AccountReader() = default;
  // By id or name (case-insensitive); kNotFound if absent.
  virtual Result<domain::User> GetUser(std::string_view id_or_name) = 0;
  // In creation order. kInvalidArgument for a malformed cursor.
  virtual Result<Page<domain::User>> ListUsers(const ListOptions& options) = 0;
  virtual Result<int64_t> CountAdminUsers() = 0;
  // The session whose token hashes to `token_hash`, with its user; kNotFound
  // if none. Expiry is the caller's to check.
  virtual Result<domain::SessionUser> FindSession(std::string_view token_hash) = 0;
};

class AccountWriter : public AccountReader {
 public:
  // kAlreadyExists (field "name") if the name is taken.
  virtual Status InsertUser(const domain::User& user) = 0;
  // Stores role, password hash, version and updated_*; user.version must be
  // the stored version + 1, else kAborted.
  virtual Status UpdateUser(const domain::User& user) = 0;
  // Deletes the user and its sessions; kNotFound if absent.
  virtual Status DeleteUser(std::string_view id) = 0;
  virtual Status InsertSession(const domain::Session& session) = 0;
  // Moves last_seen_at forward to `at` (never back).
  virtual Status TouchSession(std::string_view id, TimePoint at) = 0;
  virtual Status DeleteSession(std::string_view id) = 0;
  // Returns how many were deleted.
  virtual Result<int64_t> DeleteSessionsOfUser(std::string_view user_id) = 0;
  // Deletes sessions past their absolute expiry or idle for `idle`.
  virtual Result<int64_t> PurgeSessions(TimePoint now, Millis idle) = 0;
};

// Durable jobs of the scheduler.
class JobReader {
 public:
  virtual ~JobReader() = default;
  // PENDING jobs with id > after_id in id order, at most `limit` (due and id only).
  virtual Result<std::vector<domain::Job>> ListPendingJobs(int64_t after_id, size_t limit) = 0;
  virtual Result<domain::Job> GetJob(int64_t id) = 0;
};

class JobWriter : public JobReader {
 public:
  // Inserts a PENDING job and returns its id.
  virtual Result<int64_t> InsertJob(const domain::Job& job) = 0;
  // Marks a job DONE (fired at `at`) or CANCELLED.
  virtual Status FinishJob(int64_t id, domain::JobState state, TimePoint at) = 0;
  // Cancels every PENDING job of `owner` (and `ref`, if not empty); returns how many.
  virtual Result<int64_t> CancelJobs(std::string_view owner, std::string_view ref) = 0;
};

class ReadTxn {
 public:
  virtual ~ReadTxn() = default;

  virtual ResourceReader<domain::Contact>& Contacts() = 0;
  virtual ResourceReader<domain::Channel>& Channels() = 0;
  virtual ResourceReader<domain::Rotation>& Rotations() = 0;
  virtual ResourceReader<domain::RotationOverride>& RotationOverrides() = 0;
  virtual ResourceReader<domain::ResponsePlan>& ResponsePlans() = 0;
  virtual ResourceReader<domain::NotificationTarget>& NotificationTargets() = 0;
  virtual ResourceReader<domain::ChatChannel>& ChatChannels() = 0;
  virtual ResourceReader<domain::Integration>& Integrations() = 0;
  virtual ResourceReader<domain::Rule>& Rules() = 0;

  // Returns every resource that references `id` (from the refs recorded on write).
  virtual Result<std::vector<ResourceRef>> ReferrersOf(std::string_view id) = 0;

  // API keys. FindApiKeyByHash returns kNotFound when no key has that hash.
  virtual Result<domain::ApiKey> FindApiKeyByHash(std::string_view key_hash) = 0;
  virtual Result<domain::ApiKey> GetApiKey(std::string_view id) = 0;
  virtual Result<Page<domain::ApiKey>> ListApiKeys(const ListOptions& options) = 0;
  virtual Result<int64_t> CountApiKeys() = 0;

  // Returns the secret `purpose` of `owner_id`, kNotFound if none.
  virtual Result<Secret> GetSecret(std::string_view owner_id, std::string_view purpose) = 0;

  // Server metadata (key → text), kNotFound if unset.
  virtual Result<std::string> GetMeta(std::string_view key) = 0;

  // Incidents by id or ARN; kNotFound if absent.
  virtual Result<domain::Incident> GetIncident(std::string_view id_or_arn) = 0;
  // The OPEN incident with this dedupe string; kNotFound if none.
  virtual Result<domain::Incident> FindOpenIncident(std::string_view dedupe_string) = 0;
  // kInvalidArgument (field "cursor") for a malformed cursor.
  virtual Result<Page<domain::Incident>> ListIncidents(const IncidentQuery& query) = 0;
  // How many incidents match the filters of `query` (cursor, limit ignored), by impact.
  virtual Result<std::map<int, int64_t>> CountIncidentsByImpact(const IncidentQuery& query) = 0;
  virtual Result<std::vector<domain::RelatedItem>> ListRelatedItems(
      std::string_view incident_id) = 0;

  // Current revisions of an incident's timeline events (redacted ones hidden).
  virtual Result<Page<domain::TimelineEvent>> ListTimeline(const TimelineQuery& query) = 0;
  // The current revision of one event; kNotFound if absent or redacted.
  virtual Result<domain::TimelineEvent> GetTimelineEvent(std::string_view incident_id,
                                                         std::string_view event_id) = 0;
  // Ledger entries with seq > after_seq in order, at most `limit`, optionally
  // only those of one incident.
  virtual Result<std::vector<domain::TimelineEvent>> ReadLedger(int64_t after_seq, size_t limit,
                                                                std::string_view incident_id) = 0;
  // Number of committed ledger entries.
  virtual Result<int64_t> LedgerSize() = 0;
  virtual Result<std::optional<StoredCheckpoint>> LatestCheckpoint() = 0;

  // The stored first response for (scope, key), or nullopt.
  virtual Result<std::optional<IdempotencyRecord>> GetIdempotency(std::string_view scope,
                                                                  std::string_view key) = 0;

  virtual EngagementReader& Engagements() = 0;
  virtual JobReader& Jobs() = 0;
  virtual OutboxReader& Outbox() = 0;
  virtual IngestReader& Ingest() = 0;
  virtual AccountReader& Accounts() = 0;
};

class WriteTxn : public ReadTxn {
 public:
  ResourceWriter<domain::Contact>& Contacts() override = 0;
  ResourceWriter<domain::Channel>& Channels() override = 0;
  ResourceWriter<domain::Rotation>& Rotations() override = 0;
  ResourceWriter<domain::RotationOverride>& RotationOverrides() override = 0;
  ResourceWriter<domain::ResponsePlan>& ResponsePlans() override = 0;
  ResourceWriter<domain::NotificationTarget>& NotificationTargets() override = 0;
  ResourceWriter<domain::ChatChannel>& ChatChannels() override = 0;
  ResourceWriter<domain::Integration>& Integrations() override = 0;
  ResourceWriter<domain::Rule>& Rules() override = 0;

  EngagementWriter& Engagements() override = 0;
  JobWriter& Jobs() override = 0;
  OutboxWriter& Outbox() override = 0;
  IngestWriter& Ingest() override = 0;
  AccountWriter& Accounts() override = 0;

  virtual Status InsertApiKey(const domain::ApiKey& key) = 0;
  // kNotFound if there is no such key.
  virtual Status DeleteApiKey(std::string_view id) = 0;

  // Creates or replaces the secret `purpose` of `owner_id`.
  virtual Status PutSecret(std::string_view owner_id, std::string_view purpose,
                           const Secret& secret) = 0;
  virtual Status DeleteSecret(std::string_view owner_id, std::string_view purpose) = 0;

  // Creates or replaces server metadata. Writing "heartbeat" is how /readyz
  // proves the database still accepts durable writes.
  virtual Status PutMeta(std::string_view key, std::string_view value) = 0;

  // Inserts a new incident (version 1). kAlreadyExists if an OPEN incident
  // has the same dedupe string (the database enforces this).
  virtual Status InsertIncident(const domain::Incident& incident) = 0;
  // Replaces `previous` (as read in this transaction) with `updated`, whose
  // version must be previous.version + 1. kAborted on a concurrent change,
  // kAlreadyExists if reopening collides with another OPEN dedupe string.
  virtual Status UpdateIncident(const domain::Incident& previous,
                                const domain::Incident& updated) = 0;
  // kAlreadyExists if the incident already has an item of that type and value.
  virtual Status InsertRelatedItem(std::string_view incident_id,
                                   const domain::RelatedItem& item) = 0;
  // kNotFound if absent.
  virtual Status DeleteRelatedItem(std::string_view incident_id, std::string_view item_id) = 0;

  // Appends `event` to the ledger: assigns seq and recorded_at (= Now()),
  // writes the canonical body with its leaf and chain hashes and updates the
  // timeline projection. Returns the stored entry. REQUIRES: event_id set;
  // for a revision, `supersedes` is the current revision's seq.
  virtual Result<domain::TimelineEvent> AppendTimeline(domain::TimelineEvent event) = 0;
  // The ledger including this transaction's appends.
  virtual LedgerHead Ledger() = 0;
  // Stores a signed checkpoint of `head`. REQUIRES: head == Ledger().
  virtual Status PutCheckpoint(const LedgerHead& head, std::string note) = 0;

  // Stores the first response for (scope, key); older records than the
  // retention period (48 h) are purged a few at a time as a side effect.
  virtual Status PutIdempotency(std::string_view scope, std::string_view key,
                                const IdempotencyRecord& record) = 0;

  // Runs `hook` on the writer thread after this function's changes are
  // durably committed; never if they are rolled back. Hooks must be quick and
  // must not call back into the Store synchronously.
  virtual void OnCommit(std::function<void()> hook) = 0;

  // Commits this function's changes even though it returns an error, e.g. a
  // counter of failed attempts that must survive the 400 it causes.
  virtual void KeepChangesOnError() = 0;

  // Returns the time the transaction runs at (the store's Clock, read once
  // per batch, so every row a batch writes agrees on "now").
  virtual TimePoint Now() const = 0;
};

// Health of the storage, for /readyz.
struct StoreHealth {
  bool writable = true;
  bool disk_full = false;  // Requests are refused; the engine runs on the reserve.
  std::string last_error;  // Empty when healthy.
  // Set when the background start-up check (see
  // StoreOptions::blocking_check_max_bytes) found damage; stays until restart.
  std::string integrity_error;
  bool integrity_pending = false;  // That background check has not finished yet.
};

// Who a write is for, which decides what happens when the disk is full (see
// StoreOptions::reserve_bytes).
enum class WritePriority {
  kEngine,   // Escalations, pages, receipts: go on using the space reserve.
  kRequest,  // A client's request: refused with kUnavailable until space returns.
};

class Store {
 public:
  using WriteFn = std::function<Status(WriteTxn&)>;
  using DoneFn = std::function<void(Status)>;
  using ReadFn = std::function<Status(ReadTxn&)>;

  virtual ~Store() = default;

  // Queues `fn` for the writer thread. `done` runs on the writer thread after
  // the commit, with fn's status, or with kUnavailable if the commit failed
  // (disk full, I/O error) or the store is stopping. `done` is always called
  // exactly once; for a kRequest write while the disk is full, at once on the
  // calling thread.
  virtual void Submit(WriteFn fn, DoneFn done, WritePriority priority) = 0;

  // Runs `fn` on the calling thread inside a read transaction (a consistent
  // snapshot of committed data) and returns its status.
  virtual Status Read(const ReadFn& fn) = 0;

  // Submits `fn` with kEngine priority (the engine, start-up and command-line
  // tools) and blocks until it is durable. Not for I/O threads.
  Status WriteSync(WriteFn fn);

  // Reports whether the last write succeeded.
  virtual StoreHealth Health() = 0;

  // Called on the writer thread after every commit that appended ledger
  // entries, with those entries in order. For live streams; the listener
  // must not block. Set before serving; not synchronized with writes.
  virtual void SetLedgerListener(
      std::function<void(const std::vector<domain::TimelineEvent>&)> fn) = 0;

  // Writes an online, consistent copy of the database to `path`, which must
  // not exist. kFailedPrecondition if it does, kUnavailable on I/O errors.
  virtual Status Backup(const std::string& path) = 0;

  // Finishes every queued write, stops the writer thread and closes the
  // database. Later Submit()s fail with kUnavailable. Idempotent.
  virtual void Shutdown() = 0;
};

// Submits a write function that yields a value: `done` gets fn's result, or
// the commit error. Runs `done` on the writer thread.
template <typename T>
void SubmitFor(Store& store, std::function<Result<T>(WriteTxn&)> fn,
               std::function<void(Result<T>)> done, WritePriority priority) {
  auto slot = std::make_shared<std::optional<Result<T>>>();
  store.Submit(
      [fn = std::move(fn), slot](WriteTxn& txn) {
        slot->emplace(fn(txn));
        return slot->value().status();
      },
      [slot, done = std::move(done)](Status status) {
        if (slot->has_value() && (status.ok() || !slot->value().ok())) {
          // fn's own result stands: its value on success, or its error (even
          // when its changes were kept with KeepChangesOnError).
          done(std::move(slot->value()));
        } else {
          done(Result<T>(std::move(status)));
        }
      },
      priority);
}

struct StoreOptions {
  std::string path;  // SQLite file; ":memory:" is refused (readers need a file).
  int reader_connections = 4;
  int max_batch = 256;           // Write functions per commit.
  bool synchronous_full = true;  // Tests of the power-loss harness turn this off.
  // Bytes kept preallocated in "<path>-reserve". When a write finds the disk
  // full, the store deletes the reserve, refuses kRequest writes and lets
  // kEngine writes (pages, escalations) use the freed room; it checks every
  // second whether space has returned (room for twice the reserve) and then
  // takes the reserve back and accepts requests again. 0 turns this off (the
  // default here; the configuration's store.reserveMb defaults to 8).
  int64_t reserve_bytes = 0;
  // A database file up to this size is checked (PRAGMA quick_check) before
  // the store opens, and refused if damaged. A bigger one opens at once and
  // is checked on a connection of its own in the background (see
  // StoreHealth::integrity_error): at about a second per 250 MB, the check
  // of a large database would delay every start, and every page due then,
  // by minutes.
  int64_t blocking_check_max_bytes = int64_t{512} << 20;
};

// Opens (creating if needed) the database at options.path, checks it
// (PRAGMA quick_check; in the background for big files), applies pending migrations, and starts the
// writer thread. Errors: kFailedPrecondition if the database was written by a newer Tocsin or fails
// its check, kUnavailable if it cannot be opened. Does not take ownership of `clock`, which must
// outlive the Store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options, Clock& clock);

// Returns the schema version this binary migrates databases to.
int LatestSchemaVersion();

}  // namespace tocsin::store
