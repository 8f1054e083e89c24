#include "nperf/config/validate.hpp"

#include <fmt/format.h>

namespace nperf {

// The rule table: one line per rule, in the order the messages are reported.
// The command line, validate() and the server's admission all use it.
std::vector<SpecViolation> check_spec(const TestSpec& s) {
  std::vector<SpecViolation> violations;
  auto rule = [&](SpecRule id, bool broken, std::string_view format, auto&&... args) {
    if (broken) violations.push_back({id, fmt::vformat(format, fmt::make_format_args(args...))});
  };
  using enum SpecRule;
  const char* streams = "number of parallel streams must be 1..{} (got {})";
  rule(kTooFewStreams, s.parallel < 1, streams, kMaxStreams, s.parallel);
  rule(kTooManyStreams, s.parallel > kMaxStreams, streams, kMaxStreams, s.parallel);
  rule(kDuration, s.duration_s < 0 || s.duration_s > Limits::kMaxDuration,
       "test duration must be 0..{} seconds (got {})", Limits::kMaxDuration, s.duration_s);
  rule(kEndConditions, s.bytes != 0 && s.blocks != 0, "only one of -n and -k may be given");
  rule(kOmit, s.omit_s < 0 || s.omit_s > Limits::kMaxOmit, "omit must be 0..{} seconds (got {})",
       Limits::kMaxOmit, s.omit_s);
  rule(kTcpBlock, s.protocol == Protocol::kTcp && (s.block_len < 1 || s.block_len > Limits::kMaxTcpBlock),
       "TCP block length must be 1..{} bytes (got {})", Limits::kMaxTcpBlock, s.block_len);
  rule(kUdpBlock,
       s.protocol == Protocol::kUdp &&
           (s.block_len < Limits::kMinUdpBlock || s.block_len > Limits::kMaxUdpBlock),
       "UDP block length must be {}..{} bytes (got {})", Limits::kMinUdpBlock, Limits::kMaxUdpBlock,
       s.block_len);
  rule(kWindow, s.window > Limits::kMaxWindow, "window size must be at most {} bytes (got {})",
       Limits::kMaxWindow, s.window);
  rule(kMss, s.mss < 0 || s.mss > Limits::kMaxMss, "MSS must be 0..{} (got {})", Limits::kMaxMss, s.mss);
  // 0 means no burst was asked for (the key is absent); 1..1000 as iperf3.
  rule(kBurst, s.burst < 0 || s.burst > Limits::kMaxBurst, "invalid burst count (must be 1..{}, got {})",
       Limits::kMaxBurst, s.burst);
  rule(kTos, s.tos < 0 || s.tos > Limits::kMaxTos,
       "bad TOS value (must be between 0 and {} inclusive, got {})", Limits::kMaxTos, s.tos);
  rule(kServerCpu, s.server_affinity < -1 || s.server_affinity > Limits::kMaxCpu,
       "server CPU must be 0..{} (got {})", Limits::kMaxCpu, s.server_affinity);
  for (int cpu : s.server_stream_cpus)
    rule(kServerStreamCpu, cpu < 0 || cpu > Limits::kMaxCpu, "server CPU must be 0..{} (got {})",
         Limits::kMaxCpu, cpu);
  rule(kTitle, s.title.size() > 1024, "title is longer than 1024 characters");
  rule(kCongestion, s.congestion.size() > 64, "congestion algorithm name is longer than 64 characters");
  return violations;
}

std::string validate(const TestSpec& spec) {
  auto violations = check_spec(spec);
  return violations.empty() ? "" : std::move(violations.front().message);
}

}  // namespace nperf
