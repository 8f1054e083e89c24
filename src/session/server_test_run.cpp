// One test on the server, from the client's cookie to its IPERF_DONE: the
// parameters, the admission, the reporters, the streams, the running test
// and its end. Each job is one member function; run_test() lists them.
#include <fmt/format.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>

#include "nperf/net/affinity.hpp"
#include "nperf/net/socket_options.hpp"
#include "nperf/report/json_reporter.hpp"
#include "nperf/report/make_reporter.hpp"
#include "nperf/report/tee_reporter.hpp"
#include "nperf/session/auth_gate.hpp"
#include "nperf/session/server_handshake.hpp"
#include "nperf/session/server_rate_guard.hpp"
#include "nperf/session/server_session.hpp"
#include "nperf/session/server_test.hpp"
#include "nperf/session/session_common.hpp"
#include "nperf/session/test_clock.hpp"

namespace nperf::session {

using asio::use_awaitable;
using protocol::State;

asio::awaitable<void> ServerSession::run_test(std::shared_ptr<ServerTest> test, asio::ip::tcp::endpoint peer,
                                              PendingSlot& pending) {
  ControlChannel::configure(test->control->socket(), config_);

  co_await admit_test(*test, peer);
  const bool slot = co_await claim_slot(*test);  // (g++ 12 miscompiles co_await inside an if)
  if (!slot) co_return;                          // busy: told ACCESS_DENIED
  pending.release();
  test->admitted = true;
  if (metrics_) metrics_->test_started();
  place_streams(*test);
  set_up_reporters(*test);
  describe_start(*test, peer);
  co_await create_streams(*test);
  co_await start_test(test);
  co_await serve_running_test(*test);
}

asio::awaitable<void> ServerSession::admit_test(ServerTest& test, const asio::ip::tcp::endpoint& peer) {
  auto authenticate = [this, &test, peer](const std::string& params) -> asio::awaitable<void> {
    co_await authenticate_client(config_, params, peer.address(), *test.control, reporter_);  // issue #18
  };
  AdmittedTest admitted = co_await server_handshake_after_cookie(*test.control, test.cookie,
                                                                 ServerLimits::from(config_), authenticate);
  test.spec = admitted.spec;
  test.side = Side{Role::kServer, test.spec.direction};
  // A concurrent server pins the test's stream threads there instead (place_streams):
  // its control thread serves every test.
  if (test.spec.server_affinity >= 0 && !concurrent()) {
    std::string error;
    if (!net::pin_current_thread(test.spec.server_affinity, &error)) {
      co_await test.control->write_server_error(kIeAffinity, errno);
      throw SessionError(error, kIeAffinity);
    }
    test.pinned = true;
  }
}

asio::awaitable<bool> ServerSession::claim_slot(ServerTest& test) {
  TestClaim claim;
  claim.port = test.listener.port;
  claim.streams = test.spec.total_streams();
  claim.asked_bps = test.spec.rate_bps * static_cast<uint64_t>(claim.streams);
  SlotDecision decision = load_.claim(test.id, claim);
  if (decision.outcome == SlotDecision::Outcome::kBusy) {
    // iperf3's answer to a second client; read only once the parameters were
    // in, so that a connection that never sends them makes nobody busy.
    if (metrics_) metrics_->error("busy");
    co_await test.control->write_state(State::kAccessDenied);
    co_return false;
  }
  if (decision.outcome == SlotDecision::Outcome::kRefused) {
    co_await test.control->write_server_error(decision.code, 0);
    throw SessionError(decision.message, decision.code);
  }
  test.stream_rate_cap = decision.stream_rate_cap;
  co_return true;
}

void ServerSession::place_streams(ServerTest& test) {
  if (!concurrent()) return;  // one test at a time: the scheduler places it, as iperf3's
  const int streams = test.spec.total_streams();
  if (!test.spec.server_stream_cpus.empty() || config_.affinity.local.cpu_for_stream(0) >= 0)
    return;  // -A wins
  if (test.spec.server_affinity >= 0) {
    test.cores.assign(static_cast<size_t>(streams), test.spec.server_affinity);
    return;
  }
  test.cores = load_.place_streams(test.id, net::allowed_cpus(), streams);
}

void ServerSession::set_up_reporters(ServerTest& test) {
  report::Reporter* own = &reporter_;
  if (concurrent() && test_reporter_factory_) {
    auto* held = &test.held_lines;
    test.own_reporter = test_reporter_factory_(
        [held](std::string_view line) { held->emplace_back(false, std::string(line)); },
        [held](std::string_view line) { held->emplace_back(true, std::string(line)); });
    own = test.own_reporter.get();
  }
  test.reporters = std::make_unique<report::TeeReporter>(std::vector<report::Reporter*>{own});
  if (!test.spec.get_server_output) return;
  // -J keeps its document (captured_json); text arrives line by line.
  auto* sink = &test.captured_text;
  test.capture = report::make_reporter(
      report::server_output_settings(config_, test.spec.title),
      [sink, json = config_.json](std::string_view line) {
        if (!json) sink->append(line);
      },
      [](std::string_view) {});
  test.captured_json = dynamic_cast<report::JsonReporter*>(test.capture.get());
  test.reporters =
      std::make_unique<report::TeeReporter>(std::vector<report::Reporter*>{own, test.capture.get()});
}

void ServerSession::describe_start(ServerTest& test, const asio::ip::tcp::endpoint& peer) {
  TestStartInfo& info = test.start_info;
  info.is_server = test.side.is_server();
  fill_host_facts(&info);
  info.host = format_address(peer.address());
  info.port = peer.port();
  info.cookie = protocol::cookie_from_wire(test.cookie);
  info.tcp_mss = test.spec.mss;
  info.sock_bufsize = static_cast<int>(test.spec.window);
  info.spec = test.spec;
  info.interval_s = config_.interval_s;
  test.reporters->on_connected(info);
}

asio::awaitable<void> ServerSession::start_test(std::shared_ptr<ServerTest> shared) {
  ServerTest& test = *shared;
  test.phase = ServerTest::Phase::kRunning;
  auto sizes = net::read_buffer_sizes(test.streams.front().fd);
  test.start_info.sndbuf_actual = sizes.sndbuf;
  test.start_info.rcvbuf_actual = sizes.rcvbuf;
  test.run = std::make_unique<TestRun>(test.spec, std::move(test.streams), test.side.owns_quota(),
                                       test.stream_rate_cap, seams_.make_engine);
  test.run->use_control_connection(test.control->socket().native_handle());
  test.streams.clear();
  test.reporters->on_test_start(test.start_info);
  co_await test.control->write_state(State::kTestStart);
  co_await test.control->write_state(State::kTestRunning);
  test.run->start(monotonic_now());
  note_test_running(test);
  asio::co_spawn(io_, keep_time(shared), asio::detached);
}

asio::awaitable<void> ServerSession::serve_running_test(ServerTest& test) {
  for (;;) {
    // keep_time() guards this wait with the test's safety deadline.
    uint8_t byte = co_await test.control->read_byte(Duration(0));
    auto state = protocol::decode_client_state(byte);
    if (!state)
      throw SessionError(fmt::format("received an unknown control message ({})", static_cast<int>(byte)),
                         kIeMessage);
    if (*state == State::kTestStart) continue;  // tolerated, as iperf3
    if (*state == State::kTestEnd) {
      co_await finish_test(test);
      co_return;
    }
    if (*state == State::kClientTerminate) {
      test.phase = ServerTest::Phase::kEnding;
      test.run->stop(monotonic_now());
      test.end_report = end_report_of(test, nullptr, false);
      test.reporters->on_end(*test.end_report);
      throw SessionError("the client has terminated", kIeClientTerm);
    }
    throw SessionError(fmt::format("unexpected control message {}", protocol::state_name(*state)),
                       kIeMessage);
  }
}

asio::awaitable<void> ServerSession::finish_test(ServerTest& test) {
  double now = monotonic_now();
  test.phase = ServerTest::Phase::kEnding;
  IntervalReport last = test.run->sample(now);
  if (config_.interval_s > 0 && !drop_final_interval(last, config_.interval_s))
    test.reporters->on_interval(last);
  test.run->stop(now);
  test.run->join();  // closes the data sockets, as iperf3 does on TEST_END
  // The server prints its summary before it sees the client's numbers (iperf3 does too).
  test.reporters->on_end(end_report_of(test, nullptr, /*peer_results_follow=*/true));
  ControlChannel& control = *test.control;
  co_await control.write_state(State::kExchangeResults);
  std::string text = co_await control.read_json(protocol::kMaxResultsLength, kControlReadTimeout);
  auto decoded = protocol::decode_results(text);
  if (!decoded.results)
    throw SessionError(fmt::format("unable to receive results: {}", decoded.error), kIeRecvResults);
  test.end_report = end_report_of(test, &*decoded.results, false);  // checks that every stream id is known
  protocol::TestResults mine = test.run->local_results();
  if (mine.nperf && test.overlap) mine.nperf->server_test = test.overlap;
  if (test.captured_json)
    mine.server_output_json = test.captured_json->document();
  else if (test.capture)
    mine.server_output_text = test.captured_text;
  co_await control.write_json(protocol::encode_results(mine));
  co_await control.write_state(State::kDisplayResults);
  test.phase = ServerTest::Phase::kFinishing;
  // Only IPERF_DONE is due: the next client may have the slot already.
  load_.release(test.id);
  // IPERF_DONE ends the session; a client that just closes is fine too.
  try {
    co_await control.read_byte(kControlReadTimeout);
  } catch (const SessionError&) {
  }
}

asio::awaitable<void> ServerSession::keep_time(std::shared_ptr<ServerTest> test) {
  const double start = monotonic_now();
  TestClockPlan plan;
  plan.interval_s = config_.interval_s;
  plan.omit_s = test->spec.omit_s;
  plan.duration_s = test->spec.duration_s;
  plan.give_up_margin_s = kSafetyMarginS;  // the client ends the test; this only catches one that vanished
  TestClock clock(plan, start);
  asio::steady_timer timer(io_);
  RateWatch idle(config_.rcv_timeout_ms, start);
  ServerRateGuard rate_guard(config_, *test, start);  // --server-bitrate-limit RATE/SECS
  while (test->phase == ServerTest::Phase::kRunning) {
    co_await sleep_until(timer, clock.next_wake(monotonic_now()));
    if (test->phase != ServerTest::Phase::kRunning) co_return;
    double now = monotonic_now();
    if (co_await rate_guard.check(*test, now)) co_return;
    if (test->side.receives() && idle.expired(now, test->run->bytes_received())) {
      test->reporters->on_error(
          fmt::format("no data received for {} ms (--rcv-timeout)", config_.rcv_timeout_ms));
      test->control->close();
      co_return;
    }
    switch (clock.next_event(now)) {
      case ClockEvent::kGiveUp:
        test->reporters->on_error(
            "server test duration expired: the client neither ended the test nor went away");
        test->control->close();
        co_return;
      case ClockEvent::kOmitEnd: {
        IntervalReport report = test->run->sample(now);
        if (config_.interval_s > 0) test->reporters->on_interval(report);
        test->run->end_omit(now);
        break;
      }
      case ClockEvent::kInterval:
        test->reporters->on_interval(test->run->sample(now));
        break;
      default:
        break;
    }
  }
}

}  // namespace nperf::session
