#pragma once
#include <cstdint>

namespace nperf {

// The TCP_INFO fields iperf3 reports for a sending stream (bytes and microseconds).
struct TcpInfoSample {
  bool valid = false;
  uint64_t total_retransmits = 0;
  uint64_t snd_cwnd_bytes = 0;
  uint64_t snd_wnd_bytes = 0;
  int64_t rtt_us = -1;
  int64_t rttvar_us = -1;
  int64_t pmtu = -1;
  int64_t reorder = -1;
};

}  // namespace nperf
