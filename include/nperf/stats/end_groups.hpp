#pragma once
// The directions of a test's end as every reporter lays them out (text, -J,
// --csv): built once here, so the reporters only format them.
#include <vector>

#include "nperf/stats/report_model.hpp"

namespace nperf {

struct EndGroup {
  bool forward = true;                    // client -> server
  bool local_sends = false;               // this host sends in this direction
  bool udp = false;                       // the test is UDP
  std::vector<const EndStream*> streams;  // this direction's streams (outside --bidir: all)
  EndSum sum;                             // this direction's sum
  bool loss_known = true;                 // UDP: no stream's loss is unknown (lost_packets -1)
};

// Whether the end report is UDP; udp_test: the parameters said so (a test
// may end before its streams exist).
bool end_is_udp(const EndReport& end, bool udp_test);

// In print order: client->server first; one group outside --bidir. The
// reporter's side (is_server) decides who sends where no stream tells.
std::vector<EndGroup> end_groups(const EndReport& end, bool is_server, bool udp_test);

}  // namespace nperf
