// An iperf3 server's --get-server-output read for the path: where it saw the
// client come from, and its own end (protocol/server_output_path.hpp). The
// outputs are excerpts of real iperf3 runs (iperf3-reference/gso_text and
// gso_json, a 3.21+ server; 3.12 prints the same lines and keys).
#include <gtest/gtest.h>

#include "nperf/protocol/server_output_path.hpp"
#include "nperf/stats/path_facts.hpp"

namespace nperf::protocol {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kServerText =
    "Accepted connection from 127.0.0.1, port 48488\n"
    "[  5] local 127.0.0.1 port 5301 connected to 127.0.0.1 port 48496\n"
    "[ ID] Interval           Transfer     Bitrate\n"
    "[  5]   0.00-1.00   sec   128 KBytes  1.05 Mbits/sec                  \n";

TEST(ServerOutputPath, TextNamesTheControlConnectionsClientAndTheServersEnd) {
  TestResults r;
  r.server_output_text = kServerText;
  auto p = path_from_server_output(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->peer, (Endpoint{"127.0.0.1", 48488}));
  EXPECT_EQ(p->local, (Endpoint{"127.0.0.1", 5301}));
  EXPECT_FALSE(p->device.known());
}

TEST(ServerOutputPath, JsonTakesAcceptedConnectionAndTheFirstConnectedStream) {
  TestResults r;
  r.server_output_json = Json::parse(R"({"start": {
      "connected": [{"socket": 5, "local_host": "198.19.20.1", "local_port": 5201,
                     "remote_host": "198.19.20.2", "remote_port": 40014}],
      "version": "iperf 3.21+", "future_key": [1, 2],
      "accepted_connection": {"host": "198.19.20.2", "port": 40012}}})");
  auto p = path_from_server_output(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->peer, (Endpoint{"198.19.20.2", 40012}));
  EXPECT_EQ(p->local, (Endpoint{"198.19.20.1", 5201}));
}

TEST(ServerOutputPath, IPv6AddressesAreKept) {
  TestResults r;
  r.server_output_text =
      "Accepted connection from ::1, port 40000\n[  5] local ::1 port 5201 connected to ::1 port 1\n";
  auto p = path_from_server_output(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->peer, (Endpoint{"::1", 40000}));
  EXPECT_EQ(p->local, (Endpoint{"::1", 5201}));
}

TEST(ServerOutputPath, AnIPv4MappedClientIsItsIPv4Address) {
  // A server that prints its dual-stack socket's view as it is: comparing
  // that with the client's own 198.19.20.2 must not read as NAT.
  TestResults r;
  r.server_output_text = "Accepted connection from ::ffff:198.19.20.2, port 40012\n";
  auto p = path_from_server_output(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->peer, (Endpoint{"198.19.20.2", 40012}));
}

TEST(ServerOutputPath, NothingUsableIsNoRecord) {
  TestResults none;
  EXPECT_FALSE(path_from_server_output(none).has_value());
  TestResults text;
  text.server_output_text = "-----------\nServer listening on 5201\n";
  EXPECT_FALSE(path_from_server_output(text).has_value());
  // Hostile values: a host that is not an address, a port out of range.
  TestResults bad_host;
  bad_host.server_output_json =
      Json::parse(R"({"start": {"accepted_connection": {"host": "x; rm -rf", "port": 1}}})");
  EXPECT_FALSE(path_from_server_output(bad_host).has_value());
  TestResults wrong_types;
  wrong_types.server_output_json =
      Json::parse(R"({"start": {"accepted_connection": {"host": 7, "port": "a"}}})");
  EXPECT_FALSE(path_from_server_output(wrong_types).has_value());
  TestResults no_port;
  no_port.server_output_json =
      Json::parse(R"({"start": {"accepted_connection": {"host": "1.2.3.4", "port": null}}})");
  EXPECT_FALSE(path_from_server_output(no_port).has_value());
  TestResults not_object;
  not_object.server_output_json = Json::parse(R"({"start": []})");
  EXPECT_FALSE(path_from_server_output(not_object).has_value());
}

TEST(ServerOutputPath, JsonWithoutTheKeyFallsBackToText) {
  TestResults r;
  r.server_output_json = Json::parse(R"({"start": {}})");
  r.server_output_text = kServerText;
  auto p = path_from_server_output(r);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->peer.port, 48488);
}

TEST(ServerOutputPath, AMasqueradedClientIsNatThroughTheServersOutput) {
  // The client's own end 198.19.21.2 (a pod); the iperf3 server saw 198.19.20.2.
  TestResults r;
  r.server_output_text =
      "Accepted connection from 198.19.20.2, port 40012\n"
      "[  5] local 198.19.20.1 port 5201 connected to 198.19.20.2 port 40014\n";
  PathReport report;
  report.local.local = Endpoint{"198.19.21.2", 40012};
  report.local.peer = Endpoint{"198.19.20.1", 5201};
  report.remote = path_from_server_output(r);
  auto nat = find_nat(report);
  ASSERT_TRUE(nat.has_value());
  EXPECT_TRUE(nat->source);
  EXPECT_FALSE(nat->destination);
  EXPECT_EQ(nat_sentence(*nat),
            "NAT between client and server (client 198.19.21.2:40012 seen as 198.19.20.2:40012)");
}

}  // namespace
}  // namespace nperf::protocol
