// Persistence of incidents and related items (migrations/0002). Functions
// over one connection; not thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sqlite.h"
#include "tocsin/store/store.h"

namespace tocsin::store {

class IncidentTable {
 public:
  explicit IncidentTable(Db& db) : db_(db) {}

  Status Insert(const domain::Incident& incident);
  Status Update(const domain::Incident& previous, const domain::Incident& updated);
  Result<domain::Incident> Get(std::string_view id_or_arn);
  Result<domain::Incident> FindOpen(std::string_view dedupe_string);
  Result<Page<domain::Incident>> List(const IncidentQuery& query);
  // Incidents matching the filters of `query` (cursor and limit ignored), by impact.
  Result<std::map<int, int64_t>> CountByImpact(const IncidentQuery& query);

  Status InsertRelatedItem(std::string_view incident_id, const domain::RelatedItem& item);
  Status DeleteRelatedItem(std::string_view incident_id, std::string_view item_id);
  Result<std::vector<domain::RelatedItem>> ListRelatedItems(std::string_view incident_id);

 private:
  // An incident's fields decoded from its stored body, kept per connection
  // and reused while the body is byte-for-byte the same (then nothing needs
  // invalidating): lists re-read the same newest rows over and over, and
  // decoding the JSON body was a quarter of a list request.
  struct DecodedBody {
    std::string text;
    domain::Incident fields;  // Only the fields the body holds are set.
  };
  static constexpr size_t kMaxDecoded = 1024;

  Result<domain::Incident> Read(const Stmt& s);

  Db& db_;
  std::unordered_map<std::string, DecodedBody> decoded_;
};

}  // namespace tocsin::store
