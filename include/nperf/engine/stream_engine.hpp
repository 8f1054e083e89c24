#pragma once
// The stream engine: one worker thread per data stream, each owning its socket
// and its counters. Workers use plain blocking syscalls; the control thread
// only reads their counters (relaxed atomics, one writer each, one cache line
// per stream), so nothing on the per-block path is shared or locked.
#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace nperf::engine {

struct StreamPlan {
  int fd = -1;  // owned by the engine once started; closed by it
  bool sender = false;
  uint32_t block_len = 128 * 1024;
  // TCP: bytes per send/recv call, a whole number of blocks (tcp_calls.hpp);
  // 0 = one block per call.
  uint32_t call_len = 0;
  uint64_t rate_bps = 0;     // 0 = unlimited; a TCP receiver reads no faster than this
  uint64_t byte_quota = 0;   // stop after this many bytes (0 = no quota)
  uint64_t block_quota = 0;  // stop after this many blocks (0 = no quota)
  int cpu = -1;              // pin the worker to this core (-1: leave it)
  bool udp = false;
  bool udp_counters_64bit = false;
  bool repeating_payload = false;  // "0123456789..." instead of random bytes
  bool gso = false;                // UDP sender: hand the kernel up to 64 datagrams per buffer (UDP_SEGMENT)
  bool gro = false;                // UDP receiver: accept coalesced datagrams (UDP_GRO)
  // Blocks (UDP: datagrams) sent back-to-back per rate check; 0 or 1 = none (-b RATE/BURST).
  int burst = 0;
  bool zerocopy = false;      // TCP sender: sendfile() from a memfd holding the payload block (-Z)
  bool skip_rx_copy = false;  // TCP receiver: recv(MSG_TRUNC), the kernel discards the bytes
  // TCP receiver: be woken per ~1 ms of data (SO_RCVLOWAT). Off when a byte or
  // block quota (-n/-k) ends the test: the last bytes, below the watermark,
  // would then wait for the 100 ms wake-up and stretch the test.
  bool read_watermark = false;
  // TCP: calls larger than kCompactUnit read or write kCompactUnit bytes of
  // memory repeated by iovecs (compact_buffers.hpp). Set by the engine when it
  // runs two or more TCP workers, whose buffers share the cores' caches.
  bool compact_buffers = false;
  // TCP sender: the block it sends. One read-only block serves every TCP
  // sender of a test (set by the engine): with -P 8 that is 7 blocks less
  // memory than a block per stream, and reading shared bytes costs nothing.
  std::shared_ptr<const std::vector<char>> tcp_payload;
  // -F: a TCP sender sends this file's bytes and stops at its end; a TCP
  // receiver writes what it reads into it (file_stream.hpp). "" = none.
  std::string data_file;
};

// Written by one worker, read by the control thread.
struct alignas(64) StreamCounters {
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> blocks{0};  // sender: whole blocks sent; receiver: read calls
  std::atomic<bool> finished{false};
  // UDP: sender packets = datagrams sent; receiver packets = highest sequence seen.
  std::atomic<uint64_t> packets{0};
  std::atomic<uint64_t> lost{0};
  std::atomic<uint64_t> out_of_order{0};
  std::atomic<double> jitter_s{0};
  // UDP receiver: datagrams the kernel dropped because the socket buffer was full (SO_RXQ_OVFL).
  std::atomic<uint64_t> host_drops{0};
  // Set by the control thread at the end of the omit period; the receiver
  // restarts its jitter estimate and clears the flag.
  std::atomic<bool> reset_jitter{false};
  std::atomic<int> first_cpu{-1};
  std::atomic<pid_t> tid{0};
  // The worker's own CPU time, stored as it exits (a finished thread is gone
  // from /proc, and a -n sender finishes before the test ends); -1 before.
  std::atomic<double> exit_user_s{-1};
  std::atomic<double> exit_system_s{-1};
  std::atomic<int> exit_cpu{-1};
  std::atomic<double> exit_wait_s{-1};
};

// What a running test needs from its data path, read and driven by the
// control thread only (never on the per-block path, so a virtual call costs
// nothing that matters). StreamEngine is the real one; unit tests give
// TestRun a fake that reports scripted counters without threads or sockets.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual void start() = 0;
  // Raises the stop flag without waiting; workers finish their current call.
  virtual void request_stop() = 0;
  // End of the omit period: UDP receiver i restarts its jitter estimate.
  virtual void request_jitter_reset(size_t i) = 0;
  // Asks every worker to stop, and ends the receivers now: each is woken at
  // once (shutdown(SHUT_RD)) instead of at its next kWakeupMs timeout, counts
  // what had already arrived, and is joined, so its figures are final.
  // Senders are only asked to stop.
  virtual void finish_receivers() = 0;
  // Asks every worker to stop and joins them. Idempotent.
  virtual void stop() = 0;
  // Closes every socket (after stop()).
  virtual void close_sockets() = 0;

  virtual size_t size() const = 0;
  virtual const StreamPlan& plan(size_t i) const = 0;
  virtual const StreamCounters& counters(size_t i) const = 0;
  // The error that ended stream i early ("" if none); valid once finished.
  virtual std::string error(size_t i) const = 0;
  virtual bool all_senders_finished() const = 0;
};

class StreamEngine : public Engine {
 public:
  explicit StreamEngine(std::vector<StreamPlan> plans);
  ~StreamEngine() override;  // stops and joins
  StreamEngine(const StreamEngine&) = delete;
  StreamEngine& operator=(const StreamEngine&) = delete;

  void start() override;
  void request_stop() override { stop_.store(true, std::memory_order_relaxed); }
  void request_jitter_reset(size_t i) override {
    counters_[i].reset_jitter.store(true, std::memory_order_relaxed);
  }
  void finish_receivers() override;
  // A worker blocked in send/recv notices the stop within kWakeupMs.
  void stop() override;
  void close_sockets() override;

  size_t size() const override { return plans_.size(); }
  const StreamPlan& plan(size_t i) const override { return plans_[i]; }
  const StreamCounters& counters(size_t i) const override { return counters_[i]; }
  std::string error(size_t i) const override;
  bool all_senders_finished() const override;
  bool any_failed() const;

  static constexpr int kWakeupMs = 100;

 private:
  void run_worker(size_t index);

  std::vector<StreamPlan> plans_;
  std::unique_ptr<StreamCounters[]> counters_;
  std::vector<std::string> errors_;  // errors_[i] written by worker i before it sets finished
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace nperf::engine
