// The path between the ends, end to end (issue #17, part 3; docs/diagnosis.md
// "The path"): two network namespaces joined by a veth pair (198.19.20.0/29,
// inside the benchmarking range 198.18.0.0/15). The client reports the
// route's device kind and MTU at both ends; with a source NAT rule in its
// namespace, or from a third "pod" namespace (198.19.21.0/30) behind its
// masquerade, the NAT with both addresses (from an nperf server's record or
// an iperf3 server's --get-server-output); over a VXLAN tunnel between the
// two (198.19.22.0/30), the tunnel's device, lower MTU and overhead. Root,
// nft and a kernel with vxlan needed; without them a test skips and says why
// (under CI=true a missing namespace, nft or vxlan fails).
#include <unistd.h>

#include <filesystem>
#include <thread>

#include <fmt/format.h>
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
constexpr const char* kPodAddress = "198.19.21.2";     // the pod behind the client namespace's masquerade
constexpr const char* kTunnelServer = "198.19.22.1";   // the server's end of the VXLAN overlay

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
    run_ns_ = client_ns_;
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
    if (!pod_ns_.empty()) sh(ns("ip netns del {P}"));
  }

  // Replaces {S}, {C}, {P} and {T} with the namespace names and the tag.
  std::string ns(std::string s) const {
    for (auto [key, value] : {std::pair<std::string, std::string>{"{S}", server_ns_},
                              {"{C}", client_ns_},
                              {"{P}", pod_ns_},
                              {"{T}", tag_}})
      for (size_t at; (at = s.find(key)) != std::string::npos;) s.replace(at, key.size(), value);
    return s;
  }

  // A pod behind the client's namespace, as a node's pods are: the pod
  // namespace P (198.19.21.2/30, default route via 198.19.21.1) reaches the
  // server through C, which forwards and masquerades what leaves by its veth
  // toward the server. The client then runs in P.
  void add_pod_behind_masquerade() {
    pod_ns_ = "nperf-path-p-" + tag_;
    ProcessResult r = sh(ns(
        "ip netns add {P} && "
        "ip link add np-p-{T} netns {P} type veth peer name np-n-{T} netns {C} && "
        "ip -n {P} addr add 198.19.21.2/30 dev np-p-{T} && ip -n {C} addr add 198.19.21.1/30 dev np-n-{T} && "
        "ip -n {P} link set np-p-{T} up && ip -n {C} link set np-n-{T} up && ip -n {P} link set lo up && "
        "ip -n {P} route add default via 198.19.21.1 && "
        "ip netns exec {C} sysctl -qw net.ipv4.ip_forward=1 && "
        "ip netns exec {C} nft add table ip nperf_nat && "
        "ip netns exec {C} nft add chain ip nperf_nat post '{ type nat hook postrouting priority 100; }' && "
        "ip netns exec {C} nft add rule ip nperf_nat post oifname np-c-{T} masquerade"));
    if (r.exit_code != 0) {
      if (running_in_ci()) FAIL() << "cannot put a pod namespace behind a masquerade in CI: " << r.err;
      GTEST_SKIP() << "cannot put a pod namespace behind a masquerade (nftables or kernel nf_nat missing): "
                   << r.err;
    }
    run_ns_ = pod_ns_;
  }

  void start_server() { start_server({NPERF_BINARY, "-s", "-1", "-J", "-p", "5201"}); }

  void start_server(std::vector<std::string> server_argv) {
    std::vector<std::string> argv = {"ip", "netns", "exec", server_ns_};
    argv.insert(argv.end(), server_argv.begin(), server_argv.end());
    server_ = std::make_unique<Process>(argv);
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
  json run_client(std::vector<std::string> extra, const char* server_address = kServerAddress) {
    std::vector<std::string> argv = {"ip", "netns",        "exec", run_ns_, NPERF_BINARY,
                                     "-c", server_address, "-p",   "5201",  "-J"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ProcessResult client = run_process(argv, 40s);
    ProcessResult server = server_->wait(10s);
    EXPECT_EQ(client.exit_code, 0) << client.err << client.out;
    EXPECT_EQ(server.exit_code, 0) << server.err;
    json doc = json::parse(client.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << client.out;
    return doc;
  }

  std::string run_client_text(std::vector<std::string> extra, const char* server_address = kServerAddress) {
    std::vector<std::string> argv = {"ip", "netns",        "exec", run_ns_, NPERF_BINARY,
                                     "-c", server_address, "-p",   "5201"};
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

  std::string tag_, server_ns_, client_ns_, pod_ns_;
  std::string run_ns_;  // where the client runs: the client namespace, or the pod's
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

TEST_F(DiagnosisPath, APodBehindAMasqueradeIsReportedWithBothAddresses) {
  add_pod_behind_masquerade();
  if (HasFatalFailure() || IsSkipped()) return;
  start_server();
  json doc = run_client({"-t", "1"});
  const json& path = path_of(doc);
  ASSERT_TRUE(path.contains("nat") && path["nat"].is_object()) << doc.dump(1);
  EXPECT_EQ(path["remote_source"], "nperf") << path.dump(1);
  EXPECT_EQ(path["nat"]["source"], true) << path.dump(1);
  EXPECT_EQ(path["nat"]["destination"], false) << path.dump(1);
  // Both addresses are the control connection's: the pod's own, and the
  // client namespace's address the masquerade gave it.
  EXPECT_EQ(path["local"]["local"]["address"], kPodAddress) << path.dump(1);
  EXPECT_EQ(path["remote"]["peer"]["address"], kClientAddress) << path.dump(1);
  EXPECT_EQ(path["local"]["device"]["name"], "np-p-" + tag_) << path.dump(1);
  const std::string text = path["nat"].value("text", "");
  EXPECT_EQ(text.rfind(std::string("NAT between client and server (client ") + kPodAddress + ":", 0), 0u)
      << text;
  EXPECT_NE(text.find(std::string(" seen as ") + kClientAddress + ":"), std::string::npos) << text;
}

TEST_F(DiagnosisPath, AnIperf3ServersOwnOutputShowsTheMasquerade) {
  // An iperf3 server sends no path record; asked for its output, it names
  // the address it accepted the control connection from.
  const std::string iperf3 = find_program("iperf3");
  if (iperf3.empty()) {
    if (running_in_ci()) FAIL() << "iperf3 is not installed, and CI must run the interop tests";
    GTEST_SKIP() << "iperf3 is not installed (apt-get install iperf3)";
  }
  add_pod_behind_masquerade();
  if (HasFatalFailure() || IsSkipped()) return;
  start_server({iperf3, "-s", "-1", "-p", "5201"});
  json doc = run_client({"-t", "1", "--get-server-output"});
  const json& path = path_of(doc);
  ASSERT_TRUE(path.contains("nat") && path["nat"].is_object()) << doc.dump(1);
  EXPECT_EQ(path["remote_source"], "server_output") << path.dump(1);
  EXPECT_EQ(path["nat"]["source"], true) << path.dump(1);
  EXPECT_EQ(path["nat"]["destination"], false) << path.dump(1);
  EXPECT_EQ(path["remote"]["peer"]["address"], kClientAddress) << path.dump(1);
  EXPECT_EQ(path["remote"]["local"]["address"], kServerAddress) << path.dump(1);

  // In text mode the server's output is text, and says the same.
  start_server({iperf3, "-s", "-1", "-p", "5201"});
  const std::string out = run_client_text({"-t", "1", "--get-server-output"});
  EXPECT_NE(out.find(std::string("NAT between client and server (client ") + kPodAddress + ":"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(std::string(" seen as ") + kClientAddress + ":"), std::string::npos) << out;
}

TEST_F(DiagnosisPath, AVxlanTunnelIsReportedWithItsLowerMtuAndOverhead) {
  // A VXLAN overlay over the veth pair, as flannel's or calico's: the route
  // to the server leaves by the tunnel device, whose MTU the kernel set 50
  // bytes below its underlay's (the client's veth is at 1400).
  ProcessResult r = sh(ns(
      "ip -n {S} link add vx-s-{T} type vxlan id 42 local 198.19.20.1 remote 198.19.20.2 dstport 4789 "
      "dev np-s-{T} && "
      "ip -n {C} link add vx-c-{T} type vxlan id 42 local 198.19.20.2 remote 198.19.20.1 dstport 4789 "
      "dev np-c-{T} && "
      "ip -n {S} addr add 198.19.22.1/30 dev vx-s-{T} && ip -n {C} addr add 198.19.22.2/30 dev vx-c-{T} && "
      "ip -n {S} link set vx-s-{T} up && ip -n {C} link set vx-c-{T} up"));
  if (r.exit_code != 0) {
    if (running_in_ci()) FAIL() << "cannot build a VXLAN tunnel between the namespaces in CI: " << r.err;
    GTEST_SKIP() << "cannot build a VXLAN tunnel between the namespaces (kernel without vxlan?): " << r.err;
  }
  auto mtu_of = [&](const std::string& where, const std::string& device) {
    ProcessResult m = sh(ns("ip netns exec " + where + " cat /sys/class/net/" + device + "/mtu"));
    return m.exit_code == 0 ? std::stoll(m.out) : -1;
  };
  const int64_t client_mtu = mtu_of(client_ns_, "vx-c-" + tag_);
  const int64_t server_mtu = mtu_of(server_ns_, "vx-s-" + tag_);
  ASSERT_GT(client_mtu, 0);
  EXPECT_LT(client_mtu, 1400);  // the tunnel's own headers come off the underlay's MTU
  EXPECT_LT(server_mtu, 1500);

  start_server();
  json doc = run_client({"-t", "1"}, kTunnelServer);
  const json& path = path_of(doc);
  ASSERT_TRUE(path.contains("local") && path.contains("remote")) << doc.dump(1);
  EXPECT_EQ(path["local"]["device"]["name"], "vx-c-" + tag_) << path.dump(1);
  EXPECT_EQ(path["local"]["device"]["kind"], "vxlan") << path.dump(1);
  EXPECT_EQ(path["local"]["device"]["mtu"], client_mtu) << path.dump(1);
  EXPECT_EQ(path["local"]["device"]["overhead"], 50) << path.dump(1);
  EXPECT_EQ(path["remote"]["device"]["kind"], "vxlan") << path.dump(1);
  EXPECT_EQ(path["remote"]["device"]["mtu"], server_mtu) << path.dump(1);
  EXPECT_EQ(path["nat"], false) << path.dump(1);

  start_server();
  const std::string out = run_client_text({"-t", "1"}, kTunnelServer);
  EXPECT_NE(out.find(fmt::format(
                "\nPath: client via vx-c-{} (vxlan, MTU {}, 50 bytes of encapsulation per packet); "
                "server via vx-s-{} (vxlan, MTU {}, 50 bytes of encapsulation per packet)",
                tag_, client_mtu, tag_, server_mtu)),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace nperf::test
