#include "tocsin/domain/outbox_service.h"

#include <algorithm>

#include "tocsin/core/ids.h"
#include "tocsin/core/json_text.h"

namespace tocsin::domain {

Millis OutboxService::Backoff(int attempts) {
  using std::chrono::minutes;
  using std::chrono::seconds;
  switch (attempts) {
    case 0:
    case 1:
      return seconds(30);
    case 2:
      return minutes(2);
    case 3:
      return minutes(10);
    case 4:
      return minutes(30);
    default:
      return minutes(60);
  }
}

Status OutboxService::Record(store::WriteTxn& txn, const Actor& actor, const OutboxMessage& m,
                             const char* type, std::string_view error) {
  if (m.incident_id.empty()) return Status::Ok();  // Only incidents have a timeline.
  JsonObject data;
  data.Add("outboxId", m.id).Add("kind", OutboxKindName(m.kind)).Add("target", m.target_id);
  data.Add("event", m.event).Add("attempt", m.attempts);
  if (!error.empty()) data.Add("error", error.substr(0, 1024));
  if (m.state == OutboxState::kQueued && m.attempts > 0) {
    data.Add("nextAttemptAt", FormatRfc3339(m.next_at));
  }
  TimelineEvent e;
  e.incident_id = m.incident_id;
  e.event_id = NewUuid();
  e.event_time = txn.Now();
  e.event_type = type;
  e.event_data = data.Build();
  e.actor = actor.who.id;
  e.request_id = actor.request_id;
  e.system = true;
  return txn.AppendTimeline(std::move(e)).status();
}

void OutboxService::Notify(store::WriteTxn& txn, const OutboxMessage& m) {
  if (listener_) txn.OnCommit([fn = listener_, id = m.id, due = m.next_at] { fn(id, due); });
}

Result<OutboxMessage> OutboxService::Enqueue(store::WriteTxn& txn, const Actor& actor,
                                             OutboxMessage m) {
  if (m.id.empty()) m.id = NewUuid();
  m.state = OutboxState::kQueued;
  m.attempts = 0;
  m.max_attempts = m.for_people() ? 1 : kMachineAttempts;
  m.created_at = txn.Now();
  m.next_at = m.created_at;
  TOCSIN_RETURN_IF_ERROR(txn.Outbox().InsertOutbox(m));
  TOCSIN_RETURN_IF_ERROR(Record(txn, actor, m, kNotificationQueuedEvent));
  Notify(txn, m);
  return m;
}

Result<OutboxMessage> OutboxService::Claim(store::WriteTxn& txn, std::string_view id) {
  auto m = txn.Outbox().GetOutbox(id);
  if (!m.ok()) return m.status();
  if (m->state != OutboxState::kQueued) return FailedPrecondition("message is not queued");
  m->state = OutboxState::kSending;
  ++m->attempts;
  TOCSIN_RETURN_IF_ERROR(txn.Outbox().UpdateOutbox(*m));
  return m;
}

Result<OutboxMessage> OutboxService::RecordResult(store::WriteTxn& txn, std::string_view id,
                                                  const Result<std::string>& outcome,
                                                  bool may_pass) {
  auto m = txn.Outbox().GetOutbox(id);
  if (!m.ok()) return m.status();
  if (m->state != OutboxState::kSending) return m;  // Recorded already.
  const Actor actor{SystemPrincipal(), "delivery"};
  if (outcome.ok()) {
    m->state = OutboxState::kSent;
    m->sent_at = txn.Now();
    m->provider_ref = outcome->substr(0, 512);
    m->last_error.clear();
    TOCSIN_RETURN_IF_ERROR(txn.Outbox().UpdateOutbox(*m));
    TOCSIN_RETURN_IF_ERROR(Record(txn, actor, *m, kNotificationSentEvent));
    return m;
  }
  m->last_error = outcome.status().message().substr(0, 2048);
  const bool retry = !m->for_people() && may_pass && m->attempts < m->max_attempts;
  if (retry) {
    m->state = OutboxState::kQueued;
    m->next_at = txn.Now() + Backoff(m->attempts);
    TOCSIN_RETURN_IF_ERROR(txn.Outbox().UpdateOutbox(*m));
    TOCSIN_RETURN_IF_ERROR(Record(txn, actor, *m, kNotificationRetryEvent, m->last_error));
    Notify(txn, *m);
    return m;
  }
  m->state = OutboxState::kFailed;
  TOCSIN_RETURN_IF_ERROR(txn.Outbox().UpdateOutbox(*m));
  TOCSIN_RETURN_IF_ERROR(Record(txn, actor, *m, kNotificationFailedEvent, m->last_error));
  return m;
}

Result<std::vector<OutboxMessage>> OutboxService::Recover(store::WriteTxn& txn) {
  const Actor actor{SystemPrincipal(), "recovery"};
  auto in_flight = txn.Outbox().ListOutboxInFlight(1'000'000);
  if (!in_flight.ok()) return in_flight.status();
  std::vector<OutboxMessage> pending;
  for (OutboxMessage& m : *in_flight) {
    if (m.state == OutboxState::kSending) {
      if (m.for_people()) {
        m.state = OutboxState::kUnknown;
        m.last_error = "outcome unknown: the server stopped while handing it over; not resent";
        TOCSIN_RETURN_IF_ERROR(txn.Outbox().UpdateOutbox(m));
        TOCSIN_RETURN_IF_ERROR(Record(txn, actor, m, kNotificationUnknownEvent, m.last_error));
        continue;
      }
      // A machine deduplicates by the Idempotency-Key: send it again.
      m.state = OutboxState::kQueued;
      m.next_at = txn.Now();
      TOCSIN_RETURN_IF_ERROR(txn.Outbox().UpdateOutbox(m));
      TOCSIN_RETURN_IF_ERROR(Record(txn, actor, m, kNotificationRetryEvent,
                                    "the server stopped while sending; sending again"));
    }
    pending.push_back(std::move(m));
  }
  return pending;
}

}  // namespace tocsin::domain
