// Issue #19: -F FILE on the command line and in the server's admission, and
// -L's value. The transfers themselves run in tests/e2e/file_options_test.cpp
// and tests/e2e/flow_label_test.cpp.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nperf/cli/options.hpp"
#include "nperf/protocol/params.hpp"
#include "nperf/session/admission.hpp"

namespace nperf {
namespace {

struct Parsed {
  cli::ParseOutcome outcome;
  Config config;
  std::string err;
};

Parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "nperf");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Parsed p;
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  p.outcome = cli::parse_command_line(static_cast<int>(args.size()), argv.data(), &p.config);
  testing::internal::GetCapturedStdout();
  p.err = testing::internal::GetCapturedStderr();
  return p;
}

class FileOption : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/nperf-file-option-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    source_ = dir_ + "/source.bin";
    std::ofstream(source_) << std::string(12345, 'x');
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_, source_;
};

TEST_F(FileOption, TheFileSizeIsTheByteCountWhenNoEndIsGiven) {
  Parsed p = parse({"-c", "127.0.0.1", "-F", source_});
  ASSERT_TRUE(p.outcome.run) << p.err;
  EXPECT_EQ(p.config.spec.data_file, source_);
  EXPECT_EQ(p.config.spec.bytes, 12345u);
  EXPECT_EQ(p.config.spec.duration_s, 0);
  // The path is this side's business: it is not a parameter.
  EXPECT_EQ(protocol::encode_params(p.config.spec).find("source.bin"), std::string::npos);
}

TEST_F(FileOption, AGivenEndConditionWins) {
  Parsed timed = parse({"-c", "127.0.0.1", "--file", source_, "-t", "3"});
  ASSERT_TRUE(timed.outcome.run) << timed.err;
  EXPECT_EQ(timed.config.spec.bytes, 0u);
  EXPECT_EQ(timed.config.spec.duration_s, 3);
  Parsed counted = parse({"-c", "127.0.0.1", "-F", source_, "-n", "100"});
  ASSERT_TRUE(counted.outcome.run) << counted.err;
  EXPECT_EQ(counted.config.spec.bytes, 100u);
}

// iperf3 3.12 does the same: the receiving file's present size, if any, is -n.
TEST_F(FileOption, ReverseWritesTheFileAndTakesAnExistingOnesSize) {
  Parsed fresh = parse({"-c", "127.0.0.1", "-R", "-F", dir_ + "/new.bin"});
  ASSERT_TRUE(fresh.outcome.run) << fresh.err;
  EXPECT_EQ(fresh.config.spec.bytes, 0u);
  EXPECT_EQ(fresh.config.spec.duration_s, 10);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/new.bin"));  // created by the test, not the parser
  Parsed existing = parse({"-c", "127.0.0.1", "-R", "-F", source_});
  ASSERT_TRUE(existing.outcome.run) << existing.err;
  EXPECT_EQ(existing.config.spec.bytes, 12345u);
}

TEST_F(FileOption, BadUsesAreParameterErrors) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"-c", "h", "-F", dir_ + "/missing.bin"}, "cannot read: No such file or directory"},
      {{"-c", "h", "-F", dir_}, "is a directory"},
      {{"-c", "h", "-R", "-F", dir_ + "/no/such/dir/x.bin"}, "cannot create it in"},
      {{"-c", "h", "-u", "-F", source_}, "-F works with TCP only"},
      {{"-c", "h", "-P", "2", "-F", source_}, "-F cannot be used with -P"},
      {{"-c", "h", "--bidir", "-F", source_}, "-F cannot be used with --bidir"},
      {{"-s", "-F", dir_}, "is a directory"},
  };
  for (const auto& [args, message] : cases) {
    Parsed p = parse(args);
    EXPECT_EQ(p.outcome.exit_code, 2) << args.back();
    EXPECT_NE(p.err.find(message), std::string::npos) << p.err;
  }
}

TEST_F(FileOption, AServerTakesItForEveryTest) {
  Parsed p = parse({"-s", "-F", dir_ + "/received.bin"});
  ASSERT_TRUE(p.outcome.run) << p.err;
  EXPECT_EQ(p.config.data_file, dir_ + "/received.bin");
  EXPECT_EQ(session::ServerLimits::from(p.config).data_file, dir_ + "/received.bin");
}

