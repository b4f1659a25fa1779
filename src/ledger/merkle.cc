#include "tocsin/ledger/merkle.h"

#include <bit>
#include <string>

#include "tocsin/crypto/crypto.h"

namespace tocsin::ledger {
namespace {

std::string TaggedHash(char tag, std::string_view a, std::string_view b) {
  std::string buf;
  buf.reserve(1 + a.size() + b.size());
  buf.push_back(tag);
  buf.append(a);
  buf.append(b);
  return crypto::Sha256(buf);
}

// Number of bits needed to represent x (0 for 0).
unsigned BitLength(uint64_t x) { return static_cast<unsigned>(std::bit_width(x)); }

// Largest power of two strictly less than n. REQUIRES: n >= 2.
size_t SplitPoint(size_t n) { return std::bit_floor(n - 1); }

// Merkle Tree Hash of RFC 6962 §2.1, by its recursive definition (independent of
// CompactRange, so each checks the other in tests). Recursion depth is at most 64.
std::string Mth(std::span<const std::string> leaves) {
  if (leaves.empty()) return EmptyRoot();
  if (leaves.size() == 1) return leaves[0];
  const size_t k = SplitPoint(leaves.size());
  return NodeHash(Mth(leaves.first(k)), Mth(leaves.subspan(k)));
}

// PATH(m, D[n]) of RFC 6962 §2.1.1.
void Path(uint64_t m, std::span<const std::string> leaves, std::vector<std::string>& out) {
  if (leaves.size() <= 1) return;
  const size_t k = SplitPoint(leaves.size());
  if (m < k) {
    Path(m, leaves.first(k), out);
    out.push_back(Mth(leaves.subspan(k)));
  } else {
    Path(m - k, leaves.subspan(k), out);
    out.push_back(Mth(leaves.first(k)));
  }
}

// SUBPROOF(m, D[n], b) of RFC 6962 §2.1.2. REQUIRES: 0 < m <= leaves.size().
void SubProof(uint64_t m, std::span<const std::string> leaves, bool complete,
              std::vector<std::string>& out) {
  if (m == leaves.size()) {
    if (!complete) out.push_back(Mth(leaves));
    return;
  }
  const size_t k = SplitPoint(leaves.size());
  if (m <= k) {
    SubProof(m, leaves.first(k), complete, out);
    out.push_back(Mth(leaves.subspan(k)));
  } else {
    SubProof(m - k, leaves.subspan(k), false, out);
    out.push_back(Mth(leaves.first(k)));
  }
}

Status CheckHash(std::string_view hash, const char* what) {
  if (hash.size() != kHashSize) {
    return InvalidArgument(std::string(what) + " is " + std::to_string(hash.size()) +
                           " bytes, want " + std::to_string(kHashSize));
  }
  return Status::Ok();
}

Status CheckProofHashes(std::span<const std::string> proof) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashSize) {
      return InvalidArgument("proof hash " + std::to_string(i) + " is " +
                             std::to_string(proof[i].size()) + " bytes, want " +
                             std::to_string(kHashSize));
    }
  }
  return Status::Ok();
}

Status RootMismatch(std::string_view what, std::string_view computed, std::string_view expected) {
  return Status(StatusCode::kUnauthenticated, std::string(what) + ": computed " +
                                                  crypto::HexEncode(computed) + ", expected " +
                                                  crypto::HexEncode(expected));
}

}  // namespace

std::string LeafHash(std::string_view entry) { return TaggedHash('\x00', entry, {}); }

std::string NodeHash(std::string_view left, std::string_view right) {
  return TaggedHash('\x01', left, right);
}

std::string ChainHash(std::string_view prev_chain, std::string_view leaf) {
  return TaggedHash('\x02', prev_chain, leaf);
}

std::string EmptyRoot() { return crypto::Sha256({}); }

std::string MerkleRoot(std::span<const std::string> leaf_hashes) { return Mth(leaf_hashes); }

Result<std::vector<std::string>> InclusionProof(uint64_t leaf_index,
                                                std::span<const std::string> leaf_hashes) {
  if (leaf_index >= leaf_hashes.size()) {
    return InvalidArgument("leaf index " + std::to_string(leaf_index) +
                           " is outside a tree of size " + std::to_string(leaf_hashes.size()));
  }
  std::vector<std::string> proof;
  proof.reserve(InclusionProofSize(leaf_index, leaf_hashes.size()));
  Path(leaf_index, leaf_hashes, proof);
  return proof;
}

Result<std::vector<std::string>> ConsistencyProof(uint64_t size1,
                                                  std::span<const std::string> leaf_hashes) {
  if (size1 > leaf_hashes.size()) {
    return InvalidArgument("size " + std::to_string(size1) + " is larger than the tree (" +
                           std::to_string(leaf_hashes.size()) + ")");
  }
  std::vector<std::string> proof;
  if (size1 == 0 || size1 == leaf_hashes.size()) return proof;
  proof.reserve(ConsistencyProofSize(size1, leaf_hashes.size()));
  SubProof(size1, leaf_hashes, true, proof);
  return proof;
}

