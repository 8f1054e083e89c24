// libFuzzer target: the --metrics endpoint's request-head parser
// (net/http_request.hpp) on arbitrary bytes, whole and split at every point
// a reader could see.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "nperf/net/http_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nperf::net::RequestHead;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  RequestHead whole = nperf::net::parse_request_head(input);
  if (whole.state == RequestHead::State::kComplete) {
    NPERF_FUZZ_CHECK(!whole.method.empty() && !whole.target.empty());
    NPERF_FUZZ_CHECK(whole.method.find(' ') == std::string::npos &&
                     whole.target.find(' ') == std::string::npos);
    NPERF_FUZZ_CHECK(input.find("\r\n\r\n") + 4 <= nperf::net::kMaxRequestHead);
  }
  // A prefix never claims more than the whole: once bad, more bytes cannot make it complete.
  for (size_t cut = 0; cut < size && cut < 512; ++cut) {
    RequestHead part = nperf::net::parse_request_head(input.substr(0, cut));
    if (part.state == RequestHead::State::kBad) NPERF_FUZZ_CHECK(whole.state == RequestHead::State::kBad);
  }
  return 0;
}
