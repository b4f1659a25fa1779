// The shift calculator of rotation.h.
//
// WallClock turns wall-clock times of the rotation's zone into instants under the
// gap and overlap rules. HandOffCursor walks the hand-off instants; it can skip
// whole periods with plain arithmetic while the UTC offset stays fixed, so
// finding the shift at an instant costs O(DST transitions since start_time),
// not O(hand-offs). ComputeShifts cuts each hand-off interval down to coverage,
// then applies overrides.
//
// Range: instants from start_time (>= 1970, see ValidateRotationSpec) up to
// kEndOfTime (10000-01-01T00:00:00Z), the range of the API's timestamps.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <date/tz.h>

#include "tocsin/domain/rotation.h"

namespace tocsin::domain {
namespace {

using std::chrono::seconds;
using LocalSeconds = date::local_seconds;
using SysSeconds = date::sys_seconds;

constexpr int64_t kMinutesPerDay = int64_t{24} * 60;
constexpr int64_t kMinutesPerWeek = 7 * kMinutesPerDay;
constexpr int64_t kSecondsPerDay = kMinutesPerDay * 60;
// 1970-01-01 was a Thursday, so the Monday-based week w starts on day 7w - 3.
constexpr int64_t kFirstMonday = -3;
constexpr TimePoint kEndOfTime{std::chrono::sys_days{std::chrono::year{10000} / 1 / 1}};
constexpr std::chrono::days kMaxWindow{366};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && (a < 0) != (b < 0)) --q;
  return q;
}

LocalSeconds LocalAt(int64_t day, int64_t minute) {
  return LocalSeconds{seconds{(day * kMinutesPerDay + minute) * 60}};
}

int64_t DayOf(LocalSeconds local) {
  return FloorDiv(local.time_since_epoch().count(), kSecondsPerDay);
}

int64_t WeekOfDay(int64_t day) { return FloorDiv(day - kFirstMonday, 7); }

SysSeconds FloorSeconds(TimePoint t) { return std::chrono::floor<seconds>(t); }

// Converts between wall-clock times of one zone and instants.
//
// Caches the span of the last unique offset it looked up, minus the parts that
// a neighbouring span's fall-back makes ambiguous: a wall-clock time whose
// instant under that offset lies in the rest is unique, so it converts by
// subtraction, without a tz lookup. Spans past the neighbours cannot matter:
// offsets differ by less than kMaxOffsetChange, and a neighbour shorter than
// that is treated as if it changed the offset by that much.
class WallClock {
 public:
  explicit WallClock(const date::time_zone* zone) : zone_(zone) {}

  // Returns the instant at which clocks in the zone show `local`: for a time in
  // a spring-forward gap, the end of the gap; for a time in a fall-back
  // overlap, its first occurrence.
  SysSeconds ToSys(LocalSeconds local) {
    if (IsFast(local)) return SysSeconds{local.time_since_epoch() - offset_};
    const date::local_info info = zone_->get_info(local);
    if (info.result == date::local_info::nonexistent) return info.first.end;
    if (info.result == date::local_info::unique) Remember(info.first);
    return SysSeconds{local.time_since_epoch() - info.first.offset};
  }

  LocalSeconds ToLocal(SysSeconds t) {
    if (cached_ && t >= safe_begin_ && t < safe_end_) {
      return LocalSeconds{t.time_since_epoch() + offset_};
    }
    const date::sys_info info = zone_->get_info(t);
    Remember(info);
    return LocalSeconds{t.time_since_epoch() + info.offset};
  }

  // True if ToSys(local) is `local - Offset()` by the cached span.
  bool IsFast(LocalSeconds local) const {
    if (!cached_) return false;
    const SysSeconds t{local.time_since_epoch() - offset_};
    return t >= safe_begin_ && t < safe_end_;
  }
  // REQUIRES: IsFast() was true for some time. The first wall-clock time past
  // the cached span, and the offset inside it.
  LocalSeconds FastEnd() const { return LocalSeconds{safe_end_.time_since_epoch() + offset_}; }
  seconds Offset() const { return offset_; }

