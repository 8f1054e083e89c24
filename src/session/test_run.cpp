#include "nperf/session/test_run.hpp"

#include <time.h>

#include <map>

#include <fmt/format.h>

#include "nperf/net/affinity.hpp"
#include "nperf/net/host_identity.hpp"
#include "nperf/net/socket_options.hpp"
#include "nperf/protocol/json_access.hpp"
#include "nperf/session/errors.hpp"
#include "nperf/stats/evidence_json.hpp"
#include "nperf/stats/verdict.hpp"

namespace nperf::session {

double monotonic_now() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

namespace {

std::vector<engine::StreamPlan> make_plans(const TestSpec& spec, const std::vector<DataStream>& streams,
                                           bool quota_owner, uint64_t stream_rate_cap) {
  int senders = 0;
  for (const auto& s : streams) senders += s.info.sender ? 1 : 0;
  std::vector<engine::StreamPlan> plans;
  int sender_index = 0;
  for (const auto& s : streams) {
    engine::StreamPlan p;
    p.fd = s.fd;
    p.sender = s.info.sender;
    p.block_len = spec.block_len;
    p.rate_bps = p.sender ? spec.rate_bps : 0;
    if (stream_rate_cap) {
      if (p.sender)
        p.rate_bps = p.rate_bps ? std::min(p.rate_bps, stream_rate_cap) : stream_rate_cap;
      else if (spec.protocol == Protocol::kTcp)
        p.rate_bps = stream_rate_cap;
    }
    p.cpu = s.cpu;
    p.udp = spec.protocol == Protocol::kUdp;
    p.udp_counters_64bit = spec.udp_counters_64bit;
    p.gso = spec.gso;
    p.repeating_payload = spec.repeating_payload;
    p.gro = spec.gro;
    p.burst = spec.burst;
    p.zerocopy = spec.zerocopy;          // used by TCP senders only
    p.skip_rx_copy = spec.skip_rx_copy;  // used by TCP receivers only
    p.read_watermark = !p.sender && spec.bytes == 0 && spec.blocks == 0;
    // -n/-k bound the senders: the client's, and the server's in a reverse
    // test (as iperf3's server stops sending at -n). With --bidir only the
    // client's senders count, as the client ends the test on its own bytes.
    const bool bounded = quota_owner || spec.direction == Direction::kReverse;
    if (bounded && p.sender && senders > 0) {
      // Split -n/-k evenly; the first streams take the remainder. Each stream
      // stops by itself, so the total is exact without a shared counter.
      auto share = [&](uint64_t total) {
        uint64_t base = total / static_cast<uint64_t>(senders);
        return base + (static_cast<uint64_t>(sender_index) < total % static_cast<uint64_t>(senders) ? 1 : 0);
      };
      if (spec.bytes) p.byte_quota = share(spec.bytes);
      if (spec.blocks) p.block_quota = std::max<uint64_t>(1, share(spec.blocks));
      ++sender_index;
    }
    plans.push_back(p);
  }
  return plans;
}

}  // namespace

TestRun::TestRun(const TestSpec& spec, std::vector<DataStream> streams, bool quota_owner,
                 uint64_t stream_rate_cap)
    : spec_(spec),
      quota_owner_(quota_owner),
      engine_(make_plans(spec, streams, quota_owner, stream_rate_cap)),
      cpus_seen_(streams.size()) {
  const bool tcp = spec.protocol == Protocol::kTcp;
  const bool udp = spec.protocol == Protocol::kUdp;
  // A process pinned to one core (-A N) pins every worker it starts: its
  // core's busy time is then the worker's CPU evidence too.
  const bool process_pinned = net::sole_allowed_cpu() >= 0;
  for (const auto& s : streams) {
    infos_.push_back(s.info);
    pinned_.push_back(s.cpu);
    trackers_.emplace_back(s.info, tcp && s.info.sender, udp);
    evidence_.emplace_back(s.info.sender, tcp, udp, s.cpu >= 0 || process_pinned);
  }
  if (!streams.empty()) {
    congestion_ = net::read_congestion(streams.front().fd);
    buffers_ = net::describe_buffers(streams.front().fd, static_cast<int64_t>(spec.window));
  }
}

TestRun::~TestRun() {
  join();
}

UdpCounters TestRun::udp_sample(size_t i) const {
  const engine::StreamCounters& c = engine_.counters(i);
  UdpCounters u;
  u.packets = c.packets.load(std::memory_order_relaxed);
  u.lost = c.lost.load(std::memory_order_relaxed);
  u.out_of_order = c.out_of_order.load(std::memory_order_relaxed);
  u.jitter_s = c.jitter_s.load(std::memory_order_relaxed);
  u.host_drops = c.host_drops.load(std::memory_order_relaxed);
  return u;
}

TcpInfoSample TestRun::iperf_tcp(size_t i, const TcpInfoSample& raw) const {
  return trackers_[i].has_tcp_info() ? raw : TcpInfoSample{};
}

ThreadCpuSample TestRun::thread_cpu(size_t i, bool at_start) const {
  // Before the workers start, each has used no CPU yet.
  if (at_start) return ThreadCpuSample{true, 0, 0, -1, 0};
  const engine::StreamCounters& c = engine_.counters(i);
  pid_t tid = c.tid.load(std::memory_order_relaxed);
  ThreadCpuSample t = tid ? net::read_thread_cpu(tid) : ThreadCpuSample{};
  if (!t.valid && c.finished.load(std::memory_order_acquire) &&
      c.exit_user_s.load(std::memory_order_relaxed) >= 0) {
    // The worker is gone from /proc; it left its totals behind.
    t = ThreadCpuSample{
        true, c.exit_user_s.load(std::memory_order_relaxed), c.exit_system_s.load(std::memory_order_relaxed),
        c.exit_cpu.load(std::memory_order_relaxed), c.exit_wait_s.load(std::memory_order_relaxed)};
  }
  return t;
}

TestRun::Readings TestRun::read_all(double now, bool at_start) {
  Readings r;
  CoreTimes cores = net::read_core_times();
  for (size_t i = 0; i < trackers_.size(); ++i) {
    const engine::StreamCounters& c = engine_.counters(i);
    r.bytes.push_back(c.bytes.load(std::memory_order_relaxed));
    r.tcp.push_back(spec_.protocol == Protocol::kTcp ? net::read_tcp_info(engine_.plan(i).fd)
                                                     : TcpInfoSample{});
    r.udp.push_back(udp_sample(i));
    EvidenceReading e;
    e.now = now;
    e.tcp = r.tcp.back();
    e.thread = thread_cpu(i, at_start);
    if (e.thread.cpu < 0 && !at_start) e.thread.cpu = c.first_cpu.load(std::memory_order_relaxed);
    if (e.thread.cpu >= 0) cpus_seen_[i].insert(e.thread.cpu);
    e.cores = cores;
    e.host_drops = r.udp.back().host_drops;
    r.evidence.push_back(std::move(e));
  }
  return r;
}

void TestRun::start(double now) {
  omitting_ = spec_.omit_s > 0;
  cpu_usage_.start();
  Readings r = read_all(now, true);
  for (size_t i = 0; i < trackers_.size(); ++i) {
    trackers_[i].start(now, 0, iperf_tcp(i, r.tcp[i]));
    evidence_[i].start(std::move(r.evidence[i]));
  }
  engine_.start();
}

IntervalReport TestRun::sample(double now) {
  IntervalReport report;
  Readings r = read_all(now);
  std::vector<bool> forward, reverse;
  for (size_t i = 0; i < trackers_.size(); ++i) {
    IntervalStream s = trackers_[i].sample(now, r.bytes[i], iperf_tcp(i, r.tcp[i]), omitting_, r.udp[i]);
    s.cpu = cpus_seen_[i].empty() ? -1 : *cpus_seen_[i].rbegin();
    if (r.evidence[i].thread.cpu >= 0) s.cpu = r.evidence[i].thread.cpu;
    s.evidence = evidence_[i].interval(std::move(r.evidence[i]));
    report.streams.push_back(s);
    forward.push_back(infos_[i].forward);
    reverse.push_back(!infos_[i].forward);
  }
  if (spec_.direction == Direction::kBidir) {
    report.sum = sum_interval(report.streams, forward);
    report.sum_reverse = sum_interval(report.streams, reverse);
  } else {
    report.sum = sum_interval(report.streams, std::vector<bool>(report.streams.size(), true));
  }
  return report;
}

void TestRun::end_omit(double now) {
  omitting_ = false;
  cpu_usage_.start();
  Readings r = read_all(now);
  for (size_t i = 0; i < trackers_.size(); ++i) {
    // iperf3 restarts the jitter estimate after the omit period.
    if (!infos_[i].sender) engine_.request_jitter_reset(i);
    trackers_[i].start(now, r.bytes[i], iperf_tcp(i, r.tcp[i]), r.udp[i]);
    evidence_[i].start(std::move(r.evidence[i]));
  }
}

void TestRun::stop(double now) {
  if (stopped_) return;
  stopped_ = true;
  // Receivers first: their byte counts (and UDP statistics) are final once
  // they are joined, including what had arrived but was not yet read.
  engine_.finish_receivers();
  Readings r = read_all(now);
  for (size_t i = 0; i < trackers_.size(); ++i) {
    trackers_[i].finish(now, r.bytes[i], iperf_tcp(i, r.tcp[i]), r.udp[i]);
    evidence_[i].finish(std::move(r.evidence[i]));
  }
  cpu_usage_.finish(&cpu_);
  engine_.request_stop();
}

void TestRun::join() {
  engine_.stop();
  engine_.close_sockets();
}

bool TestRun::send_queues_drained() const {
  if (spec_.protocol != Protocol::kTcp) return true;
  for (size_t i = 0; i < engine_.size(); ++i)
    if (engine_.plan(i).sender && net::unacknowledged_bytes(engine_.plan(i).fd) > 0) return false;
  return true;
}

uint64_t TestRun::bytes_received() const {
  uint64_t total = 0;
  for (size_t i = 0; i < engine_.size(); ++i)
    if (!engine_.plan(i).sender) total += engine_.counters(i).bytes.load(std::memory_order_relaxed);
  return total;
}

uint64_t TestRun::blocks_received() const {
  uint64_t total = 0;
  for (size_t i = 0; i < engine_.size(); ++i)
    if (!engine_.plan(i).sender) total += engine_.counters(i).blocks.load(std::memory_order_relaxed);
  return total;
}

std::string TestRun::failure() const {
  for (size_t i = 0; i < engine_.size(); ++i) {
    std::string e = engine_.error(i);
    if (!e.empty()) return fmt::format("stream {}: {}", infos_[i].id, e);
  }
  return "";
}

bool TestRun::all_receivers_closed() const {
  bool any = false;
  for (size_t i = 0; i < engine_.size(); ++i) {
    if (engine_.plan(i).sender) continue;
    any = true;
    if (!engine_.counters(i).finished.load(std::memory_order_acquire)) return false;
  }
  return any;
}

std::string TestRun::congestion_used() const {
  return congestion_;
}

protocol::TestResults TestRun::local_results() const {
  protocol::TestResults r;
  r.cpu_total = cpu_.host_total;
  r.cpu_user = cpu_.host_user;
  r.cpu_system = cpu_.host_system;
  bool any_sender = false, tcp_info = false;
  for (size_t i = 0; i < trackers_.size(); ++i) {
    const StreamTracker& t = trackers_[i];
    any_sender = any_sender || infos_[i].sender;
    tcp_info = tcp_info || t.has_tcp_info();
    protocol::StreamResult s;
    s.id = infos_[i].id;
    s.bytes = t.measured_bytes();
    s.retransmits = t.has_tcp_info() ? t.retransmits() : -1;
    s.omitted_errors = 0;
    s.omitted_packets = 0;
    s.end_time = t.measured_seconds();
    if (t.udp()) {
      const UdpCounters& start = t.udp_at_start();
      const UdpCounters& end = t.udp_at_end();
      s.packets = static_cast<int64_t>(end.packets);
      s.omitted_packets = static_cast<int64_t>(start.packets);
      if (infos_[i].sender) {
        // A sender echoes what the receiving peer told it (nothing yet on the client).
        s.jitter_s = peer_jitter_.count(s.id) ? peer_jitter_.at(s.id) : 0;
      } else {
        s.jitter_s = end.jitter_s;
        s.errors = static_cast<int64_t>(end.lost);
        s.omitted_errors = static_cast<int64_t>(start.lost);
      }
    }
    r.streams.push_back(s);
  }
  // nperf's extension: this end's evidence, so the peer can draw a verdict
  // from both halves (iperf3 ignores the key).
  nlohmann::ordered_json ext = nlohmann::ordered_json::object();
  ext["buffers"] = buffers_to_json(buffers_);
  // The kernel's boot id: equal at both ends means one host's CPU served both.
  if (std::string id = net::boot_id(); !id.empty()) ext["boot_id"] = id;
  ext["streams"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < evidence_.size(); ++i)
    ext["streams"].push_back({{"id", infos_[i].id}, {"evidence", evidence_to_json(evidence_[i].total())}});
  r.nperf = std::move(ext);
  r.sender_has_retransmits = !any_sender ? -1 : (tcp_info ? 1 : 0);
  if (spec_.protocol == Protocol::kUdp && any_sender) r.sender_has_retransmits = 0;
  if (spec_.protocol == Protocol::kTcp && !congestion_.empty()) r.congestion_used = congestion_;
  return r;
}

void TestRun::fill_udp(const StreamTracker& t, const protocol::StreamResult* remote, EndStream* e) const {
  e->udp = true;
  const UdpCounters& start = t.udp_at_start();
  const UdpCounters& end = t.udp_at_end();
  if (e->info.sender) {
    e->sender_packets = end.packets - start.packets;
    if (remote) {
      e->receiver_packets =
          static_cast<uint64_t>(std::max<int64_t>(0, remote->packets - remote->omitted_packets.value_or(0)));
      // A pre-3.14 peer sends no omitted counts: with omit, its loss after omit is unknown.
      e->lost_packets = remote->omitted_errors
                            ? remote->errors - *remote->omitted_errors
                            : (spec_.omit_s > 0 && remote->errors > 0 ? -1 : remote->errors);
      e->jitter_ms = remote->jitter_s * 1000;
    }
  } else {
    e->receiver_packets = end.packets - start.packets;
    e->lost_packets = static_cast<int64_t>(end.lost - start.lost);
    e->out_of_order = static_cast<int64_t>(end.out_of_order - start.out_of_order);
    e->jitter_ms = end.jitter_s * 1000;
    e->host_dropped = static_cast<int64_t>(end.host_drops - start.host_drops);
    if (remote)
      e->sender_packets =
          static_cast<uint64_t>(std::max<int64_t>(0, remote->packets - remote->omitted_packets.value_or(0)));
  }
}

EndReport TestRun::end_report(const protocol::TestResults* peer, bool peer_results_follow) const {
  EndReport end;
  end.is_server = !quota_owner_;
  end.direction = spec_.direction;
  end.cpu = cpu_;
  if (peer) {
    end.cpu.remote_total = peer->cpu_total;
    end.cpu.remote_user = peer->cpu_user;
    end.cpu.remote_system = peer->cpu_system;
  }
  for (size_t i = 0; i < trackers_.size(); ++i) {
    const StreamTracker& t = trackers_[i];
    EndStream e;
    e.info = infos_[i];
    e.pinned_cpu = pinned_[i];
    e.cpus_seen.assign(cpus_seen_[i].begin(), cpus_seen_[i].end());
    const protocol::StreamResult* remote = nullptr;
    if (peer) {
      for (const auto& r : peer->streams)
        if (r.id == e.info.id) remote = &r;
      if (!remote)
        throw SessionError(fmt::format("the peer's results have no stream with id {}", e.info.id),
                           kIeStreamId);
    }
    if (e.info.sender) {
      e.sender_known = true;
      e.sent_bytes = t.measured_bytes();
      e.sender_seconds = t.measured_seconds();
      e.has_retransmits = t.has_tcp_info();
      e.retransmits = t.retransmits();
      e.max_snd_cwnd = t.max_snd_cwnd();
      e.max_snd_wnd = t.max_snd_wnd();
      e.max_rtt = t.max_rtt();
      e.min_rtt = t.min_rtt();
      e.mean_rtt = t.mean_rtt();
      if (remote) {
        e.receiver_known = true;
        e.received_bytes = remote->bytes;
        e.receiver_seconds = remote->end_time - remote->start_time;
      }
    } else {
      e.receiver_known = true;
      e.received_bytes = t.measured_bytes();
      e.receiver_seconds = t.measured_seconds();
      if (remote) {
        e.sender_known = true;
        e.sent_bytes = remote->bytes;
        e.sender_seconds = remote->end_time - remote->start_time;
        e.has_retransmits = peer->sender_has_retransmits == 1 && remote->retransmits >= 0;
        e.retransmits = e.has_retransmits ? remote->retransmits : 0;
      }
    }
    if (t.udp()) fill_udp(t, remote, &e);
    end.streams.push_back(e);
  }
  // iperf3 uses the first stream's durations for every stream of a direction.
  for (bool forward : {true, false}) {
    const EndStream* first = nullptr;
    for (auto& e : end.streams) {
      if (e.info.forward != forward) continue;
      if (!first) {
        first = &e;
        continue;
      }
      e.sender_seconds = first->sender_seconds;
      e.receiver_seconds = first->receiver_seconds;
    }
  }
  // Outside --bidir every stream goes one way and `sum` covers them all.
  end.sum = sum_streams(end.streams, spec_.direction != Direction::kReverse);
  if (spec_.direction == Direction::kBidir) end.sum_reverse = sum_streams(end.streams, false);
  for (const auto& e : end.streams)
    if (e.udp && e.info.sender) peer_jitter_[e.info.id] = e.jitter_ms / 1000;
  // A stream's direction matches its local role exactly on the client.
  bool local_is_client = !infos_.empty() && infos_.front().forward == infos_.front().sender;
  std::string remote_cc = peer ? peer->congestion_used : "";
  if (spec_.protocol == Protocol::kTcp) {
    end.sender_congestion = local_is_client ? congestion_ : remote_cc;
    end.receiver_congestion = local_is_client ? remote_cc : congestion_;
  }
  attach_evidence(&end, peer, peer_results_follow);
  return end;
}

void TestRun::attach_evidence(EndReport* end, const protocol::TestResults* peer,
                              bool peer_results_follow) const {
  end->local_buffers = buffers_;
  std::map<int, StreamEvidence> remote;
  bool same_host = false;
  if (peer && peer->nperf.is_object()) {
    const auto* boot = protocol::find_key(peer->nperf, "boot_id");
    same_host =
        boot && boot->is_string() && !net::boot_id().empty() && boot->get<std::string>() == net::boot_id();
    // The peer's half (nperf peers only); anything malformed is simply unknown.
    if (const auto* b = protocol::find_key(peer->nperf, "buffers"))
      end->remote_buffers = buffers_from_json(*b);
    const auto* list = protocol::find_key(peer->nperf, "streams");
    if (list && list->is_array()) {
      for (const auto& x : *list) {
        const auto* id = x.is_object() ? protocol::find_key(x, "id") : nullptr;
        const auto* ev = x.is_object() ? protocol::find_key(x, "evidence") : nullptr;
        if (id && id->is_number_integer() && ev) remote[id->get<int>()] = evidence_from_json(*ev);
      }
    }
  }
  std::vector<Verdict> verdicts;
  for (size_t i = 0; i < end->streams.size() && i < evidence_.size(); ++i) {
    EndStream& e = end->streams[i];
    e.local_evidence = evidence_[i].total();
    if (auto it = remote.find(e.info.id); it != remote.end()) e.remote_evidence = it->second;
    const bool local_sends = e.info.sender;
    if (e.udp && local_sends && e.remote_evidence.known) e.host_dropped = e.remote_evidence.host_drops;
    StreamFacts f;
    f.udp = e.udp;
    f.seconds = e.receiver_known && e.receiver_seconds > 0 ? e.receiver_seconds : e.sender_seconds;
    f.sent_known = e.sender_known;
    f.sent_bytes = e.sent_bytes;
    f.received_known = e.receiver_known;
    f.received_bytes = e.received_bytes;
    f.target_bps = spec_.rate_bps;
    f.fq_rate_bps = spec_.fq_rate_bps;
    f.same_host = same_host;
    f.peer_half_pending = peer_results_follow;
    f.sender = local_sends ? e.local_evidence : e.remote_evidence;
    f.receiver = local_sends ? e.remote_evidence : e.local_evidence;
    f.sender_buffers = local_sends ? end->local_buffers : end->remote_buffers;
    f.receiver_buffers = local_sends ? end->remote_buffers : end->local_buffers;
    if (e.udp) {
      f.packets = static_cast<int64_t>(e.receiver_packets ? e.receiver_packets : e.sender_packets);
      f.lost = e.lost_packets;
      f.host_drops = e.host_dropped;
    }
    if (f.seconds <= 0 || (f.sent_bytes == 0 && f.received_bytes == 0)) continue;
    e.verdict = diagnose_stream(f);
    if (spec_.direction == Direction::kBidir) e.verdict->direction = e.info.forward ? 1 : -1;
    verdicts.push_back(*e.verdict);
  }
  if (!verdicts.empty()) end->verdict = diagnose_test(verdicts);
}

}  // namespace nperf::session
