#pragma once
// The command line's second half: CLI11 fills RawOptions with the text as
// given (options.cpp), these checks turn it into a Config or say what is wrong.
#include <optional>
#include <string>
#include <vector>

#include "nperf/config/config.hpp"

namespace nperf::cli {

// Raw option text; suffixes and cross-option rules are checked after CLI11 ran.
struct RawOptions {
  bool server = false;
  std::string client_host;
  std::string time, bytes, blocks, length, window, bitrate, affinity, format;
  bool reverse = false, bidir = false;
  bool ipv4 = false, ipv6 = false;
  bool version = false;
  bool udp = false;
  bool gsro = false;
  std::string server_limit;
  std::optional<std::string> keepalive;
  std::optional<std::string> check;  // --check[=HOST]; "" without HOST
  std::string check_host;            // HOST as a positional: `nperf --check -J HOST`
  bool force_flush = false;          // accepted for iperf3's command lines; every line is flushed anyway
  std::string pidfile;
  std::string port;                      // -p: one port, or (server) a list and ranges
  std::string data_file;                 // -F
  bool mptcp = false;                    // -m
  std::optional<std::string> flowlabel;  // -L (given empty is an error, as in iperf3)
  std::string tos, dscp, fq_rate;
  bool no_fq_pacing = false;  // --no-fq-socket-pacing (deprecated in iperf3): --fq-rate 0
  std::string bind, bind_device;
  std::string pacing_timer;
  bool skew_given = false;               // --time-skew-threshold given (its default is not "given")
  std::vector<std::string> unsupported;  // iperf3 options nperf does not implement, as given
};

inline constexpr const char* kDefaultTimestampFormat = "%c ";  // iperf3's

// -F FILE (data_file_check.cpp): TCP only, one stream one way; without
// -t/-n/-k the file's size is the test's byte count, as in iperf3.
std::string check_data_file(const RawOptions& raw, Config& c);

// Returns an error message, or "" when the options make sense together.
std::string finish(const RawOptions& raw, Config& c);
// --check runs no test: only the route's HOST, -4/-6 and -J mean something.
std::string finish_check(const RawOptions& raw, Config& c);

}  // namespace nperf::cli
