// OutboxService: the rules of the outbox (domain/outbox.h).
//
//  - A message is committed QUEUED in the transaction of the change it
//    announces, with a "Notification Queued" timeline entry.
//  - A delivery worker claims it (SENDING, one more attempt) in a transaction
//    of its own, sends, and records the outcome: SENT; or, for machines, when
//    the failure may pass (timeouts, 5xx, 408, 429, connection errors) and
//    attempts remain, QUEUED again at now + Backoff(attempts); else FAILED.
//    Every outcome is on the incident's timeline.
//  - At start-up a SENDING message to a machine is queued again (the receiver
//    deduplicates by its Idempotency-Key); one to a person becomes UNKNOWN and
//    is not resent (DESIGN.md §3, outbox semantics).
//
// The SENDING state itself is not written to the timeline: it lasts one
// carrier call, and its outcome (or UNKNOWN after a crash) always follows.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/core/status.h"
#include "tocsin/domain/incident_service.h"
#include "tocsin/domain/outbox.h"
#include "tocsin/domain/principal.h"
#include "tocsin/store/store.h"

namespace tocsin::domain {

inline constexpr const char* kNotificationQueuedEvent = "Notification Queued";
inline constexpr const char* kNotificationSentEvent = "Notification Sent";
inline constexpr const char* kNotificationRetryEvent = "Notification Retry Scheduled";
inline constexpr const char* kNotificationFailedEvent = "Notification Failed";
inline constexpr const char* kNotificationUnknownEvent = "Notification Outcome Unknown";

// Attempts of a machine message before it is FAILED (about 4 hours of backoff).
inline constexpr int kMachineAttempts = 8;

class OutboxService {
 public:
  // Told after a commit that a message is due at `due` (to wake a worker).
  using QueuedListener = std::function<void(const std::string& id, TimePoint due)>;
  void SetListener(QueuedListener listener) { listener_ = std::move(listener); }

  // Inserts `m` QUEUED, due now (id, state, attempts and times are set here).
  // Returns the message as stored.
  Result<OutboxMessage> Enqueue(store::WriteTxn& txn, const Actor& actor, OutboxMessage m);
  // kFailedPrecondition unless QUEUED.
  Result<OutboxMessage> Claim(store::WriteTxn& txn, std::string_view id);
  // `outcome` is the receiver's reference (SENT) or why it failed; `may_pass`
  // says whether trying again later could succeed. Returns the message as
  // stored (QUEUED again when a retry is scheduled).
  Result<OutboxMessage> RecordResult(store::WriteTxn& txn, std::string_view id,
                                     const Result<std::string>& outcome, bool may_pass);
  // See the header comment. Returns the messages still to deliver.
  Result<std::vector<OutboxMessage>> Recover(store::WriteTxn& txn);

  // The wait before attempt `attempts` + 1: 30 s, 2 min, 10 min, 30 min, then hourly.
  static Millis Backoff(int attempts);

 private:
  Status Record(store::WriteTxn& txn, const Actor& actor, const OutboxMessage& m, const char* type,
                std::string_view error = {});
  void Notify(store::WriteTxn& txn, const OutboxMessage& m);

  QueuedListener listener_;
};

}  // namespace tocsin::domain
