#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "tocsin/codec/json_reader.h"
#include "tocsin/codec/ledger.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/notify/announce.h"

#ifndef TOCSIN_VERSION
#define TOCSIN_VERSION ""
#endif

namespace tocsin::notify {
namespace {

// More digits than any plausible Unix time; also keeps from_chars in range.
constexpr size_t kMaxTimestampDigits = 12;

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string UserAgent() {
  const std::string_view version = TOCSIN_VERSION;
  return version.empty() ? std::string("Tocsin") : "Tocsin/" + std::string(version);
}

std::string SignaturePayload(std::string_view timestamp, std::string_view body) {
  std::string payload;
  payload.reserve(timestamp.size() + 1 + body.size());
  payload.append(timestamp).append(".").append(body);
  return payload;
}

}  // namespace

const char* IncidentChangeEventName(IncidentChange change) {
  switch (change) {
    case IncidentChange::kCreated:
      return "incident.created";
    case IncidentChange::kUpdated:
      return "incident.updated";
    case IncidentChange::kImpactChanged:
      return "incident.impact_changed";
    case IncidentChange::kNoteAdded:
      return "incident.note_added";
    case IncidentChange::kResolved:
      return "incident.resolved";
    case IncidentChange::kReopened:
      return "incident.reopened";
  }
  return "incident.updated";
}

std::string RenderWebhookBody(const IncidentAnnouncement& a, std::string_view delivery_id) {
  codec::Json incident = codec::IncidentToJson(a.incident);
  incident["incidentUrl"] = a.incident_url;
  codec::Json j;
  j["event"] = IncidentChangeEventName(a.change);
  if (!delivery_id.empty()) j["id"] = delivery_id;
  j["occurredAt"] = FormatRfc3339(a.at);
  j["incident"] = std::move(incident);
  if (a.previous_impact) j["previousImpact"] = *a.previous_impact;
  if (!a.note.empty()) j["note"] = a.note;
  j["actor"] = a.actor;
  // Incident text comes from alarms and users; replacing invalid UTF-8 keeps
  // the body valid JSON instead of throwing.
  return j.dump(-1, ' ', false, codec::Json::error_handler_t::replace);
}

net::Headers SignedWebhookHeaders(std::string_view secret, std::string_view body,
                                  std::string_view delivery_id, TimePoint now) {
  const std::string timestamp =
      std::to_string(std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count());
  net::Headers headers;
  headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("User-Agent", UserAgent());
  headers.emplace_back("Idempotency-Key", std::string(delivery_id));
  headers.emplace_back("X-Tocsin-Timestamp", timestamp);
  if (!secret.empty()) {
    const std::string mac = crypto::HmacSha256(secret, SignaturePayload(timestamp, body));
    headers.emplace_back("X-Tocsin-Signature", "v1=" + crypto::HexEncode(mac));
  }
  return headers;
}

bool VerifyWebhookSignature(std::string_view secret, std::string_view body,
                            std::string_view timestamp_header, std::string_view signature_header,
                            TimePoint now, std::chrono::seconds tolerance) {
  if (secret.empty() || tolerance.count() < 0) return false;

  const std::string_view timestamp = TrimSpace(timestamp_header);
  if (timestamp.empty() || timestamp.size() > kMaxTimestampDigits) return false;
  int64_t signed_at = 0;
  const auto [end, ec] =
      std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), signed_at);
  // from_chars accepts a leading '-'; the scheme does not.
  if (ec != std::errc() || end != timestamp.data() + timestamp.size() || timestamp[0] == '-') {
    return false;
  }
  const int64_t now_s = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  const int64_t skew = now_s > signed_at ? now_s - signed_at : signed_at - now_s;
  if (skew > tolerance.count()) return false;

  const std::string expected = crypto::HmacSha256(secret, SignaturePayload(timestamp, body));
  bool matched = false;
  std::string_view rest = signature_header;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view entry = TrimSpace(rest.substr(0, comma));
    if (entry.size() == 3 + 2 * crypto::kSha256Size && entry.substr(0, 3) == "v1=") {
      const auto given = crypto::HexDecode(entry.substr(3));
      // No early exit: every entry is compared, so timing does not tell
      // which one matched.
      if (given && crypto::ConstantTimeEqual(*given, expected)) matched = true;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return matched;
}

}  // namespace tocsin::notify