// The audit path climbs from the leaf: `inner` levels where the path to the leaf and the path
// to the last leaf differ (siblings on both sides), then one left sibling per set bit of the
// index above them (the right border of the tree has no right siblings).
size_t InclusionProofSize(uint64_t leaf_index, uint64_t tree_size) {
  if (leaf_index >= tree_size) return 0;
  const unsigned inner = BitLength(leaf_index ^ (tree_size - 1));
  const auto border = static_cast<unsigned>(std::popcount(inner >= 64 ? 0 : leaf_index >> inner));
  return inner + border;
}

// A consistency proof is the inclusion proof of the last leaf of the old tree, minus the
// levels inside the old tree's rightmost perfect subtree (whose root is the proof's seed, or
// root1 itself when size1 is a power of two).
size_t ConsistencyProofSize(uint64_t size1, uint64_t size2) {
  if (size1 == 0 || size1 >= size2) return 0;
  const unsigned inner = BitLength((size1 - 1) ^ (size2 - 1));
  const auto border = static_cast<unsigned>(std::popcount(inner >= 64 ? 0 : (size1 - 1) >> inner));
  const auto shift = static_cast<unsigned>(std::countr_zero(size1));
  const size_t seed = std::has_single_bit(size1) ? 0 : 1;
  return (inner - shift) + border + seed;
}

Result<std::string> RootFromInclusionProof(uint64_t leaf_index, uint64_t tree_size,
                                           std::string_view leaf_hash,
                                           std::span<const std::string> proof) {
  if (leaf_index >= tree_size) {
    return InvalidArgument("leaf index " + std::to_string(leaf_index) +
                           " is outside a tree of size " + std::to_string(tree_size));
  }
  TOCSIN_RETURN_IF_ERROR(CheckHash(leaf_hash, "leaf hash"));
  TOCSIN_RETURN_IF_ERROR(CheckProofHashes(proof));
  const size_t want = InclusionProofSize(leaf_index, tree_size);
  if (proof.size() != want) {
    return InvalidArgument("inclusion proof has " + std::to_string(proof.size()) +
                           " hashes; leaf " + std::to_string(leaf_index) + " of a tree of size " +
                           std::to_string(tree_size) + " needs " + std::to_string(want));
  }
  // RFC 9162 §2.1.3.2: fn is the node's index at the current level, sn the index of the last
  // node at that level.
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) return InvalidArgument("inclusion proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return InvalidArgument("inclusion proof is too short");
  return r;
}

Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, std::string_view leaf_hash,
                       std::span<const std::string> proof, std::string_view root) {
  TOCSIN_RETURN_IF_ERROR(CheckHash(root, "root"));
  Result<std::string> computed = RootFromInclusionProof(leaf_index, tree_size, leaf_hash, proof);
  if (!computed.ok()) return computed.status();
  if (!crypto::ConstantTimeEqual(*computed, root)) {
    return RootMismatch("inclusion proof does not lead to the root", *computed, root);
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::string_view root1,
                         std::string_view root2, std::span<const std::string> proof) {
  if (size1 > size2) {
    return InvalidArgument("size1 " + std::to_string(size1) + " is larger than size2 " +
                           std::to_string(size2));
  }
  TOCSIN_RETURN_IF_ERROR(CheckHash(root1, "root1"));
  TOCSIN_RETURN_IF_ERROR(CheckHash(root2, "root2"));
  TOCSIN_RETURN_IF_ERROR(CheckProofHashes(proof));
  if (size1 == size2 || size1 == 0) {
    if (!proof.empty()) {
      return InvalidArgument("consistency proof from size " + std::to_string(size1) + " to size " +
                             std::to_string(size2) + " must be empty");
    }
    if (size1 == size2 && !crypto::ConstantTimeEqual(root1, root2)) {
      return RootMismatch("trees of equal size have different roots", root2, root1);
    }
    if (size1 == 0 && !crypto::ConstantTimeEqual(root1, EmptyRoot())) {
      return RootMismatch("root1 is not the empty-tree root", EmptyRoot(), root1);
    }
    return Status::Ok();
  }
  const size_t want = ConsistencyProofSize(size1, size2);
  if (proof.size() != want) {
    return InvalidArgument("consistency proof has " + std::to_string(proof.size()) +
                           " hashes; from size " + std::to_string(size1) + " to size " +
                           std::to_string(size2) + " needs " + std::to_string(want));
  }
  // RFC 9162 §2.1.4.2. When size1 is a power of two the old tree is one perfect subtree of
  // the new one, and root1 is the seed the proof leaves out.
  size_t next = 0;
  std::string fr;
  if (std::has_single_bit(size1)) {
    fr = std::string(root1);
  } else {
    fr = proof[0];
    next = 1;
  }
  std::string sr = fr;
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < proof.size(); ++next) {
    const std::string& c = proof[next];
    if (sn == 0) return InvalidArgument("consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return InvalidArgument("consistency proof is too short");
  if (!crypto::ConstantTimeEqual(fr, root1)) {
    return RootMismatch("consistency proof does not lead to root1", fr, root1);
  }
  if (!crypto::ConstantTimeEqual(sr, root2)) {
    return RootMismatch("consistency proof does not lead to root2", sr, root2);
  }
  return Status::Ok();
}

}  // namespace tocsin::ledger
