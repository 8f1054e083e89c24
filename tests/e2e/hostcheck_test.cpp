// End-to-end: `nperf --check` on this machine. The values it prints must be
// the kernel's own, read back here from /proc.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;

long long read_proc_number(const char* path) {
  std::ifstream in(path);
  long long value = -1;
  in >> value;
  return value;
}

TEST(HostCheck, TextPrintsRmemMaxAsTheKernelHasIt) {
  long long rmem_max = read_proc_number("/proc/sys/net/core/rmem_max");
  ASSERT_GT(rmem_max, 0) << "cannot read /proc/sys/net/core/rmem_max";
  ProcessResult r = run_process({NPERF_BINARY, "--check", "127.0.0.1"}, 20s);
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  bool found = false;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string key, value;
    words >> key >> value;
    if (key != "net.core.rmem_max") continue;
    found = true;
    EXPECT_EQ(value, std::to_string(rmem_max)) << line;
  }
  EXPECT_TRUE(found) << r.out;
  EXPECT_NE(r.out.find("interface lo (route to 127.0.0.1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nfindings\n"), std::string::npos) << r.out;
}

TEST(HostCheck, JsonIsOneDocumentWithTheDocumentedKeys) {
  long long rmem_max = read_proc_number("/proc/sys/net/core/rmem_max");
  ProcessResult r = run_process({NPERF_BINARY, "--check", "127.0.0.1", "-J"}, 20s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);  // throws, failing the test, when not JSON
  EXPECT_EQ(j["target"], "127.0.0.1");
  EXPECT_EQ(j["sysctl"]["rmem_max"], rmem_max);
  for (const char* key : {"wmem_max", "rmem_default", "wmem_default", "tcp_rmem", "tcp_wmem",
                          "tcp_congestion_control", "tcp_available_congestion_control", "default_qdisc",
                          "tcp_mtu_probing", "tcp_window_scaling", "tcp_timestamps", "tcp_sack"})
    EXPECT_TRUE(j["sysctl"].contains(key)) << key;
  EXPECT_TRUE(j["conntrack"]["loaded"].is_boolean());
  EXPECT_EQ(j["interface"]["name"], "lo");
  EXPECT_EQ(j["interface"]["driver"], "virtual");
  EXPECT_TRUE(j["cpu"]["online"].is_number());
  EXPECT_TRUE(j["cgroup"].is_object());
  ASSERT_TRUE(j["findings"].is_array());
  for (const auto& f : j["findings"]) {
    EXPECT_TRUE(f["severity"] == "limit" || f["severity"] == "warn" || f["severity"] == "info") << f.dump();
    EXPECT_TRUE(f["key"].is_string() && f["message"].is_string() && f["advice"].is_string()) << f.dump();
  }
}

TEST(HostCheck, HostMayFollowOtherFlagsOrComeFromDashC) {
  for (std::vector<std::string> argv :
       {std::vector<std::string>{NPERF_BINARY, "--check", "-J", "127.0.0.1"},
        std::vector<std::string>{NPERF_BINARY, "--check", "-c", "127.0.0.1", "-J"}}) {
    ProcessResult r = run_process(argv, 20s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["target"], "127.0.0.1");
    EXPECT_EQ(j["interface"]["name"], "lo");
  }
  ProcessResult clash = run_process({NPERF_BINARY, "--check", "127.0.0.1", "-c", "127.0.0.2"}, 10s);
  EXPECT_EQ(clash.exit_code, 2);
  EXPECT_NE(clash.err.find("different hosts"), std::string::npos) << clash.err;
}

TEST(HostCheck, WithServerModeIsACommandLineError) {
  ProcessResult r = run_process({NPERF_BINARY, "--check", "-s"}, 10s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--check"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("-s"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(HostCheck, UnresolvableHostCannotRun) {
  ProcessResult r = run_process({NPERF_BINARY, "--check", "no-such-host.invalid"}, 30s);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unable to resolve host 'no-such-host.invalid'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace nperf::test
