#pragma once
// iperf3 error codes (i_errno, Appendix C of the protocol facts), as carried
// in SERVER_ERROR, and the text a client prints for one.
#include <string>

#include "nperf/config/validate.hpp"

namespace nperf::protocol {

// The codes nperf sends or understands; the names follow iperf3's (IE...).
enum IperfError : int {
  kIeNone = 0,
  // iperf3's IESERVCLIENT; nperf sends it for a parameter rule that has no
  // code of its own in what the client understands ("bad parameters").
  kIeBadParams = 1,
  kIeDuration = 4,  // nperf's text for 4 ("test duration too long"); iperf3 names 4 IECLIENTONLY
  kIeNumStreams = 6,
  kIeBlockSize = 7,
  kIeBufSize = 8,
  kIeUnimplemented = 13,
  kIeBurst = 15,
  kIeUdpBlockSize = 20,
  kIeBadTos = 21,
  kIeTotalRate = 27,
  kIeMaxDuration = 37,
  kIeRecvCookie = 106,
  kIeCtrlClose = 109,
  kIeMessage = 110,
  kIeRecvParams = 114,
  kIeRecvResults = 117,
  kIeClientTerm = 119,
  kIeServerTerm = 120,  // carried in a SessionError only: iperf3 ends with the SERVER_TERMINATE state
  kIeProtocol = 131,
  kIeAffinity = 132,
  kIeAuthTest = 142,
  kIeNoMessage = 144,
  kIeServerTestDurationExpired = 160,
  kIeAccept = 201,      // nperf's code when the data streams did not all arrive
  kIeStreamRead = 206,  // also: the UDP stream set-up got no (or a wrong) reply
  kIeStreamId = 208,
};

// Text iperf3 prints for an error code received in SERVER_ERROR.
std::string describe_iperf_error(int code);

// The code the server sends for a broken parameter rule. Only the rules an
// iperf3 client has a message for get their own code; the rest share
// kIeBadParams.
IperfError iperf_error_for(SpecRule rule);

}  // namespace nperf::protocol