 private:
  // More than any UTC offset change (the largest, Samoa's in 2011, was 24 h).
  static constexpr seconds kMaxOffsetChange = std::chrono::hours{48};

  void Remember(const date::sys_info& info) {
    // Ambiguous wall-clock times at the start of `info` (fall-back from `before`)
    // and at its end (fall-back into `after`). get_info returns `info` itself
    // past the ends of the table.
    const date::sys_info before = zone_->get_info(info.begin - seconds{1});
    const date::sys_info after = zone_->get_info(info.end);
    seconds lead{0};
    if (before.begin != info.begin) {
      lead = before.end - before.begin < kMaxOffsetChange
                 ? kMaxOffsetChange
                 : std::max(seconds{0}, before.offset - info.offset);
    }
    seconds trail{0};
    if (after.begin != info.begin) {
      trail = after.end - after.begin < kMaxOffsetChange
                  ? kMaxOffsetChange
                  : std::max(seconds{0}, info.offset - after.offset);
    }
    if (info.end - info.begin <= lead + trail) return;
    cached_ = true;
    safe_begin_ = info.begin + lead;
    safe_end_ = info.end - trail;
    offset_ = info.offset;
  }

  const date::time_zone* zone_;
  bool cached_ = false;
  SysSeconds safe_begin_{};
  SysSeconds safe_end_{};
  seconds offset_{};
};

enum class Kind { kDaily, kWeekly, kMonthly };

// A validated recurrence prepared for evaluation. A period is a local day
// (daily), a Monday-based week (weekly) or a month (monthly); periods are
// numbered from the one holding 1970-01-01. Hand-offs are minute offsets from
// the start of their period.
struct Plan {
  Kind kind = Kind::kDaily;
  // Daily and weekly hand-offs, sorted, unique.
  std::vector<int64_t> offsets;
  // Monthly hand-offs for months of 28..31 days, with days past the end of the
  // month moved to its last day; sorted, unique.
  std::array<std::vector<int64_t>, 4> month_offsets;
  int64_t multiplier = 1;
  // Coverage as minutes from Monday 00:00: sorted, disjoint and not touching,
  // also across the end of the week (an interval may run past it). Empty: 24x7.
  std::vector<std::pair<int64_t, int64_t>> coverage;
};

int64_t MinuteOfDay(const HandOffTime& time) {
  return int64_t{time.hour_of_day} * 60 + time.minute_of_hour;
}

void SortUnique(std::vector<int64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

std::vector<std::pair<int64_t, int64_t>> CoveragePattern(
    const std::map<Weekday, std::vector<CoverageWindow>>& coverages) {
  std::vector<std::pair<int64_t, int64_t>> windows;
  for (const auto& [day, list] : coverages) {
    const int64_t base = static_cast<int64_t>(day) * kMinutesPerDay;
    for (const CoverageWindow& w : list) {
      const int64_t start = MinuteOfDay(w.start);
      int64_t end = MinuteOfDay(w.end);
      if (end <= start) end += kMinutesPerDay;  // Crosses midnight; equal means 24 hours.
      windows.emplace_back(base + start, base + end);
    }
  }
  std::sort(windows.begin(), windows.end());
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (const auto& w : windows) {
    if (!merged.empty() && w.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, w.second);
    } else {
      merged.push_back(w);
    }
  }
  // The last interval may run into next week's first ones.
  while (merged.size() >= 2 && merged.back().second >= merged.front().first + kMinutesPerWeek) {
    merged.back().second = std::max(merged.back().second, merged.front().second + kMinutesPerWeek);
    merged.erase(merged.begin());
  }
  if (merged.size() == 1 && merged[0].second - merged[0].first >= kMinutesPerWeek) {
    merged.clear();  // Covers the whole week: the same as no limit.
  }
  return merged;
}

