#include "tocsin/ledger/merkle.h"

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tocsin/crypto/crypto.h"

namespace tocsin::ledger {
namespace {

using crypto::HexEncode;

std::string H(std::string_view hex) { return crypto::HexDecode(hex).value(); }

// RFC 6962 vectors from transparency-dev/merkle testonly/constants.go: leaf inputs, the
// hashes of all complete subtrees by level, and the roots of the trees of size 0..8.
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

const std::vector<std::vector<std::string>> kNodeHashesHex = {
    {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    },
    {
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    },
    {
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    },
    {
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    },
};

const char* const kRootsHex[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// Inclusion and consistency proof vectors from transparency-dev/merkle proof/verify_test.go
// (there 1-based leaf numbers; here 0-based indices).
struct InclusionVector {
  uint64_t index;
  uint64_t size;
  std::vector<const char*> proof;
};
const InclusionVector kInclusionVectors[] = {
    {0, 1, {}},
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct ConsistencyVector {
  uint64_t size1;
  uint64_t size2;
  std::vector<const char*> proof;
};
const ConsistencyVector kConsistencyVectors[] = {
    {1, 1, {}},
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<std::string> VectorLeafHashes() {
  std::vector<std::string> out;
  for (const char* hex : kLeafInputsHex) out.push_back(LeafHash(H(hex)));
  return out;
}

std::vector<std::string> Decode(const std::vector<const char*>& hexes) {
  std::vector<std::string> out;
  for (const char* hex : hexes) out.push_back(H(hex));
  return out;
}

std::vector<std::string> First(const std::vector<std::string>& v, size_t n) {
  return {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n)};
}

std::string FlipBit(std::string s, size_t bit) {
  s[bit / 8] = static_cast<char>(static_cast<unsigned char>(s[bit / 8]) ^ (1u << (bit % 8)));
  return s;
}

const std::string kSomeHash = H("abacaba000000000000000000000000000000000000000000060061e00123456");

TEST(MerkleTest, LeafHashesMatchVectors) {
  const std::vector<std::string> leaves = VectorLeafHashes();
  for (size_t i = 0; i < leaves.size(); ++i) {
    EXPECT_EQ(HexEncode(leaves[i]), kNodeHashesHex[0][i]) << "leaf " << i;
  }
}

TEST(MerkleTest, NodeHashesMatchVectors) {
  for (size_t level = 1; level < kNodeHashesHex.size(); ++level) {
    for (size_t i = 0; i < kNodeHashesHex[level].size(); ++i) {
      EXPECT_EQ(HexEncode(NodeHash(H(kNodeHashesHex[level - 1][2 * i]),
                                   H(kNodeHashesHex[level - 1][2 * i + 1]))),
                kNodeHashesHex[level][i])
          << "level " << level << " node " << i;
    }
  }
}

TEST(MerkleTest, RootsMatchVectorsForSizes0To8) {
  const std::vector<std::string> leaves = VectorLeafHashes();
  for (size_t n = 0; n <= leaves.size(); ++n) {
    EXPECT_EQ(HexEncode(MerkleRoot(First(leaves, n))), kRootsHex[n]) << "size " << n;
  }
  EXPECT_EQ(HexEncode(EmptyRoot()), kRootsHex[0]);
}

TEST(MerkleTest, ChainHashIsTaggedSha256) {
  EXPECT_EQ(kZeroHash.size(), kHashSize);
  EXPECT_EQ(kZeroHash, std::string(32, '\0'));
  // Values computed independently (Python hashlib) from SHA-256(0x02 || prev || leaf).
  const std::string leaf1 = LeafHash("");
  const std::string chain1 = ChainHash(kZeroHash, leaf1);
  EXPECT_EQ(HexEncode(chain1), "53cc28b203227f98ab407f4364eb99c7d3902400da57c8a4d35aa471036ee791");
  const std::string chain2 = ChainHash(chain1, LeafHash(std::string(1, '\0')));
  EXPECT_EQ(HexEncode(chain2), "78c187610c5c10f8dfa0b918f0784f1e4087b9f404b5ec461c895c3116b56ed6");
  EXPECT_EQ(chain1, crypto::Sha256(std::string(1, '\x02') + std::string(kZeroHash) + leaf1));
  // Domain separation: the same inputs never give a chain value equal to a node hash.
  EXPECT_NE(ChainHash(kZeroHash, leaf1), NodeHash(kZeroHash, leaf1));
}

TEST(MerkleTest, InclusionProofVectors) {
  const std::vector<std::string> leaves = VectorLeafHashes();
  for (const InclusionVector& v : kInclusionVectors) {
    SCOPED_TRACE("index " + std::to_string(v.index) + " size " + std::to_string(v.size));
    const std::vector<std::string> want = Decode(v.proof);
    Result<std::vector<std::string>> got = InclusionProof(v.index, First(leaves, v.size));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, want);
    EXPECT_EQ(InclusionProofSize(v.index, v.size), want.size());
    const std::string root = H(kRootsHex[v.size]);
    EXPECT_TRUE(VerifyInclusion(v.index, v.size, leaves[v.index], want, root).ok());
  }
}

// The corruptions of transparency-dev/merkle's corruptInclusionProof: none may verify.
TEST(MerkleTest, CorruptedInclusionProofVectorsFail) {
  const std::vector<std::string> leaves = VectorLeafHashes();
  for (const InclusionVector& v : kInclusionVectors) {
    SCOPED_TRACE("index " + std::to_string(v.index) + " size " + std::to_string(v.size));
    const std::vector<std::string> proof = Decode(v.proof);
    const std::string root = H(kRootsHex[v.size]);
    const std::string& leaf = leaves[v.index];
    const uint64_t i = v.index;
    const uint64_t n = v.size;
    EXPECT_FALSE(VerifyInclusion(i - 1, n, leaf, proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(i + 1, n, leaf, proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(i ^ 2, n, leaf, proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(i, n * 2, leaf, proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(i, n / 2, leaf, proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(i, n, "WrongLeaf", proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(i, n, kSomeHash, proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(i, n, leaf, proof, EmptyRoot()).ok());
    EXPECT_FALSE(VerifyInclusion(i, n, leaf, proof, kSomeHash).ok());
    auto with = [&](std::vector<std::string> p) { return VerifyInclusion(i, n, leaf, p, root); };
    std::vector<std::string> p = proof;
    p.push_back("");
    EXPECT_FALSE(with(p).ok()) << "trailing garbage";
    p.back() = root;
    EXPECT_FALSE(with(p).ok()) << "trailing root";
    p = proof;
    p.insert(p.begin(), "");
    EXPECT_FALSE(with(p).ok()) << "preceding garbage";
    p.front() = root;
    EXPECT_FALSE(with(p).ok()) << "preceding root";
    for (size_t k = 0; k < proof.size(); ++k) {
      p = proof;
      p[k] = FlipBit(p[k], 3);
      EXPECT_FALSE(with(p).ok()) << "modified proof[" << k << "]";
    }
    if (!proof.empty()) {
      p = proof;
      p.pop_back();
      EXPECT_FALSE(with(p).ok()) << "removed component";
    }
    if (proof.size() > 1) {
      p = proof;
      p.insert(p.begin() + 1, kSomeHash);
      EXPECT_FALSE(with(p).ok()) << "inserted component";
    }
  }
}

TEST(MerkleTest, ConsistencyProofVectors) {
  const std::vector<std::string> leaves = VectorLeafHashes();
  for (const ConsistencyVector& v : kConsistencyVectors) {
    SCOPED_TRACE("sizes " + std::to_string(v.size1) + " -> " + std::to_string(v.size2));
    const std::vector<std::string> want = Decode(v.proof);
    Result<std::vector<std::string>> got = ConsistencyProof(v.size1, First(leaves, v.size2));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, want);
    EXPECT_EQ(ConsistencyProofSize(v.size1, v.size2), want.size());
    const Status s =
        VerifyConsistency(v.size1, v.size2, H(kRootsHex[v.size1]), H(kRootsHex[v.size2]), want);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

// The corruptions of transparency-dev/merkle's corruptConsistencyProof: none may verify.
TEST(MerkleTest, CorruptedConsistencyProofVectorsFail) {
  for (const ConsistencyVector& v : kConsistencyVectors) {
    if (v.proof.empty()) continue;
    SCOPED_TRACE("sizes " + std::to_string(v.size1) + " -> " + std::to_string(v.size2));
    const std::vector<std::string> proof = Decode(v.proof);
    const std::string root1 = H(kRootsHex[v.size1]);
    const std::string root2 = H(kRootsHex[v.size2]);
    const uint64_t m = v.size1;
    const uint64_t n = v.size2;
    EXPECT_FALSE(VerifyConsistency(m - 1, n, root1, root2, proof).ok());
    EXPECT_FALSE(VerifyConsistency(m + 1, n, root1, root2, proof).ok());
    EXPECT_FALSE(VerifyConsistency(m ^ 2, n, root1, root2, proof).ok());
    EXPECT_FALSE(VerifyConsistency(m, n * 2, root1, root2, proof).ok());
    EXPECT_FALSE(VerifyConsistency(m, n / 2, root1, root2, proof).ok());
    EXPECT_FALSE(VerifyConsistency(m, n, "WrongRoot", root2, proof).ok());
    EXPECT_FALSE(VerifyConsistency(m, n, root1, "WrongRoot", proof).ok());
    EXPECT_FALSE(VerifyConsistency(m, n, root2, root1, proof).ok());
    EXPECT_FALSE(VerifyConsistency(m, n, root1, root2, {}).ok());
    auto with = [&](std::vector<std::string> p) {
      return VerifyConsistency(m, n, root1, root2, p);
    };
    for (const std::string& extra : {std::string(), root1, root2}) {
      std::vector<std::string> p = proof;
      p.push_back(extra);
      EXPECT_FALSE(with(p).ok()) << "trailing " << HexEncode(extra);
      p = proof;
      p.insert(p.begin(), extra);
      EXPECT_FALSE(with(p).ok()) << "preceding " << HexEncode(extra);
    }
    std::vector<std::string> p = proof;
    p.insert(p.begin(), proof[0]);
    EXPECT_FALSE(with(p).ok()) << "preceding proof[0]";
    p = proof;
    p.pop_back();
    EXPECT_FALSE(with(p).ok()) << "truncated";
    for (size_t k = 0; k < proof.size(); ++k) {
      p = proof;
      p[k] = FlipBit(p[k], 4);
      EXPECT_FALSE(with(p).ok()) << "modified proof[" << k << "]";
    }
  }
}

TEST(MerkleTest, InclusionEdgeCases) {
  const std::string leaf = LeafHash("data");
  // A one-leaf tree: the root is the leaf hash and the proof is empty.
  EXPECT_TRUE(VerifyInclusion(0, 1, leaf, {}, leaf).ok());
  EXPECT_EQ(VerifyInclusion(0, 1, leaf, {}, "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(0, 1, "", {}, leaf).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(0, 1, leaf, {}, kSomeHash).code(), StatusCode::kUnauthenticated);
  // Index outside the tree.
  for (auto [index, size] : {std::pair<uint64_t, uint64_t>{0, 0}, {1, 0}, {1, 1}, {2, 1}}) {
    EXPECT_EQ(VerifyInclusion(index, size, kSomeHash, {}, EmptyRoot()).code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(InclusionProof(0, {}).status().code(), StatusCode::kInvalidArgument);
  const std::vector<std::string> leaves = VectorLeafHashes();
  EXPECT_EQ(InclusionProof(8, leaves).status().code(), StatusCode::kInvalidArgument);
  // Proof hashes of the wrong length are malformed, not merely wrong.
  std::vector<std::string> proof = *InclusionProof(0, leaves);
  proof[1].pop_back();
  EXPECT_EQ(VerifyInclusion(0, 8, leaves[0], proof, H(kRootsHex[8])).code(),
            StatusCode::kInvalidArgument);
  // Very large trees have proofs of up to 64 hashes; the size arithmetic must not overflow.
  EXPECT_EQ(InclusionProofSize(0, UINT64_MAX), 64u);
  EXPECT_EQ(InclusionProofSize(UINT64_MAX - 1, UINT64_MAX), 63u);
  EXPECT_EQ(InclusionProofSize(5, 5), 0u);
}

TEST(MerkleTest, ConsistencyEdgeCases) {
  const std::string root1 = LeafHash("don't care 1");
  const std::string root2 = LeafHash("don't care 2");
  const std::vector<std::string> one_hash = {EmptyRoot()};
  // Equal sizes: empty proof, equal roots.
  EXPECT_TRUE(VerifyConsistency(1, 1, root2, root2, {}).ok());
  EXPECT_TRUE(VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), {}).ok());
  EXPECT_EQ(VerifyConsistency(1, 1, root1, root2, {}).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyConsistency(1, 1, root1, root1, one_hash).code(), StatusCode::kInvalidArgument);
  // The empty tree is a prefix of every tree, but its root must be the empty-tree root.
  EXPECT_TRUE(VerifyConsistency(0, 5, EmptyRoot(), root2, {}).ok());
  EXPECT_EQ(VerifyConsistency(0, 5, root1, root2, {}).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyConsistency(0, 1, EmptyRoot(), root2, one_hash).code(),
            StatusCode::kInvalidArgument);
  // Time travel to the past.
  EXPECT_EQ(VerifyConsistency(1, 0, root1, root2, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(2, 1, root1, root2, {}).code(), StatusCode::kInvalidArgument);
  // A proper extension needs a proof.
  EXPECT_EQ(VerifyConsistency(1, 2, root1, root2, {}).code(), StatusCode::kInvalidArgument);
  // Roots must be hashes.
  EXPECT_EQ(VerifyConsistency(1, 1, "x", "x", {}).code(), StatusCode::kInvalidArgument);

  const std::vector<std::string> leaves = VectorLeafHashes();
  EXPECT_EQ(ConsistencyProof(9, leaves).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ConsistencyProof(0, leaves)->empty());
  EXPECT_TRUE(ConsistencyProof(8, leaves)->empty());
  EXPECT_EQ(ConsistencyProofSize(0, 8), 0u);
  EXPECT_EQ(ConsistencyProofSize(8, 8), 0u);
  EXPECT_EQ(ConsistencyProofSize(9, 8), 0u);
}

// Property tests over random trees (fixed seed, so failures reproduce).
class MerklePropertyTest : public ::testing::Test {
 protected:
  static constexpr size_t kMaxSize = 300;

  void SetUp() override {
    for (size_t i = 0; i < kMaxSize; ++i) {
      std::string entry(rng_() % 40, '\0');
      for (char& c : entry) c = static_cast<char>(rng_() & 0xff);
      entry += std::to_string(i);  // Distinct entries, so distinct leaves.
      leaves_.push_back(LeafHash(entry));
    }
  }

  // Every size up to 33, then random sizes up to kMaxSize.
  std::vector<size_t> Sizes() {
    std::vector<size_t> sizes;
    for (size_t n = 1; n <= 33; ++n) sizes.push_back(n);
    for (int i = 0; i < 10; ++i) sizes.push_back(34 + rng_() % (kMaxSize - 33));
    sizes.push_back(kMaxSize);
    return sizes;
  }

  size_t RandomBit(size_t bytes) { return rng_() % (bytes * 8); }

  std::mt19937_64 rng_{20260324};
  std::vector<std::string> leaves_;
};

TEST_F(MerklePropertyTest, EveryInclusionProofVerifiesAndAnyFlippedBitFails) {
  for (size_t n : Sizes()) {
    const std::vector<std::string> tree = First(leaves_, n);
    const std::string root = MerkleRoot(tree);
    for (uint64_t i = 0; i < n; ++i) {
      SCOPED_TRACE("size " + std::to_string(n) + " index " + std::to_string(i));
      Result<std::vector<std::string>> proof = InclusionProof(i, tree);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(proof->size(), InclusionProofSize(i, n));
      Status s = VerifyInclusion(i, n, tree[i], *proof, root);
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(*RootFromInclusionProof(i, n, tree[i], *proof), root);

      EXPECT_FALSE(
          VerifyInclusion(i, n, FlipBit(tree[i], RandomBit(kHashSize)), *proof, root).ok());
      EXPECT_FALSE(
          VerifyInclusion(i, n, tree[i], *proof, FlipBit(root, RandomBit(kHashSize))).ok());
      for (size_t k = 0; k < proof->size(); ++k) {
        std::vector<std::string> bad = *proof;
        bad[k] = FlipBit(bad[k], RandomBit(kHashSize));
        EXPECT_FALSE(VerifyInclusion(i, n, tree[i], bad, root).ok()) << "proof[" << k << "]";
      }
      if (i + 1 < n) {
        EXPECT_FALSE(VerifyInclusion(i + 1, n, tree[i], *proof, root).ok());
      }
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion(i, n, tree[(i + 1) % n], *proof, root).ok());
      }
    }
  }
}

TEST_F(MerklePropertyTest, EveryConsistencyProofVerifiesAndAnyFlippedBitFails) {
  for (size_t n : Sizes()) {
    const std::vector<std::string> tree = First(leaves_, n);
    const std::string root2 = MerkleRoot(tree);
    for (uint64_t m = 0; m <= n; ++m) {
      SCOPED_TRACE("sizes " + std::to_string(m) + " -> " + std::to_string(n));
      const std::string root1 = MerkleRoot(std::span(tree).first(m));
      Result<std::vector<std::string>> proof = ConsistencyProof(m, tree);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(proof->size(), ConsistencyProofSize(m, n));
      Status s = VerifyConsistency(m, n, root1, root2, *proof);
      ASSERT_TRUE(s.ok()) << s.ToString();

      // With m == 0 root2 is not constrained; otherwise both roots are.
      if (m > 0) {
        EXPECT_FALSE(
            VerifyConsistency(m, n, root1, FlipBit(root2, RandomBit(kHashSize)), *proof).ok());
      }
      EXPECT_FALSE(
          VerifyConsistency(m, n, FlipBit(root1, RandomBit(kHashSize)), root2, *proof).ok());
      for (size_t k = 0; k < proof->size(); ++k) {
        std::vector<std::string> bad = *proof;
        bad[k] = FlipBit(bad[k], RandomBit(kHashSize));
        EXPECT_FALSE(VerifyConsistency(m, n, root1, root2, bad).ok()) << "proof[" << k << "]";
      }
      if (m > 0 && m < n) {
        const std::string other1 = MerkleRoot(First(tree, m - 1));
        EXPECT_FALSE(VerifyConsistency(m - 1, n, other1, root2, *proof).ok());
      }
    }
  }
}

// Exhaustive bit flips on a few proofs: every single bit of every input matters.
TEST_F(MerklePropertyTest, EveryBitOfSelectedProofsMatters) {
  const std::vector<std::string> tree = First(leaves_, 300);
  const std::string root = MerkleRoot(tree);
  for (uint64_t i : {0u, 123u, 255u, 256u, 299u}) {
    const std::vector<std::string> proof = *InclusionProof(i, tree);
    for (size_t bit = 0; bit < kHashSize * 8; ++bit) {
      ASSERT_FALSE(VerifyInclusion(i, 300, FlipBit(tree[i], bit), proof, root).ok());
      ASSERT_FALSE(VerifyInclusion(i, 300, tree[i], proof, FlipBit(root, bit)).ok());
      for (size_t k = 0; k < proof.size(); ++k) {
        std::vector<std::string> bad = proof;
        bad[k] = FlipBit(bad[k], bit);
        ASSERT_FALSE(VerifyInclusion(i, 300, tree[i], bad, root).ok());
      }
    }
  }
  for (uint64_t m : {1u, 100u, 128u, 299u}) {
    const std::string root1 = MerkleRoot(First(tree, m));
    const std::vector<std::string> proof = *ConsistencyProof(m, tree);
    for (size_t bit = 0; bit < kHashSize * 8; ++bit) {
      ASSERT_FALSE(VerifyConsistency(m, 300, FlipBit(root1, bit), root, proof).ok());
      ASSERT_FALSE(VerifyConsistency(m, 300, root1, FlipBit(root, bit), proof).ok());
      for (size_t k = 0; k < proof.size(); ++k) {
        std::vector<std::string> bad = proof;
        bad[k] = FlipBit(bad[k], bit);
        ASSERT_FALSE(VerifyConsistency(m, 300, root1, root, bad).ok());
      }
    }
  }
}

}  // namespace
}  // namespace tocsin::ledger
