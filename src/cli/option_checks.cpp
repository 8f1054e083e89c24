#include "option_checks.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "nperf/config/host_device.hpp"
#include "nperf/config/port_list.hpp"
#include "nperf/config/tos.hpp"
#include "nperf/config/units.hpp"
#include "nperf/config/validate.hpp"
#include "nperf/net/mptcp.hpp"

namespace nperf::cli {
namespace {

// Each check reads some raw options, fills its part of the Config and
// returns an error message ("" when fine). finish() runs them in order; the
// first error is the one reported, so the order is part of the behaviour.
using Check = std::string (*)(const RawOptions& raw, Config& c);

std::string check_role(const RawOptions& raw, Config& c) {
  if (!raw.check_host.empty())
    return fmt::format("The following argument was not expected: {}", raw.check_host);
  if (!raw.unsupported.empty()) return raw.unsupported.front();
  if (raw.server == !raw.client_host.empty())
    return "exactly one of -s (server) and -c HOST (client) is required";
  c.role = raw.server ? Role::kServer : Role::kClient;
  return "";
}

std::string check_ports(const RawOptions& raw, Config& c) {
  if (raw.port.empty()) return "";
  PortListParse parsed = parse_port_list(raw.port);
  if (!parsed.error.empty()) return fmt::format("bad value '{}' for -p: {}", raw.port, parsed.error);
  if (c.role == Role::kClient && parsed.ports.size() > 1)
    return fmt::format("a client connects to one port ('{}' names {}); ranges and lists are for -s", raw.port,
                       parsed.ports.size());
  c.port = parsed.ports.front();
  if (c.role == Role::kServer) c.ports = std::move(parsed.ports);
  return "";
}

// HOST%DEV on -c and -B name a device, as --bind-dev does; they must agree.
std::string check_devices(const RawOptions& raw, Config& c) {
  HostAndDevice client = split_host_device(raw.client_host), bind = split_host_device(raw.bind);
  c.host = client.host;
  c.bind_address = bind.host;
  const std::string* devices[] = {&raw.bind_device, &bind.device, &client.device};
  for (const std::string* device : devices) {
    if (device->empty()) continue;
    if (!c.bind_device.empty() && *device != c.bind_device)
      return fmt::format("two devices to bind to: {} and {}", c.bind_device, *device);
    // The kernel cuts a longer name to 15 characters and could bind to another device.
    if (device->size() > 15) return fmt::format("device name '{}' is longer than 15 characters", *device);
    c.bind_device = *device;
  }
  return "";
}

std::string check_output(const RawOptions& raw, Config& c) {
  // "extra_data" travels in the parameters, which servers cap at 8 KiB (iperf3 >= 3.18).
  if (c.spec.extra_data.size() > 4096) return "--extra-data is longer than 4096 bytes";
  if (raw.ipv4 && raw.ipv6) return "-4 and -6 cannot be used together";
  c.family = raw.ipv4 ? AddressFamily::kIpv4 : raw.ipv6 ? AddressFamily::kIpv6 : AddressFamily::kAny;
  if (c.json_stream_full) c.json_stream = true;
  if (c.json_stream) c.json = true;
  if (c.csv && c.json) return "--csv and -J cannot be used together (both replace the text output)";
  if (c.role == Role::kClient && (c.daemon || !raw.pidfile.empty()))
    return fmt::format("{} is a server option (the client does not detach)", c.daemon ? "-D" : "-I");
  if (c.role == Role::kClient && !c.metrics.empty()) return "--metrics is a server option";
  if (!raw.pidfile.empty()) {
    // -D changes the directory to /; the path means what it meant where nperf was started.
    std::error_code ec;
    c.pidfile = std::filesystem::absolute(raw.pidfile, ec).string();
    if (ec) return fmt::format("bad value '{}' for -I: {}", raw.pidfile, ec.message());
  }
  if (c.timestamp_format && c.timestamp_format->empty()) c.timestamp_format = kDefaultTimestampFormat;
  if (c.interval_s != 0 && (c.interval_s < 0.1 || c.interval_s > 60))
    return fmt::format("report interval must be 0 or between 0.1 and 60 seconds (got {})", c.interval_s);
  if (!raw.format.empty()) {
    if (raw.format.size() != 1 || std::string_view("kmgtKMGT").find(raw.format[0]) == std::string_view::npos)
      return fmt::format("bad format '{}': expected one of k m g t K M G T", raw.format);
    c.format = raw.format[0];
  }
  return "";
}

std::string check_affinity(const RawOptions& raw, Config& c) {
  if (raw.affinity.empty()) return "";
  std::string error;
  auto spec = parse_affinity(raw.affinity, &error);
  if (!spec) return error;
  c.affinity = *spec;
  if (c.affinity.remote.kind == CpuPlacement::Kind::kWholeProcess)
    c.spec.server_affinity = c.affinity.remote.cpus.front();
  if (c.affinity.remote.kind == CpuPlacement::Kind::kPerStream)
    c.spec.server_stream_cpus = c.affinity.remote.cpus;
  return "";
}

std::string size_option(const std::string& text, const char* name, uint64_t* out) {
  if (text.empty()) return "";
  auto value = parse_size(text);
  if (!value)
    return fmt::format("bad value '{}' for {}: expected a number with optional K/M/G/T", text, name);
  *out = *value;
  return "";
}

std::string check_sizes(const RawOptions& raw, Config& c) {
  TestSpec& s = c.spec;
  if (raw.udp) s.protocol = Protocol::kUdp;
  if (raw.gsro && !raw.udp) return "--gsro needs -u";
  if (s.dont_fragment && !raw.udp) return "--dont-fragment needs -u";
  s.gso = s.gro = raw.gsro;
  c.block_len_given = !raw.length.empty();
  uint64_t length = raw.udp ? 1460 : s.block_len;  // UDP: replaced by the control MSS after connecting
  for (auto err : {size_option(raw.bytes, "-n", &s.bytes), size_option(raw.blocks, "-k", &s.blocks),
                   size_option(raw.length, "-l", &length), size_option(raw.window, "-w", &s.window)})
    if (!err.empty()) return err;
  if (raw.udp && (length < Limits::kMinUdpBlock || length > Limits::kMaxUdpBlock))
    return fmt::format("UDP block size must be {}..{} bytes", Limits::kMinUdpBlock, Limits::kMaxUdpBlock);
  if (length > Limits::kMaxTcpBlock)
    return fmt::format("block size too large (maximum = {} bytes)", Limits::kMaxTcpBlock);
  s.block_len = static_cast<uint32_t>(length);
  // Without -l the block stays iperf3's unit, and the syscalls grow (engine/tcp_calls.hpp).
  s.call_len = raw.udp || c.block_len_given ? 0 : kDefaultTcpCallLen;
  return "";
}

std::string check_rate(const RawOptions& raw, Config& c) {
  TestSpec& s = c.spec;
  if (raw.bitrate.empty()) {
    if (raw.udp) s.rate_bps = kDefaultUdpRate;
    return "";
  }
  auto rate = parse_rate(raw.bitrate.substr(0, raw.bitrate.find('/')));
  if (!rate) return fmt::format("bad value '{}' for -b: expected a rate with optional K/M/G/T", raw.bitrate);
  s.rate_bps = *rate;
  if (size_t slash = raw.bitrate.find('/'); slash != std::string::npos) {
    // Burst mode, as iperf3: 1..1000 blocks per rate check (validate() checks the upper limit).
    std::string_view text = std::string_view(raw.bitrate).substr(slash + 1);
    int burst = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), burst);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || burst < 1)
      return fmt::format("invalid burst count in -b '{}' (must be 1..{} after the '/')", raw.bitrate,
                         Limits::kMaxBurst);
    s.burst = burst;
  }
  return "";
}

