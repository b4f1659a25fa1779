// CompactRange: the right edge ("frontier") of an append-only RFC 6962 Merkle tree, holding
// one hash per set bit of the tree size (at most 64, O(log n)) so the ledger can append
// leaves and compute the current root without rereading old entries. Appending n leaf hashes
// one by one gives exactly MerkleRoot() of those n hashes.
//
// Serialized form (what the store persists), version 1, 9 + 32 * popcount(size) bytes:
//   byte 0        format version, 0x01
//   bytes 1..8    tree size, unsigned 64-bit big-endian
//   then          popcount(size) hashes of 32 bytes, one per perfect subtree of the tree,
//                 from the leftmost (largest, 2^highest-set-bit leaves) to the rightmost
//                 (smallest, 2^lowest-set-bit leaves)
// E.g. size 6 = 0b110 stores the root of leaves [0,4) then the root of leaves [4,6).
//
// Thread-safety: a plain value. Const methods may run concurrently; Append needs exclusive
// access.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/core/status.h"

namespace tocsin::ledger {

class CompactRange {
 public:
  // Version byte written first by Serialize().
  static constexpr uint8_t kFormatVersion = 1;

  // Constructs the range of the empty tree.
  CompactRange() = default;

  // Returns the range described by `bytes` (the format in the file comment).
  // Errors: kInvalidArgument for an unknown version byte or a length that does not match
  // 9 + 32 * popcount(size).
  static Result<CompactRange> Deserialize(std::string_view bytes);

  // Returns the bytes described in the file comment; Deserialize() reads them back.
  std::string Serialize() const;

  // Appends one leaf. Costs (number of trailing one bits of Size()) + 1 hashes at most.
  // Errors: kInvalidArgument when leaf_hash is not 32 bytes; kResourceExhausted when the
  // tree already has 2^64 - 1 leaves. The range is unchanged on error.
  Status Append(std::string_view leaf_hash);

  // Returns the RFC 6962 root of the tree of Size() leaves; EmptyRoot() when empty.
  std::string Root() const;

  // Returns the number of leaves appended so far.
  uint64_t Size() const { return size_; }

  // Returns the perfect-subtree roots, leftmost (largest) first, as serialized.
  const std::vector<std::string>& Hashes() const { return hashes_; }

  // Returns true iff both ranges have the same size and hashes.
  bool operator==(const CompactRange&) const = default;

 private:
  uint64_t size_ = 0;
  std::vector<std::string> hashes_;  // popcount(size_) hashes, leftmost first.
};

}  // namespace tocsin::ledger
