#pragma once
// Length-prefixed JSON messages on the control channel: a 4-byte big-endian
// length followed by that many bytes of JSON text (no terminator).
// FrameDecoder is push-style: the session feeds it whatever bytes arrived and
// it says whether it needs more, has a whole message, or saw bad input.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nperf::protocol {

inline constexpr uint32_t kMaxParamsLength = 8 * 1024;          // as iperf3 >= 3.18
inline constexpr uint32_t kMaxResultsLength = 4 * 1024 * 1024;  // results carry server output

std::vector<uint8_t> encode_frame(std::string_view body);
uint32_t read_be32(std::span<const uint8_t, 4> bytes);
void write_be32(uint32_t value, std::span<uint8_t, 4> out);

class FrameDecoder {
 public:
  enum class Status { kNeedMore, kComplete, kError };
  struct Result {
    Status status;
    size_t consumed;  // bytes of the input that belong to this frame
  };

  explicit FrameDecoder(uint32_t max_length) : max_length_(max_length) {}

  // Never consumes bytes past the end of the current frame.
  Result feed(std::span<const uint8_t> bytes);
  // How many more bytes the current frame needs (so a reader never over-reads).
  size_t bytes_wanted() const;
  const std::string& message() const { return body_; }
  const std::string& error() const { return error_; }

 private:
  uint32_t max_length_;
  uint8_t header_[4] = {};
  size_t header_have_ = 0;
  uint32_t length_ = 0;
  std::string body_;
  std::string error_;
  Status status_ = Status::kNeedMore;
};

// After a SERVER_ERROR byte the server sends iperf3's error code and errno as two
// big-endian int32. 3.12 sends only the first on an authentication failure.
struct ServerError {
  int32_t code = 0;
  int32_t sys_errno = 0;
};

}  // namespace nperf::protocol
