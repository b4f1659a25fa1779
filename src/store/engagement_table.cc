#include "store/engagement_table.h"

#include <algorithm>

#include "store/resource_table.h"

namespace tocsin::store {
namespace {

using domain::Engagement;
using domain::EngagementRun;
using domain::Receipt;

std::optional<int64_t> OptMillis(const std::optional<TimePoint>& t) {
  return t ? std::optional<int64_t>(ToUnixMillis(*t)) : std::nullopt;
}
std::optional<TimePoint> OptTime(const Stmt& s, int col) {
  auto v = s.OptionalInt(col);
  return v ? std::optional<TimePoint>(FromUnixMillis(*v)) : std::nullopt;
}
// NULL for an empty id: the partial indexes skip rows without an incident.
void BindOptionalText(Stmt& s, int index, const std::string& text) {
  if (text.empty()) {
    s.BindNull(index);
  } else {
    s.Bind(index, text);
  }
}

constexpr const char* kEngagementColumns =
    "seq, id, contact_id, contact_alias, contact_type, sender, subject, content, public_subject, "
    "public_content, incident_id, state, started_at, stopped_at, stop_reason, created_by";

Engagement ReadEngagement(const Stmt& s) {
  Engagement e;
  e.id = s.Text(1);
  e.contact_id = s.Text(2);
  e.contact_alias = s.Text(3);
  e.contact_type = domain::ParseContactTypeName(s.Text(4)).value_or(domain::ContactType::kPersonal);
  e.sender = s.Text(5);
  e.subject = s.Text(6);
  e.content = s.Text(7);
  e.public_subject = s.Text(8);
  e.public_content = s.Text(9);
  e.incident_id = s.Text(10);
  e.state = domain::ParseEngagementState(s.Text(11)).value_or(domain::EngagementState::kEngaged);
  e.started_at = FromUnixMillis(s.Int(12));
  e.stopped_at = OptTime(s, 13);
  e.stop_reason = s.Text(14);
  e.created_by = s.Text(15);
  return e;
}

constexpr const char* kRunColumns =
    "seq, id, engagement_id, parent_id, contact_id, contact_alias, kind, parent_stage, essential, "
    "state, stage, pass";

EngagementRun ReadRun(const Stmt& s) {
  EngagementRun r;
  r.id = s.Text(1);
  r.engagement_id = s.Text(2);
  r.parent_id = s.Text(3);
  r.contact_id = s.Text(4);
  r.contact_alias = s.Text(5);
  r.kind = domain::ParseContactTypeName(s.Text(6)).value_or(domain::ContactType::kPersonal);
  r.parent_stage = static_cast<int>(s.Int(7));
  r.essential = s.Int(8) != 0;
  r.state = domain::ParseRunState(s.Text(9)).value_or(domain::RunState::kDone);
  r.stage = static_cast<int>(s.Int(10));
  r.pass = static_cast<int>(s.Int(11));
  return r;
}

constexpr const char* kPageColumns =
    "seq, id, engagement_id, run_id, contact_id, contact_alias, channel_id, channel_type, "
    "delivery_address, incident_id, stage, pass, attempt, state, code_hash, token_hash, "
    "code_failures, acknowledged, created_at, sent_at, delivered_at, read_at, provider_ref";

domain::Page ReadPage(const Stmt& s) {
  domain::Page p;
  p.id = s.Text(1);
  p.engagement_id = s.Text(2);
  p.run_id = s.Text(3);
  p.contact_id = s.Text(4);
  p.contact_alias = s.Text(5);
  p.channel_id = s.Text(6);
  p.channel_type = domain::ParseChannelType(s.Text(7)).value_or(domain::ChannelType::kEmail);
  p.delivery_address = s.Text(8);
  p.incident_id = s.Text(9);
  p.stage = static_cast<int>(s.Int(10));
  p.pass = static_cast<int>(s.Int(11));
  p.attempt = static_cast<int>(s.Int(12));
  p.state = domain::ParsePageState(s.Text(13)).value_or(domain::PageState::kUnknown);
  p.code_hash = s.Text(14);
  p.token_hash = s.Text(15);
  p.code_failures = static_cast<int>(s.Int(16));
  p.acknowledged = s.Int(17) != 0;
  p.created_at = FromUnixMillis(s.Int(18));
  p.sent_at = OptTime(s, 19);
  p.delivered_at = OptTime(s, 20);
  p.read_at = OptTime(s, 21);
  p.provider_ref = s.Text(22);
  return p;
}

template <typename T>
Result<T> One(Result<Stmt> s, T (*read)(const Stmt&), const char* what) {
  if (!s.ok()) return s.status();
  if (s->Step()) return read(*s);
  if (!s->status().ok()) return s->status();
  return NotFound(std::string(what) + " not found");
}

template <typename T>
Result<std::vector<T>> All(Stmt& s, T (*read)(const Stmt&)) {
  std::vector<T> out;
  while (s.Step()) out.push_back(read(s));
  if (!s.status().ok()) return s.status();
  return out;
}

}  // namespace

Result<Engagement> EngagementTable::GetEngagement(std::string_view id) {
  static const std::string sql =
      std::string("SELECT ") + kEngagementColumns + " FROM engagements WHERE id = ?1";
  auto s = db_.Prepare(sql.c_str());
  if (s.ok()) s->Bind(1, id);
  return One<Engagement>(std::move(s), ReadEngagement, "engagement");
}

Result<Page<Engagement>> EngagementTable::ListEngagements(const EngagementQuery& q) {
  auto before = CursorOr(q.cursor, INT64_MAX);
  if (!before.ok()) return before.status();
  const size_t limit = std::clamp<size_t>(q.limit, 1, 100);
  // Filters are bound as "matches anything" when absent, so one statement serves all.
  static const std::string sql =
      std::string("SELECT ") + kEngagementColumns +
      " FROM engagements WHERE seq < ?1 AND (?2 = '' OR incident_id = ?2) "
      "AND (?3 = '' OR state = ?3) ORDER BY seq DESC LIMIT ?4";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, *before).Bind(2, q.incident_id);
  s->Bind(3, q.state ? domain::EngagementStateName(*q.state) : "");
  s->Bind(4, static_cast<int64_t>(limit + 1));
  return Paginate<Engagement>(*s, limit, 0, ReadEngagement);
}

