// The three forms of nperf's version come from one definition
// (config/version.hpp); this pins what each looks like, so a change to the
// definition is a deliberate one (the client_version goes on the wire).
#include "nperf/config/version.hpp"

#include <gtest/gtest.h>

#include "nperf/protocol/params.hpp"

namespace {

TEST(Version, EachFormKeepsItsWording) {
  EXPECT_EQ(nperf::kVersionLine, "nperf 0.1.0 (speaks the iperf 3.12 protocol)");
  EXPECT_EQ(nperf::kVersionString, "nperf 0.1.0 (iperf 3.12 protocol)");
  EXPECT_EQ(nperf::kClientVersion, "3.12-nperf-0.1");
  EXPECT_EQ(nperf::protocol::kNperfVersion, nperf::kClientVersion);
}

}  // namespace
