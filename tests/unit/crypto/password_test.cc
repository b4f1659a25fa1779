#include "tocsin/crypto/password.h"

#include <gtest/gtest.h>

namespace tocsin::crypto {
namespace {

// The smallest accepted work factor keeps these tests fast; the encoding and
// the checks do not depend on it.
constexpr ScryptParams kFast{10, 8, 1};

TEST(PasswordTest, VerifiesTheRightPasswordOnly) {
  const std::string hash = HashPassword("correct horse", kFast);
  EXPECT_TRUE(VerifyPassword("correct horse", hash));
  EXPECT_FALSE(VerifyPassword("correct horsE", hash));
  EXPECT_FALSE(VerifyPassword("", hash));
  EXPECT_FALSE(VerifyPassword("correct horse ", hash));
}

TEST(PasswordTest, RecordsItsParametersAndSaltsEveryHash) {
  const std::string a = HashPassword("pw", kFast);
  const std::string b = HashPassword("pw", kFast);
  EXPECT_EQ(a.rfind("scrypt$10$8$1$", 0), 0u) << a;
  EXPECT_NE(a, b);
  EXPECT_TRUE(VerifyPassword("pw", b));
  // The default work factor is what a new hash gets without parameters.
  EXPECT_EQ(HashPassword("pw").rfind("scrypt$14$8$1$", 0), 0u);
}

TEST(PasswordTest, RejectsAStoredKeyOfTheWrongLength) {
  const std::string hash = HashPassword("password", kFast);
  const size_t key_start = hash.rfind('$') + 1;
  EXPECT_FALSE(VerifyPassword("password", hash.substr(0, key_start) + "AAAA"));
  EXPECT_FALSE(VerifyPassword("password", hash.substr(0, key_start)));
}

TEST(PasswordTest, RejectsMalformedOrTamperedHashes) {
  const std::string good = HashPassword("pw", kFast);
  EXPECT_FALSE(VerifyPassword("pw", ""));
  EXPECT_FALSE(VerifyPassword("pw", "plain:pw"));
  EXPECT_FALSE(VerifyPassword("pw", "bcrypt$10$8$1$AAAA$AAAA"));
  EXPECT_FALSE(VerifyPassword("pw", good.substr(0, good.size() - 1)));
  // Parameters that would make one check cost gigabytes are refused, not run.
  std::string huge = good;
  huge.replace(huge.find("$10$"), 4, "$30$");
  EXPECT_FALSE(VerifyPassword("pw", huge));
  std::string many = good;
  many.replace(many.find("$1$"), 3, "$64$");
  EXPECT_FALSE(VerifyPassword("pw", many));
  std::string lowered = good;
  lowered.replace(lowered.find("$10$"), 4, "$11$");  // Valid shape, other N: another key.
  EXPECT_FALSE(VerifyPassword("pw", lowered));
}

}  // namespace
}  // namespace tocsin::crypto
