#include "nperf/protocol/udp_header.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace nperf::protocol {
namespace {

// Captured bytes (udp312.pcap, docs/protocol.md#udp-datagram-header): the first 12
// bytes of the first data datagram, t=634 s 44425 us, seq 1, followed by the
// first bytes of the random payload.
constexpr std::array<uint8_t, 16> kA2FirstDatagram = {0x00, 0x00, 0x02, 0x7a, 0x00, 0x00, 0xad, 0x89,
                                                      0x00, 0x00, 0x00, 0x01, 0x81, 0xc1, 0xea, 0x27};
// udp312.pcap, second datagram: t=635.355499 seq 2.
constexpr std::array<uint8_t, 12> kA2SecondHeader = {0x00, 0x00, 0x02, 0x7b, 0x00, 0x05,
                                                     0x6c, 0xab, 0x00, 0x00, 0x00, 0x02};
// udp64.pcap (--udp-counters-64bit --repeating-payload): header
// t=0x4cc s 0x04969d us, 8-byte seq 1, then the "6789..." payload.
constexpr std::array<uint8_t, 20> kA3FirstDatagram = {0x00, 0x00, 0x04, 0xcc, 0x00, 0x04, 0x96,
                                                      0x9d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                                      0x00, 0x01, 0x36, 0x37, 0x38, 0x39};

std::vector<uint8_t> encode(const UdpHeader& h, bool counters_64bit, size_t buffer_size,
                            uint8_t fill = 0xEE) {
  std::vector<uint8_t> out(buffer_size, fill);
  encode_udp_header(h, counters_64bit, out);
  return out;
}

std::vector<uint8_t> bytes(std::initializer_list<uint8_t> b) {
  return std::vector<uint8_t>(b);
}

}  // namespace

TEST(UdpHeader, HeaderSizesAre12And16) {
  EXPECT_EQ(kUdpHeaderSize32, 12u);
  EXPECT_EQ(kUdpHeaderSize64, 16u);
  EXPECT_EQ(udp_header_size(false), 12u);
  EXPECT_EQ(udp_header_size(true), 16u);
}

TEST(UdpHeader, Encode32BitMatchesCapturedDatagramByteForByte) {
  auto out = encode(UdpHeader{634, 44425, 1}, false, kUdpHeaderSize32);
  EXPECT_EQ(out, std::vector<uint8_t>(kA2FirstDatagram.begin(), kA2FirstDatagram.begin() + 12));

  auto second = encode(UdpHeader{635, 355499, 2}, false, kUdpHeaderSize32);
  EXPECT_EQ(second, std::vector<uint8_t>(kA2SecondHeader.begin(), kA2SecondHeader.end()));
}

TEST(UdpHeader, Encode32BitLeavesBytesAfterTheHeaderUntouched) {
  // A datagram buffer is larger than the header; the payload must survive.
  auto out = encode(UdpHeader{634, 44425, 1}, false, 20, 0xEE);
  for (size_t i = 12; i < out.size(); ++i) EXPECT_EQ(out[i], 0xEE) << "byte " << i;
}

TEST(UdpHeader, Encode64BitPutsSequenceHighWordFirst) {
  auto out = encode(UdpHeader{0x01020304, 0x00050607, 0x0000000100000002ull}, true, kUdpHeaderSize64);
  EXPECT_EQ(out, bytes({0x01, 0x02, 0x03, 0x04, 0x00, 0x05, 0x06, 0x07,  //
                        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02}));
}

TEST(UdpHeader, Encode64BitMatchesCapturedDatagramByteForByte) {
  auto out = encode(UdpHeader{0x4cc, 0x04969d, 1}, true, kUdpHeaderSize64);
  EXPECT_EQ(out, std::vector<uint8_t>(kA3FirstDatagram.begin(), kA3FirstDatagram.begin() + 16));
}

TEST(UdpHeader, Encode64BitLeavesBytesAfterTheHeaderUntouched) {
  auto out = encode(UdpHeader{1, 2, 3}, true, 24, 0xEE);
  for (size_t i = 16; i < out.size(); ++i) EXPECT_EQ(out[i], 0xEE) << "byte " << i;
}

TEST(UdpHeader, Decode32BitCapturedDatagram) {
  auto h = decode_udp_header(kA2FirstDatagram, false);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->sec, 634u);
  EXPECT_EQ(h->usec, 44425u);
  EXPECT_EQ(h->seq, 1u);

  auto h2 = decode_udp_header(kA2SecondHeader, false);
  ASSERT_TRUE(h2.has_value());
  EXPECT_EQ(h2->sec, 635u);
  EXPECT_EQ(h2->usec, 355499u);
  EXPECT_EQ(h2->seq, 2u);
}

TEST(UdpHeader, Decode64BitCapturedDatagram) {
  auto h = decode_udp_header(kA3FirstDatagram, true);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->sec, 1228u);     // 0x4cc
  EXPECT_EQ(h->usec, 300701u);  // 0x04969d
  EXPECT_EQ(h->seq, 1u);
}

TEST(UdpHeader, Decode64BitDatagramAs32BitReadsOnlyTheSequenceHighWord) {
  // Documents the interop hazard of mismatched --udp-counters-64bit settings:
  // a 32-bit reader sees the (zero) high word of the 64-bit counter.
  auto h = decode_udp_header(kA3FirstDatagram, false);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->seq, 0u);
}

