#include "nperf/net/http_request.hpp"

namespace nperf::net {
namespace {

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// "METHOD SP TARGET SP HTTP/1.x", nothing else.
bool parse_request_line(std::string_view line, RequestHead* head) {
  size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return false;
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
  std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                   version = line.substr(sp2 + 1);
  for (char c : method)
    if (!is_token_char(c)) return false;
  for (char c : target)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
  head->method = method;
  head->target = target;
  return true;
}

}  // namespace

RequestHead parse_request_head(std::string_view received) {
  RequestHead head;
  size_t eol = received.find("\r\n");
  // A first line that is already wrong need not wait for the rest.
  if (eol != std::string_view::npos && !parse_request_line(received.substr(0, eol), &head)) {
    head = RequestHead{};
    head.state = RequestHead::State::kBad;
    return head;
  }
  size_t end = received.find("\r\n\r\n");
  if (end == std::string_view::npos || end + 4 > kMaxRequestHead) {
    head = RequestHead{};
    bool full = end != std::string_view::npos || received.size() >= kMaxRequestHead;
    head.state = full ? RequestHead::State::kTooLarge : RequestHead::State::kIncomplete;
    return head;
  }
  head.state = RequestHead::State::kComplete;
  return head;
}

}  // namespace nperf::net
