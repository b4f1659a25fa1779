#include "store/ingest_table.h"

namespace tocsin::store {
namespace {

constexpr const char* kFindingColumns =
    "product_arn, finding_id, integration_id, incident_id, severity_label, title, updated_at, "
    "body, received_at";

domain::FindingRecord ReadFinding(const Stmt& s) {
  domain::FindingRecord f;
  f.product_arn = s.Text(0);
  f.finding_id = s.Text(1);
  f.integration_id = s.Text(2);
  f.incident_id = s.IsNull(3) ? std::string() : s.Text(3);
  f.severity_label = s.Text(4);
  f.title = s.Text(5);
  f.updated_at = FromUnixMillis(s.Int(6));
  f.body = s.Text(7);
  f.received_at = FromUnixMillis(s.Int(8));
  return f;
}

}  // namespace

Result<domain::AlertState> IngestTable::GetAlert(std::string_view integration_id,
                                                 std::string_view key) {
  auto s = db_.Prepare(
      "SELECT a.incident_id, a.status, a.title, a.first_seen, a.changed_at, i.status "
      "FROM alerts a JOIN incidents i ON i.id = a.incident_id "
      "WHERE a.integration_id = ?1 AND a.alert_key = ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, integration_id).Bind(2, key);
  if (!s->Step()) {
    if (!s->status().ok()) return s->status();
    return NotFound("alert not found");
  }
  domain::AlertState a;
  a.integration_id = std::string(integration_id);
  a.key = std::string(key);
  a.incident_id = s->Text(0);
  a.firing = s->Text(1) == "FIRING";
  a.title = s->Text(2);
  a.first_seen = FromUnixMillis(s->Int(3));
  a.changed_at = FromUnixMillis(s->Int(4));
  a.incident_open = s->Text(5) == "OPEN";
  return a;
}

Result<int64_t> IngestTable::CountFiringAlerts(std::string_view incident_id) {
  auto s = db_.Prepare("SELECT count(*) FROM alerts WHERE incident_id = ?1 AND status = 'FIRING'");
  if (!s.ok()) return s.status();
  s->Bind(1, incident_id);
  if (s->Step()) return s->Int(0);
  return s->status().ok() ? Result<int64_t>(int64_t{0}) : Result<int64_t>(s->status());
}

Result<domain::FindingRecord> IngestTable::GetFinding(std::string_view product_arn,
                                                      std::string_view finding_id) {
  static const std::string sql = std::string("SELECT ") + kFindingColumns +
                                 " FROM findings WHERE product_arn = ?1 AND finding_id = ?2";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, product_arn).Bind(2, finding_id);
  if (s->Step()) return ReadFinding(*s);
  if (!s->status().ok()) return s->status();
  return NotFound("finding not found");
}

Result<std::vector<domain::FindingRecord>> IngestTable::ListFindingsOfIncident(
    std::string_view incident_id, size_t limit) {
  static const std::string sql = std::string("SELECT ") + kFindingColumns +
                                 " FROM findings WHERE incident_id = ?1 "
                                 "ORDER BY received_at DESC LIMIT ?2";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, incident_id).Bind(2, static_cast<int64_t>(limit));
  std::vector<domain::FindingRecord> out;
  while (s->Step()) out.push_back(ReadFinding(*s));
  if (!s->status().ok()) return s->status();
  return out;
}

Status IngestTable::PutAlert(const domain::AlertState& a) {
  auto s = db_.Prepare(
      "INSERT OR REPLACE INTO alerts (integration_id, alert_key, incident_id, status, title, "
      "first_seen, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!s.ok()) return s.status();
  s->Bind(1, a.integration_id).Bind(2, a.key).Bind(3, a.incident_id);
  s->Bind(4, a.firing ? "FIRING" : "RESOLVED").Bind(5, a.title);
  s->Bind(6, ToUnixMillis(a.first_seen)).Bind(7, ToUnixMillis(a.changed_at));
  return s->Run();
}

Status IngestTable::PutFinding(const domain::FindingRecord& f) {
  static const std::string sql = std::string("INSERT OR REPLACE INTO findings (") +
                                 kFindingColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  auto s = db_.Prepare(sql.c_str());
  if (!s.ok()) return s.status();
  s->Bind(1, f.product_arn).Bind(2, f.finding_id).Bind(3, f.integration_id);
  if (f.incident_id.empty()) {
    s->BindNull(4);
  } else {
    s->Bind(4, f.incident_id);
  }
  s->Bind(5, f.severity_label).Bind(6, f.title).Bind(7, ToUnixMillis(f.updated_at));
  s->Bind(8, f.body).Bind(9, ToUnixMillis(f.received_at));
  return s->Run();
}

}  // namespace tocsin::store
