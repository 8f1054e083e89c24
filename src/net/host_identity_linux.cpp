#include "nperf/net/host_identity.hpp"

#include <fstream>

namespace nperf::net {

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  if (!(in >> id) || id.size() != 36) return "";  // a UUID, or nothing to go by
  return id;
}

}  // namespace nperf::net
