// Value helpers of the pattern engine: numbers, IP addresses and CIDR ranges,
// case folding, wildcards and their complexity.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rules/pattern_internal.h"

namespace tocsin::rules::internal {

// --- Numbers -------------------------------------------------------------------

bool NumberEquals(const Number& a, const Number& b) {
  using K = Number::Kind;
  if (a.kind == K::kFloat || b.kind == K::kFloat) return a.d == b.d;
  if (a.kind == b.kind) return a.kind == K::kSigned ? a.i == b.i : a.u == b.u;
  const Number& s = a.kind == K::kSigned ? a : b;
  const Number& u = a.kind == K::kSigned ? b : a;
  return s.i >= 0 && static_cast<uint64_t>(s.i) == u.u;
}

bool NumericRange::Contains(double x) const {
  if (has_low && (low_open ? !(x > low) : !(x >= low))) return false;
  if (has_high && (high_open ? !(x < high) : !(x <= high))) return false;
  return true;
}

// --- IP addresses ----------------------------------------------------------------

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// event-ruler's Constants.IPv4_REGEX: [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+
bool LooksLikeIpv4(std::string_view s) {
  int dots = 0;
  bool digit_run = false;
  for (char c : s) {
    if (IsDigit(c)) {
      digit_run = true;
    } else if (c == '.' && digit_run) {
      ++dots;
      digit_run = false;
    } else {
      return false;
    }
  }
  return dots == 3 && digit_run;
}

// event-ruler's Constants.IPv6_REGEX: [0-9a-fA-F:]*:[0-9a-fA-F:]*
bool LooksLikeIpv6(std::string_view s) {
  bool colon = false;
  for (char c : s) {
    if (c == ':') {
      colon = true;
    } else if (HexValue(c) < 0) {
      return false;
    }
  }
  return colon;
}

bool ParseIpv4(std::string_view s, IpAddress* out) {
  out->size = 4;
  size_t start = 0;
  for (int part = 0; part < 4; ++part) {
    const size_t end = part == 3 ? s.size() : s.find('.', start);
    const std::string_view digits = s.substr(start, end - start);
    if (digits.empty() || digits.size() > 3) return false;
    int value = 0;
    for (char c : digits) value = value * 10 + (c - '0');
    if (value > 255) return false;
    out->bytes[static_cast<size_t>(part)] = static_cast<uint8_t>(value);
    start = end + 1;
  }
  return true;
}

// Appends the ':'-separated groups of `s` (1-4 hex digits each) to `groups`.
bool ParseHexGroups(std::string_view s, std::vector<uint16_t>* groups) {
  if (s.empty()) return true;
  size_t start = 0;
  while (true) {
    const size_t end = std::min(s.find(':', start), s.size());
    const std::string_view g = s.substr(start, end - start);
    if (g.empty() || g.size() > 4) return false;
    unsigned value = 0;
    for (char c : g) value = value * 16 + static_cast<unsigned>(HexValue(c));
    groups->push_back(static_cast<uint16_t>(value));
    if (end == s.size()) return true;
    start = end + 1;
  }
}

bool ParseIpv6(std::string_view s, IpAddress* out) {
  const size_t gap = s.find("::");
  if (gap != std::string_view::npos && s.find("::", gap + 1) != std::string_view::npos) {
    return false;
  }
  std::vector<uint16_t> head;
  std::vector<uint16_t> tail;
  if (gap == std::string_view::npos) {
    if (!ParseHexGroups(s, &head) || head.size() != 8) return false;
  } else {
    if (!ParseHexGroups(s.substr(0, gap), &head) || !ParseHexGroups(s.substr(gap + 2), &tail) ||
        head.size() + tail.size() > 7) {
      return false;
    }
  }
  std::array<uint16_t, 8> groups{};
  std::copy(head.begin(), head.end(), groups.begin());
  std::copy(tail.begin(), tail.end(), groups.end() - static_cast<std::ptrdiff_t>(tail.size()));
  out->size = 16;
  for (size_t k = 0; k < 8; ++k) {
    out->bytes[2 * k] = static_cast<uint8_t>(groups[k] >> 8);
    out->bytes[2 * k + 1] = static_cast<uint8_t>(groups[k] & 0xff);
  }
  // java.net.InetAddress turns IPv4-mapped addresses into IPv4 ones.
  const bool mapped =
      std::all_of(out->bytes.begin(), out->bytes.begin() + 10, [](uint8_t b) { return b == 0; }) &&
      out->bytes[10] == 0xff && out->bytes[11] == 0xff;
  if (mapped) {
    out->size = 4;
    std::copy(out->bytes.begin() + 12, out->bytes.end(), out->bytes.begin());
    std::fill(out->bytes.begin() + 4, out->bytes.end(), uint8_t{0});
  }
  return true;
}

}  // namespace

IpParse ParseIp(std::string_view text, IpAddress* out) {
  *out = IpAddress();
  if (LooksLikeIpv4(text)) return ParseIpv4(text, out) ? IpParse::kOk : IpParse::kInvalid;
  if (LooksLikeIpv6(text)) return ParseIpv6(text, out) ? IpParse::kOk : IpParse::kInvalid;
  return IpParse::kNonstandard;
}

