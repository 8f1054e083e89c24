#pragma once
// iperf3 3.12's text row templates (iperf_locale.c), shared by the interval
// lines (text_reporter.cpp) and the summary (text_end.cpp). Private to
// src/report.
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "nperf/report/units_format.hpp"

namespace nperf::report {

inline constexpr std::string_view kBanner = "-----------------------------------------------------------";
inline constexpr std::string_view kSeparator = "- - - - - - - - - - - - - - - - - - - - - - - - -";

inline std::string header(bool bidir, std::string_view columns) {
  return fmt::format("{}{}",
                     bidir ? "[ ID][Role] Interval           Transfer     Bitrate"
                           : "[ ID] Interval           Transfer     Bitrate",
                     columns);
}
inline constexpr std::string_view kColsRetrCwnd = "         Retr  Cwnd";
inline constexpr std::string_view kColsRetr = "         Retr";
inline constexpr std::string_view kColsUdpSender = "         Total Datagrams";
inline constexpr std::string_view kColsUdp = "         Jitter    Lost/Total Datagrams";

inline std::string stream_tag(int socket) {
  return fmt::format("[{:3}]", socket);
}

// "[  5][TX-C]   0.00-1.00   sec  1.00 MBytes  8.39 Mbits/sec" + tail
inline std::string row(std::string_view tag, std::string_view role, double start, double end, uint64_t bytes,
                       double bits_per_second, char format, std::string_view tail) {
  return fmt::format("{}{} {:6.2f}-{:<6.2f} sec  {}s  {}s/sec{}", tag, role, start, end,
                     format_bytes(static_cast<double>(bytes), 'A'), format_rate(bits_per_second, format),
                     tail);
}

// Tails: what follows the Bitrate column.
inline std::string tail_plain(std::string_view label) {  // TCP without retransmits, any label
  return fmt::format("                  {}", label);
}
inline std::string tail_retr_cwnd(int64_t retransmits, uint64_t cwnd, std::string_view omitted) {
  return fmt::format("  {:3}   {}s       {}", retransmits, format_bytes(static_cast<double>(cwnd), 'A'),
                     omitted);
}
inline std::string tail_retr(int64_t retransmits, std::string_view label) {  // 3.12: 13 spaces
  return fmt::format("  {:3}             {}", retransmits, label);
}
inline std::string tail_udp_sender(bool bidir, uint64_t packets, std::string_view omitted) {
  return fmt::format(" {} {}  {}", bidir ? "          " : "", packets, omitted);
}
inline std::string tail_udp(double jitter_ms, int64_t lost, uint64_t packets, double lost_percent,
                            std::string_view label) {
  if (lost < 0) return fmt::format("  {:5.3f} ms  Unknown/{}  {}", jitter_ms, packets, label);
  return fmt::format("  {:5.3f} ms  {}/{} ({:.2g}%)  {}", jitter_ms, lost, packets, lost_percent, label);
}

inline std::string_view omitted_label(bool omitted) {
  return omitted ? "(omitted)" : "";
}

}  // namespace nperf::report
