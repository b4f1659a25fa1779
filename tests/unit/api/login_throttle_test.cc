#include "api/login_throttle.h"

#include <gtest/gtest.h>

namespace tocsin::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

const TimePoint kT0 = FromUnixMillis(1'800'000'000'000);

TEST(LoginThrottleTest, DelayDoublesFromAQuarterSecondUpToEightSeconds) {
  EXPECT_EQ(LoginThrottle::DelayFor(1), milliseconds(250));
  EXPECT_EQ(LoginThrottle::DelayFor(2), milliseconds(500));
  EXPECT_EQ(LoginThrottle::DelayFor(3), milliseconds(1000));
  EXPECT_EQ(LoginThrottle::DelayFor(6), milliseconds(8000));
  EXPECT_EQ(LoginThrottle::DelayFor(1000), milliseconds(8000));
}

TEST(LoginThrottleTest, TheMostFailedKeyDecides) {
  LoginThrottle t;
  EXPECT_EQ(t.Fail({"name:alice", "address:10.0.0.1"}, kT0), milliseconds(250));
  EXPECT_EQ(t.Fail({"name:alice", "address:10.0.0.1"}, kT0), milliseconds(500));
  // Another name from the same address: the address has failed three times.
  EXPECT_EQ(t.Fail({"name:bob", "address:10.0.0.1"}, kT0), milliseconds(1000));
  // Alice from elsewhere: alice has failed three times too.
  EXPECT_EQ(t.Fail({"name:alice", "address:10.0.0.2"}, kT0), milliseconds(1000));
}

TEST(LoginThrottleTest, FailuresAreForgottenAfterAQuietQuarterHourOrASuccess) {
  LoginThrottle t;
  for (int i = 0; i < 5; ++i) t.Fail({"name:alice"}, kT0);
  EXPECT_EQ(t.Fail({"name:alice"}, kT0 + minutes(14)), milliseconds(8000));
  EXPECT_EQ(t.Fail({"name:alice"}, kT0 + minutes(14) + minutes(15)), milliseconds(250));
  t.Fail({"name:alice"}, kT0 + minutes(30));
  t.Succeed("name:alice");
  EXPECT_EQ(t.Fail({"name:alice"}, kT0 + minutes(31)), milliseconds(250));
}

TEST(LoginThrottleTest, AFloodOfDistinctKeysDoesNotGrowWithoutBound) {
  LoginThrottle t;
  for (size_t i = 0; i < LoginThrottle::kMaxKeys + 10; ++i) {
    t.Fail({"address:" + std::to_string(i)}, kT0);
  }
  // Still answering, and a fresh key starts from the first delay.
  EXPECT_EQ(t.Fail({"name:new"}, kT0), milliseconds(250));
}

}  // namespace
}  // namespace tocsin::api
