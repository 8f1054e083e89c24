// The command line follows getopt_long's rules, as iperf3's does (issue #20):
// each command line below, taken from iperf3's documentation, man page and
// test_commands.sh, must mean exactly what its canonical form means.
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include "nperf/cli/getopt_rules.hpp"
#include "nperf/cli/options.hpp"
#include "nperf/config/affinity_spec.hpp"
#include "nperf/protocol/params.hpp"

namespace nperf::cli {
namespace {

using Args = std::vector<std::string>;

struct Parsed {
  ParseOutcome outcome;
  Config config;
  std::string out, err;
};

Parsed parse(Args args) {
  args.insert(args.begin(), "nperf");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Parsed p;
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  p.outcome = parse_command_line(static_cast<int>(args.size()), argv.data(), &p.config);
  p.out = testing::internal::GetCapturedStdout();
  p.err = testing::internal::GetCapturedStderr();
  return p;
}

std::string placement(const CpuPlacement& p) {
  return fmt::format("{}:{}", static_cast<int>(p.kind), format_cpu_list(p.cpus));
}

// Everything parse_command_line decides, as text, so two configurations compare
// field by field (the test's part in the parameters JSON covers most of TestSpec).
std::string fingerprint(const Config& c) {
  const TestSpec& s = c.spec;
  return fmt::format(
      "role={} port={} bind={} dev={} family={} interval={} format={} verbose={} json={} stream={} "
      "debug={} csv={} affinity={}/{} logfile={} stamps={} rcv={} snd={} ka={}:{}/{}/{} one_off={} "
      "idle={} max={} limit={} daemon={} pidfile={} host={} cport={} connect={} len_given={} "
      "proto={} dir={} gso={} gro={} df={} skip={} params={}",
      static_cast<int>(c.role), c.port, c.bind_address, c.bind_device, static_cast<int>(c.family),
      c.interval_s, c.format, c.verbose, c.json, c.json_stream, c.debug, c.csv, placement(c.affinity.local),
      placement(c.affinity.remote), c.logfile, c.timestamp_format.value_or("<none>"), c.rcv_timeout_ms,
      c.snd_timeout_ms, c.control_keepalive.enabled, c.control_keepalive.idle_s,
      c.control_keepalive.interval_s, c.control_keepalive.count, c.one_off, c.idle_timeout_s,
      c.server_max_duration_s, c.server_bitrate_limit, c.daemon, c.pidfile, c.host, c.cport,
      c.connect_timeout_ms, c.block_len_given, static_cast<int>(s.protocol), static_cast<int>(s.direction),
      s.gso, s.gro, s.dont_fragment, s.skip_rx_copy, protocol::encode_params(s));
}

struct Same {
  Args given;
  Args canonical;
};

// Each command line next to the one iperf3's getopt_long reads it as.
const Same kSameAs[] = {
    // Abbreviated long options: any unambiguous prefix.
    {{"-c", "h", "--rever"}, {"-c", "h", "-R"}},
    {{"-c", "h", "--para", "2"}, {"-c", "h", "-P", "2"}},
    {{"-c", "h", "--para=2"}, {"-c", "h", "-P", "2"}},
    {{"-c", "h", "--zero"}, {"-c", "h", "-Z"}},
    {{"-c", "h", "-u", "--udp-counters"}, {"-c", "h", "-u", "--udp-counters-64bit"}},
    {{"-c", "h", "--get-server"}, {"-c", "h", "--get-server-output"}},
    // The whole name: since --json-stream-full-output (3.20) "--json-s" is ambiguous, for getopt too.
    {{"-c", "h", "--json-stream"}, {"-c", "h", "--json-stream"}},
    {{"-c", "h", "--json-stream-f"}, {"-c", "h", "--json-stream-full-output"}},
    {{"-c", "h", "--timest"}, {"-c", "h", "--timestamps"}},
    {{"-c", "h", "--timest=%T "}, {"-c", "h", "--timestamps=%T "}},
    {{"-c", "h", "--cntl=20/5/3"}, {"-c", "h", "--cntl-ka=20/5/3"}},
    {{"-c", "h", "--cl", "x", "--bid", "--conn", "500"}, {"-c", "x", "--bidir", "--connect-timeout", "500"}},
    {{"--server", "--one", "--idle", "5"}, {"-s", "-1", "--idle-timeout", "5"}},
    // An exact name wins over the longer names it is a prefix of.
    {{"-c", "h", "--json"}, {"-c", "h", "-J"}},
    {{"-c", "h", "--bind", "127.0.0.1"}, {"-c", "h", "-B", "127.0.0.1"}},
    // Repeated options: the last one wins, flags stay set.
    {{"-c", "h", "-t", "1", "--time=1"}, {"-c", "h", "-t", "1"}},
    {{"-c", "h", "-t", "10", "-Vt1"}, {"-c", "h", "-V", "-t", "1"}},
    {{"-c", "h", "-p", "5201", "--port=5202"}, {"-c", "h", "-p", "5202"}},
    {{"-c", "A", "-t", "1", "-c", "B"}, {"-c", "B", "-t", "1"}},
    {{"-c", "h", "-A", "0", "-A", "1"}, {"-c", "h", "-A", "1"}},
    {{"-c", "h", "-A", "0,1", "--affinity=1,0"}, {"-c", "h", "-A", "1,0"}},
    {{"-c", "h", "-b", "1M", "-b", "2M"}, {"-c", "h", "-b", "2M"}},
    {{"-c", "h", "-R", "-R", "-V", "--verbose"}, {"-c", "h", "-R", "-V"}},
    {{"-c", "h", "-i", "2", "--int", "0.5"}, {"-c", "h", "-i", "0.5"}},
    {{"-c", "h", "--debug=2", "--debug=3"}, {"-c", "h", "--debug=3"}},
    {{"-c", "h", "-d", "-d"}, {"-c", "h", "-d"}},
    // Bundles and attached values.
    {{"-c", "h", "-RV"}, {"-c", "h", "-R", "-V"}},
    {{"-c", "h", "-P2"}, {"-c", "h", "-P", "2"}},
    {{"-c", "h", "-b1G"}, {"-c", "h", "-b", "1G"}},
    {{"-c", "h", "-RVP2"}, {"-c", "h", "-R", "-V", "-P", "2"}},
    {{"-ch"}, {"-c", "h"}},
    // --opt=value and --opt value.
    {{"-c", "h", "--time=5"}, {"-c", "h", "--time", "5"}},
    {{"--client=h", "--bitrate=1G/100", "-u"}, {"-c", "h", "-b", "1G/100", "-u"}},
    // iperf3's test_commands.sh, short options against their long names.
    {{"-c", "h", "-V", "-t", "5", "-T", "test1"},
     {"--client", "h", "--verbose", "--time", "5", "--title", "test1"}},
    {{"-c", "h", "-u", "-V", "-t", "5"}, {"--client", "h", "--udp", "--verbose", "--time", "5"}},
    {{"-c", "h", "-i", ".3", "-O", "2", "-t", "5"},
     {"-c", "h", "--interval", "0.3", "--omit", "2", "--time", "5"}},
    {{"-c", "h", "-i", "1", "-J", "-t", "5"}, {"-c", "h", "--interval", "1", "--json", "--time", "5"}},
    {{"-c", "h", "-4", "-t", "5"}, {"-c", "h", "--version4", "-t", "5"}},
    {{"-c", "h", "-6", "-u", "-t", "5"}, {"-c", "h", "--version6", "--udp", "-t", "5"}},
    {{"-c", "h", "-V", "-t", "5", "--fq-rate", "5m"}, {"-c", "h", "-V", "-t", "5", "--fq-rate=5m"}},
    {{"-c", "h", "-u", "-P", "3", "-t", "5"}, {"-c", "h", "-u", "--parallel", "3", "-t", "5"}},
    {{"-c", "h", "-P", "2", "-t", "5", "-R"}, {"-c", "h", "--parallel=2", "-t", "5", "--reverse"}},
    {{"-c", "h", "-u", "-P", "2", "-t", "5", "--bidir"}, {"-c", "h", "-uP2", "-t5", "--bidir"}},
    {{"-c", "h", "-Z", "-t", "5", "-R"}, {"-c", "h", "--zerocopy", "-t", "5", "-R"}},
    {{"-c", "h", "-t", "5", "-w", "8M"}, {"-c", "h", "-t", "5", "--window", "8M"}},
    {{"-c", "h", "-n", "5M"}, {"-c", "h", "--bytes", "5M"}},
    {{"-c", "h", "-n", "5M", "-u", "-b1G"}, {"-c", "h", "--bytes=5M", "--udp", "--bitrate", "1G"}},
    {{"-c", "h", "-k", "1K"}, {"-c", "h", "--blockcount", "1K"}},
    {{"-c", "h", "-k", "1K", "-u", "-b1G"}, {"-c", "h", "--blockcount=1K", "-u", "-b", "1G"}},
    {{"-c", "h", "-u", "-b1G/100"}, {"-c", "h", "-u", "--bitrate=1G/100"}},
    {{"-c", "h", "-M", "1000", "-V"}, {"-c", "h", "--set-mss", "1000", "-V"}},
    {{"-c", "h", "-C", "reno", "-V"}, {"-c", "h", "--congestion", "reno", "-V"}},
};

TEST(CommandLine, IperfsSpellingsMeanTheirCanonicalForm) {
  for (const Same& same : kSameAs) {
    std::string shown = fmt::format("{}", fmt::join(same.given, " "));
    Parsed given = parse(same.given), canonical = parse(same.canonical);
    ASSERT_TRUE(canonical.outcome.run) << fmt::format("{}", fmt::join(same.canonical, " ")) << canonical.err;
    ASSERT_TRUE(given.outcome.run) << shown << "\n" << given.err;
    EXPECT_EQ(fingerprint(given.config), fingerprint(canonical.config)) << shown;
  }
}

TEST(CommandLine, WithoutLengthTcpCallsSpanSeveralBlocks) {
  // The block stays iperf3's 128 KiB; the syscalls grow (engine/tcp_calls.hpp).
  Parsed plain = parse({"-c", "h"});
  EXPECT_EQ(plain.config.spec.block_len, kDefaultTcpBlockLen);
  EXPECT_EQ(plain.config.spec.call_len, kDefaultTcpCallLen);
  // An explicit -l, even of the default size, is one block per call.
  EXPECT_EQ(parse({"-c", "h", "-l", "64K"}).config.spec.call_len, 0u);
  EXPECT_EQ(parse({"-c", "h", "-l", "128K"}).config.spec.call_len, 0u);
  EXPECT_EQ(parse({"-c", "h", "-u"}).config.spec.call_len, 0u);  // UDP: one datagram per block
}

TEST(CommandLine, RepeatedOptionsTakeTheLastValueNotTheFirst) {
  // Guards the table above against two spellings that only agree by accident.
  EXPECT_EQ(parse({"-c", "h", "-t", "10", "-Vt1"}).config.spec.duration_s, 1);
  EXPECT_EQ(parse({"-c", "h", "-p", "5201", "--port=5202"}).config.port, 5202);
  EXPECT_EQ(parse({"-c", "A", "-c", "B"}).config.host, "B");
  EXPECT_EQ(parse({"-c", "h", "--para", "2"}).config.spec.parallel, 2);
  EXPECT_EQ(parse({"-c", "h", "--rever"}).config.spec.direction, Direction::kReverse);
  // A value that looks like an option stays a value.
  EXPECT_EQ(parse({"-c", "h", "--tit=--rever"}).config.spec.title, "--rever");
}

TEST(CommandLine, AmbiguousPrefixIsAnErrorNamingTheCandidates) {
  Parsed p = parse({"-c", "h", "--s"});
  EXPECT_FALSE(p.outcome.run);
  EXPECT_EQ(p.outcome.exit_code, 2);
  EXPECT_NE(p.err.find("option '--s' is ambiguous; possibilities:"), std::string::npos) << p.err;
  for (const char* candidate :
       {"'--server'", "'--sctp'", "'--set-mss'", "'--snd-timeout'", "'--skip-rx-copy'"})
    EXPECT_NE(p.err.find(candidate), std::string::npos) << candidate << "\n" << p.err;
  EXPECT_EQ(p.err.find("'--time'"), std::string::npos) << p.err;
  // Ambiguous for iperf3 too: --udp and --udp-counters-64bit.
  EXPECT_EQ(parse({"-c", "h", "--ud"}).outcome.exit_code, 2);
}

TEST(CommandLine, UnknownAndConflictingOptionsStayErrors) {
  for (const Args& args : {Args{"-c", "h", "--no-such-option"}, Args{"-s", "-c", "h"},
                           Args{"-c", "h", "--=1"}, Args{"-c", "h", "-n", "5M", "-t", "5"}}) {
    Parsed p = parse(args);
    EXPECT_FALSE(p.outcome.run) << fmt::format("{}", fmt::join(args, " "));
    EXPECT_EQ(p.outcome.exit_code, 2) << fmt::format("{}", fmt::join(args, " "));
  }
}

TEST(CommandLine, AbbreviatedRefusedOptionIsRefusedByName) {
  Parsed p = parse({"-c", "127.0.0.1", "--sct"});
  EXPECT_EQ(p.outcome.exit_code, 2);
  EXPECT_NE(p.err.find("SCTP (--sctp) is not supported"), std::string::npos) << p.err;
}

// iperf3: "some option you are trying to set is client only" / "server only".
TEST(CommandLine, AnOptionOfTheOtherRoleIsRefusedByName) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"-c", "127.0.0.1", "--server-bitrate-limit", "1M"}, "--server-bitrate-limit is a server option"},
      {{"-c", "127.0.0.1", "-1"}, "--one-off is a server option"},
      {{"-c", "127.0.0.1", "--idle-timeout", "5"}, "--idle-timeout is a server option"},
      {{"-s", "-R"}, "--reverse is a client option"},
      {{"-s", "-P", "2"}, "--parallel is a client option"},
      {{"-s", "-t", "5"}, "--time is a client option"},
      {{"-s", "-w", "1M"}, "--window is a client option"},
  };
  for (const auto& [args, message] : cases) {
    Parsed p = parse(args);
    EXPECT_EQ(p.outcome.exit_code, 2) << fmt::format("{}", fmt::join(args, " "));
    EXPECT_NE(p.err.find(message), std::string::npos) << p.err;
  }
  // As iperf3 3.12: a server takes these too.
  for (const std::vector<std::string>& args : {std::vector<std::string>{"-s", "--udp-counters-64bit"},
                                               {"-s", "--cport", "5000"},
                                               {"-s", "-V", "-J"}})
    EXPECT_TRUE(parse(args).outcome.run) << fmt::format("{}", fmt::join(args, " "));
}

