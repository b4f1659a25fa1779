// Fuzz target: ingest payload normalization (include/tocsin/ingest/signal.h,
// src/ingest/normalize*.cc): Alertmanager v4, Grafana, CloudWatch via
// EventBridge or SNS, SNS envelopes, EventBridge events, Security Hub ASFF and
// GuardDuty findings, and Tocsin's generic events API. The pure parser
// (ingest::Normalize) is fuzzed, without a store.
//
// Input: byte 0 selects the integration type (and the alert key of
// Alertmanager/Grafana); the rest is the request body.
//
// Asserts, beyond memory safety, the limits signal.h promises for every
// signal of an accepted payload: at most kMaxSignalsPerPayload signals; a
// non-empty key; a title of 1..200 bytes and a summary of at most 4000 bytes,
// both valid UTF-8 (cut on character boundaries); impact 1..5 when set;
// trigger source 1..50 bytes; raw data at most kMaxRawData bytes; an envelope
// that is a JSON object and serialises. Rejections are kInvalidArgument. Normalizing the same body
// again gives the same signals (keys, actions, titles, summaries; keys
// generated for generic events without a dedupKey are fresh UUIDs).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "tocsin/ingest/signal.h"

namespace {

using tocsin::fuzz::Check;
namespace domain = tocsin::domain;
namespace ingest = tocsin::ingest;

constexpr domain::IntegrationType kTypes[] = {
    domain::IntegrationType::kAlertmanager, domain::IntegrationType::kCloudWatch,
    domain::IntegrationType::kSns,          domain::IntegrationType::kEventBridge,
    domain::IntegrationType::kSecurityHub,  domain::IntegrationType::kGrafana,
    domain::IntegrationType::kGeneric,
};
constexpr size_t kTypeCount = sizeof(kTypes) / sizeof(kTypes[0]);

// Returns the number of code points of `text`, or -1 if it is not valid UTF-8.
long Utf8Length(std::string_view text) {
  long count = 0;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = 0;
    if (c < 0x80) {
      len = 1;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      len = 4;
    } else {
      return -1;
    }
    if (i + len > text.size()) return -1;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return -1;
    }
    i += len;
    ++count;
  }
  return count;
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void CheckSignal(const ingest::Signal& s) {
  Check(!s.key.empty(), "a signal has a key");
  Check(!s.title.empty() && s.title.size() <= 200 && Utf8Length(s.title) >= 0,
        "a title is 1..200 bytes of valid UTF-8");
  Check(s.summary.size() <= 4000 && Utf8Length(s.summary) >= 0,
        "a summary is 0..4000 bytes of valid UTF-8");
  if (s.impact) Check(*s.impact >= 1 && *s.impact <= 5, "impact is 1..5");
  Check(!s.trigger.source.empty() && s.trigger.source.size() <= 50,
        "trigger source is 1..50 bytes");
  Check(s.trigger.raw_data.size() <= ingest::kMaxRawData, "raw data is at most kMaxRawData");
  Check(s.envelope.is_object(), "the envelope is a JSON object");
  // The envelope is stored and matched as JSON: it must serialise (as the
  // product does, replacing invalid UTF-8).
  (void)s.envelope.dump(-1, ' ', false, ingest::Json::error_handler_t::replace);
  if (s.finding) Check(!s.finding->id.empty(), "a finding has an id");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ingest::NormalizeContext context;
  context.type = kTypes[data[0] % kTypeCount];
  context.alert_key = (data[0] / kTypeCount) % 2 == 0 ? domain::AlertKey::kFingerprint
                                                      : domain::AlertKey::kGroupKey;
  context.integration_id = "int-fuzz";
  context.integration_name = "fuzz";
  context.now = tocsin::FromUnixMillis(1'767'225'600'000);  // 2026-01-01Z
  const std::string_view body = tocsin::fuzz::AsText(data + 1, size - 1);

  auto batch = ingest::Normalize(context, body);
  if (!batch.ok()) {
    Check(batch.status().code() == tocsin::StatusCode::kInvalidArgument,
          "rejected payloads are kInvalidArgument");
    return 0;
  }
  Check(batch->signals.size() <= ingest::kMaxSignalsPerPayload, "at most kMaxSignalsPerPayload");
  Check(batch->truncated_alerts >= 0, "truncatedAlerts is not negative");
  for (const ingest::Signal& s : batch->signals) CheckSignal(s);

  auto again = ingest::Normalize(context, body);
  Check(again.ok(), "normalizing is deterministic (accepted again)");
  Check(again->signals.size() == batch->signals.size(), "same number of signals");
  for (size_t i = 0; i < batch->signals.size(); ++i) {
    const ingest::Signal& a = batch->signals[i];
    const ingest::Signal& b = again->signals[i];
    // An event with nothing to key it by (an events-API trigger without a dedupKey, an
    // EventBridge event without an id) gets a fresh UUID as its key: each such event is
    // an incident of its own, as in PagerDuty's Events API.
    const bool fresh_keys = IsUuid(a.key) && IsUuid(b.key);
    if (!((a.key == b.key || fresh_keys) && a.action == b.action && a.title == b.title &&
          a.summary == b.summary)) {
      std::fprintf(stderr, "key %s | %s\ntitle %s | %s\nsummary %s | %s\n", a.key.c_str(),
                   b.key.c_str(), a.title.c_str(), b.title.c_str(), a.summary.c_str(),
                   b.summary.c_str());
      Check(false, "normalizing is deterministic (same signals)");
    }
  }
  return 0;
}
