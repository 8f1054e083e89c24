#include "nperf/protocol/frame.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace nperf::protocol {

uint32_t read_be32(std::span<const uint8_t, 4> b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

void write_be32(uint32_t v, std::span<uint8_t, 4> out) {
  out[0] = static_cast<uint8_t>(v >> 24);
  out[1] = static_cast<uint8_t>(v >> 16);
  out[2] = static_cast<uint8_t>(v >> 8);
  out[3] = static_cast<uint8_t>(v);
}

std::vector<uint8_t> encode_frame(std::string_view body) {
  std::vector<uint8_t> out(4 + body.size());
  write_be32(static_cast<uint32_t>(body.size()), std::span<uint8_t, 4>(out.data(), 4));
  std::copy(body.begin(), body.end(), out.begin() + 4);
  return out;
}

size_t FrameDecoder::bytes_wanted() const {
  if (status_ != Status::kNeedMore) return 0;
  if (header_have_ < 4) return 4 - header_have_;
  return length_ - body_.size();
}

FrameDecoder::Result FrameDecoder::feed(std::span<const uint8_t> bytes) {
  size_t used = 0;
  if (status_ != Status::kNeedMore) return {status_, 0};
  while (header_have_ < 4 && used < bytes.size()) header_[header_have_++] = bytes[used++];
  if (header_have_ < 4) return {status_, used};
  if (body_.empty() && length_ == 0) {
    length_ = read_be32(std::span<const uint8_t, 4>(header_, 4));
    // A length with the top bit set is what a signed reader would see as negative.
    if (length_ == 0 || length_ > max_length_) {
      error_ = fmt::format("JSON message length {} is outside 1..{}", length_, max_length_);
      status_ = Status::kError;
      return {status_, used};
    }
    // Grow with the data actually received: four bytes from a peer must not
    // buy a 4 MiB allocation.
    body_.reserve(std::min<uint32_t>(length_, 64 * 1024));
  }
  size_t take = std::min(bytes.size() - used, static_cast<size_t>(length_) - body_.size());
  body_.append(reinterpret_cast<const char*>(bytes.data() + used), take);
  used += take;
  if (body_.size() == length_) status_ = Status::kComplete;
  return {status_, used};
}

}  // namespace nperf::protocol
