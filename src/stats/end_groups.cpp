#include "nperf/stats/end_groups.hpp"

namespace nperf {

namespace {

bool sum_is_empty(const EndSum& s) {
  return !s.sender_known && !s.receiver_known && s.sent_bytes == 0 && s.received_bytes == 0;
}

EndGroup make_group(const EndReport& end, bool forward, bool all_streams, bool server, bool udp) {
  EndGroup g;
  g.forward = forward;
  g.udp = udp;
  // Who sends: as the direction's streams say, else by role (the client
  // sends client->server).
  g.local_sends = forward != server;
  bool told = false;
  for (const EndStream& s : end.streams) {
    if (!all_streams && s.info.forward != forward) continue;
    g.streams.push_back(&s);
    if (s.lost_packets < 0) g.loss_known = false;
    if (!told && s.info.forward == forward) {
      g.local_sends = s.info.sender;
      told = true;
    }
  }
  return g;
}

}  // namespace

bool end_is_udp(const EndReport& end, bool udp_test) {
  bool udp = udp_test || end.sum.udp || (end.sum_reverse && end.sum_reverse->udp);
  for (const EndStream& s : end.streams) udp = udp || s.udp;
  return udp;
}

std::vector<EndGroup> end_groups(const EndReport& end, bool is_server, bool udp_test) {
  const bool server = is_server || end.is_server;
  const bool udp = end_is_udp(end, udp_test);
  std::vector<EndGroup> groups;
  if (end.direction == Direction::kBidir) {
    // `sum` is client->server on both ends, `sum_reverse` server->client.
    groups.push_back(make_group(end, true, false, server, udp));
    groups.back().sum = end.sum;
    groups.push_back(make_group(end, false, false, server, udp));
    groups.back().sum = end.sum_reverse ? *end.sum_reverse : sum_streams(end.streams, false);
    return groups;
  }
  // One direction: all streams go the same way, and `sum` covers them.
  const bool forward =
      end.streams.empty() ? end.direction == Direction::kForward : end.streams.front().info.forward;
  groups.push_back(make_group(end, forward, true, server, udp));
  groups.back().sum = (sum_is_empty(end.sum) && end.sum_reverse) ? *end.sum_reverse : end.sum;
  return groups;
}

}  // namespace nperf
