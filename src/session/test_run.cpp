#include "nperf/session/test_run.hpp"

#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "nperf/engine/tcp_calls.hpp"
#include "nperf/net/affinity.hpp"
#include "nperf/net/host_identity.hpp"
#include "nperf/net/path_probe.hpp"
#include "nperf/net/socket_options.hpp"
#include "nperf/session/errors.hpp"
#include "nperf/stats/end_report.hpp"

namespace nperf::session {

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
    if (spec.protocol == Protocol::kTcp)
      p.call_len = engine::tcp_call_len(p.block_len, spec.call_len, p.rate_bps, p.burst);
    p.zerocopy = spec.zerocopy;          // used by TCP senders only
    p.skip_rx_copy = spec.skip_rx_copy;  // used by TCP receivers only
    p.read_watermark = !p.sender && spec.bytes == 0 && spec.blocks == 0;
    if (spec.protocol == Protocol::kTcp) p.data_file = spec.data_file;
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

std::unique_ptr<engine::Engine> make_stream_engine(std::vector<engine::StreamPlan> plans) {
  return std::make_unique<engine::StreamEngine>(std::move(plans));
}

}  // namespace

TestRun::TestRun(const TestSpec& spec, std::vector<DataStream> streams, bool quota_owner,
                 uint64_t stream_rate_cap, const MakeEngine& make_engine)
    : spec_(spec),
      quota_owner_(quota_owner),
      engine_((make_engine ? make_engine
                           : make_stream_engine)(make_plans(spec, streams, quota_owner, stream_rate_cap))),
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
    // The path as the first data connection sees it, until the session names
    // the control connection (use_control_connection).
    path_.local = net::local_endpoint(streams.front().fd);
    path_.peer = net::peer_endpoint(streams.front().fd);
    if (path_.peer.known()) path_.device = net::route_device(path_.peer);
  }
}

void TestRun::use_control_connection(int control_fd) {
  protocol::Endpoint local = net::local_endpoint(control_fd);
  protocol::Endpoint peer = net::peer_endpoint(control_fd);
  if (!local.known() || !peer.known()) return;  // a fake or closed socket: keep the data connection's
  // The same peer address is the same route: the constructor's lookup stands.
  const bool same_route = path_.device.known() && peer.address == path_.peer.address;
  path_.local = std::move(local);
  path_.peer = std::move(peer);
  if (!same_route) path_.device = net::route_device(path_.peer);
}

TestRun::~TestRun() {
  join();
}

UdpCounters TestRun::udp_sample(size_t i) const {
  const engine::StreamCounters& c = engine_->counters(i);
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
  const engine::StreamCounters& c = engine_->counters(i);
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
    const engine::StreamCounters& c = engine_->counters(i);
    r.bytes.push_back(c.bytes.load(std::memory_order_relaxed));
    r.tcp.push_back(spec_.protocol == Protocol::kTcp ? net::read_tcp_info(engine_->plan(i).fd)
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
  path_.conntrack_before = net::read_conntrack();
  Readings r = read_all(now, true);
  for (size_t i = 0; i < trackers_.size(); ++i) {
    trackers_[i].start(now, 0, iperf_tcp(i, r.tcp[i]));
    evidence_[i].start(std::move(r.evidence[i]));
  }
  engine_->start();
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
    if (!infos_[i].sender) engine_->request_jitter_reset(i);
    trackers_[i].start(now, r.bytes[i], iperf_tcp(i, r.tcp[i]), r.udp[i]);
    evidence_[i].start(std::move(r.evidence[i]));
  }
}

void TestRun::stop(double now) {
  if (stopped_) return;
  stopped_ = true;
  // Receivers first: their byte counts (and UDP statistics) are final once
  // they are joined, including what had arrived but was not yet read.
  engine_->finish_receivers();
  Readings r = read_all(now);
  for (size_t i = 0; i < trackers_.size(); ++i) {
    trackers_[i].finish(now, r.bytes[i], iperf_tcp(i, r.tcp[i]), r.udp[i]);
    evidence_[i].finish(std::move(r.evidence[i]));
  }
  cpu_usage_.finish(&cpu_);
  path_.conntrack_after = net::read_conntrack();
  engine_->request_stop();
}

