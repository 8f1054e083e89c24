#pragma once
// The header at the start of every UDP data datagram (docs/protocol.md#udp-datagram-header): the
// sender's CLOCK_MONOTONIC time (seconds and microseconds, 32-bit each) and
// the datagram's sequence number, 32-bit or (--udp-counters-64bit) 64-bit,
// all big-endian. Sequence numbers start at 1.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace nperf::protocol {

inline constexpr size_t kUdpHeaderSize32 = 12;
inline constexpr size_t kUdpHeaderSize64 = 16;
// The stream set-up exchange (fixed wire bytes since iperf3 3.17; what 3.12 sends on x86).
inline constexpr std::array<uint8_t, 4> kUdpHello = {0x39, 0x38, 0x37, 0x36};  // "9876", client -> server
inline constexpr std::array<uint8_t, 4> kUdpReply = {0x36, 0x37, 0x38, 0x39};  // "6789", server -> client
inline constexpr std::array<uint8_t, 4> kUdpReplyLegacy = {0xb1, 0x68, 0xde, 0x3a};

struct UdpHeader {
  uint32_t sec = 0;
  uint32_t usec = 0;
  uint64_t seq = 0;
};

inline size_t udp_header_size(bool counters_64bit) {
  return counters_64bit ? kUdpHeaderSize64 : kUdpHeaderSize32;
}

// Writes the header into the first 12/16 bytes of `out` (which must be that long).
void encode_udp_header(const UdpHeader& header, bool counters_64bit, std::span<uint8_t> out);
// nullopt when the datagram is shorter than the header.
std::optional<UdpHeader> decode_udp_header(std::span<const uint8_t> datagram, bool counters_64bit);

}  // namespace nperf::protocol