TEST(CommandLine, AbbreviatedAuthOptionMeansTheWholeName) {
  // iperf3's own auth test writes --authorized-user= for --authorized-users-path.
  Parsed p = parse({"-s", "--authorized-user=users.csv"});
  EXPECT_EQ(p.outcome.exit_code, 2);
  EXPECT_NE(p.err.find("authentication needs both --rsa-private-key-path and --authorized-users-path"),
            std::string::npos)
      << p.err;
}

TEST(GetoptRules, ExpandsNamesButNotValuesNorOperands) {
  CLI::App app;
  std::string title, port;
  bool reverse = false;
  std::optional<std::string> keepalive;
  app.add_option("-T,--title", title);
  app.add_option("-p,--port", port);
  app.add_flag("-R,--reverse", reverse);
  app.add_option("--cntl-ka", keepalive)->expected(0, 1);
  EXPECT_EQ(expand_long_option_prefixes(
                app, {"--rev", "--tit", "--rev", "-T", "--rev", "-RT", "--rev", "-Tx", "--rev"}),
            (Args{"--reverse", "--title", "--rev", "-T", "--rev", "-RT", "--rev", "-Tx", "--reverse"}));
  // An optional value is only ever attached (getopt's optional_argument): the next argument is looked at.
  EXPECT_EQ(expand_long_option_prefixes(app, {"--cnt", "--rev", "--cnt=1/2/3", "--", "--rev"}),
            (Args{"--cntl-ka", "--reverse", "--cntl-ka=1/2/3", "--", "--rev"}));
  EXPECT_EQ(expand_long_option_prefixes(app, {"--po=5", "--unknown", "--p", "1"}),
            (Args{"--port=5", "--unknown", "--port", "1"}));
}

}  // namespace
}  // namespace nperf::cli

