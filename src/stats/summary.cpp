#include <algorithm>

#include "nperf/stats/report_model.hpp"

namespace nperf {

EndSum sum_streams(const std::vector<EndStream>& streams, bool forward) {
  EndSum sum;
  bool first = true;
  int udp_streams = 0;
  for (const EndStream& s : streams) {
    if (s.info.forward != forward) continue;
    if (first) {
      // iperf3 takes the durations of the first stream for the whole sum.
      sum.sender_seconds = s.sender_seconds;
      sum.receiver_seconds = s.receiver_seconds;
      sum.sender_known = s.sender_known;
      sum.receiver_known = s.receiver_known;
      first = false;
    }
    sum.sent_bytes += s.sent_bytes;
    sum.received_bytes += s.received_bytes;
    sum.has_retransmits = sum.has_retransmits || s.has_retransmits;
    sum.retransmits += s.has_retransmits ? s.retransmits : 0;
    if (s.udp) {
      sum.udp = true;
      sum.sender_packets += s.sender_packets;
      sum.receiver_packets += s.receiver_packets;
      sum.lost_packets += std::max<int64_t>(0, s.lost_packets);
      sum.out_of_order += s.out_of_order;
      sum.jitter_ms += s.jitter_ms;
      ++udp_streams;
    }
  }
  if (udp_streams) sum.jitter_ms /= udp_streams;
  return sum;
}

}  // namespace nperf
