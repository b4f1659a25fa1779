#include "tocsin/core/status.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

Status FailIfNegative(int v) {
  if (v < 0) return InvalidArgument("negative", "value");
  return Status::Ok();
}

Status Chain(int v) {
  TOCSIN_RETURN_IF_ERROR(FailIfNegative(v));
  return NotFound("reached the end");
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeMessageAndField) {
  Status s = InvalidArgument("must be 1..5", "impact");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "impact");
  EXPECT_EQ(s.ToString(), "INVALID_ARGUMENT: must be 1..5 [impact]");
}

TEST(StatusTest, ReturnIfErrorPropagatesFirstFailure) {
  EXPECT_EQ(Chain(-1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Chain(1).code(), StatusCode::kNotFound);
}

TEST(StatusTest, BlockersAreKept) {
  Status s = FailedPrecondition("in use").WithBlockers({{"escalation-plan", "id1", "db"}});
  ASSERT_EQ(s.blockers().size(), 1u);
  EXPECT_EQ(s.blockers()[0].name, "db");
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = NotFound("nope");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tocsin
