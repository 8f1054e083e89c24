#pragma once
// iperf3's human-readable layout, line for line (see docs/iperf3 text layout).
#include <functional>
#include <string>
#include <string_view>

#include "nperf/config/side.hpp"
#include "nperf/report/reporter.hpp"
#include "nperf/stats/end_groups.hpp"

namespace nperf::report {

using LineSink = std::function<void(std::string_view)>;  // receives whole lines ending in '\n'

// iperf3's stderr wording, each ending in '\n' (the CSV reporter writes the
// same lines): "warning: …"; "nperf: interrupt - …" for a signal and
// "nperf: error - …" for every other fatal error.
std::string warning_line(std::string_view message);
std::string error_line(std::string_view message);

struct TextOptions {
  char format = 'a';          // -f: a (adaptive bits) k m g t (bits) K M G T (bytes)
  bool verbose = false;       // -V
  Role role = Role::kClient;  // which end prints (Side in config/side.hpp derives the rest)
  std::string title;          // -T: client lines are prefixed "title:  "
  // Server with -V: printed before each listening banner (iperf3 prints its
  // version and uname there).
  std::string server_preamble;
  // --timestamps: the prefix for one print call (iperf3: strftime of now,
  // before the title); also in front of warnings and errors. Null when off.
  std::function<std::string()> timestamp;
  // A server on several ports: the banner names them all ("5101-5103"); "" = the one port.
  std::string listening_ports;
};

class TextReporter : public Reporter {
 public:
  TextReporter(TextOptions options, LineSink out, LineSink err);
  void on_server_listening(int port, int test_number) override;
  void on_connected(const TestStartInfo& start) override;
  void on_stream_connected(const StreamInfo& stream) override;
  void on_test_start(const TestStartInfo& start) override;
  void on_interval(const IntervalReport& interval) override;
  void on_end(const EndReport& end) override;
  void on_warning(const std::string& message) override;
  void on_error(const std::string& message) override;
  void on_finish() override;

 private:
  void line(std::string_view text);  // applies the title prefix, adds '\n'
  // One iperf3 print call: the client's title prefix goes in front of the
  // call's text once (not of every line it contains); `text` may hold several
  // lines or none. Complete lines go to `out_`, a partial one waits.
  void print(std::string_view text);
  void print_raw(std::string_view text);  // a plain printf() in iperf3: no title
  void print_interval_group(const IntervalReport& interval, bool forward, bool multi);
  void print_placement(const EndReport& end);
  void print_loss_attribution(const EndReport& end);
  void print_verdict(const EndReport& end);
  void print_overlap(const EndReport& end);
  void print_path(const EndReport& end);
  // The end of a test (text_end.cpp): one direction's lines.
  void print_end_group(const EndReport& end, const EndGroup& group, bool multi);
  void print_end_stream(const EndStream& s, const std::string& role, bool udp,
                        const std::optional<DataFileFigures>& file);
  void print_end_sum(const EndGroup& group, const std::string& role);
  void print_cpu_and_congestion(const EndReport& end, const EndGroup& group);
  std::string stamp() const { return options_.timestamp ? options_.timestamp() : std::string(); }
  bool local_sends(bool forward) const { return Side{options_.role}.local_sends(forward); }
  std::string role(bool local_sender) const;
  void reset_test();

  TextOptions options_;
  LineSink out_, err_;
  Direction direction_ = Direction::kForward;
  int intervals_printed_ = 0;
  Protocol protocol_ = Protocol::kTcp;
  int parallel_ = 0;         // -P: streams per direction (0 until known)
  double duration_s_ = 0;    // -t (0 for -n / -k tests)
  bool error_seen_ = false;  // no "iperf Done." after an error
  std::string pending_;      // output not yet ending in '\n'
};

}  // namespace nperf::report