Plan MakePlan(const Recurrence& r) {
  Plan plan;
  plan.multiplier = r.recurrence_multiplier;
  if (!r.daily_settings.empty()) {
    plan.kind = Kind::kDaily;
    for (const HandOffTime& t : r.daily_settings) plan.offsets.push_back(MinuteOfDay(t));
  } else if (!r.weekly_settings.empty()) {
    plan.kind = Kind::kWeekly;
    for (const WeeklySetting& s : r.weekly_settings) {
      plan.offsets.push_back(static_cast<int64_t>(s.day_of_week) * kMinutesPerDay +
                             MinuteOfDay(s.hand_off_time));
    }
  } else {
    plan.kind = Kind::kMonthly;
    for (int64_t length = 28; length <= 31; ++length) {
      std::vector<int64_t>& offsets = plan.month_offsets[static_cast<size_t>(length - 28)];
      for (const MonthlySetting& s : r.monthly_settings) {
        const int64_t day = std::min<int64_t>(s.day_of_month, length);
        offsets.push_back((day - 1) * kMinutesPerDay + MinuteOfDay(s.hand_off_time));
      }
      SortUnique(offsets);
    }
  }
  SortUnique(plan.offsets);
  plan.coverage = CoveragePattern(r.shift_coverages);
  return plan;
}

date::year_month MonthOfPeriod(int64_t period) {
  const int64_t year = FloorDiv(period, 12);
  return date::year{static_cast<int>(year)} /
         date::month{static_cast<unsigned>(period - 12 * year + 1)};
}

int64_t PeriodStartDay(const Plan& plan, int64_t period) {
  switch (plan.kind) {
    case Kind::kDaily:
      return period;
    case Kind::kWeekly:
      return 7 * period + kFirstMonday;
    case Kind::kMonthly:
      return date::sys_days{MonthOfPeriod(period) / 1}.time_since_epoch().count();
  }
  return period;
}

int64_t PeriodOfDay(const Plan& plan, int64_t day) {
  switch (plan.kind) {
    case Kind::kDaily:
      return day;
    case Kind::kWeekly:
      return WeekOfDay(day);
    case Kind::kMonthly: {
      const date::year_month_day ymd{date::sys_days{date::days{static_cast<int>(day)}}};
      return int64_t{static_cast<int>(ymd.year())} * 12 + static_cast<unsigned>(ymd.month()) - 1;
    }
  }
  return day;
}

const std::vector<int64_t>& OffsetsOf(const Plan& plan, int64_t period) {
  if (plan.kind != Kind::kMonthly) return plan.offsets;
  const date::year_month ym = MonthOfPeriod(period);
  const auto length = static_cast<unsigned>((ym / date::last).day());
  return plan.month_offsets[length - 28];
}

// Walks the hand-offs of a rotation. Shift i runs from hand-off i (start_time
// for i = 0) to hand-off i + 1.
class HandOffCursor {
 public:
  // Positions the cursor on shift 0.
  HandOffCursor(const Plan& plan, WallClock& clock, TimePoint start)
      : plan_(plan), clock_(clock), begin_(start) {
    // The first hand-off after `start` fixes which periods are active, so scan
    // every period from just before `start` (two days covers any gap).
    period_ = PeriodOfDay(plan_, DayOf(clock_.ToLocal(FloorSeconds(start))) - 2);
    slot_ = 0;
    step_ = 1;
    for (;;) {
      const int64_t period = period_;
      const size_t slot = slot_;
      const TimePoint t = Take();
      if (t > start) {
        end_ = t;
        step_ = plan_.multiplier;
        period_ = period;
        slot_ = slot;
        Step();
        return;
      }
    }
  }

  int64_t Index() const { return index_; }
  TimePoint ShiftStart() const { return begin_; }
  TimePoint ShiftEnd() const { return end_; }

