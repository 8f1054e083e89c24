// The path between the ends, end to end (issue #17, part 3; docs/diagnosis.md
// "The path"): two network namespaces joined by a veth pair (198.19.20.0/29,
// inside the benchmarking range 198.18.0.0/15). The client reports the
// route's device kind and MTU at both ends and, with a source NAT rule in its
// namespace, the NAT with both addresses. Root and nft needed; without them a
// test skips and says why (under CI=true a missing namespace or nft fails).
#include <unistd.h>

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kServerAddress = "198.19.20.1";
constexpr const char* kClientAddress = "198.19.20.2";  // what the server sees after SNAT
constexpr const char* kClientBound = "198.19.20.5";    // the address the client binds (-B)

ProcessResult sh(const std::string& command) {
  return run_process({"/bin/sh", "-c", command}, 20s);
}

class DiagnosisPath : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      if (running_in_ci()) FAIL() << "CI must run as root: the path tests create network namespaces";
      GTEST_SKIP() << "needs root to create network namespaces";
    }
    tag_ = std::to_string(::getpid());
    server_ns_ = "nperf-path-s-" + tag_;
    client_ns_ = "nperf-path-c-" + tag_;
    // The client's veth gets a lower MTU than the default 1500, so the test
    // proves the MTU is read from the device, not assumed.
    ProcessResult r =
        sh(ns("ip netns add {S} && ip netns add {C} && "
              "ip link add np-s-{T} netns {S} type veth peer name np-c-{T} netns {C} && "
              "ip -n {S} addr add 198.19.20.1/29 dev np-s-{T} && "
              "ip -n {C} addr add 198.19.20.2/29 dev np-c-{T} && "
              "ip -n {C} addr add 198.19.20.5/29 dev np-c-{T} && "
              "ip -n {C} link set np-c-{T} mtu 1400 && "
              "ip -n {S} link set np-s-{T} up && ip -n {C} link set np-c-{T} up && "
              "ip -n {S} link set lo up && ip -n {C} link set lo up"));
    created_ = true;
    if (r.exit_code != 0) {
      if (running_in_ci()) FAIL() << "cannot build the namespaces and veth pair in CI: " << r.err;
      GTEST_SKIP() << "cannot build the namespaces and veth pair (kernel without netns/veth?): " << r.err;
    }
  }

  void TearDown() override {
    if (server_) server_.reset();
    if (created_) sh(ns("ip netns del {S}; ip netns del {C}"));
  }

  // Replaces {S}, {C} and {T} with the namespace names and the tag.
  std::string ns(std::string s) const {
    for (auto [key, value] :
         {std::pair<std::string, std::string>{"{S}", server_ns_}, {"{C}", client_ns_}, {"{T}", tag_}})
      for (size_t at; (at = s.find(key)) != std::string::npos;) s.replace(at, key.size(), value);
    return s;
  }

  void start_server() {
    server_ = std::make_unique<Process>(std::vector<std::string>{
        "ip", "netns", "exec", server_ns_, NPERF_BINARY, "-s", "-1", "-J", "-p", "5201"});
    for (int i = 0; i < 100; ++i) {
      ProcessResult r = sh(ns("ip netns exec {S} cat /proc/net/tcp /proc/net/tcp6 2>/dev/null"));
      if (r.out.find(":1451 00000000:0000 0A") != std::string::npos ||
          r.out.find(":1451 00000000000000000000000000000000:0000 0A") != std::string::npos)
        return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "the server did not listen within 5 s";
  }

  // The client's -J document, and its text output from a second run when asked.
  json run_client(std::vector<std::string> extra) {
    std::vector<std::string> argv = {"ip", "netns",        "exec", client_ns_, NPERF_BINARY,
                                     "-c", kServerAddress, "-p",   "5201",     "-J"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ProcessResult client = run_process(argv, 40s);
    ProcessResult server = server_->wait(10s);
    EXPECT_EQ(client.exit_code, 0) << client.err << client.out;
    EXPECT_EQ(server.exit_code, 0) << server.err;
    json doc = json::parse(client.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << client.out;
    return doc;
  }

  std::string run_client_text(std::vector<std::string> extra) {
    std::vector<std::string> argv = {"ip", "netns",        "exec", client_ns_, NPERF_BINARY,
                                     "-c", kServerAddress, "-p",   "5201"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ProcessResult client = run_process(argv, 40s);
    server_->wait(10s);
    EXPECT_EQ(client.exit_code, 0) << client.err << client.out;
    return client.out;
  }

  static const json& path_of(const json& doc) {
    static const json empty = json::object();
    if (!doc.is_object() || !doc.contains("end") || !doc["end"].contains("nperf") ||
        !doc["end"]["nperf"].contains("path"))
      return empty;
    return doc["end"]["nperf"]["path"];
  }

  std::string tag_, server_ns_, client_ns_;
  bool created_ = false;
  std::unique_ptr<Process> server_;
};

TEST_F(DiagnosisPath, VethPathReportsKindAndMtuAtBothEndsAndNoNat) {
  start_server();
  json doc = run_client({"-t", "1"});
  const json& path = path_of(doc);
  ASSERT_TRUE(path.contains("local") && path.contains("remote")) << doc.dump(1);
  EXPECT_EQ(path["local"]["device"]["name"], "np-c-" + tag_) << path.dump(1);
  EXPECT_EQ(path["local"]["device"]["kind"], "veth") << path.dump(1);
  EXPECT_EQ(path["local"]["device"]["mtu"], 1400) << path.dump(1);
  EXPECT_EQ(path["remote"]["device"]["kind"], "veth") << path.dump(1);
  EXPECT_EQ(path["remote"]["device"]["mtu"], 1500) << path.dump(1);
  EXPECT_EQ(path["local"]["peer"]["address"], kServerAddress) << path.dump(1);
  EXPECT_EQ(path["remote"]["local"]["address"], kServerAddress) << path.dump(1);
  // Without a NAT rule, what the server sees is what the client is.
  EXPECT_EQ(path["nat"], false) << path.dump(1);
  EXPECT_EQ(path["remote"]["peer"], path["local"]["local"]) << path.dump(1);
}

TEST_F(DiagnosisPath, SourceNatInTheClientsNamespaceIsReportedWithBothAddresses) {
  // The client binds 198.19.20.5; its namespace rewrites that source to
  // 198.19.20.2 on the way out (SNAT, as a pod's masquerade does).
  ProcessResult nft = sh(
      ns("ip netns exec {C} nft add table ip nperf_nat && "
         "ip netns exec {C} nft add chain ip nperf_nat post '{ type nat hook postrouting priority 100; }' && "
         "ip netns exec {C} nft add rule ip nperf_nat post ip saddr 198.19.20.5 ip daddr 198.19.20.1 snat to "
         "198.19.20.2"));
  if (nft.exit_code != 0) {
    if (running_in_ci()) FAIL() << "nft cannot install a SNAT rule in CI: " << nft.err;
    GTEST_SKIP() << "nft cannot install a SNAT rule (nftables missing or kernel without nf_nat): " << nft.err;
  }
  start_server();
  json doc = run_client({"-t", "1", "-B", kClientBound});
  const json& path = path_of(doc);
  ASSERT_TRUE(path.contains("nat") && path["nat"].is_object()) << doc.dump(1);
  EXPECT_EQ(path["nat"]["source"], true) << path.dump(1);
  EXPECT_EQ(path["local"]["local"]["address"], kClientBound) << path.dump(1);
  EXPECT_EQ(path["remote"]["peer"]["address"], kClientAddress) << path.dump(1);
  const std::string text = path["nat"].value("text", "");
  EXPECT_EQ(text.rfind(std::string("NAT between client and server (client ") + kClientBound + ":", 0), 0u)
      << text;
  EXPECT_NE(text.find(std::string(" seen as ") + kClientAddress + ":"), std::string::npos) << text;
  // The NAT rule needs connection tracking: both ends' tables were read
  // before and after (each namespace has its own count).
  if (std::filesystem::exists("/proc/sys/net/netfilter/nf_conntrack_max")) {
    ASSERT_TRUE(path["conntrack_change"]["local"].is_object()) << path.dump(1);
    EXPECT_GE(path["conntrack_change"]["local"]["count"].get<int64_t>(), 1) << path.dump(1);
    EXPECT_GT(path["conntrack_change"]["local"]["max"].get<int64_t>(), 0) << path.dump(1);
    EXPECT_EQ(path["conntrack_change"]["local"]["drop"], 0) << path.dump(1);
  }

  // The text output says the same in one line, before the Path: line.
  start_server();
  const std::string out = run_client_text({"-t", "1", "-B", kClientBound});
  const size_t nat = out.find(std::string("NAT between client and server (client ") + kClientBound + ":");
  const size_t line = out.find("\nPath: client via np-c-" + tag_ + " (veth, MTU 1400); server via np-s-" +
                               tag_ + " (veth, MTU 1500)");
  EXPECT_NE(nat, std::string::npos) << out;
  EXPECT_NE(line, std::string::npos) << out;
  EXPECT_LT(nat, line) << out;
}

}  // namespace
}  // namespace nperf::test
