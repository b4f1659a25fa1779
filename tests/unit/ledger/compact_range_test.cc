#include "tocsin/ledger/compact_range.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tocsin/crypto/crypto.h"
#include "tocsin/ledger/merkle.h"

namespace tocsin::ledger {
namespace {

using crypto::HexEncode;

std::string H(std::string_view hex) { return crypto::HexDecode(hex).value(); }

// transparency-dev/merkle testonly/constants.go: LeafInputs() and CompactTrees(), the compact
// range hashes of the trees of size 0..8 built from those leaves (leftmost subtree first).
const char* const kLeafInputsHex[] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};
const char* const kL0[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
};
const char* const kL1[] = {
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
};
const char* const kL2_0 = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7";
const char* const kL3_0 = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";

const std::vector<std::vector<const char*>> kCompactTrees = {
    {},      {kL0[0]},        {kL1[0]},        {kL1[0], kL0[2]},
    {kL2_0}, {kL2_0, kL0[4]}, {kL2_0, kL1[2]}, {kL2_0, kL1[2], kL0[6]},
    {kL3_0},
};

std::vector<std::string> HexAll(const std::vector<std::string>& hashes) {
  std::vector<std::string> out;
  for (const std::string& h : hashes) out.push_back(HexEncode(h));
  return out;
}

TEST(CompactRangeTest, EmptyRangeHasEmptyRoot) {
  CompactRange range;
  EXPECT_EQ(range.Size(), 0u);
  EXPECT_EQ(range.Root(), EmptyRoot());
  EXPECT_TRUE(range.Hashes().empty());
  EXPECT_EQ(HexEncode(range.Serialize()), "010000000000000000");
}

TEST(CompactRangeTest, MatchesCompactTreeVectors) {
  CompactRange range;
  for (size_t n = 0; n < kCompactTrees.size(); ++n) {
    if (n > 0) {
      ASSERT_TRUE(range.Append(LeafHash(H(kLeafInputsHex[n - 1]))).ok());
    }
    std::vector<std::string> want;
    for (const char* hex : kCompactTrees[n]) want.push_back(hex);
    EXPECT_EQ(HexAll(range.Hashes()), want) << "size " << n;
  }
  EXPECT_EQ(HexEncode(range.Root()), kL3_0);
}

TEST(CompactRangeTest, MatchesMerkleRootForEverySizeUpTo300AndSurvivesSerialization) {
  std::mt19937_64 rng(7);
  std::vector<std::string> leaves;
  CompactRange range;
  for (size_t n = 0; n <= 300; ++n) {
    SCOPED_TRACE("size " + std::to_string(n));
    if (n > 0) {
      leaves.push_back(LeafHash(std::to_string(rng())));
      ASSERT_TRUE(range.Append(leaves.back()).ok());
    }
    ASSERT_EQ(range.Size(), n);
    ASSERT_EQ(range.Root(), MerkleRoot(leaves));
    ASSERT_EQ(range.Hashes().size(), static_cast<size_t>(std::popcount(n)));

    const std::string bytes = range.Serialize();
    ASSERT_EQ(bytes.size(), 9 + 32 * range.Hashes().size());
    Result<CompactRange> restored = CompactRange::Deserialize(bytes);
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    ASSERT_EQ(*restored, range);
    ASSERT_EQ(restored->Root(), range.Root());
    // Persist, restore, and keep appending: the result is the same as never stopping.
    range = *std::move(restored);
  }
}

TEST(CompactRangeTest, SerializedFormIsDocumentedLayout) {
  CompactRange range;
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(range.Append(LeafHash(H(kLeafInputsHex[i]))).ok());
  // Size 6 = 0b110: version 1, size 6 big-endian, root of leaves [0,4), root of [4,6).
  EXPECT_EQ(HexEncode(range.Serialize()), std::string("01") + "0000000000000006" + kL2_0 + kL1[2]);
}

TEST(CompactRangeTest, DeserializeRejectsMalformedBytes) {
  CompactRange range;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(range.Append(LeafHash(H(kLeafInputsHex[i]))).ok());
  const std::string good = range.Serialize();  // Size 5: two hashes.
  ASSERT_TRUE(CompactRange::Deserialize(good).ok());

  EXPECT_EQ(CompactRange::Deserialize("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(CompactRange::Deserialize(good.substr(0, 8)).ok());
  EXPECT_FALSE(CompactRange::Deserialize(good.substr(0, good.size() - 1)).ok());
  EXPECT_FALSE(CompactRange::Deserialize(good + "x").ok());
  std::string bad_version = good;
  bad_version[0] = 2;
  EXPECT_FALSE(CompactRange::Deserialize(bad_version).ok());
  std::string bad_size = good;
  bad_size[8] = 7;  // Size 7 needs three hashes.
  EXPECT_FALSE(CompactRange::Deserialize(bad_size).ok());
}

TEST(CompactRangeTest, AppendRejectsWrongLengthAndLeavesRangeUnchanged) {
  CompactRange range;
  ASSERT_TRUE(range.Append(LeafHash("a")).ok());
  const CompactRange before = range;
  EXPECT_EQ(range.Append("short").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(range, before);
}

TEST(CompactRangeTest, FullRangeRefusesAppend) {
  // 2^64 - 1 leaves: 64 perfect subtrees. The hashes are arbitrary; only the size matters.
  std::string bytes = H("01ffffffffffffffff");
  for (int i = 0; i < 64; ++i) bytes += LeafHash(std::to_string(i));
  Result<CompactRange> full = CompactRange::Deserialize(bytes);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->Append(LeafHash("x")).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(full->Size(), UINT64_MAX);
}

}  // namespace
}  // namespace tocsin::ledger
