#include "nperf/protocol/iperf_error.hpp"

#include <fmt/format.h>

namespace nperf::protocol {

std::string describe_iperf_error(int code) {
  switch (code) {
    case kIeBadParams:
      return "bad parameters";
    case kIeDuration:
      return "test duration too long";
    case kIeNumStreams:
      return "number of parallel streams too large (maximum = 128)";
    case kIeBlockSize:
      return "block size too large";
    case kIeBufSize:
      return "socket buffer size too large";
    case kIeUnimplemented:
      return "an option you are trying to set is not implemented yet";
    case kIeUdpBlockSize:
      return "block size invalid";
    case kIeTotalRate:
      return "total required bandwidth is larger than server limit";
    case kIeMaxDuration:
      return "client's requested duration exceeds the server's maximum permitted limit";
    case kIeRecvCookie:
      return "unable to receive cookie at server";
    case kIeCtrlClose:
      return "control socket has closed unexpectedly";
    case kIeMessage:
      return "received an unknown control message";
    case kIeRecvParams:
      return "unable to receive parameters from client";
    case kIeRecvResults:
      return "unable to receive results";
    case kIeClientTerm:
      return "the client has terminated";
    case kIeProtocol:
      return "protocol not supported";
    case kIeAffinity:
      return "unable to set CPU affinity";
    case kIeAuthTest:
      return "test authorization failed";
    case kIeNoMessage:
      return "idle timeout for receiving data";
    case kIeServerTestDurationExpired:
      return "server test duration expired";
    case kIeAccept:
      return "unable to accept stream connection";
    case kIeStreamId:
      return "stream has an invalid id";
    default:
      return fmt::format("server error {}", code);
  }
}

IperfError iperf_error_for(SpecRule rule) {
  switch (rule) {
    case SpecRule::kTooManyStreams:
      return kIeNumStreams;
    case SpecRule::kBurst:
      return kIeBurst;
    case SpecRule::kTos:
      return kIeBadTos;
    default:
      return kIeBadParams;
  }
}

}  // namespace nperf::protocol
