#include "nperf/protocol/udp_header.hpp"

#include "nperf/protocol/frame.hpp"

namespace nperf::protocol {

void encode_udp_header(const UdpHeader& h, bool counters_64bit, std::span<uint8_t> out) {
  write_be32(h.sec, out.subspan<0, 4>());
  write_be32(h.usec, out.subspan<4, 4>());
  if (counters_64bit) {
    write_be32(static_cast<uint32_t>(h.seq >> 32), out.subspan<8, 4>());
    write_be32(static_cast<uint32_t>(h.seq), out.subspan<12, 4>());
  } else {
    write_be32(static_cast<uint32_t>(h.seq), out.subspan<8, 4>());
  }
}

std::optional<UdpHeader> decode_udp_header(std::span<const uint8_t> d, bool counters_64bit) {
  if (d.size() < udp_header_size(counters_64bit)) return std::nullopt;
  UdpHeader h;
  h.sec = read_be32(d.subspan<0, 4>());
  h.usec = read_be32(d.subspan<4, 4>());
  if (counters_64bit)
    h.seq = (uint64_t{read_be32(d.subspan<8, 4>())} << 32) | read_be32(d.subspan<12, 4>());
  else
    h.seq = read_be32(d.subspan<8, 4>());
  return h;
}

}  // namespace nperf::protocol
