// Generic persistence of configuration resources: the `resources` and `refs`
// tables (migrations/0001). Typed repositories (repos.h) sit on top.
// Not thread-safe: one per connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.h"
#include "tocsin/store/store.h"

namespace tocsin::store {

struct RecordRow {
  int64_t seq = 0;
  std::string id;
  std::string kind;
  std::string name;       // Empty when the kind has no unique name.
  std::string parent_id;  // Empty when top-level.
  int64_t version = 0;
  std::string body;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string created_by;
  std::string updated_by;

  bool operator==(const RecordRow&) const = default;
};

// Which rows a repository sees: up to three kinds sharing one name namespace.
struct KindSet {
  const char* kinds[3] = {nullptr, nullptr, nullptr};
  const char* ns = nullptr;         // Null: names are not unique, lookups by id only.
  const char* name_field = "name";  // API field reported on a name clash.
};

class ResourceTable {
 public:
  explicit ResourceTable(Db& db) : db_(db) {}

  // Finds by id, then by unique name. kNotFound if neither matches one of set's kinds.
  Result<RecordRow> Get(const KindSet& set, std::string_view id_or_name);
  // Lists rows of set's kinds (or only `kind` if not empty) in seq order.
  Result<Page<RecordRow>> List(const KindSet& set, const ListOptions& options);
  Status Insert(const KindSet& set, const RecordRow& row, const std::vector<std::string>& refs);
  Status Update(const KindSet& set, const RecordRow& row, const std::vector<std::string>& refs);
  Status Delete(const KindSet& set, std::string_view id);
  Result<std::vector<ResourceRef>> Referrers(std::string_view id);

 private:
  Status CheckNameFree(const KindSet& set, const RecordRow& row);
  Status SetRefs(std::string_view src, const std::vector<std::string>& refs);

  Db& db_;
};

// Opaque keyset cursor for `seq`; DecodeCursor returns kInvalidArgument
// (field "cursor") for anything EncodeCursor did not produce.
std::string EncodeCursor(int64_t seq);
Result<int64_t> DecodeCursor(std::string_view cursor);
// The seq a cursor stands for, or `initial` when it is empty.
inline Result<int64_t> CursorOr(const std::string& cursor, int64_t initial) {
  if (cursor.empty()) return initial;
  return DecodeCursor(cursor);
}

// Collects the rows of a keyset-paginated query that selects up to limit + 1
// rows with their seq in column `seq_col`; fills next_cursor when there is more.
template <typename T>
Result<Page<T>> Paginate(Stmt& s, size_t limit, int seq_col, T (*read)(const Stmt&)) {
  Page<T> page;
  std::vector<int64_t> seqs;
  while (s.Step()) {
    seqs.push_back(s.Int(seq_col));
    page.items.push_back(read(s));
  }
  if (!s.status().ok()) return s.status();
  if (page.items.size() > limit) {
    page.items.pop_back();
    page.next_cursor = EncodeCursor(seqs[limit - 1]);
  }
  return page;
}

}  // namespace tocsin::store
