#include "nperf/engine/udp_stream.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "nperf/engine/pacer.hpp"
#include "nperf/engine/payload.hpp"
#include "nperf/engine/receive_coalescer.hpp"
#include "nperf/net/socket_options.hpp"
#include "nperf/protocol/udp_header.hpp"
#include "nperf/stats/udp_receive_stats.hpp"

namespace nperf::engine {
namespace {

constexpr unsigned kBatch = 32;           // messages per sendmmsg/recvmmsg
constexpr size_t kMaxGsoBytes = 65000;    // one GSO/GRO buffer (UDP's 64 KiB limit, less headers)
constexpr unsigned kMaxGsoSegments = 64;  // the kernel's UDP_MAX_SEGMENTS on older kernels
constexpr double kMinPacedWakeS = 20e-6;  // a paced sender sleeps at least this much schedule at a time

timespec now(clockid_t clock) {
  timespec ts;
  ::clock_gettime(clock, &ts);
  return ts;
}

timespec monotonic() {
  return now(CLOCK_MONOTONIC);
}

int64_t nanoseconds(const timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

double seconds(const timespec& ts) {
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Sleeps at most one wake-up period, so the caller re-checks its stop flag.
void sleep_until(double when_s) {
  when_s = std::min(when_s, seconds(monotonic()) + StreamEngine::kWakeupMs / 1000.0);
  timespec ts{static_cast<time_t>(when_s),
              static_cast<long>((when_s - static_cast<double>(static_cast<time_t>(when_s))) * 1e9)};
  ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
}

bool transient(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ENOBUFS;
}

// Datagrams per message: several with GSO (the kernel cuts them), else one.
unsigned segments_per_message(const StreamPlan& plan) {
  if (!plan.gso || plan.block_len * 2 > kMaxGsoBytes) return 1;
  int size = static_cast<int>(plan.block_len);
  if (::setsockopt(plan.fd, SOL_UDP, UDP_SEGMENT, &size, sizeof size) != 0)
    return 1;  // kernel said no: plain sends
  return std::min<unsigned>(kMaxGsoSegments, static_cast<unsigned>(kMaxGsoBytes / plan.block_len));
}

}  // namespace

std::string run_udp_sender(const StreamPlan& plan, StreamCounters& c, const std::atomic<bool>& stop) {
  // Microsecond pacing needs short sleeps to be short: the default 50 us
  // timer slack would make them bursty.
  ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
  const size_t len = plan.block_len;
  const unsigned per_message = segments_per_message(plan);
  const unsigned max_units = kBatch * per_message;
  std::vector<uint8_t> data(len * max_units);
  fill_payload(std::span<uint8_t>(data.data(), len), plan.repeating_payload);
  for (unsigned b = 1; b < max_units; ++b) std::memcpy(&data[b * len], data.data(), len);
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  // Allow catching up ~50 ms of schedule: a late wake-up or a busy CPU must
  // not cost rate, while a long stall still never turns into a burst.
  double unit_s = plan.rate_bps ? static_cast<double>(len) * 8.0 / static_cast<double>(plan.rate_bps) : 1;
  // -b RATE/BURST: groups of `burst` datagrams leave back-to-back at each due
  // time (split over several sendmmsg calls when larger than a batch).
  Pacer pacer(plan.rate_bps, plan.block_len, seconds(monotonic()),
              std::max<uint64_t>(64, static_cast<uint64_t>(0.050 / unit_s)),
              static_cast<uint64_t>(std::max(plan.burst, 1)));
  // (-b RATE/BURST already wakes once per group.)
  const uint64_t coalesce =
      plan.rate_bps && plan.burst <= 1
          ? std::clamp<uint64_t>(static_cast<uint64_t>(kMinPacedWakeS / unit_s), 1, kBatch)
          : 1;
  uint64_t sent = 0, bytes = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    uint64_t want = max_units;
    if (plan.block_quota)
      want = std::min<uint64_t>(want, plan.block_quota - std::min(plan.block_quota, sent));
    if (plan.byte_quota)
      want = std::min<uint64_t>(want, (plan.byte_quota - std::min(plan.byte_quota, bytes) + len - 1) / len);
    if (want == 0) break;
    timespec now = monotonic();
    uint64_t n = pacer.allowance(seconds(now), want);
    if (n == 0) {
      // Wake once per kMinPacedWakeS of schedule, not per datagram: at 2 Gbit/s one
      // 1400-byte datagram is due every 5.6 us, and a wake-up per datagram
      // would cost the sending core more than the datagrams. Still even at
      // any scale a receiver or a 1-second interval can see.
      sleep_until(pacer.next_due() + static_cast<double>(coalesce - 1) * pacer.interval());
      continue;
    }
    for (unsigned b = 0; b < n; ++b) {
      protocol::UdpHeader h{static_cast<uint32_t>(now.tv_sec), static_cast<uint32_t>(now.tv_nsec / 1000),
                            sent + b + 1};
      protocol::encode_udp_header(h, plan.udp_counters_64bit, std::span<uint8_t>(&data[b * len], len));
    }
    unsigned messages = 0;
    for (uint64_t first = 0; first < n; first += per_message, ++messages) {
      uint64_t count = std::min<uint64_t>(per_message, n - first);
      iov[messages] = {&data[first * len], count * len};
      msgs[messages] = {};
      msgs[messages].msg_hdr.msg_iov = &iov[messages];
      msgs[messages].msg_hdr.msg_iovlen = 1;
    }
    int r = ::sendmmsg(plan.fd, msgs.data(), messages, 0);
    if (r < 0) {
      // ECONNREFUSED: an ICMP port-unreachable from a peer that closed its socket (test end).
      if (transient(errno) || errno == ECONNREFUSED) continue;
      if (stop.load(std::memory_order_relaxed)) break;
      return fmt::format("sendmmsg failed: {}", std::strerror(errno));
    }
    // Sequence numbers are consumed only by datagrams that went out, as iperf3 >= 3.15.
    uint64_t went = 0;
    for (int m = 0; m < r; ++m) went += msgs[m].msg_len / len;
    sent += went;
    bytes += went * len;
    pacer.sent(seconds(now), went);
    c.bytes.store(bytes, std::memory_order_relaxed);
    c.blocks.store(sent, std::memory_order_relaxed);
    c.packets.store(sent, std::memory_order_relaxed);
  }
  return "";
}

namespace {

// What the receiving socket was set up to report with each read.
struct ReceiveFeatures {
  bool gro = false;
  bool overflow_counts = false;
};

ReceiveFeatures set_up_receive_socket(const StreamPlan& plan) {
  int on = 1;
  ReceiveFeatures features;
  features.gro = plan.gro && ::setsockopt(plan.fd, SOL_UDP, UDP_GRO, &on, sizeof on) == 0;
  // The kernel counts datagrams it dropped because this socket's buffer was
  // full and reports the running total with every datagram we read.
  features.overflow_counts = ::setsockopt(plan.fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) == 0;
  // Each datagram's arrival time as the kernel saw it: jitter stays exact
  // however late we read (see ReceiveAction), unlike iperf3's read time.
  ::setsockopt(plan.fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);  // naps of tens of microseconds must stay short
  return features;
}

// The buffers of one recvmmsg call: kBatch slots of data and of ancillary data.
class ReceiveBatch {
 public:
  explicit ReceiveBatch(size_t slot)
      : slot_(slot), data_(slot * kBatch), control_(kControl * kBatch), iov_(kBatch), msgs_(kBatch) {
    for (unsigned b = 0; b < kBatch; ++b) iov_[b] = {&data_[b * slot], slot};
  }
  // recvmmsg overwrites the lengths: every call starts from fresh headers.
  mmsghdr* reset() {
    for (unsigned b = 0; b < kBatch; ++b) {
      msgs_[b] = {};
      msgs_[b].msg_hdr.msg_iov = &iov_[b];
      msgs_[b].msg_hdr.msg_iovlen = 1;
      msgs_[b].msg_hdr.msg_control = &control_[b * kControl];
      msgs_[b].msg_hdr.msg_controllen = kControl;
    }
    return msgs_.data();
  }
  mmsghdr& message(int b) { return msgs_[static_cast<size_t>(b)]; }
  const uint8_t* data(int b) const { return &data_[static_cast<size_t>(b) * slot_]; }

