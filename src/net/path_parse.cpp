// The pure half of net/path_probe.hpp: rtnetlink replies and conntrack texts.
// Headers are copied out with memcpy: a reply buffer from a test (or a short
// read) need not be aligned the way NLMSG_* and RTA_* macros assume.
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include <fmt/format.h>

#include "nperf/hostcheck/proc_parse.hpp"
#include "nperf/net/path_probe.hpp"

namespace nperf::net {

namespace {

constexpr size_t align4(size_t n) {
  return (n + 3) & ~size_t{3};
}

// Calls f(type, payload) for each attribute in `attrs`; stops at a malformed one.
template <typename F>
void for_each_attribute(std::span<const uint8_t> attrs, F&& f) {
  while (attrs.size() >= sizeof(rtattr)) {
    rtattr a;
    std::memcpy(&a, attrs.data(), sizeof a);
    if (a.rta_len < sizeof(rtattr) || a.rta_len > attrs.size()) return;
    f(static_cast<unsigned>(a.rta_type & NLA_TYPE_MASK),
      attrs.subspan(sizeof(rtattr), a.rta_len - sizeof(rtattr)));
    attrs = attrs.subspan(std::min(attrs.size(), align4(a.rta_len)));
  }
}

// The payload (after the header) of the first message of `type`; empty span
// when an error message or the end of the buffer comes first.
std::optional<std::span<const uint8_t>> first_message(std::span<const uint8_t> reply, uint16_t type) {
  while (reply.size() >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, reply.data(), sizeof h);
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > reply.size()) return std::nullopt;
    if (h.nlmsg_type == NLMSG_ERROR || h.nlmsg_type == NLMSG_DONE) return std::nullopt;
    if (h.nlmsg_type == type) return reply.subspan(sizeof(nlmsghdr), h.nlmsg_len - sizeof(nlmsghdr));
    reply = reply.subspan(std::min(reply.size(), align4(h.nlmsg_len)));
  }
  return std::nullopt;
}

std::optional<uint32_t> u32(std::span<const uint8_t> payload) {
  if (payload.size() < 4) return std::nullopt;
  uint32_t v;
  std::memcpy(&v, payload.data(), 4);
  return v;
}

// A NUL-terminated string attribute, without its terminator.
std::string text(std::span<const uint8_t> payload) {
  std::string s(reinterpret_cast<const char*>(payload.data()), payload.size());
  if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
  return s;
}

}  // namespace

std::optional<int> parse_route_reply(std::span<const uint8_t> reply) {
  auto body = first_message(reply, RTM_NEWROUTE);
  if (!body || body->size() < sizeof(rtmsg)) return std::nullopt;
  std::optional<int> oif;
  for_each_attribute(body->subspan(align4(sizeof(rtmsg))), [&](unsigned type, std::span<const uint8_t> p) {
    if (type == RTA_OIF)
      if (auto v = u32(p)) oif = static_cast<int>(*v);
  });
  return oif;
}

std::string device_kind(std::string_view info_kind, unsigned arphrd_type) {
  if (!info_kind.empty()) return std::string(info_kind);
  if (arphrd_type == ARPHRD_LOOPBACK) return "loopback";
  if (arphrd_type == ARPHRD_ETHER) return "physical";
  return fmt::format("arphrd-{}", arphrd_type);
}

std::optional<protocol::RouteDevice> parse_link_reply(std::span<const uint8_t> reply) {
  auto body = first_message(reply, RTM_NEWLINK);
  if (!body || body->size() < sizeof(ifinfomsg)) return std::nullopt;
  ifinfomsg info;
  std::memcpy(&info, body->data(), sizeof info);
  protocol::RouteDevice d;
  std::string info_kind;
  for_each_attribute(body->subspan(align4(sizeof(ifinfomsg))),
                     [&](unsigned type, std::span<const uint8_t> p) {
                       if (type == IFLA_IFNAME) d.name = text(p);
                       if (type == IFLA_MTU)
                         if (auto v = u32(p)) d.mtu = *v;
                       if (type == IFLA_LINKINFO)
                         for_each_attribute(p, [&](unsigned inner, std::span<const uint8_t> q) {
                           if (inner == IFLA_INFO_KIND) info_kind = text(q);
                         });
                     });
  if (d.name.empty()) return std::nullopt;
  d.kind = device_kind(info_kind, info.ifi_type);
  d.overhead = protocol::encapsulation_overhead(d.kind);
  return d;
}

protocol::ConntrackReading conntrack_from_texts(std::optional<std::string_view> count,
                                                std::optional<std::string_view> max,
                                                std::optional<std::string_view> stat) {
  protocol::ConntrackReading c;
  auto max_value = max ? hostcheck::parse_int(*max) : std::nullopt;
  if (!max_value) return c;
  c.max = *max_value;
  if (auto v = count ? hostcheck::parse_int(*count) : std::nullopt) c.count = *v;
  auto sums = stat ? hostcheck::parse_conntrack_stat(*stat) : std::nullopt;
  if (!sums) return c;
  auto column = [&](const char* name) -> int64_t {
    auto it = sums->find(name);
    return it == sums->end() ? -1 : static_cast<int64_t>(it->second);
  };
  c.drop = column("drop");
  c.insert_failed = column("insert_failed");
  c.early_drop = column("early_drop");
  return c;
}

}  // namespace nperf::net
