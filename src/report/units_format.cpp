#include "nperf/report/units_format.hpp"

#include <cctype>

#include <fmt/format.h>

// iperf3's unit_snprintf (units.c), number for number: the adaptive search
// divides, the final scaling multiplies by the same reciprocal constants as
// iperf3, and the "fit in 4 places" thresholds are 9.995 / 99.95.

namespace nperf::report {
namespace {

enum Conv { kUnit = 0, kKilo, kMega, kGiga, kTera };

constexpr double kConversionBytes[] = {1.0, 1.0 / 1024, 1.0 / 1024 / 1024, 1.0 / 1024 / 1024 / 1024,
                                       1.0 / 1024 / 1024 / 1024 / 1024};
constexpr double kConversionBits[] = {1.0, 1.0 / 1000, 1.0 / 1000 / 1000, 1.0 / 1000 / 1000 / 1000,
                                      1.0 / 1000 / 1000 / 1000 / 1000};
constexpr const char* kLabelByte[] = {"Byte", "KByte", "MByte", "GByte", "TByte"};
constexpr const char* kLabelBit[] = {"bit", "Kbit", "Mbit", "Gbit", "Tbit"};

bool is_upper(char c) {
  return std::isupper(static_cast<unsigned char>(c)) != 0;
}

// `value` is in bytes; a lower-case format reports bits (value * 8).
std::string unit_snprintf(double value, char format) {
  const bool bytes = is_upper(format);
  if (!bytes) value *= 8;
  int conv = kUnit;
  switch (std::toupper(static_cast<unsigned char>(format))) {
    case 'B':
      conv = kUnit;
      break;
    case 'K':
      conv = kKilo;
      break;
    case 'M':
      conv = kMega;
      break;
    case 'G':
      conv = kGiga;
      break;
    case 'T':
      conv = kTera;
      break;
    default: {  // 'A', 'a' and anything unknown: adaptive
      const double base = bytes ? 1024.0 : 1000.0;
      double tmp = value;
      while (tmp >= base && conv < kTera) {
        tmp /= base;
        ++conv;
      }
      break;
    }
  }
  const char* label;
  if (bytes) {
    value *= kConversionBytes[conv];
    label = kLabelByte[conv];
  } else {
    value *= kConversionBits[conv];
    label = kLabelBit[conv];
  }
  if (value < 9.995) return fmt::format("{:4.2f} {}", value, label);  // 0.00-9.99
  if (value < 99.95) return fmt::format("{:4.1f} {}", value, label);  // 10.0-99.9
  return fmt::format("{:4.0f} {}", value, label);                     // 100-999 (and wider)
}

}  // namespace

std::string format_bytes(double bytes, char format) {
  return unit_snprintf(bytes, format);
}

std::string format_rate(double bits_per_second, char format) {
  // iperf3 passes bytes per second; dividing by 8 is exact in binary.
  return unit_snprintf(bits_per_second / 8, format);
}

}  // namespace nperf::report
