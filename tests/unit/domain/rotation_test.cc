// Tests of the rotation shift calculator (rotation.h).
//
// Golden files live in tests/testdata/shifts/<case>.txt, one ComputeShifts call
// each. Format:
//   * A line starting with '#' is a comment. The comments record the hand check
//     of the case: zone offsets, local times, who is on call and why.
//   * Every other line is one shift:
//       <start> <end> <type> <members> [<overridden members>]
//     with start and end in RFC 3339 UTC, type REGULAR or OVERRIDDEN, member
//     lists comma-separated ("-" for none), and the overridden members only on
//     OVERRIDDEN lines. Text after " #" on a shift line is a comment.
//
// TOCSIN_UPDATE_GOLDEN=1 rewrites the shift lines from the calculator's output.
// It keeps the comments at the top of the file and those attached to (written
// above or after) shift lines that did not change; every changed line must then
// be checked by hand before it is committed, because the goldens are the proof.
#include "tocsin/domain/rotation.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace tocsin::domain {
namespace {

using std::chrono::hours;

TimePoint T(std::string_view text) {
  const std::optional<TimePoint> t = ParseRfc3339(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(TimePoint{});
}

HandOffTime At(int hour, int minute = 0) { return HandOffTime{hour, minute}; }

RotationSpec Spec(std::string zone, std::vector<std::string> members, std::string_view start) {
  RotationSpec spec;
  spec.members = std::move(members);
  spec.start_time = T(start);
  spec.time_zone_id = std::move(zone);
  return spec;
}

RotationSpec Daily(std::string zone, std::vector<std::string> members, std::string_view start,
                   std::vector<HandOffTime> times) {
  RotationSpec spec = Spec(std::move(zone), std::move(members), start);
  spec.recurrence.daily_settings = std::move(times);
  return spec;
}

RotationSpec Weekly(std::string zone, std::vector<std::string> members, std::string_view start,
                    std::vector<WeeklySetting> settings) {
  RotationSpec spec = Spec(std::move(zone), std::move(members), start);
  spec.recurrence.weekly_settings = std::move(settings);
  return spec;
}

RotationSpec Monthly(std::string zone, std::vector<std::string> members, std::string_view start,
                     std::vector<MonthlySetting> settings) {
  RotationSpec spec = Spec(std::move(zone), std::move(members), start);
  spec.recurrence.monthly_settings = std::move(settings);
  return spec;
}

OverrideSpec Override(std::vector<std::string> members, std::string_view start,
                      std::string_view end) {
  return OverrideSpec{std::move(members), T(start), T(end)};
}

std::string JoinMembers(const std::vector<std::string>& members) {
  if (members.empty()) return "-";
  std::string out;
  for (const std::string& m : members) {
    if (!out.empty()) out += ',';
    out += m;
  }
  return out;
}

std::string FormatShift(const Shift& s) {
  std::string line = FormatRfc3339(s.start_time) + " " + FormatRfc3339(s.end_time) + " " +
                     (s.type == ShiftType::kRegular ? "REGULAR" : "OVERRIDDEN") + " " +
                     JoinMembers(s.members);
  if (s.type == ShiftType::kOverridden) line += " " + JoinMembers(s.overridden_members);
  return line;
}

// A golden file split into shift lines and the comments that go with them.
struct Golden {
  std::vector<std::string> header;  // Comment lines before the first shift line.
  std::vector<std::string> lines;   // Shift lines without their trailing comments.
  // Per shift line: comment lines written above it, and its trailing comment.
  std::map<std::string, std::pair<std::vector<std::string>, std::string>> notes;
  std::vector<std::string> footer;  // Comment lines after the last shift line.
};

std::string GoldenPath(const std::string& name) {
  return std::string(TOCSIN_TESTDATA_DIR) + "/shifts/" + name + ".txt";
}

Golden ReadGolden(const std::string& path) {
  Golden g;
  std::ifstream in(path);
  std::string raw;
  std::vector<std::string> pending;
  while (std::getline(in, raw)) {
    if (raw.empty() || raw[0] == '#') {
      (g.lines.empty() ? g.header : pending).push_back(raw);
      continue;
    }
    std::string data = raw.substr(0, raw.find(" #"));
    while (!data.empty() && data.back() == ' ') data.pop_back();
    const std::string trailing = raw.substr(data.size());
    g.lines.push_back(data);
    g.notes[data] = {pending, trailing};
    pending.clear();
  }
  g.footer = pending;
  return g;
}

void WriteGolden(const std::string& path, const Golden& old,
                 const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const std::string& h : old.header) out << h << "\n";
  for (const std::string& line : lines) {
    const auto it = old.notes.find(line);
    if (it != old.notes.end()) {
      for (const std::string& c : it->second.first) out << c << "\n";
      out << line << it->second.second << "\n";
    } else {
      out << line << "\n";
    }
  }
  for (const std::string& f : old.footer) out << f << "\n";
}

// Compares the shifts with the golden file `name`, or rewrites it when
// TOCSIN_UPDATE_GOLDEN is set.
void ExpectGolden(const std::string& name, const RotationSpec& spec,
                  const std::vector<OverrideSpec>& overrides, std::string_view from,
                  std::string_view to) {
  ASSERT_TRUE(ValidateRotationSpec(spec).ok()) << ValidateRotationSpec(spec).ToString();
  ASSERT_TRUE(ValidateOverrides(overrides).ok()) << ValidateOverrides(overrides).ToString();
  const Result<std::vector<Shift>> shifts = ComputeShifts(spec, overrides, T(from), T(to));
  ASSERT_TRUE(shifts.ok()) << shifts.status().ToString();
  std::vector<std::string> actual;
  for (const Shift& s : *shifts) actual.push_back(FormatShift(s));

  const std::string path = GoldenPath(name);
  const Golden golden = ReadGolden(path);
  const char* update = std::getenv("TOCSIN_UPDATE_GOLDEN");  // NOLINT(concurrency-mt-unsafe)
  if (update != nullptr && std::string_view(update) == "1") {
    WriteGolden(path, golden, actual);
    return;
  }
  ASSERT_FALSE(golden.lines.empty()) << "missing or empty golden " << path;
  std::string expected_text;
  std::string actual_text;
  for (const std::string& l : golden.lines) expected_text += l + "\n";
  for (const std::string& l : actual) actual_text += l + "\n";
  EXPECT_EQ(expected_text, actual_text) << "golden " << path;

  // Every golden must also agree with OnCallAt at the start and just before
  // the end of each shift, and in the gaps between them.
  for (const Shift& s : *shifts) {
    for (const TimePoint t : {s.start_time, s.end_time - Millis(1)}) {
      if (t < T(from) || t >= T(to)) continue;
      EXPECT_EQ(OnCallAt(spec, overrides, t), s.members) << name << " at " << FormatRfc3339(t);
    }
  }
  for (size_t i = 1; i < shifts->size(); ++i) {
    const TimePoint gap = (*shifts)[i - 1].end_time;
    if (gap < (*shifts)[i].start_time) {
      EXPECT_TRUE(OnCallAt(spec, overrides, gap).empty()) << name << " at " << FormatRfc3339(gap);
    }
  }
}

// ---------------------------------------------------------------------------
// Golden cases. Each golden file's comments hold the hand check.

// Weekly MON 09:00 in New York keeps 09:00 local across the 2026-03-08
// spring-forward: 14:00Z while EST, 13:00Z once EDT. The first shift runs from
// start_time to the first hand-off after it.
TEST(RotationGoldenTest, NewYorkWeeklySpringForward) {
  RotationSpec spec = Weekly("America/New_York", {"alice", "bob"}, "2026-02-23T14:00:00Z",
                             {{Weekday::kMon, At(9)}});
  ExpectGolden("new_york_weekly_march", spec, {}, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");
}

// The same rotation across the 2026-11-01 fall-back: 13:00Z becomes 14:00Z, so
// the shift that spans it lasts 7 days and 1 hour; the member count since
// February decides who is on call.
TEST(RotationGoldenTest, NewYorkWeeklyFallBack) {
  RotationSpec spec = Weekly("America/New_York", {"alice", "bob"}, "2026-02-23T14:00:00Z",
                             {{Weekday::kMon, At(9)}});
  ExpectGolden("new_york_weekly_november", spec, {}, "2026-10-26T00:00:00Z",
               "2026-11-16T00:00:00Z");
}

// Daily 09:00 in London with three members across the 2026-03-29
// spring-forward (GMT to BST): a 23-hour shift.
TEST(RotationGoldenTest, LondonDailySpringForward) {
  RotationSpec spec =
      Daily("Europe/London", {"alice", "bob", "carol"}, "2026-03-26T09:00:00Z", {At(9)});
  ExpectGolden("london_daily_march", spec, {}, "2026-03-26T00:00:00Z", "2026-04-01T00:00:00Z");
}

// The same rotation across the 2026-10-25 fall-back (BST to GMT): a 25-hour
// shift.
TEST(RotationGoldenTest, LondonDailyFallBack) {
  RotationSpec spec =
      Daily("Europe/London", {"alice", "bob", "carol"}, "2026-03-26T09:00:00Z", {At(9)});
  ExpectGolden("london_daily_october", spec, {}, "2026-10-23T00:00:00Z", "2026-10-28T00:00:00Z");
}

// A 02:30 hand-off on 2026-03-08 in New York falls in the spring-forward gap
// (02:00-03:00 does not exist) and happens at 03:00 EDT = 07:00Z.
TEST(RotationGoldenTest, NewYorkHandOffInsideGap) {
  RotationSpec spec =
      Daily("America/New_York", {"alice", "bob"}, "2026-03-05T12:00:00Z", {At(2, 30)});
  ExpectGolden("new_york_daily_gap", spec, {}, "2026-03-06T00:00:00Z", "2026-03-11T00:00:00Z");
}

// Three hand-offs that all fall on 07:00Z on 2026-03-08 (02:00 and 02:30 are in
// the gap, 03:00 EDT is its end) are one hand-off: the members advance once.
TEST(RotationGoldenTest, NewYorkHandOffsCollapsingInGap) {
  RotationSpec spec = Daily("America/New_York", {"alice", "bob", "carol"}, "2026-03-07T12:00:00Z",
                            {At(2), At(2, 30), At(3)});
  ExpectGolden("new_york_daily_gap_collapse", spec, {}, "2026-03-07T12:00:00Z",
               "2026-03-09T12:00:00Z");
}

// A 01:30 hand-off on 2026-11-01 in New York is ambiguous (01:00-02:00 happens
// twice) and happens at the first occurrence, 01:30 EDT = 05:30Z.
TEST(RotationGoldenTest, NewYorkHandOffInsideOverlap) {
  RotationSpec spec =
      Daily("America/New_York", {"alice", "bob"}, "2026-10-29T12:00:00Z", {At(1, 30)});
  ExpectGolden("new_york_daily_overlap", spec, {}, "2026-10-30T00:00:00Z", "2026-11-03T00:00:00Z");
}

// Lord Howe Island moves its clocks by 30 minutes. On 2026-04-05 01:30-02:00
// happens twice (01:45 takes the first, +11:00); 02:15 is unique (+10:30).
TEST(RotationGoldenTest, LordHoweHalfHourFallBack) {
  RotationSpec spec = Daily("Australia/Lord_Howe", {"alice", "bob"}, "2026-03-30T00:00:00Z",
                            {At(1, 45), At(2, 15)});
  ExpectGolden("lord_howe_april", spec, {}, "2026-04-03T00:00:00Z", "2026-04-07T00:00:00Z");
}

// On 2026-10-04 Lord Howe skips 02:00-02:30: 02:15 happens at 02:30 (+11:00).
TEST(RotationGoldenTest, LordHoweHalfHourSpringForward) {
  RotationSpec spec = Daily("Australia/Lord_Howe", {"alice", "bob"}, "2026-03-30T00:00:00Z",
                            {At(1, 45), At(2, 15)});
  ExpectGolden("lord_howe_october", spec, {}, "2026-10-02T00:00:00Z", "2026-10-06T00:00:00Z");
}

// Kolkata is +05:30 all year: 09:00 is always 03:30Z. start_time between
// hand-offs gives a short first shift.
TEST(RotationGoldenTest, KolkataHalfHourOffset) {
  RotationSpec spec = Daily("Asia/Kolkata", {"alice", "bob"}, "2026-01-01T00:00:00Z", {At(9)});
  ExpectGolden("kolkata_daily", spec, {}, "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z");
}

// Southern hemisphere: Sydney leaves DST on 2026-04-05 (AEDT +11 to AEST +10),
// with two weekly hand-offs (MON 09:00, FRI 17:00) and three members.
TEST(RotationGoldenTest, SydneyWeeklyDstEnds) {
  RotationSpec spec = Weekly("Australia/Sydney", {"alice", "bob", "carol"}, "2026-03-16T00:00:00Z",
                             {{Weekday::kMon, At(9)}, {Weekday::kFri, At(17)}});
  ExpectGolden("sydney_weekly_april", spec, {}, "2026-03-27T00:00:00Z", "2026-04-14T00:00:00Z");
}

// The same rotation when Sydney enters DST on 2026-10-04 (+10 to +11).
TEST(RotationGoldenTest, SydneyWeeklyDstStarts) {
  RotationSpec spec = Weekly("Australia/Sydney", {"alice", "bob", "carol"}, "2026-03-16T00:00:00Z",
                             {{Weekday::kMon, At(9)}, {Weekday::kFri, At(17)}});
  ExpectGolden("sydney_weekly_october", spec, {}, "2026-09-28T00:00:00Z", "2026-10-13T00:00:00Z");
}

// Samoa skipped 2011-12-30 entirely (-10:00 to +14:00). The daily hand-off of
// that day happens when the gap ends, at 00:00 on 12-31 local.
TEST(RotationGoldenTest, ApiaSkippedDay) {
  RotationSpec spec = Daily("Pacific/Apia", {"alice", "bob"}, "2011-12-27T00:00:00Z", {At(9)});
  ExpectGolden("apia_skipped_day", spec, {}, "2011-12-28T00:00:00Z", "2012-01-02T00:00:00Z");
}

// Monthly on days 29 and 30 at 10:00 and day 31 at 18:00 (UTC). Short months
// hand off on their last day: February 2026 has Feb 28 10:00 once (29 and 30
// land on the same instant) and Feb 28 18:00; April has Apr 30 18:00 for day 31.
TEST(RotationGoldenTest, MonthlyLastDayClamping) {
  RotationSpec spec = Monthly("UTC", {"alice", "bob", "carol"}, "2026-01-01T00:00:00Z",
                              {{29, At(10)}, {30, At(10)}, {31, At(18)}});
  ExpectGolden("monthly_2026", spec, {}, "2026-01-15T00:00:00Z", "2026-07-01T00:00:00Z");
}

// The same rotation in leap-year February 2028: day 29 exists, days 30 and 31
// clamp to Feb 29. Who is on call depends on every hand-off since 2026.
TEST(RotationGoldenTest, MonthlyLeapYear) {
  RotationSpec spec = Monthly("UTC", {"alice", "bob", "carol"}, "2026-01-01T00:00:00Z",
                              {{29, At(10)}, {30, At(10)}, {31, At(18)}});
  ExpectGolden("monthly_2028", spec, {}, "2028-01-20T00:00:00Z", "2028-04-01T00:00:00Z");
}

// Monthly day 31 in New York with multiplier 2: hand-offs every other month,
// counted from the month of the first hand-off (January), on each month's last
// day at 09:00 local, across the March DST change.
TEST(RotationGoldenTest, MonthlyMultiplierNewYork) {
  RotationSpec spec =
      Monthly("America/New_York", {"alice", "bob"}, "2026-01-10T00:00:00Z", {{31, At(9)}});
  spec.recurrence.recurrence_multiplier = 2;
  ExpectGolden("monthly_multiplier_new_york", spec, {}, "2026-01-10T00:00:00Z",
               "2026-10-01T00:00:00Z");
}

// Business hours MON-FRI 09:00-17:00 in New York with a weekly WED 12:00
// hand-off: Wednesday's window is split between the two members; nothing is on
// call at night or on the weekend.
TEST(RotationGoldenTest, CoverageBusinessHours) {
  RotationSpec spec = Weekly("America/New_York", {"alice", "bob"}, "2026-03-02T00:00:00Z",
                             {{Weekday::kWed, At(12)}});
  for (Weekday d : {Weekday::kMon, Weekday::kTue, Weekday::kWed, Weekday::kThu, Weekday::kFri}) {
    spec.recurrence.shift_coverages[d] = {{At(9), At(17)}};
  }
  ExpectGolden("coverage_business_hours", spec, {}, "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z");
}

// Night windows MON-FRI 22:00-06:00 in London cross midnight, so Friday's ends
// on Saturday 06:00. A daily 00:00 hand-off splits every night in two.
TEST(RotationGoldenTest, CoverageCrossingMidnight) {
  RotationSpec spec =
      Daily("Europe/London", {"alice", "bob", "carol"}, "2026-03-02T00:00:00Z", {At(0)});
  for (Weekday d : {Weekday::kMon, Weekday::kTue, Weekday::kWed, Weekday::kThu, Weekday::kFri}) {
    spec.recurrence.shift_coverages[d] = {{At(22), At(6)}};
  }
  ExpectGolden("coverage_crossing_midnight", spec, {}, "2026-03-02T00:00:00Z",
               "2026-03-09T00:00:00Z");
}

// end == start means 24 hours. SAT 00:00-00:00 and SUN 00:00-00:00 in New York
// touch and merge into one weekend shift; over the 2026-11-01 fall-back it lasts
// 49 hours. WED 06:00-06:00 runs to Thursday 06:00.
TEST(RotationGoldenTest, CoverageWholeDays) {
  RotationSpec spec = Weekly("America/New_York", {"alice", "bob"}, "2026-10-01T00:00:00Z",
                             {{Weekday::kMon, At(9)}});
  spec.recurrence.shift_coverages[Weekday::kSat] = {{At(0), At(0)}};
  spec.recurrence.shift_coverages[Weekday::kSun] = {{At(0), At(0)}};
  spec.recurrence.shift_coverages[Weekday::kWed] = {{At(6), At(6)}};
  ExpectGolden("coverage_whole_days", spec, {}, "2026-10-26T00:00:00Z", "2026-11-09T00:00:00Z");
}

// Two on call out of three members: the window moves by two each hand-off and
// wraps around the list.
TEST(RotationGoldenTest, TwoOnCallOfThree) {
  RotationSpec spec = Daily("UTC", {"alice", "bob", "carol"}, "2026-01-05T09:00:00Z", {At(9)});
  spec.recurrence.number_of_on_calls = 2;
  ExpectGolden("two_on_call_of_three", spec, {}, "2026-01-05T00:00:00Z", "2026-01-10T00:00:00Z");
}

// Daily with multiplier 2: a start_time after the day's hand-off puts the first
// hand-off on the next day, and only every second day from then on hands off.
TEST(RotationGoldenTest, DailyMultiplierTwo) {
  RotationSpec spec = Daily("UTC", {"alice", "bob", "carol"}, "2026-01-01T12:00:00Z", {At(9)});
  spec.recurrence.recurrence_multiplier = 2;
  ExpectGolden("daily_multiplier_two", spec, {}, "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z");
}

// Weekly with multiplier 2 and two hand-offs a week (MON and THU 09:00): the
// THU of the starting week is before start_time, so the first active week is
// the next one; every hand-off of an active week counts, other weeks have none.
TEST(RotationGoldenTest, WeeklyMultiplierTwo) {
  RotationSpec spec = Weekly("UTC", {"alice", "bob", "carol"}, "2026-01-01T12:00:00Z",
                             {{Weekday::kMon, At(9)}, {Weekday::kThu, At(9)}});
  spec.recurrence.recurrence_multiplier = 2;
  ExpectGolden("weekly_multiplier_two", spec, {}, "2026-01-01T00:00:00Z", "2026-02-10T00:00:00Z");
}

// Overrides in a weekly New York rotation: one inside a shift splits it into
// REGULAR / OVERRIDDEN / REGULAR; one across the MON hand-off is two
// OVERRIDDEN shifts that replace different members; one with no members leaves
// nobody on call; the regular shift resumes in between.
TEST(RotationGoldenTest, Overrides) {
  RotationSpec spec = Weekly("America/New_York", {"alice", "bob", "carol"}, "2026-03-02T14:00:00Z",
                             {{Weekday::kMon, At(9)}});
  const std::vector<OverrideSpec> overrides = {
      Override({"dave"}, "2026-03-04T17:00:00Z", "2026-03-05T17:00:00Z"),
      Override({"erin", "frank"}, "2026-03-15T22:00:00Z", "2026-03-17T13:00:00Z"),
      Override({}, "2026-03-19T04:00:00Z", "2026-03-19T10:00:00Z"),
  };
  ExpectGolden("overrides", spec, overrides, "2026-03-02T00:00:00Z", "2026-03-23T00:00:00Z");
}

// Overrides only replace covered time: one on a Saturday (no coverage) creates
// nothing; one from 15:00 to 20:00 overrides only up to 17:00; one touching the
// next override with the same members merges into one shift.
TEST(RotationGoldenTest, OverridesOutsideCoverage) {
  RotationSpec spec = Weekly("America/New_York", {"alice", "bob"}, "2026-03-02T00:00:00Z",
                             {{Weekday::kMon, At(9)}});
  for (Weekday d : {Weekday::kMon, Weekday::kTue, Weekday::kWed, Weekday::kThu, Weekday::kFri}) {
    spec.recurrence.shift_coverages[d] = {{At(9), At(17)}};
  }
  const std::vector<OverrideSpec> overrides = {
      Override({"dave"}, "2026-03-07T15:00:00Z", "2026-03-08T03:00:00Z"),
      Override({"erin"}, "2026-03-03T20:00:00Z", "2026-03-04T01:00:00Z"),
      Override({"dave"}, "2026-03-05T15:00:00Z", "2026-03-05T18:00:00Z"),
      Override({"dave"}, "2026-03-05T18:00:00Z", "2026-03-05T19:00:00Z"),
  };
  ExpectGolden("overrides_outside_coverage", spec, overrides, "2026-03-02T00:00:00Z",
               "2026-03-09T00:00:00Z");
  EXPECT_TRUE(OnCallAt(spec, overrides, T("2026-03-07T16:00:00Z")).empty());
  EXPECT_TRUE(OnCallAt(spec, overrides, T("2026-03-03T23:00:00Z")).empty());
}

// ---------------------------------------------------------------------------
// Direct behaviour.

TEST(RotationTest, NothingBeforeStartTime) {
  RotationSpec spec = Daily("UTC", {"alice"}, "2026-01-10T00:00:00Z", {At(9)});
  EXPECT_TRUE(OnCallAt(spec, {}, T("2026-01-09T23:59:59.999Z")).empty());
  EXPECT_EQ(OnCallAt(spec, {}, T("2026-01-10T00:00:00Z")), std::vector<std::string>{"alice"});
  const auto shifts = ComputeShifts(spec, {}, T("2026-01-01T00:00:00Z"), T("2026-01-10T00:00:00Z"));
  ASSERT_TRUE(shifts.ok());
  EXPECT_TRUE(shifts->empty());
  // Overrides never create duty, not even before start_time.
  const std::vector<OverrideSpec> overrides = {
      Override({"bob"}, "2026-01-01T00:00:00Z", "2026-01-10T01:00:00Z")};
  EXPECT_TRUE(OnCallAt(spec, overrides, T("2026-01-09T00:00:00Z")).empty());
  const auto with_override =
      ComputeShifts(spec, overrides, T("2026-01-01T00:00:00Z"), T("2026-01-11T00:00:00Z"));
  ASSERT_TRUE(with_override.ok());
  ASSERT_EQ(with_override->size(), 3u);
  EXPECT_EQ(FormatShift((*with_override)[0]),
            "2026-01-10T00:00:00Z 2026-01-10T01:00:00Z OVERRIDDEN bob alice");
}

// A hand-off exactly at start_time is not "after" it: the first shift runs to
// the next one.
TEST(RotationTest, HandOffAtStartTimeIsNotAHandOff) {
  RotationSpec spec = Daily("UTC", {"alice", "bob"}, "2026-01-10T09:00:00Z", {At(9)});
  const auto shifts = ComputeShifts(spec, {}, T("2026-01-10T00:00:00Z"), T("2026-01-11T10:00:00Z"));
  ASSERT_TRUE(shifts.ok());
  ASSERT_EQ(shifts->size(), 2u);
  EXPECT_EQ(FormatShift((*shifts)[0]), "2026-01-10T09:00:00Z 2026-01-11T09:00:00Z REGULAR alice");
  EXPECT_EQ(FormatShift((*shifts)[1]), "2026-01-11T09:00:00Z 2026-01-12T09:00:00Z REGULAR bob");
}

// Coverage bounds follow the hand-off rules: a bound in a spring-forward gap
// moves to the gap's end, one in a fall-back overlap takes the first
// occurrence. The probes after each transition come first, so an offset
// cached from after it must not leak to wall-clock times before it.
TEST(RotationTest, CoverageBoundsInGapAndOverlap) {
  RotationSpec spec =
      Weekly("America/New_York", {"alice"}, "2026-01-01T00:00:00Z", {{Weekday::kWed, At(12)}});
  spec.recurrence.shift_coverages[Weekday::kSun] = {{At(0), At(1, 30)}, {At(2, 30), At(4)}};
  // Sun 2026-11-01: 00:00 EDT = 04:00Z to the first 01:30 (EDT) = 05:30Z. The
  // second 01:30 (EST) is 06:30Z; 06:10Z (01:10 EST) is outside. 02:30 EST =
  // 07:30Z to 04:00 EST = 09:00Z.
  EXPECT_TRUE(OnCallAt(spec, {}, T("2026-11-01T06:10:00Z")).empty());
  EXPECT_EQ(OnCallAt(spec, {}, T("2026-11-01T05:29:00Z")), std::vector<std::string>{"alice"});
  EXPECT_TRUE(OnCallAt(spec, {}, T("2026-11-01T05:30:00Z")).empty());
  // Sun 2026-03-08: 00:00 EST = 05:00Z to 01:30 EST = 06:30Z; 02:30 is in the
  // gap, so the second window runs from 03:00 EDT = 07:00Z to 04:00 EDT = 08:00Z.
  EXPECT_TRUE(OnCallAt(spec, {}, T("2026-03-08T06:59:00Z")).empty());
  EXPECT_EQ(OnCallAt(spec, {}, T("2026-03-08T07:00:00Z")), std::vector<std::string>{"alice"});
  std::vector<std::string> lines;
  for (const char* day : {"2026-03-08", "2026-11-01"}) {
    const auto shifts = ComputeShifts(spec, {}, T(std::string(day) + "T00:00:00Z"),
                                      T(std::string(day) + "T12:00:00Z"));
    ASSERT_TRUE(shifts.ok());
    for (const Shift& s : *shifts) lines.push_back(FormatShift(s));
  }
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "2026-03-08T05:00:00Z 2026-03-08T06:30:00Z REGULAR alice",
                       "2026-03-08T07:00:00Z 2026-03-08T08:00:00Z REGULAR alice",
                       "2026-11-01T04:00:00Z 2026-11-01T05:30:00Z REGULAR alice",
                       "2026-11-01T07:30:00Z 2026-11-01T09:00:00Z REGULAR alice",
                   }));
}