bool IpRange::Contains(const IpAddress& ip) const {
  if (ip.size != low.size) return false;
  const auto n = static_cast<std::ptrdiff_t>(ip.size);
  return !std::lexicographical_compare(ip.bytes.begin(), ip.bytes.begin() + n, low.bytes.begin(),
                                       low.bytes.begin() + n) &&
         !std::lexicographical_compare(high.bytes.begin(), high.bytes.begin() + n, ip.bytes.begin(),
                                       ip.bytes.begin() + n);
}

namespace {

// java.lang.String.split("/"): trailing empty strings are dropped.
std::vector<std::string_view> JavaSplitSlash(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = s.find('/', start);
    if (end == std::string_view::npos) {
      parts.push_back(s.substr(start));
      break;
    }
    parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

// java.lang.Integer.parseInt: optional sign, decimal digits, 32-bit range.
bool JavaParseInt(std::string_view s, int64_t* out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int64_t value = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
    if (value > int64_t{1} << 31) return false;
  }
  if (negative) value = -value;
  if (value > INT32_MAX || value < INT32_MIN) return false;
  *out = value;
  return true;
}

}  // namespace

Status ParseCidr(std::string_view text, IpRange* out) {
  const std::vector<std::string_view> parts = JavaSplitSlash(text);
  if (parts.size() != 2) return InvalidArgument("Malformed CIDR, one '/' required");
  int64_t bits = 0;
  if (!JavaParseInt(parts[1], &bits)) {
    return InvalidArgument("Malformed CIDR, mask bits must be an integer");
  }
  if (bits < 0) return InvalidArgument("Malformed CIDR, mask bits must not be negative");
  IpAddress ip;
  switch (ParseIp(parts[0], &ip)) {
    case IpParse::kOk:
      break;
    case IpParse::kInvalid:
      return InvalidArgument("Invalid IP address: " + std::string(parts[0]));
    case IpParse::kNonstandard:
      return InvalidArgument("Nonstandard IP address: " + std::string(parts[0]));
  }
  if (ip.size == 4 && bits > 31) return InvalidArgument("IPv4 mask bits must be < 32");
  if (ip.size == 16 && bits > 127) return InvalidArgument("IPv6 mask bits must be < 128");
  out->low = ip;
  out->high = ip;
  int host_bits = ip.size * 8 - static_cast<int>(bits);
  for (int k = ip.size - 1; k >= 0 && host_bits > 0; --k, host_bits -= 8) {
    const auto mask = host_bits >= 8 ? 0xff : (1 << host_bits) - 1;
    auto& b = out->high.bytes[static_cast<size_t>(k)];
    b = static_cast<uint8_t>(b | mask);
  }
  return Status::Ok();
}

// --- Case folding ----------------------------------------------------------------

namespace {

// Folds a code point of U+0080..U+07FF; the result stays in that range.
uint32_t FoldTwoByte(uint32_t cp) {
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
  if (cp >= 0x100 && cp <= 0x137 && cp != 0x130 && cp != 0x131) return cp | 1;
  if (cp >= 0x139 && cp <= 0x148 && (cp & 1) == 1) return cp + 1;
  if (cp >= 0x14A && cp <= 0x177) return cp | 1;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x179 && cp <= 0x17E && (cp & 1) == 1) return cp + 1;
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
  if (cp == 0x38C) return 0x3CC;
  if (cp == 0x38E || cp == 0x38F) return cp + 63;
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;
  if (cp == 0x3C2) return 0x3C3;  // Final sigma.
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
  return cp;
}

// Folds the character at s[i] into out[0..len) and returns len (1 or 2). Bytes
// that do not start a two-byte sequence are copied unchanged, one at a time:
// longer sequences never fold here, and invalid UTF-8 compares as bytes.
size_t FoldAt(std::string_view s, size_t i, char out[2]) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    out[0] = static_cast<char>(b >= 'A' && b <= 'Z' ? b + 0x20 : b);
    return 1;
  }
  if ((b & 0xE0) == 0xC0 && i + 1 < s.size() &&
      (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
    const uint32_t cp =
        FoldTwoByte((uint32_t{b} & 0x1F) << 6 | (static_cast<unsigned char>(s[i + 1]) & 0x3F));
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  out[0] = s[i];
  return 1;
}

}  // namespace

std::string FoldCase(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char buf[2];
  for (size_t i = 0; i < text.size();) {
    const size_t n = FoldAt(text, i, buf);
    out.append(buf, n);
    i += n;
  }
  return out;
}

bool EqualsFolded(std::string_view value, std::string_view folded) {
  if (value.size() != folded.size()) return false;
  char buf[2];
  for (size_t i = 0; i < value.size();) {
    const size_t n = FoldAt(value, i, buf);
    if (buf[0] != folded[i] || (n == 2 && buf[1] != folded[i + 1])) return false;
    i += n;
  }
  return true;
}

