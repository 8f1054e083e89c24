#pragma once
// The head of an HTTP/1.x request, as much of it as `--metrics` needs: the
// method and the target. Pure (no sockets), so hostile input is unit-tested
// and fuzzed (tests/fuzz/fuzz_http_request.cpp).
//
// Why not a library: Debian 12's cpp-httplib (libcpp-httplib-dev) ships its
// header split from a compiled libcpp-httplib.so that needs libssl, libcrypto,
// zlib and brotli: about 6 MB more in every nperf process's map and in the
// image (which must stay under 10 MB), for one GET. README.md says so too.
#include <cstddef>
#include <string>
#include <string_view>

namespace nperf::net {

inline constexpr size_t kMaxRequestHead = 8192;  // as cpp-httplib's default header limit

struct RequestHead {
  enum class State { kIncomplete, kComplete, kBad, kTooLarge };
  State state = State::kIncomplete;
  std::string method, target;
};

// Looks at what has arrived so far: complete once the blank line ending the
// head is there; kTooLarge when kMaxRequestHead bytes hold no end; kBad when
// the request line is not "METHOD SP TARGET SP HTTP/1.x".
RequestHead parse_request_head(std::string_view received);

}  // namespace nperf::net