TEST_F(FileOption, ADaemonServerKeepsTheFileItWasGivenAfterItLeavesTheDirectory) {
  // daemon(3) changes to "/": a relative -F must name the same file after it.
  const auto here = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  Parsed p = parse({"-s", "-D", "-F", "received.bin"});
  std::filesystem::current_path(here);
  ASSERT_TRUE(p.outcome.run) << p.err;
  EXPECT_EQ(p.config.data_file, dir_ + "/received.bin");
  // Without -D the name stays as given (it is printed in the "Sent" line).
  std::filesystem::current_path(dir_);
  Parsed plain = parse({"-s", "-F", "received.bin"});
  std::filesystem::current_path(here);
  EXPECT_EQ(plain.config.data_file, "received.bin");
}

TEST(FileAdmission, AFileServerTakesOneTcpStreamOneWay) {
  session::ServerLimits limits;
  limits.data_file = "/tmp/x.bin";
  TestSpec tcp;
  EXPECT_TRUE(session::admit(tcp, limits).admitted());
  TestSpec reverse;
  reverse.direction = Direction::kReverse;
  EXPECT_TRUE(session::admit(reverse, limits).admitted());
  TestSpec udp;
  udp.protocol = Protocol::kUdp;
  udp.block_len = 1400;
  udp.rate_bps = 1'000'000;
  TestSpec parallel;
  parallel.parallel = 2;
  TestSpec bidir;
  bidir.direction = Direction::kBidir;
  for (const TestSpec& refused : {udp, parallel, bidir}) {
    session::Admission a = session::admit(refused, limits);
    EXPECT_EQ(a.code, protocol::kIeBadParams);
    EXPECT_NE(a.message.find("-F /tmp/x.bin takes one TCP stream"), std::string::npos) << a.message;
  }
}

// As iperf3 reads it: strtol(..., 0) over the whole text, 1..0xFFFFF; sent as "flowlabel".
TEST(FlowLabelOption, ParsesAsIperf3AndTravelsInTheParameters) {
  const std::pair<std::string, uint32_t> good[] = {
      {"4660", 4660}, {"0x12345", 0x12345}, {"010", 8}, {"0xfffff", 0xFFFFF}};
  for (const auto& [text, value] : good) {
    Parsed p = parse({"-c", "::1", "-L", text});
    ASSERT_TRUE(p.outcome.run) << text << ": " << p.err;
    EXPECT_EQ(p.config.spec.flowlabel, value) << text;
  }
  Parsed p = parse({"-c", "::1", "--flowlabel", "4660"});
  std::string params = protocol::encode_params(p.config.spec);
  EXPECT_NE(params.find("\"flowlabel\":4660"), std::string::npos) << params;
  auto decoded = protocol::decode_params(params);
  ASSERT_TRUE(decoded.spec);
  EXPECT_EQ(decoded.spec->flowlabel, 4660u);
  EXPECT_EQ(protocol::encode_params(TestSpec{}).find("flowlabel"), std::string::npos);
  for (const std::string bad : {"0", "abc", "12x", "1048576", "-1", ""}) {
    Parsed refused = parse({"-c", "::1", "-L", bad});
    EXPECT_EQ(refused.outcome.exit_code, 2) << bad;
    EXPECT_NE(refused.err.find("bad IPv6 flow label"), std::string::npos) << bad << ": " << refused.err;
  }
}

// -m: iperf3 >= 3.19's presence flag, after "bidirectional"; a server records it.
TEST(MptcpOption, TravelsAsIperf3sPresenceFlag) {
  TestSpec spec;
  spec.mptcp = true;
  std::string params = protocol::encode_params(spec);
  EXPECT_NE(params.find("\"mptcp\":true"), std::string::npos) << params;
  EXPECT_EQ(protocol::encode_params(TestSpec{}).find("mptcp"), std::string::npos);
  auto decoded = protocol::decode_params(params);
  ASSERT_TRUE(decoded.spec);
  EXPECT_TRUE(decoded.spec->mptcp);
  Parsed p = parse({"-c", "127.0.0.1", "-m"});
  if (p.outcome.run) {
    EXPECT_TRUE(p.config.spec.mptcp);
  } else {  // a kernel without MPTCP: the error says so (e2e covers it in a namespace)
    EXPECT_NE(p.err.find("this kernel refuses MPTCP sockets"), std::string::npos) << p.err;
  }
  EXPECT_EQ(parse({"-c", "127.0.0.1", "-u", "-m"}).outcome.exit_code, 2);
  // On a server, -m is the listener's: the parameters of its tests are the clients'.
  Parsed server = parse({"-s", "--mptcp"});
  if (server.outcome.run) {
    EXPECT_TRUE(server.config.mptcp_listener);
    EXPECT_FALSE(server.config.spec.mptcp);
  } else {
    EXPECT_NE(server.err.find("this kernel refuses MPTCP sockets"), std::string::npos) << server.err;
  }
}

}  // namespace
}  // namespace nperf
