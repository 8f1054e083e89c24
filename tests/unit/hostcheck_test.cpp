// nperf --check: parsing of /proc and /sys text, gathering from a fake tree
// built in a temp dir, each finding rule, and the two renderings.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "nperf/hostcheck/findings.hpp"
#include "nperf/hostcheck/host_facts.hpp"
#include "nperf/hostcheck/host_report.hpp"
#include "nperf/hostcheck/proc_parse.hpp"

namespace nperf::hostcheck {
namespace {

namespace fs = std::filesystem;

// ---- parsing ----------------------------------------------------------------

TEST(HostCheckParse, IntAllowsSurroundingWhitespaceOnly) {
  EXPECT_EQ(parse_int("4194304\n"), 4194304);
  EXPECT_EQ(parse_int("  -1 "), -1);
  EXPECT_EQ(parse_int("12abc"), std::nullopt);
  EXPECT_EQ(parse_int(""), std::nullopt);
}

TEST(HostCheckParse, TcpRmemTripleNeedsExactlyThreeNumbers) {
  EXPECT_EQ(parse_triple("4096\t131072\t6291456\n"), (Triple{4096, 131072, 6291456}));
  EXPECT_EQ(parse_triple("4096 16384 4194304"), (Triple{4096, 16384, 4194304}));
  EXPECT_EQ(parse_triple("4096 16384"), std::nullopt);
  EXPECT_EQ(parse_triple("4096 16384 4194304 1"), std::nullopt);
  EXPECT_EQ(parse_triple("4096 x 4194304"), std::nullopt);
}

TEST(HostCheckParse, ConntrackStatSumsHexColumnsOverCpus) {
  const char* text =
      "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop "
      "icmp_error  "
      "expect_new expect_create expect_delete search_restart\n"
      "0000000a  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000001 0000000f "
      "00000002 "
      "00000000  00000000 00000000 00000000 00000000\n"
      "0000000a  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002 00000010 "
      "00000000 "
      "00000000  00000000 00000000 00000000 00000000\n";
  auto sums = parse_conntrack_stat(text);
  ASSERT_TRUE(sums);
  EXPECT_EQ(sums->at("drop"), 0x0fu + 0x10u);
  EXPECT_EQ(sums->at("insert_failed"), 3u);
  EXPECT_EQ(sums->at("early_drop"), 2u);
  EXPECT_EQ(sums->at("entries"), 20u);  // summed like the rest; the check does not use it
}

TEST(HostCheckParse, ConntrackStatRejectsMissingHeaderAndRaggedRows) {
  EXPECT_EQ(parse_conntrack_stat("0000000a 00000001\n0000000a 00000001\n"), std::nullopt);
  EXPECT_EQ(parse_conntrack_stat("entries drop\n0000000a\n"), std::nullopt);
  EXPECT_EQ(parse_conntrack_stat("entries drop\n0000000a zz\n"), std::nullopt);
  EXPECT_EQ(parse_conntrack_stat(""), std::nullopt);
}

TEST(HostCheckParse, CpuMaxWithoutQuotaVersusQuota) {
  auto none = parse_cpu_max("max 100000\n");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->quota_us, std::nullopt);
  EXPECT_EQ(none->period_us, 100000);
  EXPECT_EQ(none->cpus(), std::nullopt);

  auto two = parse_cpu_max("200000 100000\n");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->quota_us, 200000);
  EXPECT_DOUBLE_EQ(*two->cpus(), 2.0);
  EXPECT_DOUBLE_EQ(*parse_cpu_max("150000 100000")->cpus(), 1.5);

  auto bare = parse_cpu_max("max");  // no period: the kernel's default applies
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->quota_us, std::nullopt);
  EXPECT_EQ(parse_cpu_max("garbage 100000"), std::nullopt);
  EXPECT_EQ(parse_cpu_max("200000 0"), std::nullopt);
  EXPECT_EQ(parse_cpu_max(""), std::nullopt);
}

TEST(HostCheckParse, CpuMaxFromV1FilesTreatsMinusOneAsNoQuota) {
  auto none = cpu_max_from_v1("-1\n", "100000\n");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->cpus(), std::nullopt);
  auto half = cpu_max_from_v1("50000\n", "100000\n");
  ASSERT_TRUE(half);
  EXPECT_DOUBLE_EQ(*half->cpus(), 0.5);
  EXPECT_EQ(cpu_max_from_v1("50000", "x"), std::nullopt);
}

