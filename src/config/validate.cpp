#include "nperf/config/validate.hpp"

#include <fmt/format.h>

namespace nperf {

std::vector<std::string> validate(const TestSpec& s) {
  std::vector<std::string> errors;
  auto fail = [&](std::string_view format, auto&&... args) {
    errors.push_back(fmt::vformat(format, fmt::make_format_args(args...)));
  };
  if (s.parallel < 1 || s.parallel > kMaxStreams)
    fail("number of parallel streams must be 1..{} (got {})", kMaxStreams, s.parallel);
  if (s.duration_s < 0 || s.duration_s > Limits::kMaxDuration)
    fail("test duration must be 0..{} seconds (got {})", Limits::kMaxDuration, s.duration_s);
  if (s.bytes != 0 && s.blocks != 0) fail("only one of -n and -k may be given");
  if (s.omit_s < 0 || s.omit_s > Limits::kMaxOmit)
    fail("omit must be 0..{} seconds (got {})", Limits::kMaxOmit, s.omit_s);
  if (s.protocol == Protocol::kTcp && (s.block_len < 1 || s.block_len > Limits::kMaxTcpBlock))
    fail("TCP block length must be 1..{} bytes (got {})", Limits::kMaxTcpBlock, s.block_len);
  if (s.protocol == Protocol::kUdp &&
      (s.block_len < Limits::kMinUdpBlock || s.block_len > Limits::kMaxUdpBlock))
    fail("UDP block length must be {}..{} bytes (got {})", Limits::kMinUdpBlock, Limits::kMaxUdpBlock,
         s.block_len);
  if (s.window > Limits::kMaxWindow)
    fail("window size must be at most {} bytes (got {})", Limits::kMaxWindow, s.window);
  if (s.mss < 0 || s.mss > Limits::kMaxMss) fail("MSS must be 0..{} (got {})", Limits::kMaxMss, s.mss);
  // 0 means no burst was asked for (the key is absent); 1..1000 as iperf3.
  if (s.burst < 0 || s.burst > Limits::kMaxBurst)
    fail("invalid burst count (must be 1..{}, got {})", Limits::kMaxBurst, s.burst);
  if (s.tos < 0 || s.tos > Limits::kMaxTos)
    fail("bad TOS value (must be between 0 and {} inclusive, got {})", Limits::kMaxTos, s.tos);
  if (s.server_affinity < -1 || s.server_affinity > Limits::kMaxCpu)
    fail("server CPU must be 0..{} (got {})", Limits::kMaxCpu, s.server_affinity);
  for (int cpu : s.server_stream_cpus)
    if (cpu < 0 || cpu > Limits::kMaxCpu) fail("server CPU must be 0..{} (got {})", Limits::kMaxCpu, cpu);
  if (s.title.size() > 1024) fail("title is longer than 1024 characters");
  if (s.congestion.size() > 64) fail("congestion algorithm name is longer than 64 characters");
  return errors;
}

}  // namespace nperf
