#include "nperf/protocol/frame.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nperf::protocol {
namespace {

// The 143-byte parameter message of iperf3-reference/tcp312.ctrl.txt.
constexpr std::string_view kParams312 =
    R"({"tcp":true,"omit":0,"time":2,"num":0,"blockcount":0,"parallel":1,"len":131072,"bandwidth":8000000,"pacing_timer":1000,"client_version":"3.12"})";

std::vector<uint8_t> header(uint32_t length) {
  std::vector<uint8_t> h(4);
  write_be32(length, std::span<uint8_t, 4>(h.data(), 4));
  return h;
}

std::span<const uint8_t> sub(const std::vector<uint8_t>& v, size_t from, size_t count) {
  return std::span<const uint8_t>(v).subspan(from, count);
}

}  // namespace

TEST(FrameEncoding, PrefixesBigEndianLength) {
  ASSERT_EQ(kParams312.size(), 143u);
  std::vector<uint8_t> f = encode_frame(kParams312);
  ASSERT_EQ(f.size(), 147u);
  EXPECT_EQ(f[0], 0x00);
  EXPECT_EQ(f[1], 0x00);
  EXPECT_EQ(f[2], 0x00);
  EXPECT_EQ(f[3], 0x8f);
  EXPECT_EQ(std::string(f.begin() + 4, f.end()), kParams312);
}

TEST(FrameEncoding, SmallBodyExactBytes) {
  EXPECT_EQ(encode_frame("{}"), (std::vector<uint8_t>{0x00, 0x00, 0x00, 0x02, '{', '}'}));
}

TEST(FrameEncoding, LengthUsesAllFourBytesBigEndian) {
  std::string body(265, 'x');  // the 3.12 client results length in tcp312.ctrl.txt
  auto f = encode_frame(body);
  EXPECT_EQ(f[0], 0x00);
  EXPECT_EQ(f[1], 0x00);
  EXPECT_EQ(f[2], 0x01);
  EXPECT_EQ(f[3], 0x09);
  std::string big(0x012345, 'y');
  auto g = encode_frame(big);
  EXPECT_EQ(g[0], 0x00);
  EXPECT_EQ(g[1], 0x01);
  EXPECT_EQ(g[2], 0x23);
  EXPECT_EQ(g[3], 0x45);
  EXPECT_EQ(g.size(), 4u + 0x012345);
}

