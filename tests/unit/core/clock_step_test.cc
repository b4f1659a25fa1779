#include "tocsin/core/clock_step.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

class ClockStepTest : public ::testing::Test {
 protected:
  // Moves the monotonic clock by `elapsed` and the wall clock by `elapsed` + `step`.
  std::optional<ClockStep> Tick(Millis elapsed, Millis step = Millis(0)) {
    mono_ += elapsed;
    wall_ += elapsed + step;
    return detector_.Sample(wall_, mono_);
  }

  ClockStepDetector detector_;
  TimePoint wall_ = TimePoint(hours(24 * 365 * 56));
  ClockStepDetector::Monotonic mono_{};
};

TEST_F(ClockStepTest, FirstSampleOnlyPrimes) {
  EXPECT_FALSE(detector_.Sample(wall_, mono_));
  EXPECT_FALSE(Tick(seconds(1)));
}

TEST_F(ClockStepTest, SlowOrPausedProcessIsNoStep) {
  detector_.Sample(wall_, mono_);
  EXPECT_FALSE(Tick(seconds(30)));                    // A long pause moves both clocks.
  EXPECT_FALSE(Tick(seconds(1), milliseconds(900)));  // NTP-sized corrections pass.
  EXPECT_FALSE(Tick(seconds(1), milliseconds(-1000)));
}

TEST_F(ClockStepTest, ForwardAndBackwardStepsAreReportedOnce) {
  detector_.Sample(wall_, mono_);
  const TimePoint before = wall_;
  auto forward = Tick(seconds(1), hours(1));
  ASSERT_TRUE(forward);
  EXPECT_EQ(forward->step, hours(1));
  EXPECT_EQ(forward->before, before + seconds(1));
  EXPECT_EQ(forward->after, before + seconds(1) + hours(1));
  EXPECT_FALSE(Tick(seconds(1)));  // The next sample starts from the new time.

  auto backward = Tick(milliseconds(200), -hours(1));
  ASSERT_TRUE(backward);
  EXPECT_EQ(backward->step, -hours(1));
  EXPECT_FALSE(Tick(seconds(1)));
}

}  // namespace
}  // namespace tocsin
