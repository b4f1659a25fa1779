// Timeline events: the entries of the ledger.
//
// Every timeline and audit entry is one row of an append-only, hash-chained
// ledger. Editing a customer event appends a revision that supersedes it;
// deleting appends a redaction. A "logical" event (event_id) therefore has
// one or more ledger entries; reads show the latest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tocsin/core/time.h"

namespace tocsin::domain {

// Event types people may create, edit and delete.
inline constexpr const char* kNoteEvent = "Note";
inline constexpr const char* kCustomEvent = "Custom Event";

// Event types the server appends.
inline constexpr const char* kIncidentCreatedEvent = "Incident Created";
inline constexpr const char* kIncidentUpdatedEvent = "Incident Updated";
inline constexpr const char* kIncidentResolvedEvent = "Incident Resolved";
inline constexpr const char* kIncidentReopenedEvent = "Incident Reopened";
inline constexpr const char* kDuplicateTriggerEvent = "Duplicate Trigger";
inline constexpr const char* kRelatedItemAddedEvent = "Related Item Added";
inline constexpr const char* kRelatedItemRemovedEvent = "Related Item Removed";
inline constexpr const char* kAuditEvent = "Audit";

// A reference from an event to a resource ARN or a related item (exactly one).
struct EventReference {
  std::string resource;
  std::string related_item_id;
  bool operator==(const EventReference&) const = default;
};

struct TimelineEvent {
  int64_t seq = 0;                         // Ledger sequence of this entry (1, 2, 3, ... no gaps).
  std::string incident_id;                 // Empty for audit entries about configuration.
  std::string event_id;                    // Logical event; shared by its revisions.
  TimePoint event_time{};                  // When it happened (people may backdate notes).
  TimePoint recorded_at{};                 // When the ledger recorded this entry.
  std::string event_type;                  // <= 100
  std::string event_data;                  // <= 12000, conventionally JSON text.
  std::vector<EventReference> references;  // <= 10
  std::string actor;                       // Principal id.
  std::string request_id;
  int64_t supersedes = 0;  // Seq of the entry this revision replaces; 0 if first.
  bool redacted = false;   // This entry deletes the logical event.
  bool system = true;      // Appended by the server; people cannot edit it.
  bool operator==(const TimelineEvent&) const = default;
};

}  // namespace tocsin::domain
