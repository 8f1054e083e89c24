#include "nperf/cli/options.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "nperf/cli/getopt_rules.hpp"
#include "nperf/cli/help.hpp"
#include "nperf/config/exit_code.hpp"
#include "nperf/config/host_device.hpp"
#include "nperf/config/tos.hpp"
#include "nperf/config/units.hpp"
#include "nperf/config/validate.hpp"
#include "nperf/config/version.hpp"
#include "option_checks.hpp"

namespace nperf::cli {
namespace {

constexpr const char* kAffinityHelp =
    "CPU affinity. iperf3 forms: 'n' pins this process to core n; 'n,m' also asks the server "
    "to pin its test to core m. nperf per-stream form: a ':'-separated list and/or 'a-b' ranges "
    "on either side of the comma pin stream i to the i-th listed core (e.g. -A 0-3 or -A 0:2,1:3)";

// iperf3 options nperf knows but does not implement: refused by name with the
// reason, instead of CLI11's "argument was not expected".
struct Unsupported {
  const char* names;  // CLI11 spelling
  bool takes_value;
  const char* why;
};
constexpr Unsupported kUnsupported[] = {
    {"--sctp", false, "SCTP (--sctp) is not supported"},
    {"-X,--xbind", true, "SCTP (-X) is not supported"},
    {"--nstreams", true, "SCTP (--nstreams) is not supported"},
};

// SCTP is refused with the kernel's own answer: nperf cannot test what this
// kernel cannot open, and a kernel that can still meets an nperf without it.
std::string sctp_refusal(const char* why) {
  int fd = ::socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
  if (fd < 0)
    return fmt::format(
        "{}: this kernel refuses SCTP sockets (socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): {})", why,
        std::strerror(errno));
  ::close(fd);
  return fmt::format("{}: nperf has no SCTP streams (this kernel does open SCTP sockets)", why);
}

void add_unsupported_options(CLI::App& app, RawOptions& raw) {
  for (const Unsupported& u : kUnsupported) {
    const char* why = u.why;
    auto note = [&raw, why](auto&&...) {
      raw.unsupported.push_back(std::string_view(why).starts_with("SCTP") ? sctp_refusal(why) : why);
    };
    CLI::Option* option = u.takes_value ? app.add_option_function<std::string>(
                                              u.names, [note](const std::string&) { note(); }, why)
                                        : app.add_flag_function(
                                              u.names, [note](int64_t) { note(); }, why);
    option->group("");  // --help (help.cpp) lists them marked [refused], with the why
  }
}

void add_common_options(CLI::App& app, Config& c, RawOptions& raw) {
  app.add_flag("-s,--server", raw.server, "run in server mode");
  app.add_option("-c,--client", raw.client_host, "run in client mode, connecting to HOST")
      ->option_text("HOST");
  app.add_option("-p,--port", raw.port,
                 "server port to listen on / connect to (default 5201); a server also takes a range and "
                 "a list: 5101-5103,5200");
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
  // A level, not a count: a repeated -d keeps the last, as getopt.
  app.add_flag("-d{1},--debug{1}", c.debug,
               "emit debugging output: every control-connection message, on stderr (--debug=LEVEL accepted)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_flag("--json-stream", c.json_stream,
               "output in line-delimited JSON format: one event per line (as iperf3 >= 3.17)");
  app.add_flag("--json-stream-full-output", c.json_stream_full,
               "output in line-delimited JSON format, then the whole JSON document too (as iperf3 >= 3.20)");
  app.add_flag(
      "--csv", c.csv,
      "output CSV rows (interval and summary, one per stream and sum) instead of text; see docs/csv.md");
  app.add_option("-A,--affinity", raw.affinity, kAffinityHelp)->option_text("n[,m] | LIST[,LIST]");
  app.add_flag("-v,--version", raw.version, "show version information and quit");
  app.add_option("--logfile", c.logfile,
                 "send output (reports, warnings and errors) to a log file, appending")
      ->option_text("FILE");
  app.add_option("-F,--file", raw.data_file,
                 "xmit/recv the specified file: a TCP sender sends its bytes (its size is the test's -n when "
                 "no -t/-n/-k), a receiver writes what arrives into it")
      ->option_text("FILE");
  app.add_flag("-m,--mptcp", raw.mptcp,
               "client: use MPTCP rather than plain TCP for the data connections (IPPROTO_MPTCP); "
               "server: listen with MPTCP (plain TCP clients are still accepted)");
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
  app.add_option("--metrics", c.metrics,
                 "server: serve OpenMetrics over HTTP on [ADDR:]PORT (GET /metrics): tests, bytes, errors, "
                 "the last tests' results (nperf only)");
  app.add_option(
      "--server-bitrate-limit", raw.server_limit,
      "server: cap on the total bit/s of a test (K/M/G/T), averaged over /# seconds (default 5); "
      "requests above it are refused, unlimited TCP is throttled to it, UDP arriving above it ends the test");
  app.add_option("--max-tests", c.max_tests,
                 "server: tests one port runs at once (default 1, as iperf3: the others are told busy)")
      ->check(CLI::Range(1, 64));
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
  app.add_option_function<int>(
         "--time-skew-threshold",
         [&a, &raw](int seconds) {
           a.skew_threshold_s = seconds;
           raw.skew_given = true;
         },
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
  app.add_option("-C,--congestion,--linux-congestion", s.congestion,
                 "client: set TCP congestion control algorithm");
  app.add_option("-T,--title", s.title, "client: prefix every output line with this string");
  app.add_option("-O,--omit", s.omit_s,
                 "client: perform pre-test for N seconds and omit the pre-test statistics");
  app.add_option("-b,--bitrate,--bandwidth", raw.bitrate,
                 "client: target bitrate in bits/sec per stream (0 for unlimited), K/M/G/T = 10^3..10^12 "
                 "(optional slash and packet count for burst mode: blocks sent back-to-back, 1..1000)")
      ->option_text("#[KMGT][/#]");
  app.add_option("--cport", c.cport, "client: bind data streams to this client port (stream i uses cport+i)")
      ->check(CLI::Range(1, 65535));
  app.add_option("--connect-timeout", c.connect_timeout_ms,
                 "client: timeout for the control and data connections (ms, default 10000)")
      ->check(CLI::Range(1, 3'600'000));
  app.add_option("--busy-retry", c.busy_retry_s,
                 "client: when the server is busy, retry with backoff for up to this many seconds")
      ->check(CLI::Range(0.0, 86400.0));
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
  app.add_option("-L,--flowlabel", raw.flowlabel,
                 "client: set the IPv6 flow label of the TCP data connections, 1-0xFFFFF (decimal, 0x hex or "
                 "0 octal)")
      ->option_text("N");
  app.add_option(
         "--fq-rate", raw.fq_rate,
         "client: fair-queuing based socket pacing in bits/sec (SO_MAX_PACING_RATE), K/M/G/T = 10^3..10^12")
      ->option_text("#[KMGT]");
  app.add_flag("--no-fq-socket-pacing", raw.no_fq_pacing,
               "client: deprecated, as in iperf3: the same as --fq-rate 0 (no socket pacing)");
  app.add_option("--pacing-timer", raw.pacing_timer,
                 "client: pacing timer of an iperf3 <= 3.15 sender in microseconds (default 1000); nperf "
                 "paces on its own schedule")
      ->option_text("#[KMG]");
  app.add_option("--extra-data", s.extra_data, "client: data string to include in the client and server JSON")
      ->option_text("STR");
  app.add_flag("--gsro", raw.gsro,
               "client: UDP GSO when sending and GRO when receiving, on both ends (as iperf3 >= 3.21)");
}

// The whole option table, bound to c and raw; --help prints it in iperf3's layout (help.hpp).
void add_options(CLI::App& app, Config& c, RawOptions& raw) {
  take_last_of_repeated_options(app);  // before the options: it sets their defaults
  app.formatter(iperf3_help_formatter());
  app.set_help_flag("-h,--help", "show this message and quit");
  add_common_options(app, c, raw);
  add_server_options(app, c, raw);
  add_deadline_options(app, c, raw);
  add_client_options(app, c, raw);
  add_check_option(app, raw);
  add_auth_options(app, c, raw);
  add_unsupported_options(app, raw);
}

// iperf3 refuses an option of the other role ("some option you are trying to
// set is client only"); so does nperf, naming it. --help's sections say whose
// option each is. iperf3 3.12 also takes --udp-counters-64bit and --cport on a
// server, and nperf --use-pkcs1-padding on a client (its own peers need it).
std::string other_role_option(const CLI::App& app, Role role) {
  const std::string other = role == Role::kClient ? kSectionServer : kSectionClient;
  for (const HelpRow& row : help_rows(app)) {
    if (row.section != other || row.mark == kMarkRefused || row.names.empty()) continue;
    const std::string& name = row.names.back();
    if (name == "--udp-counters-64bit" || name == "--cport" || name == "--use-pkcs1-padding") continue;
    const CLI::Option* option = app.get_option_no_throw(name);
    if (option && option->count() > 0)
      return fmt::format("{} is a {} option", name, role == Role::kClient ? "server" : "client");
  }
  return "";
}

}  // namespace

ParseOutcome parse_command_line(int argc, char** argv, Config* config) {
  CLI::App app{"nperf: a network throughput tester that speaks iperf3's protocol, one thread per stream",
               "nperf"};
  RawOptions raw;
  Config c;
  add_options(app, c, raw);
  try {
    parse_like_getopt(app, argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return {false, 0};
  } catch (const CLI::ParseError& e) {
    std::cerr << "nperf: parameter error - " << e.what()
              << "\nUsage: nperf [-s|-c host] [options]; nperf --help for more\n";
    return {false, kExitUsage};
  }
  if (raw.version) {
    std::cout << kVersionLine << "\n";
    return {false, 0};
  }
  std::string error = raw.check ? finish_check(raw, c) : finish(raw, c);
  if (error.empty() && !raw.check) error = other_role_option(app, c.role);
  if (!error.empty()) {
    std::cerr << "nperf: parameter error - " << error
              << "\nUsage: nperf [-s|-c host] [options]; nperf --help for more\n";
    return {false, kExitUsage};
  }
  *config = c;
  return {true, 0, raw.check.has_value()};
}

std::vector<HelpRow> option_help_rows() {
  CLI::App app;
  RawOptions raw;
  Config c;
  add_options(app, c, raw);
  return help_rows(app);
}

}  // namespace nperf::cli