  void Advance() {
    begin_ = end_;
    end_ = NextAfter(begin_);
    ++index_;
  }

  // Advances to the shift holding `t`. REQUIRES: t >= ShiftStart().
  void SeekTo(TimePoint t) {
    // A skip only moves end_ (and index_) to a hand-off at or before `t`, so the
    // loop always ends with an Advance, which sets begin_.
    while (end_ <= t) {
      const bool skipped =
          slot_ == 0 && (plan_.kind == Kind::kMonthly ? SkipMonths(t) : SkipFixed(t));
      if (!skipped) Advance();
    }
  }

 private:
  void Step() {
    if (++slot_ == OffsetsOf(plan_, period_).size()) {
      slot_ = 0;
      period_ += step_;
    }
  }

  LocalSeconds Candidate(int64_t period, size_t slot) const {
    return LocalAt(PeriodStartDay(plan_, period), OffsetsOf(plan_, period)[slot]);
  }

  // Resolves the wall-clock hand-off at the position, then moves past it.
  TimePoint Take() {
    const LocalSeconds local = Candidate(period_, slot_);
    Step();
    return clock_.ToSys(local);
  }

  // Wall-clock hand-offs are never resolved out of order, but several can land
  // on one instant (a gap); that instant is one hand-off.
  TimePoint NextAfter(TimePoint after) {
    for (;;) {
      const TimePoint t = Take();
      if (t > after) return t;
    }
  }

  // Skips whole active periods whose hand-offs are all at or before `t` and all
  // inside the cached fixed-offset span, where they are distinct and need no
  // lookup: end_ becomes the last of them and index_ counts them; begin_ is
  // stale until the next Advance. Daily and weekly periods have a fixed length,
  // so one division finds how many. REQUIRES: slot_ == 0.
  bool SkipFixed(TimePoint t) {
    const std::vector<int64_t>& offsets = plan_.offsets;
    const int64_t day = PeriodStartDay(plan_, period_);
    const LocalSeconds first = LocalAt(day, offsets.front());
    const LocalSeconds last = LocalAt(day, offsets.back());
    clock_.ToSys(first);  // Loads the span around `first`.
    if (!clock_.IsFast(first)) return false;
    const LocalSeconds bound =
        std::min(clock_.FastEnd() - seconds{1},
                 LocalSeconds{FloorSeconds(t).time_since_epoch() + clock_.Offset()});
    if (last > bound) return false;
    const int64_t period_days = plan_.kind == Kind::kWeekly ? 7 : 1;
    const seconds stride{plan_.multiplier * period_days * kSecondsPerDay};
    const int64_t count = (bound - last) / stride + 1;
    end_ = clock_.ToSys(last + (count - 1) * stride);
    index_ += count * static_cast<int64_t>(offsets.size());
    period_ += count * plan_.multiplier;
    return true;
  }

  // SkipFixed for months, one month at a time. REQUIRES: slot_ == 0.
  bool SkipMonths(TimePoint t) {
    bool skipped = false;
    for (;;) {
      const std::vector<int64_t>& offsets = OffsetsOf(plan_, period_);
      const int64_t day = PeriodStartDay(plan_, period_);
      const LocalSeconds first = LocalAt(day, offsets.front());
      const LocalSeconds last = LocalAt(day, offsets.back());
      clock_.ToSys(first);
      if (!clock_.IsFast(first) || !clock_.IsFast(last)) break;
      const TimePoint last_at = clock_.ToSys(last);
      if (last_at > t) break;
      end_ = last_at;
      index_ += static_cast<int64_t>(offsets.size());
      period_ += plan_.multiplier;
      skipped = true;
    }
    return skipped;
  }

  const Plan& plan_;
  WallClock& clock_;
  // Position of the next wall-clock hand-off to resolve.
  int64_t period_ = 0;
  size_t slot_ = 0;
  int64_t step_ = 1;  // Periods between active periods.
  int64_t index_ = 0;
  TimePoint begin_;
  TimePoint end_;
};

