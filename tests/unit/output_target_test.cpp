#include "nperf/report/output_target.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace nperf::report {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string temp_path(const char* name) {
  return std::string(::testing::TempDir()) + "nperf_" + std::to_string(::getpid()) + "_" + name;
}

TEST(OutputTarget, LogFileGetsReportsAndErrorsAndIsAppended) {
  const std::string path = temp_path("log.txt");
  std::remove(path.c_str());
  for (int run = 1; run <= 2; ++run) {
    std::string error;
    auto target = OutputTarget::open(path, &error);
    ASSERT_TRUE(target) << error;
    target->out()("report " + std::to_string(run) + "\n");
    target->err()("nperf: error - boom\n");
  }
  // Each write is flushed at once: the file is complete before the target goes.
  EXPECT_EQ(read_file(path), "report 1\nnperf: error - boom\nreport 2\nnperf: error - boom\n");
  std::remove(path.c_str());
}

TEST(OutputTarget, WritesAreVisibleBeforeTheTargetCloses) {
  const std::string path = temp_path("flush.txt");
  std::remove(path.c_str());
  std::string error;
  auto target = OutputTarget::open(path, &error);
  ASSERT_TRUE(target) << error;
  target->out()("line\n");
  EXPECT_EQ(read_file(path), "line\n");  // --forceflush is the only behaviour
  target.reset();
  std::remove(path.c_str());
}

TEST(OutputTarget, UnopenableLogFileIsAnErrorNamingIt) {
  std::string error;
  auto target = OutputTarget::open("/nonexistent-dir/nperf.log", &error);
  EXPECT_FALSE(target);
  EXPECT_NE(error.find("/nonexistent-dir/nperf.log"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
}

class LocalTimeIsUtc : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? std::optional<std::string>(tz) : std::nullopt;
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
  void TearDown() override {
    if (saved_)
      ::setenv("TZ", saved_->c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }
  std::optional<std::string> saved_;
};

TEST_F(LocalTimeIsUtc, TimestampIsStrftimeOfLocalTime) {
  EXPECT_EQ(format_timestamp("%Y-%m-%d %H:%M:%S ", 1'764'158'400), "2025-11-26 12:00:00 ");
  EXPECT_EQ(format_timestamp("%c ", 0), "Thu Jan  1 00:00:00 1970 ");  // iperf3's default, C locale
  EXPECT_EQ(format_timestamp("", 0), "");
}

TEST_F(LocalTimeIsUtc, TimestampTooLongForIperf3sBufferIsEmpty) {
  EXPECT_EQ(format_timestamp(std::string(120, 'x'), 0), "");
}

}  // namespace
}  // namespace nperf::report
