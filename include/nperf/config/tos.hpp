#pragma once
// -S and --dscp: the IP type-of-service byte of the data sockets.
#include <optional>
#include <string_view>

namespace nperf {

// -S: 0..255 in decimal, octal (leading 0) or hex (0x), as iperf3's strtol(…, 0).
std::optional<int> parse_tos(std::string_view text);

// --dscp: a DSCP value 0..63 (decimal, octal or hex) or a class name (af11..af43,
// cs0..cs7, ef, va, le; any case), as iperf3. Returns the TOS byte: DSCP << 2;
// iperf3's RFC 1349 names lowdelay, throughput and reliability are TOS bytes
// themselves (16, 8, 4).
std::optional<int> parse_dscp(std::string_view text);

}  // namespace nperf
