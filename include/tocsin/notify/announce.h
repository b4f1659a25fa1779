// Announcing incident changes: the bodies Tocsin posts to chat channels
// (Slack, Microsoft Teams, Mattermost, Amazon Chime, generic webhooks) and to
// notification targets, and the signature that lets a notification target
// check that a request came from this server.
//
// Everything here is a pure function of its arguments (no clock, no I/O), so
// the outbox can render a body once, store it, and send the same bytes on
// every retry. Thread-safe.
//
// Notification-target signature scheme (version "v1"), for receivers:
//
//   X-Tocsin-Timestamp: <t>          Unix time in whole seconds when the
//                                    request was signed (re-signed on each
//                                    retry), decimal ASCII.
//   X-Tocsin-Signature: v1=<hex>     <hex> is the lower-case hex HMAC-SHA256,
//                                    keyed with the target's secret (its UTF-8
//                                    bytes), of the bytes  <t> "." <raw body>.
//   Idempotency-Key: <delivery id>   The same on every retry of one delivery;
//                                    receivers should drop repeats.
//
//   A receiver recomputes the HMAC over the raw request body (before any JSON
//   parsing or re-encoding), compares it in constant time, and rejects
//   timestamps more than a few minutes from its own clock (the replay window;
//   Tocsin's verifier uses 300 s). The signature header may hold several
//   comma-separated "<scheme>=<value>" entries; a receiver accepts the request
//   when any "v1" entry matches and ignores schemes it does not know, so
//   Tocsin can add schemes or sign with two secrets during a rotation without
//   breaking receivers. A target without a secret gets no signature header.
//   docs/webhooks.md has a Python example.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "tocsin/core/time.h"
#include "tocsin/domain/incident.h"
#include "tocsin/domain/plans.h"
#include "tocsin/net/http_client.h"

namespace tocsin::notify {

// What happened to an incident, as announced to machines and chats.
enum class IncidentChange { kCreated, kUpdated, kImpactChanged, kNoteAdded, kResolved, kReopened };

// Returns the webhook event name: "incident.created", "incident.updated",
// "incident.impact_changed", "incident.note_added", "incident.resolved",
// "incident.reopened".
const char* IncidentChangeEventName(IncidentChange change);

// One change to announce. A value; the renderers keep no reference to it.
struct IncidentAnnouncement {
  IncidentChange change = IncidentChange::kUpdated;
  domain::Incident incident;           // As it is after the change.
  std::optional<int> previous_impact;  // kImpactChanged: the impact before.
  std::string note;                    // kNoteAdded: the note text. Empty otherwise.
  std::string actor;                   // Who made the change (principal id or name).
  // Link to the incident in the dashboard (server.publicUrl + "/#/incidents/"
  // + id). Empty means no link is shown.
  std::string incident_url;
  TimePoint at{};  // When the change happened.
};

// Returns the JSON body to POST to an incoming webhook of a chat channel of
// `type`, in that product's own format:
//  - kSlack: {"text": fallback, "blocks": [...]} in mrkdwn, with &, < and >
//    escaped as Slack requires (so user text can neither inject links nor
//    mention @channel) and each block within Slack's size limits;
//  - kTeams: a Power Automate "When a Teams webhook request is received"
//    message: {"type": "message", "attachments": [{"contentType":
//    "application/vnd.microsoft.card.adaptive", "content": <Adaptive Card
//    1.4 with body and an Action.OpenUrl to the incident>}]};
//  - kMattermost: {"text": markdown, "username": "Tocsin"};
//  - kChime: {"Content": plain text}, at most 4096 bytes of text (Chime's
//    limit is 4096 characters), cut on a UTF-8 character boundary;
//  - kWebhook: RenderWebhookBody(a, "") (the notification-target body
//    without "id"; chat webhooks are not signed).
// The text gives the change ("Incident started", "Impact changed 3 → 1",
// "Note added", "Incident resolved", ...), the title, the impact ("1
// Critical" .. "5 No impact"), the status, the response plan, the summary
// (cut to 500 characters), the note (cut to 2000), the actor and the link.
// In Mattermost and Chime text, a zero-width space follows every "@" taken
// from incident data, so a title such as "@all down" cannot notify a whole
// channel. Invalid UTF-8 in any field becomes U+FFFD.
std::string RenderChatPost(domain::ChatChannelType type, const IncidentAnnouncement& a);

// Returns the JSON body POSTed to a notification target:
//   {"event": "incident.created", "id": <delivery_id>, "occurredAt": RFC 3339,
//    "incident": {<the incident as GET /api/v1/incidents/{id} returns it:
//                 id, arn, title, summary, status, impact, responsePlan,
//                 dedupeString, createdAt, resolvedAt, ...>, "incidentUrl"},
//    "previousImpact": n,   (only when a.previous_impact is set)
//    "note": text,          (only when a.note is not empty; never cut)
//    "actor": a.actor}
// `delivery_id` is the outbox row id, also sent as the Idempotency-Key; when
// it is empty "id" is left out. Invalid UTF-8 in any field becomes U+FFFD.
std::string RenderWebhookBody(const IncidentAnnouncement& a, std::string_view delivery_id);

// Returns the request headers for POSTing `body` to a notification target
// whose secret is `secret`, signed at `now` (scheme above), in this order:
// Content-Type: application/json, User-Agent: Tocsin/<version>,
// Idempotency-Key: <delivery_id>, X-Tocsin-Timestamp, X-Tocsin-Signature.
// X-Tocsin-Signature is left out when `secret` is empty. `body` must be the
// exact bytes sent.
net::Headers SignedWebhookHeaders(std::string_view secret, std::string_view body,
                                  std::string_view delivery_id, TimePoint now);

// Returns true iff `signature_header` holds a "v1=<64 hex digits>" entry equal
// (compared in constant time) to the HMAC of `timestamp_header` "." `body`
// under `secret`, and `timestamp_header` is a decimal Unix time in seconds no
// further than `tolerance` from `now`, in either direction. False for an
// empty secret, a malformed timestamp or header, a stale or future
// timestamp, or a negative tolerance. For receivers and tests; Tocsin itself
// only signs.
bool VerifyWebhookSignature(std::string_view secret, std::string_view body,
                            std::string_view timestamp_header, std::string_view signature_header,
                            TimePoint now,
                            std::chrono::seconds tolerance = std::chrono::seconds(300));

}  // namespace tocsin::notify
