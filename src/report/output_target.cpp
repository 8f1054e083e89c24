#include "nperf/report/output_target.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace nperf::report {
namespace {

void write_flushed(std::FILE* file, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), file);
  std::fflush(file);
}

}  // namespace

std::unique_ptr<OutputTarget> OutputTarget::open(const std::string& logfile, std::string* error) {
  if (logfile.empty()) return std::unique_ptr<OutputTarget>(new OutputTarget(stdout, stderr, false));
  std::FILE* file = std::fopen(logfile.c_str(), "a");
  if (!file) {
    *error = fmt::format("unable to open log file '{}': {}", logfile, std::strerror(errno));
    return nullptr;
  }
  return std::unique_ptr<OutputTarget>(new OutputTarget(file, file, true));
}

OutputTarget::~OutputTarget() {
  if (owned_) std::fclose(out_);
}

LineSink OutputTarget::out() {
  return [file = out_](std::string_view text) { write_flushed(file, text); };
}

LineSink OutputTarget::err() {
  return [file = err_](std::string_view text) { write_flushed(file, text); };
}

std::string format_timestamp(const std::string& format, std::time_t when) {
  std::tm local{};
  localtime_r(&when, &local);
  char buffer[100];
  size_t n = std::strftime(buffer, sizeof buffer, format.c_str(), &local);
  return std::string(buffer, n);
}

}  // namespace nperf::report
