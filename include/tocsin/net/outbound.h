// The outbound guard: which destinations Tocsin's own HTTP requests (carriers,
// chat, notification-target webhooks) may reach (DESIGN.md §3, reliability.md
// §3.8), and the factory of the production HttpClient that enforces it.
//
// Every address a destination resolves to is classified: public addresses may
// be reached; loopback, unspecified, private, link-local, cloud metadata,
// multicast, broadcast and reserved addresses may not, unless the operator
// allow-lists them (config key `notify.allow`). IPv6 addresses that embed an
// IPv4 address (mapped, compatible, NAT64, 6to4) are classified by the
// embedded address, so `::ffff:169.254.169.254` is metadata.
//
// Everything here is a plain value or a pure function, safe to use from any
// thread; an OutboundGuard is immutable after Create.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/core/status.h"
#include "tocsin/net/http_client.h"

#include <sys/socket.h>

namespace tocsin::net {

// What the production HttpClient may reach and how long and how much it reads.
struct OutboundPolicy {
  // Operator allow-list (see ParseAllowList): CIDRs ("127.0.0.0/8", "::1/128",
  // "fd00::/8"), single IP literals ("10.1.2.3", "::1") and host names
  // (exact, case-insensitive). A host-name entry allows that host whatever it
  // resolves to; CIDR and IP entries allow the addresses inside them.
  std::vector<std::string> allow;
  std::chrono::milliseconds connect_timeout{5000};
  // Whole request, connect to last byte; HttpRequest::timeout overrides it.
  std::chrono::milliseconds total_timeout{10000};
  // Bound on the response body. Response headers are bounded separately, by the
  // larger of this and 64 KiB.
  size_t max_response_bytes = 1 << 20;
};

// Splits the comma-separated `notify.allow` value into entries, trimming
// spaces, skipping empty items and lower-casing host names. Returns
// kInvalidArgument naming the first bad entry: a CIDR with a bad prefix length
// or host bits set, an IP written in a non-canonical numeric spelling
// ("2852039166", "0x7f.1"), a port, a wildcard, or an invalid host name.
Result<std::vector<std::string>> ParseAllowList(std::string_view comma_list);

// An IPv4 or IPv6 address. IPv4 uses bytes[0..3]; the rest stay zero.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};

  // Returns the canonical text form ("169.254.169.254", "::ffff:a9fe:a9fe").
  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

// Parses a canonical IP literal: a dotted-quad IPv4 address or an IPv6 address,
// optionally in brackets. Returns nullopt for anything else, including the
// decimal, hex and octal IPv4 spellings that inet_aton would accept.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// Returns the address of an AF_INET or AF_INET6 `sa` of `len` bytes, or
// nullopt for another family or a short length.
std::optional<IpAddress> IpAddressFromSockaddr(const sockaddr* sa, socklen_t len);

enum class AddressClass {
  kPublic,
  kLoopback,     // 127.0.0.0/8, ::1
  kUnspecified,  // 0.0.0.0/8, ::
  kPrivate,      // 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fec0::/10
  kLinkLocal,    // 169.254.0.0/16, fe80::/10
  kMetadata,     // 169.254.169.254, 169.254.170.2, 100.100.100.200, fd00:ec2::254
  kMulticast,    // 224.0.0.0/4, ff00::/8
  kBroadcast,    // 255.255.255.255
  kReserved,     // documentation, benchmarking, 240/4, Teredo, non-2000::/3 IPv6, ...
};

// Returns "public", "loopback", "unspecified", "private", "link-local",
// "metadata", "multicast", "broadcast" or "reserved".
const char* AddressClassName(AddressClass address_class);

struct AddressVerdict {
  AddressClass address_class = AddressClass::kPublic;
  // For humans and logs: the class name, the range ("private 10.0.0.0/8") and,
  // for IPv4-embedding IPv6, how the IPv4 address was found
  // ("metadata, IPv4-mapped 169.254.169.254"). Plain "metadata" for the
  // metadata addresses, "public" for public ones.
  std::string reason;

  bool is_public() const { return address_class == AddressClass::kPublic; }
};

// Classifies `address` (see AddressClass).
AddressVerdict ClassifyAddress(const IpAddress& address);

// The compiled allow-list and the two checks every outbound request passes.
class OutboundGuard {
 public:
  // Compiles `allow` (entries as ParseAllowList returns them; unnormalized
  // entries are accepted too). Returns kInvalidArgument naming a bad entry.
  static Result<OutboundGuard> Create(const std::vector<std::string>& allow);

  // Returns true when `host` (a name, case-insensitive) is allow-listed by name.
  bool AllowsHost(std::string_view host) const;
  // Returns true when `address` lies inside a CIDR or IP entry. IPv4 entries
  // also match the IPv4-mapped IPv6 form of their addresses.
  bool AllowsAddress(const IpAddress& address) const;

  // The check after resolution: returns OK when `host` is allow-listed by name
  // or every one of `resolved` is public or allow-listed; else
  // kPermissionDenied "refusing <address> (<reason>)" for the first offender.
  // An empty `resolved` is kUnavailable.
  Status CheckResolved(std::string_view host, const std::vector<IpAddress>& resolved) const;

  // The check at connect time (against DNS rebinding): returns OK when
  // `target` is one of `vetted` (what CheckResolved passed) and is public,
  // allow-listed, or `host` is allow-listed by name; else kPermissionDenied.
  Status CheckConnect(std::string_view host, const std::vector<IpAddress>& vetted,
                      const IpAddress& target) const;

 private:
  struct Cidr {
    IpAddress base;  // Host bits zero.
    int prefix = 0;
  };

  std::vector<std::string> hosts_;  // Lower-cased.
  std::vector<Cidr> cidrs_;
};

// Returns the production HttpClient: libcurl behind the outbound guard. It
// resolves the host itself, refuses forbidden addresses (kPermissionDenied),
// pins libcurl to the vetted addresses and checks again the address libcurl
// is about to connect to; speaks http and https only, never follows
// redirects, ignores proxy environment variables and bounds time and response
// size as `policy` says. Returns kInvalidArgument for a bad allow-list entry
// or a non-positive timeout or size bound.
Result<std::unique_ptr<HttpClient>> NewGuardedHttpClient(OutboundPolicy policy);

}  // namespace tocsin::net
