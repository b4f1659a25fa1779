#include "tocsin/rules/event_pattern.h"

#include <string>
#include <utility>

#include "rules/pattern_internal.h"

namespace tocsin::rules {
namespace {

constexpr char kPatternField[] = "EventPattern";
constexpr char kEventField[] = "Event";

Status InvalidPattern(const std::string& reason) {
  return InvalidArgument("Event pattern is not valid. Reason: " + reason, kPatternField);
}

size_t CountCodePoints(std::string_view text) {
  size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Strips nlohmann's "[json.exception.parse_error.101] " tag.
std::string ParseErrorText(const std::string& what) {
  const size_t pos = what.find("] ");
  return pos == std::string::npos ? what : what.substr(pos + 2);
}

}  // namespace

EventPattern::EventPattern(std::shared_ptr<const internal::CompiledPattern> compiled)
    : compiled_(std::move(compiled)) {}

Result<EventPattern> EventPattern::Parse(std::string_view pattern_json, size_t max_chars) {
  if (CountCodePoints(pattern_json) > max_chars) {
    // Tocsin's wording; AWS refuses such patterns at the PutRule quota.
    return InvalidPattern("Event pattern is longer than " + std::to_string(max_chars) +
                          " characters");
  }
  nlohmann::ordered_json pattern;
  try {
    pattern = nlohmann::ordered_json::parse(pattern_json.begin(), pattern_json.end());
  } catch (const nlohmann::ordered_json::exception& e) {
    // parse_error, or out_of_range for a number like 1e400. AWS quotes
    // Jackson's message here; ours is nlohmann's.
    return InvalidPattern(ParseErrorText(e.what()));
  }
  auto compiled = internal::CompilePattern(pattern);
  if (!compiled.ok()) return InvalidPattern(compiled.status().message());
  return EventPattern(
      std::make_shared<const internal::CompiledPattern>(std::move(compiled).value()));
}

Result<EventPattern> EventPattern::FromJson(const nlohmann::json& pattern) {
  auto compiled = internal::CompilePattern(pattern);
  if (!compiled.ok()) return InvalidPattern(compiled.status().message());
  return EventPattern(
      std::make_shared<const internal::CompiledPattern>(std::move(compiled).value()));
}

bool EventPattern::Matches(const nlohmann::json& event) const {
  return internal::MatchesEvent(*compiled_, event);
}

size_t EventPattern::alternative_count() const { return compiled_->roots.size(); }

Result<bool> TestEventPattern(std::string_view pattern_json, std::string_view event_json) {
  auto pattern = EventPattern::Parse(pattern_json);
  if (!pattern.ok()) return pattern.status();
  const auto event = nlohmann::json::parse(event_json.begin(), event_json.end(),
                                           /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded() || !event.is_object()) {
    return InvalidArgument("Parameter Event is not valid.", kEventField);
  }
  return pattern->Matches(event);
}

}  // namespace tocsin::rules
