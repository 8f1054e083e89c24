#include "nperf/config/host_device.hpp"

#include <gtest/gtest.h>

namespace nperf {
namespace {

void expect_split(const char* spec, const char* host, const char* device) {
  HostAndDevice got = split_host_device(spec);
  EXPECT_EQ(got.host, host) << spec;
  EXPECT_EQ(got.device, device) << spec;
}

TEST(SplitHostDevice, PercentNamesADevice) {
  expect_split("10.0.0.3", "10.0.0.3", "");
  expect_split("10.0.0.3%eth1", "10.0.0.3", "eth1");
  expect_split("node-a.example%bond0", "node-a.example", "bond0");
  expect_split("2001:db8::5%eth1", "2001:db8::5", "eth1");
  expect_split("%eth1", "", "eth1");  // -B %DEV: any address, one device
}

TEST(SplitHostDevice, IPv6LinkLocalKeepsItsScope) {
  expect_split("fe80::1%eth0", "fe80::1%eth0", "");
  expect_split("FE80::a:b%veth3", "FE80::a:b%veth3", "");
  expect_split("febf::1%eth0", "febf::1%eth0", "");
  expect_split("fec0::1%eth0", "fec0::1", "eth0");          // not fe80::/10
  expect_split("fe8.example%eth0", "fe8.example", "eth0");  // a name, not a literal
  expect_split("fe8::1%eth0", "fe8::1", "eth0");            // 0fe8::1, not link-local
}

}  // namespace
}  // namespace nperf
