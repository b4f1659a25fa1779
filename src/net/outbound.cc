#include "tocsin/net/outbound.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace tocsin::net {
namespace {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Returns true when the first `prefix` bits of `a` and `b` agree.
bool PrefixMatches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int prefix) {
  const auto whole = static_cast<size_t>(prefix / 8);
  if (!std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(whole), b.begin())) {
    return false;
  }
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

IpAddress V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress ip;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

struct Rule {
  IpAddress net;
  int prefix;
  AddressClass address_class;
  std::string text;  // "10.0.0.0/8"
};

Rule MakeRule(std::string_view cidr, AddressClass address_class) {
  const size_t slash = cidr.find('/');
  Rule r{*ParseIpAddress(cidr.substr(0, slash)), std::stoi(std::string(cidr.substr(slash + 1))),
         address_class, std::string(cidr)};
  return r;
}

// First match wins, so the single metadata addresses come before their ranges.
const std::vector<Rule>& V4Rules() {
  static const std::vector<Rule> kRules = {
      MakeRule("169.254.169.254/32", AddressClass::kMetadata),  // AWS, GCP, Azure, ...
      MakeRule("169.254.170.2/32", AddressClass::kMetadata),    // AWS ECS task metadata
      MakeRule("100.100.100.200/32", AddressClass::kMetadata),  // Alibaba Cloud
      MakeRule("255.255.255.255/32", AddressClass::kBroadcast),
      MakeRule("0.0.0.0/8", AddressClass::kUnspecified),
      MakeRule("127.0.0.0/8", AddressClass::kLoopback),
      MakeRule("10.0.0.0/8", AddressClass::kPrivate),
      MakeRule("172.16.0.0/12", AddressClass::kPrivate),
      MakeRule("192.168.0.0/16", AddressClass::kPrivate),
      MakeRule("100.64.0.0/10", AddressClass::kPrivate),  // CGNAT
      MakeRule("169.254.0.0/16", AddressClass::kLinkLocal),
      MakeRule("224.0.0.0/4", AddressClass::kMulticast),
      MakeRule("192.0.0.0/24", AddressClass::kReserved),     // IETF protocol assignments
      MakeRule("192.0.2.0/24", AddressClass::kReserved),     // TEST-NET-1
      MakeRule("192.88.99.0/24", AddressClass::kReserved),   // 6to4 relay anycast
      MakeRule("198.18.0.0/15", AddressClass::kReserved),    // benchmarking
      MakeRule("198.51.100.0/24", AddressClass::kReserved),  // TEST-NET-2
      MakeRule("203.0.113.0/24", AddressClass::kReserved),   // TEST-NET-3
      MakeRule("240.0.0.0/4", AddressClass::kReserved),
  };
  return kRules;
}

const std::vector<Rule>& V6Rules() {
  static const std::vector<Rule> kRules = {
      MakeRule("::/128", AddressClass::kUnspecified),
      MakeRule("::1/128", AddressClass::kLoopback),
      MakeRule("fd00:ec2::254/128", AddressClass::kMetadata),  // AWS IMDS over IPv6
      MakeRule("64:ff9b:1::/48", AddressClass::kPrivate),      // local-use NAT64
      MakeRule("100::/64", AddressClass::kReserved),           // discard-only
      MakeRule("2001::/32", AddressClass::kReserved),          // Teredo
      MakeRule("2001::/23", AddressClass::kReserved),          // IETF protocol assignments
      MakeRule("2001:db8::/32", AddressClass::kReserved),      // documentation
      MakeRule("3fff::/20", AddressClass::kReserved),          // documentation
      MakeRule("fc00::/7", AddressClass::kPrivate),            // unique local
      MakeRule("fe80::/10", AddressClass::kLinkLocal),
      MakeRule("fec0::/10", AddressClass::kPrivate),  // deprecated site-local
      MakeRule("ff00::/8", AddressClass::kMulticast),
  };
  return kRules;
}

// IPv6 prefixes whose addresses carry an IPv4 address, and where it sits.
struct Embedding {
  IpAddress net;
  int prefix;
  size_t offset;  // Of the IPv4 bytes.
  const char* name;
};

const std::vector<Embedding>& Embeddings() {
  static const std::vector<Embedding> kEmbeddings = {
      {*ParseIpAddress("::ffff:0:0"), 96, 12, "IPv4-mapped"},
      {*ParseIpAddress("::ffff:0:0:0"), 96, 12, "IPv4-translated"},
      {*ParseIpAddress("64:ff9b::"), 96, 12, "NAT64"},
      {*ParseIpAddress("2002::"), 16, 2, "6to4"},
      // Last: it also covers :: and ::1, which the rules classify first.
      {*ParseIpAddress("::"), 96, 12, "IPv4-compatible"},
  };
  return kEmbeddings;
}