std::string check_time(const RawOptions& raw, Config& c) {
  if (raw.time.empty()) return "";
  try {
    size_t used = 0;
    c.spec.duration_s = std::stod(raw.time, &used);
    if (used != raw.time.size()) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    return fmt::format("bad value '{}' for -t: expected seconds", raw.time);
  }
  return "";
}

std::string check_marking_and_pacing(const RawOptions& raw, Config& c) {
  TestSpec& s = c.spec;
  // -S and --dscp set the same byte; iperf3 keeps the later one, CLI11 cannot tell, so both is an error.
  if (!raw.tos.empty() && !raw.dscp.empty()) return "-S and --dscp both set the TOS byte: give one";
  if (!raw.tos.empty()) {
    auto tos = parse_tos(raw.tos);
    if (!tos) return fmt::format("bad TOS value '{}' (must be between 0 and 255 inclusive)", raw.tos);
    s.tos = *tos;
  }
  if (!raw.dscp.empty()) {
    auto tos = parse_dscp(raw.dscp);
    if (!tos)
      return fmt::format("bad DSCP value '{}' (0-63 or a class name such as af11, cs1, ef)", raw.dscp);
    s.tos = *tos;
  }
  if (raw.flowlabel) {
    // As iperf3: strtol(..., 0), the whole text, 1..0xFFFFF.
    char* end = nullptr;
    errno = 0;
    long label = std::strtol(raw.flowlabel->c_str(), &end, 0);
    if (errno != 0 || *end != '\0' || label < 1 || label > 0xFFFFF)
      return fmt::format("bad IPv6 flow label '{}' for -L (1 to 0xFFFFF)", *raw.flowlabel);
    s.flowlabel = static_cast<uint32_t>(label);
  }
  if (!raw.fq_rate.empty()) {
    auto rate = parse_rate(raw.fq_rate);
    if (!rate)
      return fmt::format("bad value '{}' for --fq-rate: expected a rate with optional K/M/G/T", raw.fq_rate);
    s.fq_rate_bps = *rate;
  }
  if (raw.no_fq_pacing) {
    // iperf3 3.12 warns the same way and sets its fqrate to 0.
    std::cerr << "nperf: warning - --no-fq-socket-pacing is deprecated; it means --fq-rate 0\n";
    s.fq_rate_bps = 0;
  }
  if (!raw.pacing_timer.empty()) {
    auto us = parse_size(raw.pacing_timer);
    if (!us || *us == 0 || *us > 1'000'000'000)
      return fmt::format("bad value '{}' for --pacing-timer: expected 1..10^9 microseconds",
                         raw.pacing_timer);
    s.pacing_timer_us = static_cast<uint32_t>(*us);
  }
  return "";
}

// --server-bitrate-limit's /SECS: iperf3's bounds for an interval (0.1..60), and 0.
std::optional<double> parse_bitrate_window(const std::string& text) {
  try {
    size_t used = 0;
    double seconds = std::stod(text, &used);
    if (used == text.size() && (seconds == 0 || (seconds >= 0.1 && seconds <= 60))) return seconds;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string check_end_and_limits(const RawOptions& raw, Config& c) {
  TestSpec& s = c.spec;
  if ((s.bytes || s.blocks) && !raw.time.empty())
    return "only one test end condition (-t, -n, -k) may be specified";
  if (s.bytes || s.blocks) s.duration_s = 0;
  if (raw.reverse && raw.bidir) return "cannot be both reverse and bidirectional";
  if (!raw.server_limit.empty()) {
    auto limit = parse_rate(raw.server_limit.substr(0, raw.server_limit.find('/')));
    if (!limit || *limit == 0)
      return fmt::format("bad value '{}' for --server-bitrate-limit", raw.server_limit);
    c.server_bitrate_limit = *limit;
    if (size_t slash = raw.server_limit.find('/'); slash != std::string::npos) {
      auto window = parse_bitrate_window(raw.server_limit.substr(slash + 1));
      if (!window)
        return fmt::format(
            "bad averaging interval in '{}' for --server-bitrate-limit: expected 0 or 0.1 to 60 seconds",
            raw.server_limit);
      c.server_bitrate_window_s = *window;
    }
  }
  return "";
}

std::string check_keepalive(const RawOptions& raw, Config& c) {
  if (!raw.keepalive) return "";
  auto& ka = c.control_keepalive;
  ka.enabled = true;
  int* fields[] = {&ka.idle_s, &ka.interval_s, &ka.count};
  std::string_view rest = *raw.keepalive;
  for (int i = 0; i < 3 && !rest.empty(); ++i) {
    size_t slash = rest.find('/');
    std::string_view item = rest.substr(0, slash);
    if (!item.empty()) {
      int value = 0;
      auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
      if (ec != std::errc() || end != item.data() + item.size() || value < 0 || value > 86400)
        return fmt::format("bad value '{}' for --cntl-ka: expected [idle]/[interval]/[count]",
                           *raw.keepalive);
      *fields[i] = value;
    }
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  if (ka.idle_s && ka.interval_s && ka.count && ka.idle_s <= ka.interval_s * ka.count)
    return "--cntl-ka: idle must be longer than interval x count";
  return "";
}

// -m, where this kernel opens MPTCP sockets: on a client, MPTCP data
// connections; on a server, an MPTCP listener, which accepts MPTCP and plain
// TCP clients alike (the kernel falls back for the latter). iperf3 master's
// server instead re-opens its listener per test when a client asks; nperf's
// listeners serve several tests at once, so the choice is the server's.
std::string check_mptcp(const RawOptions& raw, Config& c) {
  if (!raw.mptcp) return "";
  if (c.role == Role::kClient && c.spec.protocol != Protocol::kTcp) return "-m works with TCP only";
  if (std::string why = net::mptcp_unavailable(); !why.empty()) return fmt::format("-m: {}", why);
  if (c.role == Role::kServer)
    c.mptcp_listener = true;
  else
    c.spec.mptcp = true;
  return "";
}

// Last: the rules shared with the server (config/validate), on the client's whole test.
std::string check_test_spec(const RawOptions& raw, Config& c) {
  TestSpec& s = c.spec;
  s.direction = raw.reverse ? Direction::kReverse : raw.bidir ? Direction::kBidir : Direction::kForward;
  if (s.window > static_cast<uint64_t>(std::numeric_limits<int>::max() / 2)) return "window size too large";
  if (c.role == Role::kClient) {
    if (std::string error = validate(s); !error.empty()) return error;
  }
  return "";
}

// Authentication options belong to one role each, as in iperf3 (which says
// "some option you are trying to set is client only" / "server only").
std::string check_auth_roles(const RawOptions& raw, Config& c) {
  const AuthSettings& a = c.auth;
  if (c.role == Role::kClient) {
    const std::pair<bool, const char*> server_only[] = {
        {!a.private_key_path.empty(), "--rsa-private-key-path"},
        {!a.users_path.empty(), "--authorized-users-path"},
        {raw.skew_given, "--time-skew-threshold"},
        {!a.allow.empty(), "--allow"}};
    for (auto [given, name] : server_only)
      if (given) return fmt::format("{} is a server option", name);
    if (a.client_enabled() && (a.username.empty() || a.public_key_path.empty()))
      return "authentication needs both --username and --rsa-public-key-path";
    if (!a.password_file.empty() && !a.client_enabled()) return "--password-file needs --username";
  } else {
    const std::pair<bool, const char*> client_only[] = {{!a.username.empty(), "--username"},
                                                        {!a.public_key_path.empty(), "--rsa-public-key-path"},
                                                        {!a.password_file.empty(), "--password-file"}};
    for (auto [given, name] : client_only)
      if (given) return fmt::format("{} is a client option", name);
    if (a.server_enabled() && (a.private_key_path.empty() || a.users_path.empty()))
      return "authentication needs both --rsa-private-key-path and --authorized-users-path";
  }
  return "";
}

constexpr Check kChecks[] = {
    check_role,           check_ports,     check_devices, check_output,    check_auth_roles,
    check_affinity,       check_sizes,     check_rate,    check_time,      check_marking_and_pacing,
    check_end_and_limits, check_data_file, check_mptcp,   check_keepalive, check_test_spec,
};

}  // namespace

std::string finish(const RawOptions& raw, Config& c) {
  for (Check check : kChecks)
    if (std::string error = check(raw, c); !error.empty()) return error;
  return "";
}

std::string finish_check(const RawOptions& raw, Config& c) {
  if (raw.server) return "--check inspects this host and runs no test; it cannot be combined with -s";
  if (!raw.unsupported.empty()) return raw.unsupported.front();
  std::string host;
  for (const std::string& given : {*raw.check, raw.check_host, raw.client_host}) {
    if (given.empty()) continue;
    if (!host.empty() && given != host)
      return fmt::format("--check: {} and {} name different hosts", host, given);
    host = given;
  }
  if (raw.ipv4 && raw.ipv6) return "-4 and -6 cannot be used together";
  c.family = raw.ipv4 ? AddressFamily::kIpv4 : raw.ipv6 ? AddressFamily::kIpv6 : AddressFamily::kAny;
  c.host = host;
  return "";
}

}  // namespace nperf::cli
