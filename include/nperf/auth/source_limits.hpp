#pragma once
// Per-source bookkeeping for the server, pure (the caller passes the time):
// how many authentication failures an address had lately, and when a refused
// address was last logged. Both tables are bounded: the oldest entry makes
// room, so a flood of spoofed sources costs memory once, not forever.
#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace nperf::auth {

// At most max_failures failed authentications per address per window; past
// that, attempts are refused unseen (no RSA decryption, the expensive part)
// until the window that began with the first failure has passed.
class FailureLimiter {
 public:
  FailureLimiter(int max_failures = 5, double window_s = 60, size_t max_sources = 4096)
      : max_failures_(max_failures), window_s_(window_s), max_sources_(max_sources) {}
  bool blocked(const std::string& source, double now) const;
  void record_failure(const std::string& source, double now);
  void record_success(const std::string& source) { sources_.erase(source); }

 private:
  struct Entry {
    double window_start = 0;
    int failures = 0;
  };
  int max_failures_;
  double window_s_;
  size_t max_sources_;
  std::map<std::string, Entry> sources_;
};

// Counts refusals per source and says when to log one: the first time, then
// at most once per interval, with the number refused since the last line.
class RefusalLog {
 public:
  explicit RefusalLog(double interval_s = 60, size_t max_sources = 4096)
      : interval_s_(interval_s), max_sources_(max_sources) {}
  // Counts one refusal; returns how many to report now (this one included), or nullopt.
  std::optional<long> refused(const std::string& source, double now);
  long total() const { return total_; }

 private:
  struct Entry {
    double last_logged = 0;
    long unlogged = 0;
  };
  double interval_s_;
  size_t max_sources_;
  std::map<std::string, Entry> sources_;
  long total_ = 0;
};

}  // namespace nperf::auth
