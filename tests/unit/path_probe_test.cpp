// The pure half of net/path_probe.hpp: rtnetlink replies built byte by byte
// as the kernel sends them, and conntrack's /proc texts as a kernel writes them.
#include "nperf/net/path_probe.hpp"

#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace nperf;

// Builds a reply: messages of header + fixed part + attributes, each padded to 4 bytes.
class Reply {
 public:
  template <typename Fixed>
  Reply& message(uint16_t type, const Fixed& fixed) {
    start_ = bytes_.size();
    nlmsghdr h{};
    h.nlmsg_type = type;
    append(&h, sizeof h);
    append(&fixed, sizeof fixed);
    finish();
    return *this;
  }
  Reply& attribute(uint16_t type, const void* data, size_t length) {
    rtattr a{};
    a.rta_type = type;
    a.rta_len = static_cast<uint16_t>(sizeof a + length);
    append(&a, sizeof a);
    append(data, length);
    finish();
    return *this;
  }
  Reply& u32(uint16_t type, uint32_t v) { return attribute(type, &v, 4); }
  Reply& text(uint16_t type, const std::string& s) { return attribute(type, s.c_str(), s.size() + 1); }
  // IFLA_LINKINFO holding IFLA_INFO_KIND.
  Reply& link_kind(const std::string& kind) {
    std::vector<uint8_t> inner(sizeof(rtattr) + ((kind.size() + 1 + 3) & ~size_t{3}));
    rtattr a{};
    a.rta_type = IFLA_INFO_KIND;
    a.rta_len = static_cast<uint16_t>(sizeof a + kind.size() + 1);
    std::memcpy(inner.data(), &a, sizeof a);
    std::memcpy(inner.data() + sizeof a, kind.c_str(), kind.size() + 1);
    return attribute(IFLA_LINKINFO, inner.data(), inner.size());
  }
  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  void append(const void* data, size_t length) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes_.insert(bytes_.end(), p, p + length);
    while (bytes_.size() % 4) bytes_.push_back(0);
  }
  // The current message's length covers everything appended since it began.
  void finish() {
    uint32_t len = static_cast<uint32_t>(bytes_.size() - start_);
    std::memcpy(bytes_.data() + start_, &len, 4);
  }
  std::vector<uint8_t> bytes_;
  size_t start_ = 0;
};

rtmsg route_fixed() {
  rtmsg r{};
  r.rtm_family = AF_INET;
  r.rtm_dst_len = 32;
  return r;
}

ifinfomsg link_fixed(unsigned short type) {
  ifinfomsg i{};
  i.ifi_type = type;
  i.ifi_index = 7;
  return i;
}

TEST(PathProbe, RouteReplyGivesTheOutputInterface) {
  Reply r;
  uint8_t dst[4] = {198, 18, 0, 2};
  r.message(RTM_NEWROUTE, route_fixed()).attribute(RTA_DST, dst, 4).u32(RTA_OIF, 7).u32(RTA_PRIORITY, 0);
  EXPECT_EQ(net::parse_route_reply(r.bytes()), 7);
}

TEST(PathProbe, RouteErrorOrTruncatedReplyIsUnknown) {
  nlmsgerr err{};
  err.error = -101;  // ENETUNREACH
  Reply e;
  e.message(NLMSG_ERROR, err);
  EXPECT_EQ(net::parse_route_reply(e.bytes()), std::nullopt);
  Reply r;
  r.message(RTM_NEWROUTE, route_fixed()).u32(RTA_OIF, 7);
  std::span<const uint8_t> all = r.bytes();
  for (size_t n = 0; n < all.size(); ++n) EXPECT_EQ(net::parse_route_reply(all.first(n)), std::nullopt) << n;
  Reply no_oif;
  no_oif.message(RTM_NEWROUTE, route_fixed()).u32(RTA_PRIORITY, 5);
  EXPECT_EQ(net::parse_route_reply(no_oif.bytes()), std::nullopt);
}

