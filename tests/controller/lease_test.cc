// Leadership leases on a simulated clock: claim, renew, expiry and re-election order, and the
// timer thread expiring a lease exactly when simulated time reaches it (and not before).

#include <chrono>

#include "controller/domain/lease/lease_manager.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::lease::LeaseManager;
using testing::CommitCounter;
using testing::DomainEnv;
using testing::kDbMetadata;
using testing::MakeCharm;
using namespace std::chrono_literals;

class LeaseTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.Deploy("db", MakeCharm(kDbMetadata), 3); }

  bool Claim(const std::string& unit) {
    auto r = leases_.Claim(env_.UnitId(unit));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->held;
  }
  void Advance(std::chrono::milliseconds d) {
    env_.clock.Advance(d);
    ASSERT_TRUE(leases_.ExpireDue().ok());
  }

  DomainEnv env_;
  LeaseManager leases_{env_.db.get(), 2000ms, env_.clock};
};

TEST_F(LeaseTest, OnlyTheLeaderHoldsTheLease) {
  EXPECT_EQ(env_.Leader("db"), "db/0");
  EXPECT_TRUE(Claim("db/0"));
  EXPECT_FALSE(Claim("db/1"));
  auto r = leases_.Claim(env_.UnitId("db/2"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->leader, "db/0");
  EXPECT_EQ(r->duration, 2000ms);
  EXPECT_EQ(r->remaining, 2000ms);
}

TEST_F(LeaseTest, RenewingKeepsLeadership) {
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(Claim("db/0"));
    Claim("db/1");
    Advance(1000ms);  // the agents renew at half the lease
  }
  EXPECT_EQ(env_.Leader("db"), "db/0");
}

TEST_F(LeaseTest, ExpiryElectsTheLowestClaimingUnit) {
  EXPECT_TRUE(Claim("db/0"));
  Claim("db/2");  // db/1 never claims: its agent is not running
  Advance(1000ms);
  Claim("db/2");
  Advance(999ms);
  EXPECT_EQ(env_.Leader("db"), "db/0") << "the lease has 1 ms left";
  Advance(1ms);
  EXPECT_EQ(env_.Leader("db"), "db/2") << "db/1 is not claiming, db/2 is";
  EXPECT_EQ(env_.Count("applications", "name = 'db' AND leadership_changes = 1"), 1)
      << "the election counts as a leader settings change for the non-leaders";
  EXPECT_TRUE(Claim("db/2"));
  EXPECT_FALSE(Claim("db/0")) << "the old leader came back: it is not leader anymore";
  EXPECT_FALSE(Claim("db/1"));
}

TEST_F(LeaseTest, ExpiryWithoutClaimantsElectsTheLowestOtherAliveUnit) {
  EXPECT_TRUE(Claim("db/0"));
  Advance(2000ms);
  EXPECT_EQ(env_.Leader("db"), "db/1");
  // db/1 never renews either: after another lease db/0 is the lowest other alive unit.
  Advance(2000ms);
  EXPECT_EQ(env_.Leader("db"), "db/0");
}

TEST_F(LeaseTest, ClaimsTooOldDoNotCount) {
  EXPECT_TRUE(Claim("db/0"));
  Claim("db/1");
  Advance(1000ms);
  EXPECT_TRUE(Claim("db/0"));
  Advance(1000ms);
  EXPECT_TRUE(Claim("db/0"));
  Advance(500ms);
  Claim("db/2");
  // db/0 stops renewing; at expiry db/1's claim is 4 s old (more than a lease), db/2's 1.5 s.
  Advance(1500ms);
  EXPECT_EQ(env_.Leader("db"), "db/2");
}

TEST_F(LeaseTest, ASingleUnitKeepsLeadingWithoutRenewing) {
  DomainEnv env;
  env.Deploy("solo", MakeCharm("name: solo\n"), 1);
  LeaseManager leases(env.db.get(), 2000ms, env.clock);
  ASSERT_TRUE(leases.Claim(env.UnitId("solo/0")).ok());
  env.clock.Advance(5000ms);
  ASSERT_TRUE(leases.ExpireDue().ok());
  EXPECT_EQ(env.Leader("solo"), "solo/0");
}

TEST_F(LeaseTest, LeaderRemovedByTheDomainGetsAFreshLeaseForItsSuccessor) {
  EXPECT_TRUE(Claim("db/0"));
  Claim("db/1");
  ASSERT_TRUE(env_.apps->RemoveUnits("test", {"db/0"}).ok());
  EXPECT_EQ(env_.Leader("db"), "db/1");
  Advance(1500ms);
  EXPECT_TRUE(Claim("db/1"));
  Advance(1500ms);
  EXPECT_EQ(env_.Leader("db"), "db/1");
}

TEST_F(LeaseTest, TimerThreadExpiresLeasesWithoutClaims) {
  DomainEnv env;
  env.Deploy("db", MakeCharm(kDbMetadata), 2);
  LeaseManager leases(env.db.get(), 60s, env.clock);
  leases.Start();
  ASSERT_TRUE(leases.Claim(env.UnitId("db/0")).ok());
  ASSERT_TRUE(leases.Claim(env.UnitId("db/1")).ok());
  // The timer thread waits on the clock for the lease's expiry; nothing but time (no claim)
  // moves leadership, and not a moment early.
  ASSERT_TRUE(env.clock.AwaitWaiters(1, 10s)) << "the timer thread is not waiting for the expiry";
  CommitCounter commits;
  env.db->SetListener(&commits);
  env.clock.Advance(60s - 1ms);
  ASSERT_TRUE(env.clock.AwaitWaiters(1, 10s));
  EXPECT_EQ(commits.count(), 0) << "the lease still had 1 ms";
  EXPECT_EQ(env.Leader("db"), "db/0");
  env.clock.Advance(1ms);
  // The timer thread expires the lease on its own thread: wait for its write.
  ASSERT_TRUE(commits.AwaitAtLeast(1)) << "the lease did not expire";
  EXPECT_EQ(env.Leader("db"), "db/1");
  leases.Stop();
  env.db->SetListener(nullptr);
}

}  // namespace
}  // namespace skein::controller
