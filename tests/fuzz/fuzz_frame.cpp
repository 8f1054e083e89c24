// Fuzzes the control-channel frame decoder (protocol/frame.hpp).
//
// The whole input is a byte stream as it would arrive on the control socket:
// 4-byte big-endian length + body, possibly several frames back to back. It
// is decoded with three max lengths and four ways of cutting the stream into
// reads (all at once, split sizes derived from the input bytes, one byte at a
// time, and a reader that asks for exactly bytes_wanted()). Every way must
// give what a straightforward reference parser gives: the same messages, the
// same final state, and consumption that never crosses a frame boundary.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "nperf/protocol/frame.hpp"

namespace {

using nperf::protocol::FrameDecoder;
using Status = FrameDecoder::Status;

struct Outcome {
  std::vector<std::string> messages;
  Status last = Status::kNeedMore;  // kNeedMore: input ended mid-frame or on a boundary
  size_t consumed = 0;              // total bytes taken by the decoders
};

uint32_t be32_by_hand(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | static_cast<uint32_t>(p[3]);
}

Outcome reference(std::span<const uint8_t> in, uint32_t max_length) {
  Outcome o;
  size_t pos = 0;
  while (pos < in.size()) {
    if (in.size() - pos < 4) {
      o.last = Status::kNeedMore;
      o.consumed = in.size();
      return o;
    }
    uint32_t len = be32_by_hand(in.data() + pos);
    if (len == 0 || len > max_length) {
      o.last = Status::kError;
      o.consumed = pos + 4;
      return o;
    }
    if (in.size() - pos - 4 < len) {
      o.last = Status::kNeedMore;
      o.consumed = in.size();
      return o;
    }
    o.messages.emplace_back(reinterpret_cast<const char*>(in.data() + pos + 4), len);
    o.last = Status::kComplete;
    pos += 4 + len;
  }
  o.consumed = pos;
  return o;
}

// Feeds `in` cut by `next_chunk(pos, wanted)` into a chain of decoders (a new one
// after each complete frame, as the session does).
template <class NextChunk>
Outcome decode(std::span<const uint8_t> in, uint32_t max_length, NextChunk next_chunk) {
  Outcome o;
  FrameDecoder dec(max_length);
  size_t pos = 0;
  size_t in_frame = 0;  // bytes the current decoder has taken
  uint32_t frame_len = 0;
  bool started = false;  // current decoder has been fed at least one byte
  while (pos < in.size()) {
    size_t chunk = next_chunk(pos, dec.bytes_wanted());
    if (chunk > in.size() - pos) chunk = in.size() - pos;
    std::span<const uint8_t> piece = in.subspan(pos, chunk);
    size_t off = 0;
    for (;;) {
      auto r = dec.feed(piece.subspan(off));
      NPERF_FUZZ_CHECK(r.consumed <= piece.size() - off);
      NPERF_FUZZ_CHECK(r.status == Status::kNeedMore || r.consumed > 0 || piece.size() == off);
      if (r.consumed > 0) started = true;
      in_frame += r.consumed;
      if (in_frame >= 4 && frame_len == 0)
        frame_len = be32_by_hand(in.data() + pos + off + r.consumed - in_frame);
      off += r.consumed;
      if (r.status == Status::kNeedMore) {
        // Must take everything offered while the frame is unfinished.
        NPERF_FUZZ_CHECK(off == piece.size());
        size_t wanted = dec.bytes_wanted();
        NPERF_FUZZ_CHECK(wanted > 0);
        NPERF_FUZZ_CHECK(wanted == (in_frame < 4 ? 4 - in_frame : 4 + size_t{frame_len} - in_frame));
        break;
      }
      NPERF_FUZZ_CHECK(dec.bytes_wanted() == 0);
      // A finished decoder takes nothing more.
      auto again = dec.feed(piece.subspan(off));
      NPERF_FUZZ_CHECK(again.status == r.status && again.consumed == 0);
      if (r.status == Status::kError) {
        NPERF_FUZZ_CHECK(!dec.error().empty());
        NPERF_FUZZ_CHECK(in_frame == 4);
        o.last = Status::kError;
        o.consumed = pos + off;
        return o;
      }
      // Complete: never reads past the frame.
      NPERF_FUZZ_CHECK(in_frame == 4 + size_t{frame_len});
      NPERF_FUZZ_CHECK(dec.message().size() == frame_len);
      o.messages.push_back(dec.message());
      o.last = Status::kComplete;
      dec = FrameDecoder(max_length);
      in_frame = 0;
      frame_len = 0;
      started = false;
      if (off == piece.size()) break;
    }
    pos += chunk;
  }
  o.consumed = pos;
  if (started) o.last = Status::kNeedMore;
  return o;
}

bool same(const Outcome& a, const Outcome& b) {
  return a.messages == b.messages && a.last == b.last && a.consumed == b.consumed;
}

void check_be32(std::span<const uint8_t> in) {
  for (size_t i = 0; i + 4 <= in.size() && i < 64; ++i) {
    std::span<const uint8_t, 4> four(in.data() + i, 4);
    uint32_t v = nperf::protocol::read_be32(four);
    NPERF_FUZZ_CHECK(v == be32_by_hand(in.data() + i));
    uint8_t back[4];
    nperf::protocol::write_be32(v, std::span<uint8_t, 4>(back, 4));
    NPERF_FUZZ_CHECK(std::memcmp(back, in.data() + i, 4) == 0);
  }
}

void check_encode(std::span<const uint8_t> in) {
  if (in.empty()) return;
  std::string_view body(reinterpret_cast<const char*>(in.data()), in.size());
  std::vector<uint8_t> framed = nperf::protocol::encode_frame(body);
  NPERF_FUZZ_CHECK(framed.size() == in.size() + 4);
  FrameDecoder dec(static_cast<uint32_t>(in.size()));
  auto r = dec.feed(framed);
  NPERF_FUZZ_CHECK(r.status == Status::kComplete && r.consumed == framed.size());
  NPERF_FUZZ_CHECK(dec.message() == body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  check_be32(in);
  check_encode(in);

  const uint32_t limits[] = {nperf::protocol::kMaxParamsLength, nperf::protocol::kMaxResultsLength, 64};
  for (uint32_t max_length : limits) {
    Outcome ref = reference(in, max_length);

    Outcome whole = decode(in, max_length, [&](size_t pos, size_t) { return in.size() - pos; });
    NPERF_FUZZ_CHECK(same(whole, ref));

    // Split sizes from the data itself: 0..31 bytes, zero-length reads included.
    unsigned counter = 0;
    Outcome split = decode(in, max_length, [&](size_t pos, size_t) {
      return static_cast<size_t>((in[pos] ^ (counter++ * 0x9du)) % 32u);
    });
    NPERF_FUZZ_CHECK(same(split, ref));

    if (size <= 512) {
      Outcome bytewise = decode(in, max_length, [](size_t, size_t) { return size_t{1}; });
      NPERF_FUZZ_CHECK(same(bytewise, ref));
    }

    // The session's reader: asks for exactly what the decoder wants.
    Outcome exact = decode(in, max_length, [](size_t, size_t wanted) { return wanted; });
    NPERF_FUZZ_CHECK(same(exact, ref));
  }
  return 0;
}
