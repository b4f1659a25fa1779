#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "ingest/normalize_internal.h"
#include "tocsin/codec/json_reader.h"
#include "tocsin/core/ids.h"
#include "tocsin/core/json_text.h"
#include "tocsin/domain/plan_service.h"
#include "tocsin/ingest/signal.h"

namespace tocsin::ingest {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026, 3 bytes.

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

char AsciiLower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Control characters become spaces, runs of spaces collapse, ends are trimmed.
// Stops once the result is longer than `cap` bytes.
std::string Flatten(std::string_view text, size_t cap) {
  std::string line;
  line.reserve(std::min(text.size(), cap + 1));
  for (char c : text) {
    if (IsControl(c)) c = ' ';
    if (c == ' ' && (line.empty() || line.back() == ' ')) continue;
    line += c;
    if (line.size() > cap) break;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// Keys become incident dedupe strings (1..1000 bytes). An overlong key (a
// groupKey of many labels) keeps its prefix and gains a hash of the whole, so
// distinct keys stay distinct and the same key always maps the same way.
std::string BoundedKey(const std::string& key) {
  if (key.size() <= kMaxKey) return key;
  return TruncateUtf8(key, kMaxKey - 17) + "#" + HashHex(key);
}

}  // namespace

const char* SignalActionName(SignalAction action) {
  switch (action) {
    case SignalAction::kTrigger:
      return "trigger";
    case SignalAction::kResolve:
      return "resolve";
    case SignalAction::kAcknowledge:
      return "acknowledge";
    case SignalAction::kAnnotate:
      return "annotate";
  }
  return "trigger";
}

std::optional<int> ImpactForSeverity(std::string_view severity) {
  if (EqualsIgnoreCase(severity, "critical")) return 1;
  if (EqualsIgnoreCase(severity, "error") || EqualsIgnoreCase(severity, "high")) return 2;
  if (EqualsIgnoreCase(severity, "warning") || EqualsIgnoreCase(severity, "medium")) return 3;
  if (EqualsIgnoreCase(severity, "info") || EqualsIgnoreCase(severity, "low")) return 4;
  return std::nullopt;
}

std::optional<int> ImpactForFindingLabel(std::string_view label) {
  if (EqualsIgnoreCase(label, "CRITICAL")) return 1;
  if (EqualsIgnoreCase(label, "HIGH")) return 2;
  if (EqualsIgnoreCase(label, "MEDIUM")) return 3;
  if (EqualsIgnoreCase(label, "LOW")) return 4;
  if (EqualsIgnoreCase(label, "INFORMATIONAL")) return 5;
  return std::nullopt;
}

Result<Batch> Normalize(const NormalizeContext& context, std::string_view body) {
  auto parsed = ParseJsonText(body);
  if (!parsed.ok()) return parsed.status();
  const Json& doc = *parsed;
  if (!doc.is_object()) return InvalidArgument("request body must be a JSON object");

  Batch batch;
  Status status;
  switch (context.type) {
    case domain::IntegrationType::kAlertmanager:
    case domain::IntegrationType::kGrafana:
      status = NormalizeAlerts(context, doc, batch);
      break;
    case domain::IntegrationType::kCloudWatch:
    case domain::IntegrationType::kSns:
    case domain::IntegrationType::kEventBridge:
    case domain::IntegrationType::kSecurityHub:
      status = NormalizeAws(context, doc, batch);
      break;
    case domain::IntegrationType::kGeneric:
      status = NormalizeEvents(context, doc, batch);
      break;
  }
  if (!status.ok()) return status;
  if (batch.signals.size() > kMaxSignalsPerPayload) {
    return InvalidArgument("payload carries " + std::to_string(batch.signals.size()) +
                           " signals; at most " + std::to_string(kMaxSignalsPerPayload) +
                           " are accepted");
  }
  for (Signal& signal : batch.signals) {
    signal.key = BoundedKey(signal.key);
    // Parsers fall back to the key; a key of blanks leaves nothing.
    if (signal.title.empty()) signal.title = OneLine(signal.key, kMaxTitle, "Untitled event");
  }
  return batch;
}

// --- Reading JSON -------------------------------------------------------------

const Json* Member(const Json& value, std::string_view key) {
  if (!value.is_object()) return nullptr;
  const auto it = value.find(key);
  if (it == value.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string StringAt(const Json& value, std::string_view key) {
  const Json* member = Member(value, key);
  return member != nullptr && member->is_string() ? member->get<std::string>() : std::string();
}

const Json& ObjectAt(const Json& value, std::string_view key) {
  static const Json* const kEmpty = new Json(Json::object());
  const Json* member = Member(value, key);
  return member != nullptr && member->is_object() ? *member : *kEmpty;
}

std::string FieldPath(std::string_view path, std::string_view key) {
  return codec::JoinPath(path, key);
}

std::string IndexedPath(std::string_view path, size_t index) {
  return codec::IndexPath(path, index);
}

Status FieldError(const std::string& path, std::string_view what) {
  const std::string subject = path.empty() ? "request body" : path;
  return InvalidArgument(subject + " " + std::string(what), path);
}

Result<Json> ParseJsonText(std::string_view text) {
  auto parsed = codec::ParseJson(text);
  if (!parsed.ok()) return parsed.status();
  // codec keeps insertion order; signal.h's Json is the plain (sorted) json.
  return Json(*parsed);
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// --- Text -----------------------------------------------------------------------

std::string TruncateUtf8(std::string_view text, size_t max_bytes, bool ellipsis) {
  if (text.size() <= max_bytes) return std::string(text);
  const bool mark = ellipsis && max_bytes >= kEllipsis.size();
  const size_t limit = mark ? max_bytes - kEllipsis.size() : max_bytes;
  size_t end = 0;
  while (end < text.size()) {
    size_t n = Utf8SequenceLength(text.substr(end));
    if (n == 0) n = 1;  // A stray byte is cut alone; it never joins a sequence.
    if (end + n > limit) break;
    end += n;
  }
  std::string out(text.substr(0, end));
  if (mark) {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += kEllipsis;
  }
  return out;
}

std::string OneLine(std::string_view text, size_t max_bytes, std::string_view fallback) {
  // Some slack past max_bytes, so the cut still sees that there is more.
  std::string line = Flatten(text, max_bytes + 8);
  if (line.empty()) return fallback.empty() ? std::string() : OneLine(fallback, max_bytes);
  return TruncateUtf8(line, max_bytes, /*ellipsis=*/true);
}

std::string FirstLine(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (std::any_of(line.begin(), line.end(), [](char c) { return !IsControl(c) && c != ' '; })) {
      return std::string(line);
    }
    start = end + 1;
  }
  return std::string();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

std::string HashHex(std::string_view text) {
  // 64-bit FNV-1a: stable across runs and builds, which std::hash is not.
  uint64_t hash = 14695981039346656037ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

// --- Values -------------------------------------------------------------------

std::optional<TimePoint> ParseEventTime(std::string_view text) {
  const size_t n = text.size();
  // CloudWatch writes "+0000"; RFC 3339 wants "+00:00".
  if (n >= 5 && (text[n - 5] == '+' || text[n - 5] == '-') &&
      std::all_of(text.end() - 4, text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::string fixed(text.substr(0, n - 2));
    fixed += ':';
    fixed += text.substr(n - 2);
    return ParseRfc3339(fixed);
  }
  return ParseRfc3339(text);
}

std::optional<TimePoint> TimeAt(const Json& value, std::string_view key) {
  const Json* member = Member(value, key);
  if (member == nullptr || !member->is_string()) return std::nullopt;
  return ParseEventTime(member->get_ref<const std::string&>());
}

std::string EnvelopeTime(TimePoint t) {
  return FormatRfc3339(std::chrono::floor<std::chrono::seconds>(t));
}

bool IsAwsArn(std::string_view text) {
  // The rule of the domain's related-item check, so every item we emit is storable.
  if (text.size() > kMaxArn || text.rfind("arn:", 0) != 0) return false;
  size_t start = 0;
  std::string_view parts[5];
  for (auto& part : parts) {
    const size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) return false;
    part = text.substr(start, colon - start);
    start = colon + 1;
  }
  const std::string_view partition = parts[1];
  const std::string_view account = parts[4];
  const bool account_ok =
      account.empty() ||
      (account.size() == 12 &&
       std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; }));
  return (partition == "aws" || partition == "aws-cn" || partition == "aws-us-gov") && account_ok &&
         start < text.size() &&
         std::none_of(text.begin(), text.end(), [](char c) { return IsControl(c) || c == ' '; });
}

std::string ArnPart(std::string_view arn, size_t index) {
  if (arn.rfind("arn:", 0) != 0) return std::string();
  size_t start = 0;
  for (size_t i = 0; i < index; ++i) {
    const size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::string();
    start = colon + 1;
  }
  // The resource (field 5) may itself contain colons: it runs to the end.
  const size_t end = index >= 5 ? arn.size() : arn.find(':', start);
  if (end == std::string_view::npos) return std::string();
  return std::string(arn.substr(start, end - start));
}

void AddArnItem(Signal& signal, std::string_view arn) {
  if (!IsAwsArn(arn)) return;
  for (const auto& item : signal.related_items) {
    if (item.value_kind == "arn" && item.value == arn) return;
  }
  domain::RelatedItem item;
  item.type = "INVOLVED_RESOURCE";
  item.value_kind = "arn";
  item.value = std::string(arn);
  signal.related_items.push_back(std::move(item));
}

void AddUrlItem(Signal& signal, std::string_view type, std::string_view url,
                std::string_view title) {
  if (url.empty() || url.size() > 1000 || !domain::ValidateHttpUrl(url, "url").ok()) return;
  for (const auto& item : signal.related_items) {
    if (item.value_kind == "url" && item.value == url) return;
  }
  domain::RelatedItem item;
  item.type = std::string(type);
  item.value_kind = "url";
  item.value = std::string(url);
  item.title = OneLine(title, kMaxRelatedTitle);
  signal.related_items.push_back(std::move(item));
}

// --- Envelopes --------------------------------------------------------------------

namespace {

Json IntegrationOf(const NormalizeContext& context) {
  return Json{{"id", context.integration_id},
              {"name", context.integration_name},
              {"type", domain::IntegrationTypeName(context.type)}};
}

bool IsNonEmptyString(const Json* value) {
  return value != nullptr && value->is_string() && !value->get_ref<const std::string&>().empty();
}

}  // namespace

Json NewEnvelope(const NormalizeContext& context, std::string_view source,
                 std::string_view detail_type, TimePoint time, Json detail) {
  Json envelope = Json::object();
  envelope["version"] = "0";
  envelope["id"] = NewUuid();
  envelope["detail-type"] = detail_type;
  envelope["source"] = source;
  envelope["account"] = context.account_id;
  envelope["region"] = context.region;
  envelope["time"] = EnvelopeTime(time);
  envelope["resources"] = Json::array();
  envelope["detail"] = std::move(detail);
  envelope["integration"] = IntegrationOf(context);
  return envelope;
}

void CompleteEnvelope(const NormalizeContext& context, Json& envelope) {
  if (!IsNonEmptyString(Member(envelope, "version"))) envelope["version"] = "0";
  if (!IsNonEmptyString(Member(envelope, "id"))) envelope["id"] = NewUuid();
  if (!IsNonEmptyString(Member(envelope, "account"))) envelope["account"] = context.account_id;
  if (!IsNonEmptyString(Member(envelope, "region"))) envelope["region"] = context.region;
  const Json* resources = Member(envelope, "resources");
  if (resources == nullptr || !resources->is_array()) envelope["resources"] = Json::array();
  if (Member(envelope, "detail") == nullptr) envelope["detail"] = Json::object();
  envelope["time"] = EnvelopeTime(EnvelopeTimeOf(context, envelope));
  // Always ours: an event cannot claim to come from another integration.
  envelope["integration"] = IntegrationOf(context);
}

TimePoint EnvelopeTimeOf(const NormalizeContext& context, const Json& envelope) {
  return TimeAt(envelope, "time").value_or(context.now);
}

std::string TriggerSource(std::string_view source) {
  // An identifier: cut plainly, no ellipsis.
  std::string out = TruncateUtf8(Flatten(source, kMaxTriggerSource + 8), kMaxTriggerSource);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "unknown" : out;
}

}  // namespace tocsin::ingest
