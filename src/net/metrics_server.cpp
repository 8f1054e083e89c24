#include "nperf/net/metrics_server.hpp"

#include <charconv>
#include <thread>

#include <fmt/format.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "nperf/net/http_request.hpp"

namespace nperf::net {

using asio::ip::tcp;

namespace {

constexpr int kMaxConnections = 32;
constexpr auto kRequestDeadline = std::chrono::seconds(5);

std::string response(int status, const char* reason, const char* type, const std::string& body) {
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", status,
      reason, type, body.size(), body);
}

std::string answer(const RequestHead& head, const MetricsRegistry& registry) {
  switch (head.state) {
    case RequestHead::State::kTooLarge:
      return response(431, "Request Header Fields Too Large", "text/plain", "request head over 8 KiB\n");
    case RequestHead::State::kBad:
    case RequestHead::State::kIncomplete:
      return response(400, "Bad Request", "text/plain", "bad request\n");
    case RequestHead::State::kComplete:
      break;
  }
  if (head.method != "GET" && head.method != "HEAD")
    return response(405, "Method Not Allowed", "text/plain", "only GET\n");
  std::string_view path = std::string_view(head.target).substr(0, head.target.find('?'));
  if (path == "/metrics")
    return response(200, "OK", "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    registry.render());
  if (path == "/") return response(200, "OK", "text/plain", "nperf server metrics: GET /metrics\n");
  return response(404, "Not Found", "text/plain", "not found; GET /metrics\n");
}

}  // namespace

struct MetricsServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  const MetricsRegistry* registry = nullptr;
  int port = 0;
  int open_connections = 0;

  asio::awaitable<void> serve(tcp::socket socket) {
    ++open_connections;
    std::string received;
    asio::steady_timer deadline(io);
    deadline.expires_after(kRequestDeadline);
    deadline.async_wait([&socket](std::error_code ec) {
      std::error_code ignored;
      if (!ec) socket.close(ignored);  // the peer was too slow: the read below fails
    });
    RequestHead head;
    char buffer[2048];
    while (head.state == RequestHead::State::kIncomplete) {
      std::error_code ec;
      size_t n = co_await socket.async_read_some(asio::buffer(buffer),
                                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      received.append(buffer, n);
      head = parse_request_head(received);
    }
    if (socket.is_open()) {
      std::string reply = answer(head, *registry);
      if (head.method == "HEAD") reply.resize(reply.find("\r\n\r\n") + 4);
      std::error_code ec;
      co_await asio::async_write(socket, asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
    }
    deadline.cancel();
    std::error_code ignored;
    socket.close(ignored);
    --open_connections;
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      std::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) continue;
      if (open_connections >= kMaxConnections) continue;  // the socket closes here: a flood is bounded
      asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
  }
};

MetricsServer::MetricsServer() : impl_(std::make_unique<Impl>()) {}

MetricsServer::~MetricsServer() {
  if (impl_->thread.joinable()) {
    impl_->io.stop();
    impl_->thread.join();
  }
}

int MetricsServer::port() const {
  return impl_->port;
}

bool MetricsServer::start(const std::string& address, int port, const MetricsRegistry& registry,
                          std::string* error) {
  std::error_code ec;
  tcp::endpoint endpoint(tcp::v6(), static_cast<uint16_t>(port));
  if (!address.empty()) {
    auto parsed = asio::ip::make_address(address, ec);
    if (ec) {
      *error = fmt::format("--metrics: bad address '{}': {}", address, ec.message());
      return false;
    }
    endpoint = tcp::endpoint(parsed, static_cast<uint16_t>(port));
  }
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec && address.empty()) {  // no IPv6 on this host
    endpoint = tcp::endpoint(tcp::v4(), static_cast<uint16_t>(port));
    acceptor.open(endpoint.protocol(), ec);
  }
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && endpoint.protocol() == tcp::v6()) acceptor.set_option(asio::ip::v6_only(false), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = fmt::format("--metrics: cannot listen on {}:{}: {}", address.empty() ? "*" : address, port,
                         ec.message());
    return false;
  }
  impl_->registry = &registry;
  impl_->port = acceptor.local_endpoint(ec).port();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
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
