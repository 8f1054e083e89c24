// Failures before a test starts (issue #15): every one exits 1 with a clear
// message and, with -J, still prints iperf3's {"error": ...} document, so the
// script that parses stdout gets JSON. -A is checked against the process's
// allowed CPUs (a pod's cpuset; here: taskset) before anything is pinned.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;

struct EarlyFailure {
  const char* name;
  std::vector<std::string> args;  // after the binary
  const char* message_part;
};

std::vector<std::string> with_binary(const std::vector<std::string>& args) {
  std::vector<std::string> argv{NPERF_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

class EarlyFailures : public ::testing::TestWithParam<EarlyFailure> {};

TEST_P(EarlyFailures, ExitOneWithAJsonErrorDocument) {
  const EarlyFailure& f = GetParam();
  std::vector<std::string> args = f.args;
  args.push_back("-J");
  ProcessResult r = run_process(with_binary(args), 20s);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << "stdout is not one JSON document: " << r.out;
  ASSERT_TRUE(doc.contains("error")) << r.out;
  EXPECT_NE(doc["error"].get<std::string>().find(f.message_part), std::string::npos) << doc["error"];
  EXPECT_TRUE(doc.at("start").contains("connected"));
}

TEST_P(EarlyFailures, ExitOneWithTheMessageOnStderrWithoutJson) {
  const EarlyFailure& f = GetParam();
  ProcessResult r = run_process(with_binary(f.args), 20s);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(f.message_part), std::string::npos) << r.err;
}

std::string port_nobody_listens_on() {
  return std::to_string(free_port());
}

INSTANTIATE_TEST_SUITE_P(
    Client, EarlyFailures,
    ::testing::Values(
        EarlyFailure{
            "RefusedConnection", {"-c", "127.0.0.1", "-p", port_nobody_listens_on()}, "Connection refused"},
        EarlyFailure{"UnknownHost", {"-c", "no-such-host.invalid"}, "unable to resolve host"},
        // 192.0.2.1 (TEST-NET-1) is never an address of this machine: the bind fails locally, nothing is
        // sent.
        EarlyFailure{"BadBindAddress", {"-c", "127.0.0.1", "-B", "192.0.2.1"}, "unable to bind"},
        EarlyFailure{"CpuOutsideTheAllowedSet", {"-c", "127.0.0.1", "-A", "1023,1023"}, "allowed CPUs"},
        EarlyFailure{
            "WholeProcessCpuOutsideTheAllowedSet", {"-c", "127.0.0.1", "-A", "1023"}, "allowed CPUs"},
        EarlyFailure{"ServerCpuOutsideTheAllowedSet", {"-s", "-1", "-A", "1023"}, "allowed CPUs"}),
    [](const auto& info) { return std::string(info.param.name); });

// A process limited to one core (as a pod's cpuset limits it) is told which
// cores it may use, and nothing is pinned or connected.
TEST(AllowedCpus, TasksetLimitedProcessNamesItsAllowedCpus) {
  std::string taskset = find_program("taskset");
  if (taskset.empty()) {
    if (running_in_ci()) FAIL() << "taskset (util-linux) is missing under CI";
    GTEST_SKIP() << "taskset is not installed";
  }
  ProcessResult r = run_process({taskset, "-c", "0", NPERF_BINARY, "-c", "127.0.0.1", "-p",
                                 std::to_string(free_port()), "-A", "1", "-J"},
                                20s);
  EXPECT_EQ(r.exit_code, 1);
  nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  EXPECT_EQ(doc.value("error", ""),
            "cannot pin to CPU 1: not in this process's allowed CPUs 0 (a container's or pod's cpuset, or "
            "taskset, limits them); choose -A among 0");
}

}  // namespace
}  // namespace nperf::test
