#include "nperf/net/host_identity.hpp"

#include <fstream>

namespace nperf::net {

std::string boot_id() {
  // Fixed while the kernel runs: read once, not at every end-of-test call.
  static const std::string id = [] {
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string text;
    if (!(in >> text) || text.size() != 36) return std::string();  // a UUID, or nothing to go by
    return text;
  }();
  return id;
}

}  // namespace nperf::net
