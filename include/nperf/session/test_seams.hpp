#pragma once
// The seams through which unit tests drive a session's running phase with no
// data socket, no engine thread and no sleep: where the data streams come
// from, which engine moves them, and which clock the timekeeping loop reads
// and waits on. Left empty (the default), a session connects its data
// streams, runs StreamEngine's threads and waits on the monotonic clock.
#include <functional>

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "nperf/session/test_run.hpp"

namespace nperf::session {

// The time a session reads (monotonic_now() by default) and how its
// timekeeping loop waits for a moment on it (a real timer by default).
class SessionClock {
 public:
  virtual ~SessionClock() = default;
  virtual double now() const;
  // Waits on `timer` until `wake`, in seconds on this clock.
  virtual asio::awaitable<void> sleep_until(asio::steady_timer& timer, double wake);
};

struct TestSeams {
  // The fd of data stream `index`, in place of the session's own connection
  // (a fake engine never touches it, so -1 will do); null: the real one.
  std::function<int(int index)> open_stream;
  MakeEngine make_engine;         // null: a StreamEngine
  SessionClock* clock = nullptr;  // null: the monotonic clock; not owned
};

}  // namespace nperf::session