void TestRun::join() {
  engine_->stop();
  engine_->close_sockets();
}

bool TestRun::send_queues_drained() const {
  if (spec_.protocol != Protocol::kTcp) return true;
  for (size_t i = 0; i < engine_->size(); ++i)
    if (engine_->plan(i).sender && net::unacknowledged_bytes(engine_->plan(i).fd) > 0) return false;
  return true;
}

uint64_t TestRun::bytes_received() const {
  uint64_t total = 0;
  for (size_t i = 0; i < engine_->size(); ++i)
    if (!engine_->plan(i).sender) total += engine_->counters(i).bytes.load(std::memory_order_relaxed);
  return total;
}

uint64_t TestRun::bytes_moved() const {
  uint64_t total = 0;
  for (size_t i = 0; i < engine_->size(); ++i)
    total += engine_->counters(i).bytes.load(std::memory_order_relaxed);
  return total;
}

uint64_t TestRun::blocks_received() const {
  uint64_t total = 0;
  for (size_t i = 0; i < engine_->size(); ++i)
    if (!engine_->plan(i).sender) total += engine_->counters(i).blocks.load(std::memory_order_relaxed);
  return total;
}

std::string TestRun::failure() const {
  for (size_t i = 0; i < engine_->size(); ++i) {
    std::string e = engine_->error(i);
    if (!e.empty()) return fmt::format("stream {}: {}", infos_[i].id, e);
  }
  return "";
}

bool TestRun::all_receivers_closed() const {
  bool any = false;
  for (size_t i = 0; i < engine_->size(); ++i) {
    if (engine_->plan(i).sender) continue;
    any = true;
    if (!engine_->counters(i).finished.load(std::memory_order_acquire)) return false;
  }
  return any;
}

std::string TestRun::congestion_used() const {
  return congestion_;
}

LocalTestTotals TestRun::totals() const {
  LocalTestTotals t;
  t.protocol = spec_.protocol;
  t.direction = spec_.direction;
  t.omit_s = spec_.omit_s;
  t.rate_bps = spec_.rate_bps;
  t.fq_rate_bps = spec_.fq_rate_bps;
  t.boot_id = net::boot_id();
  t.path = path_;
  t.is_server = !quota_owner_;
  for (size_t i = 0; i < trackers_.size(); ++i)
    t.streams.push_back({&trackers_[i], evidence_[i].total(), pinned_[i],
                         std::vector<int>(cpus_seen_[i].begin(), cpus_seen_[i].end())});
  t.cpu = cpu_;
  t.buffers = buffers_;
  t.congestion = congestion_;
  t.peer_jitter_s = peer_jitter_;
  return t;
}

protocol::TestResults TestRun::local_results() const {
  return nperf::local_results(totals());
}

EndReport TestRun::end_report(const protocol::TestResults* peer, bool peer_results_follow) const {
  EndReport end;
  try {
    end = nperf::end_report(totals(), peer, peer_results_follow);
  } catch (const UnknownPeerStream& e) {
    throw SessionError(e.what(), kIeStreamId);
  }
  // A UDP sender echoes the receiver's jitter in its own results.
  for (const auto& e : end.streams)
    if (e.udp && e.info.sender) peer_jitter_[e.info.id] = e.jitter_ms / 1000;
  // -F: the file's size now, as iperf3 fstat()s it (a receiver's is what it wrote).
  if (!spec_.data_file.empty() && spec_.protocol == Protocol::kTcp) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(spec_.data_file, ec);
    if (!ec) end.data_file = DataFileFigures{spec_.data_file, static_cast<int64_t>(size)};
  }
  return end;
}

}  // namespace nperf::session