std::vector<std::string> MembersOf(const RotationSpec& spec, int64_t index) {
  const auto n = static_cast<int64_t>(spec.members.size());
  const int64_t k = spec.recurrence.number_of_on_calls;
  const int64_t first = (index % n) * k % n;
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(k));
  for (int64_t j = 0; j < k; ++j) out.push_back(spec.members[static_cast<size_t>((first + j) % n)]);
  return out;
}

using Interval = std::pair<TimePoint, TimePoint>;

// Returns the coverage intervals that intersect [from, to), merged where they
// touch, with their full extent. Without a 24x7 pattern every merged interval
// holds a gap-free stretch of less than a week of wall-clock pattern, so two
// extra weeks each side are enough to see its ends.
std::vector<Interval> CoverageBetween(const Plan& plan, WallClock& clock, TimePoint from,
                                      TimePoint to) {
  const int64_t first_week = WeekOfDay(DayOf(clock.ToLocal(FloorSeconds(from)))) - 2;
  const int64_t last_week = WeekOfDay(DayOf(clock.ToLocal(FloorSeconds(to)))) + 2;
  std::vector<Interval> merged;
  for (int64_t week = first_week; week <= last_week; ++week) {
    const int64_t monday = 7 * week + kFirstMonday;
    for (const auto& [start, end] : plan.coverage) {
      const TimePoint a = clock.ToSys(LocalAt(monday, start));
      const TimePoint b = clock.ToSys(LocalAt(monday, end));
      if (a >= b) continue;  // Entirely inside a gap.
      if (!merged.empty() && a <= merged.back().second) {
        merged.back().second = std::max(merged.back().second, b);
      } else {
        merged.emplace_back(a, b);
      }
    }
  }
  std::erase_if(merged, [&](const Interval& i) { return i.second <= from || i.first >= to; });
  return merged;
}

bool InCoverage(const Plan& plan, WallClock& clock, TimePoint at) {
  // A pattern interval is shorter than a week, so only the windows starting in
  // this week or the one before can hold `at`; one more each side for safety.
  const int64_t week = WeekOfDay(DayOf(clock.ToLocal(FloorSeconds(at))));
  for (int64_t w = week - 2; w <= week + 1; ++w) {
    const int64_t monday = 7 * w + kFirstMonday;
    for (const auto& [start, end] : plan.coverage) {
      if (clock.ToSys(LocalAt(monday, start)) <= at && at < clock.ToSys(LocalAt(monday, end))) {
        return true;
      }
    }
  }
  return false;
}

const date::time_zone* FindZone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Appends the regular duty [start, end) of `members` to `out`, with the parts
// under overrides replaced. `overrides` is sorted and disjoint.
void AddDuty(TimePoint start, TimePoint end, const std::vector<std::string>& members,
             const std::vector<const OverrideSpec*>& overrides, std::vector<Shift>& out) {
  auto it = std::upper_bound(overrides.begin(), overrides.end(), start,
                             [](TimePoint t, const OverrideSpec* o) { return t < o->end_time; });
  TimePoint cursor = start;
  for (; it != overrides.end() && (*it)->start_time < end; ++it) {
    const OverrideSpec& o = **it;
    if (o.start_time > cursor) {
      out.push_back(Shift{members, cursor, o.start_time, ShiftType::kRegular, {}});
    }
    const TimePoint o_end = std::min(o.end_time, end);
    out.push_back(
        Shift{o.members, std::max(o.start_time, cursor), o_end, ShiftType::kOverridden, members});
    cursor = o_end;
  }
  if (cursor < end) out.push_back(Shift{members, cursor, end, ShiftType::kRegular, {}});
}

}  // namespace

