#include "nperf/engine/udp_stream.hpp"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "nperf/engine/pacer.hpp"
#include "nperf/protocol/udp_header.hpp"
#include "nperf/stats/udp_receive_stats.hpp"

namespace nperf::engine {
namespace {

constexpr unsigned kBatch = 32;

timespec monotonic() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts;
}

double seconds(const timespec& ts) { return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9; }

void sleep_until(double when_s) {
  timespec ts{static_cast<time_t>(when_s), static_cast<long>((when_s - static_cast<double>(static_cast<time_t>(when_s))) * 1e9)};
  ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
}

bool transient(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ENOBUFS; }

}  // namespace

std::string run_udp_sender(const StreamPlan& plan, StreamCounters& c, const std::atomic<bool>& stop) {
  // Microsecond pacing needs short sleeps to be short: the default 50 us
  // timer slack would make them bursty.
  ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
  const size_t len = plan.block_len;
  std::vector<uint8_t> data(static_cast<size_t>(len) * kBatch);
  std::mt19937_64 rng(std::random_device{}());
  for (size_t i = 0; i < len; ++i) data[i] = static_cast<uint8_t>(rng());
  for (unsigned b = 1; b < kBatch; ++b) std::memcpy(&data[b * len], data.data(), len);
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  for (unsigned b = 0; b < kBatch; ++b) {
    iov[b] = {&data[b * len], len};
    msgs[b] = {};
    msgs[b].msg_hdr.msg_iov = &iov[b];
    msgs[b].msg_hdr.msg_iovlen = 1;
  }
  // Allow catching up ~2 ms of schedule: a wake-up that comes late must not
  // cost rate at 10G+, while a real stall still never turns into a burst.
  double unit_s = plan.rate_bps ? static_cast<double>(plan.block_len) * 8.0 / static_cast<double>(plan.rate_bps) : 1;
  Pacer pacer(plan.rate_bps, plan.block_len, seconds(monotonic()), std::max<uint64_t>(64, static_cast<uint64_t>(0.002 / unit_s)));
  uint64_t sent = 0, bytes = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    uint64_t want = kBatch;
    if (plan.block_quota) want = std::min<uint64_t>(want, plan.block_quota - std::min(plan.block_quota, sent));
    if (plan.byte_quota) want = std::min<uint64_t>(want, (plan.byte_quota - std::min(plan.byte_quota, bytes) + len - 1) / len);
    if (want == 0) break;
    timespec now = monotonic();
    uint64_t n = pacer.allowance(seconds(now), want);
    if (n == 0) {
      sleep_until(pacer.next_due());
      continue;
    }
    for (unsigned b = 0; b < n; ++b) {
      protocol::UdpHeader h{static_cast<uint32_t>(now.tv_sec), static_cast<uint32_t>(now.tv_nsec / 1000), sent + b + 1};
      protocol::encode_udp_header(h, plan.udp_counters_64bit, std::span<uint8_t>(&data[b * len], len));
    }
    int r = ::sendmmsg(plan.fd, msgs.data(), static_cast<unsigned>(n), 0);
    if (r < 0) {
      // ECONNREFUSED: an ICMP port-unreachable from a peer that closed its socket (test end).
      if (transient(errno) || errno == ECONNREFUSED) continue;
      if (stop.load(std::memory_order_relaxed)) break;
      return fmt::format("sendmmsg failed: {}", std::strerror(errno));
    }
    // Sequence numbers are consumed only by datagrams that went out, as iperf3 >= 3.15.
    sent += static_cast<uint64_t>(r);
    bytes += static_cast<uint64_t>(r) * len;
    pacer.sent(seconds(now), static_cast<uint64_t>(r));
    c.bytes.store(bytes, std::memory_order_relaxed);
    c.blocks.store(sent, std::memory_order_relaxed);
    c.packets.store(sent, std::memory_order_relaxed);
  }
  return "";
}

std::string run_udp_receiver(const StreamPlan& plan, StreamCounters& c, const std::atomic<bool>& stop) {
  const size_t len = std::max<size_t>(plan.block_len, 64);
  std::vector<uint8_t> data(len * kBatch);
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  for (unsigned b = 0; b < kBatch; ++b) iov[b] = {&data[b * len], len};
  UdpReceiveStats stats;
  uint64_t bytes = 0, datagrams = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    for (unsigned b = 0; b < kBatch; ++b) {
      msgs[b] = {};
      msgs[b].msg_hdr.msg_iov = &iov[b];
      msgs[b].msg_hdr.msg_iovlen = 1;
    }
    // Blocks for the first datagram (SO_RCVTIMEO wakes us for the stop flag), then takes what is queued.
    int r = ::recvmmsg(plan.fd, msgs.data(), kBatch, MSG_WAITFORONE, nullptr);
    if (r < 0) {
      if (transient(errno) || errno == ECONNREFUSED) continue;
      if (stop.load(std::memory_order_relaxed)) break;
      return fmt::format("recvmmsg failed: {}", std::strerror(errno));
    }
    if (c.reset_jitter.load(std::memory_order_relaxed)) {
      stats.reset_jitter();
      c.reset_jitter.store(false, std::memory_order_relaxed);
    }
    double arrived = seconds(monotonic());
    for (int b = 0; b < r; ++b) {
      size_t size = msgs[b].msg_len;
      bytes += size;
      ++datagrams;
      // Shorter than the block length: counted as bytes, not parsed (iperf3 3.21).
      if (size < plan.block_len) continue;
      auto h = protocol::decode_udp_header(std::span<const uint8_t>(&data[b * len], size), plan.udp_counters_64bit);
      if (h) stats.on_datagram(h->seq, h->sec + h->usec * 1e-6, arrived);
    }
    c.bytes.store(bytes, std::memory_order_relaxed);
    c.blocks.store(datagrams, std::memory_order_relaxed);
    c.packets.store(stats.packets(), std::memory_order_relaxed);
    c.lost.store(stats.lost(), std::memory_order_relaxed);
    c.out_of_order.store(stats.out_of_order(), std::memory_order_relaxed);
    c.jitter_s.store(stats.jitter_s(), std::memory_order_relaxed);
  }
  return "";
}

}  // namespace nperf::engine