TEST(PathProbe, LinkReplyGivesNameMtuKindAndOverhead) {
  Reply r;
  r.message(RTM_NEWLINK, link_fixed(ARPHRD_ETHER))
      .text(IFLA_IFNAME, "vxlan42")
      .u32(IFLA_MTU, 1450)
      .link_kind("vxlan");
  auto d = net::parse_link_reply(r.bytes());
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, (protocol::RouteDevice{"vxlan42", "vxlan", 1450, 50}));

  Reply veth;
  veth.message(RTM_NEWLINK, link_fixed(ARPHRD_ETHER))
      .u32(IFLA_MTU, 1500)
      .text(IFLA_IFNAME, "veth0")
      .link_kind("veth");
  EXPECT_EQ(*net::parse_link_reply(veth.bytes()), (protocol::RouteDevice{"veth0", "veth", 1500, 0}));
}

TEST(PathProbe, LinkWithoutAKindIsNamedByItsHardwareType) {
  Reply lo;
  lo.message(RTM_NEWLINK, link_fixed(ARPHRD_LOOPBACK)).text(IFLA_IFNAME, "lo").u32(IFLA_MTU, 65536);
  EXPECT_EQ(*net::parse_link_reply(lo.bytes()), (protocol::RouteDevice{"lo", "loopback", 65536, 0}));
  Reply nic;
  nic.message(RTM_NEWLINK, link_fixed(ARPHRD_ETHER)).text(IFLA_IFNAME, "eth0").u32(IFLA_MTU, 9000);
  EXPECT_EQ(*net::parse_link_reply(nic.bytes()), (protocol::RouteDevice{"eth0", "physical", 9000, 0}));
  EXPECT_EQ(net::device_kind("", ARPHRD_NONE), "arphrd-65534");
  EXPECT_EQ(net::device_kind("wireguard", ARPHRD_NONE), "wireguard");
}

TEST(PathProbe, LinkReplyWithoutANameIsUnknown) {
  Reply r;
  r.message(RTM_NEWLINK, link_fixed(ARPHRD_ETHER)).u32(IFLA_MTU, 1500);
  EXPECT_EQ(net::parse_link_reply(r.bytes()), std::nullopt);
  EXPECT_EQ(net::parse_link_reply({}), std::nullopt);
}

// /proc/net/stat/nf_conntrack from a 2-CPU 6.1 kernel (hexadecimal, one row per CPU).
const char* const kConntrackStat =
    "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop "
    "icmp_error  expect_new expect_create expect_delete search_restart\n"
    "0000000c  00000000 00000000 00000000 00000005 00000000 00000000 00000000 00000000 00000001 00000003 "
    "00000000 00000000  00000000 00000000 00000000 00000000\n"
    "0000000c  00000000 00000000 00000000 00000002 00000000 00000000 00000000 00000000 00000002 0000000a "
    "00000001 00000000  00000000 00000000 00000000 00000000\n";

TEST(PathProbe, ConntrackSumsTheCountersOverCpus) {
  protocol::ConntrackReading c = net::conntrack_from_texts("12\n", "262144\n", kConntrackStat);
  EXPECT_EQ(c, (protocol::ConntrackReading{12, 262144, 13, 3, 1}));
}

TEST(PathProbe, ConntrackWithoutTheModuleIsAbsentNotAnError) {
  EXPECT_EQ(net::conntrack_from_texts(std::nullopt, std::nullopt, std::nullopt),
            protocol::ConntrackReading{});
  EXPECT_FALSE(net::conntrack_from_texts(std::nullopt, std::nullopt, std::nullopt).loaded());
  // Loaded, but the statistics file unreadable (a container's /proc): counts only.
  EXPECT_EQ(net::conntrack_from_texts("4", "100", std::nullopt),
            (protocol::ConntrackReading{4, 100, -1, -1, -1}));
  EXPECT_EQ(net::conntrack_from_texts("4", "100", "garbage"),
            (protocol::ConntrackReading{4, 100, -1, -1, -1}));
}

}  // namespace
