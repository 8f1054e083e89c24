// The TCP workers over a socketpair: what a compact buffer (compact_buffers.hpp)
// sends is byte for byte what the plain path sends, and -n / -k stay exact.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "nperf/engine/compact_buffers.hpp"
#include "nperf/engine/payload.hpp"
#include "nperf/engine/tcp_stream.hpp"

namespace nperf::engine {
namespace {

constexpr uint32_t k1M = 1u << 20;

struct SocketPair {
  SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd), 0); }
  ~SocketPair() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void close_end(int i) {
    ::close(fd[i]);
    fd[i] = -1;
  }
  int fd[2] = {-1, -1};
};

std::vector<char> drain(int fd) {
  std::vector<char> got;
  char buf[65536];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.insert(got.end(), buf, buf + n);
  return got;
}

std::shared_ptr<const std::vector<char>> payload(uint32_t block_len, uint32_t period) {
  auto block = std::make_shared<std::vector<char>>(block_len);
  fill_payload(std::span<uint8_t>(reinterpret_cast<uint8_t*>(block->data()), block->size()), false, period);
  return block;
}

struct Sent {
  std::vector<char> bytes;
  uint64_t counted_bytes = 0, counted_blocks = 0;
  std::string error;
};

// `nonblocking`: the kernel takes part of a call now and then (EAGAIN between),
// so calls start part-way into the block, as they do on a real TCP socket.
Sent send_through_pair(StreamPlan plan, bool nonblocking = false) {
  SocketPair pair;
  plan.fd = pair.fd[0];
  if (nonblocking) {
    EXPECT_EQ(::fcntl(plan.fd, F_SETFL, O_NONBLOCK), 0);
  }
  plan.sender = true;
  std::vector<char> got;
  std::thread reader([&] { got = drain(pair.fd[1]); });
  StreamCounters counters;
  std::atomic<bool> stop{false};
  Sent out;
  out.error = run_tcp_sender(plan, counters, stop);
  pair.close_end(0);
  reader.join();
  out.bytes = std::move(got);
  out.counted_bytes = counters.bytes.load();
  out.counted_blocks = counters.blocks.load();
  return out;
}

void expect_block_repeated(const std::vector<char>& bytes, const std::vector<char>& block) {
  for (size_t i = 0; i < bytes.size(); ++i)
    ASSERT_EQ(bytes[i], block[i % block.size()]) << "byte " << i << " is not the block's";
}

TEST(TcpWorker, ACompactSenderSendsTheBlockRepeatedToTheByte) {
  for (uint32_t call_len : {0u, 4 * k1M})  // an explicit -l 1M, and calls of 4 blocks
    for (bool nonblocking : {false, true}) {
      StreamPlan plan;
      plan.block_len = k1M;
      plan.call_len = call_len;
      plan.byte_quota = 3 * k1M + 12345;  // ends inside a block
      plan.tcp_payload = payload(k1M, payload_period(k1M, true, false));
      plan.compact_buffers = true;
      Sent compact = send_through_pair(plan, nonblocking);
      EXPECT_EQ(compact.error, "");
      ASSERT_EQ(compact.bytes.size(), plan.byte_quota)
          << "call_len " << call_len << " nonblocking " << nonblocking;
      EXPECT_EQ(compact.counted_bytes, plan.byte_quota);
      EXPECT_EQ(compact.counted_blocks, 3u);  // whole blocks, as iperf3 counts them
      expect_block_repeated(compact.bytes, *plan.tcp_payload);
      plan.compact_buffers = false;
      Sent plain = send_through_pair(plan);
      EXPECT_EQ(plain.bytes, compact.bytes) << "the plain path sends other bytes";
    }
}

TEST(TcpWorker, ABlockQuotaEndsACompactSenderOnTheBlock) {
  StreamPlan plan;
  plan.block_len = kCompactUnit;
  plan.call_len = k1M;
  plan.block_quota = 21;  // not a whole number of 8-block calls
  plan.tcp_payload = payload(kCompactUnit, kCompactUnit);
  plan.compact_buffers = true;
  Sent sent = send_through_pair(plan);
  ASSERT_EQ(sent.bytes.size(), 21u * kCompactUnit);
  EXPECT_EQ(sent.counted_blocks, 21u);
  expect_block_repeated(sent.bytes, *plan.tcp_payload);
}

TEST(TcpWorker, ABlockThatDoesNotRepeatWithTheUnitKeepsItsOwnBytes) {
  StreamPlan plan;
  plan.block_len = 2 * kCompactUnit;
  plan.byte_quota = 5 * kCompactUnit;
  plan.tcp_payload = payload(2 * kCompactUnit, 0);  // random all through: no period
  plan.compact_buffers = true;
  Sent sent = send_through_pair(plan);
  ASSERT_EQ(sent.bytes.size(), plan.byte_quota);
  expect_block_repeated(sent.bytes, *plan.tcp_payload);
}

TEST(TcpWorker, ACompactReceiverCountsEveryByte) {
  for (bool compact : {true, false}) {
    SocketPair pair;
    StreamPlan plan;
    plan.fd = pair.fd[1];
    plan.block_len = kCompactUnit;
    plan.call_len = k1M;
    plan.compact_buffers = compact;
    const size_t total = 5 * k1M + 777;
    std::thread writer([&] {
      std::vector<char> chunk(300000, 'z');
      for (size_t sent = 0; sent < total;) {
        ssize_t n = ::send(pair.fd[0], chunk.data(), std::min(chunk.size(), total - sent), MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      pair.close_end(0);
    });
    StreamCounters counters;
    std::atomic<bool> stop{false};
    EXPECT_EQ(run_tcp_receiver(plan, counters, stop), "");
    pair.close_end(1);  // a receiver that returned early must not leave the writer blocked
    writer.join();
    EXPECT_EQ(counters.bytes.load(), total) << "compact " << compact;
    // Blocks begun: a -k test ends at the same bytes whatever the call size.
    EXPECT_EQ(counters.blocks.load(), (total + kCompactUnit - 1) / kCompactUnit);
  }
}

}  // namespace
}  // namespace nperf::engine
