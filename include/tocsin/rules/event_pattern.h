// EventPattern: Amazon EventBridge event patterns, compiled once and matched
// against JSON events (normally the EventBridge envelope Tocsin wraps every
// ingested alert in: version, id, detail-type, source, account, time, region,
// resources, detail).
//
// The language and its semantics are EventBridge's, i.e. those of aws/event-ruler
// (see /work/shared/reference/runbooks-events.md §6): a pattern is a JSON object
// mirroring the event; leaves are arrays whose entries are OR-ed; fields are
// AND-ed; "$or" arrays of sub-patterns may appear at any level. Leaf entries are
// exact values (strings, numbers compared numerically, true, false, null) or
// one-key operator objects: prefix, suffix, equals-ignore-case, wildcard,
// anything-but (value, list, prefix, suffix, equals-ignore-case, wildcard),
// numeric, cidr, exists (and event-ruler's "exactly"). Event arrays match when
// any element matches, and fields under one array of objects must match in the
// same element. Keys containing '.' are equivalent to nesting ("a.b" == a → b),
// in the pattern and in the event.
//
// Invalid patterns are rejected with EventBridge's wording,
// "Event pattern is not valid. Reason: <event-ruler's reason>".
//
// An EventPattern is an immutable value: copies share the compiled matcher, and
// Matches() may be called from any number of threads at once.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tocsin/core/status.h"

namespace tocsin::rules {

namespace internal {
struct CompiledPattern;
}  // namespace internal

class EventPattern {
 public:
  // EventBridge's default quota on the size of a pattern, in characters
  // (Unicode code points here; AWS counts UTF-16 units). AWS lets the quota be
  // raised to kMaxPatternChars, the API's hard limit.
  static constexpr size_t kDefaultMaxPatternChars = 2048;
  static constexpr size_t kMaxPatternChars = 4096;

  // At most this many alternatives after expanding "$or" (each "$or" multiplies
  // the alternatives of the object it is in by its number of branches, exactly
  // as event-ruler does). Tocsin's own bound; EventBridge publishes none.
  static constexpr size_t kMaxAlternatives = 1000;

  // The largest wildcard complexity accepted for one field: the number of
  // (wildcard, prefix of it) pairs that can match one input value at once,
  // event-ruler's MachineComplexityEvaluator measure, over the wildcard and
  // anything-but wildcard values of the field in all alternatives. EventBridge
  // does not publish its bound; patterns AWS accepted measure up to 8 and one
  // it rejected ("Rule is too complex - ...") 11, so Tocsin takes the most
  // lenient bound consistent with both.
  static constexpr int kMaxWildcardComplexity = 10;

  // Parses and compiles `pattern_json` (JSON text). Returns kInvalidArgument
  // (field "EventPattern") with "Event pattern is not valid. Reason: ..." when
  // the text is not JSON, is longer than `max_chars` characters, or is not a
  // valid pattern. Keys are processed in document order, so the first error
  // in the text is the one reported and a repeated field keeps its last value.
  // `max_chars` defaults to EventBridge's quota; kMaxPatternChars is the most
  // AWS ever accepts.
  static Result<EventPattern> Parse(std::string_view pattern_json,
                                    size_t max_chars = kDefaultMaxPatternChars);

  // Compiles an already parsed pattern. Same errors as Parse() except the size
  // limit, which applies to text only. nlohmann::json orders keys, so with
  // several errors the one reported may differ from Parse()'s on the same text.
  static Result<EventPattern> FromJson(const nlohmann::json& pattern);

  // Returns true when `event` matches. An event that is not a JSON object
  // never matches. Does not allocate for typical events; does not keep
  // references to `event`.
  bool Matches(const nlohmann::json& event) const;

  // Returns the number of alternatives the pattern expands to ("$or"); 1 when
  // it has no "$or". For diagnostics and tests.
  size_t alternative_count() const;

 private:
  explicit EventPattern(std::shared_ptr<const internal::CompiledPattern> compiled);

  // Never null.
  std::shared_ptr<const internal::CompiledPattern> compiled_;
};

// EventBridge's TestEventPattern: returns whether the event matches the pattern.
// kInvalidArgument with field "EventPattern" and Parse()'s message when the
// pattern is bad (checked first), or field "Event" and AWS's message
// "Parameter Event is not valid." when the event is not a JSON object.
// Unlike AWS, the event need not carry the envelope fields (id, source, ...).
Result<bool> TestEventPattern(std::string_view pattern_json, std::string_view event_json);

}  // namespace tocsin::rules
