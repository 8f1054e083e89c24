// The path record in nperf's results extension (protocol/path_record.hpp):
// the exact bytes, the round trip, and peer input that must not reach the
// user's screen (not an address, not a name) decoding as unknown.
#include "nperf/protocol/path_record.hpp"

#include <gtest/gtest.h>

#include "nperf/protocol/results.hpp"
#include "nperf/protocol/results_extension.hpp"

namespace {

using nlohmann::ordered_json;
using namespace nperf::protocol;

PathRecord veth_client() {
  PathRecord p;
  p.local = {"198.18.0.1", 40012};
  p.peer = {"198.18.0.2", 5201};
  p.device = {"veth0", "veth", 1500, 0};
  p.conntrack_before = {3, 262144, 0, 0, 0};
  p.conntrack_after = {5, 262144, 2, 1, 0};
  return p;
}

TEST(PathRecord, EncodesByteForByte) {
  EXPECT_EQ(path_to_json(veth_client()).dump(),
            R"({"local":{"address":"198.18.0.1","port":40012},"peer":{"address":"198.18.0.2","port":5201},)"
            R"("device":{"name":"veth0","kind":"veth","mtu":1500,"overhead":0},)"
            R"("conntrack":{"before":{"count":3,"max":262144,"drop":0,"insert_failed":0,"early_drop":0},)"
            R"("after":{"count":5,"max":262144,"drop":2,"insert_failed":1,"early_drop":0}}})");
}

TEST(PathRecord, UnknownPiecesAreLeftOut) {
  PathRecord p;
  p.peer = {"::1", 5201};
  EXPECT_EQ(path_to_json(p).dump(), R"({"peer":{"address":"::1","port":5201}})");
  EXPECT_FALSE(PathRecord{}.known());
}

TEST(PathRecord, SitsInTheExtensionBetweenBootIdAndStreams) {
  ResultsExtension ext;
  ext.boot_id = "b";
  ext.path.peer = {"10.0.0.5", 40012};
  EXPECT_EQ(encode_results_extension(ext).dump(),
            R"({"buffers":{"requested":0,"sndbuf":0,"rcvbuf":0,"wmem_max":0,"rmem_max":0},"boot_id":"b",)"
            R"("path":{"peer":{"address":"10.0.0.5","port":40012}},"streams":[]})");
  // Without a path nothing is sent: the bytes of older nperf stay as they were.
  EXPECT_EQ(encode_results_extension(ResultsExtension{}).dump().find("path"), std::string::npos);
}

TEST(PathRecord, RoundTripsThroughTheResultsMessage) {
  TestResults r;
  r.nperf = ResultsExtension{};
  r.nperf->path = veth_client();
  auto decoded = decode_results(encode_results(r));
  ASSERT_TRUE(decoded.results.has_value()) << decoded.error;
  ASSERT_TRUE(decoded.results->nperf.has_value());
  EXPECT_EQ(decoded.results->nperf->path, veth_client());
}

TEST(PathRecord, HostileTextDecodesAsUnknown) {
  ordered_json j = ordered_json::parse(
      R"({"local":{"address":"\u001b[31mevil","port":1},"peer":{"address":"10.0.0.1","port":70000},)"
      R"("device":{"name":"a name far longer than IFNAMSIZ","kind":"veth","mtu":1500},)"
      R"("conntrack":{"before":{"max":"lots","count":3},"after":{"max":10,"count":-7,"drop":1.5}}})");
  PathRecord p = path_from_json(j);
  EXPECT_FALSE(p.local.known());
  EXPECT_EQ(p.peer, (Endpoint{"10.0.0.1", 0}));  // the port out of range is unknown, the address kept
  EXPECT_FALSE(p.device.known());
  EXPECT_FALSE(p.conntrack_before.loaded());
  EXPECT_EQ(p.conntrack_after, (ConntrackReading{-1, 10, -1, -1, -1}));
  EXPECT_EQ(path_from_json(ordered_json::array()), PathRecord{});
  EXPECT_EQ(path_from_json(ordered_json::parse(R"({"device":{"name":"eth0","kind":"a\"b"}})")).device,
            (RouteDevice{"eth0", "", -1, -1}));
}

TEST(PathRecord, EndpointsPrintAsAddressColonPort) {
  EXPECT_EQ(format_endpoint({"10.244.1.7", 51234}), "10.244.1.7:51234");
  EXPECT_EQ(format_endpoint({"fd00::2", 5201}), "[fd00::2]:5201");
  EXPECT_EQ(format_endpoint({}), "");
}

TEST(PathRecord, EncapsulationOverheadByKind) {
  EXPECT_EQ(encapsulation_overhead("vxlan"), 50);
  EXPECT_EQ(encapsulation_overhead("geneve"), 50);
  EXPECT_EQ(encapsulation_overhead("wireguard"), 60);
  EXPECT_EQ(encapsulation_overhead("ipip"), 20);
  EXPECT_EQ(encapsulation_overhead("veth"), 0);
  EXPECT_EQ(encapsulation_overhead("physical"), 0);
  EXPECT_EQ(encapsulation_overhead("something-new"), -1);
}

}  // namespace
