// Scheduler: fires durable jobs (domain::Job rows) when they fall due.
//
// Timers are data: the jobs table is the truth and the in-memory heap only a
// cache of its PENDING rows (Load() fills it at start-up, Add() is called by
// commit hooks for new jobs). A job fires in a store write function that
// re-reads it, marks it DONE and runs its kind's handler; the effects and the
// DONE mark commit together (several due jobs share one write function and
// are retried one by one if any of them fails), so a job fires exactly once even if the heap
// holds it twice or the process dies mid-batch (the rolled-back job is still
// PENDING and is reloaded on restart).
//
// RunDue(now) is the whole firing logic and uses no thread of its own; the
// scheduler thread (Start) just calls it when the earliest job is due, waiting
// on the Clock seam, and wakes early when Add() brings an earlier job.
//
// Thread-safety: Register before Load/Start; everything else from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "tocsin/core/clock.h"
#include "tocsin/core/clock_step.h"
#include "tocsin/domain/engagement.h"
#include "tocsin/store/store.h"

namespace tocsin::scheduler {

struct SchedulerOptions {
  size_t max_in_flight = 4096;     // Jobs submitted and not yet committed.
  Millis retry_delay{1000};        // After a failed job, first retry.
  Millis max_retry_delay{60'000};  // Backoff cap.
  size_t jobs_per_write = 32;      // Due jobs fired by one store write function.
};

struct SchedulerStats {
  uint64_t fired = 0;   // Jobs whose handler ran and committed.
  uint64_t stale = 0;   // Heap entries whose row was no longer PENDING.
  uint64_t failed = 0;  // Attempts that failed (and were retried).
  size_t cached = 0;    // Entries in the heap.
  size_t in_flight = 0;
};

class Scheduler {
 public:
  using Handler = std::function<Status(store::WriteTxn&, const domain::Job&)>;
  // Called after a job's commit with its due time and the commit time.
  using FiredListener = std::function<void(int64_t id, TimePoint due, TimePoint committed)>;
  // Called on the scheduler thread when the wall clock stepped (see
  // ClockStepDetector); must not block.
  using ClockStepListener = std::function<void(const ClockStep& step)>;

  // Neither is owned; both must outlive the Scheduler.
  Scheduler(store::Store& store, Clock& clock, SchedulerOptions options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Register(std::string kind, Handler handler);
  void SetFiredListener(FiredListener listener) { fired_listener_ = std::move(listener); }
  // Turns on clock-step detection: the thread samples the wall and monotonic
  // clocks on every wake-up (at least once a second with SystemClock()).
  // Only for real clocks: a fake clock "steps" whenever a test moves it.
  // Call before Start.
  void SetClockStepListener(ClockStepListener listener) {
    clock_step_listener_ = std::move(listener);
  }

  // Caches every PENDING job of the store. Call once, before Start.
  Status Load();
  // Caches a committed PENDING job (from a commit hook) and wakes the thread
  // if it is now the earliest.
  void Add(int64_t id, TimePoint due);

  // Submits every cached job due at or before `now` (up to the in-flight
  // cap) and returns how many it submitted. Does not wait for their commits.
  size_t RunDue(TimePoint now);

  void Start();
  // Stops the thread; jobs in flight finish in the store. Idempotent.
  void Stop();

  // Blocks until no cached job is due at clock.Now() and none is in flight.
  // For tests and benchmarks that advance a fake clock.
  void WaitIdle();

  SchedulerStats Stats();

 private:
  struct Entry {
    TimePoint due;
    int64_t id;
    int failures;
    bool operator>(const Entry& o) const { return due != o.due ? due > o.due : id > o.id; }
  };

  void Loop();
  // Submits one write function that fires `group` (see the .cc).
  void Submit(std::vector<Entry> group);
  // Fires job `id` in `txn` unless it is no longer PENDING (then `stale`).
  Status Fire(store::WriteTxn& txn, int64_t id, bool& stale);
  void Finished(const Entry& entry, const Status& status, TimePoint committed);

  store::Store& store_;
  Clock& clock_;
  const SchedulerOptions options_;
  std::map<std::string, Handler> handlers_;  // Written before Start only.
  FiredListener fired_listener_;
  ClockStepListener clock_step_listener_;
  ClockStepDetector clock_steps_;  // Used by the scheduler thread only.

  std::mutex mu_;
  std::condition_variable cv_;       // Wakes the thread (new earliest job, stop, capacity).
  std::condition_variable idle_cv_;  // Wakes WaitIdle.
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;  // Guarded by mu_.
  size_t in_flight_ = 0;                                                 // Guarded by mu_.
  SchedulerStats stats_;                                                 // Guarded by mu_.
  bool stopping_ = false;                                                // Guarded by mu_.
  std::thread thread_;
};

}  // namespace tocsin::scheduler
