#pragma once
// Where the client's password comes from, never the command line (it would
// show in ps and shell history): --password-file FILE (nperf only, e.g. a
// Kubernetes Secret mounted as a file), else the IPERF3_PASSWORD environment
// variable (iperf3's), else a prompt on the terminal with echo off (iperf3's
// "Password: "). No terminal and neither source: an error, not a hang.
#include <optional>
#include <string>

namespace nperf::auth {

inline constexpr size_t kMaxPasswordFileBytes = 4096;

// The file's content without one final "\n" or "\r\n" (echo adds one, a Secret does not).
std::optional<std::string> read_password_file(const std::string& path, std::string* error);

std::optional<std::string> obtain_password(const std::string& password_file, std::string* error);

}  // namespace nperf::auth