Result<EngagementRun> EngagementTable::GetRun(std::string_view id) {
  static const std::string sql =
      std::string("SELECT ") + kRunColumns + " FROM engagement_runs WHERE id = ?1";
  auto s = db_.Prepare(sql.c_str());
  if (s.ok()) s->Bind(1, id);
  return One<EngagementRun>(std::move(s), ReadRun, "engagement run");
}

Result<std::vector<EngagementRun>> EngagementTable::ListRuns(std::string_view engagement_id) {
  static const std::string sql = std::string("SELECT ") + kRunColumns +
                                 " FROM engagement_runs WHERE engagement_id = ?1 ORDER BY seq";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, engagement_id);
  return All<EngagementRun>(*s, ReadRun);
}

Result<domain::Page> EngagementTable::GetPage(std::string_view id) {
  static const std::string sql =
      std::string("SELECT ") + kPageColumns + " FROM pages WHERE id = ?1";
  auto s = db_.Prepare(sql.c_str());
  if (s.ok()) s->Bind(1, id);
  return One<domain::Page>(std::move(s), ReadPage, "page");
}

Result<domain::Page> EngagementTable::FindPageByToken(std::string_view token_hash) {
  static const std::string sql =
      std::string("SELECT ") + kPageColumns + " FROM pages WHERE token_hash = ?1";
  auto s = db_.Prepare(sql.c_str());
  if (s.ok()) s->Bind(1, token_hash);
  return One<domain::Page>(std::move(s), ReadPage, "page");
}

Result<domain::Page> EngagementTable::FindPageByProviderRef(std::string_view ref) {
  static const std::string sql =
      std::string("SELECT ") + kPageColumns + " FROM pages WHERE provider_ref = ?1";
  auto s = db_.Prepare(sql.c_str());
  if (s.ok()) s->Bind(1, ref);
  return One<domain::Page>(std::move(s), ReadPage, "page");
}

Result<std::vector<domain::Page>> EngagementTable::ListRecentPagesTo(std::string_view address,
                                                                     size_t limit) {
  static const std::string sql = std::string("SELECT ") + kPageColumns +
                                 " FROM pages WHERE delivery_address = ?1 ORDER BY seq DESC "
                                 "LIMIT ?2";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, address).Bind(2, static_cast<int64_t>(limit));
  return All<domain::Page>(*s, ReadPage);
}

