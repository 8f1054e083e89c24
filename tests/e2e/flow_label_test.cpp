// End-to-end, issue #19: -L, the IPv6 flow label, against Debian's iperf3
// 3.12 both ways on ::1. The label is read from the packets themselves: an
// AF_PACKET socket on lo sees every IPv6 header (root needed; skipped with
// the reason otherwise), so the test checks what the wire carries, and on
// which connections: the data streams, not the control connection.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;

bool loopback_v6_usable() {
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// Flow labels of the TCP segments sent to `port` over lo, per source port.
class LabelCapture {
 public:
  explicit LabelCapture(int port) : port_(port) {
    fd_ = ::socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IPV6));
    if (fd_ < 0) return;
    sockaddr_ll where{};
    where.sll_family = AF_PACKET;
    where.sll_protocol = htons(ETH_P_IPV6);
    where.sll_ifindex = static_cast<int>(::if_nametoindex("lo"));
    timeval wake{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wake, sizeof wake);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&where), sizeof where) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    reader_ = std::thread([this] { read(); });
  }
  ~LabelCapture() {
    stop();
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  void stop() {
    done_ = true;
    if (reader_.joinable()) reader_.join();
  }
  // Source ports whose segments to the port carried `label`.
  std::set<int> ports_with(uint32_t label) const {
    std::set<int> ports;
    for (const auto& [port, labels] : seen_)
      if (labels.count(label)) ports.insert(port);
    return ports;
  }
  size_t connections() const { return seen_.size(); }

 private:
  void read() {
    unsigned char packet[256];
    const auto deadline = std::chrono::steady_clock::now() + 60s;  // bounded, whatever happens
    while (!done_ && std::chrono::steady_clock::now() < deadline) {
      ssize_t n = ::recv(fd_, packet, sizeof packet, MSG_TRUNC);
      if (n < static_cast<ssize_t>(14 + 40 + 4)) continue;
      const unsigned char* ip = packet + 14;  // lo's all-zero Ethernet header
      if ((ip[0] >> 4) != 6 || ip[6] != IPPROTO_TCP) continue;
      const unsigned char* tcp = ip + 40;
      int source = tcp[0] << 8 | tcp[1], destination = tcp[2] << 8 | tcp[3];
      if (destination != port_) continue;
      uint32_t label = static_cast<uint32_t>(ip[1] & 0x0F) << 16 | ip[2] << 8 | ip[3];
      seen_[source].insert(label);
    }
  }

  int port_;
  int fd_ = -1;
  std::atomic<bool> done_{false};
  std::thread reader_;
  std::map<int, std::set<uint32_t>> seen_;  // written by reader_ until stop()
};

struct PairRun {
  ProcessResult client, server;
};

// A one-off server and a client on ::1 with `client_args`, captured.
void run_on_loopback_v6(const std::string& client_bin, const std::string& server_bin,
                        std::vector<std::string> client_args, LabelCapture** capture_out, int port,
                        PairRun* run) {
  Process server({server_bin, "-s", "-1", "-p", std::to_string(port)});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  std::vector<std::string> argv = {client_bin, "-c", "::1", "-p", std::to_string(port)};
  argv.insert(argv.end(), client_args.begin(), client_args.end());
  run->client = run_process(argv, 30s);
  run->server = server.wait(15s);
  (*capture_out)->stop();
}

class FlowLabel : public testing::Test {
 protected:
  void SetUp() override {
    iperf3_ = find_program("iperf3");
    if (iperf3_.empty()) {
      if (running_in_ci()) FAIL() << "iperf3 is not installed, and CI must run the interop tests";
      GTEST_SKIP() << "iperf3 is not installed (apt-get install iperf3)";
    }
    if (!loopback_v6_usable()) GTEST_SKIP() << "::1 is not usable here (IPv6 disabled?)";
    port_ = free_port();
    capture_ = std::make_unique<LabelCapture>(port_);
    if (!capture_->ok()) GTEST_SKIP() << "no AF_PACKET socket on lo (needs root / CAP_NET_RAW)";
  }

  std::string iperf3_;
  int port_ = 0;
  std::unique_ptr<LabelCapture> capture_;
};

// Each test its own label: a released label lingers in the kernel for
// seconds and another process may not take it meanwhile.
TEST_F(FlowLabel, NperfClientLabelsItsDataConnectionsToIperf3) {
  PairRun run;
  LabelCapture* capture = capture_.get();
  ASSERT_NO_FATAL_FAILURE(run_on_loopback_v6(NPERF_BINARY, iperf3_, {"-t", "1", "-P", "2", "-L", "0x1a2b3"},
                                             &capture, port_, &run));
  ASSERT_EQ(run.client.exit_code, 0) << run.client.err;
  EXPECT_EQ(run.server.exit_code, 0) << run.server.err;
  EXPECT_EQ(capture_->connections(), 3u) << "control and two data connections";
  EXPECT_EQ(capture_->ports_with(0x1a2b3).size(), 2u)
      << "the two data connections carry the label, control not";
}

// -R: the client's data connection still sends (its ACKs), labelled.
TEST_F(FlowLabel, NperfClientLabelsItsReverseDataConnection) {
  PairRun run;
  LabelCapture* capture = capture_.get();
  ASSERT_NO_FATAL_FAILURE(run_on_loopback_v6(NPERF_BINARY, iperf3_, {"-t", "1", "-R", "--flowlabel", "70000"},
                                             &capture, port_, &run));
  ASSERT_EQ(run.client.exit_code, 0) << run.client.err;
  EXPECT_EQ(capture_->ports_with(70000).size(), 1u);
}

// iperf3 labels its own data connection; the nperf server takes the test
// (and the "flowlabel" parameter) as iperf3's server does.
TEST_F(FlowLabel, Iperf3ClientWithALabelTestsAgainstNperf) {
  PairRun run;
  LabelCapture* capture = capture_.get();
  ASSERT_NO_FATAL_FAILURE(
      run_on_loopback_v6(iperf3_, NPERF_BINARY, {"-t", "1", "-L", "0x2b3c4"}, &capture, port_, &run));
  ASSERT_EQ(run.client.exit_code, 0) << run.client.err;
  EXPECT_EQ(run.server.exit_code, 0) << run.server.err;
  EXPECT_EQ(capture_->ports_with(0x2b3c4).size(), 1u);
}

TEST(FlowLabelErrors, AnIpv4ServerAddressIsAClearError) {
  std::string iperf3 = find_program("iperf3");
  if (iperf3.empty()) GTEST_SKIP() << "iperf3 is not installed";
  int port = free_port();
  Process server({iperf3, "-s", "-1", "-p", std::to_string(port)});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  ProcessResult c =
      run_process({NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-L", "5"}, 20s);
  server.wait(10s);
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.err.find("-L needs an IPv6 server address, not 127.0.0.1"), std::string::npos) << c.err;
}

}  // namespace
}  // namespace nperf::test
