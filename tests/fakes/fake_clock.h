// FakeClock: a Clock that moves only when a test advances it.
//
// Advance() bumps the time and wakes every thread blocked in WaitUntil(), so a
// background scheduler re-checks its deadlines immediately. Thread-safe.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "tocsin/core/clock.h"

namespace tocsin::test {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = FromUnixMillis(1'767'225'600'000))  // 2026-01-01Z
      : now_(start) {}

  TimePoint Now() override {
    std::lock_guard<std::mutex> guard(mu_);
    return now_;
  }

  void Advance(Millis delta) {
    std::vector<Waiter> waiters;
    {
      std::lock_guard<std::mutex> guard(mu_);
      now_ += delta;
      waiters = waiters_;
    }
    for (const Waiter& w : waiters) {
      // Taking the waiter's mutex orders this notify after its wait began;
      // without it the wake-up can fall between its time check and its wait.
      std::lock_guard<std::mutex> guard(*w.mutex);
      w.cv->notify_all();
    }
  }

  void Set(TimePoint t) { Advance(t - Now()); }

  // Returns how many threads are blocked in WaitUntil (for tests that need a
  // background thread to have gone idle).
  size_t WaiterCount() {
    std::lock_guard<std::mutex> guard(mu_);
    return waiters_.size();
  }

  // tocsin::Clock
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) override {
    const Waiter self{&cv, lock.mutex()};
    {
      std::lock_guard<std::mutex> guard(mu_);
      if (now_ >= deadline) return;
      waiters_.push_back(self);
    }
    cv.wait(lock);
    std::lock_guard<std::mutex> guard(mu_);
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), self));
  }

 private:
  struct Waiter {
    std::condition_variable* cv;
    std::mutex* mutex;
    bool operator==(const Waiter&) const = default;
  };

  std::mutex mu_;
  TimePoint now_;                // Guarded by mu_.
  std::vector<Waiter> waiters_;  // Guarded by mu_.
};

}  // namespace tocsin::test
