// The end of a test in iperf3 3.12's text: the summary lines of each
// direction, -V's CPU and congestion lines, then nperf's own lines (worker
// placement, UDP loss attribution, the verdict).
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "nperf/report/end_figures.hpp"
#include "nperf/report/text_reporter.hpp"
#include "nperf/stats/end_groups.hpp"
#include "text_rows.hpp"

namespace nperf::report {

void TextReporter::on_end(const EndReport& end) {
  const bool bidir = direction_ == Direction::kBidir || end.direction == Direction::kBidir;
  if (bidir) direction_ = Direction::kBidir;
  const bool udp = end_is_udp(end, protocol_ == Protocol::kUdp);
  bool retr = end.sum.sender_known && end.sum.has_retransmits;
  if (end.sum_reverse) retr = retr || (end.sum_reverse->sender_known && end.sum_reverse->has_retransmits);
  int counts[2] = {0, 0};
  for (const EndStream& s : end.streams) {
    retr = retr || (s.sender_known && s.has_retransmits);
    ++counts[s.info.forward ? 1 : 0];
  }
  const bool multi = parallel_ > 0 ? parallel_ > 1 : (counts[0] > 1 || counts[1] > 1);

  line(kSeparator);
  if (options_.verbose) line("Test Complete. Summary Results:");
  line(header(bidir, udp ? kColsUdp : retr ? kColsRetr : ""));
  // --bidir: client->server streams first, [TX-C] on the client, [RX-S] on the server.
  for (const EndGroup& g : end_groups(end, Side{options_.role}.is_server(), protocol_ == Protocol::kUdp))
    print_end_group(end, g, multi);
  if (options_.verbose) print_placement(end);
  print_loss_attribution(end);
  print_verdict(end);
  print_path(end);
  print_overlap(end);
}

// nperf, beyond iperf3: NAT seen between the ends, then one "Path:" line
// (route devices, conntrack). docs/diagnosis.md, "The path".
void TextReporter::print_path(const EndReport& end) {
  if (!end.path) return;
  if (auto nat = find_nat(*end.path)) line(nat_sentence(*nat));
  std::string path = path_sentence(*end.path);
  if (!path.empty()) line(path);
}

// nperf: a server running tests at once says what ran beside this one, so a
// figure measured while sharing the host is not read as an exclusive one.
void TextReporter::print_overlap(const EndReport& end) {
  if (!end.overlap) return;
  const TestOverlap& o = *end.overlap;
  std::string cores = o.cores.empty() ? "" : fmt::format(", its streams on core {}", fmt::join(o.cores, ","));
  if (o.other_tests == 0) {
    line(fmt::format("Server test {} on port {}: no other test ran on the server during it{}", o.test_id,
                     o.port, cores));
    return;
  }
  line(fmt::format(
      "Server test {} on port {}: {} other test{} ran on the server during it, {}/sec in all{}{}", o.test_id,
      o.port, o.other_tests, o.other_tests == 1 ? "" : "s",
      format_rate(o.other_bits_per_second, options_.format), cores, o.cores_shared ? " (cores shared)" : ""));
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
                    Side{options_.role}.is_server() ? "client" : "server", peer.requested, peer.sndbuf,
                    peer.rcvbuf, peer.rcvbuf_clamped() ? "r" : "w", peer.requested));
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

void TextReporter::print_end_group(const EndReport& end, const EndGroup& g, bool multi) {
  const std::string r = role(g.local_sends);
  for (const EndStream* s : g.streams) print_end_stream(*s, r, g.udp, end.data_file);
  if (multi) print_end_sum(g, r);
  // iperf3 prints these inside its per-direction loop, so with --bidir they
  // come after each direction's lines.
  if (options_.verbose) print_cpu_and_congestion(end, g);

  // --get-server-output: iperf3 prints it once, in the first direction's pass.
  const bool first_group = direction_ != Direction::kBidir || g.forward;
  if (Side{options_.role}.is_client() && first_group) {
    if (end.server_output_json && !end.server_output_json->empty())
      print(fmt::format("\nServer JSON output:\n{}\n", *end.server_output_json));
    if (!end.server_output_text.empty()) print(fmt::format("\nServer output:\n{}\n", end.server_output_text));
  }
}

