// Private plumbing of the payload normalizer (ingest/signal.h): the parsers of
// each payload family, and the helpers they share for reading loosely typed
// JSON, building envelopes and keeping Signal fields within their limits.
//
// Every parser appends to a Batch and returns the first error it meets;
// Normalize() throws the Batch away on error, so a payload is accepted whole or
// not at all. Errors are kInvalidArgument with the JSON path of the offending
// value as the field ("alerts[2].status", "Findings[0].Id").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tocsin/ingest/signal.h"

namespace tocsin::ingest {

// Limits of Signal fields, in bytes (a byte limit also bounds the character
// count, and the domain checks bytes).
inline constexpr size_t kMaxTitle = 200;
inline constexpr size_t kMaxSummary = 4000;
inline constexpr size_t kMaxTriggerSource = 50;
inline constexpr size_t kMaxArn = 1000;
inline constexpr size_t kMaxKey = 1000;  // The incident dedupe string.
inline constexpr size_t kMaxRelatedTitle = 200;

// --- Reading JSON -------------------------------------------------------------

// Returns member `key` of `value` when `value` is an object that has it and it
// is not null; nullptr otherwise.
const Json* Member(const Json& value, std::string_view key);
// Returns member `key` when it is a string, else an empty string.
std::string StringAt(const Json& value, std::string_view key);
// Returns the object member `key`, or an empty object when it is absent or not
// an object.
const Json& ObjectAt(const Json& value, std::string_view key);

// "path.key" / "path[index]" (codec::JoinPath / IndexPath).
std::string FieldPath(std::string_view path, std::string_view key);
std::string IndexedPath(std::string_view path, size_t index);

// kInvalidArgument "<path> <what>" about `path` ("request body" when empty).
Status FieldError(const std::string& path, std::string_view what);

// Parses `text` as JSON (codec::ParseJson: depth-limited, non-throwing).
Result<Json> ParseJsonText(std::string_view text);
// Compact JSON text of `value`.
std::string DumpJson(const Json& value);

// --- Text -----------------------------------------------------------------------

// Returns the longest prefix of `text` that is at most `max_bytes` long and
// ends on a UTF-8 sequence boundary. With `ellipsis`, a cut text ends in "…"
// (still within `max_bytes`).
std::string TruncateUtf8(std::string_view text, size_t max_bytes, bool ellipsis = false);
// Returns `text` on one line (control characters become spaces, runs of spaces
// collapse, ends trimmed), truncated with an ellipsis to `max_bytes`; when that
// leaves nothing, `fallback` treated the same way.
std::string OneLine(std::string_view text, size_t max_bytes, std::string_view fallback = {});
// Returns the first line of `text` that is not blank.
std::string FirstLine(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// 16 lower-case hex digits of a stable 64-bit hash of `text` (FNV-1a).
std::string HashHex(std::string_view text);

// --- Values -------------------------------------------------------------------

// Parses RFC 3339 as payloads write it: "Z", "+02:00" and CloudWatch's
// "+0000" offsets, any number of fraction digits. nullopt for anything else,
// including Alertmanager's "0001-01-01T00:00:00Z" (no time).
std::optional<TimePoint> ParseEventTime(std::string_view text);
// Parses member `key` of `value` with ParseEventTime (nullopt when absent).
std::optional<TimePoint> TimeAt(const Json& value, std::string_view key);
// RFC 3339 with whole seconds, the envelope "time" form: "2024-05-14T09:12:03Z".
std::string EnvelopeTime(TimePoint t);

// True for an ARN the domain accepts as a related item: arn:aws|aws-cn|
// aws-us-gov:service:region:(12 digits or empty):resource, <= 1000 bytes.
bool IsAwsArn(std::string_view text);
// Returns field `index` of an ARN (1 partition, 2 service, 3 region, 4
// account, 5 the resource, colons and all), or "" when there is none.
std::string ArnPart(std::string_view arn, size_t index);

// Appends an INVOLVED_RESOURCE arn item when `arn` is an AWS ARN not already
// listed.
void AddArnItem(Signal& signal, std::string_view arn);
// Appends a url item when `url` is an http(s) URL the domain accepts (at most
// 1000 bytes) not already listed; other URLs are skipped.
void AddUrlItem(Signal& signal, std::string_view type, std::string_view url,
                std::string_view title);

// --- Envelopes --------------------------------------------------------------------

// Returns an envelope Tocsin builds for a non-EventBridge payload: version
// "0", a new id, the context's account and region, `time`, empty resources.
Json NewEnvelope(const NormalizeContext& context, std::string_view source,
                 std::string_view detail_type, TimePoint time, Json detail);
// Completes an EventBridge event into a Signal envelope: "version", "id",
// "account", "region" and "resources" when missing (from the context), "time"
// normalized to whole seconds (the context's now when missing or unreadable),
// and "integration".
void CompleteEnvelope(const NormalizeContext& context, Json& envelope);
// Returns the envelope "time" as a TimePoint (the context's now if unreadable).
TimePoint EnvelopeTimeOf(const NormalizeContext& context, const Json& envelope);

// Trigger source: printable, at most 50 bytes; "unknown" when empty.
std::string TriggerSource(std::string_view source);

// --- Parsers ----------------------------------------------------------------------

// Alertmanager webhook v4 and Grafana unified alerting.
Status NormalizeAlerts(const NormalizeContext& context, const Json& body, Batch& batch);

// The AWS family: EventBridge events, PutEvents bodies, SNS HTTP and Lambda
// messages, raw CloudWatch alarm messages and (through the findings parser)
// BatchImportFindings bodies.
Status NormalizeAws(const NormalizeContext& context, const Json& body, Batch& batch);
// One EventBridge event (envelope form), dispatched by source and
// detail-type; `path` locates it in the payload for errors. `raw` is what
// the incident keeps as raw data (the event itself when empty).
Status AddEventBridgeEvent(const NormalizeContext& context, Json event, const std::string& path,
                           const std::string& raw, Batch& batch);

// "Security Hub Findings - *" events: one signal per element of detail.findings.
Status AddSecurityHubEvent(const NormalizeContext& context, const Json& event,
                           const std::string& path, Batch& batch);
// "GuardDuty Finding" events.
Status AddGuardDutyEvent(const NormalizeContext& context, const Json& event,
                         const std::string& path, Batch& batch);
// BatchImportFindings bodies: {"Findings": [ASFF, ...]} (1..100).
Status AddBatchImportFindings(const NormalizeContext& context, const Json& body, Batch& batch);

// Tocsin's events API (PagerDuty Events v2 shape).
Status NormalizeEvents(const NormalizeContext& context, const Json& body, Batch& batch);

}  // namespace tocsin::ingest
