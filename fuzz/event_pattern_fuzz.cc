// Fuzz target: EventBridge event patterns (include/tocsin/rules/event_pattern.h).
//
// Input: a pattern (JSON text), a NUL byte, then an event (JSON text); without
// a NUL the whole input is the pattern and a fixed EC2 event is used.
// Exercises EventPattern::Parse (event-ruler's validation, "$or" expansion,
// wildcard complexity), FromJson, Matches and TestEventPattern.
//
// Asserts, beyond memory safety:
//  - a pattern that compiles compiles again to the same alternative count;
//  - matching is deterministic (same answer twice, and from a copy);
//  - TestEventPattern agrees with Parse + Matches, and fails with field
//    "EventPattern" exactly when Parse fails;
//  - a failed Parse is kInvalidArgument with field "EventPattern" and
//    EventBridge's "Event pattern is not valid. Reason: " wording.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "tocsin/rules/event_pattern.h"

namespace {

using tocsin::StatusCode;
using tocsin::fuzz::Check;
using tocsin::rules::EventPattern;

constexpr std::string_view kDefaultEvent = R"({
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated", "c-count": 5,
             "source-ip": "10.0.0.33"}})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = tocsin::fuzz::AsText(data, size);
  const size_t nul = input.find('\0');
  const std::string_view pattern_text = input.substr(0, nul);
  const std::string_view event_text =
      nul == std::string_view::npos ? kDefaultEvent : input.substr(nul + 1);

  auto pattern = EventPattern::Parse(pattern_text, EventPattern::kMaxPatternChars);
  const nlohmann::json event =
      nlohmann::json::parse(event_text, nullptr, /*allow_exceptions=*/false);

  if (!pattern.ok()) {
    const tocsin::Status& s = pattern.status();
    Check(s.code() == StatusCode::kInvalidArgument, "Parse fails with kInvalidArgument");
    Check(s.field() == "EventPattern", "Parse errors name the field EventPattern");
    Check(s.message().rfind("Event pattern is not valid. Reason: ", 0) == 0,
          "Parse errors use EventBridge's wording");
  } else {
    auto again = EventPattern::Parse(pattern_text, EventPattern::kMaxPatternChars);
    Check(again.ok(), "a pattern that compiled compiles again");
    Check(again->alternative_count() == pattern->alternative_count(), "compiling is deterministic");
    Check(pattern->alternative_count() >= 1 &&
              pattern->alternative_count() <= EventPattern::kMaxAlternatives,
          "alternatives within 1..kMaxAlternatives");
    if (!event.is_discarded()) {
      const bool matches = pattern->Matches(event);
      Check(pattern->Matches(event) == matches, "matching is deterministic");
      const EventPattern copy = *pattern;
      Check(copy.Matches(event) == matches, "a copy matches like the original");
      if (!event.is_object()) Check(!matches, "a non-object event never matches");
    }
    // The parsed-JSON entry point must not crash either; its verdict may
    // differ (nlohmann sorts keys, so another error can come first), but it
    // must agree with Parse on what it accepts.
    const nlohmann::json as_json = nlohmann::json::parse(pattern_text, nullptr, false);
    if (!as_json.is_discarded()) {
      auto from_json = EventPattern::FromJson(as_json);
      if (from_json.ok() && !event.is_discarded()) {
        (void)from_json->Matches(event);
      }
    }
  }

  // TestEventPattern checks the pattern first, then the event.
  if (pattern_text.size() <= EventPattern::kDefaultMaxPatternChars) {
    auto tested = tocsin::rules::TestEventPattern(pattern_text, event_text);
    auto default_limit = EventPattern::Parse(pattern_text);
    if (!default_limit.ok()) {
      Check(!tested.ok() && tested.status().field() == "EventPattern",
            "TestEventPattern rejects the patterns Parse rejects");
    } else if (event.is_discarded() || !event.is_object()) {
      Check(!tested.ok() && tested.status().field() == "Event",
            "TestEventPattern rejects events that are not JSON objects");
    } else {
      Check(tested.ok() && *tested == default_limit->Matches(event),
            "TestEventPattern agrees with Parse + Matches");
    }
  }
  return 0;
}
