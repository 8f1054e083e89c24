#include "nperf/report/text_reporter.hpp"

#include <cstdint>
#include <utility>

#include <fmt/format.h>

#include "nperf/report/end_figures.hpp"
#include "nperf/report/units_format.hpp"

// iperf3 3.12's human-readable output (iperf_api.c / iperf_locale.c), one
// template per line kind. Where 3.12 and later releases differ cosmetically
// (the spaces after the Retr number in the summary), this follows 3.12.

namespace nperf::report {
namespace {

constexpr std::string_view kBanner = "-----------------------------------------------------------";
constexpr std::string_view kSeparator = "- - - - - - - - - - - - - - - - - - - - - - - - -";

std::string header(bool bidir, std::string_view columns) {
  return fmt::format("{}{}",
                     bidir ? "[ ID][Role] Interval           Transfer     Bitrate"
                           : "[ ID] Interval           Transfer     Bitrate",
                     columns);
}
constexpr std::string_view kColsRetrCwnd = "         Retr  Cwnd";
constexpr std::string_view kColsRetr = "         Retr";
constexpr std::string_view kColsUdpSender = "         Total Datagrams";
constexpr std::string_view kColsUdp = "         Jitter    Lost/Total Datagrams";

std::string stream_tag(int socket) {
  return fmt::format("[{:3}]", socket);
}

double rate_of(uint64_t bytes, double seconds) {
  return seconds > 0 ? static_cast<double>(bytes) * 8 / seconds : 0;
}

// "[  5][TX-C]   0.00-1.00   sec  1.00 MBytes  8.39 Mbits/sec" + tail
std::string row(std::string_view tag, std::string_view role, double start, double end, uint64_t bytes,
                double bits_per_second, char format, std::string_view tail) {
  return fmt::format("{}{} {:6.2f}-{:<6.2f} sec  {}s  {}s/sec{}", tag, role, start, end,
                     format_bytes(static_cast<double>(bytes), 'A'), format_rate(bits_per_second, format),
                     tail);
}

// Tails: what follows the Bitrate column.
std::string tail_plain(std::string_view label) {  // TCP without retransmits, any label
  return fmt::format("                  {}", label);
}
std::string tail_retr_cwnd(int64_t retransmits, uint64_t cwnd, std::string_view omitted) {
  return fmt::format("  {:3}   {}s       {}", retransmits, format_bytes(static_cast<double>(cwnd), 'A'),
                     omitted);
}
std::string tail_retr(int64_t retransmits, std::string_view label) {  // 3.12: 13 spaces
  return fmt::format("  {:3}             {}", retransmits, label);
}
std::string tail_udp_sender(bool bidir, uint64_t packets, std::string_view omitted) {
  return fmt::format(" {} {}  {}", bidir ? "          " : "", packets, omitted);
}
std::string tail_udp(double jitter_ms, int64_t lost, uint64_t packets, double lost_percent,
                     std::string_view label) {
  if (lost < 0) return fmt::format("  {:5.3f} ms  Unknown/{}  {}", jitter_ms, packets, label);
  return fmt::format("  {:5.3f} ms  {}/{} ({:.2g}%)  {}", jitter_ms, lost, packets, lost_percent, label);
}

std::string_view omitted_label(bool omitted) {
  return omitted ? "(omitted)" : "";
}

}  // namespace

TextReporter::TextReporter(TextOptions options, LineSink out, LineSink err)
    : options_(std::move(options)), out_(std::move(out)), err_(std::move(err)) {}

void TextReporter::print(std::string_view text) {
  pending_ += stamp();
  if (!options_.is_server && !options_.title.empty()) pending_ += options_.title + ":  ";
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
  return fmt::format("[{}-{}]", local_sender ? "TX" : "RX", options_.is_server ? "S" : "C");
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
  line(fmt::format("Server listening on {} (test #{})", port, test_number));
  line(kBanner);
}

void TextReporter::on_connected(const TestStartInfo& start) {
  direction_ = start.spec.direction;
  protocol_ = start.spec.protocol;
  parallel_ = start.spec.parallel;
  duration_s_ = start.spec.duration_s;
  const bool verbose = options_.verbose;
  if (options_.is_server) {
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
      if (!options_.is_server && direction_ == Direction::kReverse && duration_s_ > 0 &&
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

void TextReporter::on_end(const EndReport& end) {
  const bool bidir = direction_ == Direction::kBidir || end.direction == Direction::kBidir;
  if (bidir) direction_ = Direction::kBidir;
  bool udp = protocol_ == Protocol::kUdp || end.sum.udp;
  bool retr = end.sum.sender_known && end.sum.has_retransmits;
  if (end.sum_reverse) retr = retr || (end.sum_reverse->sender_known && end.sum_reverse->has_retransmits);
  int counts[2] = {0, 0};
  for (const EndStream& s : end.streams) {
    udp = udp || s.udp;
    retr = retr || (s.sender_known && s.has_retransmits);
    ++counts[s.info.forward ? 1 : 0];
  }
  const bool multi = parallel_ > 0 ? parallel_ > 1 : (counts[0] > 1 || counts[1] > 1);

  line(kSeparator);
  if (options_.verbose) line("Test Complete. Summary Results:");
  line(header(bidir, udp ? kColsUdp : retr ? kColsRetr : ""));
  if (bidir) {
    // Client->server streams first: [TX-C] on the client, [RX-S] on the server.
    print_end_group(end, true, multi);
    print_end_group(end, false, multi);
  } else {
    bool forward = direction_ != Direction::kReverse && end.direction != Direction::kReverse;
    if (!end.streams.empty()) forward = end.streams.front().info.forward;
    print_end_group(end, forward, multi);
  }
  if (options_.verbose) print_placement(end);
  print_loss_attribution(end);
  print_verdict(end);
}

// nperf, beyond iperf3: why the test was not faster, in one line (per
// stream too with -V when streams disagree). docs/diagnosis.md.
void TextReporter::print_verdict(const EndReport& end) {
  // The peer's buffers, when -w asked for more than its sysctls allow (the
  // local ones were warned about when the sockets were made).
  const SocketBuffers& peer = end.remote_buffers;
  if (peer.known && (peer.rcvbuf_clamped() || peer.sndbuf_clamped()))
    line(
        fmt::format("The {}'s buffers were clamped: asked {}, got send {} receive {}; raise "
                    "net.core.{}mem_max there to at least {}",
                    options_.is_server ? "client" : "server", peer.requested, peer.sndbuf, peer.rcvbuf,
                    peer.rcvbuf_clamped() ? "r" : "w", peer.requested));
  if (!end.verdict) return;
  auto text = [](const Verdict& v) {
    std::string s = fmt::format("{}: {}", bottleneck_name(v.cause), v.reason);
    if (!v.advice.empty()) s += fmt::format("; next: {}", v.advice);
    return s;
  };
  const Verdict& v = *end.verdict;
  std::string share = v.of_streams > 1 ? fmt::format(" ({} of {} streams)", v.streams, v.of_streams) : "";
  line(fmt::format("Verdict{}: {}", share, text(v)));
  if (!options_.verbose || v.streams == v.of_streams) return;
  for (const EndStream& s : end.streams)
    if (s.verdict) line(fmt::format("{} verdict: {}", stream_tag(s.info.socket), text(*s.verdict)));
}

// nperf, beyond iperf3: UDP loss split into the receiving host's drops and
// loss on the way (a remote receiver's count comes from an nperf peer).
void TextReporter::print_loss_attribution(const EndReport& end) {
  for (const EndStream& s : end.streams) {
    if (!s.udp || s.host_dropped < 0 || s.lost_packets <= 0) continue;
    int64_t on_host = std::min(s.host_dropped, s.lost_packets);
    line(fmt::format(
        "{} {} of {} lost datagrams were dropped by {} (socket receive buffer full), {} lost on the way",
        stream_tag(s.info.socket), on_host, s.lost_packets,
        s.info.sender ? "the receiving host" : "this host", s.lost_packets - on_host));
  }
}

// nperf, beyond iperf3: which core each local worker thread really ran on.
void TextReporter::print_placement(const EndReport& end) {
  for (const EndStream& s : end.streams) {
    if (s.cpus_seen.empty()) continue;
    std::string pinned = s.pinned_cpu >= 0 ? fmt::format(" (pinned to CPU {})", s.pinned_cpu) : "";
    std::string used;
    const StreamEvidence& e = s.local_evidence;
    if (e.known && e.thread_cpu >= 0) {
      used = fmt::format(": {:.2f} s CPU ({:.2f} user, {:.2f} system), {:.0f}% of the test",
                         e.cpu_user_s + e.cpu_system_s, e.cpu_user_s, e.cpu_system_s, e.thread_cpu * 100);
      if (e.thread_wait >= 0) used += fmt::format(", waited for a core {:.0f}%", e.thread_wait * 100);
    }
    line(fmt::format("{} worker thread ran on CPU {}{}{}", stream_tag(s.info.socket),
                     fmt::join(s.cpus_seen, ","), pinned, used));
  }
}

void TextReporter::print_end_group(const EndReport& end, bool forward, bool multi) {
  const bool bidir = direction_ == Direction::kBidir;
  const bool server = options_.is_server;
  const bool verbose = options_.verbose;
  const bool local_sender = local_sends(forward);
  const std::string r = role(local_sender);
  const char fmt_char = options_.format;
  bool udp = protocol_ == Protocol::kUdp || end.sum.udp;
  for (const EndStream& s : end.streams) udp = udp || s.udp;

  for (const EndStream& s : end.streams) {
    if (bidir && s.info.forward != forward) continue;
    const std::string tag = stream_tag(s.info.socket);
    const double st = sender_time(s.sender_seconds, s.receiver_seconds);
    const double rt = receiver_time(s.sender_seconds, s.receiver_seconds);
    // Sender half: the client always prints it; the server only when it knows it.
    if (!server || s.sender_known) {
      std::string tail;
      if (udp)
        tail = tail_udp(0.0, 0, s.sender_packets, 0.0, "sender");
      else if (s.has_retransmits)
        tail = tail_retr(s.retransmits, "sender");
      else
        tail = tail_plain("sender");
      line(row(tag, r, 0.0, st, s.sent_bytes, rate_of(s.sent_bytes, st), fmt_char, tail));
    } else if (verbose) {
      line(fmt::format("{} (sender statistics not available)", tag));
    }
    if (udp && s.out_of_order > 0)
      line(fmt::format("[SUM]{} {:4.1f}-{:4.1f} sec  {} datagrams received out-of-order", r, 0.0, st,
                       s.out_of_order));
    // Receiver half.
    if (!server || s.receiver_known) {
      std::string tail;
      if (udp) {
        const double pct =
            s.receiver_packets > 0 && s.lost_packets > 0
                ? 100.0 * static_cast<double>(s.lost_packets) / static_cast<double>(s.receiver_packets)
                : 0.0;
        tail = tail_udp(s.jitter_ms, s.lost_packets, s.receiver_packets, pct, "receiver");
      } else {
        tail = tail_plain("receiver");
      }
      line(row(tag, r, 0.0, rt, s.received_bytes, rate_of(s.received_bytes, rt), fmt_char, tail));
    } else if (verbose) {
      line(fmt::format("{} (receiver statistics not available)", tag));
    }
  }

  if (multi) {
    EndSum sum = end.sum;
    if (bidir && !forward) {
      sum = end.sum_reverse ? *end.sum_reverse : sum_streams(end.streams, false);
    } else if (!bidir && !end.streams.empty() && !sum.sender_known && !sum.receiver_known) {
      // Outside --bidir `sum` covers all streams; rebuild it if it was
      // left empty for server->client (-R) streams.
      sum = sum_streams(end.streams, end.streams.front().info.forward);
    }
    const double st = sender_time(sum.sender_seconds, sum.receiver_seconds);
    const double rt = receiver_time(sum.sender_seconds, sum.receiver_seconds);
    if (udp) {
      // iperf3 has no "(statistics not available)" line for a UDP sum.
      if (!server || local_sender)
        line(row("[SUM]", r, 0.0, st, sum.sent_bytes, rate_of(sum.sent_bytes, st), fmt_char,
                 tail_udp(0.0, 0, sum.sender_packets, 0.0, "sender")));
      if (!server || !local_sender) {
        const uint64_t total = sum.sender_packets ? sum.sender_packets : sum.receiver_packets;
        const double pct = total > 0 && sum.lost_packets > 0
                               ? 100.0 * static_cast<double>(sum.lost_packets) / static_cast<double>(total)
                               : 0.0;
        line(row("[SUM]", r, 0.0, rt, sum.received_bytes, rate_of(sum.received_bytes, rt), fmt_char,
                 tail_udp(sum.jitter_ms, sum.lost_packets, sum.receiver_packets, pct, "receiver")));
      }
    } else {
      if (!server || sum.sender_known) {
        line(row("[SUM]", r, 0.0, st, sum.sent_bytes, rate_of(sum.sent_bytes, st), fmt_char,
                 sum.has_retransmits ? tail_retr(sum.retransmits, "sender") : tail_plain("sender")));
      } else if (verbose) {
        line("[SUM] (sender statistics not available)");
      }
      if (!server || sum.receiver_known) {
        line(row("[SUM]", r, 0.0, rt, sum.received_bytes, rate_of(sum.received_bytes, rt), fmt_char,
                 tail_plain("receiver")));
      } else if (verbose) {
        line("[SUM] (receiver statistics not available)");
      }
    }
  }

  // iperf3 prints these inside its per-direction loop, so with --bidir they
  // come after each direction's lines.
  if (verbose) {
    const CpuUtilization& c = end.cpu;
    auto cpu_line = [&](bool local_is_sender) {
      line(fmt::format(
          "CPU Utilization: local/{} {:.1f}% ({:.1f}%u/{:.1f}%s), remote/{} {:.1f}% ({:.1f}%u/{:.1f}%s)",
          local_is_sender ? "sender" : "receiver", c.host_total, c.host_user, c.host_system,
          local_is_sender ? "receiver" : "sender", c.remote_total, c.remote_user, c.remote_system));
    };
    if (local_sender) {
      cpu_line(true);
      if (bidir) cpu_line(false);
    }
    if (!udp) {
      // sender_/receiver_congestion name the client->server direction's
      // ends (client, server); a server->client group swaps them.
      const std::string& snd = forward ? end.sender_congestion : end.receiver_congestion;
      const std::string& rcv = forward ? end.receiver_congestion : end.sender_congestion;
      if (!snd.empty()) line(fmt::format("snd_tcp_congestion {}", snd));
      if (!rcv.empty()) line(fmt::format("rcv_tcp_congestion {}", rcv));
    }
  }

  // --get-server-output: iperf3 prints it once, in the first direction's pass.
  const bool first_group = !bidir || forward;
  if (!server && first_group) {
    if (end.server_output_json && !end.server_output_json->empty())
      print(fmt::format("\nServer JSON output:\n{}\n", *end.server_output_json));
    if (!end.server_output_text.empty()) print(fmt::format("\nServer output:\n{}\n", end.server_output_text));
  }
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
  if (!options_.is_server && !error_seen_) {
    print("\n");
    print("iperf Done.\n");
  }
  if (!pending_.empty()) print_raw("\n");  // never leave a partial line behind
  reset_test();
}

}  // namespace nperf::report
