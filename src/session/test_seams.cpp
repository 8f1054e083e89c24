#include "nperf/session/test_seams.hpp"

#include "nperf/config/clock.hpp"
#include "nperf/session/session_common.hpp"

namespace nperf::session {

double SessionClock::now() const {
  return monotonic_now();
}

asio::awaitable<void> SessionClock::sleep_until(asio::steady_timer& timer, double wake) {
  co_await session::sleep_until(timer, wake);
}

}  // namespace nperf::session
