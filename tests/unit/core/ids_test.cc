#include "tocsin/core/ids.h"

#include <regex>
#include <set>

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TEST(IdsTest, UuidsAreVersion7SortableAndDistinct) {
  const std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  // Made in a later millisecond → sorts later.
  const std::string early = NewUuid();
  std::string later = NewUuid();
  while (later.compare(0, 13, early, 0, 13) == 0) later = NewUuid();
  EXPECT_LT(early, later);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuid();
    EXPECT_TRUE(std::regex_match(id, pattern)) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(IdsTest, RandomDigitsAreDigitsOfRequestedLength) {
  int histogram[10] = {};
  for (int i = 0; i < 2000; ++i) {
    const std::string code = RandomDigits(6);
    ASSERT_EQ(code.size(), 6u);
    for (char c : code) {
      ASSERT_TRUE(c >= '0' && c <= '9');
      ++histogram[c - '0'];
    }
  }
  // 12,000 digits: each value should appear roughly 1,200 times.
  for (int count : histogram) {
    EXPECT_GT(count, 900);
    EXPECT_LT(count, 1500);
  }
}

TEST(IdsTest, RandomTokenIsUrlSafe) {
  const std::string token = RandomToken(32);
  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_NE(RandomToken(32), token);
}

}  // namespace
}  // namespace tocsin