Result<std::vector<Shift>> ComputeShifts(const RotationSpec& spec,
                                         const std::vector<OverrideSpec>& overrides, TimePoint from,
                                         TimePoint to) {
  if (from >= to) return InvalidArgument("time range must start before it ends");
  if (to > TimePoint::min() + kMaxWindow && from < to - kMaxWindow) {
    return InvalidArgument("time range must not exceed 366 days");
  }
  if (to > kEndOfTime) return InvalidArgument("time range must end by 10000-01-01T00:00:00Z");
  TOCSIN_RETURN_IF_ERROR(ValidateRotationSpec(spec));
  TOCSIN_RETURN_IF_ERROR(ValidateOverrides(overrides));

  std::vector<Shift> shifts;
  const TimePoint begin = std::max(from, spec.start_time);
  if (begin >= to) return shifts;
  const date::time_zone* zone = FindZone(spec.time_zone_id);
  if (zone == nullptr) return Internal("time zone database changed during the call");

  const Plan plan = MakePlan(spec.recurrence);
  WallClock clock(zone);
  std::vector<const OverrideSpec*> sorted;
  sorted.reserve(overrides.size());
  for (const OverrideSpec& o : overrides) sorted.push_back(&o);
  std::sort(sorted.begin(), sorted.end(), [](const OverrideSpec* a, const OverrideSpec* b) {
    return a->start_time < b->start_time;
  });
  const std::vector<Interval> coverage =
      plan.coverage.empty() ? std::vector<Interval>{} : CoverageBetween(plan, clock, begin, to);

  HandOffCursor cursor(plan, clock, spec.start_time);
  cursor.SeekTo(begin);
  size_t next_coverage = 0;
  std::vector<Shift> pieces;
  for (; cursor.ShiftStart() < to; cursor.Advance()) {
    const TimePoint hand_on = cursor.ShiftStart();
    const TimePoint hand_off = cursor.ShiftEnd();
    const std::vector<std::string> members = MembersOf(spec, cursor.Index());
    pieces.clear();
    if (plan.coverage.empty()) {
      AddDuty(hand_on, hand_off, members, sorted, pieces);
    } else {
      while (next_coverage < coverage.size() && coverage[next_coverage].second <= hand_on) {
        ++next_coverage;
      }
      for (size_t c = next_coverage; c < coverage.size() && coverage[c].first < hand_off; ++c) {
        AddDuty(std::max(coverage[c].first, hand_on), std::min(coverage[c].second, hand_off),
                members, sorted, pieces);
      }
    }
    // Shifts never merge across a hand-off, even to the same members: the
    // hand-off bounds every shift, and the replaced members of an override
    // change there.
    Shift* last = nullptr;
    for (Shift& piece : pieces) {
      if (last != nullptr && last->end_time == piece.start_time && last->type == piece.type &&
          last->members == piece.members && last->overridden_members == piece.overridden_members) {
        last->end_time = piece.end_time;
        continue;
      }
      if (last != nullptr && last->start_time < to && last->end_time > from) {
        shifts.push_back(std::move(*last));
      }
      last = &piece;
    }
    if (last != nullptr && last->start_time < to && last->end_time > from) {
      shifts.push_back(std::move(*last));
    }
  }
  return shifts;
}

std::vector<std::string> OnCallAt(const RotationSpec& spec,
                                  const std::vector<OverrideSpec>& overrides, TimePoint at) {
  if (at < spec.start_time || at >= kEndOfTime || !ValidateRotationSpec(spec).ok()) return {};
  const date::time_zone* zone = FindZone(spec.time_zone_id);
  if (zone == nullptr) return {};
  const Plan plan = MakePlan(spec.recurrence);
  WallClock clock(zone);
  if (!plan.coverage.empty() && !InCoverage(plan, clock, at)) return {};
  for (const OverrideSpec& o : overrides) {
    if (o.start_time <= at && at < o.end_time) return o.members;
  }
  HandOffCursor cursor(plan, clock, spec.start_time);
  cursor.SeekTo(at);
  return MembersOf(spec, cursor.Index());
}

}  // namespace tocsin::domain