AddressVerdict VerdictFor(const Rule& rule) {
  AddressVerdict v;
  v.address_class = rule.address_class;
  v.reason = AddressClassName(rule.address_class);
  if (rule.address_class != AddressClass::kMetadata) v.reason += " " + rule.text;
  return v;
}

AddressVerdict ClassifyV4(const IpAddress& ip) {
  for (const Rule& rule : V4Rules()) {
    if (PrefixMatches(rule.net.bytes, ip.bytes, rule.prefix)) return VerdictFor(rule);
  }
  return AddressVerdict{AddressClass::kPublic, "public"};
}

AddressVerdict ClassifyV6(const IpAddress& ip) {
  // :: and ::1 first: the IPv4-compatible range would read them as 0.0.0.0/0.0.0.1.
  for (size_t i = 0; i < 3; ++i) {
    const Rule& rule = V6Rules()[i];
    if (PrefixMatches(rule.net.bytes, ip.bytes, rule.prefix)) return VerdictFor(rule);
  }
  for (const Embedding& e : Embeddings()) {
    if (!PrefixMatches(e.net.bytes, ip.bytes, e.prefix)) continue;
    const IpAddress v4 = V4(ip.bytes[e.offset], ip.bytes[e.offset + 1], ip.bytes[e.offset + 2],
                            ip.bytes[e.offset + 3]);
    AddressVerdict v = ClassifyV4(v4);
    if (!v.is_public()) v.reason += std::string(", ") + e.name + " " + v4.ToString();
    return v;
  }
  for (const Rule& rule : V6Rules()) {
    if (PrefixMatches(rule.net.bytes, ip.bytes, rule.prefix)) return VerdictFor(rule);
  }
  // Only 2000::/3 is allocated for global unicast.
  if ((ip.bytes[0] & 0xE0) != 0x20) {
    return AddressVerdict{AddressClass::kReserved, "reserved, outside 2000::/3"};
  }
  return AddressVerdict{AddressClass::kPublic, "public"};
}

// One compiled allow-list entry.
struct Entry {
  std::string normalized;
  std::optional<IpAddress> net;  // Unset for a host name.
  int prefix = 0;
};

Status BadEntry(std::string_view entry, std::string_view why) {
  return InvalidArgument("notify.allow: bad entry \"" + std::string(entry) +
                         "\": " + std::string(why));
}

Result<Entry> ParseEntry(std::string_view raw) {
  const std::string_view text = Trim(raw);
  if (text.empty()) return BadEntry(raw, "empty");
  Entry entry;
  if (const size_t slash = text.find('/'); slash != std::string_view::npos) {
    const std::optional<IpAddress> ip = ParseIpAddress(text.substr(0, slash));
    if (!ip) return BadEntry(text, "a CIDR needs a canonical IP address before the '/'");
    const std::string_view len = text.substr(slash + 1);
    const int max = ip->v6 ? 128 : 32;
    if (!AllDigits(len) || len.size() > 3 || std::stoi(std::string(len)) > max) {
      return BadEntry(text, "prefix length must be 0.." + std::to_string(max));
    }
    entry.prefix = std::stoi(std::string(len));
    IpAddress masked{ip->v6, {}};
    for (int bit = 0; bit < entry.prefix; ++bit) {
      const auto byte = static_cast<size_t>(bit / 8);
      const auto mask = static_cast<uint8_t>(0x80 >> (bit % 8));
      masked.bytes[byte] = static_cast<uint8_t>(masked.bytes[byte] | (ip->bytes[byte] & mask));
    }
    if (masked != *ip) {
      return BadEntry(text, "host bits are set (did you mean " + masked.ToString() + "/" +
                                std::string(len) + "?)");
    }
    entry.net = masked;
    entry.normalized = masked.ToString() + "/" + std::string(len);
    return entry;
  }
  if (const std::optional<IpAddress> ip = ParseIpAddress(text)) {
    entry.net = *ip;
    entry.prefix = ip->v6 ? 128 : 32;
    entry.normalized = ip->ToString();
    return entry;
  }
  if (text.find('*') != std::string_view::npos) {
    return BadEntry(text, "wildcards are not supported");
  }
  if (text.find(':') != std::string_view::npos) {
    return BadEntry(text, "not an IP address or host name (ports are not supported)");
  }
  const std::string host = ToLower(text);
  in_addr unused{};
  if (::inet_aton(host.c_str(), &unused) != 0) {
    return BadEntry(text, "numeric IPv4 spelling; write it as a dotted quad");
  }
  if (host.size() > 253) return BadEntry(text, "host name longer than 253 characters");
  size_t start = 0;
  std::string_view last_label;
  while (true) {
    const size_t dot = host.find('.', start);
    const std::string_view label = std::string_view(host).substr(
        start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.size() > 63) return BadEntry(text, "bad host name label length");
    if (label.front() == '-' || label.back() == '-') {
      return BadEntry(text, "a host name label may not start or end with '-'");
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return BadEntry(text, "not a CIDR, IP address or host name");
      }
    }
    last_label = label;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (AllDigits(last_label)) return BadEntry(text, "not a canonical IP address or host name");
  entry.normalized = host;
  return entry;
}

}  // namespace

