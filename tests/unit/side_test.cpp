#include "nperf/config/side.hpp"

#include <gtest/gtest.h>

namespace nperf {
namespace {

TEST(Side, AForwardStreamSendsFromTheClient) {
  Side client{Role::kClient, Direction::kForward};
  Side server{Role::kServer, Direction::kForward};
  EXPECT_TRUE(client.local_sends(true));
  EXPECT_FALSE(client.local_sends(false));
  EXPECT_FALSE(server.local_sends(true));
  EXPECT_TRUE(server.local_sends(false));
  for (bool sender : {true, false}) {
    EXPECT_EQ(client.local_sends(client.forward_for(sender)), sender);
    EXPECT_EQ(server.local_sends(server.forward_for(sender)), sender);
  }
}

TEST(Side, WhoSendsAndReceivesFollowsTheDirection) {
  struct Case {
    Role role;
    Direction direction;
    bool sends, receives;
  } cases[] = {
      {Role::kClient, Direction::kForward, true, false}, {Role::kServer, Direction::kForward, false, true},
      {Role::kClient, Direction::kReverse, false, true}, {Role::kServer, Direction::kReverse, true, false},
      {Role::kClient, Direction::kBidir, true, true},    {Role::kServer, Direction::kBidir, true, true},
  };
  for (const Case& c : cases) {
    Side side{c.role, c.direction};
    EXPECT_EQ(side.sends(), c.sends) << static_cast<int>(c.role) << " " << static_cast<int>(c.direction);
    EXPECT_EQ(side.receives(), c.receives)
        << static_cast<int>(c.role) << " " << static_cast<int>(c.direction);
  }
}

TEST(Side, OnlyTheClientOwnsTheQuota) {
  EXPECT_TRUE((Side{Role::kClient, Direction::kReverse}).owns_quota());
  EXPECT_FALSE((Side{Role::kServer, Direction::kForward}).owns_quota());
}

}  // namespace
}  // namespace nperf
