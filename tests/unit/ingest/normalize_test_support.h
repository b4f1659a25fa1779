// Shared by the Normalize() tests: fixtures and the ok / invalid checks.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "tocsin/ingest/signal.h"

namespace tocsin::ingest::testing {

// The text of tests/testdata/ingest/<name>.
inline std::string Testdata(const std::string& name) {
  std::ifstream in(std::string(TOCSIN_TESTDATA_DIR) + "/ingest/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Normalize() that must succeed (an empty batch after a failed expectation otherwise).
inline Batch MustNormalize(const NormalizeContext& context, std::string_view body) {
  auto batch = Normalize(context, body);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? *batch : Batch{};
}

inline void ExpectInvalidImpl(const NormalizeContext& context, std::string_view body,
                              std::string_view field, std::string_view message) {
  auto batch = Normalize(context, body);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(batch.status().field(), field) << batch.status().ToString();
  EXPECT_EQ(batch.status().message(), message) << batch.status().ToString();
}

}  // namespace tocsin::ingest::testing

// ExpectInvalidImpl, reporting the line of the call on failure.
#define EXPECT_INVALID(...)                                    \
  do {                                                         \
    SCOPED_TRACE("EXPECT_INVALID");                            \
    ::tocsin::ingest::testing::ExpectInvalidImpl(__VA_ARGS__); \
  } while (false)
