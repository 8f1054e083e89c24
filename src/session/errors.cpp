#include "nperf/session/errors.hpp"

#include <fmt/format.h>

namespace nperf::session {

std::string describe_iperf_error(int code) {
  switch (code) {
    case 1:
      return "bad parameters";
    case 4:
      return "test duration too long";
    case kIeNumStreams:
      return "number of parallel streams too large (maximum = 128)";
    case kIeBlockSize:
      return "block size too large";
    case 8:
      return "socket buffer size too large";
    case kIeUnimplemented:
      return "an option you are trying to set is not implemented yet";
    case 20:
      return "block size invalid";
    case 27:
      return "total required bandwidth is larger than server limit";
    case 37:
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
    case 131:
      return "protocol not supported";
    case 132:
      return "unable to set CPU affinity";
    case 142:
      return "test authorization failed";
    case 144:
      return "idle timeout for receiving data";
    case 160:
      return "server test duration expired";
    case kIeAccept:
      return "unable to accept stream connection";
    case kIeStreamId:
      return "stream has an invalid id";
    default:
      return fmt::format("server error {}", code);
  }
}

}  // namespace nperf::session
