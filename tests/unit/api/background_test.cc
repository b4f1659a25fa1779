#include "api/background.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace tocsin::api {
namespace {

using std::chrono::milliseconds;

TEST(BackgroundWorkerTest, RunsTasksByDueTimeAndPostingOrder) {
  std::mutex mu;
  std::vector<int> order;
  auto record = [&](int n) {
    return [&, n] {
      std::lock_guard lock(mu);
      order.push_back(n);
    };
  };
  BackgroundWorker worker;
  ASSERT_TRUE(worker.PostAfter(milliseconds(60'000), record(9)));  // Run by Stop, last.
  ASSERT_TRUE(worker.PostAfter(milliseconds(30), record(3)));
  ASSERT_TRUE(worker.Post(record(1)));
  ASSERT_TRUE(worker.Post(record(2)));
  // Stop runs what is queued at once, in due order, without waiting out delays.
  const auto start = std::chrono::steady_clock::now();
  worker.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(30'000));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 9}));
  EXPECT_FALSE(worker.Post(record(4)));
}

TEST(BackgroundWorkerTest, ADelayedTaskDoesNotHoldBackLaterReadyOnes) {
  std::atomic<int> done{0};
  std::atomic<bool> delayed_ran{false};
  BackgroundWorker worker;
  ASSERT_TRUE(worker.PostAfter(milliseconds(60'000), [&] { delayed_ran = true; }));
  ASSERT_TRUE(worker.Post([&] { ++done; }));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (done == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(done, 1);
  EXPECT_FALSE(delayed_ran);
  worker.Stop();
  EXPECT_TRUE(delayed_ran);
}

TEST(BackgroundWorkerTest, RefusesTasksBeyondItsQueueLimit) {
  BackgroundWorker worker;
  size_t accepted = 0;
  for (size_t i = 0; i < BackgroundWorker::kMaxQueued + 5; ++i) {
    if (worker.PostAfter(milliseconds(60000), [] {})) ++accepted;
  }
  EXPECT_EQ(accepted, BackgroundWorker::kMaxQueued);
  worker.Stop();
}

}  // namespace
}  // namespace tocsin::api
