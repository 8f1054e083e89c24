// The per-direction sums of the interval lines and of the end summary: one
// rule set, as iperf3 applies it to both (times from the first stream of the
// direction, counts added up, UDP jitter averaged over the UDP streams).
#include <algorithm>

#include "nperf/stats/rates.hpp"
#include "nperf/stats/report_model.hpp"
#include "nperf/stats/stream_tracker.hpp"

namespace nperf {

namespace {

// take_first(sum, stream): copies the times of the first included stream;
// add(sum, stream) adds one stream's counts and returns whether it was UDP
// (its jitter_ms is then part of the mean).
template <class Sum, class Stream, class Include, class TakeFirst, class Add>
Sum sum_direction(const std::vector<Stream>& streams, Include include, TakeFirst take_first, Add add) {
  Sum sum;
  bool first = true;
  int udp_streams = 0;
  for (size_t i = 0; i < streams.size(); ++i) {
    if (!include(i)) continue;
    if (first) {
      take_first(sum, streams[i]);
      first = false;
    }
    if (add(sum, streams[i])) {
      sum.jitter_ms += streams[i].jitter_ms;
      ++udp_streams;
    }
  }
  if (udp_streams) sum.jitter_ms /= udp_streams;
  return sum;
}

}  // namespace

IntervalSum sum_interval(const std::vector<IntervalStream>& streams, const std::vector<bool>& include) {
  IntervalSum sum = sum_direction<IntervalSum>(
      streams, [&](size_t i) { return include[i]; },
      [](IntervalSum& sum, const IntervalStream& s) {
        sum.start = s.start;
        sum.end = s.end;
        sum.seconds = s.seconds;
        sum.omitted = s.omitted;
        sum.sender = s.sender;
      },
      [](IntervalSum& sum, const IntervalStream& s) {
        sum.bytes += s.bytes;
        if (s.has_tcp_info) {
          sum.has_retransmits = true;
          sum.retransmits += s.retransmits;
        }
        if (!s.udp) return false;
        sum.udp = true;
        sum.packets += s.packets;
        sum.lost_packets += s.lost_packets;
        return true;
      });
  sum.bits_per_second = bits_per_second(sum.bytes, sum.seconds);
  if (sum.udp) sum.lost_percent = loss_percent(sum.lost_packets, sum.packets);
  return sum;
}

EndSum sum_streams(const std::vector<EndStream>& streams, bool forward) {
  return sum_direction<EndSum>(
      streams, [&](size_t i) { return streams[i].info.forward == forward; },
      [](EndSum& sum, const EndStream& s) {
        sum.sender_seconds = s.sender_seconds;
        sum.receiver_seconds = s.receiver_seconds;
        sum.sender_known = s.sender_known;
        sum.receiver_known = s.receiver_known;
      },
      [](EndSum& sum, const EndStream& s) {
        sum.sent_bytes += s.sent_bytes;
        sum.received_bytes += s.received_bytes;
        sum.has_retransmits = sum.has_retransmits || s.has_retransmits;
        sum.retransmits += s.has_retransmits ? s.retransmits : 0;
        if (!s.udp) return false;
        sum.udp = true;
        sum.sender_packets += s.sender_packets;
        sum.receiver_packets += s.receiver_packets;
        sum.lost_packets += std::max<int64_t>(0, s.lost_packets);
        sum.out_of_order += s.out_of_order;
        return true;
      });
}

}  // namespace nperf
