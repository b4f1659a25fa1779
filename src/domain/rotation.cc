// Rotation validation and the small lookups of rotation.h. The shift calculator
// is in rotation_shifts.cc.
#include "tocsin/domain/rotation.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <date/tz.h>

namespace tocsin::domain {
namespace {

constexpr size_t kMaxMembers = 30;
constexpr size_t kMaxHandOffSettings = 30;
constexpr size_t kMaxCoverageWindowsPerDay = 10;
constexpr int kMaxRecurrenceMultiplier = 100;
constexpr int kMinutesPerDay = 24 * 60;

// The calculator works on instants from 1970 through 9999, the range of the
// API's RFC 3339 timestamps; see rotation_shifts.cc.
constexpr TimePoint kFirstStartTime{};
constexpr TimePoint kEndOfStartTimes{std::chrono::sys_days{std::chrono::year{10000} / 1 / 1}};

std::string Indexed(std::string_view path, size_t index) {
  std::string out(path);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

std::string Join(std::string_view path, std::string_view name) {
  std::string out(path);
  out += '.';
  out += name;
  return out;
}

bool IsValidWeekday(Weekday day) {
  const int v = static_cast<int>(day);
  return v >= 0 && v <= 6;
}

Status ValidateHandOffTime(const HandOffTime& time, std::string_view path) {
  if (time.hour_of_day < 0 || time.hour_of_day > 23) {
    return InvalidArgument("must be between 0 and 23", Join(path, "hourOfDay"));
  }
  if (time.minute_of_hour < 0 || time.minute_of_hour > 59) {
    return InvalidArgument("must be between 0 and 59", Join(path, "minuteOfHour"));
  }
  return Status::Ok();
}

// Validates a member list: `min` to `max` entries, none empty, no duplicates.
// Errors name the list itself or the offending entry ("members[3]").
Status ValidateMemberList(const std::vector<std::string>& members, std::string_view path,
                          size_t min, size_t max) {
  if (members.size() < min || members.size() > max) {
    return InvalidArgument(min == 0 ? "must have at most " + std::to_string(max) + " members"
                                    : "must have between " + std::to_string(min) + " and " +
                                          std::to_string(max) + " members",
                           std::string(path));
  }
  std::unordered_map<std::string_view, size_t> seen;
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].empty()) return InvalidArgument("must not be empty", Indexed(path, i));
    const auto [it, inserted] = seen.emplace(members[i], i);
    if (!inserted) {
      return InvalidArgument("must be unique; same as " + Indexed(path, it->second),
                             Indexed(path, i));
    }
  }
  return Status::Ok();
}

// Rejects lists longer than 30 and repeated entries: a repeated hand-off can only
// be a mistake, and the limit bounds the work per period.
template <typename T>
Status ValidateSettingsList(const std::vector<T>& settings, std::string_view path) {
  if (settings.size() > kMaxHandOffSettings) {
    return InvalidArgument("must have at most " + std::to_string(kMaxHandOffSettings) + " entries",
                           std::string(path));
  }
  for (size_t i = 1; i < settings.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (settings[i] == settings[j]) {
        return InvalidArgument("must be unique; same as " + Indexed(path, j), Indexed(path, i));
      }
    }
  }
  return Status::Ok();
}

// Returns true if the windows overlap on the 24-hour clock. A window is the arc
// [start, end) of minutes of the day, wrapping past midnight when end <= start,
// so the part after midnight counts as well: 22:00-06:00 overlaps 05:00-07:00.
bool WindowsOverlap(const CoverageWindow& a, const CoverageWindow& b) {
  const auto arc = [](const CoverageWindow& w) {
    const int start = w.start.hour_of_day * 60 + w.start.minute_of_hour;
    int end = w.end.hour_of_day * 60 + w.end.minute_of_hour;
    if (end <= start) end += kMinutesPerDay;
    return std::pair<int, int>(start, end);
  };
  const auto [a_start, a_end] = arc(a);
  const auto [b_start, b_end] = arc(b);
  for (const int shift : {-kMinutesPerDay, 0, kMinutesPerDay}) {
    if (a_start < b_end + shift && b_start + shift < a_end) return true;
  }
  return false;
}

