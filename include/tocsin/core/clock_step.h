// Notices steps of the wall clock (an operator's `date -s`, NTP stepping
// after a long drift, a VM resumed from a snapshot) by comparing how far the
// wall clock and the monotonic clock moved between two samples: only a step
// makes them disagree, while a slow or paused process moves both alike.
//
// Thread-compatible.
#pragma once

#include <chrono>
#include <optional>

#include "tocsin/core/time.h"

namespace tocsin {

struct ClockStep {
  Millis step{0};      // Positive: the wall clock jumped forward.
  TimePoint before{};  // Where the wall clock would be without the step.
  TimePoint after{};   // Where it is.
};

class ClockStepDetector {
 public:
  using Monotonic = std::chrono::steady_clock::time_point;

  explicit ClockStepDetector(Millis threshold = std::chrono::seconds(1)) : threshold_(threshold) {}

  // Returns the step since the previous sample when it is larger than the
  // threshold either way; the first sample only sets the reference.
  std::optional<ClockStep> Sample(TimePoint wall, Monotonic monotonic) {
    std::optional<ClockStep> out;
    if (primed_) {
      const auto elapsed = std::chrono::duration_cast<Millis>(monotonic - monotonic_);
      const Millis step = (wall - wall_) - elapsed;
      if (step > threshold_ || step < -threshold_) out = ClockStep{step, wall_ + elapsed, wall};
    }
    primed_ = true;
    wall_ = wall;
    monotonic_ = monotonic;
    return out;
  }

 private:
  Millis threshold_;
  bool primed_ = false;
  TimePoint wall_{};
  Monotonic monotonic_{};
};

}  // namespace tocsin
