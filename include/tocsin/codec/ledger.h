// The canonical bytes of a ledger entry, and the JSON forms of incidents,
// related items and timeline events.
//
// Canonical ledger body (format version 1): compact JSON, object keys in
// byte order, no insignificant whitespace, times as integer milliseconds
// since the epoch, strings as UTF-8 with only the escapes JSON requires (and
// invalid UTF-8 replaced by U+FFFD):
//   {"actor":..,"data":..,"eventId":..,"eventTime":..,"eventType":..,
//    "incidentId":..,"recordedAt":..,"redacted":..,"references":[..],
//    "requestId":..,"seq":..,"supersedes":..,"system":..,"v":1}
// The ledger hashes the stored bytes, never a re-serialization; the verifier
// parses them back to check that the row's columns agree with them.
#pragma once

#include <string>
#include <string_view>

#include "tocsin/codec/json_reader.h"
#include "tocsin/domain/incident.h"
#include "tocsin/domain/timeline.h"

namespace tocsin::codec {

std::string LedgerBody(const domain::TimelineEvent& event);
// kInvalidArgument if `bytes` is not a version-1 body.
Status ParseLedgerBody(std::string_view bytes, domain::TimelineEvent& event);

// Everything of an incident that is not a column of the incidents table.
std::string IncidentStoredBody(const domain::Incident& incident);
Status ParseIncidentStoredBody(std::string_view text, domain::Incident& incident);

// API forms.
//
// An incident is rendered straight to JSON text (what the list and start
// routes send: building a JSON tree first took most of a list request's
// time); IncidentToJson is that text parsed, for callers that edit it.
std::string IncidentJsonText(const domain::Incident& incident);
Json IncidentToJson(const domain::Incident& incident);
Json RelatedItemToJson(const domain::RelatedItem& item);
Json TimelineEventToJson(const domain::TimelineEvent& event);
Json TriggerToJson(const domain::TriggerDetails& trigger);

}  // namespace tocsin::codec
