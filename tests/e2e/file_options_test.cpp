// End-to-end, issue #19: -F FILE against Debian's iperf3 3.12 both ways. The
// file that arrives must be the file that was sent, byte for byte, whichever
// end sends and whichever program runs it.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "e2e/peer_pair.hpp"
#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class FileTransfer : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/nperf-e2e-file-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    source_ = dir_ + "/source.bin";
    received_ = dir_ + "/received.bin";
    // Not a whole number of 128 KiB blocks: the short last block must arrive too.
    std::mt19937 random(19);
    std::string bytes(3 * 1024 * 1024 + 17, '\0');
    for (char& b : bytes) b = static_cast<char>(random());
    std::ofstream(source_, std::ios::binary) << bytes;
    sent_ = bytes;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The received file, compared without printing 3 MB on a failure.
  void expect_received_whole() {
    std::string got = read_file(received_);
    EXPECT_EQ(got.size(), sent_.size());
    EXPECT_TRUE(got == sent_) << "the received file differs from the sent one";
  }

  std::string dir_, source_, received_, sent_;
};

TEST_F(FileTransfer, NperfClientSendsAFileToIperf3) {
  RawPair r;
  ASSERT_NO_FATAL_FAILURE(
      run_raw_pair(Peer::kNperf, Peer::kIperf3, {"-J", "-F", source_}, {"-F", received_}, &r));
  if (r.skipped) return;
  ASSERT_EQ(r.client.exit_code, 0) << r.client.err;
  EXPECT_EQ(r.server.exit_code, 0) << r.server.err;
  expect_received_whole();
  // No -t/-n/-k: the file's size is the test's byte count, as iperf3 sends it.
  auto doc = nlohmann::json::parse(r.client.out);
  EXPECT_EQ(doc["start"]["test_start"]["bytes"], sent_.size());
  EXPECT_EQ(sent_bytes(doc), sent_.size());
  // iperf3's "diskfile" object, between the stream's halves.
  const auto ordered = nlohmann::ordered_json::parse(r.client.out);
  const auto& stream = ordered["end"]["streams"][0];
  ASSERT_TRUE(stream.contains("diskfile")) << stream.dump(1);
  std::vector<std::string> keys;
  for (auto it = stream.begin(); it != stream.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"sender", "diskfile", "receiver"})) << stream.dump(1);
  EXPECT_EQ(stream["diskfile"]["sent"], sent_.size());
  EXPECT_EQ(stream["diskfile"]["size"], sent_.size());
  EXPECT_EQ(stream["diskfile"]["percent_sent"], 100);
  EXPECT_EQ(stream["diskfile"]["filename"], source_);
}

TEST_F(FileTransfer, Iperf3ClientSendsAFileToNperf) {
  RawPair r;
  ASSERT_NO_FATAL_FAILURE(run_raw_pair(Peer::kIperf3, Peer::kNperf, {"-F", source_}, {"-F", received_}, &r));
  if (r.skipped) return;
  ASSERT_EQ(r.client.exit_code, 0) << r.client.err;
  EXPECT_EQ(r.server.exit_code, 0) << r.server.err;
  expect_received_whole();
  // Each end says what it moved of its file in the same words: iperf3 of the
  // file it sent, the nperf server of the one it wrote (3 MiB + 17 bytes).
  EXPECT_NE(r.client.out.find("        Sent 3.00 MByte / 3.00 MByte (100%) of " + source_ + "\n"),
            std::string::npos)
      << r.client.out;
  EXPECT_NE(r.server.out.find("        Sent 3.00 MByte / 3.00 MByte (100%) of " + received_ + "\n"),
            std::string::npos)
      << r.server.out;
}

// -R: the client writes; the server's file is sent. The client's file does not
// exist yet, so -t bounds the test (iperf3 would take an existing one's size).
TEST_F(FileTransfer, NperfClientReceivesAFileFromIperf3) {
  RawPair r;
  ASSERT_NO_FATAL_FAILURE(
      run_raw_pair(Peer::kNperf, Peer::kIperf3, {"-R", "-t", "2", "-F", received_}, {"-F", source_}, &r));
  if (r.skipped) return;
  ASSERT_EQ(r.client.exit_code, 0) << r.client.err;
  EXPECT_EQ(r.server.exit_code, 0) << r.server.err;
  expect_received_whole();
  // The receiving client's line, after the sender half, as iperf3 3.12's.
  const size_t sent_line =
      r.client.out.find("        Sent 3.00 MByte / 3.00 MByte (100%) of " + received_ + "\n");
  EXPECT_NE(sent_line, std::string::npos) << r.client.out;
  EXPECT_LT(r.client.out.find("sender\n"), sent_line) << r.client.out;
}

TEST_F(FileTransfer, Iperf3ClientReceivesAFileFromNperf) {
  RawPair r;
  ASSERT_NO_FATAL_FAILURE(
      run_raw_pair(Peer::kIperf3, Peer::kNperf, {"-R", "-t", "2", "-F", received_}, {"-F", source_}, &r));
  if (r.skipped) return;
  ASSERT_EQ(r.client.exit_code, 0) << r.client.err;
  EXPECT_EQ(r.server.exit_code, 0) << r.server.err;
  expect_received_whole();
}

TEST_F(FileTransfer, NperfToNperfWithARateLimit) {
  RawPair r;
  // 3 MB at 20 Mbit/s: about 1.3 s, so the paced file path is what runs.
  ASSERT_NO_FATAL_FAILURE(
      run_raw_pair(Peer::kNperf, Peer::kNperf, {"-J", "-b", "20M", "-F", source_}, {"-F", received_}, &r));
  ASSERT_EQ(r.client.exit_code, 0) << r.client.err;
  EXPECT_EQ(r.server.exit_code, 0) << r.server.err;
  expect_received_whole();
  auto doc = nlohmann::json::parse(r.client.out);
  double seconds = doc["end"]["sum_sent"]["seconds"];
  EXPECT_GT(seconds, 0.8) << "-b 20M did not pace the file";
}

// A -F server receives one stream's bytes: UDP (headers in the bytes) and
// -P 2 (interleaved streams) are refused, and the file is left alone.
TEST_F(FileTransfer, AFileServerRefusesAUdpTest) {
  RawPair r;
  ASSERT_NO_FATAL_FAILURE(
      run_raw_pair(Peer::kIperf3, Peer::kNperf, {"-u", "-t", "1"}, {"-F", received_}, &r));
  if (r.skipped) return;
  EXPECT_NE(r.client.exit_code, 0);
  EXPECT_NE(r.server.err.find("takes one TCP stream in one direction"), std::string::npos)
      << r.server.out << r.server.err;
  EXPECT_FALSE(std::filesystem::exists(received_));
}

TEST_F(FileTransfer, AMissingFileIsAParameterErrorBeforeConnecting) {
  // Port 9 (discard) on loopback: nothing listens, and nothing must be tried.
  ProcessResult p = run_process({NPERF_BINARY, "-c", "127.0.0.1", "-p", "9", "-F", dir_ + "/none.bin"}, 10s);
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_NE(p.err.find("-F " + dir_ + "/none.bin: cannot read: No such file or directory"), std::string::npos)
      << p.err;
  ProcessResult udp = run_process({NPERF_BINARY, "-c", "127.0.0.1", "-p", "9", "-u", "-F", source_}, 10s);
  EXPECT_EQ(udp.exit_code, 2);
  EXPECT_NE(udp.err.find("-F works with TCP only"), std::string::npos) << udp.err;
}

}  // namespace
}  // namespace nperf::test
