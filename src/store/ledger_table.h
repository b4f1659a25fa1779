// The ledger (migrations/0002): appending hash-chained entries, the
// timeline projection, checkpoints, and reads. Also idempotency records.
//
// LedgerWriter keeps the head (last seq, chain, compact Merkle range) in
// memory for the writer connection; the store snapshots it around every
// write function so a rolled-back function leaves no trace, and reloads it
// from the database after a failed commit. Not thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "store/sqlite.h"
#include "tocsin/ledger/compact_range.h"
#include "tocsin/store/store.h"

namespace tocsin::store {

class LedgerReader {
 public:
  explicit LedgerReader(Db& db) : db_(db) {}
  virtual ~LedgerReader() = default;  // Owned through this base (Queries).
  LedgerReader(const LedgerReader&) = delete;
  LedgerReader& operator=(const LedgerReader&) = delete;

  Result<Page<domain::TimelineEvent>> ListTimeline(const TimelineQuery& query);
  Result<domain::TimelineEvent> GetTimelineEvent(std::string_view incident_id,
                                                 std::string_view event_id);
  Result<std::vector<domain::TimelineEvent>> Read(int64_t after_seq, size_t limit,
                                                  std::string_view incident_id);
  Result<int64_t> Size();
  Result<std::optional<StoredCheckpoint>> LatestCheckpoint();

  Result<std::optional<IdempotencyRecord>> GetIdempotency(std::string_view scope,
                                                          std::string_view key);

 protected:
  Db& db_;
};

class LedgerWriter : public LedgerReader {
 public:
  struct Head {
    int64_t size = 0;
    std::string chain;
    ledger::CompactRange range;
  };

  explicit LedgerWriter(Db& db) : LedgerReader(db) {}

  // Loads the head from the database: the latest checkpoint's range plus the
  // leaves after it. Also checks that the tail's chain links up.
  Status Load();

  Result<domain::TimelineEvent> Append(domain::TimelineEvent event, TimePoint now);
  LedgerHead CurrentHead() const;
  Status PutCheckpoint(const LedgerHead& head, std::string note, TimePoint now);
  Status PutIdempotency(std::string_view scope, std::string_view key,
                        const IdempotencyRecord& record, TimePoint now);

  const Head& head() const { return head_; }
  void Restore(Head head) { head_ = std::move(head); }

 private:
  Head head_;
};

}  // namespace tocsin::store
