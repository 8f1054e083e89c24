// --metrics: the server's OpenMetrics endpoint (net/metrics_server.hpp) and
// what each test adds to it (stats/metrics.hpp).
#include <ctime>

#include <fmt/format.h>

#include "nperf/session/errors.hpp"
#include "nperf/session/server_session.hpp"
#include "nperf/session/server_test.hpp"

namespace nperf::session {
namespace {

// The kind of a failure, as a label value: stable words a dashboard can match.
std::string failure_kind(std::exception_ptr error, bool admitted) {
  if (!error) return "";
  try {
    std::rethrow_exception(error);
  } catch (const TimeoutError&) {
    return admitted ? "test_timeout" : "handshake_timeout";
  } catch (const SessionError& e) {
    if (e.code == kIeAuthTest) return "auth_failed";
    if (e.code == kIeClientTerm) return "client_terminated";
    return admitted ? "test_failed" : "handshake_failed";
  } catch (...) {
    return admitted ? "test_failed" : "handshake_failed";
  }
}

}  // namespace

bool ServerSession::start_metrics() {
  std::string address, error;
  int port = 0;
  metrics_ = std::make_unique<MetricsRegistry>();
  metrics_server_ = std::make_unique<net::MetricsServer>();
  if (!net::parse_listen_address(config_.metrics, &address, &port, &error) ||
      !metrics_server_->start(address, port, *metrics_, &error)) {
    reporter_.on_error(error);
    reporter_.on_finish();
    return false;
  }
  return true;
}

void ServerSession::record_test(const ServerTest& test, std::exception_ptr error) {
  std::string kind = failure_kind(error, test.admitted);
  if (!test.admitted) {
    if (!kind.empty()) metrics_->error(kind);
    return;
  }
  metrics_->test_finished(make_test_record(static_cast<uint64_t>(test.id), test.listener.port,
                                           test.start_info.host, test.start_info.port, test.spec,
                                           test.end_report ? &*test.end_report : nullptr, kind,
                                           static_cast<double>(std::time(nullptr))));
}

}  // namespace nperf::session
