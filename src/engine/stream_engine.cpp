#include "nperf/engine/stream_engine.hpp"

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pthread.h>
#include <signal.h>
#include <algorithm>

#include "nperf/engine/compact_buffers.hpp"
#include "nperf/engine/payload.hpp"
#include "nperf/engine/tcp_stream.hpp"
#include "nperf/engine/udp_stream.hpp"
#include "nperf/net/affinity.hpp"
#include "nperf/net/socket_options.hpp"

namespace nperf::engine {

StreamEngine::StreamEngine(std::vector<StreamPlan> plans)
    : plans_(std::move(plans)),
      counters_(std::make_unique<StreamCounters[]>(plans_.size())),
      errors_(plans_.size()) {
  const auto tcp_workers =
      std::count_if(plans_.begin(), plans_.end(), [](const StreamPlan& p) { return !p.udp; });
  const bool compact = compact_buffers_for(static_cast<int>(tcp_workers));
  std::shared_ptr<const std::vector<char>> shared;
  for (StreamPlan& p : plans_) {
    if (p.udp) continue;
    p.compact_buffers = compact;
    if (!p.sender || p.tcp_payload) continue;
    if (!shared || shared->size() != p.block_len) {
      // Periodic only where a compact sender will read it so (not -Z: sendfile; not -F: the file's bytes).
      const bool periodic = compact && !p.zerocopy && p.data_file.empty();
      auto block = std::make_shared<std::vector<char>>(p.block_len);
      fill_payload(std::span<uint8_t>(reinterpret_cast<uint8_t*>(block->data()), block->size()),
                   p.repeating_payload, payload_period(p.block_len, periodic, p.repeating_payload));
      shared = std::move(block);
    }
    p.tcp_payload = shared;
  }
}

StreamEngine::~StreamEngine() {
  stop();
  close_sockets();
}

void StreamEngine::start() {
  // Workers must not take the process's signals: the control thread handles them.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  threads_.reserve(plans_.size());
  for (size_t i = 0; i < plans_.size(); ++i) {
    net::set_io_timeouts(plans_[i].fd, kWakeupMs);
    threads_.emplace_back([this, i] { run_worker(i); });
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void StreamEngine::run_worker(size_t i) {
  const StreamPlan& plan = plans_[i];
  StreamCounters& c = counters_[i];
  c.tid.store(net::current_tid(), std::memory_order_relaxed);
  std::string error;
  if (plan.cpu >= 0 && !net::pin_current_thread(plan.cpu, &error)) {
    errors_[i] = error;
    c.finished.store(true, std::memory_order_release);
    return;
  }
  c.first_cpu.store(net::current_cpu(), std::memory_order_relaxed);
  if (plan.udp)
    errors_[i] = plan.sender ? run_udp_sender(plan, c, stop_) : run_udp_receiver(plan, c, stop_);
  else
    errors_[i] = plan.sender ? run_tcp_sender(plan, c, stop_) : run_tcp_receiver(plan, c, stop_);
  rusage usage{};
  if (::getrusage(RUSAGE_THREAD, &usage) == 0) {
    auto seconds = [](const timeval& tv) {
      return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
    };
    c.exit_user_s.store(seconds(usage.ru_utime), std::memory_order_relaxed);
    c.exit_system_s.store(seconds(usage.ru_stime), std::memory_order_relaxed);
    ThreadCpuSample self = net::read_thread_cpu(net::current_tid());
    c.exit_cpu.store(self.cpu, std::memory_order_relaxed);
    c.exit_wait_s.store(self.wait_s, std::memory_order_relaxed);
  }
  c.finished.store(true, std::memory_order_release);
}

void StreamEngine::finish_receivers() {
  request_stop();
  for (size_t i = 0; i < threads_.size(); ++i)
    if (!plans_[i].sender && plans_[i].fd >= 0) ::shutdown(plans_[i].fd, SHUT_RD);
  for (size_t i = 0; i < threads_.size(); ++i)
    if (!plans_[i].sender && threads_[i].joinable()) threads_[i].join();
}

void StreamEngine::stop() {
  stop_.store(true, std::memory_order_relaxed);
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void StreamEngine::close_sockets() {
  for (auto& p : plans_) {
    if (p.fd >= 0) ::close(p.fd);
    p.fd = -1;
  }
}

std::string StreamEngine::error(size_t i) const {
  return counters_[i].finished.load(std::memory_order_acquire) ? errors_[i] : std::string();
}

bool StreamEngine::all_senders_finished() const {
  bool any_sender = false;
  for (size_t i = 0; i < plans_.size(); ++i) {
    if (!plans_[i].sender) continue;
    any_sender = true;
    if (!counters_[i].finished.load(std::memory_order_acquire)) return false;
  }
  return any_sender;
}

bool StreamEngine::any_failed() const {
  for (size_t i = 0; i < plans_.size(); ++i)
    if (!error(i).empty()) return true;
  return false;
}

}  // namespace nperf::engine
