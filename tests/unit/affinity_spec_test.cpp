#include "nperf/config/affinity_spec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nperf {
namespace {

using Kind = CpuPlacement::Kind;

AffinitySpec parse_ok(std::string_view text) {
  std::string error;
  auto spec = parse_affinity(text, &error);
  if (!spec) throw std::runtime_error("parse_affinity(\"" + std::string(text) + "\") failed: " + error);
  return *spec;
}

}  // namespace

TEST(AffinitySpec, SingleCoreIsWholeProcess) {
  AffinitySpec a = parse_ok("3");
  EXPECT_EQ(a.local.kind, Kind::kWholeProcess);
  EXPECT_EQ(a.local.cpus, (std::vector<int>{3}));
  EXPECT_TRUE(a.remote.empty());
  EXPECT_TRUE(a.remote.cpus.empty());
}

TEST(AffinitySpec, WholeProcessDoesNotPinStreams) {
  AffinitySpec a = parse_ok("3");
  EXPECT_EQ(a.local.cpu_for_stream(0), -1);
  EXPECT_EQ(a.local.cpu_for_stream(1), -1);
}

TEST(AffinitySpec, RangeIsPerStream) {
  AffinitySpec a = parse_ok("0-3");
  EXPECT_EQ(a.local.kind, Kind::kPerStream);
  EXPECT_EQ(a.local.cpus, (std::vector<int>{0, 1, 2, 3}));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a.local.cpu_for_stream(i), i);
  EXPECT_TRUE(a.remote.empty());
}

TEST(AffinitySpec, MixedListAndRange) {
  AffinitySpec a = parse_ok("0:2:5-7");
  EXPECT_EQ(a.local.kind, Kind::kPerStream);
  EXPECT_EQ(a.local.cpus, (std::vector<int>{0, 2, 5, 6, 7}));
}

TEST(AffinitySpec, ColonListIsPerStream) {
  AffinitySpec a = parse_ok("4:1");
  EXPECT_EQ(a.local.kind, Kind::kPerStream);
  EXPECT_EQ(a.local.cpus, (std::vector<int>{4, 1}));
  EXPECT_EQ(a.local.cpu_for_stream(0), 4);
  EXPECT_EQ(a.local.cpu_for_stream(1), 1);
}

TEST(AffinitySpec, SingleCoreRangeIsPerStream) {
  AffinitySpec a = parse_ok("5-5");
  EXPECT_EQ(a.local.kind, Kind::kPerStream);
  EXPECT_EQ(a.local.cpus, (std::vector<int>{5}));
  EXPECT_EQ(a.local.cpu_for_stream(3), 5);
}

TEST(AffinitySpec, CommaGivesLocalAndRemote) {
  AffinitySpec a = parse_ok("1,2");
  EXPECT_EQ(a.local.kind, Kind::kWholeProcess);
  EXPECT_EQ(a.local.cpus, (std::vector<int>{1}));
  EXPECT_EQ(a.remote.kind, Kind::kWholeProcess);
  EXPECT_EQ(a.remote.cpus, (std::vector<int>{2}));
}

TEST(AffinitySpec, PerStreamOnBothSides) {
  AffinitySpec a = parse_ok("0-3,4-7");
  EXPECT_EQ(a.local.kind, Kind::kPerStream);
  EXPECT_EQ(a.local.cpus, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(a.remote.kind, Kind::kPerStream);
  EXPECT_EQ(a.remote.cpus, (std::vector<int>{4, 5, 6, 7}));
  AffinitySpec b = parse_ok("0:2:4:6,1:3:5:7");
  EXPECT_EQ(b.local.cpus, (std::vector<int>{0, 2, 4, 6}));
  EXPECT_EQ(b.remote.cpus, (std::vector<int>{1, 3, 5, 7}));
}

TEST(AffinitySpec, MixedKindsAcrossComma) {
  AffinitySpec a = parse_ok("2,0-1");
  EXPECT_EQ(a.local.kind, Kind::kWholeProcess);
  EXPECT_EQ(a.remote.kind, Kind::kPerStream);
  EXPECT_EQ(a.remote.cpus, (std::vector<int>{0, 1}));
}

TEST(AffinitySpec, AcceptsCoreLimit) {
  EXPECT_EQ(parse_ok("1024").local.cpus, (std::vector<int>{1024}));
  EXPECT_EQ(parse_ok("0-1024").local.cpus.size(), 1025u);
}

TEST(AffinitySpec, RejectsBadInputWithMessage) {
  for (std::string_view text :
       {"",     "a",  "3-1",   "1,,2", "1:", "-1", "99999", "1025", ",1",    "1,",     ":1",
        "1::2", "1-", "1-2-3", " 1",   "1 ", "+1", "0x1",   "1.5",  "1,2,3", "0-1025", "1-a"}) {
    std::string error;
    EXPECT_FALSE(parse_affinity(text, &error).has_value()) << '"' << text << '"';
    EXPECT_FALSE(error.empty()) << '"' << text << '"';
  }
}

TEST(AffinitySpec, ErrorQuotesTheBadText) {
  std::string error;
  ASSERT_FALSE(parse_affinity("1,zz", &error));
  EXPECT_NE(error.find("zz"), std::string::npos) << error;
}

TEST(CpuPlacement, DefaultIsEmptyAndPinsNothing) {
  CpuPlacement p;
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.cpu_for_stream(0), -1);
}

