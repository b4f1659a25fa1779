#include "store/incident_table.h"

#include <algorithm>
#include <map>

#include "store/resource_table.h"
#include "tocsin/codec/ledger.h"

namespace tocsin::store {
namespace {

constexpr const char* kIncidentColumns =
    "seq, id, response_plan_id, response_plan_name, title, impact, status, dedupe_string, "
    "created_at, updated_at, resolved_at, created_by, version, body";

// Turns free text into an FTS5 query: every word, quoted, as a prefix.
std::string FtsQuery(std::string_view text) {
  std::string out;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : word) {
      if (c == '"') out += '"';
      out += c;
    }
    out += "\"*";
    word.clear();
  };
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

std::string_view IdFromArn(std::string_view ref) {
  if (ref.rfind("arn:", 0) != 0) return ref;
  const auto slash = ref.rfind('/');
  return slash == std::string_view::npos ? ref : ref.substr(slash + 1);
}

}  // namespace

Result<domain::Incident> IncidentTable::Read(const Stmt& s) {
  std::string id = s.Text(1);
  std::string body = s.Text(13);
  auto cached = decoded_.find(id);
  if (cached == decoded_.end() || cached->second.text != body) {
    domain::Incident fields;
    Status st = codec::ParseIncidentStoredBody(body, fields);
    if (!st.ok()) return Internal("incident " + id + ": " + st.message());
    if (decoded_.size() >= kMaxDecoded) decoded_.clear();
    cached = decoded_.insert_or_assign(id, DecodedBody{std::move(body), std::move(fields)}).first;
  }
  domain::Incident i = cached->second.fields;
  i.id = std::move(id);
  i.response_plan_id = s.Text(2);
  i.response_plan_name = s.Text(3);
  i.title = s.Text(4);
  i.impact = static_cast<int>(s.Int(5));
  i.status = domain::ParseIncidentStatus(s.Text(6)).value_or(domain::IncidentStatus::kOpen);
  i.dedupe_string = s.Text(7);
  i.created_at = FromUnixMillis(s.Int(8));
  i.updated_at = FromUnixMillis(s.Int(9));
  if (auto r = s.OptionalInt(10)) i.resolved_at = FromUnixMillis(*r);
  i.created_by = s.Text(11);
  i.version = s.Int(12);
  return i;
}

