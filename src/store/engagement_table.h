// Persistence of engagements, runs, pages, receipts and scheduler jobs
// (migrations/0003), and of the outbox (0004). Functions over one connection; not thread-safe. On a
// reader connection only the reading methods may be used.
#pragma once

#include "store/sqlite.h"
#include "tocsin/store/store.h"

namespace tocsin::store {

class EngagementTable final : public EngagementWriter {
 public:
  explicit EngagementTable(Db& db) : db_(db) {}

  Result<domain::Engagement> GetEngagement(std::string_view id) override;
  Result<Page<domain::Engagement>> ListEngagements(const EngagementQuery& query) override;
  Result<domain::EngagementRun> GetRun(std::string_view id) override;
  Result<std::vector<domain::EngagementRun>> ListRuns(std::string_view engagement_id) override;
  Result<domain::Page> GetPage(std::string_view id) override;
  Result<domain::Page> FindPageByToken(std::string_view token_hash) override;
  Result<domain::Page> FindPageByProviderRef(std::string_view ref) override;
  Result<std::vector<domain::Page>> ListRecentPagesTo(std::string_view address,
                                                      size_t limit) override;
  Result<Page<domain::Page>> ListPages(const PageQuery& query) override;
  Result<std::vector<domain::Page>> ListRunPages(std::string_view run_id) override;
  Result<std::vector<std::string>> ListPageIdsInState(domain::PageState state,
                                                      size_t limit) override;
  Result<std::vector<domain::Receipt>> ListReceipts(std::string_view page_id) override;

  Status InsertEngagement(const domain::Engagement& engagement) override;
  Status UpdateEngagement(const domain::Engagement& engagement) override;
  Status InsertRun(const domain::EngagementRun& run) override;
  Status UpdateRun(const domain::EngagementRun& run) override;
  Status InsertPage(const domain::Page& page) override;
  Status UpdatePage(const domain::Page& page) override;
  Status AddReceipt(const domain::Receipt& receipt) override;

 private:
  Db& db_;
};

class JobTable final : public JobWriter {
 public:
  explicit JobTable(Db& db) : db_(db) {}

  Result<std::vector<domain::Job>> ListPendingJobs(int64_t after_id, size_t limit) override;
  Result<domain::Job> GetJob(int64_t id) override;
  Result<int64_t> InsertJob(const domain::Job& job) override;
  Status FinishJob(int64_t id, domain::JobState state, TimePoint at) override;
  Result<int64_t> CancelJobs(std::string_view owner, std::string_view ref) override;

 private:
  Db& db_;
};

class OutboxTable final : public OutboxWriter {
 public:
  explicit OutboxTable(Db& db) : db_(db) {}

  Result<domain::OutboxMessage> GetOutbox(std::string_view id) override;
  Result<std::vector<domain::OutboxMessage>> ListOutboxInFlight(size_t limit) override;
  Result<std::vector<domain::OutboxMessage>> ListOutboxOfIncident(std::string_view incident_id,
                                                                  size_t limit) override;
  Status InsertOutbox(const domain::OutboxMessage& message) override;
  Status UpdateOutbox(const domain::OutboxMessage& message) override;

 private:
  Db& db_;
};

}  // namespace tocsin::store