TEST(UdpHeader, RoundTrip32Bit) {
  for (UdpHeader in :
       {UdpHeader{0, 0, 1}, UdpHeader{634, 44425, 1}, UdpHeader{0xFFFFFFFF, 999999, 0x7FFFFFFF},
        UdpHeader{0x80000000, 1, 0x80000000}, UdpHeader{12345, 678901, 0xFFFFFFFF}}) {
    auto buf = encode(in, false, kUdpHeaderSize32);
    auto out = decode_udp_header(buf, false);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->sec, in.sec);
    EXPECT_EQ(out->usec, in.usec);
    EXPECT_EQ(out->seq, in.seq);
  }
}

TEST(UdpHeader, RoundTrip64Bit) {
  for (UdpHeader in :
       {UdpHeader{0, 0, 1}, UdpHeader{0x4cc, 0x04969d, 1}, UdpHeader{7, 8, 0x0000000100000002ull},
        UdpHeader{1, 2, 0x00000000FFFFFFFFull}, UdpHeader{1, 2, 0x0000000100000000ull},
        UdpHeader{0xFFFFFFFF, 999999, 0xFFFFFFFFFFFFFFFFull}, UdpHeader{3, 4, 0x8000000000000001ull}}) {
    auto buf = encode(in, true, kUdpHeaderSize64);
    auto out = decode_udp_header(buf, true);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->sec, in.sec);
    EXPECT_EQ(out->usec, in.usec);
    EXPECT_EQ(out->seq, in.seq) << std::hex << in.seq;
  }
}

TEST(UdpHeader, Seq0xFFFFFFFFIsAllOnesIn32BitMode) {
  auto buf = encode(UdpHeader{0, 0, 0xFFFFFFFFull}, false, kUdpHeaderSize32);
  EXPECT_EQ(buf, bytes({0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}));
  auto h = decode_udp_header(buf, false);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->seq, 0xFFFFFFFFull);
}

TEST(UdpHeader, SeqAbove32BitsWrapsToLowWordIn32BitMode) {
  // 0xFFFFFFFF + 1 and + 5 on the wire in 32-bit mode: the counter wraps to 0 / 4.
  auto wrapped = encode(UdpHeader{0, 0, 0x100000000ull}, false, kUdpHeaderSize32);
  EXPECT_EQ(wrapped, bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  auto h = decode_udp_header(encode(UdpHeader{0, 0, 0x100000004ull}, false, kUdpHeaderSize32), false);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->seq, 4u);
}

TEST(UdpHeader, Seq0x100000000Survives64BitMode) {
  auto buf = encode(UdpHeader{0, 0, 0x100000000ull}, true, kUdpHeaderSize64);
  EXPECT_EQ(buf, bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}));
  auto h = decode_udp_header(buf, true);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->seq, 0x100000000ull);
}

TEST(UdpHeader, Decode32BitRejectsDatagramShorterThan12Bytes) {
  std::vector<uint8_t> d(kA2FirstDatagram.begin(), kA2FirstDatagram.begin() + 11);
  EXPECT_FALSE(decode_udp_header(d, false).has_value());
  EXPECT_FALSE(decode_udp_header(std::span<const uint8_t>(), false).has_value());
  // Exactly 12 bytes is enough.
  d.push_back(kA2FirstDatagram[11]);
  EXPECT_TRUE(decode_udp_header(d, false).has_value());
}

TEST(UdpHeader, Decode64BitRejectsDatagramShorterThan16Bytes) {
  std::vector<uint8_t> d(kA3FirstDatagram.begin(), kA3FirstDatagram.begin() + 15);
  EXPECT_FALSE(decode_udp_header(d, true).has_value());
  // 12 bytes are a full 32-bit header but not a 64-bit one.
  EXPECT_FALSE(decode_udp_header(std::span<const uint8_t>(d).first(12), true).has_value());
  EXPECT_FALSE(decode_udp_header(std::span<const uint8_t>(), true).has_value());
  d.push_back(kA3FirstDatagram[15]);
  auto h = decode_udp_header(d, true);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->seq, 1u);
}

TEST(UdpHeader, HelloIsAscii9876AndReplyIsAscii6789) {
  constexpr std::string_view hello = "9876";
  constexpr std::string_view reply = "6789";
  ASSERT_EQ(kUdpHello.size(), hello.size());
  ASSERT_EQ(kUdpReply.size(), reply.size());
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(kUdpHello[i], static_cast<uint8_t>(hello[i])) << "hello byte " << i;
    EXPECT_EQ(kUdpReply[i], static_cast<uint8_t>(reply[i])) << "reply byte " << i;
  }
}

TEST(UdpHeader, LegacyReplyIs987654321LittleEndian) {
  // 987654321 = 0x3ADE68B1, as a little-endian host writes it (iperf3 <= 3.11).
  constexpr uint32_t v = 987654321u;
  EXPECT_EQ(kUdpReplyLegacy,
            (std::array<uint8_t, 4>{static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
                                    static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)}));
  EXPECT_EQ(kUdpReplyLegacy, (std::array<uint8_t, 4>{0xb1, 0x68, 0xde, 0x3a}));
}

}  // namespace nperf::protocol
