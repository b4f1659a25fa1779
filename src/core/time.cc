#include "tocsin/core/time.h"

#include <cstdio>

namespace tocsin {
namespace {

bool ParseDigits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string FormatRfc3339(TimePoint t) {
  using std::chrono::days;
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss<Millis> tod(t - day);
  const int year = static_cast<int>(ymd.year());
  const auto month = static_cast<unsigned>(ymd.month());
  const auto dd = static_cast<unsigned>(ymd.day());
  const auto hh = static_cast<unsigned>(tod.hours().count());
  const auto mm = static_cast<unsigned>(tod.minutes().count());
  const auto ss = static_cast<unsigned>(tod.seconds().count());
  const auto ms = static_cast<unsigned>(tod.subseconds().count());
  if (year < 0 || year > 9999) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02u:%02u:%02u", year, month, dd, hh, mm, ss);
    std::string out = buf;
    if (ms != 0) {
      std::snprintf(buf, sizeof(buf), ".%03u", ms);
      out += buf;
    }
    return out + "Z";
  }
  // Written by hand: every timestamp of every response goes through here,
  // and snprintf was a visible share of rendering an incident list.
  std::string out = "0000-00-00T00:00:00.000Z";
  const auto put = [&out](size_t at, unsigned value, int digits) {
    for (int d = digits - 1; d >= 0; --d, value /= 10) {
      out[at + static_cast<size_t>(d)] = static_cast<char>('0' + value % 10);
    }
  };
  put(0, static_cast<unsigned>(year), 4);
  put(5, month, 2);
  put(8, dd, 2);
  put(11, hh, 2);
  put(14, mm, 2);
  put(17, ss, 2);
  if (ms == 0) {
    out.erase(19, 4);  // No fraction: "…:SSZ".
  } else {
    put(20, ms, 3);
  }
  return out;
}

std::optional<TimePoint> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ParseDigits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !ParseDigits(s, 5, 2, month) ||
      s[7] != '-' || !ParseDigits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !ParseDigits(s, 11, 2, hour) || s[13] != ':' || !ParseDigits(s, 14, 2, minute) ||
      s[16] != ':' || !ParseDigits(s, 17, 2, second)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (size_t i = digits; i < 3; ++i) millis *= 10;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!ParseDigits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ParseDigits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  if (year < 1970 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  // A leap second is folded onto the following second.
  const auto local = std::chrono::sys_days(ymd) + std::chrono::hours(hour) +
                     std::chrono::minutes(minute) + std::chrono::seconds(second) + Millis(millis);
  return TimePoint(std::chrono::duration_cast<Millis>(local.time_since_epoch()) -
                   std::chrono::minutes(offset_minutes));
}

}  // namespace tocsin
