#include "nperf/session/admission.hpp"

#include <fmt/format.h>

#include "nperf/config/validate.hpp"

namespace nperf::session {

using namespace protocol;

namespace {

// The first broken rule with a code of its own picks the code (iperf3
// clients print a message for those); the first broken rule is what is said.
Admission refuse_broken_rules(const std::vector<SpecViolation>& violations) {
  Admission refusal{kIeBadParams,
                    fmt::format("rejected parameters from client: {}", violations.front().message)};
  for (const auto& violation : violations) {
    IperfError code = iperf_error_for(violation.rule);
    if (code != kIeBadParams) {
      refusal.code = code;
      break;
    }
  }
  return refusal;
}

}  // namespace

Admission admit(const TestSpec& spec, const ServerLimits& limits) {
  if (auto violations = check_spec(spec); !violations.empty()) return refuse_broken_rules(violations);
  if (limits.max_duration_s > 0 &&
      (spec.duration_s <= 0 || spec.duration_s + spec.omit_s > limits.max_duration_s))
    return {kIeMaxDuration, fmt::format("refused a {} s test: --server-max-duration is {} s",
                                        spec.duration_s + spec.omit_s, limits.max_duration_s)};
  // -F: one file, one byte stream. UDP would put sequence headers in it, and
  // two streams (-P, --bidir) would interleave their bytes in one file.
  if (!limits.data_file.empty() && (spec.protocol != Protocol::kTcp || spec.total_streams() > 1))
    return {kIeBadParams,
            fmt::format("refused a {} test: -F {} takes one TCP stream in one direction",
                        spec.protocol == Protocol::kTcp ? "multi-stream" : "UDP", limits.data_file)};
  Admission admitted;
  if (limits.bitrate_limit) {
    const uint64_t streams = static_cast<uint64_t>(spec.total_streams());
    // Asked-for rates over the limit are refused (as iperf3 >= 3.21). An
    // unlimited TCP test is throttled to the limit instead of aborted: our
    // senders pace and our receivers read no faster, so TCP slows the peer.
    // Unlimited UDP toward us cannot be slowed by the receiver: it is
    // admitted, as iperf3 admits it, and ended with the same code once it
    // averages more than the limit over --server-bitrate-limit's window
    // (server_rate_guard.hpp).
    if (spec.rate_bps * streams > limits.bitrate_limit)
      return {kIeTotalRate,
              fmt::format("refused a test above --server-bitrate-limit ({} bit/s)", limits.bitrate_limit)};
    admitted.stream_rate_cap = limits.bitrate_limit / streams;
  }
  return admitted;
}

}  // namespace nperf::session
