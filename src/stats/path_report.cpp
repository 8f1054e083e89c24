// The path in the end report: both ends' records, and conntrack trouble
// brought into the verdict (a table that dropped packets during the test is a
// cause of loss and retransmissions the hosts' own evidence cannot show).
#include "nperf/protocol/server_output_path.hpp"
#include "nperf/stats/end_report.hpp"
#include "nperf/stats/path_facts.hpp"

namespace nperf {

void attach_path(EndReport* end, const LocalTestTotals& local, const protocol::TestResults* peer) {
  PathReport p;
  p.is_server = local.is_server;
  p.local = local.path;
  if (peer && peer->nperf && peer->nperf->path.known()) {
    p.remote = peer->nperf->path;
  } else if (peer && !local.is_server) {
    // An iperf3 server: its --get-server-output names the address it accepted us from.
    p.remote = protocol::path_from_server_output(*peer);
    p.remote_from_server_output = p.remote.has_value();
  }
  if (!p.local.known() && !p.remote) return;
  if (end->verdict) {
    std::string conntrack = conntrack_sentence(p);
    if (!conntrack.empty()) {
      Verdict& v = *end->verdict;
      v.reason += "; " + conntrack;
      // Dropped flows lose packets the sender repairs: the network verdict's cause.
      if (v.cause == Bottleneck::kNetwork) v.reason += ", the likely cause of the loss";
      v.figures.push_back({"conntrack_trouble", 1});
    }
  }
  end->path = std::move(p);
}

}  // namespace nperf