Status ValidateCoverages(const std::map<Weekday, std::vector<CoverageWindow>>& coverages) {
  const std::string path = "recurrence.shiftCoverages";
  size_t windows = 0;
  for (const auto& [day, list] : coverages) {
    if (!IsValidWeekday(day)) return InvalidArgument("unknown day of week", path);
    const std::string day_path = Join(path, WeekdayName(day));
    if (list.size() > kMaxCoverageWindowsPerDay) {
      return InvalidArgument(
          "must have at most " + std::to_string(kMaxCoverageWindowsPerDay) + " windows", day_path);
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string window_path = Indexed(day_path, i);
      TOCSIN_RETURN_IF_ERROR(ValidateHandOffTime(list[i].start, Join(window_path, "start")));
      TOCSIN_RETURN_IF_ERROR(ValidateHandOffTime(list[i].end, Join(window_path, "end")));
      for (size_t j = 0; j < i; ++j) {
        if (WindowsOverlap(list[j], list[i])) {
          return InvalidArgument(
              "windows of one day must not overlap; overlaps " + Indexed(day_path, j), window_path);
        }
      }
    }
    windows += list.size();
  }
  // A map that lists days but no windows would mean "never on call", which is
  // surely a mistake; an empty map means 24x7.
  if (!coverages.empty() && windows == 0) {
    return InvalidArgument("must contain at least one window when set", path);
  }
  return Status::Ok();
}

Status ValidateRecurrence(const Recurrence& r, size_t member_count) {
  const int kinds = (r.daily_settings.empty() ? 0 : 1) + (r.weekly_settings.empty() ? 0 : 1) +
                    (r.monthly_settings.empty() ? 0 : 1);
  if (kinds != 1) {
    return InvalidArgument(
        "exactly one of dailySettings, weeklySettings, monthlySettings must be set", "recurrence");
  }
  const std::string daily = "recurrence.dailySettings";
  for (size_t i = 0; i < r.daily_settings.size(); ++i) {
    TOCSIN_RETURN_IF_ERROR(ValidateHandOffTime(r.daily_settings[i], Indexed(daily, i)));
  }
  TOCSIN_RETURN_IF_ERROR(ValidateSettingsList(r.daily_settings, daily));

  const std::string weekly = "recurrence.weeklySettings";
  for (size_t i = 0; i < r.weekly_settings.size(); ++i) {
    const std::string path = Indexed(weekly, i);
    if (!IsValidWeekday(r.weekly_settings[i].day_of_week)) {
      return InvalidArgument("must be one of MON, TUE, WED, THU, FRI, SAT, SUN",
                             Join(path, "dayOfWeek"));
    }
    TOCSIN_RETURN_IF_ERROR(
        ValidateHandOffTime(r.weekly_settings[i].hand_off_time, Join(path, "handOffTime")));
  }
  TOCSIN_RETURN_IF_ERROR(ValidateSettingsList(r.weekly_settings, weekly));

  const std::string monthly = "recurrence.monthlySettings";
  for (size_t i = 0; i < r.monthly_settings.size(); ++i) {
    const std::string path = Indexed(monthly, i);
    if (r.monthly_settings[i].day_of_month < 1 || r.monthly_settings[i].day_of_month > 31) {
      return InvalidArgument("must be between 1 and 31", Join(path, "dayOfMonth"));
    }
    TOCSIN_RETURN_IF_ERROR(
        ValidateHandOffTime(r.monthly_settings[i].hand_off_time, Join(path, "handOffTime")));
  }
  TOCSIN_RETURN_IF_ERROR(ValidateSettingsList(r.monthly_settings, monthly));

  if (r.number_of_on_calls < 1) {
    return InvalidArgument("must be at least 1", "recurrence.numberOfOnCalls");
  }
  if (static_cast<size_t>(r.number_of_on_calls) > member_count) {
    return InvalidArgument(
        "must not exceed the number of members (" + std::to_string(member_count) + ")",
        "recurrence.numberOfOnCalls");
  }
  if (r.recurrence_multiplier < 1 || r.recurrence_multiplier > kMaxRecurrenceMultiplier) {
    return InvalidArgument("must be between 1 and 100", "recurrence.recurrenceMultiplier");
  }
  return ValidateCoverages(r.shift_coverages);
}

}  // namespace

