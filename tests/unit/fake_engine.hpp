#pragma once
// Fakes for a session's running phase (session/test_seams.hpp): an engine
// whose counters follow a script instead of worker threads and sockets, and
// a clock whose waits return at once with the time moved on. With them a
// unit test drives a whole test, intervals to end report, in one pass.
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include "nperf/engine/stream_engine.hpp"
#include "nperf/session/test_seams.hpp"

namespace nperf::session {

class FakeEngine : public engine::Engine {
 public:
  // `bytes(stream, started)`: the stream's byte count whenever the test
  // reads it (before start() `started` is false).
  using ByteScript = std::function<uint64_t(size_t stream, bool started)>;
  FakeEngine(std::vector<engine::StreamPlan> plans, ByteScript bytes, std::function<void()> on_stop)
      : plans_(std::move(plans)),
        counters_(std::make_unique<engine::StreamCounters[]>(plans_.size())),
        bytes_(std::move(bytes)),
        on_stop_(std::move(on_stop)) {}

  void start() override { started_ = true; }
  void request_stop() override {
    if (stop_requested_) return;
    stop_requested_ = true;
    if (on_stop_) on_stop_();
  }
  void request_jitter_reset(size_t) override {}
  void finish_receivers() override {}
  void stop() override { request_stop(); }
  void close_sockets() override {}

  size_t size() const override { return plans_.size(); }
  const engine::StreamPlan& plan(size_t i) const override { return plans_[i]; }
  const engine::StreamCounters& counters(size_t i) const override {
    counters_[i].bytes.store(bytes_(i, started_));
    return counters_[i];
  }
  std::string error(size_t) const override { return ""; }
  bool all_senders_finished() const override { return false; }

 private:
  std::vector<engine::StreamPlan> plans_;
  std::unique_ptr<engine::StreamCounters[]> counters_;  // written as they are read
  ByteScript bytes_;
  std::function<void()> on_stop_;
  bool started_ = false;
  bool stop_requested_ = false;
};

// Each wait moves the time to the moment waited for and returns at once
// (through the timer, so the session's other coroutines still run). A loop
// that never ends stops the io_context after kMaxWaits waits.
class SteppingClock : public SessionClock {
 public:
  static constexpr int kMaxWaits = 10'000;
  explicit SteppingClock(double start) : now_(start) {}
  double now() const override { return now_; }
  asio::awaitable<void> sleep_until(asio::steady_timer& timer, double wake) override {
    if (++waits_ > kMaxWaits)
      static_cast<asio::io_context&>(asio::query(timer.get_executor(), asio::execution::context)).stop();
    now_ = std::max(now_, wake);
    timer.expires_after(std::chrono::seconds(0));
    co_await timer.async_wait(asio::use_awaitable);
  }
  int waits() const { return waits_; }

 private:
  double now_;
  int waits_ = 0;
};

}  // namespace nperf::session
