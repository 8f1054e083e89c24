#pragma once
#include <string>
#include <vector>

#include "nperf/config/test_spec.hpp"

namespace nperf {

// Range limits shared by the command line and the parameters received from a peer.
struct Limits {
  static constexpr int kMaxOmit = 600;
  static constexpr double kMaxDuration = 86400;
  static constexpr int kMaxMss = 32767;
  static constexpr uint64_t kMaxWindow = 512ull * 1024 * 1024;
  static constexpr uint32_t kMaxTcpBlock = 1024 * 1024;
  static constexpr uint32_t kMinUdpBlock = 16;
  static constexpr uint32_t kMaxUdpBlock = 65507;
  static constexpr int kMaxCpu = 1024;
  static constexpr int kMaxBurst = 1000;  // -b RATE/BURST and "burst" (iperf3's MAX_BURST)
  static constexpr int kMaxTos = 255;
};

// Returns one message per violated rule; empty means valid.
std::vector<std::string> validate(const TestSpec& spec);

}  // namespace nperf