Result<Page<domain::Page>> EngagementTable::ListPages(const PageQuery& q) {
  auto after = CursorOr(q.cursor, 0);
  if (!after.ok()) return after.status();
  const size_t limit = std::clamp<size_t>(q.limit, 1, 100);
  // One statement per leading filter, so that each uses its index; the other
  // filters are bound as "matches anything" when absent.
  static const std::string by_engagement =
      std::string("SELECT ") + kPageColumns +
      " FROM pages WHERE engagement_id = ?1 AND seq > ?2 AND (?3 = '' OR incident_id = ?3) "
      "AND (?4 = '' OR contact_id = ?4) ORDER BY seq LIMIT ?5";
  static const std::string by_incident =
      std::string("SELECT ") + kPageColumns +
      " FROM pages WHERE incident_id = ?3 AND seq > ?2 AND (?4 = '' OR contact_id = ?4) "
      "AND (?1 = '' OR engagement_id = ?1) ORDER BY seq LIMIT ?5";
  static const std::string by_contact =
      std::string("SELECT ") + kPageColumns +
      " FROM pages WHERE contact_id = ?4 AND seq > ?2 AND (?1 = '' OR engagement_id = ?1) "
      "AND (?3 = '' OR incident_id = ?3) ORDER BY seq LIMIT ?5";
  static const std::string all =
      std::string("SELECT ") + kPageColumns +
      " FROM pages WHERE seq > ?2 AND (?1 = '' OR engagement_id = ?1) "
      "AND (?3 = '' OR incident_id = ?3) AND (?4 = '' OR contact_id = ?4) ORDER BY seq LIMIT ?5";
  const std::string& sql = !q.engagement_id.empty() ? by_engagement
                           : !q.incident_id.empty() ? by_incident
                           : !q.contact_id.empty()  ? by_contact
                                                    : all;
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, q.engagement_id).Bind(2, *after).Bind(3, q.incident_id).Bind(4, q.contact_id);
  s->Bind(5, static_cast<int64_t>(limit + 1));
  return Paginate<domain::Page>(*s, limit, 0, ReadPage);
}

Result<std::vector<domain::Page>> EngagementTable::ListRunPages(std::string_view run_id) {
  static const std::string sql =
      std::string("SELECT ") + kPageColumns + " FROM pages WHERE run_id = ?1 ORDER BY seq";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, run_id);
  return All<domain::Page>(*s, ReadPage);
}

