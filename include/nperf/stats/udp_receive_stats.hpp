#pragma once
// What a UDP receiver computes per stream, exactly as iperf3 does (docs/protocol.md#udp-receiver-figures):
// loss from sequence gaps, late datagrams as out-of-order (each one also
// taken back from the loss count), and RFC 1889 jitter smoothed by 1/16.
// Pure: arrival times come in as arguments.
#include <cstdint>

namespace nperf {

class UdpReceiveStats {
 public:
  // One datagram with sequence number `seq`, sent at `sent_s` by the peer's
  // clock and received at `arrived_s` by ours (both in seconds).
  void on_datagram(uint64_t seq, double sent_s, double arrived_s) {
    if (seq > max_seq_) {
      if (seq > max_seq_ + 1) lost_ += seq - 1 - max_seq_;
      max_seq_ = seq;
    } else {
      ++out_of_order_;
      if (lost_ > 0) --lost_;
    }
    double transit = arrived_s - sent_s;
    if (transit < 0) transit = -transit;
    if (first_) {
      prev_transit_ = transit;
      first_ = false;
    }
    double d = transit - prev_transit_;
    if (d < 0) d = -d;
    prev_transit_ = transit;
    jitter_s_ += (d - jitter_s_) / 16.0;
  }

  // End of the omit period: the next datagram starts the jitter afresh.
  void reset_jitter() {
    jitter_s_ = 0;
    first_ = true;
  }

  uint64_t packets() const { return max_seq_; }  // iperf3 reports the highest sequence seen
  uint64_t lost() const { return lost_; }
  uint64_t out_of_order() const { return out_of_order_; }
  double jitter_s() const { return jitter_s_; }

 private:
  uint64_t max_seq_ = 0;
  uint64_t lost_ = 0;
  uint64_t out_of_order_ = 0;
  double jitter_s_ = 0;
  double prev_transit_ = 0;
  bool first_ = true;
};

}  // namespace nperf
