#include "tocsin/net/outbound.h"

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <netinet/in.h>

namespace tocsin::net {
namespace {

IpAddress Ip(const std::string& text) {
  const std::optional<IpAddress> ip = ParseIpAddress(text);
  EXPECT_TRUE(ip.has_value()) << text;
  return ip.value_or(IpAddress{});
}

TEST(ParseIpAddressTest, AcceptsCanonicalLiterals) {
  EXPECT_EQ(Ip("169.254.169.254").ToString(), "169.254.169.254");
  EXPECT_FALSE(Ip("10.0.0.1").v6);
  EXPECT_TRUE(Ip("::1").v6);
  EXPECT_EQ(Ip("[::1]").ToString(), "::1");
  EXPECT_EQ(Ip("FD00:EC2::254").ToString(), "fd00:ec2::254");
  EXPECT_EQ(Ip("::ffff:169.254.169.254").ToString(), "::ffff:169.254.169.254");
}

TEST(ParseIpAddressTest, RejectsNonCanonicalSpellings) {
  for (const char* text :
       {"2852039166", "0xA9FEA9FE", "0251.0376.0251.0376", "0x7f.1", "127.1", "01.2.3.4",
        "1.2.3.4.5", "256.1.1.1", "fe80::1%eth0", "[::1", "", "example.com", " 1.2.3.4"}) {
    EXPECT_FALSE(ParseIpAddress(text).has_value()) << text;
  }
}

TEST(ParseIpAddressTest, FromSockaddr) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(0x7F000001);
  std::optional<IpAddress> ip =
      IpAddressFromSockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof(in));
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->ToString(), "127.0.0.1");

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_addr = in6addr_loopback;
  ip = IpAddressFromSockaddr(reinterpret_cast<const sockaddr*>(&in6), sizeof(in6));
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->ToString(), "::1");

  EXPECT_FALSE(IpAddressFromSockaddr(reinterpret_cast<const sockaddr*>(&in6), 8).has_value());
  sockaddr unix_family{};
  unix_family.sa_family = AF_UNIX;
  EXPECT_FALSE(IpAddressFromSockaddr(&unix_family, sizeof(unix_family)).has_value());
  EXPECT_FALSE(IpAddressFromSockaddr(nullptr, 0).has_value());
}

struct ClassCase {
  const char* address;
  AddressClass address_class;
  const char* reason;  // Exact expected reason.
};

class ClassifyTest : public ::testing::TestWithParam<ClassCase> {};

TEST_P(ClassifyTest, Classifies) {
  const ClassCase& c = GetParam();
  const AddressVerdict v = ClassifyAddress(Ip(c.address));
  EXPECT_EQ(AddressClassName(v.address_class), std::string(AddressClassName(c.address_class)))
      << c.address;
  EXPECT_EQ(v.reason, c.reason) << c.address;
  EXPECT_EQ(v.is_public(), c.address_class == AddressClass::kPublic) << c.address;
}

