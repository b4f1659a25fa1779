#include "tocsin/core/time.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TEST(TimeTest, FormatsWholeSecondsWithoutFraction) {
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1'772'460'000'000)), "2026-03-02T14:00:00Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1'772'460'000'123)), "2026-03-02T14:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(0)), "1970-01-01T00:00:00Z");
}

TEST(TimeTest, FormatsEveryFieldWithItsPadding) {
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1'000'000'000'007)), "2001-09-09T01:46:40.007Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1'772'495'999'999)), "2026-03-02T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(253'402'300'799'000)), "9999-12-31T23:59:59Z");
  // Years past four digits are still written in full (the slow path).
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(253'402'300'800'010)), "10000-01-01T00:00:00.010Z");
  for (int64_t ms : {int64_t{0}, int64_t{86'399'999}, int64_t{1'772'460'000'123}}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(FromUnixMillis(ms))), FromUnixMillis(ms)) << ms;
  }
}

TEST(TimeTest, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(ParseRfc3339("2026-03-02T14:00:00Z"), FromUnixMillis(1'772'460'000'000));
  EXPECT_EQ(ParseRfc3339("2026-03-02T09:00:00-05:00"), FromUnixMillis(1'772'460'000'000));
  EXPECT_EQ(ParseRfc3339("2026-03-02T19:30:00+05:30"), FromUnixMillis(1'772'460'000'000));
  EXPECT_EQ(ParseRfc3339("2026-03-02T14:00:00.5Z"), FromUnixMillis(1'772'460'000'500));
  EXPECT_EQ(ParseRfc3339("2026-03-02T14:00:00.123456Z"), FromUnixMillis(1'772'460'000'123));
}

TEST(TimeTest, RejectsMalformedText) {
  for (const char* bad :
       {"", "2026-03-02", "2026-03-02T14:00:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-03-02T24:00:00Z", "2026-03-02 14:00:00Z", "2026-03-02T14:00:00.Z",
        "2026-03-02T14:00:00Zjunk", "1969-12-31T23:59:59Z", "2026-03-02T14:00:00+5:00",
        "abcd-03-02T14:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(TimeTest, RoundTrips) {
  for (int64_t ms : {0LL, 1LL, 999LL, 1'700'000'000'000LL, 253'402'300'799'999LL}) {
    const auto t = FromUnixMillis(ms);
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t) << ms;
  }
}

}  // namespace
}  // namespace tocsin
