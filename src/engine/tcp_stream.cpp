#include "nperf/engine/tcp_stream.hpp"

#include "nperf/config/clock.hpp"
#include "nperf/engine/compact_buffers.hpp"
#include "nperf/engine/file_stream.hpp"
#include "nperf/engine/payload.hpp"
#include "nperf/engine/receive_watermark.hpp"
#include "nperf/engine/send_backlog.hpp"
#include "nperf/engine/tcp_calls.hpp"
#include "nperf/net/socket_options.hpp"

#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace nperf::engine {
namespace {

// iperf3's rate control: after each block, if the average rate since the
// start is ahead of the target, sleep until it is not.
// The sleep is cut into slices so a low rate never keeps a worker from
// seeing the stop flag (a join must not wait for a two-minute pause).
void pace(uint64_t rate_bps, uint64_t bytes_sent, double start, const std::atomic<bool>& stop) {
  double due = start + static_cast<double>(bytes_sent) * 8.0 / static_cast<double>(rate_bps);
  for (double ahead = due - monotonic_now(); ahead > 0 && !stop.load(std::memory_order_relaxed);
       ahead = due - monotonic_now()) {
    double slice = std::min(ahead, StreamEngine::kWakeupMs / 1000.0);
    timespec ts{static_cast<time_t>(slice),
                static_cast<long>((slice - static_cast<double>(static_cast<time_t>(slice))) * 1e9)};
    ::nanosleep(&ts, nullptr);
  }
}

// Keeps a receiver's SO_RCVLOWAT at about a millisecond of its measured
// rate (receive_watermark.hpp), re-measured every kReceiveWatermarkPeriodS.
class ReadWatermark {
 public:
  ReadWatermark(int fd, uint32_t read_len, double now) : fd_(fd), read_len_(read_len), period_start_(now) {}
  void on_read(uint64_t bytes) {
    period_bytes_ += bytes;
    const double now = monotonic_now();
    if (now - period_start_ < kReceiveWatermarkPeriodS) return;
    uint32_t next = receive_low_watermark(period_bytes_, now - period_start_, read_len_,
                                          net::read_buffer_sizes(fd_).rcvbuf);
    if (watermark_changed(current_, next) &&
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVLOWAT, &next, sizeof next) == 0)
      current_ = next;
    period_start_ = now;
    period_bytes_ = 0;
  }

 private:
  int fd_;
  uint32_t read_len_;
  uint32_t current_ = 1;  // the kernel's default
  double period_start_;
  uint64_t period_bytes_ = 0;
};

