// The client's running phase: when the test ends (-t, -n, -k, -F), the
// interval reports, TEST_END, the results exchange and the end report. The
// connection and the state machine are in client_session.cpp.
#include "nperf/session/client_session.hpp"

#include <fmt/format.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include "nperf/net/socket_options.hpp"
#include "nperf/session/errors.hpp"
#include "nperf/session/session_common.hpp"
#include "nperf/session/test_clock.hpp"

namespace nperf::session {

using namespace asio::experimental::awaitable_operators;
using asio::use_awaitable;
using protocol::State;

bool ClientSession::quota_reached() const {
  const TestSpec& spec = config_.spec;
  // -F: the end of the file ends the test, even before -t (as iperf3 3.12).
  if (!spec.data_file.empty() && role_.sends() && run_->senders_finished()) return true;
  if (spec.bytes) return run_->senders_finished() || run_->bytes_received() >= spec.bytes;
  if (spec.blocks) return run_->senders_finished() || run_->blocks_received() >= spec.blocks;
  return false;
}

asio::awaitable<void> ClientSession::keep_time() {
  const TestSpec& spec = config_.spec;
  const double start = time_source().now();
  TestClockPlan plan;
  plan.interval_s = config_.interval_s;
  plan.omit_s = spec.omit_s;
  plan.duration_s = spec.duration_s;
  // -n/-k are checked often so the test stops close to the requested amount.
  plan.poll_s = (spec.bytes || spec.blocks) ? 0.002 : 0.1;
  TestClock clock(plan, start);
  asio::steady_timer timer(io_);
  RateWatch idle(config_.rcv_timeout_ms, start);
  while (phase_ == Phase::kRunning) {
    co_await time_source().sleep_until(timer, clock.next_wake(time_source().now()));
    if (phase_ != Phase::kRunning) co_return;
    double now = time_source().now();
    if (std::string failure = run_->failure(); !failure.empty()) {
      control_->close();  // the read in run_protocol fails and ends the session
      reporter_.on_error(failure);
      co_return;
    }
    if (role_.receives() && idle.expired(now, run_->bytes_received())) {
      reporter_.on_error(fmt::format("no data received for {} ms (--rcv-timeout)", config_.rcv_timeout_ms));
      exit_code_ = kExitTestFailed;
      control_->close();
      co_return;
    }
    TestProgress progress{quota_reached(), run_->senders_finished(), true};
    if (progress.quota_reached && progress.senders_finished)
      progress.send_queues_drained = run_->send_queues_drained();
    switch (clock.next_event(now, progress)) {
      case ClockEvent::kOmitEnd: {
        IntervalReport report = run_->sample(now);
        if (config_.interval_s > 0) reporter_.on_interval(report);
        run_->end_omit(now);
        break;
      }
      case ClockEvent::kEndTest:
        co_await end_test(now);
        co_return;
      case ClockEvent::kInterval:
        reporter_.on_interval(run_->sample(now));
        break;
      default:
        break;
    }
  }
}

asio::awaitable<void> ClientSession::end_test(double now) {
  IntervalReport last = run_->sample(now);
  if (config_.interval_s > 0 && !drop_final_interval(last, config_.interval_s)) reporter_.on_interval(last);
  run_->stop(now);
  phase_ = Phase::kEnding;
  co_await control_->write_state(State::kTestEnd);
  // The server now owes us EXCHANGE_RESULTS; don't wait forever for it.
  asio::steady_timer watchdog(io_, kControlReadTimeout);
  std::error_code ignored;
  co_await watchdog.async_wait(asio::redirect_error(use_awaitable, ignored));
  if (phase_ == Phase::kEnding) {
    reporter_.on_error("the server did not answer TEST_END in time");
    control_->close();
  }
}

asio::awaitable<void> ClientSession::exchange_results() {
  if (!run_) throw SessionError("EXCHANGE_RESULTS before the test ran", kIeMessage);
  run_->join();
  co_await control_->write_json(protocol::encode_results(run_->local_results()));
  std::string text = co_await control_->read_json(protocol::kMaxResultsLength, kControlReadTimeout);
  auto decoded = protocol::decode_results(text);
  if (!decoded.results)
    throw SessionError(fmt::format("unable to receive results: {}", decoded.error), kIeRecvResults);
  peer_results_ = std::move(decoded.results);
}

void ClientSession::display_results() {
  if (!run_ || !peer_results_) throw SessionError("DISPLAY_RESULTS before the results exchange", kIeMessage);
  EndReport end = run_->end_report(&*peer_results_);
  if (peer_results_->server_output_text) end.server_output_text = *peer_results_->server_output_text;
  if (peer_results_->server_output_json)
    end.server_output_json = peer_results_->server_output_json->dump(1, '\t');
  reporter_.on_end(end);
}

}  // namespace nperf::session