Result<std::vector<std::string>> ParseAllowList(std::string_view comma_list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= comma_list.size()) {
    size_t comma = comma_list.find(',', start);
    if (comma == std::string_view::npos) comma = comma_list.size();
    const std::string_view item = Trim(comma_list.substr(start, comma - start));
    if (!item.empty()) {
      Result<Entry> entry = ParseEntry(item);
      if (!entry.ok()) return entry.status();
      out.push_back(std::move(entry->normalized));
    }
    start = comma + 1;
  }
  return out;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf)) == nullptr) return "?";
  return buf;
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  IpAddress ip;
  // inet_pton takes only the dotted quad for IPv4 (no decimal, hex or octal forms).
  if (::inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  ip.v6 = true;
  if (::inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

std::optional<IpAddress> IpAddressFromSockaddr(const sockaddr* sa, socklen_t len) {
  if (sa == nullptr) return std::nullopt;
  IpAddress ip;
  if (sa->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, sa, sizeof(in));
    std::memcpy(ip.bytes.data(), &in.sin_addr, 4);
    return ip;
  }
  if (sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, sa, sizeof(in6));
    ip.v6 = true;
    std::memcpy(ip.bytes.data(), &in6.sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

const char* AddressClassName(AddressClass address_class) {
  switch (address_class) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kMetadata:
      return "metadata";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kBroadcast:
      return "broadcast";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "reserved";
}

AddressVerdict ClassifyAddress(const IpAddress& address) {
  return address.v6 ? ClassifyV6(address) : ClassifyV4(address);
}

Result<OutboundGuard> OutboundGuard::Create(const std::vector<std::string>& allow) {
  OutboundGuard guard;
  for (const std::string& raw : allow) {
    Result<Entry> entry = ParseEntry(raw);
    if (!entry.ok()) return entry.status();
    if (entry->net) {
      guard.cidrs_.push_back(Cidr{*entry->net, entry->prefix});
    } else {
      guard.hosts_.push_back(std::move(entry->normalized));
    }
  }
  return guard;
}

bool OutboundGuard::AllowsHost(std::string_view host) const {
  const std::string lower = ToLower(host);
  return std::find(hosts_.begin(), hosts_.end(), lower) != hosts_.end();
}

bool OutboundGuard::AllowsAddress(const IpAddress& address) const {
  // An IPv4-mapped address reaches the IPv4 host, so IPv4 entries cover it.
  IpAddress v4_form = address;
  static const IpAddress kMapped = *ParseIpAddress("::ffff:0:0");
  if (address.v6 && PrefixMatches(kMapped.bytes, address.bytes, 96)) {
    v4_form = V4(address.bytes[12], address.bytes[13], address.bytes[14], address.bytes[15]);
  }
  return std::any_of(cidrs_.begin(), cidrs_.end(), [&](const Cidr& c) {
    return (c.base.v6 == address.v6 && PrefixMatches(c.base.bytes, address.bytes, c.prefix)) ||
           (!c.base.v6 && !v4_form.v6 && PrefixMatches(c.base.bytes, v4_form.bytes, c.prefix));
  });
}

Status OutboundGuard::CheckResolved(std::string_view host,
                                    const std::vector<IpAddress>& resolved) const {
  if (resolved.empty()) return Unavailable("no address for host " + std::string(host));
  if (AllowsHost(host)) return Status::Ok();
  for (const IpAddress& ip : resolved) {
    if (AllowsAddress(ip)) continue;
    const AddressVerdict verdict = ClassifyAddress(ip);
    if (verdict.is_public()) continue;
    std::string message = "refusing " + ip.ToString() + " (" + verdict.reason + ")";
    if (!ParseIpAddress(host)) message += ", an address of host " + std::string(host);
    return PermissionDenied(std::move(message));
  }
  return Status::Ok();
}

Status OutboundGuard::CheckConnect(std::string_view host, const std::vector<IpAddress>& vetted,
                                   const IpAddress& target) const {
  if (std::find(vetted.begin(), vetted.end(), target) == vetted.end()) {
    return PermissionDenied("refusing " + target.ToString() + " (not the vetted address of " +
                            std::string(host) + ")");
  }
  if (AllowsHost(host) || AllowsAddress(target)) return Status::Ok();
  const AddressVerdict verdict = ClassifyAddress(target);
  if (verdict.is_public()) return Status::Ok();
  return PermissionDenied("refusing " + target.ToString() + " (" + verdict.reason + ")");
}

}  // namespace tocsin::net
