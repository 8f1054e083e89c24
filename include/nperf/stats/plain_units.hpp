#pragma once
// Plain units for the verdict and ceiling sentences ("2.60 Gbit/s", "12 KiB",
// "24%"); the reporters own iperf3's own formats.
#include <string>

#include <fmt/format.h>

namespace nperf::plain {

inline std::string rate(double bps) {
  if (bps >= 1e9) return fmt::format("{:.2f} Gbit/s", bps / 1e9);
  if (bps >= 1e6) return fmt::format("{:.1f} Mbit/s", bps / 1e6);
  return fmt::format("{:.0f} kbit/s", bps / 1e3);
}

inline std::string size(double bytes) {
  if (bytes >= 1 << 20) return fmt::format("{:.1f} MiB", bytes / (1 << 20));
  if (bytes >= 1 << 10) return fmt::format("{:.0f} KiB", bytes / (1 << 10));
  return fmt::format("{:.0f} bytes", bytes);
}

inline std::string pct(double f) {
  return fmt::format("{:.0f}%", f * 100);
}

}  // namespace nperf::plain
