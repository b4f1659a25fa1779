#include "tocsin/ledger/compact_range.h"

#include <bit>
#include <limits>
#include <string>
#include <utility>

#include "tocsin/ledger/merkle.h"

namespace tocsin::ledger {
namespace {

constexpr size_t kHeaderSize = 1 + 8;

}  // namespace

Result<CompactRange> CompactRange::Deserialize(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) {
    return InvalidArgument("compact range is " + std::to_string(bytes.size()) +
                           " bytes, shorter than its " + std::to_string(kHeaderSize) +
                           "-byte header");
  }
  if (static_cast<uint8_t>(bytes[0]) != kFormatVersion) {
    return InvalidArgument("compact range has format version " +
                           std::to_string(static_cast<uint8_t>(bytes[0])) + ", want " +
                           std::to_string(kFormatVersion));
  }
  uint64_t size = 0;
  for (size_t i = 1; i < kHeaderSize; ++i) size = (size << 8) | static_cast<uint8_t>(bytes[i]);
  const auto count = static_cast<size_t>(std::popcount(size));
  if (bytes.size() != kHeaderSize + count * kHashSize) {
    return InvalidArgument("compact range of size " + std::to_string(size) + " must be " +
                           std::to_string(kHeaderSize + count * kHashSize) + " bytes, got " +
                           std::to_string(bytes.size()));
  }
  CompactRange range;
  range.size_ = size;
  range.hashes_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    range.hashes_.emplace_back(bytes.substr(kHeaderSize + i * kHashSize, kHashSize));
  }
  return range;
}

std::string CompactRange::Serialize() const {
  std::string out;
  out.reserve(kHeaderSize + hashes_.size() * kHashSize);
  out.push_back(static_cast<char>(kFormatVersion));
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((size_ >> shift) & 0xff));
  }
  for (const std::string& h : hashes_) out.append(h);
  return out;
}

Status CompactRange::Append(std::string_view leaf_hash) {
  if (leaf_hash.size() != kHashSize) {
    return InvalidArgument("leaf hash is " + std::to_string(leaf_hash.size()) + " bytes, want " +
                           std::to_string(kHashSize));
  }
  if (size_ == std::numeric_limits<uint64_t>::max()) {
    return ResourceExhausted("compact range is full (2^64 - 1 leaves)");
  }
  // Each trailing one bit of the size is a perfect subtree that the new leaf completes into
  // a subtree twice as large.
  std::string hash(leaf_hash);
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    hash = NodeHash(hashes_.back(), hash);
    hashes_.pop_back();
  }
  hashes_.push_back(std::move(hash));
  ++size_;
  return Status::Ok();
}

std::string CompactRange::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  std::string root = hashes_.back();
  for (size_t i = hashes_.size() - 1; i > 0; --i) root = NodeHash(hashes_[i - 1], root);
  return root;
}

}  // namespace tocsin::ledger
