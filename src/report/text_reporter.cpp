#include "nperf/report/text_reporter.hpp"

#include <cstdint>
#include <utility>

#include <fmt/format.h>

#include "nperf/engine/tcp_calls.hpp"
#include "nperf/report/units_format.hpp"
#include "text_rows.hpp"

// iperf3 3.12's human-readable output (iperf_api.c / iperf_locale.c), one
// template per line kind. Where 3.12 and later releases differ cosmetically
// (the spaces after the Retr number in the summary), this follows 3.12.

namespace nperf::report {

TextReporter::TextReporter(TextOptions options, LineSink out, LineSink err)
    : options_(std::move(options)), out_(std::move(out)), err_(std::move(err)) {}

void TextReporter::print(std::string_view text) {
  pending_ += stamp();
  if (Side{options_.role}.is_client() && !options_.title.empty()) pending_ += options_.title + ":  ";
  print_raw(text);
}

void TextReporter::print_raw(std::string_view text) {
  pending_ += text;
  size_t start = 0;
  for (size_t nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n', start)) {
    if (out_) out_(std::string_view(pending_).substr(start, nl + 1 - start));
    start = nl + 1;
  }
  pending_.erase(0, start);
}

void TextReporter::line(std::string_view text) {
  print(fmt::format("{}\n", text));
}

std::string TextReporter::role(bool local_sender) const {
  if (direction_ != Direction::kBidir) return {};
  return fmt::format("[{}-{}]", local_sender ? "TX" : "RX", Side{options_.role}.is_server() ? "S" : "C");
}

void TextReporter::reset_test() {
  direction_ = Direction::kForward;
  intervals_printed_ = 0;
  protocol_ = Protocol::kTcp;
  parallel_ = 0;
  duration_s_ = 0;
  error_seen_ = false;
}

void TextReporter::on_server_listening(int port, int test_number) {
  if (options_.verbose && !options_.server_preamble.empty()) print(options_.server_preamble);
  // Three print calls in iperf3: each line gets its own --timestamps prefix.
  line(kBanner);
  std::string ports = options_.listening_ports.empty() ? std::to_string(port) : options_.listening_ports;
  line(fmt::format("Server listening on {} (test #{})", ports, test_number));
  line(kBanner);
}

void TextReporter::on_connected(const TestStartInfo& start) {
  direction_ = start.spec.direction;
  protocol_ = start.spec.protocol;
  parallel_ = start.spec.parallel;
  duration_s_ = start.spec.duration_s;
  const bool verbose = options_.verbose;
  if (Side{options_.role}.is_server()) {
    if (verbose) line(fmt::format("Time: {}", start.time_rfc1123));
    line(fmt::format("Accepted connection from {}, port {}", start.host, start.port));
  } else {
    if (verbose) {
      line(start.version);
      print("");  // 3.12 prints an empty string here: a lone title prefix
      line(start.system_info);
      if (start.control_mss > 0) print_raw(fmt::format("Control connection MSS {}\n", start.control_mss));
      line(fmt::format("Time: {}", start.time_rfc1123));
    }
    line(fmt::format("Connecting to host {}, port {}", start.host, start.port));
    if (start.spec.direction == Direction::kReverse)
      line(fmt::format("Reverse mode, remote host {} is sending", start.host));
  }
  if (verbose) {
    line(fmt::format("      Cookie: {}", start.cookie));
    if (start.spec.protocol == Protocol::kTcp) {
      if (start.tcp_mss > 0)
        line(fmt::format("      TCP MSS: {}", start.tcp_mss));
      else
        line(fmt::format("      TCP MSS: {} (default)", start.tcp_mss_default));
    }
    if (start.spec.rate_bps) line(fmt::format("      Target Bitrate: {}", start.spec.rate_bps));
  }
}

void TextReporter::on_stream_connected(const StreamInfo& stream) {
  line(fmt::format("{} local {} port {} connected to {} port {}", stream_tag(stream.socket),
                   stream.local_host, stream.local_port, stream.remote_host, stream.remote_port));
}

void TextReporter::on_test_start(const TestStartInfo& start) {
  const TestSpec& spec = start.spec;
  direction_ = spec.direction;
  protocol_ = spec.protocol;
  parallel_ = spec.parallel;
  duration_s_ = spec.duration_s;
  if (!options_.verbose) return;
  const std::string common = fmt::format(
      "Starting Test: protocol: {}, {} streams, {} byte blocks, omitting {} seconds, ",
      spec.protocol == Protocol::kUdp ? "UDP" : "TCP", spec.parallel, spec.block_len, spec.omit_s);
  if (spec.bytes)
    line(fmt::format("{}{} bytes to send, tos {}", common, spec.bytes, spec.tos));
  else if (spec.blocks)
    line(fmt::format("{}{} blocks to send, tos {}", common, spec.blocks, spec.tos));
  else
    line(fmt::format("{}{} second test, tos {}", common, static_cast<int>(spec.duration_s), spec.tos));
  // nperf: calls of several blocks when -l was not given (engine/tcp_calls.hpp).
  if (spec.protocol == Protocol::kTcp) {
    const uint32_t call = engine::tcp_call_len(spec.block_len, spec.call_len, spec.rate_bps, spec.burst);
    if (call > spec.block_len)
      line(fmt::format("      TCP calls: {} bytes per send/recv ({} blocks of {})", call,
                       call / spec.block_len, spec.block_len));
  }
}

void TextReporter::on_interval(const IntervalReport& interval) {
  const bool bidir = direction_ == Direction::kBidir;
  bool udp = protocol_ == Protocol::kUdp || interval.sum.udp;
  for (const IntervalStream& s : interval.streams) udp = udp || s.udp;

  // [SUM] lines and the separator: more than one stream per direction.
  int counts[2] = {0, 0};
  for (const IntervalStream& s : interval.streams) ++counts[s.sender ? 1 : 0];
  const bool multi = parallel_ > 0 ? parallel_ > 1 : (counts[0] > 1 || counts[1] > 1);

  if (intervals_printed_ == 0) {
    if (udp) {
      bool any_sender = false;
      for (const IntervalStream& s : interval.streams) any_sender = any_sender || s.sender;
      line(header(bidir, (bidir || !any_sender) ? kColsUdp : kColsUdpSender));
    } else {
      bool retr = false;
      for (const IntervalStream& s : interval.streams) retr = retr || (s.sender && s.has_tcp_info);
      // A -R client prints an interval that ends the test after the results
      // exchange, which tells it the sender has retransmits: when that is
      // also the first interval (-t 1), iperf3's header gets Retr/Cwnd.
      const double end = interval.streams.empty() ? interval.sum.end : interval.streams.front().end;
      if (Side{options_.role}.is_client() && direction_ == Direction::kReverse && duration_s_ > 0 &&
          !interval.sum.omitted && end >= duration_s_)
        retr = true;
      line(header(bidir, retr ? kColsRetrCwnd : ""));
    }
  } else if (multi) {
    line(kSeparator);
  }
  ++intervals_printed_;

  if (bidir) {
    print_interval_group(interval, true, multi);
    print_interval_group(interval, false, multi);
  } else {
    // One direction: every stream, then `sum`.
    const bool forward = direction_ != Direction::kReverse;
    print_interval_group(interval, forward, multi);
  }
}

void TextReporter::print_interval_group(const IntervalReport& interval, bool forward, bool multi) {
  const bool bidir = direction_ == Direction::kBidir;
  const bool local_sender = local_sends(forward);
  const std::string r = role(local_sender);
  bool udp = protocol_ == Protocol::kUdp || interval.sum.udp;
  for (const IntervalStream& s : interval.streams) {
    if (bidir && s.sender != local_sender) continue;
    udp = udp || s.udp;
    std::string tail;
    if (udp) {
      tail = s.sender
                 ? tail_udp_sender(bidir, s.packets, omitted_label(s.omitted))
                 : tail_udp(s.jitter_ms, s.lost_packets, s.packets, s.lost_percent, omitted_label(s.omitted));
    } else if (s.sender && s.has_tcp_info) {
      tail = tail_retr_cwnd(s.retransmits, s.snd_cwnd, omitted_label(s.omitted));
    } else {
      tail = tail_plain(omitted_label(s.omitted));
    }
    line(row(stream_tag(s.socket), r, s.start, s.end, s.bytes, s.bits_per_second, options_.format, tail));
  }
  if (!multi) return;
  const IntervalSum* sum = &interval.sum;
  if (bidir && !forward) {
    if (!interval.sum_reverse) return;
    sum = &*interval.sum_reverse;
  }
  std::string tail;
  if (udp) {
    tail = local_sender ? tail_udp_sender(bidir, sum->packets, omitted_label(sum->omitted))
                        : tail_udp(sum->jitter_ms, sum->lost_packets, sum->packets, sum->lost_percent,
                                   omitted_label(sum->omitted));
  } else if (local_sender && sum->has_retransmits) {
    tail = tail_retr(sum->retransmits, omitted_label(sum->omitted));
  } else {
    tail = tail_plain(omitted_label(sum->omitted));
  }
  line(row("[SUM]", r, sum->start, sum->end, sum->bytes, sum->bits_per_second, options_.format, tail));
}

std::string warning_line(std::string_view message) {
  return fmt::format("warning: {}\n", message);
}

std::string error_line(std::string_view message) {
  const bool interrupt = message.rfind("interrupt - ", 0) == 0;
  return fmt::format("nperf: {}{}\n", interrupt ? "" : "error - ", message);
}

void TextReporter::on_warning(const std::string& message) {
  if (err_) err_(stamp() + warning_line(message));
}

void TextReporter::on_error(const std::string& message) {
  error_seen_ = true;
  if (err_) err_(stamp() + error_line(message));
}

void TextReporter::on_finish() {
  if (Side{options_.role}.is_client() && !error_seen_) {
    print("\n");
    print("iperf Done.\n");
  }
  if (!pending_.empty()) print_raw("\n");  // never leave a partial line behind
  reset_test();
}

}  // namespace nperf::report