TEST(CpuPlacement, CpuForStreamWrapsAround) {
  std::string error;
  auto p = parse_cpu_placement("4:6:8", &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->cpu_for_stream(0), 4);
  EXPECT_EQ(p->cpu_for_stream(2), 8);
  EXPECT_EQ(p->cpu_for_stream(3), 4);
  EXPECT_EQ(p->cpu_for_stream(4), 6);
  EXPECT_EQ(p->cpu_for_stream(127), 6);  // 127 % 3 == 1
}

TEST(CpuPlacement, ParsesOneSide) {
  std::string error;
  auto p = parse_cpu_placement("0:2:5-7", &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->kind, Kind::kPerStream);
  EXPECT_EQ(p->cpus, (std::vector<int>{0, 2, 5, 6, 7}));
  auto w = parse_cpu_placement("9", &error);
  ASSERT_TRUE(w) << error;
  EXPECT_EQ(w->kind, Kind::kWholeProcess);
  EXPECT_FALSE(parse_cpu_placement("1,2", &error));  // one side has no comma
}

TEST(CpuPlacement, FormatCpuListUsesColons) {
  EXPECT_EQ(format_cpu_list({0, 2, 5}), "0:2:5");
  EXPECT_EQ(format_cpu_list({7}), "7");
  EXPECT_EQ(format_cpu_list({}), "");
}

TEST(CpuPlacement, FormattedListParsesBack) {
  std::vector<int> cpus = {3, 1, 4, 1, 5, 9, 2, 6};
  std::string error;
  auto p = parse_cpu_placement(format_cpu_list(cpus), &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->cpus, cpus);
  EXPECT_EQ(p->kind, Kind::kPerStream);
}

TEST(CpusNotAllowed, EveryCoreInTheAllowedSetPasses) {
  std::string error;
  auto spec = parse_affinity("0-1,8", &error);
  ASSERT_TRUE(spec);
  EXPECT_EQ(cpus_not_allowed(spec->local, {0, 1, 2, 3}), "");
  // The server half is the server's business: only the local half is checked here.
  EXPECT_EQ(cpus_not_allowed(spec->remote, {}), "") << "unknown allowed set refuses nothing";
}

TEST(CpusNotAllowed, NamesTheCoresOutsideAndTheAllowedOnes) {
  std::string error;
  auto spec = parse_affinity("8,8", &error);
  ASSERT_TRUE(spec);
  EXPECT_EQ(cpus_not_allowed(spec->local, {0, 1}),
            "cannot pin to CPU 8: not in this process's allowed CPUs 0-1 (a container's or pod's cpuset, "
            "or taskset, limits them); choose -A among 0-1");
  auto list = parse_cpu_placement("1:5:5:9", &error);
  ASSERT_TRUE(list);
  EXPECT_NE(
      cpus_not_allowed(*list, {0, 1, 2, 3, 6}).find("CPU 5,9: not in this process's allowed CPUs 0-3,6"),
      std::string::npos);
}

TEST(FormatCpuRanges, WritesRangesAsCpusetFilesDo) {
  EXPECT_EQ(format_cpu_ranges({}), "");
  EXPECT_EQ(format_cpu_ranges({3}), "3");
  EXPECT_EQ(format_cpu_ranges({0, 1, 2, 3}), "0-3");
  EXPECT_EQ(format_cpu_ranges({0, 2, 3, 4, 7, 9, 10}), "0,2-4,7,9-10");
}

}  // namespace nperf