Status IncidentTable::Insert(const domain::Incident& i) {
  auto s = db_.Prepare(
      "INSERT INTO incidents (id, response_plan_id, response_plan_name, title, impact, status, "
      "dedupe_string, created_at, updated_at, resolved_at, created_by, version, body) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!s.ok()) return s.status();
  s->Bind(1, i.id).Bind(2, i.response_plan_id).Bind(3, i.response_plan_name).Bind(4, i.title);
  s->Bind(5, i.impact).Bind(6, domain::IncidentStatusName(i.status)).Bind(7, i.dedupe_string);
  s->Bind(8, ToUnixMillis(i.created_at)).Bind(9, ToUnixMillis(i.updated_at));
  s->BindOptional(
      10, i.resolved_at ? std::optional<int64_t>(ToUnixMillis(*i.resolved_at)) : std::nullopt);
  s->Bind(11, i.created_by).Bind(12, i.version).Bind(13, codec::IncidentStoredBody(i));
  Status st = s->Run();
  if (st.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("an OPEN incident already has dedupe string \"" + i.dedupe_string + "\"");
  }
  TOCSIN_RETURN_IF_ERROR(st);
  auto fts =
      db_.Prepare("INSERT INTO incidents_title (rowid, title) VALUES (last_insert_rowid(), ?1)");
  if (!fts.ok()) return fts.status();
  return fts->Bind(1, i.title).Run();
}

Status IncidentTable::Update(const domain::Incident& previous, const domain::Incident& i) {
  auto s = db_.Prepare(
      "UPDATE incidents SET title = ?1, impact = ?2, status = ?3, updated_at = ?4, "
      "resolved_at = ?5, version = ?6, body = ?7 WHERE id = ?8 AND version = ?6 - 1");
  if (!s.ok()) return s.status();
  s->Bind(1, i.title).Bind(2, i.impact).Bind(3, domain::IncidentStatusName(i.status));
  s->Bind(4, ToUnixMillis(i.updated_at));
  s->BindOptional(
      5, i.resolved_at ? std::optional<int64_t>(ToUnixMillis(*i.resolved_at)) : std::nullopt);
  s->Bind(6, i.version).Bind(7, codec::IncidentStoredBody(i)).Bind(8, i.id);
  Status st = s->Run();
  if (st.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("another OPEN incident has dedupe string \"" + i.dedupe_string + "\"");
  }
  TOCSIN_RETURN_IF_ERROR(st);
  if (db_.Changes() == 0) {
    return Aborted("incident " + i.id + " was changed concurrently");
  }
  if (previous.title != i.title) {
    auto fts = db_.Prepare(
        "UPDATE incidents_title SET title = ?1 WHERE rowid = (SELECT seq FROM incidents WHERE id = "
        "?2)");
    if (!fts.ok()) return fts.status();
    TOCSIN_RETURN_IF_ERROR(fts->Bind(1, i.title).Bind(2, i.id).Run());
  }
  return Status::Ok();
}

Result<domain::Incident> IncidentTable::Get(std::string_view id_or_arn) {
  static const std::string sql =
      std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE id = ?1";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, IdFromArn(id_or_arn));
  if (s->Step()) return Read(*s);
  if (!s->status().ok()) return s->status();
  return NotFound("incident \"" + std::string(id_or_arn) + "\" not found");
}

Result<domain::Incident> IncidentTable::FindOpen(std::string_view dedupe) {
  static const std::string sql = std::string("SELECT ") + kIncidentColumns +
                                 " FROM incidents WHERE dedupe_string = ?1 AND status = 'OPEN'";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, dedupe);
  if (s->Step()) return Read(*s);
  if (!s->status().ok()) return s->status();
  return NotFound("no open incident with that dedupe string");
}

// Appends " AND ..." for every filter of `q` to `sql`, and their binders to
// `binds` (which capture `q` by reference: bind before it goes away).
// The SQL text depends only on which filters are present (and how many
// values each has, capped by the API), so the statement cache stays small.
static void AppendFilters(const IncidentQuery& q, std::string& sql,
                          std::vector<std::function<void(Stmt&, int)>>& binds) {
  auto in_list = [&](const char* column, size_t n) {
    sql += std::string(" AND ") + column + " IN (";
    for (size_t k = 0; k < n; ++k) sql += k == 0 ? "?" : ", ?";
    sql += ")";
  };
  if (!q.statuses.empty()) {
    in_list("status", q.statuses.size());
    for (auto st : q.statuses) {
      binds.push_back([st](Stmt& s, int i) { s.Bind(i, domain::IncidentStatusName(st)); });
    }
  }
  if (!q.impacts.empty()) {
    in_list("impact", q.impacts.size());
    for (int imp : q.impacts) binds.push_back([imp](Stmt& s, int i) { s.Bind(i, imp); });
  }
  if (!q.response_plan_id.empty()) {
    sql += " AND response_plan_id = ?";
    binds.push_back([&q](Stmt& s, int i) { s.Bind(i, q.response_plan_id); });
  }
  if (!q.created_by.empty()) {
    sql += " AND created_by = ?";
    binds.push_back([&q](Stmt& s, int i) { s.Bind(i, q.created_by); });
  }
  if (q.created_after) {
    sql += " AND created_at > ?";
    binds.push_back([&q](Stmt& s, int i) { s.Bind(i, ToUnixMillis(*q.created_after)); });
  }
  if (q.created_before) {
    sql += " AND created_at < ?";
    binds.push_back([&q](Stmt& s, int i) { s.Bind(i, ToUnixMillis(*q.created_before)); });
  }
  const std::string fts = FtsQuery(q.title_words);
  if (!fts.empty()) {
    sql += " AND seq IN (SELECT rowid FROM incidents_title WHERE incidents_title MATCH ?)";
    binds.push_back([fts](Stmt& s, int i) { s.Bind(i, fts); });
  }
}