// With every member on call the member set never changes, yet a hand-off still
// ends the shift: "maximal intervals with a constant member set" is taken within
// one hand-off interval, so every shift has a finite end.
TEST(RotationTest, AllMembersOnCallStillSplitsAtHandOffs) {
  RotationSpec spec = Daily("UTC", {"alice"}, "2026-01-01T00:00:00Z", {At(9)});
  const auto shifts = ComputeShifts(spec, {}, T("2026-01-02T00:00:00Z"), T("2026-01-03T00:00:00Z"));
  ASSERT_TRUE(shifts.ok());
  ASSERT_EQ(shifts->size(), 2u);
  EXPECT_EQ(FormatShift((*shifts)[0]), "2026-01-01T09:00:00Z 2026-01-02T09:00:00Z REGULAR alice");
  EXPECT_EQ(FormatShift((*shifts)[1]), "2026-01-02T09:00:00Z 2026-01-03T09:00:00Z REGULAR alice");
}

// Shifts keep their true extent when the window clips them, and a shift that
// ends exactly at `from` is not returned.
TEST(RotationTest, ShiftsAreUnclipped) {
  RotationSpec spec =
      Weekly("UTC", {"alice", "bob"}, "2026-01-05T09:00:00Z", {{Weekday::kMon, At(9)}});
  const auto shifts =
      ComputeShifts(spec, {}, T("2026-01-12T09:00:00Z"), T("2026-01-12T09:00:00.001Z"));
  ASSERT_TRUE(shifts.ok());
  ASSERT_EQ(shifts->size(), 1u);
  EXPECT_EQ(FormatShift((*shifts)[0]), "2026-01-12T09:00:00Z 2026-01-19T09:00:00Z REGULAR bob");
}