TEST(FrameEncoding, WriteBe32ThenReadBe32) {
  std::array<uint8_t, 4> b{};
  write_be32(0x01020304, b);
  EXPECT_EQ(b, (std::array<uint8_t, 4>{0x01, 0x02, 0x03, 0x04}));
  EXPECT_EQ(read_be32(b), 0x01020304u);
  write_be32(0xFFFFFFFFu, b);
  EXPECT_EQ(b, (std::array<uint8_t, 4>{0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(read_be32(b), 0xFFFFFFFFu);
  const std::array<uint8_t, 4> server_error_code = {0x00, 0x00, 0x00, 0x8e};  // 142, IEAUTHTEST
  EXPECT_EQ(read_be32(server_error_code), 142u);
  EXPECT_EQ(static_cast<int32_t>(read_be32(std::array<uint8_t, 4>{0xff, 0xff, 0xff, 0xfe})), -2);
}

TEST(FrameDecoder, DecodesWholeFrameInOneFeed) {
  auto f = encode_frame(kParams312);
  FrameDecoder d(kMaxParamsLength);
  auto r = d.feed(f);
  EXPECT_EQ(r.status, FrameDecoder::Status::kComplete);
  EXPECT_EQ(r.consumed, f.size());
  EXPECT_EQ(d.message(), kParams312);
  EXPECT_EQ(d.bytes_wanted(), 0u);
  EXPECT_TRUE(d.error().empty());
}

TEST(FrameDecoder, StartsWantingTheFourHeaderBytes) {
  FrameDecoder d(kMaxParamsLength);
  EXPECT_EQ(d.bytes_wanted(), 4u);
  auto r = d.feed({});
  EXPECT_EQ(r.status, FrameDecoder::Status::kNeedMore);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(d.bytes_wanted(), 4u);
}

TEST(FrameDecoder, DecodesOneByteAtATime) {
  auto f = encode_frame(kParams312);
  FrameDecoder d(kMaxParamsLength);
  for (size_t i = 0; i < f.size(); ++i) {
    size_t expected_wanted = i < 4 ? 4 - i : f.size() - i;
    ASSERT_EQ(d.bytes_wanted(), expected_wanted) << "before byte " << i;
    auto r = d.feed(sub(f, i, 1));
    ASSERT_EQ(r.consumed, 1u) << "byte " << i;
    if (i + 1 < f.size()) {
      ASSERT_EQ(r.status, FrameDecoder::Status::kNeedMore) << "byte " << i;
    } else {
      EXPECT_EQ(r.status, FrameDecoder::Status::kComplete);
    }
  }
  EXPECT_EQ(d.message(), kParams312);
  EXPECT_EQ(d.bytes_wanted(), 0u);
}

TEST(FrameDecoder, DecodesWhenSplitAtEveryPosition) {
  auto f = encode_frame(kParams312);
  for (size_t split = 0; split <= f.size(); ++split) {
    FrameDecoder d(kMaxParamsLength);
    auto r1 = d.feed(sub(f, 0, split));
    ASSERT_EQ(r1.consumed, split) << "split " << split;
    auto r2 = d.feed(sub(f, split, f.size() - split));
    EXPECT_EQ(r2.status, FrameDecoder::Status::kComplete) << "split " << split;
    EXPECT_EQ(r1.consumed + r2.consumed, f.size()) << "split " << split;
    EXPECT_EQ(d.message(), kParams312) << "split " << split;
  }
}

TEST(FrameDecoder, HeaderSplitInsideTheLengthField) {
  auto f = encode_frame("{\"a\":1}");
  FrameDecoder d(kMaxParamsLength);
  auto r = d.feed(sub(f, 0, 2));
  EXPECT_EQ(r.status, FrameDecoder::Status::kNeedMore);
  EXPECT_EQ(d.bytes_wanted(), 2u);
  r = d.feed(sub(f, 2, 2));
  EXPECT_EQ(r.status, FrameDecoder::Status::kNeedMore);
  EXPECT_EQ(r.consumed, 2u);
  EXPECT_EQ(d.bytes_wanted(), 7u);
  r = d.feed(sub(f, 4, 7));
  EXPECT_EQ(r.status, FrameDecoder::Status::kComplete);
  EXPECT_EQ(d.message(), "{\"a\":1}");
}

TEST(FrameDecoder, DoesNotConsumeBytesOfTheNextFrame) {
  auto a = encode_frame(kParams312);
  auto b = encode_frame("{\"second\":2}");
  std::vector<uint8_t> both = a;
  both.insert(both.end(), b.begin(), b.end());

  FrameDecoder first(kMaxParamsLength);
  auto r = first.feed(both);
  EXPECT_EQ(r.status, FrameDecoder::Status::kComplete);
  ASSERT_EQ(r.consumed, a.size());
  EXPECT_EQ(first.message(), kParams312);

  FrameDecoder second(kMaxParamsLength);
  auto r2 = second.feed(sub(both, r.consumed, both.size() - r.consumed));
  EXPECT_EQ(r2.status, FrameDecoder::Status::kComplete);
  EXPECT_EQ(r2.consumed, b.size());
  EXPECT_EQ(second.message(), "{\"second\":2}");
}

TEST(FrameDecoder, ReaderHonouringBytesWantedStopsAtFrameBoundary) {
  auto a = encode_frame("{\"x\":1}");
  auto b = encode_frame("{\"y\":22}");
  std::vector<uint8_t> stream = a;
  stream.insert(stream.end(), b.begin(), b.end());
  FrameDecoder d(kMaxParamsLength);
  size_t pos = 0;
  while (d.bytes_wanted() > 0) {
    size_t n = d.bytes_wanted();
    auto r = d.feed(sub(stream, pos, n));
    ASSERT_EQ(r.consumed, n);
    pos += n;
  }
  EXPECT_EQ(pos, a.size());
  EXPECT_EQ(d.message(), "{\"x\":1}");
}

TEST(FrameDecoder, TruncatedHeaderNeedsMore) {
  FrameDecoder d(kMaxParamsLength);
  const std::array<uint8_t, 3> partial = {0x00, 0x00, 0x00};
  auto r = d.feed(partial);
  EXPECT_EQ(r.status, FrameDecoder::Status::kNeedMore);
  EXPECT_EQ(r.consumed, 3u);
  EXPECT_EQ(d.bytes_wanted(), 1u);
  EXPECT_TRUE(d.error().empty());
}

TEST(FrameDecoder, TruncatedBodyNeedsMoreWithCorrectBytesWanted) {
  auto f = encode_frame(kParams312);
  FrameDecoder d(kMaxParamsLength);
  auto r = d.feed(sub(f, 0, 14));  // header + 10 body bytes
  EXPECT_EQ(r.status, FrameDecoder::Status::kNeedMore);
  EXPECT_EQ(r.consumed, 14u);
  EXPECT_EQ(d.bytes_wanted(), 133u);
  r = d.feed(sub(f, 14, 100));
  EXPECT_EQ(r.status, FrameDecoder::Status::kNeedMore);
  EXPECT_EQ(d.bytes_wanted(), 33u);
}

TEST(FrameDecoder, HeaderOnlyWantsWholeBody) {
  FrameDecoder d(kMaxParamsLength);
  auto h = header(143);
  auto r = d.feed(h);
  EXPECT_EQ(r.status, FrameDecoder::Status::kNeedMore);
  EXPECT_EQ(r.consumed, 4u);
  EXPECT_EQ(d.bytes_wanted(), 143u);
}

TEST(FrameDecoder, RejectsZeroLength) {
  FrameDecoder d(kMaxParamsLength);
  auto h = header(0);
  h.push_back('{');  // a following byte must not turn it into something valid
  auto r = d.feed(h);
  EXPECT_EQ(r.status, FrameDecoder::Status::kError);
  EXPECT_FALSE(d.error().empty());
  EXPECT_EQ(d.bytes_wanted(), 0u);
}

TEST(FrameDecoder, AcceptsLengthAtLimit) {
  FrameDecoder d(kMaxParamsLength);
  auto r = d.feed(header(8192));
  EXPECT_EQ(r.status, FrameDecoder::Status::kNeedMore);
  EXPECT_EQ(d.bytes_wanted(), 8192u);
  std::string body(8192, ' ');
  r = d.feed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
  EXPECT_EQ(r.status, FrameDecoder::Status::kComplete);
  EXPECT_EQ(d.message().size(), 8192u);
}

TEST(FrameDecoder, RejectsLengthOverLimit) {
  EXPECT_EQ(kMaxParamsLength, 8192u);
  FrameDecoder d(kMaxParamsLength);
  auto r = d.feed(header(8193));
  EXPECT_EQ(r.status, FrameDecoder::Status::kError);
  EXPECT_FALSE(d.error().empty());
}

TEST(FrameDecoder, RejectsResultsLengthOverResultsLimit) {
  FrameDecoder ok(kMaxResultsLength);
  EXPECT_EQ(ok.feed(header(kMaxResultsLength)).status, FrameDecoder::Status::kNeedMore);
  FrameDecoder bad(kMaxResultsLength);
  EXPECT_EQ(bad.feed(header(kMaxResultsLength + 1)).status, FrameDecoder::Status::kError);
}

TEST(FrameDecoder, RejectsNegativeLookingLengths) {
  for (uint32_t max : {kMaxParamsLength, kMaxResultsLength}) {
    for (uint32_t length : {0xFFFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0x80000001u}) {
      FrameDecoder d(max);
      auto r = d.feed(header(length));
      EXPECT_EQ(r.status, FrameDecoder::Status::kError) << std::hex << length << " max " << max;
      EXPECT_FALSE(d.error().empty());
      EXPECT_EQ(d.bytes_wanted(), 0u);
    }
  }
}

TEST(FrameDecoder, FeedAfterCompleteConsumesNothing) {
  auto f = encode_frame("{\"a\":1}");
  FrameDecoder d(kMaxParamsLength);
  ASSERT_EQ(d.feed(f).status, FrameDecoder::Status::kComplete);
  auto more = encode_frame("{\"b\":2}");
  auto r = d.feed(more);
  EXPECT_EQ(r.status, FrameDecoder::Status::kComplete);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(d.message(), "{\"a\":1}");
}

TEST(FrameDecoder, FeedAfterErrorConsumesNothing) {
  FrameDecoder d(kMaxParamsLength);
  ASSERT_EQ(d.feed(header(0)).status, FrameDecoder::Status::kError);
  auto f = encode_frame("{\"a\":1}");
  auto r = d.feed(f);
  EXPECT_EQ(r.status, FrameDecoder::Status::kError);
  EXPECT_EQ(r.consumed, 0u);
}

TEST(FrameDecoder, KeepsBinaryBodyBytesIncludingNul) {
  std::string body("a\0b\xff", 4);
  auto f = encode_frame(body);
  FrameDecoder d(kMaxParamsLength);
  ASSERT_EQ(d.feed(f).status, FrameDecoder::Status::kComplete);
  EXPECT_EQ(d.message(), body);
  EXPECT_EQ(d.message().size(), 4u);
}

}  // namespace nperf::protocol
