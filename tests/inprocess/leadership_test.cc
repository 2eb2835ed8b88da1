// Leadership with the controller's lease manager and the unit agents' lease claimers in one
// process on one simulated clock (juju-semantics §5: 2 s leases renewed every 1 s here). These
// are the "nothing happens" halves of the e2e FrozenLeaderIsReplacedWithinTheLeaseBound test: a
// leader that keeps renewing keeps its lease for many leases, a frozen leader is replaced when
// its lease runs out (not a moment before), and once thawed it does not get leadership back.
// Time moves only by Advance, so ten leases take no real time.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "agents/unit/leadership/lease_claimer.h"
#include "controller/domain/lease/lease_manager.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein {
namespace {

using namespace std::chrono_literals;
using controller::domain::lease::LeaseManager;
using controller::testing::CommitCounter;
using controller::testing::DomainEnv;
using controller::testing::EventCounter;

constexpr auto kLease = 2s;
constexpr auto kRenew = 1s;  // the claimers renew at half the lease
constexpr auto kRealTimeout = 10s;  // for waits on other threads, in real time

class InProcessLeadershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Deploy("db", controller::testing::MakeCharm(controller::testing::kDbMetadata), 3);
    env_.db->SetListener(&commits_);
    leases_.Start();
    for (const char* unit : {"db/0", "db/1", "db/2"}) StartAgent(unit);
    ASSERT_TRUE(claims_.AwaitAtLeast(3)) << "the agents did not claim";
    expected_claims_ = 3;
    ASSERT_TRUE(clock().AwaitWaiters(Waiters(), kRealTimeout));
  }

  void TearDown() override {
    claimers_.clear();
    leases_.Stop();
    env_.db->SetListener(nullptr);
  }

  SimulatedClock& clock() { return env_.clock; }
  // The lease manager's timer thread and one claimer per running agent.
  size_t Waiters() const { return 1 + claimers_.size(); }

  // A unit agent's lease claimer, calling the lease manager the way Agent.ClaimLeadership does.
  void StartAgent(const std::string& unit) {
    const int64_t id = env_.UnitId(unit);
    auto claimer = std::make_unique<agent::LeaseClaimer>(
        [this, id]() -> absl::StatusOr<v1::ClaimLeadershipResponse> {
          auto result = leases_.Claim(id);
          claims_.Add();
          if (!result.ok()) return result.status();
          v1::ClaimLeadershipResponse response;
          response.set_held(result->held);
          response.set_duration_ms(result->duration.count());
          response.set_remaining_ms(result->remaining.count());
          response.set_leader(result->leader);
          return response;
        },
        clock());
    claimer->Start();
    claimers_[unit] = std::move(claimer);
  }
  // The agent stops renewing (as a frozen or killed agent does).
  void FreezeAgent(const std::string& unit) { claimers_.erase(unit); }

  // Moves time on by one renew interval: every running agent renews once, and the test goes on
  // only when they have and everything waits on the clock again.
  void AdvanceOneRenewal() {
    clock().Advance(kRenew);
    expected_claims_ += static_cast<int>(claimers_.size());
    ASSERT_TRUE(claims_.AwaitAtLeast(expected_claims_)) << "the agents did not renew";
    ASSERT_TRUE(clock().AwaitWaiters(Waiters(), kRealTimeout));
  }

  int LeadershipChanges() {
    return static_cast<int>(env_.Count("applications", "name = 'db' AND leadership_changes > 0"));
  }

  DomainEnv env_;
  EventCounter claims_;
  CommitCounter commits_;
  LeaseManager leases_{env_.db.get(), kLease, env_.clock};
  std::map<std::string, std::unique_ptr<agent::LeaseClaimer>> claimers_;
  int expected_claims_ = 0;
};

TEST_F(InProcessLeadershipTest, ALeaderThatRenewsKeepsItsLeaseForTenLeases) {
  ASSERT_EQ(env_.Leader("db"), "db/0");
  for (int i = 0; i < 20; ++i) {
    AdvanceOneRenewal();
    ASSERT_EQ(env_.Leader("db"), "db/0") << "leadership moved after " << i + 1 << " s of renewals";
  }
  EXPECT_EQ(LeadershipChanges(), 0);
  EXPECT_EQ(commits_.count(), 0) << "a leader that renews causes no write";
}

TEST_F(InProcessLeadershipTest, AFrozenLeaderIsReplacedAtExpiryAndDoesNotGetLeadershipBack) {
  AdvanceOneRenewal();
  ASSERT_EQ(env_.Leader("db"), "db/0");
  // db/0 renewed just now, so its lease runs for kLease more.
  FreezeAgent("db/0");
  AdvanceOneRenewal();
  EXPECT_EQ(env_.Leader("db"), "db/0") << "replaced while its lease still ran";
  EXPECT_EQ(commits_.count(), 0);

  clock().Advance(kRenew);  // the lease ends: the timer thread elects a successor
  ASSERT_TRUE(commits_.AwaitAtLeast(1)) << "the lease expired but nobody was elected";
  expected_claims_ += 2;
  ASSERT_TRUE(claims_.AwaitAtLeast(expected_claims_));
  ASSERT_TRUE(clock().AwaitWaiters(Waiters(), kRealTimeout));
  EXPECT_EQ(env_.Leader("db"), "db/1") << "the lowest-numbered claiming unit leads";
  EXPECT_EQ(LeadershipChanges(), 1);

  // The old leader's agent thaws and renews again, for several leases.
  StartAgent("db/0");
  ASSERT_TRUE(claims_.AwaitAtLeast(++expected_claims_));
  ASSERT_TRUE(clock().AwaitWaiters(Waiters(), kRealTimeout));
  for (int i = 0; i < 6; ++i) AdvanceOneRenewal();
  EXPECT_EQ(env_.Leader("db"), "db/1") << "leadership moved back to the thawed old leader";
  EXPECT_EQ(commits_.count(), 1) << "only the one election was written";
}

}  // namespace
}  // namespace skein