 private:
  static constexpr size_t kControl =
      CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(timespec));
  size_t slot_;
  std::vector<uint8_t> data_;
  std::vector<uint8_t> control_;
  std::vector<iovec> iov_;
  std::vector<mmsghdr> msgs_;
};

// Reads one message's ancillary data: the GRO segment size, the kernel's
// arrival stamp (CLOCK_REALTIME, moved to our monotonic clock by the offset
// read with the batch) and the socket's drop counter.
void read_ancillary(msghdr& header, bool overflow_counts, int64_t realtime_minus_monotonic_ns,
                    size_t* segment, double* arrived, StreamCounters& c) {
  for (cmsghdr* cm = CMSG_FIRSTHDR(&header); cm; cm = CMSG_NXTHDR(&header, cm)) {
    if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO) {
      int gso_size = 0;
      std::memcpy(&gso_size, CMSG_DATA(cm), sizeof gso_size);
      if (gso_size > 0) *segment = static_cast<size_t>(gso_size);
    } else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
      timespec stamp;
      std::memcpy(&stamp, CMSG_DATA(cm), sizeof stamp);
      *arrived = static_cast<double>(nanoseconds(stamp) - realtime_minus_monotonic_ns) * 1e-9;
    } else if (overflow_counts && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
      uint32_t dropped = 0;
      std::memcpy(&dropped, CMSG_DATA(cm), sizeof dropped);
      c.host_drops.store(dropped, std::memory_order_relaxed);
    }
  }
}

