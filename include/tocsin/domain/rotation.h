// On-call rotations: value types and the shift calculator.
//
// A rotation hands the on-call duty through an ordered list of members at
// wall-clock hand-off times in an IANA time zone. The calculator turns a
// rotation (saved or not) plus its overrides into concrete shifts in UTC. It
// is pure: no I/O, no clock; all functions are thread-safe.
//
// Semantics (AWS ssm-contacts rotations, with the gaps AWS leaves documented):
//  * Hand-off instants come from exactly one of daily / weekly / monthly
//    settings, evaluated as wall-clock times in `time_zone_id`.
//  * `recurrence_multiplier` N: only every N-th day / week (Monday-based) /
//    month has hand-offs, counted from the period of the first hand-off after
//    `start_time`. Every listed hand-off inside an active period is a hand-off.
//  * The first shift runs from `start_time` to the first hand-off strictly
//    after it with members[0 .. k-1] (k = number_of_on_calls); each hand-off
//    advances the window by k positions, wrapping around the member list.
//  * A wall-clock hand-off inside a spring-forward gap happens at the first
//    instant after the gap; one inside a fall-back overlap at its first
//    occurrence.
//  * Monthly day 29..31 in a shorter month hands off on that month's last day;
//    two settings landing on the same instant hand off once.
//  * `shift_coverages`, when not empty, limits duty to the listed windows of
//    the listed weekdays (local time); weekdays not listed have no coverage. A
//    window whose end is at or before its start crosses midnight and ends on
//    the next day at `end` (end == start means 24 hours).
//  * Overrides replace the members of the regular shifts they overlap, inside
//    coverage only; they never create coverage. Their windows may not overlap.
//  * Output shifts are, within each hand-off interval, the maximal pieces with
//    a constant member set and type (a hand-off always ends a shift, even when
//    the same people stay on call), in time order, each [start, end), never
//    overlapping; without coverage limits consecutive shifts touch exactly.
//  * Time zone rules come from the OS tz database as read by the date library,
//    which (with Debian's "slim" tzdata) knows no transitions after 2037.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tocsin/core/status.h"
#include "tocsin/core/time.h"
#include "tocsin/domain/resource.h"

namespace tocsin::domain {

enum class Weekday { kMon = 0, kTue, kWed, kThu, kFri, kSat, kSun };

struct HandOffTime {
  int hour_of_day = 0;     // 0..23
  int minute_of_hour = 0;  // 0..59
  bool operator==(const HandOffTime&) const = default;
};

struct WeeklySetting {
  Weekday day_of_week = Weekday::kMon;
  HandOffTime hand_off_time;
  bool operator==(const WeeklySetting&) const = default;
};

struct MonthlySetting {
  int day_of_month = 1;  // 1..31
  HandOffTime hand_off_time;
  bool operator==(const MonthlySetting&) const = default;
};

struct CoverageWindow {
  HandOffTime start;
  HandOffTime end;
  bool operator==(const CoverageWindow&) const = default;
};

struct Recurrence {
  // Exactly one of the three lists is non-empty.
  std::vector<HandOffTime> daily_settings;
  std::vector<WeeklySetting> weekly_settings;
  std::vector<MonthlySetting> monthly_settings;
  int number_of_on_calls = 1;                                      // >= 1, <= number of members.
  int recurrence_multiplier = 1;                                   // 1..100
  std::map<Weekday, std::vector<CoverageWindow>> shift_coverages;  // Empty: 24x7.
  bool operator==(const Recurrence&) const = default;
};

// The part of a rotation that determines its shifts. `members` are whatever
// strings the caller wants back in shifts (contact ids for saved rotations,
// free text for previews).
struct RotationSpec {
  std::vector<std::string> members;  // 1..30, in hand-off order.
  TimePoint start_time{};
  std::string time_zone_id;  // IANA, e.g. "America/New_York".
  Recurrence recurrence;
};

struct OverrideSpec {
  std::vector<std::string> members;  // 0..30; empty means nobody is on call.
  TimePoint start_time{};
  TimePoint end_time{};
};

enum class ShiftType { kRegular, kOverridden };

struct Shift {
  std::vector<std::string> members;
  TimePoint start_time{};
  TimePoint end_time{};
  ShiftType type = ShiftType::kRegular;
  // For kOverridden: the members the override replaced.
  std::vector<std::string> overridden_members;
  bool operator==(const Shift&) const = default;
};

// A saved rotation.
struct Rotation {
  ResourceMeta meta;
  std::string name;  // 1..255, [a-zA-Z0-9_\-\s.]
  RotationSpec spec;
};

// A saved override of one rotation.
struct RotationOverride {
  ResourceMeta meta;
  std::string rotation_id;
  OverrideSpec spec;
};

// Returns OK if `spec` is well formed: members 1..30, a time zone the tz
// database knows, exactly one kind of hand-off setting with values in range,
// multiplier 1..100, 1 <= number_of_on_calls <= members, coverage windows in
// range. Errors are kInvalidArgument with field() set to the API path of the
// offending value, e.g. "recurrence.weeklySettings[1].handOffTime.hourOfDay".
Status ValidateRotationSpec(const RotationSpec& spec);

// Returns OK if every override has start < end and no two overlap; field() is
// "overrides[i]" (for a list) as in ValidateRotationSpec.
Status ValidateOverrides(const std::vector<OverrideSpec>& overrides);

// Returns the shifts of `spec` with `overrides` applied that intersect
// [from, to), with their true (unclipped) start and end.
// REQUIRES: ValidateRotationSpec(spec).ok(), ValidateOverrides(overrides).ok().
// Errors: kInvalidArgument (no field; the caller names "from"/"to") if
// from >= to, the window exceeds 366 days, or it ends after year 9999.
Result<std::vector<Shift>> ComputeShifts(const RotationSpec& spec,
                                         const std::vector<OverrideSpec>& overrides, TimePoint from,
                                         TimePoint to);

// Returns the members on call at instant `at` (empty outside coverage or
// before start_time). Same REQUIRES as ComputeShifts.
std::vector<std::string> OnCallAt(const RotationSpec& spec,
                                  const std::vector<OverrideSpec>& overrides, TimePoint at);

// Returns true if `time_zone_id` names a zone in the tz database.
bool IsKnownTimeZone(const std::string& time_zone_id);

// Parses "MON".."SUN"; nullopt otherwise.
std::optional<Weekday> ParseWeekday(std::string_view text);
const char* WeekdayName(Weekday day);

}  // namespace tocsin::domain