Result<Page<domain::Incident>> IncidentTable::List(const IncidentQuery& q) {
  int64_t before_seq = INT64_MAX;
  if (!q.cursor.empty()) {
    auto c = DecodeCursor(q.cursor);
    if (!c.ok()) return c.status();
    before_seq = *c;
  }
  const size_t limit = std::clamp<size_t>(q.limit, 1, 100);
  std::string sql = std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE seq < ?";
  std::vector<std::function<void(Stmt&, int)>> binds;
  binds.push_back([before_seq](Stmt& s, int i) { s.Bind(i, before_seq); });
  AppendFilters(q, sql, binds);
  sql += " ORDER BY seq DESC LIMIT ?";
  binds.push_back([limit](Stmt& s, int i) { s.Bind(i, static_cast<int64_t>(limit + 1)); });
  auto s = db_.PrepareDynamic(sql);
  if (!s.ok()) return s.status();
  for (size_t i = 0; i < binds.size(); ++i) binds[i](*s, static_cast<int>(i) + 1);
  Page<domain::Incident> page;
  std::vector<int64_t> seqs;
  while (s->Step()) {
    auto incident = Read(*s);
    if (!incident.ok()) return incident.status();
    seqs.push_back(s->Int(0));
    page.items.push_back(std::move(*incident));
  }
  if (!s->status().ok()) return s->status();
  if (page.items.size() > limit) {
    page.items.pop_back();
    page.next_cursor = EncodeCursor(seqs[limit - 1]);
  }
  return page;
}

Result<std::map<int, int64_t>> IncidentTable::CountByImpact(const IncidentQuery& q) {
  std::string sql = "SELECT impact, count(*) FROM incidents WHERE 1";
  std::vector<std::function<void(Stmt&, int)>> binds;
  AppendFilters(q, sql, binds);
  sql += " GROUP BY impact";
  auto s = db_.PrepareDynamic(sql);
  if (!s.ok()) return s.status();
  for (size_t i = 0; i < binds.size(); ++i) binds[i](*s, static_cast<int>(i) + 1);
  std::map<int, int64_t> out;
  while (s->Step()) out[static_cast<int>(s->Int(0))] = s->Int(1);
  if (!s->status().ok()) return s->status();
  return out;
}

Status IncidentTable::InsertRelatedItem(std::string_view incident_id,
                                        const domain::RelatedItem& item) {
  auto s = db_.Prepare(
      "INSERT INTO related_items (incident_id, id, seq, type, value_kind, value, title, "
      "created_at, created_by) VALUES (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
      "related_items WHERE incident_id = ?1), ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!s.ok()) return s.status();
  s->Bind(1, incident_id).Bind(2, item.id).Bind(3, item.type).Bind(4, item.value_kind);
  s->Bind(5, item.value).Bind(6, item.title).Bind(7, ToUnixMillis(item.created_at));
  s->Bind(8, item.created_by);
  Status st = s->Run();
  if (st.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("the incident already has this " + item.type + " item");
  }
  return st;
}

Status IncidentTable::DeleteRelatedItem(std::string_view incident_id, std::string_view item_id) {
  auto s = db_.Prepare("DELETE FROM related_items WHERE incident_id = ?1 AND id = ?2");
  if (!s.ok()) return s.status();
  TOCSIN_RETURN_IF_ERROR(s->Bind(1, incident_id).Bind(2, item_id).Run());
  if (db_.Changes() == 0)
    return NotFound("related item \"" + std::string(item_id) + "\" not found");
  return Status::Ok();
}

Result<std::vector<domain::RelatedItem>> IncidentTable::ListRelatedItems(
    std::string_view incident_id) {
  auto s = db_.Prepare(
      "SELECT id, type, value_kind, value, title, created_at, created_by FROM related_items "
      "WHERE incident_id = ?1 ORDER BY seq");
  if (!s.ok()) return s.status();
  s->Bind(1, incident_id);
  std::vector<domain::RelatedItem> out;
  while (s->Step()) {
    out.push_back({s->Text(0), s->Text(1), s->Text(2), s->Text(3), s->Text(4),
                   FromUnixMillis(s->Int(5)), s->Text(6)});
  }
  if (!s->status().ok()) return s->status();
  return out;
}

}  // namespace tocsin::store