INSTANTIATE_TEST_SUITE_P(
    Ipv4, ClassifyTest,
    ::testing::Values(
        ClassCase{"8.8.8.8", AddressClass::kPublic, "public"},
        ClassCase{"1.1.1.1", AddressClass::kPublic, "public"},
        ClassCase{"93.184.216.34", AddressClass::kPublic, "public"},
        ClassCase{"127.0.0.1", AddressClass::kLoopback, "loopback 127.0.0.0/8"},
        ClassCase{"127.255.255.254", AddressClass::kLoopback, "loopback 127.0.0.0/8"},
        ClassCase{"0.0.0.0", AddressClass::kUnspecified, "unspecified 0.0.0.0/8"},
        ClassCase{"0.1.2.3", AddressClass::kUnspecified, "unspecified 0.0.0.0/8"},
        ClassCase{"10.0.0.1", AddressClass::kPrivate, "private 10.0.0.0/8"},
        ClassCase{"172.16.0.1", AddressClass::kPrivate, "private 172.16.0.0/12"},
        ClassCase{"172.31.255.255", AddressClass::kPrivate, "private 172.16.0.0/12"},
        ClassCase{"172.32.0.1", AddressClass::kPublic, "public"},
        ClassCase{"172.15.255.255", AddressClass::kPublic, "public"},
        ClassCase{"192.168.1.1", AddressClass::kPrivate, "private 192.168.0.0/16"},
        ClassCase{"100.64.0.1", AddressClass::kPrivate, "private 100.64.0.0/10"},
        ClassCase{"100.127.255.255", AddressClass::kPrivate, "private 100.64.0.0/10"},
        ClassCase{"100.128.0.0", AddressClass::kPublic, "public"},
        ClassCase{"169.254.1.1", AddressClass::kLinkLocal, "link-local 169.254.0.0/16"},
        ClassCase{"169.254.169.254", AddressClass::kMetadata, "metadata"},
        ClassCase{"169.254.170.2", AddressClass::kMetadata, "metadata"},
        ClassCase{"100.100.100.200", AddressClass::kMetadata, "metadata"},
        ClassCase{"224.0.0.1", AddressClass::kMulticast, "multicast 224.0.0.0/4"},
        ClassCase{"239.255.255.250", AddressClass::kMulticast, "multicast 224.0.0.0/4"},
        ClassCase{"255.255.255.255", AddressClass::kBroadcast, "broadcast 255.255.255.255/32"},
        ClassCase{"192.0.0.8", AddressClass::kReserved, "reserved 192.0.0.0/24"},
        ClassCase{"192.0.2.1", AddressClass::kReserved, "reserved 192.0.2.0/24"},
        ClassCase{"198.18.0.1", AddressClass::kReserved, "reserved 198.18.0.0/15"},
        ClassCase{"198.19.255.255", AddressClass::kReserved, "reserved 198.18.0.0/15"},
        ClassCase{"198.51.100.7", AddressClass::kReserved, "reserved 198.51.100.0/24"},
        ClassCase{"203.0.113.9", AddressClass::kReserved, "reserved 203.0.113.0/24"},
        ClassCase{"240.0.0.1", AddressClass::kReserved, "reserved 240.0.0.0/4"},
        ClassCase{"255.255.255.254", AddressClass::kReserved, "reserved 240.0.0.0/4"}));

INSTANTIATE_TEST_SUITE_P(
    Ipv6, ClassifyTest,
    ::testing::Values(
        ClassCase{"2606:4700:4700::1111", AddressClass::kPublic, "public"},
        ClassCase{"2a00:1450:4001:80b::200e", AddressClass::kPublic, "public"},
        ClassCase{"::1", AddressClass::kLoopback, "loopback ::1/128"},
        ClassCase{"::", AddressClass::kUnspecified, "unspecified ::/128"},
        ClassCase{"fc00::1", AddressClass::kPrivate, "private fc00::/7"},
        ClassCase{"fd12:3456::1", AddressClass::kPrivate, "private fc00::/7"},
        ClassCase{"fd00:ec2::254", AddressClass::kMetadata, "metadata"},
        ClassCase{"fd00:ec2::253", AddressClass::kPrivate, "private fc00::/7"},
        ClassCase{"fe80::1", AddressClass::kLinkLocal, "link-local fe80::/10"},
        ClassCase{"febf::1", AddressClass::kLinkLocal, "link-local fe80::/10"},
        ClassCase{"fec0::1", AddressClass::kPrivate, "private fec0::/10"},
        ClassCase{"ff02::1", AddressClass::kMulticast, "multicast ff00::/8"},
        ClassCase{"2001:db8::1", AddressClass::kReserved, "reserved 2001:db8::/32"},
        ClassCase{"2001:0:4136:e378::1", AddressClass::kReserved, "reserved 2001::/32"},
        ClassCase{"100::1", AddressClass::kReserved, "reserved 100::/64"},
        ClassCase{"64:ff9b:1::a00:1", AddressClass::kPrivate, "private 64:ff9b:1::/48"},
        ClassCase{"4000::1", AddressClass::kReserved, "reserved, outside 2000::/3"},
        ClassCase{"::1:0:0:0", AddressClass::kReserved, "reserved, outside 2000::/3"}));

