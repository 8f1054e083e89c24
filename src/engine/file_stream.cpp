#include "nperf/engine/file_stream.hpp"

#include <fcntl.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "nperf/config/clock.hpp"

namespace nperf::engine {
namespace {

bool transient(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

// Closes the file however the loop ends.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Writes all of [data, data + len) to the file; "" or the error.
std::string write_all(int fd, const char* data, size_t len, const std::string& path) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fmt::format("cannot write to {}: {}", path, std::strerror(n < 0 ? errno : EIO));
    data += n;
    len -= static_cast<size_t>(n);
  }
  return "";
}

// -b (and a server's --server-bitrate-limit) on a file stream: iperf3's rule,
// as tcp_stream.cpp applies it: while the average since the start is ahead of
// the rate, wait, in slices short enough to notice the stop flag.
void keep_to_rate(uint64_t rate_bps, uint64_t bytes, double start, const std::atomic<bool>& stop) {
  if (rate_bps == 0) return;
  const double due = start + static_cast<double>(bytes) * 8.0 / static_cast<double>(rate_bps);
  for (double ahead = due - monotonic_now(); ahead > 0 && !stop.load(std::memory_order_relaxed);
       ahead = due - monotonic_now())
    ::usleep(static_cast<useconds_t>(std::min(ahead, StreamEngine::kWakeupMs / 1000.0) * 1e6));
}

}  // namespace

std::string run_tcp_file_sender(const StreamPlan& plan, StreamCounters& c, const std::atomic<bool>& stop) {
  FileDescriptor file(::open(plan.data_file.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return fmt::format("cannot read {}: {}", plan.data_file, std::strerror(errno));
  std::vector<char> buffer(plan.block_len);
  uint64_t sent = 0, blocks = 0;
  // The buffer holds [head, tail) of file data not sent yet; it is refilled
  // once empty, so a block is whole unless the file ends (iperf3 sends the
  // short last read as it is).
  size_t head = 0, tail = 0;
  bool end_of_file = false;
  const double start = monotonic_now();
  while (!stop.load(std::memory_order_relaxed)) {
    if (plan.byte_quota && sent >= plan.byte_quota) break;
    if (plan.block_quota && blocks >= plan.block_quota) break;
    if (head == tail) {
      if (end_of_file) break;
      head = tail = 0;
      // Fill a whole block (a pipe or FIFO gives less per read).
      while (tail < buffer.size()) {
        ssize_t n = ::read(file.get(), buffer.data() + tail, buffer.size() - tail);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fmt::format("cannot read {}: {}", plan.data_file, std::strerror(errno));
        if (n == 0) {
          end_of_file = true;
          break;
        }
        tail += static_cast<size_t>(n);
      }
      if (tail == 0) break;
    }
    size_t want = tail - head;
    if (plan.byte_quota) want = std::min<uint64_t>(want, plan.byte_quota - sent);
    ssize_t n = ::send(plan.fd, buffer.data() + head, want, MSG_NOSIGNAL);
    if (n < 0) {
      if (transient(errno)) continue;  // SO_SNDTIMEO woke us up to look at the stop flag
      if (stop.load(std::memory_order_relaxed)) break;
      return fmt::format("send failed: {}", std::strerror(errno));
    }
    sent += static_cast<uint64_t>(n);
    head += static_cast<size_t>(n);
    if (head == tail) ++blocks;
    c.bytes.store(sent, std::memory_order_relaxed);
    c.blocks.store(blocks, std::memory_order_relaxed);
    keep_to_rate(plan.rate_bps, sent, start, stop);
  }
  return "";
}

std::string run_tcp_file_receiver(const StreamPlan& plan, StreamCounters& c, const std::atomic<bool>& stop) {
  // 0600, as iperf3 creates it: the data may be private.
  FileDescriptor file(::open(plan.data_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (file.get() < 0) return fmt::format("cannot write to {}: {}", plan.data_file, std::strerror(errno));
  std::vector<char> buffer(plan.block_len);
  uint64_t received = 0, reads = 0;
  const double start = monotonic_now();
  auto take = [&](ssize_t n) {
    received += static_cast<uint64_t>(n);
    ++reads;
    c.bytes.store(received, std::memory_order_relaxed);
    c.blocks.store(reads, std::memory_order_relaxed);
    return write_all(file.get(), buffer.data(), static_cast<size_t>(n), plan.data_file);
  };
  while (!stop.load(std::memory_order_relaxed)) {
    ssize_t n = ::recv(plan.fd, buffer.data(), buffer.size(), 0);
    if (n > 0) {
      if (std::string error = take(n); !error.empty()) return error;
      keep_to_rate(plan.rate_bps, received, start, stop);
      continue;
    }
    if (n == 0) {
      if (!stop.load(std::memory_order_relaxed)) return "";  // the peer closed: the file is complete
      break;  // finish_receivers() shut the socket for reading: what is queued is still read below
    }
    if (transient(errno)) continue;
    if (stop.load(std::memory_order_relaxed)) break;
    return fmt::format("recv failed: {}", std::strerror(errno));
  }
  // Stopped: what had already arrived belongs in the file too (the end of
  // a -n test can come while the last bytes sit in the socket buffer).
  int queued = 0;
  if (::ioctl(plan.fd, SIOCINQ, &queued) == 0) {
    for (uint64_t left = static_cast<uint64_t>(std::max(queued, 0)); left > 0;) {
      ssize_t n = ::recv(plan.fd, buffer.data(), std::min<uint64_t>(buffer.size(), left), MSG_DONTWAIT);
      if (n <= 0) break;
      left -= std::min<uint64_t>(left, static_cast<uint64_t>(n));
      if (std::string error = take(n); !error.empty()) return error;
    }
  }
  // A file's last bytes may still be on their way: a sender without
  // TCP_NODELAY (iperf3) holds a short last segment until the one before it
  // is acknowledged, while its TEST_END goes out at once on the control
  // connection. Keep taking what arrives until 100 ms pass without any (at
  // most 1 s in all), so the file is whole.
  const double give_up = monotonic_now() + 1.0;
  double last_data = monotonic_now();
  while (monotonic_now() < give_up && monotonic_now() - last_data < 0.1) {
    ::usleep(10'000);
    if (::ioctl(plan.fd, SIOCINQ, &queued) != 0 || queued <= 0) continue;
    ssize_t n = ::recv(plan.fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n <= 0) continue;
    if (std::string error = take(n); !error.empty()) return error;
    last_data = monotonic_now();
  }
  return "";
}

}  // namespace nperf::engine
