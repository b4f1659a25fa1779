// Hashes of the timeline ledger: the RFC 6962 / RFC 9162 Merkle tree (leaf and interior
// hashes, the root of a whole tree, inclusion and consistency proofs) and the ledger's hash
// chain. Pure functions over raw byte strings (std::string holding 32-byte SHA-256 digests);
// no storage, no I/O.
//
// Error convention of this module: kInvalidArgument when an input is malformed (wrong hash
// length, index out of range, proof of the wrong length), kUnauthenticated when well-formed
// input fails cryptographic verification (recomputed root differs from the expected one).
//
// Thread-safety: every function is stateless and safe to call concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/core/status.h"

namespace tocsin::ledger {

// Size in bytes of every hash in this module (SHA-256).
inline constexpr size_t kHashSize = 32;

namespace internal {
// Storage behind kZeroHash.
inline constexpr char kZeroHashBytes[kHashSize] = {};
}  // namespace internal

// 32 zero bytes: the "previous chain" value of the first ledger entry.
inline constexpr std::string_view kZeroHash(internal::kZeroHashBytes, kHashSize);

// Returns SHA-256(0x00 || entry): the RFC 6962 leaf hash of the canonical bytes of one
// ledger entry. Any length (including empty) is valid.
std::string LeafHash(std::string_view entry);

// Returns SHA-256(0x01 || left || right): the RFC 6962 interior node hash.
// REQUIRES: left and right are 32-byte hashes (other lengths are hashed as given, and the
// result then belongs to no valid tree).
std::string NodeHash(std::string_view left, std::string_view right);

// Returns SHA-256(0x02 || prev_chain || leaf): the ledger's hash-chain value for an entry
// whose leaf hash is `leaf`, following the entry whose chain value is `prev_chain`
// (kZeroHash for the first entry). The 0x02 tag keeps chain values apart from leaf (0x00) and
// interior (0x01) hashes.
// REQUIRES: prev_chain and leaf are 32-byte hashes (as for NodeHash).
std::string ChainHash(std::string_view prev_chain, std::string_view leaf);

// Returns SHA-256 of the empty string, the root of the empty tree (RFC 6962 §2.1).
std::string EmptyRoot();

// Returns the RFC 6962 Merkle Tree Hash of the tree whose leaves have the given leaf hashes
// (in order); EmptyRoot() for no leaves. Costs one hash per leaf.
// REQUIRES: every element is a 32-byte hash.
std::string MerkleRoot(std::span<const std::string> leaf_hashes);

// Returns the RFC 6962 §2.1.1 audit path for the leaf at `leaf_index` (0-based) in the tree
// made of `leaf_hashes`, ordered from the leaf's sibling up to the root's child. Empty for a
// one-leaf tree. Costs O(n) hashes.
// Errors: kInvalidArgument when leaf_index >= leaf_hashes.size().
// REQUIRES: every element is a 32-byte hash.
Result<std::vector<std::string>> InclusionProof(uint64_t leaf_index,
                                                std::span<const std::string> leaf_hashes);

// Returns the RFC 6962 §2.1.2 consistency proof between the tree of the first `size1` leaves
// and the tree of all `leaf_hashes`. Empty when size1 is 0 or equals the full size. Costs
// O(n) hashes.
// Errors: kInvalidArgument when size1 > leaf_hashes.size().
// REQUIRES: every element is a 32-byte hash.
Result<std::vector<std::string>> ConsistencyProof(uint64_t size1,
                                                  std::span<const std::string> leaf_hashes);

// Returns the expected number of hashes in an inclusion proof for `leaf_index` in a tree of
// `tree_size` leaves (0 when leaf_index >= tree_size, which has no proof).
size_t InclusionProofSize(uint64_t leaf_index, uint64_t tree_size);

// Returns the expected number of hashes in a consistency proof from `size1` to `size2`
// (0 when size1 is 0, size1 >= size2, or there is no proof).
size_t ConsistencyProofSize(uint64_t size1, uint64_t size2);

// Returns the root that `proof` and `leaf_hash` imply for a tree of `tree_size` leaves
// (RFC 9162 §2.1.3.2, without the final comparison).
// Errors: kInvalidArgument when leaf_index >= tree_size, a hash is not 32 bytes, or the
// proof has the wrong number of hashes for (leaf_index, tree_size).
Result<std::string> RootFromInclusionProof(uint64_t leaf_index, uint64_t tree_size,
                                           std::string_view leaf_hash,
                                           std::span<const std::string> proof);

// Returns OK iff `proof` shows that the leaf with hash `leaf_hash` is at `leaf_index` in the
// tree of `tree_size` leaves whose root is `root` (RFC 9162 §2.1.3.2).
// Errors: kInvalidArgument as for RootFromInclusionProof, or when root is not 32 bytes;
// kUnauthenticated when the recomputed root differs from `root`.
Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, std::string_view leaf_hash,
                       std::span<const std::string> proof, std::string_view root);

// Returns OK iff `proof` shows that the tree of `size1` leaves with root `root1` is a prefix
// of the tree of `size2` leaves with root `root2` (RFC 9162 §2.1.4.2).
// Special cases: size1 == size2 needs an empty proof and root1 == root2; size1 == 0 needs an
// empty proof and root1 == EmptyRoot() (the empty tree is a prefix of every tree, so root2
// is not checked).
// Errors: kInvalidArgument when size1 > size2, a hash is not 32 bytes, or the proof has the
// wrong number of hashes; kUnauthenticated when the proof does not lead to both roots.
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::string_view root1,
                         std::string_view root2, std::span<const std::string> proof);

}  // namespace tocsin::ledger