bool StartsWithFolded(std::string_view value, std::string_view folded_prefix) {
  return value.size() >= folded_prefix.size() &&
         EqualsFolded(value.substr(0, folded_prefix.size()), folded_prefix);
}

bool EndsWithFolded(std::string_view value, std::string_view folded_suffix) {
  return value.size() >= folded_suffix.size() &&
         EqualsFolded(value.substr(value.size() - folded_suffix.size()), folded_suffix);
}

// --- Wildcards -------------------------------------------------------------------

Status ParseWildcard(std::string_view text, std::vector<int16_t>* tokens) {
  tokens->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // Positions are one more than our offsets: event-ruler parses '"' + text + '"'.
    if (c == '*') {
      if (i + 1 < text.size() && text[i + 1] == '*') {
        return InvalidArgument("Consecutive wildcard characters at pos " + std::to_string(i + 1));
      }
      tokens->push_back(kStar);
    } else if (c == '\\') {
      if (i + 1 < text.size() && (text[i + 1] == '*' || text[i + 1] == '\\')) {
        tokens->push_back(static_cast<int16_t>(static_cast<unsigned char>(text[i + 1])));
        ++i;
      } else {
        return InvalidArgument("Invalid escape character at pos " + std::to_string(i + 1));
      }
    } else {
      tokens->push_back(static_cast<int16_t>(static_cast<unsigned char>(c)));
    }
  }
  return Status::Ok();
}

Glob::Glob(const std::vector<int16_t>& tokens) {
  parts_.emplace_back();
  for (int16_t t : tokens) {
    if (t == kStar) {
      parts_.emplace_back();
    } else {
      parts_.back().push_back(static_cast<char>(t));
    }
  }
}

bool Glob::Matches(std::string_view value) const {
  if (parts_.size() == 1) return value == parts_[0];
  const std::string& first = parts_.front();
  const std::string& last = parts_.back();
  if (value.size() < first.size() + last.size()) return false;
  if (value.substr(0, first.size()) != first) return false;
  if (value.substr(value.size() - last.size()) != last) return false;
  // Between the fixed ends, the leftmost occurrence of each middle part is
  // always the best choice: it leaves the most room for the parts after it.
  size_t pos = first.size();
  const size_t end = value.size() - last.size();
  for (size_t k = 1; k + 1 < parts_.size(); ++k) {
    const std::string& part = parts_[k];
    if (part.empty()) continue;
    const size_t found = value.find(part, pos);
    if (found == std::string_view::npos || found + part.size() > end) return false;
    pos = found + part.size();
  }
  return true;
}

int WildcardComplexity(const std::vector<std::vector<int16_t>>& wildcards, int cap) {
  // NFA state (w, j): the prefix of length j of wildcard w matches the input
  // read so far. The complexity is the largest number of states with j >= 1
  // active at once over all inputs; a breadth-first walk of the subset
  // automaton finds it. Inputs only need the bytes the wildcards mention plus
  // one byte they do not.
  std::vector<bool> used(256, false);
  for (const auto& w : wildcards) {
    for (int16_t t : w) {
      if (t != kStar) used[static_cast<size_t>(t)] = true;
    }
  }
  std::vector<int16_t> alphabet;
  for (int16_t b = 0; b < 256; ++b) {
    if (used[static_cast<size_t>(b)]) alphabet.push_back(b);
  }
  for (int16_t b = 0; b < 256; ++b) {
    if (!used[static_cast<size_t>(b)]) {
      alphabet.push_back(b);
      break;
    }
  }
  using State = std::vector<std::pair<uint32_t, uint32_t>>;  // (wildcard, prefix length)
  auto close = [&](State* s) {
    for (size_t k = 0; k < s->size(); ++k) {
      const auto [w, j] = (*s)[k];
      if (j < wildcards[w].size() && wildcards[w][j] == kStar) s->emplace_back(w, j + 1);
    }
    std::sort(s->begin(), s->end());
    s->erase(std::unique(s->begin(), s->end()), s->end());
  };
  auto count = [](const State& s) {
    return static_cast<int>(std::count_if(s.begin(), s.end(), [](auto p) { return p.second > 0; }));
  };
  State start;
  for (uint32_t w = 0; w < wildcards.size(); ++w) start.emplace_back(w, 0);
  close(&start);
  constexpr size_t kMaxStates = 20000;
  std::set<State> seen{start};
  std::deque<State> queue{start};
  int best = count(start);
  while (!queue.empty() && best < cap) {
    const State s = std::move(queue.front());
    queue.pop_front();
    for (int16_t c : alphabet) {
      State next;
      for (const auto& [w, j] : s) {
        const auto& tokens = wildcards[w];
        if (j > 0 && tokens[j - 1] == kStar) next.emplace_back(w, j);
        if (j < tokens.size() && tokens[j] == c) next.emplace_back(w, j + 1);
      }
      if (next.empty()) continue;
      close(&next);
      if (!seen.insert(next).second) continue;
      if (seen.size() > kMaxStates) return cap;
      best = std::max(best, count(next));
      queue.push_back(std::move(next));
    }
  }
  return std::min(best, cap);
}

}  // namespace tocsin::rules::internal