bool transient(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

// -Z: a file holding the payload block, for sendfile() (iperf3 uses a temp
// file the same way), repeated to `span` bytes so that a multi-block call is
// one sendfile() too. A memfd, else an unlinked file in /tmp; -1 when neither
// can be made, and the sender then falls back to send().
class PayloadFile {
 public:
  PayloadFile(const std::vector<char>& block, size_t span) {
    fd_ = ::memfd_create("nperf-payload", MFD_CLOEXEC);
    if (fd_ < 0) {
      char path[] = "/tmp/nperf-payload-XXXXXX";
      fd_ = ::mkostemp(path, O_CLOEXEC);
      if (fd_ >= 0) ::unlink(path);
    }
    for (size_t done = 0; fd_ >= 0 && !block.empty() && done < span;) {
      const size_t at = done % block.size();
      const size_t len = std::min(block.size() - at, span - done);
      ssize_t n = ::pwrite(fd_, block.data() + at, len, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd_);
        fd_ = -1;
        break;
      }
      done += static_cast<size_t>(n);
    }
  }
  ~PayloadFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  PayloadFile(const PayloadFile&) = delete;
  PayloadFile& operator=(const PayloadFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// One send call of `len` bytes of `pattern` repeated end to end, starting
// `offset` into it: send() when the bytes lie inside one copy (always so with
// one block per call, an explicit -l, on the plain path), else one sendmsg()
// whose iovecs repeat it (tcp_calls.hpp). The pattern is the block, or with
// compact buffers its first 128 KiB (compact_buffers.hpp).
ssize_t send_pattern(int fd, const char* pattern, uint32_t pattern_len, uint32_t offset, uint64_t len) {
  if (offset + len <= pattern_len) return ::send(fd, pattern + offset, len, MSG_NOSIGNAL);
  iovec iov[kMaxCallIovecs];
  msghdr msg{};
  msg.msg_iov = iov;
  // The kernel only reads from these: the shared block stays unchanged.
  msg.msg_iovlen = pattern_iovecs(const_cast<char*>(pattern), pattern_len, offset, len, iov, kMaxCallIovecs);
  return ::sendmsg(fd, &msg, MSG_NOSIGNAL);
}

// A receiver's read call: `call_len` bytes at most into its one discard
// buffer, as recv() when that is one block, else recvmsg() over the buffer
// repeated (the bytes are counted, never looked at, so they may overwrite each
// other; the buffer stays in cache and costs no more memory). The buffer is a
// block, or with compact buffers 128 KiB (compact_buffers.hpp).
class ReadCall {
 public:
  ReadCall(uint32_t block_len, uint32_t call_len, bool compact) {
    const uint32_t unit = compact_receive_unit(block_len, call_len, compact);
    buffer_.resize(unit ? unit : block_len);
    iovs_ = pattern_iovecs(buffer_.data(), static_cast<uint32_t>(buffer_.size()), 0,
                           std::max(call_len, block_len), iov_, kMaxCallIovecs);
  }
  ssize_t read(int fd, int flags) {
    if (iovs_ <= 1) return ::recv(fd, buffer_.data(), buffer_.size(), flags);
    msghdr msg{};
    msg.msg_iov = iov_;
    msg.msg_iovlen = iovs_;
    return ::recvmsg(fd, &msg, flags);
  }
  // The end-of-test drain reads what is queued, a buffer at a time.
  ssize_t read_at_most(int fd, uint64_t left, int flags) {
    return ::recv(fd, buffer_.data(), std::min<uint64_t>(buffer_.size(), left), flags);
  }

 private:
  std::vector<char> buffer_;
  iovec iov_[kMaxCallIovecs];
  size_t iovs_ = 0;
};

}  // namespace

uint32_t compact_pattern_len(const StreamPlan& plan, const std::vector<char>& block) {
  if (plan.zerocopy) return 0;  // sendfile() reads the page cache, not this memory
  const uint32_t unit =
      compact_send_unit(plan.block_len, plan.call_len, plan.compact_buffers, plan.repeating_payload);
  if (unit == 0 || block.size() < unit) return 0;
  // The engine fills such a block with the unit's period (payload_period); a
  // block that is not (one a caller made) keeps the plain path and its bytes.
  return std::equal(block.begin() + unit, block.end(), block.begin()) ? unit : 0;
}

std::string run_tcp_sender(const StreamPlan& plan, StreamCounters& c, const std::atomic<bool>& stop) {
  if (!plan.data_file.empty()) return run_tcp_file_sender(plan, c, stop);  // -F
  // The engine's shared block; a plan made without one (tests) gets its own.
  std::shared_ptr<const std::vector<char>> own;
  if (!plan.tcp_payload || plan.tcp_payload->size() != plan.block_len) {
    auto made = std::make_shared<std::vector<char>>(plan.block_len);
    fill_payload(
        std::span<uint8_t>(reinterpret_cast<uint8_t*>(made->data()), made->size()), plan.repeating_payload,
        payload_period(plan.block_len, plan.compact_buffers && !plan.zerocopy, plan.repeating_payload));
    own = std::move(made);
  }
  const std::vector<char>& block = own ? *own : *plan.tcp_payload;
  // A short unsent queue where segments are NIC-sized (send_backlog.hpp).
  if (const uint32_t lowat = unsent_low_watermark(net::read_mss(plan.fd), plan.zerocopy); lowat > 0)
    ::setsockopt(plan.fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
  // Calls of several blocks when -l was not given; -n/-k stay exact (tcp_calls.hpp).
  SendLedger ledger(plan.block_len, plan.call_len, plan.byte_quota, plan.block_quota);
  std::optional<PayloadFile> file;
  const size_t file_span =
      plan.call_len > plan.block_len ? size_t{plan.block_len} + plan.call_len : block.size();
  if (plan.zerocopy) file.emplace(block, file_span);
  const int file_fd = file ? file->fd() : -1;
  // Compact buffers: the calls read the block's first 128 KiB, repeated (compact_buffers.hpp).
  const uint32_t compact_len = compact_pattern_len(plan, block);
  const uint32_t pattern_len = compact_len ? compact_len : static_cast<uint32_t>(block.size());
  // -b RATE/BURST: the rate is checked after each `burst` whole blocks instead of after every send.
  const uint64_t burst = static_cast<uint64_t>(std::max(plan.burst, 1));
  const double start = monotonic_now();
  while (!stop.load(std::memory_order_relaxed)) {
    const uint64_t want = ledger.next_len();  // a partial send is completed by the next call, as iperf3 does
    if (want == 0) break;                     // -n / -k reached
    ssize_t n;
    if (file_fd >= 0) {
      off_t from = static_cast<off_t>(ledger.block_offset());  // the file repeats the block from its start
      n = ::sendfile(plan.fd, file_fd, &from, want);
    } else {
      // The pattern's length divides the block's, so the offset into it is the offset into the block.
      n = send_pattern(plan.fd, block.data(), pattern_len, ledger.block_offset() % pattern_len, want);
    }
    if (n < 0) {
      if (transient(errno)) continue;  // SO_SNDTIMEO woke us up to look at the stop flag
      if (stop.load(std::memory_order_relaxed)) break;
      return fmt::format("send failed: {}", std::strerror(errno));
    }
    ledger.sent(static_cast<uint64_t>(n));
    c.bytes.store(ledger.bytes(), std::memory_order_relaxed);
    c.blocks.store(ledger.blocks(), std::memory_order_relaxed);
    if (plan.rate_bps && (burst == 1 || ledger.at_burst_boundary(burst)))
      pace(plan.rate_bps, ledger.bytes(), start, stop);
  }
  return "";
}

std::string run_tcp_receiver(const StreamPlan& plan, StreamCounters& c, const std::atomic<bool>& stop) {
  if (!plan.data_file.empty()) return run_tcp_file_receiver(plan, c, stop);  // -F
  ReadCall call(plan.block_len, plan.call_len, plan.compact_buffers);
  uint64_t received = 0, reads = 0;
  // Blocks received, for -k: one per read as iperf3 counts them, but a read of
  // several blocks (calls larger than the block) counts the blocks it began,
  // so that a -k test ends at the same bytes whatever the call size.
  const bool multi_block = plan.call_len > plan.block_len && plan.block_len > 0;
  auto blocks = [&]() { return multi_block ? (received + plan.block_len - 1) / plan.block_len : reads; };
  // --skip-rx-copy: MSG_TRUNC on TCP makes the kernel drop the bytes without
  // copying them out; the return value still counts them.
  const int flags = plan.skip_rx_copy ? MSG_TRUNC : 0;
  const double start = monotonic_now();
  // Be woken per ~1 ms of data rather than per segment (receive_watermark.hpp).
  // A receive-rate cap (-b on the receiving end) reads as it always did.
  std::optional<ReadWatermark> watermark;
  if (plan.read_watermark && plan.rate_bps == 0)
    watermark.emplace(plan.fd, std::max(plan.block_len, plan.call_len), start);
  while (!stop.load(std::memory_order_relaxed)) {
    ssize_t n = call.read(plan.fd, flags);
    if (n > 0) {
      received += static_cast<uint64_t>(n);
      ++reads;
      if (watermark) watermark->on_read(static_cast<uint64_t>(n));
      // A receive-rate cap reads no faster than the cap: the receive window
      // fills and TCP's flow control slows the sender down to it.
      if (plan.rate_bps) pace(plan.rate_bps, received, start, stop);
      c.bytes.store(received, std::memory_order_relaxed);
      c.blocks.store(blocks(), std::memory_order_relaxed);
      continue;
    }
    if (n == 0) break;  // the peer closed (the normal end in a reverse test), or finish_receivers()
    if (transient(errno)) continue;
    if (stop.load(std::memory_order_relaxed)) break;
    return fmt::format("recv failed: {}", std::strerror(errno));
  }
  // Stopped: what had arrived by now counts (a reader waiting for its
  // watermark may have left up to a block queued). Only that: a peer that
  // is still sending must not keep this loop going.
  // (Not under a receive-rate cap: that reader leaves its buffer full on purpose.)
  int queued = 0;
  if (plan.rate_bps == 0 && ::ioctl(plan.fd, SIOCINQ, &queued) == 0) {
    for (uint64_t left = static_cast<uint64_t>(std::max(queued, 0)); left > 0;) {
      ssize_t n = call.read_at_most(plan.fd, left, flags | MSG_DONTWAIT);
      if (n <= 0) break;
      left -= std::min<uint64_t>(left, static_cast<uint64_t>(n));
      received += static_cast<uint64_t>(n);
      ++reads;
    }
    c.bytes.store(received, std::memory_order_relaxed);
    c.blocks.store(blocks(), std::memory_order_relaxed);
  }
  return "";
}

}  // namespace nperf::engine
