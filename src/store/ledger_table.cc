#include "store/ledger_table.h"

#include <algorithm>
#include <charconv>

#include "tocsin/codec/ledger.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/ledger/merkle.h"

namespace tocsin::store {
namespace {

constexpr auto kIdempotencyRetention = std::chrono::hours(48);

Result<domain::TimelineEvent> ParseRow(int64_t seq, const std::string& body) {
  domain::TimelineEvent e;
  Status s = codec::ParseLedgerBody(body, e);
  if (!s.ok()) return Internal("ledger entry " + std::to_string(seq) + ": " + s.message());
  return e;
}

// Keyset position (event_time, first_seq) of a timeline row.
std::string TimelineCursor(int64_t event_time, int64_t first_seq) {
  return crypto::Base64UrlEncode("t:" + std::to_string(event_time) + ":" +
                                 std::to_string(first_seq));
}

Result<std::pair<int64_t, int64_t>> DecodeTimelineCursor(std::string_view cursor) {
  auto raw = crypto::Base64UrlDecode(cursor);
  if (raw && raw->size() > 4 && raw->compare(0, 2, "t:") == 0) {
    const auto colon = raw->find(':', 2);
    int64_t t = 0;
    int64_t seq = 0;
    if (colon != std::string::npos) {
      auto [p1, e1] = std::from_chars(raw->data() + 2, raw->data() + colon, t);
      auto [p2, e2] = std::from_chars(raw->data() + colon + 1, raw->data() + raw->size(), seq);
      if (e1 == std::errc() && p1 == raw->data() + colon && e2 == std::errc() &&
          p2 == raw->data() + raw->size()) {
        return std::make_pair(t, seq);
      }
    }
  }
  return InvalidArgument("cursor is malformed; pass nextCursor from a previous page", "cursor");
}

}  // namespace

Result<Page<domain::TimelineEvent>> LedgerReader::ListTimeline(const TimelineQuery& q) {
  const size_t limit = std::clamp<size_t>(q.limit, 1, 100);
  std::string sql =
      "SELECT l.seq, l.body, t.first_seq FROM timeline t JOIN ledger l ON "
      "l.seq = t.latest_seq WHERE t.incident_id = ? AND t.redacted = 0";
  std::vector<std::function<void(Stmt&, int)>> binds;
  binds.push_back([&q](Stmt& s, int i) { s.Bind(i, q.incident_id); });
  if (!q.event_types.empty()) {
    sql += " AND t.event_type IN (";
    for (size_t k = 0; k < q.event_types.size(); ++k) sql += k == 0 ? "?" : ", ?";
    sql += ")";
    for (const auto& type : q.event_types)
      binds.push_back([&type](Stmt& s, int i) { s.Bind(i, type); });
  }
  if (q.after) {
    sql += " AND t.event_time > ?";
    binds.push_back([&q](Stmt& s, int i) { s.Bind(i, ToUnixMillis(*q.after)); });
  }
  if (q.before) {
    sql += " AND t.event_time < ?";
    binds.push_back([&q](Stmt& s, int i) { s.Bind(i, ToUnixMillis(*q.before)); });
  }
  std::pair<int64_t, int64_t> cursor;
  if (!q.cursor.empty()) {
    auto c = DecodeTimelineCursor(q.cursor);
    if (!c.ok()) return c.status();
    cursor = std::move(*c);
    sql += q.descending ? " AND (t.event_time, t.first_seq) < (?, ?)"
                        : " AND (t.event_time, t.first_seq) > (?, ?)";
    binds.push_back([&cursor](Stmt& s, int i) { s.Bind(i, cursor.first); });
    binds.push_back([&cursor](Stmt& s, int i) { s.Bind(i, cursor.second); });
  }
  sql += q.descending ? " ORDER BY t.event_time DESC, t.first_seq DESC LIMIT ?"
                      : " ORDER BY t.event_time, t.first_seq LIMIT ?";
  binds.push_back([limit](Stmt& s, int i) { s.Bind(i, static_cast<int64_t>(limit + 1)); });
  auto s = db_.PrepareDynamic(sql);
  if (!s.ok()) return s.status();
  for (size_t i = 0; i < binds.size(); ++i) binds[i](*s, static_cast<int>(i) + 1);
  Page<domain::TimelineEvent> page;
  std::vector<int64_t> first_seqs;
  while (s->Step()) {
    auto e = ParseRow(s->Int(0), s->Text(1));
    if (!e.ok()) return e.status();
    page.items.push_back(std::move(*e));
    first_seqs.push_back(s->Int(2));
  }
  if (!s->status().ok()) return s->status();
  if (page.items.size() > limit) {
    page.items.pop_back();
    page.next_cursor =
        TimelineCursor(ToUnixMillis(page.items.back().event_time), first_seqs[limit - 1]);
  }
  return page;
}

Result<domain::TimelineEvent> LedgerReader::GetTimelineEvent(std::string_view incident_id,
                                                             std::string_view event_id) {
  auto s = db_.Prepare(
      "SELECT l.seq, l.body FROM timeline t JOIN ledger l ON l.seq = t.latest_seq "
      "WHERE t.incident_id = ?1 AND t.event_id = ?2 AND t.redacted = 0");
  if (!s.ok()) return s.status();
  s->Bind(1, incident_id).Bind(2, event_id);
  if (s->Step()) return ParseRow(s->Int(0), s->Text(1));
  if (!s->status().ok()) return s->status();
  return NotFound("timeline event \"" + std::string(event_id) + "\" not found");
}

Result<std::vector<domain::TimelineEvent>> LedgerReader::Read(int64_t after_seq, size_t limit,
                                                              std::string_view incident_id) {
  auto s = incident_id.empty()
               ? db_.Prepare("SELECT seq, body FROM ledger WHERE seq > ?1 ORDER BY seq LIMIT ?2")
               : db_.Prepare(
                     "SELECT seq, body FROM ledger WHERE incident_id = ?3 AND seq > ?1 "
                     "ORDER BY seq LIMIT ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, after_seq).Bind(2, static_cast<int64_t>(limit));
  if (!incident_id.empty()) s->Bind(3, incident_id);
  std::vector<domain::TimelineEvent> out;
  while (s->Step()) {
    auto e = ParseRow(s->Int(0), s->Text(1));
    if (!e.ok()) return e.status();
    out.push_back(std::move(*e));
  }
  if (!s->status().ok()) return s->status();
  return out;
}

Result<int64_t> LedgerReader::Size() {
  return db_.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM ledger");
}

Result<std::optional<StoredCheckpoint>> LedgerReader::LatestCheckpoint() {
  auto s = db_.Prepare(
      "SELECT size, root, note, created_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1");
  if (!s.ok()) return s.status();
  if (s->Step()) {
    return std::optional<StoredCheckpoint>(
        StoredCheckpoint{s->Int(0), s->Blob(1), s->Text(2), FromUnixMillis(s->Int(3))});
  }
  if (!s->status().ok()) return s->status();
  return std::optional<StoredCheckpoint>();
}

Result<std::optional<IdempotencyRecord>> LedgerReader::GetIdempotency(std::string_view scope,
                                                                      std::string_view key) {
  auto s = db_.Prepare(
      "SELECT request_hash, status, body, created_at FROM idempotency WHERE scope = ?1 AND key = "
      "?2");
  if (!s.ok()) return s.status();
  s->Bind(1, scope).Bind(2, key);
  if (s->Step()) {
    return std::optional<IdempotencyRecord>(IdempotencyRecord{
        s->Blob(0), static_cast<int>(s->Int(1)), s->Text(2), FromUnixMillis(s->Int(3))});
  }
  if (!s->status().ok()) return s->status();
  return std::optional<IdempotencyRecord>();
}

Status LedgerWriter::Load() {
  Head head;
  head.chain = std::string(ledger::kZeroHash);
  int64_t from = 0;
  auto cp = db_.Prepare("SELECT size, range FROM ledger_checkpoints ORDER BY size DESC LIMIT 1");
  if (!cp.ok()) return cp.status();
  if (cp->Step()) {
    auto range = ledger::CompactRange::Deserialize(cp->Blob(1));
    if (!range.ok())
      return Internal("stored checkpoint range is corrupt: " + range.status().message());
    head.range = std::move(*range);
    from = cp->Int(0);
  }
  TOCSIN_RETURN_IF_ERROR(cp->status());
  if (from > 0) {
    auto c = db_.Prepare("SELECT chain FROM ledger WHERE seq = ?1");
    if (!c.ok()) return c.status();
    c->Bind(1, from);
    if (!c->Step())
      return Internal("ledger entry " + std::to_string(from) +
                      " of the last checkpoint is missing");
    head.chain = c->Blob(0);
  }
  head.size = from;
  auto s = db_.Prepare("SELECT seq, leaf, chain FROM ledger WHERE seq > ?1 ORDER BY seq");
  if (!s.ok()) return s.status();
  s->Bind(1, from);
  while (s->Step()) {
    const int64_t seq = s->Int(0);
    const std::string leaf = s->Blob(1);
    if (seq != head.size + 1)
      return Internal("ledger has a gap before entry " + std::to_string(seq));
    if (ledger::ChainHash(head.chain, leaf) != s->Blob(2)) {
      return Internal("ledger chain is broken at entry " + std::to_string(seq) +
                      "; run tocsin verify");
    }
    TOCSIN_RETURN_IF_ERROR(head.range.Append(leaf));
    head.chain = s->Blob(2);
    head.size = seq;
  }
  TOCSIN_RETURN_IF_ERROR(s->status());
  head_ = std::move(head);
  return Status::Ok();
}

Result<domain::TimelineEvent> LedgerWriter::Append(domain::TimelineEvent e, TimePoint now) {
  e.seq = head_.size + 1;
  e.recorded_at = now;
  const std::string body = codec::LedgerBody(e);
  const std::string leaf = ledger::LeafHash(body);
  const std::string chain = ledger::ChainHash(head_.chain, leaf);
  auto s = db_.Prepare(
      "INSERT INTO ledger (seq, incident_id, event_id, body, leaf, chain) "
      "VALUES (?1, NULLIF(?2, ''), ?3, ?4, ?5, ?6)");
  if (!s.ok()) return s.status();
  s->Bind(1, e.seq).Bind(2, e.incident_id).Bind(3, e.event_id).BindBlob(4, body);
  s->BindBlob(5, leaf).BindBlob(6, chain);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  if (!e.incident_id.empty()) {
    if (e.supersedes == 0) {
      auto t = db_.Prepare(
          "INSERT INTO timeline (incident_id, event_id, event_time, event_type, first_seq, "
          "latest_seq, redacted) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)");
      if (!t.ok()) return t.status();
      t->Bind(1, e.incident_id).Bind(2, e.event_id).Bind(3, ToUnixMillis(e.event_time));
      t->Bind(4, e.event_type).Bind(5, e.seq).Bind(6, e.redacted ? 1 : 0);
      TOCSIN_RETURN_IF_ERROR(t->Run());
    } else {
      auto t = db_.Prepare(
          "UPDATE timeline SET event_time = ?3, event_type = ?4, latest_seq = ?5, redacted = ?6 "
          "WHERE incident_id = ?1 AND event_id = ?2 AND latest_seq = ?7");
      if (!t.ok()) return t.status();
      t->Bind(1, e.incident_id).Bind(2, e.event_id).Bind(3, ToUnixMillis(e.event_time));
      t->Bind(4, e.event_type).Bind(5, e.seq).Bind(6, e.redacted ? 1 : 0).Bind(7, e.supersedes);
      TOCSIN_RETURN_IF_ERROR(t->Run());
      if (db_.Changes() == 0)
        return Aborted("timeline event " + e.event_id + " was revised concurrently");
    }
  }
  TOCSIN_RETURN_IF_ERROR(head_.range.Append(leaf));
  head_.size = e.seq;
  head_.chain = chain;
  return e;
}

LedgerHead LedgerWriter::CurrentHead() const {
  return {head_.size, head_.chain, head_.range.Root()};
}

Status LedgerWriter::PutCheckpoint(const LedgerHead& at, std::string note, TimePoint now) {
  if (!(at == CurrentHead()))
    return FailedPrecondition("checkpoint is not of the current ledger head");
  auto s = db_.Prepare(
      "INSERT OR IGNORE INTO ledger_checkpoints (size, root, note, range, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!s.ok()) return s.status();
  s->Bind(1, at.size).BindBlob(2, at.root).Bind(3, note).BindBlob(4, head_.range.Serialize());
  s->Bind(5, ToUnixMillis(now));
  return s->Run();
}

Status LedgerWriter::PutIdempotency(std::string_view scope, std::string_view key,
                                    const IdempotencyRecord& r, TimePoint now) {
  auto purge = db_.Prepare(
      "DELETE FROM idempotency WHERE (scope, key) IN (SELECT scope, key FROM idempotency "
      "WHERE created_at < ?1 LIMIT 16)");
  if (!purge.ok()) return purge.status();
  TOCSIN_RETURN_IF_ERROR(purge->Bind(1, ToUnixMillis(now - kIdempotencyRetention)).Run());
  auto s = db_.Prepare(
      "INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!s.ok()) return s.status();
  s->Bind(1, scope).Bind(2, key).BindBlob(3, r.request_hash).Bind(4, r.status).Bind(5, r.body);
  s->Bind(6, ToUnixMillis(r.created_at));
  return s->Run();
}

}  // namespace tocsin::store