INSTANTIATE_TEST_SUITE_P(
    EmbeddedIpv4, ClassifyTest,
    ::testing::Values(
        ClassCase{"::ffff:169.254.169.254", AddressClass::kMetadata,
                  "metadata, IPv4-mapped 169.254.169.254"},
        ClassCase{"::ffff:a9fe:a9fe", AddressClass::kMetadata,
                  "metadata, IPv4-mapped 169.254.169.254"},
        ClassCase{"::ffff:127.0.0.1", AddressClass::kLoopback,
                  "loopback 127.0.0.0/8, IPv4-mapped 127.0.0.1"},
        ClassCase{"::ffff:10.1.2.3", AddressClass::kPrivate,
                  "private 10.0.0.0/8, IPv4-mapped 10.1.2.3"},
        ClassCase{"::ffff:8.8.8.8", AddressClass::kPublic, "public"},
        ClassCase{"::ffff:0:192.168.0.1", AddressClass::kPrivate,
                  "private 192.168.0.0/16, IPv4-translated 192.168.0.1"},
        ClassCase{"::127.0.0.1", AddressClass::kLoopback,
                  "loopback 127.0.0.0/8, IPv4-compatible 127.0.0.1"},
        ClassCase{"::169.254.169.254", AddressClass::kMetadata,
                  "metadata, IPv4-compatible 169.254.169.254"},
        ClassCase{"::8.8.8.8", AddressClass::kPublic, "public"},
        ClassCase{"64:ff9b::169.254.169.254", AddressClass::kMetadata,
                  "metadata, NAT64 169.254.169.254"},
        ClassCase{"64:ff9b::10.0.0.1", AddressClass::kPrivate,
                  "private 10.0.0.0/8, NAT64 10.0.0.1"},
        ClassCase{"64:ff9b::8.8.8.8", AddressClass::kPublic, "public"},
        ClassCase{"2002:a9fe:a9fe::1", AddressClass::kMetadata, "metadata, 6to4 169.254.169.254"},
        ClassCase{"2002:7f00:1::", AddressClass::kLoopback, "loopback 127.0.0.0/8, 6to4 127.0.0.1"},
        ClassCase{"2002:0808:0808::1", AddressClass::kPublic, "public"}));

TEST(AddressClassNameTest, NamesEveryClass) {
  EXPECT_STREQ(AddressClassName(AddressClass::kPublic), "public");
  EXPECT_STREQ(AddressClassName(AddressClass::kLoopback), "loopback");
  EXPECT_STREQ(AddressClassName(AddressClass::kUnspecified), "unspecified");
  EXPECT_STREQ(AddressClassName(AddressClass::kPrivate), "private");
  EXPECT_STREQ(AddressClassName(AddressClass::kLinkLocal), "link-local");
  EXPECT_STREQ(AddressClassName(AddressClass::kMetadata), "metadata");
  EXPECT_STREQ(AddressClassName(AddressClass::kMulticast), "multicast");
  EXPECT_STREQ(AddressClassName(AddressClass::kBroadcast), "broadcast");
  EXPECT_STREQ(AddressClassName(AddressClass::kReserved), "reserved");
}

TEST(ParseAllowListTest, ParsesAndNormalizesEntries) {
  Result<std::vector<std::string>> list = ParseAllowList(
      " 127.0.0.0/8, ::1/128 ,fd00::/8,10.1.2.3, [::1], Hooks.Internal.Example ,,"
      "chat-relay, 0.0.0.0/0 ");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(*list,
            (std::vector<std::string>{"127.0.0.0/8", "::1/128", "fd00::/8", "10.1.2.3", "::1",
                                      "hooks.internal.example", "chat-relay", "0.0.0.0/0"}));
}

