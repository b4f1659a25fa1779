#include "fakes/fake_clock.h"

#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace tocsin::test {
namespace {

TEST(FakeClockTest, MovesOnlyWhenAdvanced) {
  FakeClock clock;
  const TimePoint start = clock.Now();
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(std::chrono::minutes(30));
  EXPECT_EQ(clock.Now() - start, std::chrono::minutes(30));
}

TEST(FakeClockTest, AdvanceWakesWaiterWhoseDeadlinePassed) {
  FakeClock clock;
  const TimePoint deadline = clock.Now() + std::chrono::minutes(5);
  std::mutex mu;
  std::condition_variable cv;
  std::promise<void> woke;
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (clock.Now() < deadline) clock.WaitUntil(cv, lock, deadline);
    woke.set_value();
  });
  auto done = woke.get_future();
  clock.Advance(std::chrono::minutes(5));
  EXPECT_EQ(done.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  waiter.join();
}

TEST(FakeClockTest, WaitUntilReturnsAtOnceWhenAlreadyDue) {
  FakeClock clock;
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mu);
  clock.WaitUntil(cv, lock, clock.Now());
  EXPECT_EQ(clock.WaiterCount(), 0u);
}

}  // namespace
}  // namespace tocsin::test