TEST(HostCheckParse, ProcSelfCgroupFindsV2PathAndV1CpuController) {
  auto v2 = parse_proc_self_cgroup("0::/kubepods.slice/pod1/cri-abc\n");
  EXPECT_EQ(v2.v2_path, "/kubepods.slice/pod1/cri-abc");
  EXPECT_EQ(v2.v1_cpu_path, std::nullopt);

  auto v1 =
      parse_proc_self_cgroup("5:cpuacct,cpu:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/x\n0::/\n");
  EXPECT_EQ(v1.v1_cpu_path, "/docker/abc");
  EXPECT_EQ(v1.v1_cpu_controllers, "cpuacct,cpu");
  EXPECT_EQ(v1.v2_path, "/");

  auto cpuset_only = parse_proc_self_cgroup("3:cpuset:/a\n");
  EXPECT_EQ(cpuset_only.v1_cpu_path, std::nullopt);  // "cpuset" is not "cpu"
}

TEST(HostCheckParse, CpuListRoundTrips) {
  EXPECT_EQ(parse_cpu_list("0-3,8,10-11\n"), (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(format_cpu_list({11, 0, 1, 2, 3, 8, 10, 3}), "0-3,8,10-11");
  EXPECT_EQ(parse_cpu_list("\n"), std::vector<int>{});
  EXPECT_EQ(parse_cpu_list("3-1"), std::nullopt);
  EXPECT_EQ(parse_cpu_list("a"), std::nullopt);
  EXPECT_EQ(format_cpu_list({}), "");
}

TEST(HostCheckParse, DefaultRouteV4TakesLowestMetricUpRoute) {
  const char* route =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth1\t00000000\t010200C0\t0003\t0\t0\t200\t00000000\t0\t0\t0\n"
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "eth2\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"  // not RTF_UP
      "eth3\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";
  EXPECT_EQ(default_route_interface_v4(route), "eth3");
  EXPECT_EQ(default_route_interface_v4("Iface\tDestination\n"), std::nullopt);
}

TEST(HostCheckParse, DefaultRouteV6SkipsRejectRoutes) {
  const char* route =
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 "
      "ffffffff 00000001 00000000 00200200       lo\n"
      "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 "
      "00000100 00000001 00000000 00000001     eth0\n"
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
      "fd000000000000000000000000000001 "
      "00000400 00000002 00000000 00000003     eth0\n";
  EXPECT_EQ(default_route_interface_v6(route), "eth0");
}

TEST(HostCheckParse, IrqsNamingMatchWholeTokensOnly) {
  const char* interrupts =
      "           CPU0       CPU1\n"
      " 37:          0          0 PCI-MSIX-0000:00:03.0   0-edge      virtio2-config\n"
      " 38:          0        375 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0\n"
      " 50:          0          0 PCI-MSIX-0000:00:04.0   1-edge      virtio21-input.0\n"
      " 60:          1          0 IR-PCI-MSI 524288-edge      eth1-TxRx-0\n"
      " 61:          1          0 IR-PCI-MSI 524289-edge      eth10-TxRx-0\n"
      " 62:          1          0 IR-PCI-MSI 524290-edge      veth1\n"
      "NMI:          0          0   Non-maskable interrupts\n";
  EXPECT_EQ(irqs_naming(interrupts, "virtio2"), (std::vector<int>{37, 38}));
  EXPECT_EQ(irqs_naming(interrupts, "eth1"), (std::vector<int>{60}));
  EXPECT_EQ(irqs_naming(interrupts, "0000:00:04.0"), (std::vector<int>{50}));
  EXPECT_TRUE(irqs_naming(interrupts, "").empty());
}

TEST(HostCheckReport, GovernorSummary) {
  EXPECT_EQ(summarize_governors({}), "unavailable");
  std::vector<int> all(16);
  for (int i = 0; i < 16; ++i) all[i] = i;
  EXPECT_EQ(summarize_governors({{"performance", all}}), "performance on 0-15");
  EXPECT_EQ(summarize_governors({{"powersave", {0, 1, 2, 3}}, {"performance", {4, 5, 6, 7}}}),
            "performance on 4-7, powersave on 0-3");
}

// ---- gathering from a fake tree ----------------------------------------------

class HostCheckFakeTree : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "nperf-hostcheck-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  void write(const std::string& path, const std::string& text) {
    fs::path full = root_ / path.substr(1);
    fs::create_directories(full.parent_path());
    std::ofstream(full) << text;
  }
  void link(const std::string& path, const std::string& target) {
    fs::path full = root_ / path.substr(1);
    fs::create_directories(full.parent_path());
    fs::create_symlink(target, full);
  }
  void write_sysctls() {
    write("/proc/sys/net/core/rmem_max", "212992\n");
    write("/proc/sys/net/core/wmem_max", "212992\n");
    write("/proc/sys/net/core/rmem_default", "212992\n");
    write("/proc/sys/net/core/wmem_default", "212992\n");
    write("/proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
    write("/proc/sys/net/ipv4/tcp_wmem", "4096\t16384\t4194304\n");
    write("/proc/sys/net/ipv4/tcp_available_congestion_control", "reno cubic\n");
    write("/proc/sys/net/ipv4/tcp_congestion_control", "cubic\n");
    write("/proc/sys/net/core/default_qdisc", "fq_codel\n");
    write("/proc/sys/net/ipv4/tcp_mtu_probing", "0\n");
    write("/proc/sys/net/ipv4/tcp_window_scaling", "1\n");
    write("/proc/sys/net/ipv4/tcp_timestamps", "1\n");
    write("/proc/sys/net/ipv4/tcp_sack", "1\n");
  }
  // A PCI NIC eth0 on the default route, its IRQs on CPU 3.
  void write_nic() {
    write("/proc/net/route",
          "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
          "eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
    write("/sys/class/net/eth0/speed", "25000\n");
    write("/sys/class/net/eth0/mtu", "9000\n");
    write("/sys/devices/pci0000:3a/0000:3b:00.0/numa_node", "1\n");
    write("/sys/devices/pci0000:3a/0000:3b:00.0/msi_irqs/120", "msix\n");
    write("/sys/devices/pci0000:3a/0000:3b:00.0/msi_irqs/121", "msix\n");
    write("/sys/bus/pci/drivers/mlx5_core/.keep", "");
    link("/sys/devices/pci0000:3a/0000:3b:00.0/driver", "../../../bus/pci/drivers/mlx5_core");
    link("/sys/class/net/eth0/device", "../../../devices/pci0000:3a/0000:3b:00.0");
    write("/proc/interrupts",
          "            CPU0  CPU1  CPU2  CPU3\n"
          " 120:  0  0  0  9  IR-PCI-MSI 1-edge  mlx5_async0@pci:0000:3b:00.0\n"
          " 121:  0  0  0  9  IR-PCI-MSI 2-edge  mlx5_comp0@pci:0000:3b:00.0\n"
          " 122:  0  0  0  9  IR-PCI-MSI 3-edge  eth0-extra\n");
    for (int irq : {120, 121, 122}) write(fmt::format("/proc/irq/{}/smp_affinity_list", irq), "3\n");
    write("/proc/irq/122/effective_affinity_list", "3\n");
  }
  std::optional<HostFacts> gather(std::string* error = nullptr) {
    GatherOptions options;
    options.root = root_.string();
    options.query_kernel = false;  // nothing here may depend on this machine
    std::string ignored;
    return gather_host_facts(options, error ? error : &ignored);
  }
  fs::path root_;
};

TEST_F(HostCheckFakeTree, ReadsSysctls) {
  write_sysctls();
  auto facts = gather();
  ASSERT_TRUE(facts);
  const SysctlFacts& s = facts->sysctl;
  EXPECT_EQ(s.rmem_max, 212992);
  EXPECT_EQ(s.tcp_rmem, (Triple{4096, 131072, 6291456}));
  EXPECT_EQ(s.tcp_wmem, (Triple{4096, 16384, 4194304}));
  EXPECT_EQ(s.available_congestion_control, (std::vector<std::string>{"reno", "cubic"}));
  EXPECT_EQ(s.congestion_control, "cubic");
  EXPECT_EQ(s.default_qdisc, "fq_codel");
  EXPECT_EQ(s.tcp_sack, 1);
}

TEST_F(HostCheckFakeTree, HostNamespaceShowsEverySysctl) {
  write_sysctls();
  write("/proc/sys/net/core/somaxconn", "4096\n");
  auto facts = gather();
  ASSERT_TRUE(facts);
  EXPECT_FALSE(facts->own_network_namespace);
  EXPECT_EQ(render_text(*facts, {}).find("cannot be seen here"), std::string::npos);
}

// A pod's or container's namespace: default_qdisc exists only in the host's.
TEST_F(HostCheckFakeTree, OwnNetworkNamespaceNamesTheHostOnlyFactsAndWhereToRun) {
  write_sysctls();
  fs::remove(root_ / "proc/sys/net/core/default_qdisc");
  write("/proc/sys/net/core/somaxconn", "4096\n");
  auto facts = gather();
  ASSERT_TRUE(facts);
  EXPECT_TRUE(facts->own_network_namespace);
  facts->target = "10.0.0.3";
  std::string text = render_text(*facts, evaluate(*facts));
  EXPECT_NE(text.find("net.core.default_qdisc                   not visible from this network namespace"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("these facts belong to the host and cannot be seen here\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  run: nperf --check 10.0.0.3 on the node (or: kubectl -n nperf exec "
                      "ds/nperf-server-host -- nperf --check 10.0.0.3)\n"),
            std::string::npos)
      << text;
  auto j = render_json(*facts, evaluate(*facts));
  EXPECT_EQ(j["network_namespace"]["own"], true);
  EXPECT_EQ(j["network_namespace"]["host_only"].size(), 3u);
  EXPECT_TRUE(j["sysctl"]["default_qdisc"].is_null());
}

TEST_F(HostCheckFakeTree, WithoutProcTheCheckCannotRun) {
  std::string error;
  EXPECT_FALSE(gather(&error));
  EXPECT_NE(error.find("sysctl"), std::string::npos) << error;
}

TEST_F(HostCheckFakeTree, ConntrackNotLoadedWhenNetfilterIsAbsent) {
  write_sysctls();
  auto facts = gather();
  ASSERT_TRUE(facts);
  EXPECT_FALSE(facts->conntrack.loaded);
  EXPECT_NE(render_text(*facts, {}).find("not loaded"), std::string::npos);
}

TEST_F(HostCheckFakeTree, ConntrackCountsAndSummedDrops) {
  write_sysctls();
  write("/proc/sys/net/netfilter/nf_conntrack_max", "1000\n");
  write("/proc/sys/net/netfilter/nf_conntrack_count", "950\n");
  write("/proc/net/stat/nf_conntrack",
        "entries insert_failed drop early_drop\n"
        "000003b6 00000001 00000002 00000000\n"
        "000003b6 00000000 0000000a 00000001\n");
  auto facts = gather();
  ASSERT_TRUE(facts);
  const ConntrackFacts& c = facts->conntrack;
  EXPECT_TRUE(c.loaded);
  EXPECT_EQ(c.count, 950);
  EXPECT_EQ(c.max, 1000);
  EXPECT_EQ(c.drop, 12u);
  EXPECT_EQ(c.insert_failed, 1u);
  EXPECT_EQ(c.early_drop, 1u);
}

TEST_F(HostCheckFakeTree, DefaultRouteInterfaceWithDriverNumaAndIrqs) {
  write_sysctls();
  write_nic();
  auto facts = gather();
  ASSERT_TRUE(facts);
  ASSERT_TRUE(facts->interface);
  const InterfaceFacts& f = *facts->interface;
  EXPECT_EQ(f.name, "eth0");
  EXPECT_EQ(f.found_by, "default route");
  EXPECT_EQ(f.speed_mbps, 25000);
  EXPECT_EQ(f.mtu, 9000);
  EXPECT_EQ(f.driver, "mlx5_core");
  EXPECT_EQ(f.numa_node, 1);
  EXPECT_EQ(f.irqs, (std::vector<int>{120, 121, 122}));
  EXPECT_EQ(f.irq_cpus, std::vector<int>{3});
  EXPECT_FALSE(f.offloads.tso);  // no ioctl with query_kernel off
}

TEST_F(HostCheckFakeTree, InterfaceWithoutDeviceIsVirtualAndSpeedMinusOneIsUnknown) {
  write_sysctls();
  write("/proc/net/route",
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
  write("/sys/class/net/eth0/speed", "-1\n");
  write("/sys/class/net/eth0/mtu", "1450\n");
  auto facts = gather();
  ASSERT_TRUE(facts && facts->interface);
  EXPECT_EQ(facts->interface->driver, "virtual");
  EXPECT_EQ(facts->interface->speed_mbps, std::nullopt);
  EXPECT_EQ(facts->interface->mtu, 1450);
  EXPECT_TRUE(facts->interface->irqs.empty());
}

TEST_F(HostCheckFakeTree, NoDefaultRouteLeavesInterfaceEmptyWithReason) {
  write_sysctls();
  auto facts = gather();
  ASSERT_TRUE(facts);
  EXPECT_FALSE(facts->interface);
  EXPECT_EQ(facts->interface_problem, "no default route");
}

TEST_F(HostCheckFakeTree, CpusAndGovernors) {
  write_sysctls();
  write("/sys/devices/system/cpu/online", "0-3\n");
  for (int cpu : {0, 1})
    write(fmt::format("/sys/devices/system/cpu/cpu{}/cpufreq/scaling_governor", cpu), "powersave\n");
  for (int cpu : {2, 3})
    write(fmt::format("/sys/devices/system/cpu/cpu{}/cpufreq/scaling_governor", cpu), "performance\n");
  auto facts = gather();
  ASSERT_TRUE(facts);
  EXPECT_EQ(facts->cpu.online, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(summarize_governors(facts->cpu.governors), "performance on 2-3, powersave on 0-1");
}

TEST_F(HostCheckFakeTree, CgroupV2TakesTheTightestQuotaUpTheTree) {
  write_sysctls();
  write("/proc/self/cgroup", "0::/kubepods/pod1/c1\n");
  write("/sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
  write("/sys/fs/cgroup/kubepods/cpu.max", "max 100000\n");
  write("/sys/fs/cgroup/kubepods/pod1/cpu.max", "100000 100000\n");
  write("/sys/fs/cgroup/kubepods/pod1/cpu.stat",
        "usage_usec 5\nnr_periods 10\nnr_throttled 7\nthrottled_usec 123456\n");
  write("/sys/fs/cgroup/kubepods/pod1/c1/cpu.max", "200000 100000\n");
  write("/sys/fs/cgroup/kubepods/pod1/c1/cpu.stat", "nr_throttled 3\nthrottled_usec 1000\n");
  auto facts = gather();
  ASSERT_TRUE(facts);
  const CgroupFacts& g = facts->cgroup;
  EXPECT_EQ(g.version, 2);
  EXPECT_EQ(g.path, "/kubepods/pod1");
  EXPECT_EQ(g.cpu_max, "100000 100000");
  EXPECT_DOUBLE_EQ(g.quota_cpus.value_or(0), 1.0);
  EXPECT_EQ(g.nr_throttled, 7u);
  EXPECT_EQ(g.throttled_usec, 123456u);
}

TEST_F(HostCheckFakeTree, CgroupV2WithoutQuotaReportsOwnCgroup) {
  write_sysctls();
  write("/proc/self/cgroup", "0::/user.slice\n");
  write("/sys/fs/cgroup/cgroup.controllers", "cpu\n");
  write("/sys/fs/cgroup/user.slice/cpu.max", "max 100000\n");
  write("/sys/fs/cgroup/user.slice/cpu.stat", "nr_throttled 0\nthrottled_usec 0\n");
  auto facts = gather();
  ASSERT_TRUE(facts);
  EXPECT_EQ(facts->cgroup.path, "/user.slice");
  EXPECT_EQ(facts->cgroup.cpu_max, "max 100000");
  EXPECT_EQ(facts->cgroup.quota_cpus, std::nullopt);
  EXPECT_EQ(facts->cgroup.nr_throttled, 0u);
}

TEST_F(HostCheckFakeTree, CgroupV1FallbackReadsCfsFilesAndThrottledTimeInNs) {
  write_sysctls();
  write("/proc/self/cgroup", "4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n0::/\n");
  write("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  write("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  write("/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "150000\n");
  write("/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
  write("/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.stat",
        "nr_periods 9\nnr_throttled 4\nthrottled_time 2000000000\n");
  auto facts = gather();
  ASSERT_TRUE(facts);
  const CgroupFacts& g = facts->cgroup;
  EXPECT_EQ(g.version, 1);
  EXPECT_EQ(g.path, "/docker/abc");
  EXPECT_EQ(g.cpu_max, "150000 100000");
  EXPECT_DOUBLE_EQ(g.quota_cpus.value_or(0), 1.5);
  EXPECT_EQ(g.nr_throttled, 4u);
  EXPECT_EQ(g.throttled_usec, 2000000u);
}

TEST_F(HostCheckFakeTree, CgroupPathMissingUnderTheMountFallsBackToItsRoot) {
  // Inside a cgroup namespace /proc/self/cgroup can name a path the mount does not show.
  write_sysctls();
  write("/proc/self/cgroup", "0::/kubepods/pod1/c1\n");
  write("/sys/fs/cgroup/cgroup.controllers", "cpu\n");
  write("/sys/fs/cgroup/cpu.max", "300000 100000\n");
  auto facts = gather();
  ASSERT_TRUE(facts);
  EXPECT_EQ(facts->cgroup.path, "/");
  EXPECT_DOUBLE_EQ(facts->cgroup.quota_cpus.value_or(0), 3.0);
}

// ---- rules ---------------------------------------------------------------------

HostFacts healthy() {
  HostFacts f;
  f.sysctl.rmem_max = f.sysctl.wmem_max = 67108864;
  f.sysctl.tcp_rmem = Triple{4096, 131072, 67108864};
  f.sysctl.tcp_wmem = Triple{4096, 16384, 67108864};
  f.sysctl.congestion_control = "cubic";
  f.sysctl.default_qdisc = "fq";
  f.sysctl.tcp_window_scaling = f.sysctl.tcp_sack = f.sysctl.tcp_timestamps = 1;
  InterfaceFacts nic;
  nic.name = "eth0";
  nic.mtu = 1500;
  nic.driver = "virtual";
  f.interface = nic;
  f.cpu.online = {0, 1, 2, 3};
  f.cpu.governors["performance"] = {0, 1, 2, 3};
  return f;
}

// By value: callers often pass evaluate()'s temporary.
std::optional<Finding> find(const std::vector<Finding>& findings, std::string_view key) {
  for (const Finding& f : findings)
    if (f.key == key) return f;
  return std::nullopt;
}

TEST(HostCheckFindings, HealthyHostHasNone) {
  EXPECT_TRUE(evaluate(healthy()).empty());
}

TEST(HostCheckFindings, RmemMaxBelow16MiBCapsAWindowWithTheRateAt10ms) {
  HostFacts facts = healthy();
  facts.sysctl.rmem_max = 212992;
  auto findings = evaluate(facts);
  auto f = find(findings, "rmem_max");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kLimit);
  EXPECT_NE(f->message.find("rmem_max 212992 caps"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("208 KiB"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("at 10 ms RTT that is ~170 Mbit/s per stream"), std::string::npos) << f->message;
  EXPECT_EQ(f->advice, "set net.core.rmem_max=67108864");
  facts.sysctl.rmem_max = 16 << 20;
  EXPECT_FALSE(find(evaluate(facts), "rmem_max"));
}

TEST(HostCheckFindings, TcpWmemMaxBelow16MiBIsALimitAndKeepsMinAndDefault) {
  HostFacts facts = healthy();
  facts.sysctl.tcp_wmem = Triple{4096, 16384, 4194304};
  auto f = find(evaluate(facts), "tcp_wmem");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kLimit);
  EXPECT_NE(f->message.find("~3.4 Gbit/s"), std::string::npos) << f->message;
  EXPECT_EQ(f->advice, "set net.ipv4.tcp_wmem='4096 16384 67108864'");
}

TEST(HostCheckFindings, WindowScalingOffCapsAt64KiB) {
  HostFacts facts = healthy();
  facts.sysctl.tcp_window_scaling = 0;
  auto f = find(evaluate(facts), "tcp_window_scaling");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kLimit);
  EXPECT_NE(f->message.find("~52 Mbit/s"), std::string::npos) << f->message;
}

TEST(HostCheckFindings, QdiscOtherThanFqIsInfoOrWarnWithBbr) {
  HostFacts facts = healthy();
  facts.sysctl.default_qdisc = "pfifo_fast";
  auto f = find(evaluate(facts), "default_qdisc");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kInfo);
  EXPECT_NE(f->advice.find("net.core.default_qdisc=fq"), std::string::npos);
  EXPECT_NE(f->advice.find("dev eth0"), std::string::npos) << f->advice;
  facts.sysctl.congestion_control = "bbr";
  EXPECT_EQ(find(evaluate(facts), "default_qdisc")->severity, Severity::kWarn);
}

TEST(HostCheckFindings, ConntrackFullFromEightyPercent) {
  HostFacts facts = healthy();
  facts.conntrack.loaded = true;
  facts.conntrack.max = 1000;
  facts.conntrack.count = 799;
  EXPECT_FALSE(find(evaluate(facts), "conntrack_full"));
  facts.conntrack.count = 950;
  auto f = find(evaluate(facts), "conntrack_full");
  ASSERT_TRUE(f);
  EXPECT_NE(f->message.find("conntrack 95% full"), std::string::npos) << f->message;
}

TEST(HostCheckFindings, ConntrackDropsAreAWarning) {
  HostFacts facts = healthy();
  facts.conntrack.loaded = true;
  facts.conntrack.drop = 0;
  facts.conntrack.insert_failed = 0;
  EXPECT_FALSE(find(evaluate(facts), "conntrack_drops"));
  facts.conntrack.insert_failed = 4;
  auto f = find(evaluate(facts), "conntrack_drops");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kWarn);
  EXPECT_NE(f->message.find("insert_failed 4"), std::string::npos);
}

TEST(HostCheckFindings, CgroupQuotaBoundsConcurrentStreamsAndMentionsThrottling) {
  HostFacts facts = healthy();
  facts.cgroup.version = 2;
  facts.cgroup.cpu_max = "200000 100000";
  facts.cgroup.quota_cpus = 2.0;
  facts.cgroup.nr_throttled = 0;
  auto f = find(evaluate(facts), "cgroup_quota");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kLimit);
  EXPECT_EQ(f->message, "cgroup quota 2 CPUs (cpu.max 200000 100000): at most 2 streams can run at once");
  facts.cgroup.nr_throttled = 42;
  facts.cgroup.throttled_usec = 1500000;
  EXPECT_NE(find(evaluate(facts), "cgroup_quota")->message.find("throttled 42 times (1.5 s in all)"),
            std::string::npos);
  facts.cgroup.quota_cpus = 0.5;
  facts.cgroup.cpu_max = "50000 100000";
  EXPECT_NE(find(evaluate(facts), "cgroup_quota")->message.find("only 50% of a core"), std::string::npos);
  facts.cgroup.quota_cpus = std::nullopt;
  EXPECT_FALSE(find(evaluate(facts), "cgroup_quota"));
}

TEST(HostCheckFindings, PowersaveGovernorWarnsOthersInform) {
  HostFacts facts = healthy();
  facts.cpu.governors = {{"powersave", {0, 1}}, {"schedutil", {2}}, {"performance", {3}}};
  auto findings = evaluate(facts);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].severity, Severity::kWarn);  // governors in name order
  EXPECT_NE(findings[0].message.find("governor powersave on CPUs 0-1"), std::string::npos)
      << findings[0].message;
  EXPECT_EQ(findings[1].severity, Severity::kInfo);
  EXPECT_NE(findings[1].message.find("governor schedutil on CPU 2:"), std::string::npos)
      << findings[1].message;
}

TEST(HostCheckFindings, SmallMtuSuggestsAnOverlay) {
  HostFacts facts = healthy();
  facts.interface->mtu = 1450;
  auto f = find(evaluate(facts), "interface_mtu");
  ASSERT_TRUE(f);
  EXPECT_NE(f->message.find("interface eth0 MTU 1450 (overlay?)"), std::string::npos) << f->message;
}

TEST(HostCheckFindings, LinkSpeedOnlyForRealDevices) {
  HostFacts facts = healthy();
  facts.interface->speed_mbps = 10000;
  EXPECT_FALSE(find(evaluate(facts), "interface_speed"));  // veth says 10000 and means nothing
  facts.interface->driver = "ixgbe";
  auto f = find(evaluate(facts), "interface_speed");
  ASSERT_TRUE(f);
  EXPECT_NE(f->message.find("~10 Gbit/s"), std::string::npos) << f->message;
}

TEST(HostCheckFindings, OffloadsOffAndIrqsOnOneCpu) {
  HostFacts facts = healthy();
  facts.interface->offloads.tso = false;
  facts.interface->offloads.gro = true;
  facts.interface->irqs = {120, 121};
  facts.interface->irq_cpus = {3};
  auto findings = evaluate(facts);
  auto off = find(findings, "offloads");
  ASSERT_TRUE(off);
  EXPECT_NE(off->message.find("eth0 has tso off"), std::string::npos) << off->message;
  auto irq = find(findings, "irq_cpus");
  ASSERT_TRUE(irq);
  EXPECT_NE(irq->message.find("all 2 IRQs of eth0 go to CPU 3"), std::string::npos) << irq->message;
}

TEST(HostCheckFindings, MissingInterfaceIsInfo) {
  HostFacts facts = healthy();
  facts.interface.reset();
  facts.interface_problem = "no default route";
  auto f = find(evaluate(facts), "interface");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kInfo);
  EXPECT_NE(f->message.find("no default route"), std::string::npos);
}

TEST(HostCheckFindings, SizesAndRates) {
  EXPECT_EQ(format_size(212992), "208 KiB");
  EXPECT_EQ(format_size(4194304), "4 MiB");
  EXPECT_EQ(format_size(1536), "1.5 KiB");
  EXPECT_EQ(format_size(100), "100 B");
  EXPECT_EQ(format_bitrate(170.4e6), "~170 Mbit/s");
  EXPECT_EQ(format_bitrate(3.355e9), "~3.4 Gbit/s");
  EXPECT_EQ(format_bitrate(25e9), "~25 Gbit/s");
}

// ---- rendering -----------------------------------------------------------------

TEST(HostCheckReport, JsonHasEveryKeyWithNullForUnreadable) {
  HostFacts facts = healthy();
  facts.sysctl.rmem_max = 212992;
  facts.sysctl.tcp_mtu_probing.reset();
  auto findings = evaluate(facts);
  auto j = render_json(facts, findings);
  EXPECT_EQ(j["sysctl"]["rmem_max"], 212992);
  EXPECT_EQ(j["sysctl"]["tcp_rmem"]["max"], 67108864);
  EXPECT_TRUE(j["sysctl"]["tcp_mtu_probing"].is_null());
  EXPECT_TRUE(j["target"].is_null());
  for (const char* key : {"network_namespace", "sysctl", "conntrack", "interface", "interface_problem", "cpu",
                          "cgroup", "findings"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["conntrack"]["loaded"], false);
  EXPECT_EQ(j["interface"]["name"], "eth0");
  EXPECT_EQ(j["cpu"]["governor"], "performance on 0-3");
  ASSERT_EQ(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["severity"], "limit");
  EXPECT_EQ(j["findings"][0]["key"], "rmem_max");
}

TEST(HostCheckReport, TextHasOneLinePerSysctlAndPerFinding) {
  HostFacts facts = healthy();
  facts.sysctl.rmem_max = 212992;
  auto text = render_text(facts, evaluate(facts));
  EXPECT_NE(text.find("net.core.rmem_max                        212992  (208 KiB)\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  limit  rmem_max 212992 caps"), std::string::npos) << text;
  EXPECT_NE(text.find("; set net.core.rmem_max=67108864\n"), std::string::npos) << text;
  EXPECT_NE(render_text(healthy(), {}).find("none: nothing found"), std::string::npos);
}

}  // namespace
}  // namespace nperf::hostcheck