TEST(ParseAllowListTest, EmptyListIsEmpty) {
  for (const char* text : {"", " ", ",", " , ,"}) {
    Result<std::vector<std::string>> list = ParseAllowList(text);
    ASSERT_TRUE(list.ok()) << text;
    EXPECT_TRUE(list->empty()) << text;
  }
}

TEST(ParseAllowListTest, RejectsBadEntriesByName) {
  for (const char* bad : {"10.0.0.0/33",
                          "::/129",
                          "10.0.0.0/",
                          "10.0.0.0/x",
                          "10.1.2.3/8",
                          "fd00::1/8",
                          "2852039166",
                          "0xA9FEA9FE",
                          "0251.0376.0251.0376",
                          "0x7f.1",
                          "127.1",
                          "10.1.2.3:8443",
                          "*.example.com",
                          "exa mple.com",
                          "-bad.example",
                          "bad..example",
                          "under_score.example",
                          "1.2.3.4.5",
                          "http://example.com",
                          "x.1234"}) {
    Result<std::vector<std::string>> list = ParseAllowList(std::string("127.0.0.1, ") + bad);
    ASSERT_FALSE(list.ok()) << bad;
    EXPECT_EQ(list.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(list.status().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << list.status().message();
  }
}

TEST(ParseAllowListTest, SuggestsTheNetworkWhenHostBitsAreSet) {
  Result<std::vector<std::string>> list = ParseAllowList("10.1.2.3/8");
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("10.0.0.0/8"), std::string::npos)
      << list.status().message();
}

TEST(OutboundGuardTest, CreateRejectsBadEntries) {
  Result<OutboundGuard> guard = OutboundGuard::Create({"127.0.0.1/32", "0x7f.1"});
  ASSERT_FALSE(guard.ok());
  EXPECT_EQ(guard.status().code(), StatusCode::kInvalidArgument);
}

TEST(OutboundGuardTest, MatchesHostsCaseInsensitively) {
  Result<OutboundGuard> guard = OutboundGuard::Create({"Hooks.Example"});
  ASSERT_TRUE(guard.ok());
  EXPECT_TRUE(guard->AllowsHost("hooks.example"));
  EXPECT_TRUE(guard->AllowsHost("HOOKS.EXAMPLE"));
  EXPECT_FALSE(guard->AllowsHost("evil.hooks.example"));
  EXPECT_FALSE(guard->AllowsHost("hooks.example.evil"));
  EXPECT_FALSE(guard->AllowsAddress(Ip("127.0.0.1")));
}

TEST(OutboundGuardTest, MatchesCidrsAndSingleAddresses) {
  Result<OutboundGuard> guard =
      OutboundGuard::Create({"127.0.0.0/8", "10.1.2.3", "fd00::/8", "::1/128", "172.16.0.0/12"});
  ASSERT_TRUE(guard.ok());
  EXPECT_TRUE(guard->AllowsAddress(Ip("127.0.0.1")));
  EXPECT_TRUE(guard->AllowsAddress(Ip("127.9.9.9")));
  EXPECT_TRUE(guard->AllowsAddress(Ip("10.1.2.3")));
  EXPECT_FALSE(guard->AllowsAddress(Ip("10.1.2.4")));
  EXPECT_TRUE(guard->AllowsAddress(Ip("fd00:ec2::254")));
  EXPECT_FALSE(guard->AllowsAddress(Ip("fc00::1")));
  EXPECT_TRUE(guard->AllowsAddress(Ip("::1")));
  EXPECT_TRUE(guard->AllowsAddress(Ip("172.31.0.1")));
  EXPECT_FALSE(guard->AllowsAddress(Ip("172.32.0.1")));
  // IPv4 entries cover the IPv4-mapped form of their addresses, not other embeddings.
  EXPECT_TRUE(guard->AllowsAddress(Ip("::ffff:127.0.0.1")));
  EXPECT_FALSE(guard->AllowsAddress(Ip("::ffff:169.254.169.254")));
  EXPECT_FALSE(guard->AllowsAddress(Ip("64:ff9b::127.0.0.1")));
  EXPECT_FALSE(guard->AllowsAddress(Ip("169.254.169.254")));
}

TEST(OutboundGuardTest, EmptyAllowListAllowsNothingNonPublic) {
  Result<OutboundGuard> guard = OutboundGuard::Create({});
  ASSERT_TRUE(guard.ok());
  EXPECT_FALSE(guard->AllowsAddress(Ip("127.0.0.1")));
  EXPECT_FALSE(guard->AllowsHost("localhost"));
  EXPECT_TRUE(guard->CheckResolved("example.com", {Ip("93.184.216.34")}).ok());
}

TEST(OutboundGuardTest, CheckResolvedRefusesIfAnyAddressIsForbidden) {
  Result<OutboundGuard> guard = OutboundGuard::Create({});
  ASSERT_TRUE(guard.ok());
  // A DNS answer mixing public and private addresses.
  const Status s =
      guard->CheckResolved("mixed.example", {Ip("93.184.216.34"), Ip("169.254.169.254")});
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "refusing 169.254.169.254 (metadata), an address of host mixed.example");

  const Status literal = guard->CheckResolved("169.254.169.254", {Ip("169.254.169.254")});
  EXPECT_EQ(literal.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(literal.message(), "refusing 169.254.169.254 (metadata)");

  const Status none = guard->CheckResolved("empty.example", {});
  EXPECT_EQ(none.code(), StatusCode::kUnavailable);
}

TEST(OutboundGuardTest, CheckResolvedHonoursTheAllowList) {
  Result<OutboundGuard> guard = OutboundGuard::Create({"127.0.0.1/32", "internal.example"});
  ASSERT_TRUE(guard.ok());
  EXPECT_TRUE(guard->CheckResolved("127.0.0.1", {Ip("127.0.0.1")}).ok());
  EXPECT_EQ(guard->CheckResolved("a.example", {Ip("127.0.0.1"), Ip("127.0.0.2")}).code(),
            StatusCode::kPermissionDenied);
  // A host-name entry allows the host whatever it resolves to.
  EXPECT_TRUE(
      guard->CheckResolved("Internal.Example", {Ip("10.0.0.1"), Ip("169.254.169.254")}).ok());
}

TEST(OutboundGuardTest, CheckConnectRefusesAnAddressThatWasNotVetted) {
  Result<OutboundGuard> guard = OutboundGuard::Create({"internal.example"});
  ASSERT_TRUE(guard.ok());
  const std::vector<IpAddress> vetted = {Ip("93.184.216.34")};
  EXPECT_TRUE(guard->CheckConnect("example.com", vetted, Ip("93.184.216.34")).ok());
  // DNS rebinding: curl resolved again and got something else.
  const Status rebound = guard->CheckConnect("example.com", vetted, Ip("127.0.0.1"));
  EXPECT_EQ(rebound.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(rebound.message().find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(guard->CheckConnect("example.com", vetted, Ip("8.8.8.8")).code(),
            StatusCode::kPermissionDenied);
  // A forbidden address that was somehow vetted is still refused at connect time.
  EXPECT_EQ(guard->CheckConnect("example.com", {Ip("10.0.0.1")}, Ip("10.0.0.1")).code(),
            StatusCode::kPermissionDenied);
  // Unless the host is allow-listed by name.
  EXPECT_TRUE(guard->CheckConnect("internal.example", {Ip("10.0.0.1")}, Ip("10.0.0.1")).ok());
}

}  // namespace
}  // namespace tocsin::net
