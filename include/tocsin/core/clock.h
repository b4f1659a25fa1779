// Clock: the one seam through which Tocsin reads and waits for time.
//
// Every component that needs "now" or needs to sleep until a deadline takes a
// Clock&, never std::chrono::system_clock directly. Production code uses
// SystemClock(); tests use tests/fakes/fake_clock.h, which only moves when the
// test advances it, so a 30-minute escalation runs in microseconds.
//
// Implementations must be safe to call from any thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

#include "tocsin/core/time.h"

namespace tocsin {

class Clock {
 public:
  virtual ~Clock() = default;

  // Returns the current wall-clock time (what is persisted and shown to users).
  virtual TimePoint Now() = 0;

  // Blocks on `cv` until it is notified or until Now() >= `deadline`. May return
  // spuriously; callers re-check their condition in a loop.
  // REQUIRES: `lock` is held; it is released while waiting and re-acquired.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         TimePoint deadline) = 0;
};

// Returns the process-wide clock backed by std::chrono::system_clock. Its
// WaitUntil caps each wait at one second so that a wall-clock step (NTP, a
// manual change) is noticed within a second.
Clock& SystemClock();

// Returns a clock that reads `base` plus `offset` (for test builds that start
// the real binary "in the future"). Does not own `base`.
std::unique_ptr<Clock> NewOffsetClock(Clock& base, Millis offset);

}  // namespace tocsin