TEST(RotationTest, ComputeShiftsRejectsBadWindows) {
  RotationSpec spec = Daily("UTC", {"alice"}, "2026-01-01T00:00:00Z", {At(9)});
  const TimePoint t = T("2026-01-01T00:00:00Z");
  EXPECT_EQ(ComputeShifts(spec, {}, t, t).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeShifts(spec, {}, t + hours(1), t).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ComputeShifts(spec, {}, t, t + std::chrono::days(366)).ok());
  EXPECT_EQ(ComputeShifts(spec, {}, t, t + std::chrono::days(366) + Millis(1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeShifts(spec, {}, TimePoint::min(), t).status().code(),
            StatusCode::kInvalidArgument);
  const TimePoint last_ms = T("9999-12-31T23:59:59.999Z");
  EXPECT_TRUE(ComputeShifts(spec, {}, last_ms - hours(1), last_ms + Millis(1)).ok());
  EXPECT_EQ(ComputeShifts(spec, {}, last_ms - hours(1), last_ms + Millis(2)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      ComputeShifts(spec, {}, T("9999-06-01T00:00:00Z"), T("9999-12-31T23:59:59.999Z")).ok());
  // An invalid spec is reported, not trusted.
  spec.time_zone_id = "Mars/Base";
  EXPECT_EQ(ComputeShifts(spec, {}, t, t + hours(1)).status().field(), "timeZoneId");
  EXPECT_TRUE(OnCallAt(spec, {}, t + hours(1)).empty());
}

// Finding the shift at an instant decades after start_time uses the skip-ahead
// path; the count of hand-offs since 1970 must be exact. Kolkata has had one
// offset since 1945, so hand-off n (n >= 1) is day n - 1 at 03:30Z.
TEST(RotationTest, SeekAcrossDecadesCountsEveryHandOff) {
  RotationSpec spec = Daily("Asia/Kolkata", {"m0", "m1", "m2", "m3", "m4", "m5", "m6"},
                            "1970-01-01T00:00:00Z", {At(9)});
  // 2026-03-02 is day 20514 since 1970-01-01; its 03:30Z hand-off is number
  // 20515, so shift 20515 is on call: 20515 mod 7 = 5.
  EXPECT_EQ(OnCallAt(spec, {}, T("2026-03-02T12:00:00Z")), std::vector<std::string>{"m5"});
  EXPECT_EQ(OnCallAt(spec, {}, T("2026-03-02T03:29:59Z")), std::vector<std::string>{"m4"});
  EXPECT_EQ(OnCallAt(spec, {}, T("2026-03-02T03:30:00Z")), std::vector<std::string>{"m5"});
}

// The same for New York, where three hand-offs (02:00, 02:30, 03:00) collapse
// into one on every spring-forward day. 2010-01-01 .. 2026-03-01 are 5904 days
// holding 16 spring-forwards (2010..2025; 2026's is on 03-08); each removes two
// hand-offs.
TEST(RotationTest, SeekAcrossYearsCountsCollapsedHandOffs) {
  RotationSpec spec = Daily("America/New_York", {"m0", "m1", "m2", "m3", "m4"},
                            "2010-01-01T00:00:00Z", {At(2), At(2, 30), At(3)});
  // Hand-offs on 2010-01-01 .. 2026-03-01: 3 * 5904 - 2 * 16 = 17680. The first
  // is 2010-01-01 02:00 EST, after start_time (2009-12-31 19:00 EST). At
  // 2026-03-02 12:00Z (07:00 EST) that day's three have happened too: 17683 in
  // all, so shift 17683 is on call, and 17683 mod 5 = 3.
  EXPECT_EQ(OnCallAt(spec, {}, T("2026-03-02T12:00:00Z")), std::vector<std::string>{"m3"});
}

// Consecutive windows computed independently (each seeks from start_time)
// agree on the shifts they share, so skipping ahead gives the same result as
// walking every hand-off. Covers every kind of recurrence in DST zones over
// decades, including the 2037 end of the OS tz data.
TEST(RotationTest, SkipAheadMatchesWalking) {
  std::vector<RotationSpec> specs = {
      Daily("America/New_York", {"a", "b", "c", "d", "e"}, "1970-01-01T00:00:00Z",
            {At(0), At(2), At(2, 30), At(3), At(23, 59)}),
      Daily("Australia/Lord_Howe", {"a", "b", "c"}, "1981-06-01T00:00:00Z", {At(2, 15)}),
      Weekly("Europe/London", {"a", "b", "c", "d"}, "1972-03-01T00:00:00Z",
             {{Weekday::kSun, At(1, 30)}, {Weekday::kWed, At(12)}}),
      Monthly("Australia/Sydney", {"a", "b", "c"}, "1975-01-01T00:00:00Z",
              {{31, At(2, 30)}, {1, At(2, 30)}, {15, At(0)}}),
  };
  specs[1].recurrence.recurrence_multiplier = 3;
  specs[2].recurrence.recurrence_multiplier = 2;
  specs[3].recurrence.recurrence_multiplier = 5;
  for (const RotationSpec& spec : specs) {
    std::vector<Shift> previous;
    for (TimePoint from = spec.start_time; from < T("2045-01-01T00:00:00Z");
         from += std::chrono::days(300)) {
      const auto shifts = ComputeShifts(spec, {}, from, from + std::chrono::days(366));
      ASSERT_TRUE(shifts.ok());
      ASSERT_FALSE(shifts->empty());
      // Every previous shift that reaches past `from` must reappear unchanged.
      std::vector<Shift> expected;
      for (const Shift& s : previous) {
        if (s.end_time > from) expected.push_back(s);
      }
      ASSERT_LE(expected.size(), shifts->size());
      for (size_t i = 0; i < expected.size(); ++i) {
        ASSERT_EQ(FormatShift((*shifts)[i]), FormatShift(expected[i]))
            << spec.time_zone_id << " window from " << FormatRfc3339(from);
      }
      previous = *shifts;
    }
  }
}

// A year of a daily rotation that started decades earlier is cheap. The bound
// only catches pathological slowness: an optimized build takes about 0.05 ms
// per call, a sanitizer build about 2 ms.
TEST(RotationTest, ComputeShiftsIsFast) {
  const RotationSpec spec =
      Daily("America/New_York", {"alice", "bob", "carol"}, "1970-01-01T00:00:00Z", {At(9)});
  const auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) {
    const auto shifts =
        ComputeShifts(spec, {}, T("2026-01-01T00:00:00Z"), T("2027-01-01T00:00:00Z"));
    ASSERT_TRUE(shifts.ok());
    EXPECT_EQ(shifts->size(), 366u);
  }
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  EXPECT_LT(elapsed, std::chrono::milliseconds(1000));
}

// ---------------------------------------------------------------------------
// Properties over random rotations (fixed seed, so failures reproduce).

class Random {
 public:
  explicit Random(uint32_t seed) : engine_(seed) {}
  // Uniform in [lo, hi]; the modulo bias is irrelevant here and, unlike
  // std::uniform_int_distribution, the sequence is the same on every platform.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(engine_() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool OneIn(int64_t n) { return Between(1, n) == 1; }

 private:
  std::mt19937_64 engine_;
};

HandOffTime RandomTime(Random& rng) {
  // Mostly around typical transition times, to hit gaps and overlaps.
  if (rng.OneIn(2)) {
    return At(static_cast<int>(rng.Between(0, 3)), static_cast<int>(rng.Between(0, 3)) * 15);
  }
  return At(static_cast<int>(rng.Between(0, 23)), static_cast<int>(rng.Between(0, 59)));
}

RotationSpec RandomSpec(Random& rng) {
  static const std::vector<std::string> kZones = {
      "America/New_York", "Europe/London",    "Australia/Lord_Howe", "Australia/Sydney",
      "Asia/Kolkata",     "Pacific/Auckland", "America/Sao_Paulo",   "Pacific/Apia",
      "America/St_Johns", "Asia/Tehran",      "Africa/Casablanca",   "Europe/Dublin",
      "America/Havana",   "Antarctica/Troll", "Pacific/Chatham",     "UTC"};
  RotationSpec spec;
  const int64_t n = rng.Between(1, 6);
  for (int64_t i = 0; i < n; ++i) spec.members.push_back("m" + std::to_string(i));
  spec.time_zone_id = kZones[static_cast<size_t>(rng.Between(0, 15))];
  spec.start_time = T("2005-01-01T00:00:00Z") + Millis(rng.Between(0, 25LL * 365 * 86'400'000));
  Recurrence& r = spec.recurrence;
  r.number_of_on_calls = static_cast<int>(rng.Between(1, n));
  r.recurrence_multiplier =
      static_cast<int>(rng.OneIn(3) ? rng.Between(1, 100) : rng.Between(1, 3));
  const int64_t settings = rng.Between(1, 5);
  const int64_t kind = rng.Between(0, 2);
  for (int64_t i = 0; i < settings; ++i) {
    const HandOffTime t = RandomTime(rng);
    if (kind == 0) {
      if (std::find(r.daily_settings.begin(), r.daily_settings.end(), t) ==
          r.daily_settings.end()) {
        r.daily_settings.push_back(t);
      }
    } else if (kind == 1) {
      const WeeklySetting s{static_cast<Weekday>(rng.Between(0, 6)), t};
      if (std::find(r.weekly_settings.begin(), r.weekly_settings.end(), s) ==
          r.weekly_settings.end()) {
        r.weekly_settings.push_back(s);
      }
    } else {
      const MonthlySetting s{
          static_cast<int>(rng.OneIn(2) ? rng.Between(27, 31) : rng.Between(1, 31)), t};
      if (std::find(r.monthly_settings.begin(), r.monthly_settings.end(), s) ==
          r.monthly_settings.end()) {
        r.monthly_settings.push_back(s);
      }
    }
  }
  return spec;
}

// Adds up to 3 random non-overlapping windows per weekday.
void AddRandomCoverage(Random& rng, RotationSpec& spec) {
  for (int d = 0; d < 7; ++d) {
    if (rng.OneIn(3)) continue;
    std::vector<CoverageWindow>& list = spec.recurrence.shift_coverages[static_cast<Weekday>(d)];
    for (int64_t tries = rng.Between(1, 3); tries > 0; --tries) {
      const CoverageWindow w{RandomTime(rng), RandomTime(rng)};
      list.push_back(w);
      if (!ValidateRotationSpec(spec).ok()) list.pop_back();
    }
  }
}

std::vector<OverrideSpec> RandomOverrides(Random& rng, TimePoint from, TimePoint to) {
  std::vector<int64_t> cuts;
  const int64_t count = rng.Between(0, 6);
  for (int64_t i = 0; i < 2 * count; ++i) {
    cuts.push_back(rng.Between(0, (to - from).count()));
  }
  std::sort(cuts.begin(), cuts.end());
  std::vector<OverrideSpec> out;
  for (size_t i = 0; i + 1 < cuts.size(); i += 2) {
    if (cuts[i] == cuts[i + 1]) continue;
    OverrideSpec o;
    o.start_time = from + Millis(cuts[i]);
    o.end_time = from + Millis(cuts[i + 1]);
    for (int64_t j = rng.Between(0, 2); j > 0; --j) o.members.push_back("o" + std::to_string(j));
    out.push_back(o);
  }
  return out;
}

// Index of members[0] of a regular window, for checking how windows advance.
int64_t WindowStart(const RotationSpec& spec, const std::vector<std::string>& members) {
  const auto it = std::find(spec.members.begin(), spec.members.end(), members.front());
  return it - spec.members.begin();
}

TEST(RotationPropertyTest, WithoutCoverageShiftsTileTime) {
  Random rng(20260302);
  for (int round = 0; round < 300; ++round) {
    const RotationSpec spec = RandomSpec(rng);
    ASSERT_TRUE(ValidateRotationSpec(spec).ok()) << ValidateRotationSpec(spec).ToString();
    const TimePoint from =
        spec.start_time + Millis(rng.Between(-40LL * 86'400'000, 3LL * 365 * 86'400'000));
    const TimePoint to = from + Millis(rng.Between(1, 60LL * 86'400'000));
    const auto shifts = ComputeShifts(spec, {}, from, to);
    ASSERT_TRUE(shifts.ok()) << shifts.status().ToString();
    const std::string where = spec.time_zone_id + " round " + std::to_string(round);
    if (to <= spec.start_time) {
      EXPECT_TRUE(shifts->empty()) << where;
      continue;
    }
    ASSERT_FALSE(shifts->empty()) << where;
    EXPECT_LE(shifts->front().start_time, std::max(from, spec.start_time)) << where;
    EXPECT_GE(shifts->front().start_time, spec.start_time) << where;
    EXPECT_GE(shifts->back().end_time, to) << where;
    const auto n = static_cast<int64_t>(spec.members.size());
    const int64_t k = spec.recurrence.number_of_on_calls;
    for (size_t i = 0; i < shifts->size(); ++i) {
      const Shift& s = (*shifts)[i];
      EXPECT_LT(s.start_time, s.end_time) << where;
      EXPECT_EQ(s.type, ShiftType::kRegular) << where;
      ASSERT_EQ(static_cast<int64_t>(s.members.size()), k) << where;
      EXPECT_EQ(std::set<std::string>(s.members.begin(), s.members.end()).size(), s.members.size());
      if (i == 0) continue;
      const Shift& prev = (*shifts)[i - 1];
      EXPECT_EQ(prev.end_time, s.start_time) << where << " shift " << i;
      EXPECT_EQ(WindowStart(spec, s.members), (WindowStart(spec, prev.members) + k) % n) << where;
      // Hand-offs are whole minutes.
      EXPECT_EQ(s.start_time.time_since_epoch().count() % 60'000, 0) << where;
    }
    for (int probe = 0; probe < 20; ++probe) {
      const TimePoint t = from + Millis(rng.Between(0, (to - from).count() - 1));
      std::vector<std::string> expected;
      for (const Shift& s : *shifts) {
        if (s.start_time <= t && t < s.end_time) expected = s.members;
      }
      EXPECT_EQ(OnCallAt(spec, {}, t), expected) << where << " at " << FormatRfc3339(t);
    }
  }
}

TEST(RotationPropertyTest, WithCoverageAndOverridesOnCallAtAgrees) {
  Random rng(77);
  for (int round = 0; round < 300; ++round) {
    RotationSpec spec = RandomSpec(rng);
    if (!rng.OneIn(4)) AddRandomCoverage(rng, spec);
    const TimePoint from =
        spec.start_time + Millis(rng.Between(-10LL * 86'400'000, 400LL * 86'400'000));
    const TimePoint to = from + Millis(rng.Between(1, 30LL * 86'400'000));
    const std::vector<OverrideSpec> overrides =
        RandomOverrides(rng, from - hours(48), to + hours(48));
    ASSERT_TRUE(ValidateRotationSpec(spec).ok()) << ValidateRotationSpec(spec).ToString();
    ASSERT_TRUE(ValidateOverrides(overrides).ok()) << ValidateOverrides(overrides).ToString();
    const auto shifts = ComputeShifts(spec, overrides, from, to);
    ASSERT_TRUE(shifts.ok()) << shifts.status().ToString();
    const std::string where = spec.time_zone_id + " round " + std::to_string(round);
    for (size_t i = 0; i < shifts->size(); ++i) {
      const Shift& s = (*shifts)[i];
      EXPECT_LT(s.start_time, s.end_time) << where;
      EXPECT_GE(s.start_time, spec.start_time) << where;
      EXPECT_TRUE(s.start_time < to && s.end_time > from) << where;
      if (i > 0) {
        EXPECT_LE((*shifts)[i - 1].end_time, s.start_time) << where;
      }
      if (s.type == ShiftType::kOverridden) {
        const bool inside =
            std::any_of(overrides.begin(), overrides.end(), [&](const OverrideSpec& o) {
              return o.start_time <= s.start_time && s.end_time <= o.end_time &&
                     o.members == s.members;
            });
        EXPECT_TRUE(inside) << where;
      }
    }
    for (int probe = 0; probe < 30; ++probe) {
      const TimePoint t = from + Millis(rng.Between(0, (to - from).count() - 1));
      std::vector<std::string> expected;
      for (const Shift& s : *shifts) {
        if (s.start_time <= t && t < s.end_time) expected = s.members;
      }
      EXPECT_EQ(OnCallAt(spec, overrides, t), expected) << where << " at " << FormatRfc3339(t);
    }
  }
}

// ---------------------------------------------------------------------------
// Validation: every rule, with its field path.

RotationSpec ValidSpec() {
  RotationSpec spec = Weekly("America/New_York", {"alice", "bob", "carol"}, "2026-02-23T14:00:00Z",
                             {{Weekday::kMon, At(9)}});
  return spec;
}

void ExpectInvalid(const RotationSpec& spec, std::string_view field, std::string_view message) {
  const Status status = ValidateRotationSpec(spec);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << field;
  EXPECT_EQ(status.field(), field);
  EXPECT_EQ(status.message(), message) << field;
}

TEST(RotationValidationTest, AcceptsValidSpecs) {
  EXPECT_TRUE(ValidateRotationSpec(ValidSpec()).ok());
  RotationSpec spec = ValidSpec();
  spec.members.clear();
  for (int i = 0; i < 30; ++i) spec.members.push_back("m" + std::to_string(i));
  spec.recurrence.number_of_on_calls = 30;
  spec.recurrence.recurrence_multiplier = 100;
  for (int i = 0; i < 10; ++i) {
    spec.recurrence.shift_coverages[Weekday::kSun].push_back({At(2 * i), At(2 * i + 1)});
  }
  EXPECT_TRUE(ValidateRotationSpec(spec).ok()) << ValidateRotationSpec(spec).ToString();
  spec.recurrence.weekly_settings.clear();
  for (int i = 0; i < 30; ++i) spec.recurrence.daily_settings.push_back(At(i % 24, i / 24));
  EXPECT_TRUE(ValidateRotationSpec(spec).ok()) << ValidateRotationSpec(spec).ToString();
}

TEST(RotationValidationTest, Members) {
  RotationSpec spec = ValidSpec();
  spec.members.clear();
  spec.recurrence.number_of_on_calls = 1;
  ExpectInvalid(spec, "members", "must have between 1 and 30 members");
  for (int i = 0; i < 31; ++i) spec.members.push_back("m" + std::to_string(i));
  ExpectInvalid(spec, "members", "must have between 1 and 30 members");
  spec.members = {"alice", "bob", "carol", "bob"};
  ExpectInvalid(spec, "members[3]", "must be unique; same as members[1]");
  spec.members = {"alice", ""};
  ExpectInvalid(spec, "members[1]", "must not be empty");
}

TEST(RotationValidationTest, StartTimeAndZone) {
  RotationSpec spec = ValidSpec();
  spec.start_time = T("1970-01-01T00:00:00Z") - Millis(1);
  ExpectInvalid(spec, "startTime", "must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
  spec = ValidSpec();
  spec.time_zone_id = "Mars/Base";
  ExpectInvalid(spec, "timeZoneId", "unknown time zone \"Mars/Base\"");
  spec.time_zone_id = "";
  ExpectInvalid(spec, "timeZoneId", "unknown time zone \"\"");
  spec.time_zone_id = "localtime";
  ExpectInvalid(spec, "timeZoneId", "unknown time zone \"localtime\"");
  EXPECT_TRUE(IsKnownTimeZone("Australia/Lord_Howe"));
  EXPECT_TRUE(IsKnownTimeZone("UTC"));
  EXPECT_FALSE(IsKnownTimeZone("america/new_york"));
  EXPECT_FALSE(IsKnownTimeZone("../../etc/passwd"));
}

TEST(RotationValidationTest, ExactlyOneKindOfSettings) {
  RotationSpec spec = ValidSpec();
  spec.recurrence.weekly_settings.clear();
  ExpectInvalid(spec, "recurrence",
                "exactly one of dailySettings, weeklySettings, monthlySettings must be set");
  spec = ValidSpec();
  spec.recurrence.daily_settings = {At(9)};
  ExpectInvalid(spec, "recurrence",
                "exactly one of dailySettings, weeklySettings, monthlySettings must be set");
  spec = ValidSpec();
  spec.recurrence.monthly_settings = {{1, At(9)}};
  ExpectInvalid(spec, "recurrence",
                "exactly one of dailySettings, weeklySettings, monthlySettings must be set");
}

TEST(RotationValidationTest, DailySettings) {
  RotationSpec spec = ValidSpec();
  spec.recurrence.weekly_settings.clear();
  spec.recurrence.daily_settings = {At(24)};
  ExpectInvalid(spec, "recurrence.dailySettings[0].hourOfDay", "must be between 0 and 23");
  spec.recurrence.daily_settings = {At(9), At(-1)};
  ExpectInvalid(spec, "recurrence.dailySettings[1].hourOfDay", "must be between 0 and 23");
  spec.recurrence.daily_settings = {At(9, 60)};
  ExpectInvalid(spec, "recurrence.dailySettings[0].minuteOfHour", "must be between 0 and 59");
  spec.recurrence.daily_settings = {At(9), At(10), At(9)};
  ExpectInvalid(spec, "recurrence.dailySettings[2]",
                "must be unique; same as recurrence.dailySettings[0]");
  spec.recurrence.daily_settings.clear();
  for (int i = 0; i < 31; ++i) spec.recurrence.daily_settings.push_back(At(i % 24, i / 24));
  ExpectInvalid(spec, "recurrence.dailySettings", "must have at most 30 entries");
}

TEST(RotationValidationTest, WeeklySettings) {
  RotationSpec spec = ValidSpec();
  spec.recurrence.weekly_settings = {{Weekday::kMon, At(9)}, {static_cast<Weekday>(7), At(9)}};
  ExpectInvalid(spec, "recurrence.weeklySettings[1].dayOfWeek",
                "must be one of MON, TUE, WED, THU, FRI, SAT, SUN");
  spec.recurrence.weekly_settings = {{Weekday::kMon, At(9)}, {Weekday::kTue, At(9, 75)}};
  ExpectInvalid(spec, "recurrence.weeklySettings[1].handOffTime.minuteOfHour",
                "must be between 0 and 59");
  spec.recurrence.weekly_settings = {{Weekday::kMon, At(9)}, {Weekday::kTue, At(25)}};
  ExpectInvalid(spec, "recurrence.weeklySettings[1].handOffTime.hourOfDay",
                "must be between 0 and 23");
  spec.recurrence.weekly_settings = {{Weekday::kMon, At(9)}, {Weekday::kMon, At(9)}};
  ExpectInvalid(spec, "recurrence.weeklySettings[1]",
                "must be unique; same as recurrence.weeklySettings[0]");
  spec.recurrence.weekly_settings.clear();
  for (int i = 0; i < 31; ++i) {
    spec.recurrence.weekly_settings.push_back({Weekday::kMon, At(i % 24, i / 24)});
  }
  ExpectInvalid(spec, "recurrence.weeklySettings", "must have at most 30 entries");
}

TEST(RotationValidationTest, MonthlySettings) {
  RotationSpec spec = ValidSpec();
  spec.recurrence.weekly_settings.clear();
  spec.recurrence.monthly_settings = {{0, At(9)}};
  ExpectInvalid(spec, "recurrence.monthlySettings[0].dayOfMonth", "must be between 1 and 31");
  spec.recurrence.monthly_settings = {{31, At(9)}, {32, At(9)}};
  ExpectInvalid(spec, "recurrence.monthlySettings[1].dayOfMonth", "must be between 1 and 31");
  spec.recurrence.monthly_settings = {{1, At(9, -1)}};
  ExpectInvalid(spec, "recurrence.monthlySettings[0].handOffTime.minuteOfHour",
                "must be between 0 and 59");
  // Days 30 and 31 differ (they only coincide in short months), so both are fine.
  spec.recurrence.monthly_settings = {{30, At(9)}, {31, At(9)}};
  EXPECT_TRUE(ValidateRotationSpec(spec).ok());
  spec.recurrence.monthly_settings = {{30, At(9)}, {31, At(9)}, {30, At(9)}};
  ExpectInvalid(spec, "recurrence.monthlySettings[2]",
                "must be unique; same as recurrence.monthlySettings[0]");
  spec.recurrence.monthly_settings.clear();
  for (int i = 0; i < 31; ++i) spec.recurrence.monthly_settings.push_back({i + 1, At(9)});
  ExpectInvalid(spec, "recurrence.monthlySettings", "must have at most 30 entries");
}

TEST(RotationValidationTest, OnCallsAndMultiplier) {
  RotationSpec spec = ValidSpec();
  spec.recurrence.number_of_on_calls = 0;
  ExpectInvalid(spec, "recurrence.numberOfOnCalls", "must be at least 1");
  spec.recurrence.number_of_on_calls = 4;
  ExpectInvalid(spec, "recurrence.numberOfOnCalls", "must not exceed the number of members (3)");
  spec.recurrence.number_of_on_calls = 3;
  EXPECT_TRUE(ValidateRotationSpec(spec).ok());
  spec.recurrence.recurrence_multiplier = 0;
  ExpectInvalid(spec, "recurrence.recurrenceMultiplier", "must be between 1 and 100");
  spec.recurrence.recurrence_multiplier = 101;
  ExpectInvalid(spec, "recurrence.recurrenceMultiplier", "must be between 1 and 100");
}

TEST(RotationValidationTest, ShiftCoverages) {
  RotationSpec spec = ValidSpec();
  auto& coverages = spec.recurrence.shift_coverages;
  coverages[Weekday::kMon] = {{At(9), At(17)}, {At(24), At(1)}};
  ExpectInvalid(spec, "recurrence.shiftCoverages.MON[1].start.hourOfDay",
                "must be between 0 and 23");
  coverages[Weekday::kMon] = {{At(9), At(17, 60)}};
  ExpectInvalid(spec, "recurrence.shiftCoverages.MON[0].end.minuteOfHour",
                "must be between 0 and 59");
  coverages[Weekday::kMon] = {{At(9), At(17)}, {At(16), At(18)}};
  ExpectInvalid(spec, "recurrence.shiftCoverages.MON[1]",
                "windows of one day must not overlap; overlaps recurrence.shiftCoverages.MON[0]");
  // The part after midnight counts: 22:00-06:00 holds 05:00-07:00's first hour.
  coverages[Weekday::kMon] = {{At(22), At(6)}, {At(5), At(7)}};
  ExpectInvalid(spec, "recurrence.shiftCoverages.MON[1]",
                "windows of one day must not overlap; overlaps recurrence.shiftCoverages.MON[0]");
  // 24 hours (end == start) overlaps anything else on that day.
  coverages[Weekday::kMon] = {{At(12), At(13)}, {At(8), At(8)}};
  ExpectInvalid(spec, "recurrence.shiftCoverages.MON[1]",
                "windows of one day must not overlap; overlaps recurrence.shiftCoverages.MON[0]");
  // Touching windows and windows of different days may meet.
  coverages[Weekday::kMon] = {{At(22), At(6)}, {At(6), At(9)}, {At(9), At(22)}};
  coverages[Weekday::kTue] = {{At(0), At(0)}};
  EXPECT_TRUE(ValidateRotationSpec(spec).ok()) << ValidateRotationSpec(spec).ToString();
  coverages[Weekday::kTue].assign(11, CoverageWindow{});
  for (int i = 0; i < 11; ++i) {
    coverages[Weekday::kTue][static_cast<size_t>(i)] = {At(i), At(i, 30)};
  }
  ExpectInvalid(spec, "recurrence.shiftCoverages.TUE", "must have at most 10 windows");
  coverages.clear();
  coverages[Weekday::kWed] = {};
  ExpectInvalid(spec, "recurrence.shiftCoverages", "must contain at least one window when set");
  coverages.clear();
  coverages[static_cast<Weekday>(9)] = {{At(9), At(17)}};
  ExpectInvalid(spec, "recurrence.shiftCoverages", "unknown day of week");
}

TEST(RotationValidationTest, Overrides) {
  EXPECT_TRUE(ValidateOverrides({}).ok());
  std::vector<OverrideSpec> overrides = {
      Override({"a"}, "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"),
      Override({}, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"),
  };
  EXPECT_TRUE(ValidateOverrides(overrides).ok());
  overrides.push_back(Override({"b"}, "2026-03-05T00:00:00Z", "2026-03-05T00:00:00Z"));
  Status status = ValidateOverrides(overrides);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.field(), "overrides[2]");
  EXPECT_EQ(status.message(), "startTime must be before endTime");

  overrides[2] = Override({"b"}, "2026-02-28T00:00:00Z", "2026-03-01T00:00:00.001Z");
  status = ValidateOverrides(overrides);
  EXPECT_EQ(status.field(), "overrides[2]");
  EXPECT_EQ(status.message(), "must not overlap overrides[0]");

  overrides[2] = Override({"b", "c", "b"}, "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z");
  status = ValidateOverrides(overrides);
  EXPECT_EQ(status.field(), "overrides[2].members[2]");
  EXPECT_EQ(status.message(), "must be unique; same as overrides[2].members[0]");

  overrides[2].members.clear();
  for (int i = 0; i < 31; ++i) overrides[2].members.push_back("m" + std::to_string(i));
  status = ValidateOverrides(overrides);
  EXPECT_EQ(status.field(), "overrides[2].members");
  EXPECT_EQ(status.message(), "must have at most 30 members");
}

TEST(RotationValidationTest, WeekdayNames) {
  for (int d = 0; d < 7; ++d) {
    const auto day = static_cast<Weekday>(d);
    EXPECT_EQ(ParseWeekday(WeekdayName(day)), day);
  }
  EXPECT_EQ(ParseWeekday("mon"), std::nullopt);
  EXPECT_EQ(ParseWeekday("MONDAY"), std::nullopt);
}

}  // namespace
}  // namespace tocsin::domain
