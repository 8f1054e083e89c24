#pragma once
// -B HOST%DEV and -c HOST%DEV (iperf3): the part after '%' names the device to
// bind to (SO_BINDTODEVICE) — except in an IPv6 link-local literal
// (fe80::1%eth0), where it is the address's scope and stays in the host.
#include <string>
#include <string_view>

namespace nperf {

struct HostAndDevice {
  std::string host;
  std::string device;  // "" when none was given
};

HostAndDevice split_host_device(std::string_view spec);

}  // namespace nperf
