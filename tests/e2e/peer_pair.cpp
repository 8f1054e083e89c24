#include "e2e/peer_pair.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

namespace nperf::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json parse_document(const ProcessResult& r, const char* who) {
  json doc = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << who << " printed no valid JSON:\n" << r.out << "\nstderr:\n" << r.err;
  if (doc.is_discarded()) return json::object();
  EXPECT_FALSE(doc.contains("error")) << who << " reported: " << doc.value("error", "");
  return doc;
}

uint64_t own_bytes(const json& doc, bool sending) {
  // .at(): a document without these keys (an error) throws, which fails the test cleanly.
  const json& streams = doc.at("end").at("streams");
  if (streams.empty() || !streams[0].contains("sender"))
    return doc.at("end").at(sending ? "sum_sent" : "sum_received").at("bytes").get<uint64_t>();
  uint64_t total = 0;
  for (const auto& stream : streams) {
    if (stream.at("sender").at("sender").get<bool>() != sending) continue;
    total += stream.at(sending ? "sender" : "receiver").at("bytes").get<uint64_t>();
  }
  return total;
}

// The `index`-th number of a /proc/sys file ("min default max" or one value); 0 when unreadable.
uint64_t proc_number(const char* path, int index) {
  std::ifstream in(path);
  uint64_t value = 0;
  for (int i = 0; i <= index; ++i)
    if (!(in >> value)) return 0;
  return value;
}

}  // namespace

void run_raw_pair(Peer client_peer, Peer server_peer, const std::vector<std::string>& client_args,
                  const std::vector<std::string>& server_args, RawPair* out) {
  std::string iperf3;
  if (client_peer == Peer::kIperf3 || server_peer == Peer::kIperf3) {
    iperf3 = find_program("iperf3");
    if (iperf3.empty()) {
      if (running_in_ci()) FAIL() << "iperf3 is not installed, and CI must run the interop tests";
      out->skipped = true;
      GTEST_SKIP() << "iperf3 is not installed (apt-get install iperf3); interop not tested";
    }
  }
  const std::string server_bin = server_peer == Peer::kIperf3 ? iperf3 : NPERF_BINARY;
  const std::string client_bin = client_peer == Peer::kIperf3 ? iperf3 : NPERF_BINARY;
  int port = out->port = free_port();
  std::vector<std::string> server_argv = {server_bin, "-s", "-1", "-p", std::to_string(port)};
  server_argv.insert(server_argv.end(), server_args.begin(), server_args.end());
  Process server(server_argv);
  ASSERT_TRUE(wait_for_listener(port, 5s)) << "server did not start listening";
  std::vector<std::string> argv = {client_bin, "-c", "127.0.0.1", "-p", std::to_string(port)};
  argv.insert(argv.end(), client_args.begin(), client_args.end());
  out->client = run_process(argv, 30s);
  out->server = server.wait(15s);
  ASSERT_FALSE(out->client.timed_out) << "client hung";
  ASSERT_FALSE(out->server.timed_out) << "server did not finish its one-off test";
}

void run_pair(Peer client_peer, Peer server_peer, const std::vector<std::string>& args, PairResult* out) {
  std::vector<std::string> client_args = {"-J"};
  client_args.insert(client_args.end(), args.begin(), args.end());
  RawPair raw;
  ASSERT_NO_FATAL_FAILURE(run_raw_pair(client_peer, server_peer, client_args, {"-J"}, &raw));
  if ((out->skipped = raw.skipped)) return;
  EXPECT_EQ(raw.client.exit_code, 0) << raw.client.err;
  EXPECT_EQ(raw.server.exit_code, 0) << raw.server.err;
  out->client = parse_document(raw.client, "client");
  out->server = parse_document(raw.server, "server");
  ASSERT_TRUE(out->client.contains("end") && out->server.contains("end"));
}

uint64_t sent_bytes(const json& doc) {
  return own_bytes(doc, true);
}
uint64_t received_bytes(const json& doc) {
  return own_bytes(doc, false);
}

uint64_t tcp_unread_ceiling() {
  uint64_t receive = std::max(proc_number("/proc/sys/net/ipv4/tcp_rmem", 2),
                              2 * proc_number("/proc/sys/net/core/rmem_max", 0));
  uint64_t send = std::max(proc_number("/proc/sys/net/ipv4/tcp_wmem", 2),
                           2 * proc_number("/proc/sys/net/core/wmem_max", 0));
  return receive + send;
}

void expect_sent_matches_received(uint64_t sent, uint64_t received, uint64_t unread_allowance,
                                  const std::string& what) {
  ASSERT_GT(sent, 0u) << what;
  // A receiver never counts more than was sent; it may count less by what it left unread.
  uint64_t slack = sent / 50 + unread_allowance;
  EXPECT_LE(received, sent + sent / 50) << what << ": " << sent << " vs " << received;
  EXPECT_GE(received + slack, sent) << what << ": " << sent << " vs " << received << " (allowed " << slack
                                    << " bytes unread: 2 % + " << unread_allowance << ")";
}

}  // namespace nperf::test
