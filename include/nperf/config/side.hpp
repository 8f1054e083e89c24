#pragma once
// Which end this process is and which way its data goes, computed once per
// test and passed down instead of each layer deriving it again from
// "is_server" and the direction.
#include "nperf/config/config.hpp"
#include "nperf/config/test_spec.hpp"

namespace nperf {

struct Side {
  Role role = Role::kClient;
  Direction direction = Direction::kForward;

  bool is_server() const { return role == Role::kServer; }
  bool is_client() const { return role == Role::kClient; }
  // The client ends a -n/-k test, so its senders share the quota between them.
  bool owns_quota() const { return is_client(); }
  // Does a stream that goes client -> server ("forward") send from this end?
  bool local_sends(bool forward) const { return is_server() ? !forward : forward; }
  // The inverse: the direction of a stream that this end sends (or receives).
  bool forward_for(bool local_sender) const { return is_server() ? !local_sender : local_sender; }
  // Does any stream of the test send from / arrive at this end?
  bool sends() const {
    return direction == Direction::kBidir || local_sends(direction == Direction::kForward);
  }
  bool receives() const {
    return direction == Direction::kBidir || !local_sends(direction == Direction::kForward);
  }
};

}  // namespace nperf
