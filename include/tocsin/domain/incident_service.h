// Incidents: start (with dedupe), change, resolve and reopen, related items,
// and the people's side of the timeline (notes and custom events, revised
// and redacted by appending, never by rewriting).
//
// Every method runs inside a write transaction and appends the timeline
// entries that record what it did in that same transaction: the change and
// its record commit together or not at all. Stateless; safe to share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/core/clock_step.h"
#include "tocsin/domain/incident.h"
#include "tocsin/domain/plans.h"
#include "tocsin/domain/principal.h"
#include "tocsin/domain/timeline.h"
#include "tocsin/store/store.h"

namespace tocsin::domain {

inline constexpr size_t kMaxRelatedItems = 50;
inline constexpr size_t kMaxEventData = 12000;
inline constexpr size_t kMaxEventReferences = 10;

// Who is acting, and for which request (recorded in every ledger entry).
struct Actor {
  Principal who;
  std::string request_id;
};

struct StartIncident {
  std::string response_plan;  // Id or name.
  std::optional<std::string> title;
  std::optional<int> impact;
  std::optional<std::string> summary;
  std::optional<TriggerDetails> trigger;
  std::vector<RelatedItem> related_items;  // type, value_kind, value, title.
  // The dedupe string when the plan has none and the trigger has no ARN (an
  // ingested alert's "<integration id>:<key>"); empty: a fresh one.
  std::string dedupe_key;
};

struct StartResult {
  Incident incident;
  bool deduplicated = false;  // An OPEN incident with the dedupe string existed.
  ResponsePlan plan;          // The plan it was started from (engagements, actions).
};

// Fields a PATCH may change; unset fields stay.
struct IncidentChanges {
  std::optional<std::string> title;
  std::optional<std::string> summary;
  std::optional<int> impact;
  std::optional<IncidentStatus> status;
  std::optional<std::vector<std::string>> chat_channels;         // Ids or names.
  std::optional<std::vector<std::string>> notification_targets;  // Ids or names.
};

struct CustomEventSpec {
  std::string event_type;  // kNoteEvent or kCustomEvent.
  TimePoint event_time{};
  std::string event_data;  // 1..12000
  std::vector<EventReference> references;
};

struct CustomEventChanges {
  std::optional<std::string> event_type;
  std::optional<TimePoint> event_time;
  std::optional<std::string> event_data;
  std::optional<std::vector<EventReference>> references;
};

// Told, inside the same write transaction, about incident lifecycle changes
// (the engagement engine pages on start and stops paging on resolve). An
// error rolls the whole change back.
class IncidentObserver {
 public:
  virtual ~IncidentObserver() = default;
  // A new incident (not a deduplicated start).
  virtual Status OnIncidentStarted(store::WriteTxn& txn, const Actor& actor,
                                   const StartResult& started) = 0;
  virtual Status OnIncidentResolved(store::WriteTxn& txn, const Actor& actor,
                                    const Incident& incident) = 0;
  // Any committed change of an incident's fields or status (after the
  // specific callbacks above). `before` is the incident as it was.
  virtual Status OnIncidentChanged(store::WriteTxn& /*txn*/, const Actor& /*actor*/,
                                   const Incident& /*before*/, const Incident& /*after*/) {
    return Status::Ok();
  }
  // A note (a person's timeline entry of type kNoteEvent) was added.
  virtual Status OnNoteAdded(store::WriteTxn& /*txn*/, const Actor& /*actor*/,
                             const Incident& /*incident*/, const TimelineEvent& /*note*/) {
    return Status::Ok();
  }
};

class IncidentService {
 public:
  // `account_id` is the 12-digit account of incident ARNs.
  explicit IncidentService(std::string account_id) : account_id_(std::move(account_id)) {}

  // Adds an observer (not owned); told in the order added. Call before serving.
  void AddObserver(IncidentObserver* observer) { observers_.push_back(observer); }

  // Starts an incident from a response plan, or, if an OPEN incident has the
  // effective dedupe string (the plan's, else the trigger's ARN, else
  // request.dedupe_key), records a
  // "Duplicate Trigger" event on it and returns it with deduplicated = true.
  // kNotFound for an unknown plan; kInvalidArgument for bad fields.
  Result<StartResult> Start(store::WriteTxn& txn, const Actor& actor, StartIncident request);

  // Applies `changes`; one "Incident Updated" event per changed field (old →
  // new), "Incident Resolved" / "Incident Reopened" for status changes.
  // kAborted if expected_version is set and stale; kAlreadyExists when a
  // reopen collides with another OPEN incident's dedupe string.
  Result<Incident> Update(store::WriteTxn& txn, const Actor& actor, std::string_view id,
                          IncidentChanges changes, std::optional<int64_t> expected_version);

  // kFailedPrecondition if already resolved.
  Result<Incident> Resolve(store::WriteTxn& txn, const Actor& actor, std::string_view id);

  // Adds a related item (server-assigned id); at most 50 per incident.
  Result<RelatedItem> AddRelatedItem(store::WriteTxn& txn, const Actor& actor,
                                     std::string_view incident_id, RelatedItem item);
  Status RemoveRelatedItem(store::WriteTxn& txn, const Actor& actor, std::string_view incident_id,
                           std::string_view item_id);

  // People's timeline entries.
  Result<TimelineEvent> AddEvent(store::WriteTxn& txn, const Actor& actor,
                                 std::string_view incident_id, CustomEventSpec spec);
  // Appends a revision. kFailedPrecondition for system events.
  Result<TimelineEvent> EditEvent(store::WriteTxn& txn, const Actor& actor,
                                  std::string_view incident_id, std::string_view event_id,
                                  CustomEventChanges changes);
  // Appends a redaction. kFailedPrecondition for system events.
  Status DeleteEvent(store::WriteTxn& txn, const Actor& actor, std::string_view incident_id,
                     std::string_view event_id);

  // Appends a system event to an incident's timeline (for other services:
  // engagements, pages, runbooks). REQUIRES: the incident exists.
  Result<TimelineEvent> AppendSystemEvent(store::WriteTxn& txn, const Actor& actor,
                                          const std::string& incident_id, std::string event_type,
                                          std::string event_data,
                                          std::vector<EventReference> references = {});

 private:
  Status ValidateStart(const StartIncident& request) const;
  Status ValidateRelatedItem(const RelatedItem& item, const std::string& field) const;
  Status ValidateReferences(store::ReadTxn& txn, const std::string& incident_id,
                            const std::vector<EventReference>& refs) const;

  std::string account_id_;
  std::vector<IncidentObserver*> observers_;
};

// Returns an audit ledger entry (no incident) for a configuration change.
TimelineEvent AuditEvent(const Actor& actor, std::string_view action, std::string_view kind,
                         std::string_view id, std::string_view name);

// Returns the audit ledger entry recording a step of the server's wall clock
// ({"action":"clock-step","kind":"server","stepMs":..,"expected":..,"now":..}).
TimelineEvent ClockStepEvent(const ClockStep& step);

}  // namespace tocsin::domain
