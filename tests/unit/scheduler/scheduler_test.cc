// Scheduler on a real SQLite store with a fake clock: jobs fire once, and
// grouping several due jobs into one write function neither loses nor
// repeats any of them when one fails.
#include "tocsin/scheduler/scheduler.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "fakes/fake_clock.h"
#include "tocsin/store/store.h"
#include "unit/store/store_test_util.h"

namespace tocsin::scheduler {
namespace {

constexpr const char* kKind = "test.job";

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.path = dir_.File("tocsin.db");
    auto opened = store::OpenSqliteStore(options, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    if (scheduler_) scheduler_->Stop();
    store_->Shutdown();
  }

  // Starts a scheduler whose handler records the job as fired in the same
  // transaction (meta "fired-<id>") and, after the commit, counts it; the
  // handler fails for the jobs in failures_ as long as their count is > 0.
  void StartScheduler(SchedulerOptions options) {
    scheduler_ = std::make_unique<Scheduler>(*store_, clock_, options);
    scheduler_->Register(kKind, [this](store::WriteTxn& txn, const domain::Job& job) -> Status {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (int& left = failures_[job.id]; left > 0) {
          --left;
          // Written before failing: the rollback must take it away.
          TOCSIN_RETURN_IF_ERROR(txn.PutMeta("fired-" + std::to_string(job.id), "partial"));
          return Unavailable("injected failure");
        }
      }
      TOCSIN_RETURN_IF_ERROR(txn.PutMeta("fired-" + std::to_string(job.id), "yes"));
      txn.OnCommit([this, id = job.id] {
        std::lock_guard<std::mutex> lock(mu_);
        ++committed_[id];
      });
      return Status::Ok();
    });
    ASSERT_TRUE(scheduler_->Load().ok());
    scheduler_->Start();
  }

  std::vector<int64_t> InsertJobs(int n, Millis after) {
    std::vector<int64_t> ids;
    const TimePoint due = clock_.Now() + after;
    Status s = store_->WriteSync([&](store::WriteTxn& txn) {
      for (int i = 0; i < n; ++i) {
        domain::Job job;
        job.kind = kKind;
        job.owner = "owner";
        job.ref = "ref";
        job.due = due;
        auto id = txn.Jobs().InsertJob(job);
        if (!id.ok()) return id.status();
        ids.push_back(*id);
      }
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return ids;
  }

  std::string Fired(int64_t id) {
    std::string value;
    Status s = store_->Read([&](store::ReadTxn& txn) {
      auto v = txn.GetMeta("fired-" + std::to_string(id));
      if (v.ok()) value = *v;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok());
    return value;
  }

  store::testing_util::TempDir dir_;
  test::FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Scheduler> scheduler_;
  std::mutex mu_;
  std::map<int64_t, int> failures_;   // Guarded by mu_.
  std::map<int64_t, int> committed_;  // Guarded by mu_.
};

TEST_F(SchedulerTest, OverdueJobsLoadedAtStartFireOnceEach) {
  const auto ids = InsertJobs(200, Millis(-60'000));  // Overdue before the start.
  SchedulerOptions options;
  options.jobs_per_write = 16;
  StartScheduler(options);
  scheduler_->WaitIdle();
  for (int64_t id : ids) EXPECT_EQ(Fired(id), "yes") << id;
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(committed_.size(), ids.size());
  for (const auto& [id, n] : committed_) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(scheduler_->Stats().fired, ids.size());
  EXPECT_EQ(scheduler_->Stats().failed, 0u);
}

TEST_F(SchedulerTest, OneFailingJobDoesNotHoldBackOrRepeatTheOthersOfItsGroup) {
  SchedulerOptions options;
  options.jobs_per_write = 32;
  options.retry_delay = Millis(1000);
  StartScheduler(options);
  const auto ids = InsertJobs(64, Millis(1000));
  for (int64_t id : ids) scheduler_->Add(id, clock_.Now() + Millis(1000));
  const int64_t bad = ids[5];  // In the first group.
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Fails in its group, then alone, then on its first retry.
    failures_[bad] = 3;
  }
  clock_.Advance(Millis(1000));
  scheduler_->WaitIdle();
  // Everyone else fired, once; the failing job left nothing behind.
  for (int64_t id : ids) {
    if (id != bad) {
      EXPECT_EQ(Fired(id), "yes") << id;
    }
  }
  EXPECT_EQ(Fired(bad), "");
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(committed_.size(), ids.size() - 1);
    for (const auto& [id, n] : committed_) EXPECT_EQ(n, 1) << id;
  }
  EXPECT_EQ(scheduler_->Stats().failed, 1u);
  // Its retries back off (1 s, then 2 s) and it fires on the third attempt.
  clock_.Advance(Millis(1000));
  scheduler_->WaitIdle();
  clock_.Advance(Millis(2000));
  scheduler_->WaitIdle();
  EXPECT_EQ(Fired(bad), "yes");
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(committed_.size(), ids.size());
  for (const auto& [id, n] : committed_) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(scheduler_->Stats().failed, 2u);
  EXPECT_EQ(scheduler_->Stats().fired, ids.size());
}

TEST_F(SchedulerTest, ACopyOfAJobInTheHeapFindsItDone) {
  SchedulerOptions options;
  options.jobs_per_write = 8;
  StartScheduler(options);
  const auto ids = InsertJobs(10, Millis(500));
  for (int64_t id : ids) {
    scheduler_->Add(id, clock_.Now() + Millis(500));
    scheduler_->Add(id, clock_.Now() + Millis(500));  // Twice, as after a racing Load.
  }
  clock_.Advance(Millis(500));
  scheduler_->WaitIdle();
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(committed_.size(), ids.size());
  for (const auto& [id, n] : committed_) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(scheduler_->Stats().stale, ids.size());
}

}  // namespace
}  // namespace tocsin::scheduler
