#include "tocsin/scheduler/scheduler.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tocsin/core/log.h"

namespace tocsin::scheduler {

Scheduler::Scheduler(store::Store& store, Clock& clock, SchedulerOptions options)
    : store_(store), clock_(clock), options_(options) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Register(std::string kind, Handler handler) {
  handlers_[std::move(kind)] = std::move(handler);
}

Status Scheduler::Load() {
  std::vector<domain::Job> all;
  int64_t after = 0;
  while (true) {
    std::vector<domain::Job> batch;
    TOCSIN_RETURN_IF_ERROR(store_.Read([&](store::ReadTxn& txn) {
      auto jobs = txn.Jobs().ListPendingJobs(after, 10'000);
      if (!jobs.ok()) return jobs.status();
      batch = std::move(*jobs);
      return Status::Ok();
    }));
    if (batch.empty()) break;
    after = batch.back().id;
    all.insert(all.end(), batch.begin(), batch.end());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const domain::Job& j : all) heap_.push({j.due, j.id, 0});
  }
  cv_.notify_all();
  spdlog::info("msg=\"scheduler loaded pending jobs\" jobs={}", all.size());
  return Status::Ok();
}

void Scheduler::Add(int64_t id, TimePoint due) {
  bool earliest = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    earliest = heap_.empty() || due < heap_.top().due;
    heap_.push({due, id, 0});
  }
  if (earliest) cv_.notify_all();
}

size_t Scheduler::RunDue(TimePoint now) {
  std::vector<Entry> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!heap_.empty() && heap_.top().due <= now && in_flight_ < options_.max_in_flight) {
      due.push_back(heap_.top());
      heap_.pop();
      ++in_flight_;
    }
  }
  const size_t group = std::max<size_t>(1, options_.jobs_per_write);
  for (size_t i = 0; i < due.size(); i += group) {
    Submit(std::vector<Entry>(
        due.begin() + static_cast<std::ptrdiff_t>(i),
        due.begin() + static_cast<std::ptrdiff_t>(std::min(i + group, due.size()))));
  }
  return due.size();
}

Status Scheduler::Fire(store::WriteTxn& txn, int64_t id, bool& stale) {
  auto job = txn.Jobs().GetJob(id);
  if (!job.ok() && job.status().code() == StatusCode::kNotFound) {
    stale = true;
    return Status::Ok();
  }
  if (!job.ok()) return job.status();
  if (job->state != domain::JobState::kPending) {
    stale = true;  // Fired or cancelled already: a late copy finds nothing to do.
    return Status::Ok();
  }
  TOCSIN_RETURN_IF_ERROR(txn.Jobs().FinishJob(id, domain::JobState::kDone, txn.Now()));
  auto handler = handlers_.find(job->kind);
  if (handler == handlers_.end()) return Internal("no handler for job kind " + job->kind);
  return handler->second(txn, *job);
}

void Scheduler::Submit(std::vector<Entry> group) {
  // One write function fires the whole group: a savepoint and a round trip
  // through the writer queue per group instead of per job. If any job fails,
  // the function's savepoint undoes the group and each job is tried again on
  // its own, so one bad job neither blocks nor delays the others.
  auto stale = std::make_shared<uint64_t>(0);  // Counted only if the group commits.
  auto fn = [this, group, stale](store::WriteTxn& txn) -> Status {
    for (const Entry& entry : group) {
      bool is_stale = false;
      TOCSIN_RETURN_IF_ERROR(Fire(txn, entry.id, is_stale));
      *stale += is_stale ? 1 : 0;
    }
    return Status::Ok();
  };
  store_.Submit(
      std::move(fn),
      [this, group = std::move(group), stale](Status status) {
        const TimePoint committed = clock_.Now();
        if (!status.ok() && group.size() > 1) {
          for (const Entry& entry : group) Submit({entry});
          return;
        }
        if (status.ok() && *stale > 0) {
          std::lock_guard<std::mutex> lock(mu_);
          stats_.stale += *stale;
        }
        for (const Entry& entry : group) Finished(entry, status, committed);
      },
      store::WritePriority::kEngine);
}

void Scheduler::Finished(const Entry& entry, const Status& status, TimePoint committed) {
  if (!status.ok()) {
    spdlog::error("msg=\"job failed; will retry\" job={} attempt={} error={}", entry.id,
                  entry.failures + 1, LogQuote(status.message()));
  } else if (fired_listener_) {
    fired_listener_(entry.id, entry.due, committed);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    if (status.ok()) {
      ++stats_.fired;
    } else {
      // Its row is still PENDING (the write rolled back): try again later,
      // backing off so that a persistent error does not spin.
      ++stats_.failed;
      Millis delay = options_.retry_delay;
      for (int i = 0; i < entry.failures && delay < options_.max_retry_delay; ++i) delay *= 2;
      delay = std::min(delay, options_.max_retry_delay);
      heap_.push({committed + delay, entry.id, entry.failures + 1});
    }
  }
  cv_.notify_all();
  idle_cv_.notify_all();
}

void Scheduler::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (in_flight_ >= options_.max_in_flight) {
      cv_.wait(lock);
      continue;
    }
    const TimePoint now = clock_.Now();
    if (clock_step_listener_) {
      // After a forward step what became due fires below, once; after a
      // backward step it waits until the wall clock catches up again.
      if (auto step = clock_steps_.Sample(now, std::chrono::steady_clock::now())) {
        lock.unlock();
        clock_step_listener_(*step);
        lock.lock();
        continue;
      }
    }
    if (heap_.empty() || heap_.top().due > now) {
      const TimePoint next = heap_.empty() ? now + std::chrono::hours(1) : heap_.top().due;
      clock_.WaitUntil(cv_, lock, next);
      continue;
    }
    lock.unlock();
    RunDue(now);
    lock.lock();
  }
}

void Scheduler::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] {
    const bool due = !heap_.empty() && heap_.top().due <= clock_.Now();
    return !due && in_flight_ == 0;
  });
}

SchedulerStats Scheduler::Stats() {
  std::lock_guard<std::mutex> lock(mu_);
  SchedulerStats s = stats_;
  s.cached = heap_.size();
  s.in_flight = in_flight_;
  return s;
}

}  // namespace tocsin::scheduler
