#include "nperf/cli/options.hpp"

#include <charconv>
#include <filesystem>
#include <iostream>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "nperf/config/host_device.hpp"
#include "nperf/config/tos.hpp"
#include "nperf/config/units.hpp"
#include "nperf/config/validate.hpp"

namespace nperf::cli {
namespace {

constexpr const char* kAffinityHelp =
    "CPU affinity. iperf3 forms: 'n' pins this process to core n; 'n,m' also asks the server "
    "to pin its test to core m. nperf per-stream form: a ':'-separated list and/or 'a-b' ranges "
    "on either side of the comma pin stream i to the i-th listed core (e.g. -A 0-3 or -A 0:2,1:3)";

// Raw option text; suffixes and cross-option rules are checked after CLI11 ran.
struct RawOptions {
  bool server = false;
  std::string client_host;
  std::string time, bytes, blocks, length, window, bitrate, affinity, format;
  bool reverse = false, bidir = false;
  bool ipv4 = false, ipv6 = false;
  bool version = false;
  bool udp = false;
  bool gsro = false;
  std::string server_limit;
  std::optional<std::string> keepalive;
  std::optional<std::string> check;  // --check[=HOST]; "" without HOST
  std::string check_host;            // HOST as a positional: `nperf --check -J HOST`
  bool force_flush = false;          // accepted for iperf3's command lines; every line is flushed anyway
  std::string pidfile;
  std::string tos, dscp, fq_rate;
  std::string bind, bind_device;
  std::string pacing_timer;
  std::vector<std::string> unsupported;  // iperf3 options nperf does not implement, as given
  CLI::Option* skew_option = nullptr;    // --time-skew-threshold, to tell "given" from the default
};

// iperf3 options nperf knows but does not implement: refused by name with the
// reason, instead of CLI11's "argument was not expected".
struct Unsupported {
  const char* names;  // CLI11 spelling
  bool takes_value;
  const char* why;
};
constexpr Unsupported kUnsupported[] = {
    {"-F,--file", true, "file transfer (-F) is not supported: nperf sends generated data"},
    {"-L,--flowlabel", true, "IPv6 flow labels (-L) are not supported"},
    {"--sctp", false, "SCTP is not supported"},
    {"-X,--xbind", true, "SCTP is not supported"},
    {"--nstreams", true, "SCTP is not supported"},
    {"-m,--mptcp", false, "MPTCP (-m) is not supported"},
};

void add_unsupported_options(CLI::App& app, RawOptions& raw) {
  for (const Unsupported& u : kUnsupported) {
    const char* why = u.why;
    auto note = [&raw, why](auto&&...) { raw.unsupported.push_back(why); };
    CLI::Option* option =
        u.takes_value ? app.add_option_function<std::string>(u.names, [note](const std::string&) { note(); })
                      : app.add_flag_function(u.names, [note](int64_t) { note(); });
    option->group("");  // not in --help
  }
}

constexpr const char* kDefaultTimestampFormat = "%c ";  // iperf3's

void add_common_options(CLI::App& app, Config& c, RawOptions& raw) {
  app.add_flag("-s,--server", raw.server, "run in server mode");
  app.add_option("-c,--client", raw.client_host, "run in client mode, connecting to HOST")
      ->option_text("HOST");
  app.add_option("-p,--port", c.port, "server port to listen on / connect to (default 5201)")
      ->check(CLI::Range(1, 65535));
  app.add_option("-B,--bind", raw.bind,
                 "bind to the interface with this address (HOST%DEV also binds to device DEV)")
      ->option_text("HOST[%DEV]");
  app.add_option("--bind-dev", raw.bind_device, "bind to the network interface with SO_BINDTODEVICE")
      ->option_text("DEV");
  app.add_flag("-4,--version4", raw.ipv4, "only use IPv4");
  app.add_flag("-6,--version6", raw.ipv6, "only use IPv6");
  app.add_option("-i,--interval", c.interval_s, "seconds between periodic reports (0 disables; 0.1..60)");
  app.add_option("-f,--format", raw.format,
                 "format to report: Kbits, Mbits, Gbits, Tbits (k m g t) or KBytes ... (K M G T)");
  app.add_flag("-V,--verbose", c.verbose, "more detailed output");
  app.add_flag("-J,--json", c.json, "output in JSON format (iperf3's schema)");
  app.add_flag("-d{1},--debug{1}", c.debug,
               "emit debugging output: every control-connection message, on stderr (--debug=LEVEL accepted)");
  app.add_flag("--json-stream", c.json_stream,
               "output in line-delimited JSON format: one event per line (as iperf3 >= 3.17)");
  app.add_flag(
      "--csv", c.csv,
      "output CSV rows (interval and summary, one per stream and sum) instead of text; see docs/csv.md");
  app.add_option("-A,--affinity", raw.affinity, kAffinityHelp)->option_text("n[,m] | LIST[,LIST]");
  app.add_flag("-v,--version", raw.version, "show version information and quit");
  app.add_option("--logfile", c.logfile,
                 "send output (reports, warnings and errors) to a log file, appending")
      ->option_text("FILE");
  app.add_flag("--forceflush", raw.force_flush,
               "force flushing output at every interval (nperf always does)");
  // A flag with an optional "=FORMAT", like getopt's optional_argument in
  // iperf3: `--timestamps HOST` does not take HOST as the format.
  app.add_flag(
      std::string("--timestamps{") + kDefaultTimestampFormat + "}", c.timestamp_format,
      "emit a timestamp at the start of each output line (--timestamps=FORMAT: strftime, default \"%c \")");
}

void add_server_options(CLI::App& app, Config& c, RawOptions& raw) {
  app.add_flag("-1,--one-off", c.one_off, "server: handle one client connection, then exit");
  app.add_option("--idle-timeout", c.idle_timeout_s,
                 "server: with -1, exit (code 0) after this many seconds without a client")
      ->check(CLI::Range(1, 86400));
  app.add_option("--server-max-duration", c.server_max_duration_s,
                 "server: reject tests longer than this many seconds (and endless ones)")
      ->check(CLI::Range(1, 86400));
  app.add_option(
      "--server-bitrate-limit", raw.server_limit,
      "server: cap on the total bit/s of a test (K/M/G/T); requests above it are refused, unlimited "
      "TCP requests are throttled to it");
  app.add_flag("-D,--daemon", c.daemon, "server: run the server as a daemon");
  app.add_option("-I,--pidfile", raw.pidfile, "server: write the process ID to this file (removed at exit)")
      ->option_text("FILE");
}

void add_deadline_options(CLI::App& app, Config& c, RawOptions& raw) {
  app.add_option("--rcv-timeout", c.rcv_timeout_ms,
                 "receiving side: end the test when no data arrived for this many ms (default 120000)")
      ->check(CLI::Range(100, 86'400'000));
  app.add_option("--snd-timeout", c.snd_timeout_ms,
                 "TCP_USER_TIMEOUT in ms for the control and data connections")
      ->check(CLI::Range(0, 86'400'000));
  app.add_option("--cntl-ka", raw.keepalive,
                 "TCP keepalive on the control connection: [idle/interval/count] seconds")
      ->expected(0, 1)
      ->default_str("");
}

// iperf3's authentication (issue #18, docs/auth.md) and nperf's access list.
// The files are read and checked later, by auth::prepare() in main().
void add_auth_options(CLI::App& app, Config& c, RawOptions& raw) {
  AuthSettings& a = c.auth;
  app.add_option(
         "--username", a.username,
         "client: user name for authentication (password: --password-file, IPERF3_PASSWORD or a prompt)")
      ->option_text("USER");
  app.add_option("--rsa-public-key-path", a.public_key_path,
                 "client: the server's RSA public key (PEM) used to encrypt the credentials")
      ->option_text("FILE");
  app.add_option("--password-file", a.password_file,
                 "client: read the password from this file (nperf only; one final newline is dropped)")
      ->option_text("FILE");
  app.add_option("--rsa-private-key-path", a.private_key_path,
                 "server: RSA private key (PEM, unencrypted) used to decrypt the credentials")
      ->option_text("FILE");
  app.add_option("--authorized-users-path", a.users_path,
                 "server: file of 'user,sha256(\"{user}password\")' lines, re-read when it changes")
      ->option_text("FILE");
  raw.skew_option =
      app.add_option("--time-skew-threshold", a.skew_threshold_s,
                     "server: seconds the client's clock may differ from the server's (default 10)")
          ->check(CLI::Range(1, std::numeric_limits<int>::max()));
  app.add_flag(
      "--use-pkcs1-padding", a.pkcs1_padding,
      "PKCS#1 v1.5 instead of OAEP padding, for iperf3 <= 3.16 peers (iperf3 has it on the server only)");
  app.add_option("--allow", a.allow,
                 "server: accept connections only from these networks (nperf only), e.g. 10.0.0.0/8,::1")
      ->option_text("CIDR[,CIDR...]");
}

void add_check_option(CLI::App& app, RawOptions& raw) {
  app.add_option(
         "--check", raw.check,
         "report what on this host bounds throughput (buffers, qdisc, conntrack, the interface of the route "
         "to HOST or of the default route, CPUs, cgroup quota) and exit; -J for JSON; HOST may also come "
         "from -c")
      ->expected(0, 1)
      ->default_str("")
      ->option_text("[HOST]");
  // `--check -J HOST` leaves HOST positional; only --check accepts one (finish()).
  app.add_option("check-host", raw.check_host)->group("");
}

void add_client_options(CLI::App& app, Config& c, RawOptions& raw) {
  TestSpec& s = c.spec;
  app.add_option("-t,--time", raw.time, "client: time in seconds to transmit for (default 10)");
  app.add_option("-n,--bytes", raw.bytes,
                 "client: number of bytes to transmit (instead of -t), K/M/G/T = 2^10..2^40");
  app.add_option("-k,--blockcount", raw.blocks,
                 "client: number of blocks (packets) to transmit (instead of -t or -n)");
  app.add_option("-P,--parallel", s.parallel, "client: number of parallel streams (1..128)");
  app.add_flag("-R,--reverse", raw.reverse, "client: run in reverse mode (server sends, client receives)");
  app.add_flag("--bidir", raw.bidir, "client: run in bidirectional mode");
  app.add_option("-l,--length", raw.length,
                 "client: length of the buffer to read or write (default 128 KB for TCP)");
  app.add_option("-w,--window", raw.window,
                 "set send/receive socket buffer sizes (indirectly sets the TCP window size)");
  app.add_option("-M,--set-mss", s.mss, "client: set TCP/SCTP maximum segment size (MTU - 40 bytes)");
  app.add_flag("-N,--no-delay", s.nodelay, "client: set TCP/SCTP no delay, disabling Nagle's algorithm");
  app.add_option("-C,--congestion", s.congestion, "client: set TCP congestion control algorithm");
  app.add_option("-T,--title", s.title, "client: prefix every output line with this string");
  app.add_option("-O,--omit", s.omit_s,
                 "client: perform pre-test for N seconds and omit the pre-test statistics");
  app.add_option("-b,--bitrate", raw.bitrate,
                 "client: target bitrate in bits/sec per stream (0 for unlimited), K/M/G/T = 10^3..10^12 "
                 "(optional slash and packet count for burst mode: blocks sent back-to-back, 1..1000)")
      ->option_text("#[KMGT][/#]");
  app.add_option("--cport", c.cport, "client: bind data streams to this client port (stream i uses cport+i)")
      ->check(CLI::Range(1, 65535));
  app.add_option("--connect-timeout", c.connect_timeout_ms,
                 "client: timeout for the control and data connections (ms, default 10000)")
      ->check(CLI::Range(1, 3'600'000));
  app.add_flag("--get-server-output", s.get_server_output, "client: get results from the server");
  app.add_flag("-u,--udp", raw.udp, "client: use UDP rather than TCP");
  app.add_flag("--udp-counters-64bit", s.udp_counters_64bit,
               "client: use 64-bit counters in UDP test packets");
  app.add_flag("--repeating-payload", s.repeating_payload,
               "client: payload '0123456789...' instead of random bytes");
  app.add_flag("--dont-fragment", s.dont_fragment, "client: set IPv4 Don't Fragment on UDP datagrams");
  app.add_flag("-Z,--zerocopy", s.zerocopy,
               "client: use a 'zero copy' method of sending data (TCP: sendfile)");
  app.add_flag("--skip-rx-copy", s.skip_rx_copy,
               "client: ignore received messages using MSG_TRUNC option (TCP)");
  app.add_option("-S,--tos", raw.tos,
                 "client: set the IP type of service, 0-255 (52, 064 and 0x34 are the same value)")
      ->option_text("N");
  app.add_option("--dscp", raw.dscp,
                 "client: set the IP DSCP bits: 0-63 or a class name (af11..af43, cs0..cs7, ef, va, le)")
      ->option_text("VALUE");
  app.add_option(
         "--fq-rate", raw.fq_rate,
         "client: fair-queuing based socket pacing in bits/sec (SO_MAX_PACING_RATE), K/M/G/T = 10^3..10^12")
      ->option_text("#[KMGT]");
  app.add_option("--pacing-timer", raw.pacing_timer,
                 "client: pacing timer of an iperf3 <= 3.15 sender in microseconds (default 1000); nperf "
                 "paces on its own schedule")
      ->option_text("#[KMG]");
  app.add_option("--extra-data", s.extra_data, "client: data string to include in the client and server JSON")
      ->option_text("STR");
  app.add_flag("--gsro", raw.gsro,
               "client: UDP GSO when sending and GRO when receiving, on both ends (as iperf3 >= 3.21)");
}

// Authentication options belong to one role each, as in iperf3 (which says
// "some option you are trying to set is client only" / "server only").
std::string check_auth_roles(const RawOptions& raw, const Config& c) {
  const AuthSettings& a = c.auth;
  if (c.role == Role::kClient) {
    const std::pair<bool, const char*> server_only[] = {
        {!a.private_key_path.empty(), "--rsa-private-key-path"},
        {!a.users_path.empty(), "--authorized-users-path"},
        {raw.skew_option->count() > 0, "--time-skew-threshold"},
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

// Returns an error message, or "" when the options make sense together.
std::string finish(const RawOptions& raw, Config& c) {
  TestSpec& s = c.spec;
  if (!raw.check_host.empty())
    return fmt::format("The following argument was not expected: {}", raw.check_host);
  if (!raw.unsupported.empty()) return raw.unsupported.front();
  if (raw.server == !raw.client_host.empty())
    return "exactly one of -s (server) and -c HOST (client) is required";
  c.role = raw.server ? Role::kServer : Role::kClient;
  // HOST%DEV on -c and -B name a device, as --bind-dev does; they must agree.
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
  // "extra_data" travels in the parameters, which servers cap at 8 KiB (iperf3 >= 3.18).
  if (s.extra_data.size() > 4096) return "--extra-data is longer than 4096 bytes";
  if (raw.ipv4 && raw.ipv6) return "-4 and -6 cannot be used together";
  c.family = raw.ipv4 ? AddressFamily::kIpv4 : raw.ipv6 ? AddressFamily::kIpv6 : AddressFamily::kAny;
  if (c.json_stream) c.json = true;
  if (c.csv && c.json) return "--csv and -J cannot be used together (both replace the text output)";
  if (c.role == Role::kClient && (c.daemon || !raw.pidfile.empty()))
    return fmt::format("{} is a server option (the client does not detach)", c.daemon ? "-D" : "-I");
  if (std::string error = check_auth_roles(raw, c); !error.empty()) return error;
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
  if (!raw.affinity.empty()) {
    std::string error;
    auto spec = parse_affinity(raw.affinity, &error);
    if (!spec) return error;
    c.affinity = *spec;
    if (c.affinity.remote.kind == CpuPlacement::Kind::kWholeProcess)
      s.server_affinity = c.affinity.remote.cpus.front();
    if (c.affinity.remote.kind == CpuPlacement::Kind::kPerStream)
      s.server_stream_cpus = c.affinity.remote.cpus;
  }
  auto size_option = [](const std::string& text, const char* name, uint64_t* out) -> std::string {
    if (text.empty()) return "";
    auto value = parse_size(text);
    if (!value)
      return fmt::format("bad value '{}' for {}: expected a number with optional K/M/G/T", text, name);
    *out = *value;
    return "";
  };
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
  if (!raw.bitrate.empty()) {
    auto rate = parse_rate(raw.bitrate.substr(0, raw.bitrate.find('/')));
    if (!rate)
      return fmt::format("bad value '{}' for -b: expected a rate with optional K/M/G/T", raw.bitrate);
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
  } else if (raw.udp) {
    s.rate_bps = kDefaultUdpRate;
  }
  if (!raw.time.empty()) {
    try {
      size_t used = 0;
      s.duration_s = std::stod(raw.time, &used);
      if (used != raw.time.size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      return fmt::format("bad value '{}' for -t: expected seconds", raw.time);
    }
  }
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
  if (!raw.fq_rate.empty()) {
    auto rate = parse_rate(raw.fq_rate);
    if (!rate)
      return fmt::format("bad value '{}' for --fq-rate: expected a rate with optional K/M/G/T", raw.fq_rate);
    s.fq_rate_bps = *rate;
  }
  if (!raw.pacing_timer.empty()) {
    auto us = parse_size(raw.pacing_timer);
    if (!us || *us == 0 || *us > 1'000'000'000)
      return fmt::format("bad value '{}' for --pacing-timer: expected 1..10^9 microseconds",
                         raw.pacing_timer);
    s.pacing_timer_us = static_cast<uint32_t>(*us);
  }
  if ((s.bytes || s.blocks) && !raw.time.empty())
    return "only one test end condition (-t, -n, -k) may be specified";
  if (s.bytes || s.blocks) s.duration_s = 0;
  if (raw.reverse && raw.bidir) return "cannot be both reverse and bidirectional";
  if (!raw.server_limit.empty()) {
    auto limit = parse_rate(raw.server_limit.substr(0, raw.server_limit.find('/')));
    if (!limit || *limit == 0)
      return fmt::format("bad value '{}' for --server-bitrate-limit", raw.server_limit);
    c.server_bitrate_limit = *limit;
  }
  if (raw.keepalive) {
    c.control_keepalive.enabled = true;
    int* fields[] = {&c.control_keepalive.idle_s, &c.control_keepalive.interval_s,
                     &c.control_keepalive.count};
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
    auto& ka = c.control_keepalive;
    if (ka.idle_s && ka.interval_s && ka.count && ka.idle_s <= ka.interval_s * ka.count)
      return "--cntl-ka: idle must be longer than interval x count";
  }
  s.direction = raw.reverse ? Direction::kReverse : raw.bidir ? Direction::kBidir : Direction::kForward;
  if (s.window > static_cast<uint64_t>(std::numeric_limits<int>::max() / 2)) return "window size too large";
  if (c.role == Role::kClient) {
    auto errors = validate(s);
    if (!errors.empty()) return errors.front();
  }
  return "";
}

// --check runs no test: only the route's HOST, -4/-6 and -J mean something.
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

}  // namespace

ParseOutcome parse_command_line(int argc, char** argv, Config* config) {
  CLI::App app{"nperf: a network throughput tester that speaks iperf3's protocol, one thread per stream",
               "nperf"};
  app.get_formatter()->column_width(34);
  RawOptions raw;
  Config c;
  add_common_options(app, c, raw);
  add_server_options(app, c, raw);
  add_deadline_options(app, c, raw);
  add_client_options(app, c, raw);
  add_check_option(app, raw);
  add_auth_options(app, c, raw);
  add_unsupported_options(app, raw);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return {false, 0};
  } catch (const CLI::ParseError& e) {
    std::cerr << "nperf: parameter error - " << e.what()
              << "\nUsage: nperf [-s|-c host] [options]; nperf --help for more\n";
    return {false, 2};
  }
  if (raw.version) {
    std::cout << "nperf 0.1.0 (speaks the iperf 3.12 protocol)\n";
    return {false, 0};
  }
  if (std::string error = raw.check ? finish_check(raw, c) : finish(raw, c); !error.empty()) {
    std::cerr << "nperf: parameter error - " << error
              << "\nUsage: nperf [-s|-c host] [options]; nperf --help for more\n";
    return {false, 2};
  }
  *config = c;
  return {true, 0, raw.check.has_value()};
}

}  // namespace nperf::cli
