#include "nperf/session/bitrate_window.hpp"

namespace nperf::session {

BitrateWindow::BitrateWindow(uint64_t limit_bps, double window_s, double start_s, uint64_t start_bytes)
    : limit_bps_(limit_bps), window_s_(window_s) {
  readings_.push_back({start_s, start_bytes});
}

bool BitrateWindow::exceeded(double now_s, uint64_t total_bytes) {
  // A counter that went backwards (a restart) counts from zero again.
  if (total_bytes < readings_.back().bytes) {
    readings_.clear();
    readings_.push_back({now_s, total_bytes});
    return false;
  }
  readings_.push_back({now_s, total_bytes});
  const double window_start = now_s - window_s_;
  // Keep the newest reading at or before the window's start as the base: the
  // span divided by is then at least window_s, never a shorter stretch that
  // a burst would fill.
  while (readings_.size() > 2 && readings_[1].at_s <= window_start) readings_.pop_front();
  const Reading& base = readings_.front();
  if (base.at_s > window_start) return false;  // less than a full window so far
  const double span = now_s - base.at_s;
  average_bps_ = static_cast<double>(total_bytes - base.bytes) * 8.0 / span;
  return average_bps_ > static_cast<double>(limit_bps_);
}

}  // namespace nperf::session