// The receiver's running totals, published to the counters after every batch.
struct ReceiveTotals {
  uint64_t bytes = 0;
  uint64_t datagrams = 0;
  UdpReceiveStats stats;

  void account(const StreamPlan& plan, const uint8_t* datagram, size_t size, double arrived) {
    bytes += size;
    ++datagrams;
    // Shorter than the block length: counted as bytes, not parsed (iperf3 3.21).
    if (size < plan.block_len) return;
    auto h = protocol::decode_udp_header(std::span<const uint8_t>(datagram, size), plan.udp_counters_64bit);
    if (h) stats.on_datagram(h->seq, h->sec + h->usec * 1e-6, arrived);
  }
  void publish(StreamCounters& c) const {
    c.bytes.store(bytes, std::memory_order_relaxed);
    c.blocks.store(datagrams, std::memory_order_relaxed);
    c.packets.store(stats.packets(), std::memory_order_relaxed);
    c.lost.store(stats.lost(), std::memory_order_relaxed);
    c.out_of_order.store(stats.out_of_order(), std::memory_order_relaxed);
    c.jitter_s.store(stats.jitter_s(), std::memory_order_relaxed);
  }
};

}  // namespace

std::string run_udp_receiver(const StreamPlan& plan, StreamCounters& c, const std::atomic<bool>& stop) {
  const ReceiveFeatures features = set_up_receive_socket(plan);
  // Kernel stamps are CLOCK_REALTIME; our clock (and the peer's header, as
  // far as jitter cares) is monotonic. The offset between them is re-read
  // after every call, so a step of the wall clock (NTP, a VM resumed) moves
  // at most the datagrams of one batch.
  const bool may_nap = net::read_buffer_sizes(plan.fd).rcvbuf >= kMinNapReceiveBuffer;
  const size_t slot = features.gro ? 65536 : std::max<size_t>(plan.block_len, 64);
  ReceiveBatch batch(slot);
  ReceiveTotals totals;
  ReceiveAction action = ReceiveAction::kBlock;
  // After the stop, a few non-waiting reads count what had already arrived
  // (at most one nap's worth); a peer still sending cannot keep us here.
  constexpr int kStopDrainCalls = 8;
  for (int drain_calls = 0;;) {
    const bool stopping = stop.load(std::memory_order_relaxed);
    if (stopping) {
      if (drain_calls++ >= kStopDrainCalls) break;
      action = ReceiveAction::kPollNow;
    }
    mmsghdr* msgs = batch.reset();
    if (action == ReceiveAction::kNapThenPoll) {
      timespec nap{0, kReceiveNapUs * 1000};
      ::nanosleep(&nap, nullptr);
    }
    // Blocking: waits for the first datagram (SO_RCVTIMEO wakes us for the
    // stop flag), then takes what is queued.
    int flags = action == ReceiveAction::kBlock ? MSG_WAITFORONE : MSG_DONTWAIT;
    int r = ::recvmmsg(plan.fd, msgs, kBatch, flags, nullptr);
    if (r < 0) {
      if (!transient(errno) && errno != ECONNREFUSED) {
        if (stop.load(std::memory_order_relaxed)) break;
        return fmt::format("recvmmsg failed: {}", std::strerror(errno));
      }
      r = 0;
    }
    action = next_receive_action(r, kBatch, may_nap);
    if (r == 0) {
      if (stopping) break;  // drained
      continue;
    }
    if (c.reset_jitter.load(std::memory_order_relaxed)) {
      totals.stats.reset_jitter();
      c.reset_jitter.store(false, std::memory_order_relaxed);
    }
    const timespec read_mono = monotonic();
    const int64_t realtime_minus_monotonic_ns = nanoseconds(now(CLOCK_REALTIME)) - nanoseconds(read_mono);
    const double read_at = seconds(read_mono);
    for (int b = 0; b < r; ++b) {
      size_t size = batch.message(b).msg_len;
      size_t segment = size;
      double arrived = read_at;
      read_ancillary(batch.message(b).msg_hdr, features.overflow_counts, realtime_minus_monotonic_ns,
                     &segment, &arrived, c);
      // A GRO buffer holds several datagrams of `segment` bytes (the last may be shorter).
      for (size_t off = 0; off < size; off += segment)
        totals.account(plan, batch.data(b) + off, std::min(segment, size - off), arrived);
    }
    totals.publish(c);
  }
  return "";
}

}  // namespace nperf::engine
