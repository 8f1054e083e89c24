// -F FILE, checked before the test so a missing or unreadable file is a
// parameter error (exit 2), not a failure after the server was reached.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "option_checks.hpp"

namespace nperf::cli {
namespace {

// The file a receiver will create or truncate: an existing file must be
// writable, a new one needs a writable directory.
std::string check_writable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return fmt::format("-F {}: is a directory", path);
    if (::access(path.c_str(), W_OK) != 0)
      return fmt::format("-F {}: cannot write: {}", path, std::strerror(errno));
    return "";
  }
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (::access(dir.c_str(), W_OK) != 0)
    return fmt::format("-F {}: cannot create it in {}: {}", path, dir.string(), std::strerror(errno));
  return "";
}

std::string check_readable(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fmt::format("-F {}: cannot read: {}", path, std::strerror(errno));
  struct stat st {};
  const bool directory = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  ::close(fd);
  return directory ? fmt::format("-F {}: is a directory", path) : "";
}

}  // namespace

std::string check_data_file(const RawOptions& raw, Config& c) {
  if (raw.data_file.empty()) return "";
  const std::string& path = raw.data_file;
  c.data_file = path;
  // A server sends from the file in reverse tests and writes into it in the
  // others; admission (session/admission.cpp) refuses tests it cannot serve.
  if (c.role == Role::kServer) {
    // -D: daemon(3) moves to "/" before the first test opens the file.
    if (c.daemon) c.data_file = std::filesystem::absolute(path).lexically_normal().string();
    if (::access(path.c_str(), F_OK) == 0) {
      if (::access(path.c_str(), R_OK) != 0 && ::access(path.c_str(), W_OK) != 0)
        return fmt::format("-F {}: neither readable nor writable", path);
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        return fmt::format("-F {}: is a directory", path);
      return "";
    }
    return check_writable(path);
  }
  TestSpec& s = c.spec;
  if (s.protocol != Protocol::kTcp)
    return "-F works with TCP only (UDP datagrams carry headers in their bytes)";
  if (raw.bidir) return "-F cannot be used with --bidir: the file would be read and written at once";
  if (s.parallel > 1) return "-F cannot be used with -P: the streams' bytes would interleave in one file";
  if (std::string error = raw.reverse ? check_writable(path) : check_readable(path); !error.empty())
    return error;
  s.data_file = path;
  // iperf3 (3.12, checked against its binary) makes the file's size the test's
  // byte count when no -t/-n/-k is given, whichever way the data goes.
  struct stat st {};
  if (raw.time.empty() && raw.bytes.empty() && raw.blocks.empty() && ::stat(path.c_str(), &st) == 0 &&
      S_ISREG(st.st_mode) && st.st_size > 0) {
    s.bytes = static_cast<uint64_t>(st.st_size);
    s.duration_s = 0;
  }
  return "";
}

}  // namespace nperf::cli
