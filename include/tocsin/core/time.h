// Time values and their text forms.
//
// Tocsin keeps every instant as UTC milliseconds since the Unix epoch
// (TimePoint). Persisted deadlines, API timestamps and the ledger all use it, so
// a restart or a change of the host's time zone cannot shift a deadline. Wall
// clock time in a named zone exists only inside the rotation calculator.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<Millis>;

// Returns milliseconds since the epoch, the form stored in SQLite.
inline int64_t ToUnixMillis(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMillis(int64_t ms) { return TimePoint(Millis(ms)); }

// Formats `t` as RFC 3339 in UTC: "2026-03-02T14:00:00Z", with ".sss" only
// when the millisecond part is not zero.
std::string FormatRfc3339(TimePoint t);

// Parses an RFC 3339 date-time ("2026-03-02T09:00:00-05:00", "...Z", optional
// fraction, which is truncated to milliseconds). Returns nullopt for anything
// else, including dates like February 30 and years outside 1970..9999.
std::optional<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace tocsin
