// The matcher: walks the event along each alternative's trie.
//
// Semantics (event-ruler's, with its array consistency): a field's values are
// the scalars at its path, arrays flattened. Evaluating a subtree against a
// value yields which of two outcomes are possible:
//   kPositive: satisfied with at least one field matched by a value;
//   kAbsent:   satisfied with every field of the subtree absent (each has
//              exists:false and no value).
// At an array, a positive outcome needs one element to satisfy the whole
// subtree (fields under one array of objects come from the same element),
// while the absent outcome needs every element to lack every field: absence
// is judged against the elements the other fields chose, and against all of
// them when no field chose one. Siblings are independent (AND).
//
// Event keys containing '.' are extra routes to the same trie paths; fields
// reached through different routes are not combined with each other (a
// conservative simplification of event-ruler, which flattens keys first).
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "rules/pattern_internal.h"

namespace tocsin::rules::internal {
namespace {

using Json = nlohmann::json;
using Object = Json::object_t;

constexpr uint8_t kPositive = 1;
constexpr uint8_t kAbsent = 2;

// Arrays nested deeper than this inside one another are treated as holding no
// values (stack safety on hostile events; no real event nests arrays so).
constexpr int kMaxArrayNesting = 32;

bool ContainsSorted(const std::vector<std::string>& sorted, std::string_view s) {
  if (sorted.size() <= 8) return std::find(sorted.begin(), sorted.end(), s) != sorted.end();
  return std::binary_search(sorted.begin(), sorted.end(), s,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

bool AnythingButMatchesString(const AnythingBut& ab, std::string_view s) {
  switch (ab.kind) {
    case AnythingBut::Kind::kStrings:
      return !ContainsSorted(ab.strings, s);
    case AnythingBut::Kind::kNumbers:
      return true;
    case AnythingBut::Kind::kPrefix:
      return std::none_of(ab.strings.begin(), ab.strings.end(),
                          [&](const std::string& p) { return s.starts_with(p); });
    case AnythingBut::Kind::kSuffix:
      return std::none_of(ab.strings.begin(), ab.strings.end(),
                          [&](const std::string& p) { return s.ends_with(p); });
    case AnythingBut::Kind::kIgnoreCase:
      return std::none_of(ab.strings.begin(), ab.strings.end(),
                          [&](const std::string& f) { return EqualsFolded(s, f); });
    case AnythingBut::Kind::kWildcard:
      return std::none_of(ab.globs.begin(), ab.globs.end(),
                          [&](const Glob& g) { return g.Matches(s); });
  }
  return false;
}

bool MatchesString(const Leaf& leaf, const std::string& s) {
  if (!leaf.exact.empty() && ContainsSorted(leaf.exact, s)) return true;
  for (const auto& p : leaf.prefixes) {
    if (s.starts_with(p)) return true;
  }
  for (const auto& p : leaf.suffixes) {
    if (s.ends_with(p)) return true;
  }
  for (const auto& f : leaf.equals_folded) {
    if (EqualsFolded(s, f)) return true;
  }
  for (const auto& f : leaf.prefixes_folded) {
    if (StartsWithFolded(s, f)) return true;
  }
  for (const auto& f : leaf.suffixes_folded) {
    if (EndsWithFolded(s, f)) return true;
  }
  for (const auto& g : leaf.globs) {
    if (g.Matches(s)) return true;
  }
  if (!leaf.exact_ips.empty() || !leaf.cidrs.empty()) {
    IpAddress ip;
    if (ParseIp(s, &ip) == IpParse::kOk) {
      if (std::find(leaf.exact_ips.begin(), leaf.exact_ips.end(), ip) != leaf.exact_ips.end()) {
        return true;
      }
      for (const auto& r : leaf.cidrs) {
        if (r.Contains(ip)) return true;
      }
    }
  }
  for (const auto& ab : leaf.anything_buts) {
    if (AnythingButMatchesString(ab, s)) return true;
  }
  return false;
}

bool MatchesNumber(const Leaf& leaf, const Json& v) {
  const Number n = NumberOf(v);
  for (const auto& m : leaf.numbers) {
    if (NumberEquals(m, n)) return true;
  }
  for (const auto& r : leaf.ranges) {
    if (r.Contains(n.d)) return true;
  }
  for (const auto& ab : leaf.anything_buts) {
    if (ab.kind != AnythingBut::Kind::kNumbers) return true;  // Anything but strings.
    if (std::none_of(ab.numbers.begin(), ab.numbers.end(),
                     [&](const Number& m) { return NumberEquals(m, n); })) {
      return true;
    }
  }
  return false;
}

// True when the scalar `v` matches one of the leaf's matchers.
bool MatchesScalar(const Leaf& leaf, const Json& v) {
  if (leaf.exists_true) return true;
  switch (v.type()) {
    case Json::value_t::string:
      return MatchesString(leaf, v.get_ref<const std::string&>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return MatchesNumber(leaf, v);
    // anything-but of any kind matches values of other types, null included.
    case Json::value_t::boolean:
      return (v.get<bool>() ? leaf.match_true : leaf.match_false) || !leaf.anything_buts.empty();
    case Json::value_t::null:
      return leaf.match_null || !leaf.anything_buts.empty();
    default:
      return false;
  }
}

class Matcher {
 public:
  explicit Matcher(const CompiledPattern& p) : p_(p) {}

  // Returns the possible outcomes of `node`'s subtree against `v`.
  uint8_t Eval(const Node& node, const Json& v, int nesting) const {
    if (v.is_array()) {
      if (nesting >= kMaxArrayNesting) return Missing(node);
      bool positive = false;
      bool absent = node.absent_ok;
      for (const Json& element : v) {
        const uint8_t r = Eval(node, element, nesting + 1);
        positive = positive || (r & kPositive) != 0;
        absent = absent && (r & kAbsent) != 0;
        if (positive && !absent) break;
      }
      return Outcome(positive, absent);
    }
    Conjunction all;
    if (node.leaf >= 0) {
      const Leaf& leaf = p_.leaves[static_cast<size_t>(node.leaf)];
      const uint8_t part = v.is_object() ? (leaf.exists_false ? kAbsent : uint8_t{0})
                                         : (MatchesScalar(leaf, v) ? kPositive : uint8_t{0});
      if (!all.Add(part)) return 0;
    }
    if (node.child_count == 0) return all.Result();
    if (v.is_object()) {
      const Object& object = v.get_ref<const Object&>();
      for (uint32_t c = 0; c < node.child_count; ++c) {
        if (!all.Add(EvalChild(p_.nodes[node.first_child + c], object, nesting))) return 0;
      }
    } else {
      for (uint32_t c = 0; c < node.child_count; ++c) {
        if (!all.Add(Missing(p_.nodes[node.first_child + c]))) return 0;
      }
    }
    return all.Result();
  }

 private:
  // AND of independent parts.
  struct Conjunction {
    bool positive = false;
    bool absent = true;
    // Returns false when `part` cannot be satisfied (the conjunction fails).
    bool Add(uint8_t part) {
      if (part == 0) return false;
      positive = positive || (part & kPositive) != 0;
      absent = absent && (part & kAbsent) != 0;
      return true;
    }
    uint8_t Result() const { return Outcome(positive, absent); }
  };

  static uint8_t Outcome(bool positive, bool absent) {
    return static_cast<uint8_t>((positive ? kPositive : 0) | (absent ? kAbsent : 0));
  }

  static uint8_t Missing(const Node& node) { return node.absent_ok ? kAbsent : 0; }

  // Evaluates `child` against the members of `object` that lead to it: the
  // key equal to its segment and keys "segment.rest".
  uint8_t EvalChild(const Node& child, const Object& object, int nesting) const {
    const std::string& segment = child.segment;
    const Json* exact = nullptr;
    auto it = object.lower_bound(std::string_view(segment));
    // Keys starting with the segment sort as: the segment itself, then keys
    // continuing with a byte below '.', then "segment." keys, then the rest.
    for (; it != object.end(); ++it) {
      const std::string& key = it->first;
      if (key.size() < segment.size() || key.compare(0, segment.size(), segment) != 0) break;
      if (key.size() == segment.size()) {
        exact = &it->second;
        continue;
      }
      const auto next = static_cast<unsigned char>(key[segment.size()]);
      if (next == '.') break;
      if (next > '.') {
        it = object.end();
        break;
      }
    }
    const bool dotted = it != object.end() && it->first.size() > segment.size() &&
                        it->first.compare(0, segment.size(), segment) == 0 &&
                        it->first[segment.size()] == '.';
    if (!dotted) return exact != nullptr ? Eval(child, *exact, nesting) : Missing(child);

    // Rare: several routes. Like array elements, without any shared choice.
    bool positive = false;
    bool absent = child.absent_ok;
    auto add = [&](uint8_t r) {
      positive = positive || (r & kPositive) != 0;
      absent = absent && (r & kAbsent) != 0;
    };
    if (exact != nullptr) add(Eval(child, *exact, nesting));
    for (; it != object.end(); ++it) {
      const std::string& key = it->first;
      if (key.size() <= segment.size() || key.compare(0, segment.size(), segment) != 0 ||
          key[segment.size()] != '.') {
        break;
      }
      add(EvalDotted(child, std::string_view(key).substr(segment.size() + 1), it->second, nesting));
    }
    return Outcome(positive, absent);
  }

  // Evaluates `node` against the virtual object {rest: value}.
  uint8_t EvalDotted(const Node& node, std::string_view rest, const Json& value,
                     int nesting) const {
    Conjunction all;
    if (node.leaf >= 0 &&
        !all.Add(p_.leaves[static_cast<size_t>(node.leaf)].exists_false ? kAbsent : uint8_t{0})) {
      return 0;
    }
    const size_t dot = rest.find('.');
    const std::string_view head = rest.substr(0, dot);
    for (uint32_t c = 0; c < node.child_count; ++c) {
      const Node& child = p_.nodes[node.first_child + c];
      uint8_t part = 0;
      if (child.segment != head) {
        part = Missing(child);
      } else if (dot == std::string_view::npos) {
        part = Eval(child, value, nesting);
      } else {
        part = EvalDotted(child, rest.substr(dot + 1), value, nesting);
      }
      if (!all.Add(part)) return 0;
    }
    return all.Result();
  }

  const CompiledPattern& p_;
};

}  // namespace

bool MatchesEvent(const CompiledPattern& pattern, const nlohmann::json& event) {
  if (!event.is_object()) return false;
  const Matcher matcher(pattern);
  return std::any_of(pattern.roots.begin(), pattern.roots.end(), [&](uint32_t root) {
    return matcher.Eval(pattern.nodes[root], event, 0) != 0;
  });
}

}  // namespace tocsin::rules::internal