Status ValidateRotationSpec(const RotationSpec& spec) {
  TOCSIN_RETURN_IF_ERROR(ValidateMemberList(spec.members, "members", 1, kMaxMembers));
  if (spec.start_time < kFirstStartTime || spec.start_time >= kEndOfStartTimes) {
    return InvalidArgument("must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z",
                           "startTime");
  }
  if (!IsKnownTimeZone(spec.time_zone_id)) {
    return InvalidArgument("unknown time zone \"" + spec.time_zone_id + "\"", "timeZoneId");
  }
  return ValidateRecurrence(spec.recurrence, spec.members.size());
}

Status ValidateOverrides(const std::vector<OverrideSpec>& overrides) {
  for (size_t i = 0; i < overrides.size(); ++i) {
    const std::string path = Indexed("overrides", i);
    TOCSIN_RETURN_IF_ERROR(
        ValidateMemberList(overrides[i].members, Join(path, "members"), 0, kMaxMembers));
    if (overrides[i].start_time >= overrides[i].end_time) {
      return InvalidArgument("startTime must be before endTime", path);
    }
  }
  // Sorted by start, two windows overlap iff some neighbours do. The error names
  // the later of the two in request order.
  std::vector<size_t> order(overrides.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::pair(overrides[a].start_time, a) < std::pair(overrides[b].start_time, b);
  });
  for (size_t i = 1; i < order.size(); ++i) {
    const size_t prev = order[i - 1];
    const size_t cur = order[i];
    if (overrides[cur].start_time < overrides[prev].end_time) {
      return InvalidArgument("must not overlap " + Indexed("overrides", std::min(prev, cur)),
                             Indexed("overrides", std::max(prev, cur)));
    }
  }
  return Status::Ok();
}

bool IsKnownTimeZone(const std::string& time_zone_id) {
  // "localtime" is the host's zone under another name: a rotation must not
  // change when the host's time zone does.
  if (time_zone_id.empty() || time_zone_id == "localtime") return false;
  try {
    // The lookup loads the zone's transitions (once per process), so the
    // calculator's later lookups cannot fail.
    date::locate_zone(time_zone_id)->get_info(std::chrono::sys_seconds{});
    return true;
  } catch (const std::exception&) {
    // Unknown names, and an unreadable tz database or zone file.
    return false;
  }
}

std::optional<Weekday> ParseWeekday(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, Weekday>, 7> kNames = {{
      {"MON", Weekday::kMon},
      {"TUE", Weekday::kTue},
      {"WED", Weekday::kWed},
      {"THU", Weekday::kThu},
      {"FRI", Weekday::kFri},
      {"SAT", Weekday::kSat},
      {"SUN", Weekday::kSun},
  }};
  for (const auto& [name, day] : kNames) {
    if (name == text) return day;
  }
  return std::nullopt;
}

const char* WeekdayName(Weekday day) {
  switch (day) {
    case Weekday::kMon:
      return "MON";
    case Weekday::kTue:
      return "TUE";
    case Weekday::kWed:
      return "WED";
    case Weekday::kThu:
      return "THU";
    case Weekday::kFri:
      return "FRI";
    case Weekday::kSat:
      return "SAT";
    case Weekday::kSun:
      return "SUN";
  }
  return "?";
}

}  // namespace tocsin::domain
