#include "tocsin/core/clock.h"

#include <algorithm>

namespace tocsin {
namespace {

class RealClock final : public Clock {
 public:
  TimePoint Now() override {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  }

  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) override {
    // Wait on the steady clock for at most a second at a time: a wall-clock step
    // then delays a deadline by at most one second instead of by the step.
    const auto remaining = deadline - Now();
    if (remaining <= Millis(0)) return;
    const auto wait =
        std::min<std::chrono::steady_clock::duration>(remaining, std::chrono::seconds(1));
    cv.wait_for(lock, wait);
  }
};

class OffsetClock final : public Clock {
 public:
  OffsetClock(Clock& base, Millis offset) : base_(base), offset_(offset) {}
  TimePoint Now() override { return base_.Now() + offset_; }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) override {
    base_.WaitUntil(cv, lock, deadline - offset_);
  }

 private:
  Clock& base_;
  const Millis offset_;
};

}  // namespace

std::unique_ptr<Clock> NewOffsetClock(Clock& base, Millis offset) {
  return std::make_unique<OffsetClock>(base, offset);
}

Clock& SystemClock() {
  static RealClock* clock = new RealClock();  // Never destroyed: used by detached threads.
  return *clock;
}

}  // namespace tocsin