// One stream's sender and receiver lines.
void TextReporter::print_end_stream(const EndStream& s, const std::string& r, bool udp,
                                    const std::optional<DataFileFigures>& file) {
  const bool server = Side{options_.role}.is_server();
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
    line(row(tag, r, 0.0, st, s.sent_bytes, bits_per_second(s.sent_bytes, st), options_.format, tail));
  } else if (options_.verbose) {
    line(fmt::format("{} (sender statistics not available)", tag));
  }
  if (udp && s.out_of_order > 0)
    line(fmt::format("[SUM]{} {:4.1f}-{:4.1f} sec  {} datagrams received out-of-order", r, 0.0, st,
                     s.out_of_order));
  // -F, as iperf3: after the sender half (which a receiving server does not
  // print), what this end moved of its file.
  if (file) {
    const uint64_t moved = s.info.sender ? s.sent_bytes : s.received_bytes;
    line(fmt::format("        Sent {} / {} ({}%) of {}", format_bytes(static_cast<double>(moved)),
                     format_bytes(static_cast<double>(file->size)), file_percent(moved, file->size),
                     file->name));
  }
  // Receiver half.
  if (!server || s.receiver_known) {
    std::string tail;
    if (udp) {
      const double pct = lost_percent(s.lost_packets, s.receiver_packets);
      tail = tail_udp(s.jitter_ms, s.lost_packets, s.receiver_packets, pct, "receiver");
    } else {
      tail = tail_plain("receiver");
    }
    line(
        row(tag, r, 0.0, rt, s.received_bytes, bits_per_second(s.received_bytes, rt), options_.format, tail));
  } else if (options_.verbose) {
    line(fmt::format("{} (receiver statistics not available)", tag));
  }
}

// The [SUM] lines of one direction (-P > 1).
void TextReporter::print_end_sum(const EndGroup& g, const std::string& r) {
  const bool server = Side{options_.role}.is_server();
  const bool verbose = options_.verbose;
  const char fmt_char = options_.format;
  const bool local_sender = g.local_sends;
  const EndSum& sum = g.sum;
  const double st = sender_time(sum.sender_seconds, sum.receiver_seconds);
  const double rt = receiver_time(sum.sender_seconds, sum.receiver_seconds);
  if (g.udp) {
    // iperf3 has no "(statistics not available)" line for a UDP sum.
    if (!server || local_sender)
      line(row("[SUM]", r, 0.0, st, sum.sent_bytes, bits_per_second(sum.sent_bytes, st), fmt_char,
               tail_udp(0.0, 0, sum.sender_packets, 0.0, "sender")));
    if (!server || !local_sender) {
      const uint64_t total = sum.sender_packets ? sum.sender_packets : sum.receiver_packets;
      const double pct = lost_percent(sum.lost_packets, total);
      line(row("[SUM]", r, 0.0, rt, sum.received_bytes, bits_per_second(sum.received_bytes, rt), fmt_char,
               tail_udp(sum.jitter_ms, sum.lost_packets, sum.receiver_packets, pct, "receiver")));
    }
    return;
  }
  if (!server || sum.sender_known) {
    line(row("[SUM]", r, 0.0, st, sum.sent_bytes, bits_per_second(sum.sent_bytes, st), fmt_char,
             sum.has_retransmits ? tail_retr(sum.retransmits, "sender") : tail_plain("sender")));
  } else if (verbose) {
    line("[SUM] (sender statistics not available)");
  }
  if (!server || sum.receiver_known) {
    line(row("[SUM]", r, 0.0, rt, sum.received_bytes, bits_per_second(sum.received_bytes, rt), fmt_char,
             tail_plain("receiver")));
  } else if (verbose) {
    line("[SUM] (receiver statistics not available)");
  }
}

// -V: CPU utilization and the congestion control of one direction.
void TextReporter::print_cpu_and_congestion(const EndReport& end, const EndGroup& g) {
  const CpuUtilization& c = end.cpu;
  auto cpu_line = [&](bool local_is_sender) {
    line(fmt::format(
        "CPU Utilization: local/{} {:.1f}% ({:.1f}%u/{:.1f}%s), remote/{} {:.1f}% ({:.1f}%u/{:.1f}%s)",
        local_is_sender ? "sender" : "receiver", c.host_total, c.host_user, c.host_system,
        local_is_sender ? "receiver" : "sender", c.remote_total, c.remote_user, c.remote_system));
  };
  if (g.local_sends) {
    cpu_line(true);
    if (direction_ == Direction::kBidir) cpu_line(false);
  }
  if (g.udp) return;
  // sender_/receiver_congestion name the client->server direction's
  // ends (client, server); a server->client group swaps them.
  const std::string& snd = g.forward ? end.sender_congestion : end.receiver_congestion;
  const std::string& rcv = g.forward ? end.receiver_congestion : end.sender_congestion;
  if (!snd.empty()) line(fmt::format("snd_tcp_congestion {}", snd));
  if (!rcv.empty()) line(fmt::format("rcv_tcp_congestion {}", rcv));
}

}  // namespace nperf::report
