// The compiled form of an EventPattern and the value helpers its compiler
// (pattern_parse.cc) and matcher (pattern_match.cc) share. Internal to the
// rules module.
//
// A pattern compiles to one or more alternatives ("$or" expanded, as
// event-ruler's JsonRuleCompiler does). Each alternative is a trie of key
// segments (pattern keys split at '.'); a trie node may carry a Leaf, the
// matchers of the field ending there. Leaves are shared between alternatives.
// Everything here is immutable once built and safe to read from many threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tocsin/core/status.h"

namespace tocsin::rules::internal {

// --- Numbers ---------------------------------------------------------------

// A JSON number. Integers keep their exact value, so that two different large
// ids (account numbers) never compare equal through rounding to double.
struct Number {
  enum class Kind : uint8_t { kSigned, kUnsigned, kFloat };
  Kind kind = Kind::kFloat;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;  // Always set.
};

// REQUIRES: v.is_number().
template <typename Json>
Number NumberOf(const Json& v) {
  Number n;
  if (v.is_number_unsigned()) {
    n.kind = Number::Kind::kUnsigned;
    n.u = v.template get<uint64_t>();
    n.d = static_cast<double>(n.u);
  } else if (v.is_number_integer()) {
    n.kind = Number::Kind::kSigned;
    n.i = v.template get<int64_t>();
    n.d = static_cast<double>(n.i);
  } else {
    n.d = v.template get<double>();
  }
  return n;
}

// Numeric equality: exact between integers, as doubles otherwise (300 == 3.0e2).
bool NumberEquals(const Number& a, const Number& b);

// A numeric range; a missing bound is unbounded. Equality is [x, x].
struct NumericRange {
  bool has_low = false;
  bool low_open = false;
  double low = 0;
  bool has_high = false;
  bool high_open = false;
  double high = 0;
  bool Contains(double x) const;
};

// --- IP addresses ------------------------------------------------------------

struct IpAddress {
  uint8_t size = 0;  // 4 or 16.
  std::array<uint8_t, 16> bytes{};
  bool operator==(const IpAddress&) const = default;
};

enum class IpParse {
  kOk,
  kNonstandard,  // Not shaped like an IPv4 or IPv6 literal (event-ruler's regexes).
  kInvalid,      // Shaped like one but not an address (e.g. 1.2.3.256).
};

// Parses an IPv4 dotted quad or an IPv6 literal (hex groups, one "::"), like
// event-ruler's CIDR.ipToBytes. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d
// written in hex) become IPv4, as java.net.InetAddress does.
IpParse ParseIp(std::string_view text, IpAddress* out);

// An inclusive range of addresses of one family.
struct IpRange {
  IpAddress low;
  IpAddress high;
  bool Contains(const IpAddress& ip) const;
};

// Parses "address/bits" into the range event-ruler builds: from the address as
// written (not masked) to the address with the host bits set. Returns the
// event-ruler reason on error.
Status ParseCidr(std::string_view text, IpRange* out);

// --- Case folding ------------------------------------------------------------

// Simple case folding of UTF-8 text: ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic letters map to lower case; everything else is unchanged. Every
// mapping keeps the UTF-8 length, so folded and unfolded text align byte for
// byte (the matcher relies on it to compare without allocating).
std::string FoldCase(std::string_view text);
// True when FoldCase(value) == folded.
bool EqualsFolded(std::string_view value, std::string_view folded);
bool StartsWithFolded(std::string_view value, std::string_view folded_prefix);
bool EndsWithFolded(std::string_view value, std::string_view folded_suffix);

// --- Wildcards ---------------------------------------------------------------

// A wildcard token: a byte (0..255) or kStar.
constexpr int16_t kStar = -1;

// Parses wildcard text: '*' matches any run of characters, "\*" is a literal
// star, "\\" a literal backslash. Returns event-ruler's reason on error
// ("Consecutive wildcard characters at pos N", "Invalid escape character at
// pos N"; N is a UTF-8 byte offset plus one, because event-ruler parses the
// value with its opening quote).
Status ParseWildcard(std::string_view text, std::vector<int16_t>* tokens);

// A compiled wildcard: the literal parts between stars.
class Glob {
 public:
  explicit Glob(const std::vector<int16_t>& tokens);
  bool Matches(std::string_view value) const;

 private:
  std::vector<std::string> parts_;  // stars + 1 parts, possibly empty.
};

// Returns event-ruler's complexity of a set of wildcards on one field (see
// EventPattern::kMaxWildcardComplexity), or `cap` if it is at least `cap`.
int WildcardComplexity(const std::vector<std::vector<int16_t>>& wildcards, int cap);

// --- Compiled pattern ----------------------------------------------------------

// One anything-but operator.
struct AnythingBut {
  enum class Kind : uint8_t { kStrings, kNumbers, kPrefix, kSuffix, kIgnoreCase, kWildcard };
  Kind kind = Kind::kStrings;
  std::vector<std::string> strings;  // kStrings (sorted), kPrefix, kSuffix, kIgnoreCase (folded).
  std::vector<Number> numbers;       // kNumbers.
  std::vector<Glob> globs;           // kWildcard.
};

// The matchers of one field: it matches a value when any of them does.
struct Leaf {
  bool exists_true = false;   // Any value matches.
  bool exists_false = false;  // Matches when the field has no value.
  bool match_true = false;
  bool match_false = false;
  bool match_null = false;
  std::vector<std::string> exact;    // Sorted, unique.
  std::vector<IpAddress> exact_ips;  // Exact string values that are IP literals.
  std::vector<Number> numbers;
  std::vector<std::string> prefixes;
  std::vector<std::string> suffixes;
  std::vector<std::string> prefixes_folded;
  std::vector<std::string> suffixes_folded;
  std::vector<std::string> equals_folded;
  std::vector<Glob> globs;
  std::vector<std::vector<int16_t>> wildcard_tokens;  // For the complexity check only.
  std::vector<NumericRange> ranges;
  std::vector<IpRange> cidrs;
  std::vector<AnythingBut> anything_buts;
};

// A trie node. The root of an alternative has an empty segment and no leaf.
struct Node {
  std::string segment;
  int32_t leaf = -1;         // Index into CompiledPattern::leaves, -1 when none.
  uint32_t first_child = 0;  // Children are nodes[first_child, first_child + child_count).
  uint32_t child_count = 0;
  // True when the subtree is satisfied by the absence of every field in it
  // (each leaf has exists:false).
  bool absent_ok = false;
};

struct CompiledPattern {
  std::vector<Leaf> leaves;
  std::vector<Node> nodes;
  std::vector<uint32_t> roots;  // One per alternative.
};

// Compiles a pattern. The error is event-ruler's reason, without EventBridge's
// "Event pattern is not valid. Reason: " prefix.
Result<CompiledPattern> CompilePattern(const nlohmann::json& pattern);
Result<CompiledPattern> CompilePattern(const nlohmann::ordered_json& pattern);

// True when `event` (a JSON object) matches.
bool MatchesEvent(const CompiledPattern& pattern, const nlohmann::json& event);

}  // namespace tocsin::rules::internal