namespace nperf::cli {
namespace {

// Issue #14: a server's -p takes ranges and lists; --max-tests is the
// server's, --busy-retry the client's.
TEST(CommandLine, ServerPortListsAndConcurrencyOptions) {
  Parsed range = parse({"-s", "-p", "5101-5103,5200", "--max-tests", "3"});
  ASSERT_TRUE(range.outcome.run) << range.err;
  EXPECT_EQ(range.config.ports, (std::vector<uint16_t>{5101, 5102, 5103, 5200}));
  EXPECT_EQ(range.config.port, 5101);
  EXPECT_EQ(range.config.max_tests, 3);
  Parsed one = parse({"-s", "-p", "5301"});
  EXPECT_EQ(one.config.ports, (std::vector<uint16_t>{5301}));
  EXPECT_EQ(one.config.max_tests, 1) << "iperf3's one test at a time by default";
  Parsed client = parse({"-c", "127.0.0.1", "-p", "5301", "--busy-retry", "30"});
  ASSERT_TRUE(client.outcome.run) << client.err;
  EXPECT_EQ(client.config.port, 5301);
  EXPECT_EQ(client.config.busy_retry_s, 30);
  const std::pair<std::vector<std::string>, std::string> errors[] = {
      {{"-c", "127.0.0.1", "-p", "5101-5103"}, "a client connects to one port"},
      {{"-c", "127.0.0.1", "-p", "5101,5102"}, "a client connects to one port"},
      {{"-s", "-p", "0"}, "bad value '0' for -p"},
      {{"-s", "-p", "70000"}, "bad value '70000' for -p"},
      {{"-s", "-p", "5103-5101"}, "runs backwards"},
      {{"-s", "--max-tests", "0"}, "--max-tests"},
      {{"-s", "--max-tests", "65"}, "--max-tests"},
      {{"-c", "127.0.0.1", "--max-tests", "2"}, "--max-tests is a server option"},
      {{"-s", "--busy-retry", "5"}, "--busy-retry is a client option"},
      {{"-c", "127.0.0.1", "--busy-retry", "-1"}, "--busy-retry"},
  };
  for (const auto& [args, message] : errors) {
    Parsed p = parse(args);
    EXPECT_EQ(p.outcome.exit_code, 2) << fmt::format("{}", fmt::join(args, " "));
    EXPECT_NE(p.err.find(message), std::string::npos) << p.err;
  }
}

}  // namespace
}  // namespace nperf::cli
