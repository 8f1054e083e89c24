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

// The rules a test's parameters must follow, named so that the server can
// answer a broken one with the matching iperf3 error code without testing
// the rule again.
enum class SpecRule {
  kTooFewStreams,
  kTooManyStreams,
  kDuration,
  kEndConditions,  // more than one of -t, -n, -k
  kOmit,
  kTcpBlock,
  kUdpBlock,
  kWindow,
  kMss,
  kBurst,
  kTos,
  kServerCpu,
  kServerStreamCpu,
  kTitle,
  kCongestion,
};

struct SpecViolation {
  SpecRule rule;
  std::string message;
};

// One entry per violated rule, in a fixed order; empty means valid.
std::vector<SpecViolation> check_spec(const TestSpec& spec);
// The first violation's message, "" when the spec is valid (the command
// line prints it; check_spec() has them all).
std::string validate(const TestSpec& spec);

}  // namespace nperf
