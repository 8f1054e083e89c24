// End-to-end, issue #19: --json-stream-full-output (iperf3 3.20) and -J's
// start.timestamp.timemillisecs (3.20), nperf's client against iperf3 3.12.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "e2e/peer_pair.hpp"

namespace nperf::test {
namespace {

using nlohmann::json;

TEST(JsonStreamFullOutput, EventLinesThenTheWholeDocument) {
  RawPair run;
  ASSERT_NO_FATAL_FAILURE(
      run_raw_pair(Peer::kNperf, Peer::kIperf3, {"-t", "2", "--json-stream-full-output"}, {}, &run));
  if (run.skipped) return;
  ASSERT_EQ(run.client.exit_code, 0) << run.client.err;
  // The pretty-printed document starts on a line of its own: "{".
  const std::string& out = run.client.out;
  size_t document_at = out.find("\n{\n");
  ASSERT_NE(document_at, std::string::npos) << out;
  std::istringstream lines(out.substr(0, document_at + 1));
  std::vector<std::string> events;
  for (std::string line; std::getline(lines, line);) {
    json event = json::parse(line, nullptr, false);
    ASSERT_FALSE(event.is_discarded()) << line;
    events.push_back(event.value("event", "?"));
  }
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front(), "start");
  EXPECT_EQ(events.back(), "end");
  json doc = json::parse(out.substr(document_at + 1), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << out.substr(document_at + 1);
  // Unlike --json-stream alone, the document keeps every interval.
  EXPECT_EQ(doc["intervals"].size(),
            static_cast<size_t>(std::count(events.begin(), events.end(), "interval")));
  EXPECT_GE(doc["intervals"].size(), 1u);
  EXPECT_TRUE(doc.contains("end"));
  const json& stamp = doc["start"]["timestamp"];
  ASSERT_TRUE(stamp.contains("timemillisecs")) << stamp;
  EXPECT_EQ(stamp["timemillisecs"].get<int64_t>() / 1000, stamp["timesecs"].get<int64_t>());
}

}  // namespace
}  // namespace nperf::test
