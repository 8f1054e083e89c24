#pragma once
// Interval accounting for one stream, owned by the control thread. It turns
// cumulative counters sampled at interval ticks into interval records and
// end-of-test totals. Pure: time and counters come in as arguments.
#include <cstdint>
#include <vector>

#include "nperf/stats/report_model.hpp"
#include "nperf/stats/tcp_info.hpp"

namespace nperf {

// A UDP stream's cumulative counters as its worker publishes them.
struct UdpCounters {
  uint64_t packets = 0;  // sender: datagrams sent; receiver: highest sequence seen
  uint64_t lost = 0;
  uint64_t out_of_order = 0;
  double jitter_s = 0;
  uint64_t host_drops = 0;  // receiver: dropped by this host's socket buffer (SO_RXQ_OVFL)
};

class StreamTracker {
 public:
  StreamTracker(StreamInfo info, bool collect_tcp_info, bool udp = false)
      : info_(std::move(info)), tcp_(collect_tcp_info), udp_(udp) {}

  // Starts (or, at the end of the omit period, restarts) the measurement at `now`.
  void start(double now, uint64_t bytes, const TcpInfoSample& tcp, const UdpCounters& udp = {});
  // Closes the interval that began at the previous sample.
  IntervalStream sample(double now, uint64_t bytes, const TcpInfoSample& tcp, bool omitted,
                        const UdpCounters& udp = {});
  // Final totals since start(); `now` is the end of the measurement.
  void finish(double now, uint64_t bytes, const TcpInfoSample& tcp, const UdpCounters& udp = {});

  const StreamInfo& info() const { return info_; }
  uint64_t measured_bytes() const { return end_bytes_ - start_bytes_; }
  double measured_seconds() const { return end_time_ - start_time_; }
  int64_t retransmits() const { return static_cast<int64_t>(end_retrans_ - start_retrans_); }
  bool has_tcp_info() const { return tcp_; }
  uint64_t max_snd_cwnd() const { return max_cwnd_; }
  uint64_t max_snd_wnd() const { return max_wnd_; }
  int64_t max_rtt() const { return rtt_count_ ? max_rtt_ : 0; }
  int64_t min_rtt() const { return rtt_count_ ? min_rtt_ : 0; }
  int64_t mean_rtt() const { return rtt_count_ ? rtt_sum_ / rtt_count_ : 0; }
  bool udp() const { return udp_; }
  // UDP counters at the end of the omit period (iperf3's omitted_*) and at the end.
  const UdpCounters& udp_at_start() const { return udp_start_; }
  const UdpCounters& udp_at_end() const { return udp_end_; }

 private:
  void note_tcp(const TcpInfoSample& tcp);

  StreamInfo info_;
  bool tcp_;
  bool udp_;
  UdpCounters udp_start_, udp_last_, udp_end_;
  double start_time_ = 0, last_time_ = 0, end_time_ = 0;
  uint64_t start_bytes_ = 0, last_bytes_ = 0, end_bytes_ = 0;
  uint64_t start_retrans_ = 0, last_retrans_ = 0, end_retrans_ = 0;
  uint64_t max_cwnd_ = 0, max_wnd_ = 0;
  int64_t max_rtt_ = 0, min_rtt_ = 0, rtt_sum_ = 0, rtt_count_ = 0;
};

// Sums the interval records of one direction (iperf3 takes times from the first
// stream); summary.cpp, with the end summary's sum_streams: one rule set.
IntervalSum sum_interval(const std::vector<IntervalStream>& streams, const std::vector<bool>& include);

// The last, partial interval is not reported when it is shorter than 10% of
// the interval length (its bytes still count in the totals).
bool drop_final_interval(const IntervalReport& report, double interval_s);

}  // namespace nperf
