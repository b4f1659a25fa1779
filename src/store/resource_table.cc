#include "store/resource_table.h"

#include <algorithm>
#include <charconv>

#include "tocsin/crypto/crypto.h"

namespace tocsin::store {
namespace {

constexpr const char* kColumns =
    "seq, id, kind, COALESCE(name, ''), COALESCE(parent_id, ''), version, body, created_at, "
    "updated_at, created_by, updated_by";

RecordRow ReadRow(const Stmt& s) {
  RecordRow r;
  r.seq = s.Int(0);
  r.id = s.Text(1);
  r.kind = s.Text(2);
  r.name = s.Text(3);
  r.parent_id = s.Text(4);
  r.version = s.Int(5);
  r.body = s.Text(6);
  r.created_at = s.Int(7);
  r.updated_at = s.Int(8);
  r.created_by = s.Text(9);
  r.updated_by = s.Text(10);
  return r;
}

// Binds the (up to) three kinds at positions first..first+2, repeating the
// first so that "kind IN (?, ?, ?)" works for smaller sets.
void BindKinds(Stmt& s, int first, const KindSet& set) {
  for (int i = 0; i < 3; ++i) {
    const char* k = set.kinds[i] != nullptr ? set.kinds[i] : set.kinds[0];
    s.Bind(first + i, k);
  }
}

bool IsKind(const KindSet& set, std::string_view kind) {
  return std::any_of(std::begin(set.kinds), std::end(set.kinds),
                     [&](const char* k) { return k != nullptr && kind == k; });
}

}  // namespace

std::string EncodeCursor(int64_t seq) {
  return crypto::Base64UrlEncode("s:" + std::to_string(seq));
}

Result<int64_t> DecodeCursor(std::string_view cursor) {
  auto raw = crypto::Base64UrlDecode(cursor);
  int64_t seq = 0;
  if (raw && raw->size() > 2 && raw->compare(0, 2, "s:") == 0) {
    const char* begin = raw->data() + 2;
    const char* end = raw->data() + raw->size();
    auto [ptr, ec] = std::from_chars(begin, end, seq);
    if (ec == std::errc() && ptr == end && seq >= 0) return seq;
  }
  return InvalidArgument("cursor is malformed; pass nextCursor from a previous page", "cursor");
}

Result<RecordRow> ResourceTable::Get(const KindSet& set, std::string_view id_or_name) {
  {
    static const std::string sql = std::string("SELECT ") + kColumns +
                                   " FROM resources WHERE id = ?1 AND kind IN (?2, ?3, ?4)";
    auto s = db_.Prepare(sql.c_str());
    if (!s.ok()) return s.status();
    s->Bind(1, id_or_name);
    BindKinds(*s, 2, set);
    if (s->Step()) return ReadRow(*s);
    if (!s->status().ok()) return s->status();
  }
  if (set.ns != nullptr) {
    static const std::string sql =
        std::string("SELECT ") + kColumns +
        " FROM resources WHERE ns = ?1 AND name = ?2 AND kind IN (?3, ?4, ?5)";
    auto s = db_.Prepare(sql.c_str());
    if (!s.ok()) return s.status();
    s->Bind(1, set.ns).Bind(2, id_or_name);
    BindKinds(*s, 3, set);
    if (s->Step()) return ReadRow(*s);
    if (!s->status().ok()) return s->status();
  }
  return NotFound(std::string(set.kinds[0]) + " \"" + std::string(id_or_name) + "\" not found");
}

Result<Page<RecordRow>> ResourceTable::List(const KindSet& set, const ListOptions& options) {
  int64_t after = 0;
  if (!options.cursor.empty()) {
    auto c = DecodeCursor(options.cursor);
    if (!c.ok()) return c.status();
    after = *c;
  }
  const size_t limit = std::clamp<size_t>(options.limit, 1, 100);
  KindSet filter = set;
  if (!options.kind.empty()) {
    if (!IsKind(set, options.kind)) return Internal("list of unexpected kind " + options.kind);
    filter.kinds[0] = filter.kinds[1] = filter.kinds[2] = nullptr;
    for (const char* k : set.kinds) {
      if (k != nullptr && options.kind == k) filter.kinds[0] = k;
    }
  }
  static const std::string by_kind = std::string("SELECT ") + kColumns +
                                     " FROM resources WHERE kind IN (?1, ?2, ?3) AND seq > ?4 "
                                     "ORDER BY seq LIMIT ?5";
  static const std::string by_parent =
      std::string("SELECT ") + kColumns +
      " FROM resources WHERE parent_id = ?6 AND kind IN (?1, ?2, ?3) "
      "AND seq > ?4 ORDER BY seq LIMIT ?5";
  auto s = db_.Prepare(options.parent_id.empty() ? by_kind.c_str() : by_parent.c_str());
  if (!s.ok()) return s.status();
  BindKinds(*s, 1, filter);
  s->Bind(4, after).Bind(5, static_cast<int64_t>(limit + 1));
  if (!options.parent_id.empty()) s->Bind(6, options.parent_id);
  Page<RecordRow> page;
  while (s->Step()) page.items.push_back(ReadRow(*s));
  if (!s->status().ok()) return s->status();
  if (page.items.size() > limit) {
    page.items.pop_back();
    page.next_cursor = EncodeCursor(page.items.back().seq);
  }
  return page;
}

Status ResourceTable::CheckNameFree(const KindSet& set, const RecordRow& row) {
  if (set.ns == nullptr) return Status::Ok();
  auto s = db_.Prepare("SELECT id FROM resources WHERE ns = ?1 AND name = ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, set.ns).Bind(2, row.name);
  if (s->Step() && s->Text(0) != row.id) {
    return AlreadyExists(std::string(set.name_field) + " \"" + row.name + "\" is already taken",
                         set.name_field);
  }
  return s->status();
}

Status ResourceTable::SetRefs(std::string_view src, const std::vector<std::string>& refs) {
  {
    auto del = db_.Prepare("DELETE FROM refs WHERE src_id = ?1");
    if (!del.ok()) return del.status();
    TOCSIN_RETURN_IF_ERROR(del->Bind(1, src).Run());
  }
  for (const auto& dst : refs) {
    auto ins = db_.Prepare("INSERT OR IGNORE INTO refs (src_id, dst_id) VALUES (?1, ?2)");
    if (!ins.ok()) return ins.status();
    Status s = ins->Bind(1, src).Bind(2, dst).Run();
    if (!s.ok()) return Internal("reference to missing resource " + dst + ": " + s.message());
  }
  return Status::Ok();
}

Status ResourceTable::Insert(const KindSet& set, const RecordRow& row,
                             const std::vector<std::string>& refs) {
  TOCSIN_RETURN_IF_ERROR(CheckNameFree(set, row));
  auto s = db_.Prepare(
      "INSERT INTO resources (id, kind, ns, name, parent_id, version, body, created_at, "
      "updated_at, created_by, updated_by) VALUES (?1, ?2, ?3, NULLIF(?4, ''), NULLIF(?5, ''), "
      "?6, ?7, ?8, ?9, ?10, ?11)");
  if (!s.ok()) return s.status();
  s->Bind(1, row.id).Bind(2, row.kind).Bind(4, row.name).Bind(5, row.parent_id);
  if (set.ns != nullptr) {
    s->Bind(3, set.ns);
  } else {
    s->BindNull(3);
  }
  s->Bind(6, row.version).Bind(7, row.body).Bind(8, row.created_at).Bind(9, row.updated_at);
  s->Bind(10, row.created_by).Bind(11, row.updated_by);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  return SetRefs(row.id, refs);
}

Status ResourceTable::Update(const KindSet& set, const RecordRow& row,
                             const std::vector<std::string>& refs) {
  TOCSIN_RETURN_IF_ERROR(CheckNameFree(set, row));
  auto s = db_.Prepare(
      "UPDATE resources SET name = NULLIF(?1, ''), version = ?2, body = ?3, updated_at = ?4, "
      "updated_by = ?5 WHERE id = ?6 AND version = ?2 - 1");
  if (!s.ok()) return s.status();
  s->Bind(1, row.name).Bind(2, row.version).Bind(3, row.body).Bind(4, row.updated_at);
  s->Bind(5, row.updated_by).Bind(6, row.id);
  TOCSIN_RETURN_IF_ERROR(s->Run());
  if (db_.Changes() == 0) {
    auto current = Get(set, row.id);
    if (!current.ok()) return current.status();
    return Aborted(std::string(set.kinds[0]) + " " + row.id +
                   " was changed concurrently (version " + std::to_string(current->version) + ")");
  }
  return SetRefs(row.id, refs);
}

Result<std::vector<ResourceRef>> ResourceTable::Referrers(std::string_view id) {
  // References from outside the subtree rooted at `id`; a referrer that is a
  // child (an override) is reported as its parent (the rotation).
  auto s = db_.Prepare(
      "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL "
      "  SELECT r.id FROM resources r JOIN sub ON r.parent_id = sub.id) "
      "SELECT DISTINCT COALESCE(p.kind, s.kind), COALESCE(p.id, s.id), "
      "       COALESCE(p.name, s.name, '') "
      "FROM refs f JOIN resources s ON s.id = f.src_id "
      "LEFT JOIN resources p ON p.id = s.parent_id "
      "WHERE f.dst_id IN sub AND f.src_id NOT IN sub ORDER BY 1, 3, 2 LIMIT 100");
  if (!s.ok()) return s.status();
  s->Bind(1, id);
  std::vector<ResourceRef> out;
  while (s->Step()) out.push_back({s->Text(0), s->Text(1), s->Text(2)});
  if (!s->status().ok()) return s->status();
  return out;
}

Status ResourceTable::Delete(const KindSet& set, std::string_view id) {
  auto row = Get(set, id);
  if (!row.ok()) return row.status();
  auto blockers = Referrers(row->id);
  if (!blockers.ok()) return blockers.status();
  if (!blockers->empty()) {
    std::string names;
    for (const auto& b : *blockers) {
      if (!names.empty()) names += ", ";
      names += b.kind + " " + (b.name.empty() ? b.id : b.name);
    }
    return FailedPrecondition(row->kind + " \"" + (row->name.empty() ? row->id : row->name) +
                              "\" is still referenced by " + names)
        .WithBlockers(std::move(*blockers));
  }
  auto s = db_.Prepare("DELETE FROM resources WHERE id = ?1");
  if (!s.ok()) return s.status();
  return s->Bind(1, row->id).Run();
}

}  // namespace tocsin::store