Result<std::vector<std::string>> EngagementTable::ListPageIdsInState(domain::PageState state,
                                                                     size_t limit) {
  auto s = db_.Prepare("SELECT id FROM pages WHERE state = ?1 ORDER BY seq LIMIT ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, domain::PageStateName(state)).Bind(2, static_cast<int64_t>(limit));
  std::vector<std::string> ids;
  while (s->Step()) ids.push_back(s->Text(0));
  if (!s->status().ok()) return s->status();
  return ids;
}

Result<std::vector<Receipt>> EngagementTable::ListReceipts(std::string_view page_id) {
  auto s = db_.Prepare(
      "SELECT page_id, type, info, at FROM page_receipts WHERE page_id = ?1 ORDER BY seq");
  if (!s.ok()) return s.status();
  s->Bind(1, page_id);
  std::vector<Receipt> out;
  while (s->Step()) {
    Receipt r;
    r.page_id = s->Text(0);
    r.type = domain::ParseReceiptType(s->Text(1)).value_or(domain::ReceiptType::kError);
    r.info = s->Text(2);
    r.at = FromUnixMillis(s->Int(3));
    out.push_back(std::move(r));
  }
  if (!s->status().ok()) return s->status();
  return out;
}

Status EngagementTable::InsertEngagement(const Engagement& e) {
  auto s = db_.Prepare(
      "INSERT INTO engagements (id, contact_id, contact_alias, contact_type, sender, subject, "
      "content, public_subject, public_content, incident_id, state, started_at, stopped_at, "
      "stop_reason, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14, ?15)");
  if (!s.ok()) return s.status();
  s->Bind(1, e.id).Bind(2, e.contact_id).Bind(3, e.contact_alias);
  s->Bind(4, domain::ContactTypeName(e.contact_type)).Bind(5, e.sender).Bind(6, e.subject);
  s->Bind(7, e.content).Bind(8, e.public_subject).Bind(9, e.public_content);
  BindOptionalText(*s, 10, e.incident_id);
  s->Bind(11, domain::EngagementStateName(e.state)).Bind(12, ToUnixMillis(e.started_at));
  s->BindOptional(13, OptMillis(e.stopped_at)).Bind(14, e.stop_reason).Bind(15, e.created_by);
  return s->Run();
}

Status EngagementTable::UpdateEngagement(const Engagement& e) {
  auto s = db_.Prepare(
      "UPDATE engagements SET state = ?2, stopped_at = ?3, stop_reason = ?4 WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, e.id).Bind(2, domain::EngagementStateName(e.state));
  s->BindOptional(3, OptMillis(e.stopped_at)).Bind(4, e.stop_reason);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  if (db_.Changes() == 0) return NotFound("engagement not found");
  return Status::Ok();
}

Status EngagementTable::InsertRun(const EngagementRun& r) {
  auto s = db_.Prepare(
      "INSERT INTO engagement_runs (id, engagement_id, parent_id, contact_id, contact_alias, "
      "kind, parent_stage, essential, state, stage, pass) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!s.ok()) return s.status();
  s->Bind(1, r.id).Bind(2, r.engagement_id);
  BindOptionalText(*s, 3, r.parent_id);
  s->Bind(4, r.contact_id).Bind(5, r.contact_alias).Bind(6, domain::ContactTypeName(r.kind));
  s->Bind(7, r.parent_stage).Bind(8, r.essential ? 1 : 0).Bind(9, domain::RunStateName(r.state));
  s->Bind(10, r.stage).Bind(11, r.pass);
  return s->Run();
}

Status EngagementTable::UpdateRun(const EngagementRun& r) {
  auto s =
      db_.Prepare("UPDATE engagement_runs SET state = ?2, stage = ?3, pass = ?4 WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, r.id).Bind(2, domain::RunStateName(r.state)).Bind(3, r.stage).Bind(4, r.pass);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  if (db_.Changes() == 0) return NotFound("engagement run not found");
  return Status::Ok();
}

Status EngagementTable::InsertPage(const domain::Page& p) {
  auto s = db_.Prepare(
      "INSERT INTO pages (id, engagement_id, run_id, contact_id, contact_alias, channel_id, "
      "channel_type, delivery_address, incident_id, stage, pass, attempt, state, code_hash, "
      "token_hash, code_failures, acknowledged, created_at, sent_at, delivered_at, read_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
      "?19, ?20, ?21)");
  if (!s.ok()) return s.status();
  s->Bind(1, p.id).Bind(2, p.engagement_id).Bind(3, p.run_id).Bind(4, p.contact_id);
  s->Bind(5, p.contact_alias)
      .Bind(6, p.channel_id)
      .Bind(7, domain::ChannelTypeName(p.channel_type));
  s->Bind(8, p.delivery_address);
  BindOptionalText(*s, 9, p.incident_id);
  s->Bind(10, p.stage).Bind(11, p.pass).Bind(12, p.attempt);
  s->Bind(13, domain::PageStateName(p.state)).Bind(14, p.code_hash);
  BindOptionalText(*s, 15, p.token_hash);
  s->Bind(16, p.code_failures)
      .Bind(17, p.acknowledged ? 1 : 0)
      .Bind(18, ToUnixMillis(p.created_at));
  s->BindOptional(19, OptMillis(p.sent_at)).BindOptional(20, OptMillis(p.delivered_at));
  s->BindOptional(21, OptMillis(p.read_at));
  return s->Run();
}

Status EngagementTable::UpdatePage(const domain::Page& p) {
  auto s = db_.Prepare(
      "UPDATE pages SET state = ?2, code_hash = ?3, token_hash = ?4, code_failures = ?5, "
      "acknowledged = ?6, sent_at = ?7, delivered_at = ?8, read_at = ?9, provider_ref = ?10 "
      "WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, p.id).Bind(2, domain::PageStateName(p.state)).Bind(3, p.code_hash);
  BindOptionalText(*s, 4, p.token_hash);
  s->Bind(5, p.code_failures).Bind(6, p.acknowledged ? 1 : 0);
  s->BindOptional(7, OptMillis(p.sent_at)).BindOptional(8, OptMillis(p.delivered_at));
  s->BindOptional(9, OptMillis(p.read_at));
  BindOptionalText(*s, 10, p.provider_ref);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  if (db_.Changes() == 0) return NotFound("page not found");
  return Status::Ok();
}

Status EngagementTable::AddReceipt(const Receipt& r) {
  auto s = db_.Prepare(
      "INSERT INTO page_receipts (page_id, seq, type, info, at) VALUES (?1, "
      "(SELECT COALESCE(MAX(seq), 0) + 1 FROM page_receipts WHERE page_id = ?1), ?2, ?3, ?4)");
  if (!s.ok()) return s.status();
  s->Bind(1, r.page_id).Bind(2, domain::ReceiptTypeName(r.type)).Bind(3, r.info);
  s->Bind(4, ToUnixMillis(r.at));
  return s->Run();
}

namespace {

constexpr const char* kJobColumns =
    "id, due_at, kind, owner, ref, arg, step, round, attempt, state";

domain::Job ReadJob(const Stmt& s) {
  domain::Job j;
  j.id = s.Int(0);
  j.due = FromUnixMillis(s.Int(1));
  j.kind = s.Text(2);
  j.owner = s.Text(3);
  j.ref = s.Text(4);
  j.arg = s.Text(5);
  j.step = static_cast<int>(s.Int(6));
  j.round = static_cast<int>(s.Int(7));
  j.attempt = static_cast<int>(s.Int(8));
  const std::string state = s.Text(9);
  j.state = state == "PENDING" ? domain::JobState::kPending
            : state == "DONE"  ? domain::JobState::kDone
                               : domain::JobState::kCancelled;
  return j;
}

}  // namespace

Result<std::vector<domain::Job>> JobTable::ListPendingJobs(int64_t after_id, size_t limit) {
  auto s = db_.Prepare(
      "SELECT id, due_at FROM jobs WHERE state = 'PENDING' AND id > ?1 ORDER BY id LIMIT ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, after_id).Bind(2, static_cast<int64_t>(limit));
  std::vector<domain::Job> out;
  while (s->Step()) {
    domain::Job j;
    j.id = s->Int(0);
    j.due = FromUnixMillis(s->Int(1));
    out.push_back(std::move(j));
  }
  if (!s->status().ok()) return s->status();
  return out;
}

Result<domain::Job> JobTable::GetJob(int64_t id) {
  static const std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?1";
  auto s = db_.Prepare(sql.c_str());
  if (s.ok()) s->Bind(1, id);
  return One<domain::Job>(std::move(s), ReadJob, "job");
}

Result<int64_t> JobTable::InsertJob(const domain::Job& j) {
  // last_insert_rowid rather than RETURNING: the scheduler inserts a job for
  // every stage it starts, and RETURNING materializes a result set.
  auto s = db_.Prepare(
      "INSERT INTO jobs (due_at, kind, owner, ref, arg, step, round, attempt, state) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'PENDING')");
  if (!s.ok()) return s.status();
  s->Bind(1, ToUnixMillis(j.due)).Bind(2, j.kind).Bind(3, j.owner).Bind(4, j.ref).Bind(5, j.arg);
  s->Bind(6, j.step).Bind(7, j.round).Bind(8, j.attempt);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  return db_.LastInsertRowid();
}

Status JobTable::FinishJob(int64_t id, domain::JobState state, TimePoint at) {
  auto s =
      db_.Prepare("UPDATE jobs SET state = ?2, fired_at = ?3 WHERE id = ?1 AND state = 'PENDING'");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, state == domain::JobState::kDone ? "DONE" : "CANCELLED");
  s->Bind(3, ToUnixMillis(at));
  TOCSIN_RETURN_IF_ERROR(s->Run());
  if (db_.Changes() == 0) return FailedPrecondition("job is not pending");
  return Status::Ok();
}

Result<int64_t> JobTable::CancelJobs(std::string_view owner, std::string_view ref) {
  auto s = db_.Prepare(
      "UPDATE jobs SET state = 'CANCELLED' WHERE owner = ?1 AND state = 'PENDING' "
      "AND (?2 = '' OR ref = ?2)");
  if (!s.ok()) return s.status();
  s->Bind(1, owner).Bind(2, ref);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  return db_.Changes();
}

namespace {

constexpr const char* kOutboxColumns =
    "seq, id, kind, incident_id, target_id, event, body, state, attempts, max_attempts, next_at, "
    "last_error, provider_ref, created_at, sent_at";

domain::OutboxMessage ReadOutbox(const Stmt& s) {
  domain::OutboxMessage m;
  m.id = s.Text(1);
  m.kind = domain::ParseOutboxKind(s.Text(2)).value_or(domain::OutboxKind::kWebhook);
  m.incident_id = s.Text(3);
  m.target_id = s.Text(4);
  m.event = s.Text(5);
  m.body = s.Text(6);
  m.state = domain::ParseOutboxState(s.Text(7)).value_or(domain::OutboxState::kUnknown);
  m.attempts = static_cast<int>(s.Int(8));
  m.max_attempts = static_cast<int>(s.Int(9));
  m.next_at = FromUnixMillis(s.Int(10));
  m.last_error = s.Text(11);
  m.provider_ref = s.Text(12);
  m.created_at = FromUnixMillis(s.Int(13));
  m.sent_at = OptTime(s, 14);
  return m;
}

}  // namespace

Result<domain::OutboxMessage> OutboxTable::GetOutbox(std::string_view id) {
  static const std::string sql =
      std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE id = ?1";
  auto s = db_.Prepare(sql.c_str());
  if (s.ok()) s->Bind(1, id);
  return One<domain::OutboxMessage>(std::move(s), ReadOutbox, "outbox message");
}

Result<std::vector<domain::OutboxMessage>> OutboxTable::ListOutboxInFlight(size_t limit) {
  static const std::string sql = std::string("SELECT ") + kOutboxColumns +
                                 " FROM outbox WHERE state IN ('QUEUED', 'SENDING') "
                                 "ORDER BY next_at LIMIT ?1";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, static_cast<int64_t>(limit));
  return All<domain::OutboxMessage>(*s, ReadOutbox);
}

Result<std::vector<domain::OutboxMessage>> OutboxTable::ListOutboxOfIncident(
    std::string_view incident_id, size_t limit) {
  static const std::string sql = std::string("SELECT ") + kOutboxColumns +
                                 " FROM outbox WHERE incident_id = ?1 ORDER BY seq LIMIT ?2";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, incident_id).Bind(2, static_cast<int64_t>(limit));
  return All<domain::OutboxMessage>(*s, ReadOutbox);
}

Status OutboxTable::InsertOutbox(const domain::OutboxMessage& m) {
  auto s = db_.Prepare(
      "INSERT INTO outbox (id, kind, incident_id, target_id, event, body, state, attempts, "
      "max_attempts, next_at, last_error, provider_ref, created_at, sent_at) VALUES (?1, ?2, ?3, "
      "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  if (!s.ok()) return s.status();
  s->Bind(1, m.id).Bind(2, domain::OutboxKindName(m.kind));
  BindOptionalText(*s, 3, m.incident_id);
  s->Bind(4, m.target_id).Bind(5, m.event).Bind(6, m.body);
  s->Bind(7, domain::OutboxStateName(m.state)).Bind(8, m.attempts).Bind(9, m.max_attempts);
  s->Bind(10, ToUnixMillis(m.next_at)).Bind(11, m.last_error).Bind(12, m.provider_ref);
  s->Bind(13, ToUnixMillis(m.created_at)).BindOptional(14, OptMillis(m.sent_at));
  return s->Run();
}

Status OutboxTable::UpdateOutbox(const domain::OutboxMessage& m) {
  auto s = db_.Prepare(
      "UPDATE outbox SET state = ?2, attempts = ?3, next_at = ?4, last_error = ?5, "
      "provider_ref = ?6, sent_at = ?7 WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, m.id).Bind(2, domain::OutboxStateName(m.state)).Bind(3, m.attempts);
  s->Bind(4, ToUnixMillis(m.next_at)).Bind(5, m.last_error).Bind(6, m.provider_ref);
  s->BindOptional(7, OptMillis(m.sent_at));
  TOCSIN_RETURN_IF_ERROR(s->Run());
  if (db_.Changes() == 0) return NotFound("outbox message not found");
  return Status::Ok();
}

}  // namespace tocsin::store
