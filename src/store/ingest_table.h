// Persistence of ingestion state (migrations/0005): alerts per integration
// and security findings. Functions over one connection; not thread-safe. On a
// reader connection only the reading methods may be used.
#pragma once

#include "store/sqlite.h"
#include "tocsin/store/store.h"

namespace tocsin::store {

class IngestTable final : public IngestWriter {
 public:
  explicit IngestTable(Db& db) : db_(db) {}

  Result<domain::AlertState> GetAlert(std::string_view integration_id,
                                      std::string_view key) override;
  Result<int64_t> CountFiringAlerts(std::string_view incident_id) override;
  Result<domain::FindingRecord> GetFinding(std::string_view product_arn,
                                           std::string_view finding_id) override;
  Result<std::vector<domain::FindingRecord>> ListFindingsOfIncident(std::string_view incident_id,
                                                                    size_t limit) override;
  Status PutAlert(const domain::AlertState& alert) override;
  Status PutFinding(const domain::FindingRecord& finding) override;

 private:
  Db& db_;
};

}  // namespace tocsin::store
