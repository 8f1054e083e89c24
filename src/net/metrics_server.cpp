#include "nperf/net/metrics_server.hpp"

#include <charconv>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

namespace nperf::net {

struct MetricsServer::Impl {
  httplib::Server http;
  std::thread thread;
  int port = 0;
};

MetricsServer::MetricsServer() : impl_(std::make_unique<Impl>()) {}

MetricsServer::~MetricsServer() {
  if (impl_->thread.joinable()) {
    impl_->http.stop();
    impl_->thread.join();
  }
}

int MetricsServer::port() const {
  return impl_->port;
}

bool MetricsServer::start(const std::string& address, int port, const MetricsRegistry& registry,
                          std::string* error) {
  httplib::Server& http = impl_->http;
  // Bounded in every way a client controls: a slow or silent sender is cut
  // after 5 s, a body is refused, two threads serve all connections.
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  http.set_read_timeout(5, 0);
  http.set_write_timeout(5, 0);
  http.set_keep_alive_timeout(5);
  http.set_keep_alive_max_count(20);
  http.set_payload_max_length(1024);
  http.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& response) {
    response.set_content(registry.render(), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  });
  http.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("nperf server metrics: GET /metrics\n", "text/plain");
  });
  std::string host = address.empty() ? "::" : address;
  int bound = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound < 0 && address.empty()) {
    host = "0.0.0.0";  // no IPv6 on this host
    bound = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  }
  if (bound < 0) {
    *error = fmt::format("--metrics: cannot listen on {}:{}", address.empty() ? "*" : address, port);
    return false;
  }
  impl_->port = bound;
  impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
  return true;
}

bool parse_listen_address(const std::string& text, std::string* address, int* port, std::string* error) {
  std::string host;
  std::string port_text = text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find("]:");
    if (close == std::string::npos) {
      *error = fmt::format("--metrics: bad address '{}': expected [IPV6]:PORT", text);
      return false;
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else if (size_t colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string::npos) {
      *error = fmt::format("--metrics: bad address '{}': write an IPv6 address as [ADDR]:PORT", text);
      return false;
    }
  }
  int value = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || value < 1 || value > 65535) {
    *error = fmt::format("--metrics: bad port in '{}': expected [ADDR:]PORT with PORT 1-65535", text);
    return false;
  }
  *address = host;
  *port = value;
  return true;
}

}  // namespace nperf::net
