#pragma once
// `nperf -s --metrics [ADDR:]PORT`: serves the MetricsRegistry as OpenMetrics
// text over HTTP (GET /metrics) for Prometheus. An asio io_context on a thread
// of its own, so a scraper, however slow or hostile, never holds up a test: a
// request reads the registry under its mutex for one copy and nothing else.
// Every connection is bounded: its head within 8 KiB and 5 s (slowloris), one
// request, then closed; at most 32 connections at once, others closed at
// accept. Why not cpp-httplib: net/http_request.hpp.
#include <memory>
#include <string>

#include "nperf/stats/metrics.hpp"

namespace nperf::net {

class MetricsServer {
 public:
  MetricsServer();
  ~MetricsServer();  // stops serving and joins the threads
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds ADDRESS:PORT ("" = every address) and starts serving; false and
  // *error when it cannot bind.
  bool start(const std::string& address, int port, const MetricsRegistry& registry, std::string* error);
  // The port actually bound (PORT 0 picks one).
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "[ADDR:]PORT" ("9101", "127.0.0.1:9101", "[::1]:9101"); false and
// *error when it is not that.
bool parse_listen_address(const std::string& text, std::string* address, int* port, std::string* error);

}  // namespace nperf::net
